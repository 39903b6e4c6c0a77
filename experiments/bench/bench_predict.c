/* bench_predict.c: timing of spx_transform_predict against the direct per-(term, mask) loop,
 * on uniform random masks and random sparse transforms (the faithfulness scoring workload:
 * 1000 test masks, up to ~10^4 terms, n up to 10^5).
 *
 *   bench_predict [n] [terms] [masks] [max_degree]     defaults 100000 10000 1000 5 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/metrics.h"
#include "core/rng.h"
#include "core/timer.h"

/* The obvious loop: every term against every mask, testing the term's bits in the mask. */
static void predict_direct(const spx_transform *t, const spx_maskset *masks, double *out) {
  int fourier = spx_transform_basis(t) == SPX_BASIS_FOURIER;
  for (size_t r = 0; r < masks->count; r++) out[r] = 0.0;
  for (size_t e = 0; e < spx_transform_size(t); e++) {
    const uint32_t *idx;
    uint32_t deg;
    double v;
    spx_transform_entry(t, e, &idx, &deg, &v);
    for (size_t r = 0; r < masks->count; r++) {
      const uint64_t *m = spx_maskset_row(masks, r);
      if (fourier) {
        unsigned par = 0;
        for (uint32_t j = 0; j < deg; j++) par ^= (unsigned)spx_mask_test(m, idx[j]);
        out[r] += par ? -v : v;
      } else {
        uint32_t j = 0;
        while (j < deg && spx_mask_test(m, idx[j])) j++;
        if (j == deg) out[r] += v;
      }
    }
  }
}

int main(int argc, char **argv) {
  size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
  size_t terms = argc > 2 ? strtoul(argv[2], NULL, 10) : 10000;
  size_t count = argc > 3 ? strtoul(argv[3], NULL, 10) : 1000;
  unsigned maxdeg = argc > 4 ? (unsigned)strtoul(argv[4], NULL, 10) : 5;
  gsl_rng *rng = spx_rng_stream(3, 1, 4, 1, 5);
  spx_maskset *masks = spx_maskset_create(n, count);
  spx_maskset_fill_random(masks, rng);
  double *a = malloc(count * sizeof *a), *b = malloc(count * sizeof *b);
  for (int basis = 0; basis < 2; basis++) {
    spx_transform *t = spx_transform_create((uint32_t)n, (spx_basis)basis);
    uint32_t idx[64];
    while (spx_transform_size(t) < terms) {
      uint32_t deg = (uint32_t)gsl_rng_uniform_int(rng, maxdeg + 1);
      for (uint32_t j = 0; j < deg; j++) {
        idx[j] = (uint32_t)gsl_rng_uniform_int(rng, n);
        for (uint32_t i = 0; i < j; i++)
          if (idx[i] == idx[j]) j--, i = j; /* redraw a repeated index */
      }
      spx_transform_set(t, idx, deg, gsl_rng_uniform(rng) - 0.5, NULL);
    }
    double best_new = 1e30, best_old = 1e30;
    for (int rep = 0; rep < 3; rep++) {
      double t0 = spx_time_now();
      spx_transform_predict(t, masks, a, NULL);
      double t1 = spx_time_now();
      predict_direct(t, masks, b);
      double t2 = spx_time_now();
      if (t1 - t0 < best_new) best_new = t1 - t0;
      if (t2 - t1 < best_old) best_old = t2 - t1;
    }
    double maxdiff = 0;
    for (size_t r = 0; r < count; r++) maxdiff = fmax(maxdiff, fabs(a[r] - b[r]));
    printf("%s n=%zu terms=%zu masks=%zu maxdeg=%u: blocked %.4f s, direct %.4f s, "
           "speed-up %.1fx, max |diff| %.2g\n",
           basis ? "moebius" : "fourier", n, terms, count, maxdeg, best_new, best_old,
           best_old / best_new, maxdiff);
    spx_transform_destroy(&t);
  }
  free(a);
  free(b);
  spx_maskset_destroy(&masks);
  gsl_rng_free(rng);
  return 0;
}
