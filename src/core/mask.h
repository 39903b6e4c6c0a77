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
/* ---- hashing ------------------------------------------------------------------------------
 * The SplitMix64 finaliser: a bijective 64-bit mixer (seed derivation in rng.c, hash tables). */
static inline uint64_t spx_mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
/* A keyed 128-bit hash of a mask's words: two lanes, each step a bijection of its lane for a
 * fixed word (so masks differing in any one word give different lane states), then mixed:
 *   h0 = (h0 ^ w) * 0x9e3779b97f4a7c15, h0 ^= h0 >> 32;  h1 = (h1 + w) * 0xd6e8feb86659fd93,
 *   h1 ^= h1 >> 29;  then h0 = mix64(h0 ^ words), h1 = mix64(h1 + h0).
 * out[0] = h0, out[1] = h1 (the noise of the synthetic and genomics oracles is seeded by it). */
void spx_mask_hash128(const uint64_t *m, size_t words, uint64_t key0, uint64_t key1,
                      uint64_t out[2]);
/* A 64-bit hash of a mask (spx_mask_hash128 under a fixed key), for hash tables. */
uint64_t spx_mask_hash(const uint64_t *m, size_t words);

/* ---- mask index -----------------------------------------------------------------------------
 * Which rows of a row-major mask array (words per row) hold which mask: open addressing with
 * linear probing over spx_mask_hash, a power-of-two table kept at most half full (grown and
 * rehashed from the rows when needed). Rows are named by position; the array may move or grow
 * between calls (only positions are stored). Start from spx_mask_index ix = {0}. */
typedef struct spx_mask_index {
  size_t *slot; /* row + 1; 0 = empty */
  size_t cap;   /* slots (a power of two, or 0) */
  size_t count; /* rows indexed */
} spx_mask_index;
void spx_mask_index_free(spx_mask_index *ix);
/* The indexed row equal to m (the first one indexed), or SIZE_MAX. */
size_t spx_mask_index_find(const spx_mask_index *ix, const uint64_t *rows, size_t words,
                           const uint64_t *m);
/* Index row (its mask is rows + row * words; no indexed row may hold the same mask: ask
 * spx_mask_index_find first), growing the table as needed. */
int spx_mask_index_add(spx_mask_index *ix, const uint64_t *rows, size_t words, size_t row,
                       spx_error *err);

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
