/* budget.c: the SPEX budget rule N(b) = 3 (p+1) 2^b, with the parity length p from SPEX's own
 * BCH parameter search (spx_bch_params of methods/spex/spex.h), so the configuration plans
 * exactly the codes SPEX builds. */
#include "budget.h"

#include <stdint.h>

#include "methods/spex/spex.h"

int spx_bch_parity_length(size_t n, unsigned t, size_t *p, size_t *nc_out, size_t *kc_out,
                          spx_error *err) {
  uint32_t nc, kc;
  int rc = spx_bch_params(n, t, NULL, &nc, &kc, err);
  if (rc) return rc;
  *p = (size_t)(nc - kc);
  if (nc_out) *nc_out = nc;
  if (kc_out) *kc_out = kc;
  return SPX_OK;
}

int spx_budget_spex_samples(size_t n, unsigned t, unsigned b, size_t *samples, spx_error *err) {
  size_t p;
  int rc = spx_bch_parity_length(n, t, &p, NULL, NULL, err);
  if (rc) return rc;
  if (b > 40) return spx_error_set(err, SPX_ERANGE, "b = %u is out of range [1, 40]", b);
  *samples = spx_spex_queries(3, (uint32_t)p, b);
  return SPX_OK;
}
