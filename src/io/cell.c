/* cell.c: the cell record and its codec (cell.h). Wire form of a record: a fixed header of
 * int64/double fields, the message, the CSR transform (when has_transform), the score slots
 * and the transform's arrays (spx_arrays_pack). */
#include "cell.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"

/* ---- arrays ----------------------------------------------------------------------------------- */

size_t spx_array_esize(spx_array_type type) { return type == SPX_ARRAY_U32 ? 4 : 8; }

size_t spx_array_count(const spx_array *a) {
  size_t n = 1;
  for (int k = 0; k < a->rank; k++) n *= (size_t)a->dims[k];
  return n;
}

int spx_array_alloc(spx_array *a, const char *name, const char *units, const char *description,
                    spx_array_type type, int rank, const uint64_t *dims, spx_error *err) {
  memset(a, 0, sizeof *a);
  snprintf(a->name, sizeof a->name, "%s", name);
  a->units = units;
  a->description = description;
  a->type = type;
  a->rank = rank < 0 ? 0 : rank > 3 ? 3 : rank;
  for (int k = 0; k < a->rank; k++) a->dims[k] = dims[k];
  size_t count = spx_array_count(a);
  a->data = calloc(count ? count : 1, spx_array_esize(type));
  if (a->data == NULL)
    return spx_error_set(err, SPX_ENOMEM, "out of memory for %s (%zu values)", name, count);
  return SPX_OK;
}

spx_array *spx_array_list_add(spx_array_list *l, const char *name, const char *units,
                              const char *description, spx_array_type type, int rank,
                              const uint64_t *dims, spx_error *err) {
  if (l->count == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 4;
    spx_array *n = realloc(l->a, cap * sizeof *n);
    if (n == NULL) {
      spx_error_set(err, SPX_ENOMEM, "out of memory");
      return NULL;
    }
    l->a = n;
    l->cap = cap;
  }
  spx_array *a = &l->a[l->count];
  if (spx_array_alloc(a, name, units, description, type, rank, dims, err) != SPX_OK) return NULL;
  l->count++;
  return a;
}

void spx_array_list_free(spx_array_list *l) {
  for (size_t k = 0; k < l->count; k++) free(l->a[k].data);
  free(l->a);
  memset(l, 0, sizeof *l);
}

void spx_arrays_pack(spx_bytes *out, const spx_array_list *l) {
  uint64_t count = l->count;
  spx_bytes_put(out, &count, sizeof count);
  for (size_t k = 0; k < l->count; k++) {
    const spx_array *a = &l->a[k];
    int64_t head[5] = {a->type, a->rank, (int64_t)a->dims[0], (int64_t)a->dims[1],
                       (int64_t)a->dims[2]};
    spx_bytes_put(out, a->name, sizeof a->name);
    spx_bytes_put(out, head, sizeof head);
    spx_bytes_put(out, a->data, spx_array_count(a) * spx_array_esize(a->type));
  }
}

int spx_arrays_unpack(spx_bytes_reader *in, spx_array_list *l, spx_error *err) {
  memset(l, 0, sizeof *l);
  uint64_t count = 0;
  spx_bytes_get(in, &count, sizeof count);
  if (in->failed || count > in->len) return spx_error_set(err, SPX_EINVAL, "malformed arrays");
  for (uint64_t k = 0; k < count; k++) {
    char name[48];
    int64_t head[5];
    spx_bytes_get(in, name, sizeof name);
    spx_bytes_get(in, head, sizeof head);
    name[sizeof name - 1] = '\0';
    if (in->failed || head[0] < 0 || head[0] > SPX_ARRAY_U32 || head[1] < 0 || head[1] > 3)
      return spx_error_set(err, SPX_EINVAL, "malformed arrays");
    uint64_t dims[3] = {(uint64_t)head[2], (uint64_t)head[3], (uint64_t)head[4]};
    uint64_t bytes = spx_array_esize((spx_array_type)head[0]);
    for (int64_t d = 0; d < head[1]; d++) {
      if (dims[d] && bytes > (in->len - in->at) / dims[d])
        return spx_error_set(err, SPX_EINVAL, "malformed arrays");
      bytes *= dims[d];
    }
    if (bytes > in->len - in->at) return spx_error_set(err, SPX_EINVAL, "malformed arrays");
    spx_array *a = spx_array_list_add(l, name, NULL, NULL, (spx_array_type)head[0], (int)head[1],
                                      dims, err);
    if (a == NULL) return SPX_ENOMEM;
    spx_bytes_get(in, a->data, bytes);
  }
  return in->failed ? spx_error_set(err, SPX_EINVAL, "malformed arrays") : SPX_OK;
}

/* ---- the record ------------------------------------------------------------------------------- */

