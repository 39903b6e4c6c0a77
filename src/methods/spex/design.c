/* design.c: SPEX query design: budget -> (b, t), the random n x b subsampling matrices of
 * the groups, the BCH-coded delay rows, and the masks (M_c l + D[r]) mod 2, generated one
 * design row at a time by XOR of precomputed column words. */
#include <stdlib.h>
#include <string.h>

#include "../../core/mask.h"
#include "spex_internal.h"

size_t spx_spex_queries(unsigned groups, uint32_t p, unsigned b) {
  return (size_t)groups * ((size_t)p + 1) << b;
}

/* Largest b (capped) with groups (p+1) 2^b <= budget, or -1 if even b = 0 does not fit. */
static int largest_b(size_t budget, unsigned groups, uint32_t p) {
  int b = -1;
  while (b < SPX_SPEX_BMAX && spx_spex_queries(groups, p, (unsigned)(b + 1)) <= budget) b++;
  return b;
}

int spx_spex_budget(size_t n, size_t budget, unsigned groups, unsigned *t, unsigned *b,
                    spx_error *err) {
  unsigned m;
  uint32_t nc, kc;
  int rc = spx_bch_params(n, *t, &m, &nc, &kc, err);
  if (rc) return rc;
  int bb = largest_b(budget, groups, nc - kc);
  unsigned tt = *t;
  if (bb <= 2) {
    while (tt > 2) { /* shapiq: lower t until b > 2 */
      tt--;
      rc = spx_bch_params(n, tt, &m, &nc, &kc, err);
      if (rc) return rc;
      bb = largest_b(budget, groups, nc - kc);
      if (bb > 2) break;
    }
    if (bb <= 2) {
      uint32_t p = nc - kc;
      return spx_error_set(err, SPX_ENOTAPPLICABLE,
                           "budget %zu too small: with t = %u SPEX needs at least %zu queries "
                           "(%u groups x %u delays x 2^3 bins)",
                           budget, tt, spx_spex_queries(groups, p, 3), groups, p + 1);
    }
  }
  *t = tt;
  *b = (unsigned)bb;
  return SPX_OK;
}

spx_spex_design *spx_spex_design_create(size_t n, unsigned t, unsigned b, unsigned groups,
                                        gsl_rng *rng, spx_error *err) {
  if (b < 1 || b > SPX_SPEX_BMAX || groups < 1 || groups > SPX_SPEX_CMAX) {
    spx_error_set(err, SPX_ERANGE, "SPEX design: b = %u (1..%d) or groups = %u (1..%d) out of range",
                  b, SPX_SPEX_BMAX, groups, SPX_SPEX_CMAX);
    return NULL;
  }
  spx_spex_design *d = calloc(1, sizeof *d);
  if (d == NULL) {
    spx_error_set(err, SPX_ENOMEM, "out of memory for the SPEX design");
    return NULL;
  }
  d->n = n;
  d->words = spx_mask_words(n);
  d->b = b;
  d->groups = groups;
  d->code = spx_bch_create(n, t, err);
  if (d->code == NULL) {
    spx_spex_design_destroy(&d);
    return NULL;
  }
  d->p = d->code->p;
  size_t W = d->words;
  d->hash = malloc((size_t)groups * n * sizeof *d->hash);
  d->cols = calloc((size_t)groups * b * W, sizeof *d->cols);
  d->delays = calloc(((size_t)d->p + 1) * W, sizeof *d->delays);
  if (d->hash == NULL || d->cols == NULL || d->delays == NULL) {
    spx_spex_design_destroy(&d);
    spx_error_set(err, SPX_ENOMEM, "out of memory for the SPEX design (n = %zu, b = %u)", n, b);
    return NULL;
  }
  for (unsigned c = 0; c < groups; c++) {
    uint32_t *h = d->hash + (size_t)c * n;
    uint64_t *cols = d->cols + (size_t)c * b * W;
    for (size_t i = 0; i < n; i++) {
      uint32_t row = (uint32_t)gsl_rng_uniform_int(rng, 1ul << b);
      h[i] = row;
      for (unsigned hh = 0; hh < b; hh++)
        if ((row >> hh) & 1u) spx_mask_set(cols + (size_t)hh * W, i);
    }
  }
  for (uint32_t r = 1; r <= d->p; r++) {
    uint64_t *row = d->delays + (size_t)r * W;
    for (size_t i = 0; i < n; i++)
      if (spx_parity_bit(&d->code->col[i], r - 1)) spx_mask_set(row, i);
  }
  return d;
}

void spx_spex_design_destroy(spx_spex_design **d) {
  if (d == NULL || *d == NULL) return;
  spx_bch_destroy(&(*d)->code);
  free((*d)->hash);
  free((*d)->cols);
  free((*d)->delays);
  free(*d);
  *d = NULL;
}

static void xor_row(uint64_t *restrict dst, const uint64_t *restrict src,
                    const uint64_t *restrict col, size_t W) {
  for (size_t w = 0; w < W; w++) dst[w] = src[w] ^ col[w];
}

void spx_spex_design_masks(const spx_spex_design *d, size_t q, uint64_t *out) {
  size_t W = d->words, P1 = (size_t)d->p + 1;
  unsigned c = (unsigned)(q / P1);
  size_t r = q % P1;
  const uint64_t *cols = d->cols + (size_t)c * d->b * W;
  memcpy(out, d->delays + r * W, W * sizeof *out);
  size_t count = (size_t)1 << d->b;
  /* Natural order (sequential writes are faster than Gray-code order at large n): z differs
   * from z & (z-1), built earlier, in bit ctz(z), so add that column. */
  for (size_t z = 1; z < count; z++)
    xor_row(out + z * W, out + (z & (z - 1)) * W, cols + (size_t)__builtin_ctzll(z) * W, W);
}
