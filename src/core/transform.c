/* transform.c: the sparse transform hash map. */
#include "transform.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  size_t offset; /* into the index pool */
  uint32_t degree;
  double value;
} entry;

struct spx_transform {
  uint32_t n;
  spx_basis basis;
  entry *entries;
  size_t count, cap;
  uint32_t *pool;
  size_t pool_len, pool_cap;
  size_t *slots; /* hash table of entry number + 1 (0 = empty) */
  size_t nslots; /* power of two */
};

static uint64_t hash_idx(const uint32_t *idx, uint32_t degree) {
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ degree;
  for (uint32_t i = 0; i < degree; i++) {
    h ^= idx[i];
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 32;
  }
  h ^= h >> 29;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 32;
  return h;
}

spx_transform *spx_transform_create(uint32_t n, spx_basis basis) {
  spx_transform *t = calloc(1, sizeof *t);
  if (t == NULL) return NULL;
  t->n = n;
  t->basis = basis;
  t->nslots = 16;
  t->slots = calloc(t->nslots, sizeof *t->slots);
  if (t->slots == NULL) {
    free(t);
    return NULL;
  }
  return t;
}

void spx_transform_destroy(spx_transform **t) {
  if (t == NULL || *t == NULL) return;
  free((*t)->entries);
  free((*t)->pool);
  free((*t)->slots);
  free(*t);
  *t = NULL;
}

spx_transform *spx_transform_clone(const spx_transform *t) {
  spx_transform *c = spx_transform_create(t->n, t->basis);
  if (c == NULL) return NULL;
  if (spx_transform_merge(c, t, 1.0, NULL) != SPX_OK) spx_transform_destroy(&c);
  return c;
}

uint32_t spx_transform_n(const spx_transform *t) { return t->n; }
spx_basis spx_transform_basis(const spx_transform *t) { return t->basis; }
void spx_transform_set_basis(spx_transform *t, spx_basis basis) { t->basis = basis; }
size_t spx_transform_size(const spx_transform *t) { return t->count; }

uint32_t spx_transform_max_degree(const spx_transform *t) {
  uint32_t d = 0;
  for (size_t i = 0; i < t->count; i++)
    if (t->entries[i].degree > d) d = t->entries[i].degree;
  return d;
}

