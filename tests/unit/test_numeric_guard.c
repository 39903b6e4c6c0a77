/* test_numeric_guard.c: no method hands back a non-finite coefficient (issue #14).
 *
 * Every registered method runs on a game whose answers are huge but finite (+-1e308 and
 * 1e300 scales: their squares overflow double precision) at n = 6 with a budget of 64 and of
 * 200 masks: it must either return finite coefficients only, or fail with SPX_ERANGE and a
 * message naming the coefficient and the answers' scale (or fail with a message of its own:
 * the XGBoost-based methods refuse labels beyond float range). lime, banzhaf and faith_banzhaf
 * gave NaN coefficients with success before the guard; they must now fail. An ordinary game
 * (answers of order 1) still succeeds for them. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "core/rng.h"
#include "methods/method.h"
#include "testing.h"

typedef struct {
  double scale;
} game;

/* f(m) = scale * (x0 - x1 + 0.5 x2 x3), +-scale, never overflowing itself */
static int eval(void *ctx, const spx_maskset *masks, double *values, spx_error *err) {
  (void)err;
  const game *g = ctx;
  for (size_t k = 0; k < masks->count; k++) {
    const uint64_t *m = spx_maskset_row(masks, k);
    double x0 = (double)(m[0] & 1), x1 = (double)(m[0] >> 1 & 1), x2 = (double)(m[0] >> 2 & 1),
           x3 = (double)(m[0] >> 3 & 1);
    values[k] = g->scale * (0.5 * x0 - 0.5 * x1 + 0.25 * x2 * x3);
  }
  return SPX_OK;
}

/* Runs method name; returns rc and sets *finite to whether every coefficient is finite. */
static int run(const char *name, double scale, size_t budget, int *finite, spx_error *err) {
  game g = {scale};
  spx_options *opts = spx_options_create("[[method]] test");
  gsl_rng *r = spx_rng_stream(7, spx_hash_string(name), budget, 0, 0);
  spx_transform *t = NULL;
  spx_method_stats stats;
  int rc = spx_method_run(name, 6, budget, opts, r, eval, &g, &t, &stats, err);
  *finite = 1;
  for (size_t i = 0; t && i < spx_transform_size(t); i++) {
    const uint32_t *idx;
    uint32_t d;
    double v;
    spx_transform_entry(t, i, &idx, &d, &v);
    if (!isfinite(v)) *finite = 0;
  }
  spx_transform_destroy(&t);
  gsl_rng_free(r);
  spx_options_destroy(&opts);
  return rc;
}

int main(void) {
  const spx_method_type *const *all = spx_method_types();
  const double scales[] = {1e308, 1e300, 1.7e308};
  const size_t budgets[] = {64, 200};
  for (size_t i = 0; all[i]; i++)
    for (size_t s = 0; s < 3; s++)
      for (size_t b = 0; b < 2; b++) {
        spx_error err = {0};
        int finite;
        int rc = run(all[i]->name, scales[s], budgets[b], &finite, &err);
        /* never success with a non-finite coefficient; a failure names its cause (the
         * guard's, or the method's own, e.g. XGBoost refusing labels beyond float range) */
        int fine = (rc == SPX_OK && finite) || (rc != SPX_OK && err.msg[0] != '\0' &&
                   (rc != SPX_ERANGE || (strstr(err.msg, "not a finite number") &&
                                         strstr(err.msg, "rescale the model's output"))));
        spx_test(fine, "%s, answers up to %g, budget %zu: finite or a named error (rc %d) [%s]",
                 all[i]->name, scales[s], budgets[b], rc, rc ? err.msg : "ok");
      }
  /* the three that produced NaN before: an error now, with the reason */
  const char *nan_before[] = {"lime", "banzhaf", "faith_banzhaf"};
  for (size_t k = 0; k < 3; k++) {
    spx_error err = {0};
    int finite;
    int rc = run(nan_before[k], 1e308, 200, &finite, &err);
    spx_test(rc == SPX_ERANGE && strstr(err.msg, nan_before[k]) &&
                 strstr(err.msg, "is NaN (not a finite number)") &&
                 strstr(err.msg, "the answers reach |f| = 7.5e+307"),
             "%s on answers of 1e308 fails with the reason [%s]", nan_before[k],
             rc ? err.msg : "ok");
    rc = run(nan_before[k], 1.0, 200, &finite, &err);
    spx_test(rc == SPX_OK && finite, "%s on answers of order 1 still succeeds [%s]",
             nan_before[k], rc ? err.msg : "ok");
  }
  return spx_test_summary();
}
