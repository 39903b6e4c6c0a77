/* mask.h: bit-packed masks and mask sets (DESIGN §2).
 *
 * A mask m in {0,1}^n keeps feature i when bit i is 1. It is stored in W = ceil(n/64)
 * uint64_t words, bit i in word i/64 at position i%64; unused high bits of the last word
 * are always zero. A mask set is a row-major array of count masks. */
#ifndef SPX_MASK_H
#define SPX_MASK_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "error.h"

static inline size_t spx_mask_words(size_t n) { return (n + 63) / 64; }

static inline int spx_mask_test(const uint64_t *m, size_t i) {
  return (int)((m[i >> 6] >> (i & 63)) & 1u);
}
static inline void spx_mask_set(uint64_t *m, size_t i) { m[i >> 6] |= (uint64_t)1 << (i & 63); }
static inline void spx_mask_clear(uint64_t *m, size_t i) { m[i >> 6] &= ~((uint64_t)1 << (i & 63)); }
static inline void spx_mask_flip(uint64_t *m, size_t i) { m[i >> 6] ^= (uint64_t)1 << (i & 63); }

/* Number of kept features. */
size_t spx_mask_popcount(const uint64_t *m, size_t words);
/* Parity (0/1) of popcount(a AND b). */
int spx_mask_and_parity(const uint64_t *a, const uint64_t *b, size_t words);
/* Mask with all n bits set / cleared. */
void spx_mask_fill(uint64_t *m, size_t n, int value);
/* Index of the first set bit at or after i, or n if none. Iterate kept features with
 *   for (size_t i = spx_mask_next(m, n, 0); i < n; i = spx_mask_next(m, n, i + 1)) */
size_t spx_mask_next(const uint64_t *m, size_t n, size_t i);
/* Clear the unused high bits of the last word (after writing whole words). */
static inline void spx_mask_trim(uint64_t *m, size_t n) {
  if (n % 64) m[spx_mask_words(n) - 1] &= ((uint64_t)1 << (n % 64)) - 1;
}
/* A uniform random mask over {0,1}^n: one spx_rng_u64 draw per word, low word first, then
 * trimmed (the one definition every sampler and the test masks use, so the same stream gives
 * the same masks everywhere). */
void spx_mask_random(uint64_t *m, size_t n, gsl_rng *rng);
/* Write mask as n characters '0'/'1' plus a terminating NUL into buf (n+1 bytes). */
void spx_mask_to_string(const uint64_t *m, size_t n, char *buf);
/* Parse n characters '0'/'1'; returns SPX_EINVAL on any other character. */
int spx_mask_from_string(uint64_t *m, size_t n, const char *s, spx_error *err);

typedef struct spx_maskset {
  size_t n;        /* features per mask */
  size_t words;    /* words per mask = spx_mask_words(n) */
  size_t count;    /* number of masks */
  size_t capacity; /* rows allocated */
  uint64_t *bits;  /* count x words, row-major */
} spx_maskset;

/* A zeroed set of count masks over n features (count may be 0). NULL when out of memory. */
spx_maskset *spx_maskset_create(size_t n, size_t count);
void spx_maskset_destroy(spx_maskset **set);
/* Change the number of rows (new rows are zero). */
int spx_maskset_resize(spx_maskset *set, size_t count, spx_error *err);
/* Append one mask (words words); grows geometrically. */
int spx_maskset_append(spx_maskset *set, const uint64_t *mask, spx_error *err);

static inline uint64_t *spx_maskset_row(const spx_maskset *set, size_t i) {
  return set->bits + i * set->words;
}
/* Fill every row with spx_mask_random, row 0 first. */
void spx_maskset_fill_random(spx_maskset *set, gsl_rng *rng);

#endif