static int u32cmp(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* Copy idx into buf sorted, checking range and duplicates. */
static int normalise(const spx_transform *t, const uint32_t *idx, uint32_t degree, uint32_t *buf,
                     spx_error *err) {
  if (degree > 0) memcpy(buf, idx, degree * sizeof *buf); /* idx may be NULL for degree 0 */
  int sorted = 1;
  for (uint32_t i = 1; i < degree; i++)
    if (buf[i - 1] >= buf[i]) sorted = 0;
  if (!sorted) qsort(buf, degree, sizeof *buf, u32cmp);
  for (uint32_t i = 0; i < degree; i++) {
    if (buf[i] >= t->n)
      return spx_error_set(err, SPX_ERANGE, "feature index %u out of range (n = %u)", buf[i], t->n);
    if (i > 0 && buf[i] == buf[i - 1])
      return spx_error_set(err, SPX_EINVAL, "feature index %u repeated in an interaction", buf[i]);
  }
  return SPX_OK;
}

static size_t find_slot(const spx_transform *t, const uint32_t *idx, uint32_t degree) {
  size_t mask = t->nslots - 1;
  size_t s = (size_t)hash_idx(idx, degree) & mask;
  for (;;) {
    size_t e = t->slots[s];
    if (e == 0) return s;
    const entry *en = &t->entries[e - 1];
    if (en->degree == degree &&
        (degree == 0 || memcmp(t->pool + en->offset, idx, degree * sizeof *idx) == 0))
      return s;
    s = (s + 1) & mask;
  }
}

static int rehash(spx_transform *t, size_t nslots, spx_error *err) {
  size_t *slots = calloc(nslots, sizeof *slots);
  SPX_CHECK_ALLOC(slots, err);
  free(t->slots);
  t->slots = slots;
  t->nslots = nslots;
  for (size_t i = 0; i < t->count; i++) {
    const entry *en = &t->entries[i];
    size_t s = find_slot(t, t->pool + en->offset, en->degree);
    t->slots[s] = i + 1;
  }
  return SPX_OK;
}

/* Entry number for a sorted interaction, creating it (value 0) if absent. */
static int lookup_or_insert(spx_transform *t, const uint32_t *sorted, uint32_t degree,
                            size_t *out, spx_error *err) {
  size_t s = find_slot(t, sorted, degree);
  if (t->slots[s]) {
    *out = t->slots[s] - 1;
    return SPX_OK;
  }
  if (t->count == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 16;
    entry *e = realloc(t->entries, cap * sizeof *e);
    SPX_CHECK_ALLOC(e, err);
    t->entries = e;
    t->cap = cap;
  }
  if (t->pool_len + degree > t->pool_cap) {
    size_t cap = t->pool_cap ? 2 * t->pool_cap : 64;
    while (cap < t->pool_len + degree) cap *= 2;
    uint32_t *p = realloc(t->pool, cap * sizeof *p);
    SPX_CHECK_ALLOC(p, err);
    t->pool = p;
    t->pool_cap = cap;
  }
  if (degree > 0) /* pool may still be NULL */
    memcpy(t->pool + t->pool_len, sorted, degree * sizeof *sorted);
  t->entries[t->count] = (entry){t->pool_len, degree, 0.0};
  t->pool_len += degree;
  t->slots[s] = ++t->count;
  *out = t->count - 1;
  if (2 * t->count > t->nslots) return rehash(t, 2 * t->nslots, err);
  return SPX_OK;
}

static int update(spx_transform *t, const uint32_t *idx, uint32_t degree, double value, int add,
                  spx_error *err) {
  uint32_t stackbuf[64];
  uint32_t *buf = degree <= 64 ? stackbuf : malloc(degree * sizeof *buf);
  SPX_CHECK_ALLOC(buf, err);
  int rc = normalise(t, idx, degree, buf, err);
  size_t e = 0;
  if (rc == SPX_OK) rc = lookup_or_insert(t, buf, degree, &e, err);
  if (rc == SPX_OK) t->entries[e].value = add ? t->entries[e].value + value : value;
  if (buf != stackbuf) free(buf);
  return rc;
}

int spx_transform_add(spx_transform *t, const uint32_t *idx, uint32_t degree, double value,
                      spx_error *err) {
  return update(t, idx, degree, value, 1, err);
}

int spx_transform_set(spx_transform *t, const uint32_t *idx, uint32_t degree, double value,
                      spx_error *err) {
  return update(t, idx, degree, value, 0, err);
}

double spx_transform_get(const spx_transform *t, const uint32_t *idx, uint32_t degree,
                         int *found) {
  uint32_t stackbuf[64];
  uint32_t *buf = degree <= 64 ? stackbuf : malloc(degree * sizeof *buf);
  double v = 0.0;
  int f = 0;
  if (buf != NULL && normalise(t, idx, degree, buf, NULL) == SPX_OK) {
    size_t s = find_slot(t, buf, degree);
    if (t->slots[s]) {
      f = 1;
      v = t->entries[t->slots[s] - 1].value;
    }
  }
  if (buf != stackbuf) free(buf);
  if (found) *found = f;
  return v;
}

void spx_transform_entry(const spx_transform *t, size_t i, const uint32_t **idx,
                         uint32_t *degree, double *value) {
  const entry *en = &t->entries[i];
  if (idx) *idx = t->pool + en->offset;
  if (degree) *degree = en->degree;
  if (value) *value = en->value;
}

void spx_transform_entry_set(spx_transform *t, size_t i, double value) {
  t->entries[i].value = value;
}

int spx_interaction_cmp(const uint32_t *a, uint32_t da, const uint32_t *b, uint32_t db) {
  if (da != db) return da < db ? -1 : 1;
  for (uint32_t i = 0; i < da; i++)
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

/* qsort has no context argument; sort (key, entry) records instead. */
typedef struct {
  double mag;
  uint32_t degree;
  const uint32_t *idx;
  size_t entry;
} sort_rec;

static int sort_rec_cmp(const void *pa, const void *pb) {
  const sort_rec *a = pa, *b = pb;
  if (a->mag != b->mag) return a->mag > b->mag ? -1 : 1;
  return spx_interaction_cmp(a->idx, a->degree, b->idx, b->degree);
}

int spx_transform_sorted(const spx_transform *t, size_t *order, spx_error *err) {
  if (t->count == 0) return SPX_OK;
  sort_rec *r = malloc(t->count * sizeof *r);
  SPX_CHECK_ALLOC(r, err);
  for (size_t i = 0; i < t->count; i++)
    r[i] = (sort_rec){fabs(t->entries[i].value), t->entries[i].degree,
                      t->pool + t->entries[i].offset, i};
  qsort(r, t->count, sizeof *r, sort_rec_cmp);
  for (size_t i = 0; i < t->count; i++) order[i] = r[i].entry;
  free(r);
  return SPX_OK;
}

int spx_transform_merge(spx_transform *dst, const spx_transform *src, double scale,
                        spx_error *err) {
  if (dst->n != src->n)
    return spx_error_set(err, SPX_EINVAL, "merging transforms of n = %u and n = %u", dst->n,
                         src->n);
  for (size_t i = 0; i < src->count; i++) {
    const entry *en = &src->entries[i];
    size_t e = 0; /* set by lookup_or_insert on success (gcc -O3 cannot see it) */
    int rc = lookup_or_insert(dst, src->pool + en->offset, en->degree, &e, err);
    if (rc) return rc;
    dst->entries[e].value += scale * en->value;
  }
  return SPX_OK;
}

void spx_transform_clear(spx_transform *t) {
  t->count = 0;
  t->pool_len = 0;
  memset(t->slots, 0, t->nslots * sizeof *t->slots);
}

int spx_transform_prune(spx_transform *t, double tol, int keep_empty, spx_error *err) {
  size_t kept = 0, pool = 0;
  for (size_t i = 0; i < t->count; i++) {
    entry en = t->entries[i];
    if (fabs(en.value) <= tol && !(keep_empty && en.degree == 0)) continue;
    if (en.degree > 0) memmove(t->pool + pool, t->pool + en.offset, en.degree * sizeof *t->pool);
    en.offset = pool;
    pool += en.degree;
    t->entries[kept++] = en;
  }
  t->count = kept;
  t->pool_len = pool;
  return rehash(t, t->nslots, err);
}

/* ---- CSR form ------------------------------------------------------------------------------- */

void spx_transform_csr_free(spx_transform_csr *csr) {
  if (csr == NULL) return;
  free(csr->offsets);
  free(csr->indices);
  free(csr->coefficients);
  memset(csr, 0, sizeof *csr);
}

int spx_transform_to_csr(const spx_transform *t, spx_transform_csr *out, spx_error *err) {
  memset(out, 0, sizeof *out);
  size_t nt = t->count;
  size_t *order = malloc((nt ? nt : 1) * sizeof *order);
  out->offsets = malloc((nt + 1) * sizeof *out->offsets);
  out->coefficients = malloc((nt ? nt : 1) * sizeof *out->coefficients);
  out->indices = malloc((t->pool_len ? t->pool_len : 1) * sizeof *out->indices);
  if (order == NULL || out->offsets == NULL || out->coefficients == NULL ||
      out->indices == NULL || spx_transform_sorted(t, order, err) != SPX_OK) {
    free(order);
    spx_transform_csr_free(out);
    return spx_error_set(err, SPX_ENOMEM, "out of memory for a transform of %zu terms", nt);
  }
  out->n = t->n;
  out->basis = t->basis;
  out->nterms = nt;
  uint64_t at = 0;
  out->offsets[0] = 0;
  for (size_t k = 0; k < nt; k++) {
    const entry *e = &t->entries[order[k]];
    if (e->degree) memcpy(out->indices + at, t->pool + e->offset, e->degree * sizeof *out->indices);
    at += e->degree;
    out->offsets[k + 1] = at;
    out->coefficients[k] = e->value;
  }
  free(order);
  return SPX_OK;
}

int spx_transform_from_csr(const spx_transform_csr *csr, spx_transform **out, spx_error *err) {
  *out = NULL;
  if (csr->nterms && (csr->offsets == NULL || csr->coefficients == NULL))
    return spx_error_set(err, SPX_EINVAL, "a transform's CSR arrays are missing");
  if (csr->offsets && csr->offsets[0] != 0)
    return spx_error_set(err, SPX_EINVAL, "a transform's offsets do not start at 0");
  spx_transform *t = spx_transform_create(csr->n, csr->basis);
  SPX_CHECK_ALLOC(t, err);
  int rc = SPX_OK;
  for (size_t k = 0; rc == SPX_OK && k < csr->nterms; k++) {
    uint64_t a = csr->offsets[k], b = csr->offsets[k + 1];
    if (b < a || b - a > csr->n) {
      rc = spx_error_set(err, SPX_EINVAL, "a transform's offsets are not increasing (entry %zu)", k);
      break;
    }
    for (uint64_t j = a; j < b; j++)
      if (csr->indices[j] >= csr->n) {
        rc = spx_error_set(err, SPX_EINVAL, "a transform's index %u is not below n = %u",
                           (unsigned)csr->indices[j], (unsigned)csr->n);
        break;
      }
    if (rc == SPX_OK)
      rc = spx_transform_set(t, csr->indices + a, (uint32_t)(b - a), csr->coefficients[k], err);
  }
  if (rc) {
    spx_transform_destroy(&t);
    return rc;
  }
  *out = t;
  return SPX_OK;
}