int spx_cell_init(spx_cell_result *c, int64_t method, int64_t instance, int64_t budget_index,
                  int64_t repeat, size_t nscores, spx_error *err) {
  memset(c, 0, sizeof *c);
  c->method = method;
  c->instance = instance;
  c->budget_index = budget_index;
  c->repeat = repeat;
  c->status = SPX_CELL_PENDING;
  c->time_decode = c->time_oracle = c->peak_rss_mib = NAN;
  if (nscores == 0) return SPX_OK;
  c->scores = malloc(nscores * sizeof *c->scores);
  if (c->scores == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory");
  c->nscores = nscores;
  for (size_t k = 0; k < nscores; k++) c->scores[k] = NAN;
  return SPX_OK;
}

void spx_cell_free(spx_cell_result *c) {
  if (c == NULL) return;
  free(c->message);
  free(c->scores);
  spx_transform_csr_free(&c->transform);
  spx_array_list_free(&c->arrays);
  c->message = NULL;
  c->scores = NULL;
  c->nscores = 0;
  c->has_transform = 0;
}

void spx_cell_set_message(spx_cell_result *c, const char *msg) {
  free(c->message);
  c->message = NULL;
  if (msg == NULL) return;
  size_t len = strlen(msg);
  c->message = malloc(len + 1);
  if (c->message) memcpy(c->message, msg, len + 1);
}

int spx_cell_set_transform(spx_cell_result *c, const spx_transform *t, spx_error *err) {
  spx_transform_csr_free(&c->transform);
  c->has_transform = 0;
  int rc = spx_transform_to_csr(t, &c->transform, err);
  if (rc == SPX_OK) c->has_transform = 1;
  return rc;
}

typedef struct {
  int64_t method, instance, budget, repeat, status, has_transform, basis, n, nterms, nindices,
      msg_len, nscores;
  uint64_t queries;
  double time_decode, time_oracle, peak_rss_mib;
} wire_hdr;

void spx_cell_pack(spx_bytes *out, const spx_cell_result *c) {
  const spx_transform_csr *t = &c->transform;
  int has = c->has_transform;
  wire_hdr h = {c->method,
                c->instance,
                c->budget_index,
                c->repeat,
                c->status,
                has,
                has ? t->basis : 0,
                has ? t->n : 0,
                has ? (int64_t)t->nterms : 0,
                has ? (int64_t)t->offsets[t->nterms] : 0,
                c->message ? (int64_t)strlen(c->message) : 0,
                (int64_t)c->nscores,
                c->queries,
                c->time_decode,
                c->time_oracle,
                c->peak_rss_mib};
  spx_bytes_put(out, &h, sizeof h);
  if (c->message) spx_bytes_put(out, c->message, (size_t)h.msg_len);
  if (has) {
    spx_bytes_put(out, t->offsets, (t->nterms + 1) * sizeof *t->offsets);
    spx_bytes_put(out, t->indices, (size_t)h.nindices * sizeof *t->indices);
    spx_bytes_put(out, t->coefficients, t->nterms * sizeof *t->coefficients);
  }
  spx_bytes_put(out, c->scores, c->nscores * sizeof *c->scores);
  spx_arrays_pack(out, &c->arrays);
}

/* A malloc'd copy of the next n elements of size es (NULL on shortage or out of memory). */
static void *take(spx_bytes_reader *in, uint64_t n, size_t es) {
  if (n > (in->len - in->at) / es) {
    in->failed = 1;
    return NULL;
  }
  void *p = malloc(n ? (size_t)n * es : 1);
  if (p == NULL) return NULL;
  spx_bytes_get(in, p, (size_t)n * es);
  return p;
}

int spx_cell_unpack(spx_bytes_reader *in, spx_cell_result *c, spx_error *err) {
  memset(c, 0, sizeof *c);
  wire_hdr h;
  spx_bytes_get(in, &h, sizeof h);
  if (in->failed) { /* no coordinates either */
    c->method = c->instance = c->budget_index = c->repeat = -1;
    return spx_error_set(err, SPX_EINVAL, "malformed cell record");
  }
  if (h.nterms < 0 || h.nindices < 0 || h.msg_len < 0 || h.nscores < 0)
    return spx_error_set(err, SPX_EINVAL, "malformed cell record");
  c->method = h.method;
  c->instance = h.instance;
  c->budget_index = h.budget;
  c->repeat = h.repeat;
  c->status = (int)h.status;
  c->queries = h.queries;
  c->time_decode = h.time_decode;
  c->time_oracle = h.time_oracle;
  c->peak_rss_mib = h.peak_rss_mib;
  int nomem = 0;
  if (h.msg_len) {
    c->message = take(in, (uint64_t)h.msg_len, 1);
    if (c->message) {
      char *m = realloc(c->message, (size_t)h.msg_len + 1);
      if (m) {
        m[h.msg_len] = '\0';
        c->message = m;
      } else {
        free(c->message);
        c->message = NULL;
        nomem = 1;
      }
    } else {
      nomem = !in->failed;
    }
  }
  if (!in->failed && !nomem && h.has_transform) {
    spx_transform_csr *t = &c->transform;
    t->basis = (spx_basis)h.basis;
    t->n = (uint32_t)h.n;
    t->nterms = (size_t)h.nterms;
    t->offsets = take(in, (uint64_t)h.nterms + 1, sizeof *t->offsets);
    t->indices = in->failed ? NULL : take(in, (uint64_t)h.nindices, sizeof *t->indices);
    t->coefficients = in->failed ? NULL : take(in, (uint64_t)h.nterms, sizeof *t->coefficients);
    c->has_transform = 1;
    if (!in->failed && (!t->offsets || !t->indices || !t->coefficients)) nomem = 1;
    if (!in->failed && !nomem &&
        (t->offsets[0] != 0 || t->offsets[t->nterms] != (uint64_t)h.nindices))
      in->failed = 1;
  }
  if (!in->failed && !nomem && h.nscores) {
    c->scores = take(in, (uint64_t)h.nscores, sizeof *c->scores);
    if (c->scores) c->nscores = (size_t)h.nscores;
    else nomem = !in->failed;
  }
  if (in->failed) return spx_error_set(err, SPX_EINVAL, "malformed cell record");
  if (nomem) return spx_error_set(err, SPX_ENOMEM, "out of memory reading a cell record");
  return spx_arrays_unpack(in, &c->arrays, err);
}
