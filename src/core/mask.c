/* mask.c: bit-packed mask helpers. */
#include "mask.h"
#include "rng.h"

#include <stdlib.h>
#include <string.h>

size_t spx_mask_popcount(const uint64_t *m, size_t words) {
  size_t c = 0;
  for (size_t w = 0; w < words; w++) c += (size_t)__builtin_popcountll(m[w]);
  return c;
}

int spx_mask_and_parity(const uint64_t *a, const uint64_t *b, size_t words) {
  uint64_t x = 0;
  for (size_t w = 0; w < words; w++) x ^= a[w] & b[w];
  return __builtin_parityll(x);
}

void spx_mask_fill(uint64_t *m, size_t n, int value) {
  size_t words = spx_mask_words(n);
  if (!value) {
    memset(m, 0, words * sizeof *m);
    return;
  }
  for (size_t w = 0; w < words; w++) m[w] = ~(uint64_t)0;
  if (n % 64) m[words - 1] = ((uint64_t)1 << (n % 64)) - 1;
}

size_t spx_mask_next(const uint64_t *m, size_t n, size_t i) {
  if (i >= n) return n;
  size_t w = i >> 6;
  uint64_t word = m[w] & (~(uint64_t)0 << (i & 63));
  size_t words = spx_mask_words(n);
  for (;;) {
    if (word) {
      size_t j = (w << 6) + (size_t)__builtin_ctzll(word);
      return j < n ? j : n;
    }
    if (++w >= words) return n;
    word = m[w];
  }
}

void spx_mask_to_string(const uint64_t *m, size_t n, char *buf) {
  for (size_t i = 0; i < n; i++) buf[i] = spx_mask_test(m, i) ? '1' : '0';
  buf[n] = '\0';
}

int spx_mask_from_string(uint64_t *m, size_t n, const char *s, spx_error *err) {
  memset(m, 0, spx_mask_words(n) * sizeof *m);
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '1')
      spx_mask_set(m, i);
    else if (s[i] != '0')
      return spx_error_set(err, SPX_EINVAL, "mask character %zu is '%c', expected '0' or '1'", i,
                           s[i] ? s[i] : '?');
  }
  return SPX_OK;
}

spx_maskset *spx_maskset_create(size_t n, size_t count) {
  spx_maskset *set = calloc(1, sizeof *set);
  if (set == NULL) return NULL;
  set->n = n;
  set->words = spx_mask_words(n);
  set->count = count;
  set->capacity = count;
  if (count > 0 && set->words > 0) {
    set->bits = calloc(count * set->words, sizeof *set->bits);
    if (set->bits == NULL) {
      free(set);
      return NULL;
    }
  }
  return set;
}

void spx_maskset_destroy(spx_maskset **set) {
  if (set == NULL || *set == NULL) return;
  free((*set)->bits);
  free(*set);
  *set = NULL;
}

static int reserve(spx_maskset *set, size_t rows, spx_error *err) {
  if (rows <= set->capacity) return SPX_OK;
  size_t cap = set->capacity ? set->capacity : 16;
  while (cap < rows) cap *= 2;
  uint64_t *bits = realloc(set->bits, cap * (set->words ? set->words : 1) * sizeof *bits);
  SPX_CHECK_ALLOC(bits, err);
  set->bits = bits;
  set->capacity = cap;
  return SPX_OK;
}

int spx_maskset_resize(spx_maskset *set, size_t count, spx_error *err) {
  int rc = reserve(set, count, err);
  if (rc) return rc;
  if (count > set->count)
    memset(set->bits + set->count * set->words, 0,
           (count - set->count) * set->words * sizeof *set->bits);
  set->count = count;
  return SPX_OK;
}

int spx_maskset_append(spx_maskset *set, const uint64_t *mask, spx_error *err) {
  /* mask may be a row of set itself, which reserve() can move. */
  int inside = set->bits && mask >= set->bits && mask < set->bits + set->count * set->words;
  size_t offset = inside ? (size_t)(mask - set->bits) : 0;
  int rc = reserve(set, set->count + 1, err);
  if (rc) return rc;
  if (inside) mask = set->bits + offset;
  memcpy(set->bits + set->count * set->words, mask, set->words * sizeof *mask);
  set->count++;
  return SPX_OK;
}

void spx_mask_random(uint64_t *m, size_t n, gsl_rng *rng) {
  size_t words = spx_mask_words(n);
  for (size_t w = 0; w < words; w++) m[w] = spx_rng_u64(rng);
  spx_mask_trim(m, n);
}

void spx_maskset_fill_random(spx_maskset *set, gsl_rng *rng) {
  for (size_t i = 0; i < set->count; i++) spx_mask_random(spx_maskset_row(set, i), set->n, rng);
}

/* ---- hashing and the mask index ------------------------------------------------------------ */

void spx_mask_hash128(const uint64_t *m, size_t words, uint64_t key0, uint64_t key1,
                      uint64_t out[2]) {
  uint64_t h0 = key0, h1 = key1;
  for (size_t w = 0; w < words; w++) {
    h0 = (h0 ^ m[w]) * 0x9e3779b97f4a7c15ULL;
    h0 ^= h0 >> 32;
    h1 = (h1 + m[w]) * 0xd6e8feb86659fd93ULL;
    h1 ^= h1 >> 29;
  }
  h0 = spx_mix64(h0 ^ (uint64_t)words);
  h1 = spx_mix64(h1 + h0);
  out[0] = h0;
  out[1] = h1;
}

uint64_t spx_mask_hash(const uint64_t *m, size_t words) {
  uint64_t h[2];
  spx_mask_hash128(m, words, 0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL, h);
  return h[1];
}

void spx_mask_index_free(spx_mask_index *ix) {
  free(ix->slot);
  ix->slot = NULL;
  ix->cap = ix->count = 0;
}

size_t spx_mask_index_find(const spx_mask_index *ix, const uint64_t *rows, size_t words,
                           const uint64_t *m) {
  if (ix->cap == 0) return SIZE_MAX;
  size_t i = (size_t)spx_mask_hash(m, words) & (ix->cap - 1);
  while (ix->slot[i]) {
    size_t row = ix->slot[i] - 1;
    if (memcmp(rows + row * words, m, words * sizeof *m) == 0) return row;
    i = (i + 1) & (ix->cap - 1);
  }
  return SIZE_MAX;
}

/* Put row into the first empty slot of its probe sequence (the table has room). */
static void index_put(spx_mask_index *ix, const uint64_t *rows, size_t words, size_t row) {
  size_t i = (size_t)spx_mask_hash(rows + row * words, words) & (ix->cap - 1);
  while (ix->slot[i]) i = (i + 1) & (ix->cap - 1);
  ix->slot[i] = row + 1;
}

int spx_mask_index_add(spx_mask_index *ix, const uint64_t *rows, size_t words, size_t row,
                       spx_error *err) {
  if (2 * (ix->count + 1) > ix->cap) {
    size_t cap = ix->cap ? 2 * ix->cap : 16;
    while (2 * (ix->count + 1) > cap) cap *= 2;
    size_t *slot = calloc(cap, sizeof *slot);
    if (slot == NULL)
      return spx_error_set(err, SPX_ENOMEM, "out of memory indexing %zu masks", ix->count + 1);
    spx_mask_index old = *ix;
    ix->slot = slot;
    ix->cap = cap;
    for (size_t i = 0; i < old.cap; i++)
      if (old.slot[i]) index_put(ix, rows, words, old.slot[i] - 1);
    free(old.slot);
  }
  index_put(ix, rows, words, row);
  ix->count++;
  return SPX_OK;
}
