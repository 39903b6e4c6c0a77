/* test_spex_large.c: SPEX at n = 100,000 (slow): exact recovery of a 1000-sparse function
 * with masks generated round by round, and peak memory bounded by one round's masks plus
 * O(2^b (p+1) + n b), far below the N n bits all masks would take (6.6 GB). */
#include <sys/resource.h>

#include <gsl/gsl_rng.h>

#include "core/mask.h"
#include "core/rng.h"
#include "methods/method.h"
#include "methods/spex/spex_internal.h"
#include "testing.h"

typedef struct {
  size_t count;
  uint32_t deg[1001], idx[1001][5];
  double val[1001];
} function;

/* mask-major evaluation (each 12.5 KB mask stays in cache while all terms are tested) */
static int eval_fn(void *ctx, const spx_maskset *masks, double *values, spx_error *err) {
  const function *f = ctx;
  for (size_t i = 0; i < masks->count; i++) {
    const uint64_t *m = spx_maskset_row(masks, i);
    double y = 0;
    for (size_t e = 0; e < f->count; e++) {
      unsigned par = 0;
      for (uint32_t q = 0; q < f->deg[e]; q++) par ^= (unsigned)spx_mask_test(m, f->idx[e][q]);
      y += par ? -f->val[e] : f->val[e];
    }
    values[i] = y;
  }
  return SPX_OK;
}

int main(void) {
  size_t n = 100000;
  gsl_rng *r = spx_rng_stream(100000, 0, 0, 0, 0);
  static function f;
  spx_transform *truth = spx_transform_create((uint32_t)n, SPX_BASIS_FOURIER);
  while (spx_transform_size(truth) < 1001) {
    size_t e = spx_transform_size(truth);
    unsigned deg = e == 0 ? 0 : 1 + (unsigned)gsl_rng_uniform_int(r, 5);
    for (unsigned i = 0; i < deg; i++) f.idx[e][i] = (uint32_t)gsl_rng_uniform_int(r, n);
    int found, dup = 0;
    for (unsigned i = 0; i < deg; i++)
      for (unsigned j = 0; j < i; j++) dup |= f.idx[e][i] == f.idx[e][j];
    if (dup) continue;
    spx_transform_get(truth, f.idx[e], deg, &found);
    if (found) continue;
    f.deg[e] = deg;
    f.val[e] = (0.5 + 0.5 * gsl_rng_uniform(r)) * (gsl_rng_uniform(r) < 0.5 ? -1 : 1);
    spx_transform_set(truth, f.idx[e], deg, f.val[e], NULL);
  }
  f.count = 1001;
  spx_options *o = spx_options_create("test");
  spx_options_put(o, "b", SPX_OPT_TEXT, "11", NULL, NULL);
  spx_options_put(o, "round_mb", SPX_OPT_TEXT, "64", NULL, NULL);
  spx_transform *got = NULL;
  spx_method_stats st;
  spx_error err;
  int rc = spx_method_run("spex", n, 600000, o, r, eval_fn, &f, &got, &st, &err);
  spx_test(rc == 0, "n = 100000 runs (%s)", rc ? err.msg : "");
  if (rc == 0) {
    spx_test_int((long long)st.queries, 3 * 86 * 2048, "queries 3 (p+1) 2^11 with p = 85");
    spx_test(st.rounds > 100, "masks produced in %zu rounds of at most 64 MB", st.rounds);
    double maxrel = 0;
    for (size_t e = 0; e < f.count; e++) {
      double g = spx_transform_get(got, f.idx[e], f.deg[e], NULL);
      double rel = fabs(g - f.val[e]) / fabs(f.val[e]);
      if (rel > maxrel) maxrel = rel;
    }
    /* noiseless: exact up to the zeroton floor (see test_spex.c) */
    spx_test(maxrel < 1e-9, "all 1001 coefficients exact (max rel err %.2g)", maxrel);
    spx_test_int((long long)spx_transform_size(got), 1001, "no spurious coefficients");
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    /* one round of masks (64 MB) + bins 3*86*2048 doubles (4 MB) + parity columns, hashes and
     * delay rows (~6 MB) + the process: well under 160 MB */
    spx_test(ru.ru_maxrss < 160 * 1024, "peak RSS %.1f MiB < 160 MiB", ru.ru_maxrss / 1024.0);
  }
  spx_transform_destroy(&got);
  spx_transform_destroy(&truth);
  spx_options_destroy(&o);
  gsl_rng_free(r);
  return spx_test_summary();
}
