/* metrics.c: transform prediction and scores. */
#include "metrics.h"

#include <math.h>
#include <stdlib.h>

int spx_transform_predict(const spx_transform *t, const spx_maskset *masks, double *out,
                          spx_error *err) {
  spx_basis basis = spx_transform_basis(t);
  if (basis == SPX_BASIS_INDEX)
    return spx_error_set(err, SPX_EINVAL, "an interaction index cannot be evaluated on masks");
  if (masks->n != spx_transform_n(t))
    return spx_error_set(err, SPX_EINVAL, "transform has n = %u but masks have n = %zu",
                         spx_transform_n(t), masks->n);
  size_t size = spx_transform_size(t);
  for (size_t r = 0; r < masks->count; r++) out[r] = 0.0;
  for (size_t e = 0; e < size; e++) {
    const uint32_t *idx;
    uint32_t deg;
    double v;
    spx_transform_entry(t, e, &idx, &deg, &v);
    if (v == 0.0) continue;
    for (size_t r = 0; r < masks->count; r++) {
      const uint64_t *m = spx_maskset_row(masks, r);
      if (basis == SPX_BASIS_FOURIER) {
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
  return SPX_OK;
}

double spx_r2(const double *y, const double *yhat, size_t count) {
  if (count == 0) return NAN;
  double mean = 0.0;
  for (size_t i = 0; i < count; i++) mean += y[i];
  mean /= (double)count;
  double ss_res = 0.0, ss_tot = 0.0;
  for (size_t i = 0; i < count; i++) {
    ss_res += (y[i] - yhat[i]) * (y[i] - yhat[i]);
    ss_tot += (y[i] - mean) * (y[i] - mean);
  }
  if (ss_tot == 0.0) return ss_res == 0.0 ? 1.0 : -INFINITY;
  return 1.0 - ss_res / ss_tot;
}
