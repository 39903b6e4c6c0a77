/* energy_truncate.c: keep the largest Fourier coefficients holding a share of the
 * non-constant energy (ProxySPEX step 4; conventions in energy_truncate.h). */
#include "energy_truncate.h"

#include <math.h>
#include <stdlib.h>

static int desc_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x < y) - (x > y);
}

int spx_energy_truncate(const spx_transform *t, double energy, spx_trunc_rule rule,
                        unsigned char *keep, size_t *kept, double *tau, spx_error *err) {
  if (!(energy > 0.0 && energy <= 1.0))
    return spx_error_set(err, SPX_EINVAL, "energy share %g is not in (0, 1]", energy);
  size_t m = spx_transform_size(t);
  *kept = 0;
  double threshold = 0.0;
  if (m > 0) {
    double *sq = malloc(m * sizeof *sq);
    SPX_CHECK_ALLOC(sq, err);
    double total = 0.0;
    for (size_t i = 0; i < m; i++) {
      uint32_t deg;
      double v;
      spx_transform_entry(t, i, NULL, &deg, &v);
      sq[i] = deg == 0 ? 0.0 : v * v;
      total += sq[i];
    }
    if (total > 0.0) {
      qsort(sq, m, sizeof *sq, desc_double);
      size_t j = m - 1;
      double cum = 0.0;
      for (size_t i = 0; i < m; i++) {
        cum += sq[i];
        if (cum / total >= energy) {
          j = i;
          break;
        }
      }
      if (rule == SPX_TRUNC_SPECTRAL_EXPLAIN)
        threshold = sqrt(sq[j]);
      else
        threshold = j + 1 < m ? sqrt(sq[j + 1]) : 0.0;
    }
    free(sq);
  }
  for (size_t i = 0; i < m; i++) {
    double v;
    spx_transform_entry(t, i, NULL, NULL, &v);
    keep[i] = fabs(v) > threshold;
    *kept += keep[i];
  }
  if (tau) *tau = threshold;
  return SPX_OK;
}
