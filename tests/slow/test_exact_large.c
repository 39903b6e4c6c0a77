/* test_exact_large.c (slow): the exact method at n = 25, above the largest single WHT plan
 * (2^24), so the Fourier path runs blocked WHTs plus butterflies across the top bit; 512
 * rounds of 2^16 masks. Sparse dyadic truths make every operation exact, so recovery must be
 * exact with tolerance 0. Needs about 300 MB of memory. */
#include <gsl/gsl_rng.h>

#include "core/metrics.h"
#include "core/rng.h"
#include "methods/method.h"
#include "testing.h"

static int eval_cb(void *ctx, const spx_maskset *masks, double *values, spx_error *err) {
  return spx_transform_predict(ctx, masks, values, err);
}

int main(void) {
  const unsigned n = 25;
  gsl_rng *r = spx_rng_stream(5, 5, 5, 5, 5);
  for (int basis = 0; basis < 2; basis++) {
    spx_transform *truth = spx_transform_create(n, (spx_basis)basis);
    /* includes the full set {0..24} and terms on both sides of the 2^24 block boundary */
    uint32_t all[25];
    for (uint32_t j = 0; j < n; j++) all[j] = j;
    spx_transform_set(truth, all, n, 0.375, NULL);
    spx_transform_set(truth, (uint32_t[]){24}, 1, -1.5, NULL);
    spx_transform_set(truth, (uint32_t[]){3, 24}, 2, 2.25, NULL);
    spx_transform_set(truth, (uint32_t[]){0, 7, 23}, 3, -0.125, NULL);
    spx_transform_set(truth, NULL, 0, 4.0, NULL);
    spx_options *o = spx_options_create("method exact");
    spx_options_put(o, "max_n", SPX_OPT_INT, "25", "test", NULL);
    spx_options_put(o, "basis", SPX_OPT_STRING, basis ? "moebius" : "fourier", "test", NULL);
    spx_transform *est = NULL;
    spx_method_stats st;
    spx_error err = {0};
    int rc = spx_method_run("exact", n, 0, o, r, eval_cb, truth, &est, &st, &err);
    spx_coef_error ce = {0};
    if (rc == SPX_OK) spx_coefficient_error(est, truth, 1, &ce, NULL);
    spx_test(rc == SPX_OK && spx_transform_size(est) == 5 && ce.max_abs == 0.0 &&
                 st.rounds == 512,
             "%s n = 25 recovered exactly in %zu rounds (decode %.2f s) %s",
             basis ? "Moebius" : "Fourier", st.rounds, st.time_decode, rc ? err.msg : "");
    spx_transform_destroy(&est);
    spx_transform_destroy(&truth);
    spx_options_destroy(&o);
  }
  gsl_rng_free(r);
  return spx_test_summary();
}
