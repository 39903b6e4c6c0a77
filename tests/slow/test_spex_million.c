/* test_spex_million.c: SPEX at n = 1,000,000 (slow): the synthetic oracle's noiseless sparse
 * Fourier function with 1000 interactions of degree <= 5, b = 10 (BCH code over GF(2^20),
 * p = 100: 310,272 queries, 38.8 GB of masks if kept), evaluated round by round in rounds of
 * half a design row (512 masks of 125 kB); exact recovery of every coefficient, no spurious
 * term, and peak memory bounded by one round plus the design (well under 400 MiB). */
#include <math.h>
#include <sys/resource.h>

#include <gsl/gsl_rng.h>

#include "core/rng.h"
#include "core/timer.h"
#include "methods/method.h"
#include "oracle/oracle.h"
#include "testing.h"

static int eval_oracle(void *ctx, const spx_maskset *masks, double *values, spx_error *err) {
  return spx_oracle_eval_all(ctx, masks, values, err);
}

int main(void) {
  size_t n = 1000000;
  spx_options *oo = spx_options_create("oracle synthetic");
  spx_options_put(oo, "n", SPX_OPT_INT, "1000000", NULL, NULL);
  spx_options_put(oo, "terms", SPX_OPT_INT, "1000", NULL, NULL);
  spx_options_put(oo, "max_degree", SPX_OPT_INT, "5", NULL, NULL);
  spx_options_put(oo, "seed", SPX_OPT_INT, "18", NULL, NULL);
  spx_oracle *o = NULL;
  spx_error err;
  int rc = spx_oracle_open(spx_oracle_lookup("synthetic"), oo, 0, &o, &err);
  if (!spx_test(rc == 0, "synthetic oracle at n = 10^6 opens (%s)", rc ? err.msg : "")) {
    spx_options_destroy(&oo);
    return spx_test_summary();
  }
  const spx_transform *truth = spx_oracle_truth(o);
  spx_options *mo = spx_options_create("test");
  spx_options_put(mo, "b", SPX_OPT_TEXT, "10", NULL, NULL);
  spx_options_put(mo, "decoder", SPX_OPT_TEXT, "hard", NULL, NULL);
  gsl_rng *r = spx_rng_stream(1000000, 0, 0, 0, 0);
  spx_transform *got = NULL;
  spx_method_stats st;
  double t0 = spx_time_now();
  rc = spx_method_run("spex", n, 310272, mo, r, eval_oracle, o, &got, &st, &err);
  double wall = spx_time_now() - t0;
  spx_test(rc == 0, "n = 10^6 runs (%s)", rc ? err.msg : "");
  if (rc == 0) {
    spx_test_int((long long)st.queries, 3 * 101 * 1024, "queries 3 (p+1) 2^10 with p = 100");
    spx_test(st.rounds == 3 * 101 * 2, "%zu rounds of half a design row (512 masks, 64 MB)",
             st.rounds);
    double maxrel = 0;
    for (size_t e = 0; e < spx_transform_size(truth); e++) {
      const uint32_t *idx;
      uint32_t deg;
      double v;
      spx_transform_entry(truth, e, &idx, &deg, &v);
      double g = spx_transform_get(got, idx, deg, NULL);
      double rel = fabs(g - v) / fabs(v);
      if (rel > maxrel) maxrel = rel;
    }
    spx_test(maxrel < 1e-9, "all 1000 coefficients exact (max rel err %.2g)", maxrel);
    spx_test_int((long long)spx_transform_size(got), (long long)spx_transform_size(truth),
                 "no spurious coefficients");
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    /* one round (64 MB) + the design (hash 12 MB, columns 3.8 MB, delay rows 12.6 MB, parity
     * columns 32 MB, GF(2^20) tables 12 MB) + bins (2.5 MB) + the process */
    spx_test(ru.ru_maxrss < 400 * 1024, "peak RSS %.1f MiB < 400 MiB", ru.ru_maxrss / 1024.0);
    printf("n = 10^6: %.1f s wall (method %.1f s, oracle %.1f s), peak RSS %.1f MiB\n", wall,
           st.time_decode, st.time_oracle, ru.ru_maxrss / 1024.0);
  }
  spx_transform_destroy(&got);
  spx_options_destroy(&mo);
  spx_options_destroy(&oo);
  spx_oracle_destroy(&o);
  gsl_rng_free(r);
  return spx_test_summary();
}
