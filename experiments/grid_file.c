/* grid_file.c: the result file of the grid driver (create it, or resume it: the instances
 * and cells already finished). The summary is in grid_summary.c, the scorers' tables in
 * their files (experiments/scorers/). */
#include "core/paths.h"
#include "grid_internal.h"
#include "spx_git_commit.h" /* SPX_GIT_COMMIT, generated (CMakeLists.txt) */

/* ---- the output file ------------------------------------------------------------------------ */

void grid_now_iso(char *buf, size_t len) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int file_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

int grid_coordinator_open(coordinator *c, spx_par *par, int *usage, spx_error *err) {
  const spx_config *cfg = c->cfg;
  const char **labels = malloc(c->nmethods * sizeof *labels), **names = malloc(c->nmethods * sizeof *names);
  if (labels == NULL || names == NULL) {
    free(labels);
    free(names);
    return spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  for (size_t m = 0; m < c->nmethods; m++) {
    labels[m] = cfg->method[m].label;
    names[m] = cfg->method[m].type->name;
  }
  spx_results_layout L = {cfg->resolved, c->ninstances, c->nbudgets, c->nrepeats, c->nmethods, labels, names,
                          cfg->budget_mode == SPX_BUDGET_SPEX_B, cfg->budget_points, 0, NULL, 0, NULL,
                          NULL, 0, 1}; /* describe: the scorers' units and descriptions */
  /* the scorers' columns and root data (scorers/registry.c) */
  spx_score_dataset *cols = NULL;
  int rc = spx_score_columns(cfg, &cols, &L.nscores, NULL, err);
  if (rc) {
    free(labels);
    free(names);
    return rc;
  }
  L.scores = cols;
  spx_score_layout(cfg, &L);
  int exists = file_exists(cfg->output);
  if (exists && !c->opt->resume) {
    *usage = 1;
    rc = spx_error_set(err, SPX_EINVAL,
                       "%s: the output file exists; pass --resume to continue it, or remove it "
                       "(or --set experiment.output=...)",
                       cfg->output);
  } else if (exists) {
    rc = spx_results_open(cfg->output, &L, &c->res, err);
    if (rc == SPX_EINVAL) *usage = 1;
    /* a damaged file rebuilt from its journal: say so */
    if (rc == SPX_OK && spx_results_note(c->res) && c->opt->errout)
      fprintf(c->opt->errout, "spex-bench: %s\n", spx_results_note(c->res));
  } else {
    rc = spx_make_parent_dirs(cfg->output, err);
    if (rc == SPX_OK) rc = spx_results_create(cfg->output, &L, &c->res, err);
  }
  free(labels);
  free(names);
  free(cols);
  if (rc) return rc;
  char start[32];
  grid_now_iso(start, sizeof start);
  spx_results_meta meta = {SPX_VERSION, SPX_GIT_COMMIT, start, NULL,
                           spx_par_world_size(par), (int)cfg->group_size};
  rc = spx_results_write_meta(c->res, &meta, err);
  if (rc == SPX_OK) rc = grid_provenance_begin(c, par, start, err);
  if (rc || !exists) return rc;
  /* Resume: instances already set up, cells already finished (ok or skipped). */
  for (size_t i = 0; rc == SPX_OK && i < c->ninstances; i++) {
    if (!spx_results_has_instance(c->res, i)) continue;
    size_t n;
    rc = spx_results_read_instance(c->res, i, &n, c->test_values + i * c->ntest, c->ntest, err);
    for (size_t b = 0; rc == SPX_OK && b < c->nbudgets; b++) {
      size_t s;
      rc = spx_config_budget_queries(cfg, n, b, &s, err);
      c->samples[i * c->nbudgets + b] = s;
    }
    if (rc == SPX_OK) c->instance_state[i] = INST_READY;
  }
  size_t cells = c->ninstances * c->nbudgets * c->nrepeats;
  int *st = malloc((cells ? cells : 1) * sizeof *st);
  double *r2 = malloc((cells ? cells : 1) * sizeof *r2), *td = malloc((cells ? cells : 1) * sizeof *td);
  uint64_t *q = malloc((cells ? cells : 1) * sizeof *q);
  if (rc == SPX_OK && (!st || !r2 || !td || !q)) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  for (size_t m = 0; rc == SPX_OK && m < c->nmethods; m++) {
    rc = spx_results_read_cells(c->res, m, st, r2, td, q, err);
    for (size_t i = 0; rc == SPX_OK && i < c->ninstances; i++)
      for (size_t b = 0; b < c->nbudgets; b++)
        for (size_t r = 0; r < c->nrepeats; r++) {
          size_t k = (i * c->nbudgets + b) * c->nrepeats + r, id = grid_cell_id(c, i, m, b, r);
          if (c->instance_state[i] != INST_READY || (st[k] != SPX_CELL_OK && st[k] != SPX_CELL_SKIPPED))
            continue;
          c->cell_state[id] = CELL_FINISHED;
          c->status[id] = st[k];
          c->r2[id] = r2[k];
          c->time_decode[id] = td[k];
          c->queries[id] = q[k];
        }
  }
  free(st);
  free(r2);
  free(td);
  free(q);
  return rc;
}


