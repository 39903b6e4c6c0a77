/* test_method_jobs.c: a method's jobs give the same transform however they are run. SPEX
 * (soft and hard decoders, with and without refinement) with share_jobs = true and ProxySPEX
 * (fast search on 3 folds; the grid is checked by tests/mpi/jobs_main.c) are run through a runner that splits every batch the way a group
 * of R ranks does (job j on "rank" j mod R, each share through its own open/run/close, the
 * results put back in job order), for R = 1, 2 and 3, and compared entry by entry (exactly)
 * with the same method run without a runner (SPEX then transforms each round at once and
 * classifies the bins inside the peeling loop, the code path of share_jobs = false). */
#include <stdlib.h>
#include <string.h>

#include "core/options.h"
#include "core/rng.h"
#include "methods/method.h"
#include "oracle/oracle.h"
#include "testing.h"

typedef struct {
  size_t ranks;
  size_t batches; /* batches seen */
} split_ctx;

static int split_run(void *vctx, const spx_jobs_type *type, const void *input, size_t len,
                     size_t njobs, size_t result_size, void *results, spx_error *err) {
  split_ctx *c = vctx;
  c->batches++;
  unsigned char *out = results;
  for (size_t r = 0; r < c->ranks && r < njobs; r++) {
    size_t mine = (njobs - r + c->ranks - 1) / c->ranks;
    unsigned char *share = malloc(mine * result_size);
    if (share == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory");
    int rc = spx_jobs_run_share(type, input, len, njobs, r, c->ranks, result_size, share,
                                NULL, NULL, err);
    for (size_t i = 0; rc == SPX_OK && i < mine; i++)
      memcpy(out + (r + i * c->ranks) * result_size, share + i * result_size, result_size);
    free(share);
    if (rc) return rc;
  }
  return SPX_OK;
}

static int eval_oracle(void *ctx, const spx_maskset *masks, double *values, spx_error *err) {
  return spx_oracle_eval_all(ctx, masks, values, err);
}

static spx_oracle *open_oracle(void) {
  spx_options *o = spx_options_create("oracle synthetic");
  spx_options_put(o, "n", SPX_OPT_INT, "40", "test:1:1", NULL);
  spx_options_put(o, "terms", SPX_OPT_INT, "25", "test:2:1", NULL);
  spx_options_put(o, "max_degree", SPX_OPT_INT, "3", "test:3:1", NULL);
  spx_options_put(o, "snr_db", SPX_OPT_FLOAT, "20", "test:4:1", NULL);
  spx_oracle *orc = NULL;
  spx_error err;
  if (spx_oracle_open(spx_oracle_lookup("synthetic"), o, 0, &orc, &err)) fprintf(stderr, "%s\n", err.msg);
  spx_options_destroy(&o);
  return orc;
}

/* opts: "key=value" pairs (value typed by the first character: digit = int, else string or
 * bool), NULL-terminated. */
static spx_transform *run(const char *method, size_t budget, const char *const *opts,
                          spx_oracle *orc, const spx_jobs_runner *jobs) {
  spx_options *mo = spx_options_create(method);
  for (size_t i = 0; opts[i]; i++) {
    char key[64];
    const char *eq = strchr(opts[i], '=');
    snprintf(key, sizeof key, "%.*s", (int)(eq - opts[i]), opts[i]);
    const char *v = eq + 1;
    spx_option_kind kind = (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) ? SPX_OPT_BOOL
                           : (v[0] >= '0' && v[0] <= '9') ? SPX_OPT_INT
                                                          : SPX_OPT_STRING;
    spx_options_put(mo, key, kind, v, "test:9:1", NULL);
  }
  const spx_method_type *type = spx_method_lookup(method);
  gsl_rng *rng = spx_rng_stream(21, budget, 0, 0, 0);
  spx_transform *t = NULL;
  spx_method_stats st;
  spx_error err = {0};
  int rc = spx_method_run_jobs(type, 40, budget, mo, rng, eval_oracle, orc, jobs, &t, &st,
                               &err);
  if (rc) fprintf(stderr, "%s: %s\n", method, err.msg);
  gsl_rng_free(rng);
  spx_options_destroy(&mo);
  return t;
}

static int same(const spx_transform *a, const spx_transform *b) {
  if (a == NULL || b == NULL || spx_transform_size(a) != spx_transform_size(b)) return 0;
  for (size_t k = 0; k < spx_transform_size(a); k++) {
    const uint32_t *idx;
    uint32_t d;
    double v;
    spx_transform_entry(a, k, &idx, &d, &v);
    int found;
    double w = spx_transform_get(b, idx, d, &found);
    if (!found || w != v) return 0;
  }
  return 1;
}

int main(void) {
  spx_oracle *orc = open_oracle();
  if (orc == NULL) return 1;
  static const char *const spex_soft[] = {"share_jobs=true", NULL};
  static const char *const spex_hard[] = {"share_jobs=true", "decoder=hard", NULL};
  static const char *const spex_ridge[] = {"share_jobs=true", "refine=ridge", NULL};
  static const char *const proxy_fast[] = {"fast_folds=3", "max_trees=200", NULL};
  /* speed mode (600 > 300 samples; search on 400 rows, two-stage screening from 150), kept,
   * and falling back to the accurate search (fallback_r2 = 1: two searches through the
   * runner) */
  static const char *const proxy_speed[] = {"fast_folds=3",    "max_trees=200",
                                            "speed_samples=300", "search_rows=400",
                                            "screen_rows=150", NULL};
  static const char *const proxy_fall[] = {"fast_folds=3",      "max_trees=200",
                                           "speed_samples=300", "search_rows=400",
                                           "fallback_r2=1",     NULL};
  static const char *const none[] = {NULL};
  struct {
    const char *method, *label;
    size_t budget;
    const char *const *opts, *const *plain;
  } cases[] = {
      {"spex", "spex soft", 6000, spex_soft, none},
      {"spex", "spex hard", 6000, spex_hard, none},
      {"spex", "spex soft + ridge", 3000, spex_ridge, none},
      {"proxyspex", "proxyspex fast", 600, proxy_fast, proxy_fast},
      {"proxyspex", "proxyspex speed mode", 600, proxy_speed, proxy_speed},
      {"proxyspex", "proxyspex speed mode, fallback", 600, proxy_fall, proxy_fall},
  };
  static const char *const hard_plain[] = {"decoder=hard", NULL};
  static const char *const ridge_plain[] = {"refine=ridge", NULL};
  cases[1].plain = hard_plain;
  cases[2].plain = ridge_plain;
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    spx_transform *plain = run(cases[c].method, cases[c].budget, cases[c].plain, orc, NULL);
    spx_test(plain != NULL && spx_transform_size(plain) > 0, "%s without a runner: %zu terms",
             cases[c].label, plain ? spx_transform_size(plain) : 0);
    for (size_t R = 1; R <= 3; R++) {
      split_ctx sc = {R, 0};
      spx_jobs_runner runner = {split_run, &sc};
      spx_transform *t = run(cases[c].method, cases[c].budget, cases[c].opts, orc, &runner);
      spx_test(sc.batches > 0, "%s, %zu ranks: the runner was used (%zu batches)",
               cases[c].label, R, sc.batches);
      if (c == 5) /* the fallback: the speed search's batch, then the accurate search's */
        spx_test(sc.batches == 2, "%s, %zu ranks: two search batches (%zu)", cases[c].label, R,
                 sc.batches);
      spx_test(same(plain, t), "%s, %zu ranks: the same transform as without a runner",
               cases[c].label, R);
      spx_transform_destroy(&t);
    }
    spx_transform_destroy(&plain);
  }
  /* share_jobs = false ignores the runner */
  split_ctx sc = {2, 0};
  spx_jobs_runner runner = {split_run, &sc};
  spx_transform *t = run("spex", 6000, none, orc, &runner);
  spx_test(t != NULL && sc.batches == 0, "spex with share_jobs = false does not use the runner");
  spx_transform_destroy(&t);
  spx_oracle_destroy(&orc);
  return spx_test_summary();
}
