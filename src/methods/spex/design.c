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
  /* Column words and delay rows are assembled 64 features at a time (one word of every row
   * in registers / L1), so the cost is O(n (b + p/2)) bit operations, not O(n p) tests. */
  for (unsigned c = 0; c < groups; c++) {
    uint32_t *h = d->hash + (size_t)c * n;
    uint64_t *cols = d->cols + (size_t)c * b * W;
    for (size_t i = 0; i < n; i++) h[i] = (uint32_t)gsl_rng_uniform_int(rng, 1ul << b);
    for (size_t w = 0; w < W; w++) {
      uint64_t acc[SPX_SPEX_BMAX] = {0};
      for (size_t i = 64 * w; i < n && i < 64 * w + 64; i++)
        for (uint32_t row = h[i]; row; row &= row - 1)
          acc[__builtin_ctz(row)] |= (uint64_t)1 << (i & 63);
      for (unsigned hh = 0; hh < b; hh++) cols[(size_t)hh * W + w] = acc[hh];
    }
  }
  for (size_t w = 0; w < W; w++) {
    uint64_t acc[SPX_BCH_PMAX] = {0};
    for (size_t i = 64 * w; i < n && i < 64 * w + 64; i++) {
      const spx_parity *col = &d->code->col[i];
      for (int q = 0; q < SPX_BCH_PWORDS; q++)
        for (uint64_t x = col->w[q]; x; x &= x - 1)
          acc[64 * q + __builtin_ctzll(x)] |= (uint64_t)1 << (i & 63);
    }
    for (uint32_t r = 1; r <= d->p; r++) d->delays[(size_t)r * W + w] = acc[r - 1];
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

static void xor_row(uint64_t *dst, const uint64_t *src, const uint64_t *restrict col,
                    size_t W) {
  for (size_t w = 0; w < W; w++) dst[w] = src[w] ^ col[w];
}

void spx_spex_design_masks(const spx_spex_design *d, size_t q, uint64_t *out) {
  spx_spex_design_masks_range(d, q, 0, (size_t)1 << d->b, out);
}

void spx_spex_design_masks_range(const spx_spex_design *d, size_t q, size_t z0, size_t count,
                                 uint64_t *out) {
  size_t W = d->words, P1 = (size_t)d->p + 1;
  unsigned c = (unsigned)(q / P1);
  size_t r = q % P1;
  const uint64_t *cols = d->cols + (size_t)c * d->b * W;
  /* the first mask from scratch: the delay row plus the columns of the bits of z0 */
  memcpy(out, d->delays + r * W, W * sizeof *out);
  for (size_t bits = z0; bits; bits &= bits - 1)
    xor_row(out, out, cols + (size_t)__builtin_ctzll(bits) * W, W);
  /* Natural order (sequential writes are faster than Gray-code order at large n): z differs
   * from z & (z-1), built earlier, in bit ctz(z), so add that column. z0 is a multiple of the
   * power of two count, so z & (z-1) stays in [z0, z). */
  for (size_t y = 1; y < count; y++)
    xor_row(out + y * W, out + (y & (y - 1)) * W, cols + (size_t)__builtin_ctzll(y) * W, W);
}
