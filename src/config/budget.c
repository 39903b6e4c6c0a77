/* budget.c: the BCH parity length and the SPEX budget rule N(b) = 3 (p+1) 2^b. */
#include "budget.h"

#include <stdint.h>
#include <stdlib.h>

int spx_bch_parity_length(size_t n, unsigned t, size_t *p, size_t *nc_out, size_t *kc_out,
                          spx_error *err) {
  if (t == 0 || t > 100000)
    return spx_error_set(err, SPX_ERANGE, "BCH degree parameter t = %u is out of range", t);
  size_t d = 2 * (size_t)t + 1;
  unsigned m = 1;
  while (((size_t)1 << m) < d + 1) m++; /* m = ceil(log2(d + 1)) */
  for (; m < 20; m++) {
    size_t nc = ((size_t)1 << m) - 1;
    if (d > nc) continue;
    unsigned char *in = calloc(nc, 1); /* in[r]: r is in a coset already counted */
    SPX_CHECK_ALLOC(in, err);
    size_t degree = 0;
    for (size_t a = 1; a < d; a++) {
      size_t r = a % nc;
      while (!in[r]) { /* walk the coset of a: a, 2a, 4a, ... mod nc */
        in[r] = 1;
        degree++;
        r = (2 * r) % nc;
      }
    }
    free(in);
    size_t kc = nc - degree;
    if (kc >= n) {
      *p = nc - kc;
      if (nc_out) *nc_out = nc;
      if (kc_out) *kc_out = kc;
      return SPX_OK;
    }
  }
  return spx_error_set(err, SPX_ERANGE,
                       "no BCH code of length below 2^20 has dimension >= n = %zu for t = %u", n,
                       t);
}

int spx_budget_spex_samples(size_t n, unsigned t, unsigned b, size_t *samples, spx_error *err) {
  size_t p;
  int rc = spx_bch_parity_length(n, t, &p, NULL, NULL, err);
  if (rc) return rc;
  if (b > 40) return spx_error_set(err, SPX_ERANGE, "b = %u is out of range [1, 40]", b);
  *samples = 3 * (p + 1) * ((size_t)1 << b);
  return SPX_OK;
}
