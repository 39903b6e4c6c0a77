/* test_wht.c: fast WHT against the O(N^2) definition, and its inverse property. */
#include <gsl/gsl_rng.h>

#include "core/rng.h"
#include "core/wht.h"
#include "testing.h"

int main(void) {
  gsl_rng *r = spx_rng_stream(11, 0, 0, 0, 0);
  for (unsigned lg = 1; lg <= 10; lg++) {
    size_t len = (size_t)1 << lg;
    double *x = malloc(len * sizeof *x), *y = malloc(len * sizeof *y);
    for (size_t i = 0; i < len; i++) x[i] = y[i] = gsl_rng_uniform(r) - 0.5;
    spx_wht_plan *p = spx_wht_plan_create(lg, NULL);
    spx_wht_execute(p, y);
    double maxerr = 0;
    for (size_t j = 0; j < len; j++) {
      double s = 0;
      for (size_t l = 0; l < len; l++) s += __builtin_parityll(j & l) ? -x[l] : x[l];
      double e = fabs(s - y[j]);
      if (e > maxerr) maxerr = e;
    }
    /* Each output sums len terms of size < 1/2: rounding error below len * eps. */
    spx_test(maxerr <= (double)len * 2.3e-16, "WHT 2^%u matches the definition (max err %.3g)",
             lg, maxerr);
    spx_wht_execute(p, y); /* H H = len I */
    maxerr = 0;
    for (size_t i = 0; i < len; i++) {
      double e = fabs(y[i] / (double)len - x[i]);
      if (e > maxerr) maxerr = e;
    }
    spx_test(maxerr <= (double)len * 2.3e-16, "WHT 2^%u applied twice is len times identity", lg);
    spx_wht_plan_destroy(&p);
    spx_test(p == NULL, "destroy clears the plan");
    free(x);
    free(y);
  }
  /* Largest size: an impulse transforms to all ones. */
  size_t len = (size_t)1 << 24;
  double *big = calloc(len, sizeof *big);
  big[0] = 1.0;
  spx_wht_plan *p = spx_wht_plan_create(24, NULL);
  spx_wht_execute(p, big);
  int ok = 1;
  for (size_t i = 0; i < len; i++) ok &= big[i] == 1.0;
  spx_test(ok, "impulse at 2^24 gives all ones");
  spx_wht_plan_destroy(&p);
  free(big);
  spx_error err;
  spx_test(spx_wht_plan_create(0, &err) == NULL && err.code == SPX_ERANGE, "size 2^0 rejected");
  spx_test(spx_wht_plan_create(25, &err) == NULL && err.code == SPX_ERANGE, "size 2^25 rejected");
  gsl_rng_free(r);
  return spx_test_summary();
}
