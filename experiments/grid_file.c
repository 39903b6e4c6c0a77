/* grid_file.c: the result file of the grid driver (create it, or resume it: the instances
 * and cells already finished) and the pruning table printed at the end of a run (the summary
 * is in grid_summary.c). */
#include "grid_internal.h"

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

/* Create the directory of path if it is missing (one level). */
static int make_parent(const char *path, spx_error *err) {
  const char *slash = strrchr(path, '/');
  if (slash == NULL || slash == path) return SPX_OK;
  size_t len = (size_t)(slash - path);
  char *dir = malloc(len + 1);
  SPX_CHECK_ALLOC(dir, err);
  memcpy(dir, path, len);
  dir[len] = '\0';
  int rc = SPX_OK;
  if (!file_exists(dir) && mkdir(dir, 0777) != 0 && errno != EEXIST)
    rc = spx_error_set(err, SPX_EIO, "%s: cannot create the output directory %s: %s", path, dir,
                       strerror(errno));
  free(dir);
  return rc;
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
                          cfg->budget_mode == SPX_BUDGET_SPEX_B, cfg->budget,
                          cfg->kind == SPX_EXP_RECOVERY || cfg->kind == SPX_EXP_SCALING,
                          cfg->nprune, cfg->prune_fractions,
                          spx_prune_rank_names[cfg->prune_rank_by], cfg->prune_random};
  int rc = SPX_OK;
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
  } else {
    rc = make_parent(cfg->output, err);
    if (rc == SPX_OK) rc = spx_results_create(cfg->output, &L, &c->res, err);
  }
  free(labels);
  free(names);
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
      rc = spx_config_budget(cfg, n, b, &s, err);
      c->budget[i * c->nbudgets + b] = s;
    }
    if (rc == SPX_OK) c->inst[i] = INST_READY;
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
          if (c->inst[i] != INST_READY || (st[k] != SPX_CELL_OK && st[k] != SPX_CELL_SKIPPED))
            continue;
          c->cell_state[id] = 2;
          c->status[id] = st[k];
          c->r2[id] = r2[k];
          c->tdec[id] = td[k];
          c->queries[id] = q[k];
        }
  }
  free(st);
  free(r2);
  free(td);
  free(q);
  return rc;
}

/* ---- pruning table ---------------------------------------------------------------------- */

/* One row of the pruning table: the means, "-" where no cell contributed. */
static void prune_row(FILE *out, const double *sum, const size_t *cnt, size_t F) {
  for (size_t j = 0; j < F; j++) {
    if (cnt[j])
      fprintf(out, " %8.4f", sum[j] / (double)cnt[j]);
    else
      fprintf(out, " %8s", "-");
  }
  fputc('\n', out);
}

/* The pruning table: mean task accuracy at each fraction kept, per method and budget (finished
 * ok cells), then the random orders and the full model (set-up instances), read back from
 * the file, which holds every cell of this and earlier runs. */
void grid_print_pruning(const coordinator *c, FILE *out) {
  const spx_config *cfg = c->cfg;
  size_t F = cfg->nprune, P = cfg->prune_random, cells = c->ninstances * c->nbudgets * c->nrepeats;
  double *acc = malloc((cells ? cells : 1) * F * sizeof *acc);
  double *rnd = malloc((P ? P : 1) * F * sizeof *rnd), *sum = calloc(F, sizeof *sum);
  size_t *cnt = calloc(F, sizeof *cnt);
  if (!acc || !rnd || !sum || !cnt) {
    fprintf(out, "(pruning table: out of memory)\n");
    goto done;
  }
  fprintf(out, "\npruning: task accuracy (mean over finished cells) by fraction of components "
               "kept, ranked by %s\n%-20s %-12s",
          spx_prune_rank_names[cfg->prune_rank_by], "method", "budget");
  for (size_t j = 0; j < F; j++) fprintf(out, " %8.3g", cfg->prune_fractions[j]);
  fputc('\n', out);
  for (size_t m = 0; m < c->nmethods; m++) {
    spx_error e = {0};
    if (spx_results_read_pruning(c->res, m, acc, &e)) {
      fprintf(out, "(pruning table: %s)\n", e.msg);
      goto done;
    }
    for (size_t b = 0; b < c->nbudgets; b++) {
      memset(sum, 0, F * sizeof *sum);
      memset(cnt, 0, F * sizeof *cnt);
      for (size_t i = 0; i < c->ninstances; i++)
        for (size_t r = 0; r < c->nrepeats; r++) {
          size_t id = grid_cell_id(c, i, m, b, r), k = (i * c->nbudgets + b) * c->nrepeats + r;
          if (c->cell_state[id] != 2 || c->status[id] != SPX_CELL_OK) continue;
          for (size_t j = 0; j < F; j++)
            if (isfinite(acc[k * F + j])) sum[j] += acc[k * F + j], cnt[j]++;
        }
      char budget[32];
      snprintf(budget, sizeof budget, cfg->budget_mode == SPX_BUDGET_SPEX_B ? "b=%lld" : "%lld",
               cfg->budget[b]);
      fprintf(out, "%-20s %-12s", cfg->method[m].label, budget);
      prune_row(out, sum, cnt, F);
    }
  }
  memset(sum, 0, F * sizeof *sum);
  memset(cnt, 0, F * sizeof *cnt);
  double fsum = 0;
  size_t fcnt = 0;
  for (size_t i = 0; i < c->ninstances; i++) {
    double full;
    if (c->inst[i] != INST_READY || spx_results_read_pruning_instance(c->res, i, &full, rnd, NULL))
      continue;
    if (isfinite(full)) fsum += full, fcnt++;
    for (size_t p = 0; p < P; p++)
      for (size_t j = 0; j < F; j++)
        if (isfinite(rnd[p * F + j])) sum[j] += rnd[p * F + j], cnt[j]++;
  }
  char what[32];
  snprintf(what, sizeof what, "(%zu orders)", P);
  fprintf(out, "%-20s %-12s", "random", what);
  prune_row(out, sum, cnt, F);
  fprintf(out, "%-20s %-12s %8.4f\n", "full model", "", fcnt ? fsum / (double)fcnt : NAN);
done:
  free(acc);
  free(rnd);
  free(sum);
  free(cnt);
  fflush(out);
}
