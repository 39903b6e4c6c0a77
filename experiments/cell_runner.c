/* cell_runner.c: the one cell runner (cell_runner.h): open -> method -> score -> record. */
#include "cell_runner.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/memusage.h"
#include "core/rng.h"
#include "io/results.h"

uint64_t spx_cell_stream(size_t explicand, size_t scaling_point) {
  return (uint64_t)explicand | ((uint64_t)scaling_point << 40);
}

int spx_cell_test_masks(uint64_t seed, uint64_t stream, size_t n, size_t count,
                        spx_maskset **out, spx_error *err) {
  *out = NULL;
  spx_maskset *m = spx_maskset_create(n, count);
  SPX_CHECK_ALLOC(m, err);
  gsl_rng *rng = spx_rng_stream(seed, stream, spx_hash_string("test"), 0, 0);
  if (rng == NULL) {
    spx_maskset_destroy(&m);
    return spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  spx_maskset_fill_random(m, rng);
  gsl_rng_free(rng);
  *out = m;
  return SPX_OK;
}

gsl_rng *spx_cell_rng(uint64_t seed, uint64_t stream, const char *method, size_t samples,
                      size_t repeat) {
  return spx_rng_stream(seed, stream, spx_hash_string(method), (uint64_t)samples,
                        (uint64_t)repeat);
}

void spx_cell_runner_init(spx_cell_runner *r) { memset(r, 0, sizeof *r); }

void spx_cell_runner_free(spx_cell_runner *r) {
  spx_oracle_destroy(&r->oracle);
  spx_options_destroy(&r->oracle_opts);
  spx_maskset_destroy(&r->test);
  spx_score_caches_reset(&r->caches, 0);
  memset(r, 0, sizeof *r);
}

int spx_cell_runner_open(spx_cell_runner *r, const spx_config *cfg, size_t instance,
                         spx_error *err) {
  if (r->oracle && r->oracle_instance == instance) return SPX_OK;
  spx_oracle_destroy(&r->oracle);
  spx_options_destroy(&r->oracle_opts);
  r->oracle_opts = spx_config_oracle_options(cfg, instance, err);
  if (r->oracle_opts == NULL) return err->code;
  int rc = spx_oracle_open(cfg->oracle, r->oracle_opts,
                           spx_config_instance_explicand(cfg, instance), &r->oracle, err);
  if (rc == SPX_OK)
    r->oracle_instance = instance;
  else
    spx_options_destroy(&r->oracle_opts);
  return rc;
}

/* spx_par_group_open's callback: this rank's runner opens the instance's oracle. */
typedef struct {
  spx_cell_runner *r;
  const spx_config *cfg;
  size_t instance;
} group_opener;

static spx_oracle *open_in_group(void *vctx, spx_error *err) {
  group_opener *op = vctx;
  return spx_cell_runner_open(op->r, op->cfg, op->instance, err) ? NULL : op->r->oracle;
}

int spx_cell_runner_group_open(spx_cell_runner *r, spx_par *par, const spx_config *cfg,
                               size_t instance, int *lead, spx_error *err) {
  group_opener op = {r, cfg, instance};
  return spx_par_group_open(par, open_in_group, &op, lead, err);
}

int spx_cell_runner_test_masks(spx_cell_runner *r, uint64_t seed, uint64_t stream, size_t n,
                               size_t count, const spx_maskset **out, spx_error *err) {
  *out = NULL;
  if (!(r->test && r->test_stream == stream && r->test_count == count && r->test->n == n)) {
    spx_maskset_destroy(&r->test);
    int rc = spx_cell_test_masks(seed, stream, n, count, &r->test, err);
    if (rc) return rc;
    r->test_stream = stream;
    r->test_count = count;
  }
  *out = r->test;
  return SPX_OK;
}

/* The method's generator and options of a cell (the options cloned, with the spec's known
 * key). SPX_ENOMEM with both NULL on failure. */
static int cell_method_inputs(const spx_cell_spec *s, gsl_rng **rng, spx_options **opts,
                              spx_error *err) {
  *rng = spx_cell_rng(s->seed, s->stream, s->method->name, s->samples, s->repeat);
  *opts = spx_options_clone(s->method_opts);
  if (*rng && *opts) {
    if (s->known) spx_options_known(*opts, s->known);
    return SPX_OK;
  }
  if (*rng) gsl_rng_free(*rng);
  spx_options_destroy(opts);
  *rng = NULL;
  return spx_error_set(err, SPX_ENOMEM, "out of memory");
}

int spx_cell_plan(const spx_cell_spec *s, size_t n, spx_eval_fn eval, void *eval_ctx,
                  int *skipped, spx_error *err) {
  *skipped = 0;
  gsl_rng *rng = NULL;
  spx_options *opts = NULL;
  spx_method_stats stats;
  int rc = cell_method_inputs(s, &rng, &opts, err);
  if (rc == SPX_OK)
    rc = spx_method_run_jobs(s->method, n, s->samples, opts, rng, eval, eval_ctx, NULL, NULL,
                             &stats, err);
  if (rc == SPX_ENOTAPPLICABLE) { /* no queries, as in a run */
    *skipped = 1;
    rc = SPX_OK;
    memset(err, 0, sizeof *err);
  }
  if (rng) gsl_rng_free(rng);
  spx_options_destroy(&opts);
  return rc;
}

int spx_cell_run(spx_cell_runner *r, const spx_cell_spec *s, spx_oracle *o, spx_eval_fn eval,
                 void *eval_ctx, const spx_jobs_runner *jobs, const double *test_values,
                 spx_cell_result *rec, spx_transform **keep, spx_error *err) {
  if (keep) *keep = NULL;
  size_t nslots = 0;
  spx_score_dataset *cols = NULL;
  size_t ncols = 0;
  int rc = s->cfg ? spx_score_columns(s->cfg, &cols, &ncols, &nslots, err) : SPX_OK;
  free(cols);
  if (s->cfg == NULL) nslots = 1; /* r2 */
  spx_error ie = {0};
  if (rc == SPX_OK)
    rc = spx_cell_init(rec, (int64_t)s->method_index, (int64_t)s->instance,
                       (int64_t)s->budget_index, (int64_t)s->repeat, nslots, &ie);
  else
    spx_cell_init(rec, (int64_t)s->method_index, (int64_t)s->instance, (int64_t)s->budget_index,
                  (int64_t)s->repeat, 0, &ie);
  if (rc == SPX_OK && ie.code) rc = spx_error_set(err, ie.code, "%s", ie.msg);
  if (rc) {
    rec->status = SPX_CELL_FAILED;
    spx_cell_set_message(rec, err->msg);
    return rc;
  }
  size_t n = o->n;
  spx_peak_rss_reset(); /* the cell's peak: the method, its scoring and pruning */
  gsl_rng *rng = NULL;
  spx_options *opts = NULL;
  spx_transform *tr = NULL;
  spx_method_stats stats;
  memset(&stats, 0, sizeof stats);
  spx_method_config *mcfg = NULL; /* the method's options, parsed once for the cell */
  rc = cell_method_inputs(s, &rng, &opts, err);
  if (rc == SPX_OK && (rc = spx_method_configure(s->method, n, opts, &mcfg, err)) != SPX_OK)
    spx_error_prefix(err, "method %s", s->method->name);
  else if (rc == SPX_OK)
    rc = spx_method_run_config(mcfg, s->samples, rng, eval, eval_ctx, jobs, &tr, &stats, err);
  if (rng) gsl_rng_free(rng);
  rec->queries = stats.queries; /* the one count of a cell's queries: the method's */
  rec->time_decode = stats.time_decode;
  rec->time_oracle = stats.time_oracle;
  int method_rc = rc;
  if (rc == SPX_ENOTAPPLICABLE) {
    rec->status = SPX_CELL_SKIPPED;
  } else if (rc) {
    rec->status = SPX_CELL_FAILED;
  } else if (s->test_masks == 0) {
    rec->status = SPX_CELL_OK; /* explain without scoring */
  } else {
    /* Score on the held-out set and with every enabled scorer. */
    double *values = NULL;
    const spx_maskset *test = NULL;
    rc = spx_cell_runner_test_masks(r, s->seed, s->stream, n, s->test_masks, &test, err);
    if (rc == SPX_OK && test_values == NULL) {
      values = malloc(test->count * sizeof *values);
      rc = values ? eval(eval_ctx, test, values, err)
                  : spx_error_set(err, SPX_ENOMEM, "out of memory");
      test_values = values;
    }
    if (rc == SPX_OK) {
      spx_score_ctx ctx = {s->cfg, s->instance, s->stream, o, eval, eval_ctx,
                           mcfg, test, test_values, NULL};
      rc = spx_score_cell(&ctx, &r->caches, tr, rec->scores, rec->nscores, &rec->arrays, err);
    }
    free(values);
    if (rc) spx_error_prefix(err, "scoring %s", s->label ? s->label : s->method->name);
    rec->status = rc == SPX_OK ? SPX_CELL_OK : SPX_CELL_FAILED;
  }
  spx_method_config_destroy(&mcfg); /* may point into opts: first */
  spx_options_destroy(&opts);
  if (rec->status == SPX_CELL_OK && (rc = spx_cell_set_transform(rec, tr, err)) != SPX_OK) {
    rec->status = SPX_CELL_FAILED;
    spx_error_set(err, rc, "out of memory storing the transform");
  }
  if (rec->status != SPX_CELL_OK) spx_cell_set_message(rec, err->msg);
  rec->peak_rss_mib = spx_peak_rss_mib();
  if (keep)
    *keep = tr;
  else
    spx_transform_destroy(&tr);
  return method_rc;
}
