/* grid_wire.c: the byte messages of the grid driver (grid_internal.h): a task, the answer of
 * a setup and the answer of a cell (header, transform as CSR arrays, message, pruning block),
 * packed by the groups and read by the coordinator. */
#include "grid_internal.h"

/* A malloc'd copy of the next n bytes (NULL and bad on shortage or out of memory). */
void *grid_rdup(rbuf *b, size_t n) {
  void *q = malloc(n ? n : 1);
  if (q == NULL) {
    b->failed = 1;
    return NULL;
  }
  spx_bytes_get(b, q, n);
  if (b->failed) {
    free(q);
    return NULL;
  }
  return q;
}

/* A malloc'd NUL-terminated copy of the next n bytes. */
char *grid_rstr(rbuf *b, size_t n) {
  char *q = malloc(n + 1);
  if (q == NULL) {
    b->failed = 1;
    return NULL;
  }
  spx_bytes_get(b, q, n);
  q[n] = '\0';
  if (b->failed) {
    free(q);
    return NULL;
  }
  return q;
}

void grid_setup_failure(wbuf *out, size_t instance, const spx_error *e) {
  setup_hdr h = {(int64_t)instance, e->code ? e->code : SPX_EINTERNAL, 0, 0, 0, 0,
                 (int64_t)strlen(e->msg), 0, 0, 0, 0};
  spx_bytes_put(out, &h, sizeof h);
  spx_bytes_put(out, e->msg, strlen(e->msg));
}

void grid_cell_answer(wbuf *out, cell_hdr *h, const char *msg, const spx_transform *t) {
  size_t nterms = 0, nindices = 0;
  size_t *order = NULL;
  if (t) {
    nterms = spx_transform_size(t);
    order = malloc((nterms ? nterms : 1) * sizeof *order);
    if (order == NULL || spx_transform_sorted(t, order, NULL) != SPX_OK) {
      free(order);
      order = NULL;
      t = NULL;
      nterms = 0;
      h->status = SPX_CELL_FAILED;
      msg = "out of memory storing the transform";
    } else {
      for (size_t k = 0; k < nterms; k++) {
        const uint32_t *idx;
        uint32_t d;
        double v;
        spx_transform_entry(t, order[k], &idx, &d, &v);
        nindices += d;
      }
    }
  }
  h->nterms = (int64_t)nterms;
  h->nindices = (int64_t)nindices;
  h->msg_len = msg ? (int64_t)strlen(msg) : 0;
  spx_bytes_put(out, h, sizeof *h);
  if (t) {
    uint64_t off = 0;
    spx_bytes_put(out, &off, sizeof off);
    for (size_t k = 0; k < nterms; k++) {
      const uint32_t *idx;
      uint32_t d;
      double v;
      spx_transform_entry(t, order[k], &idx, &d, &v);
      off += d;
      spx_bytes_put(out, &off, sizeof off);
    }
    for (size_t k = 0; k < nterms; k++) {
      const uint32_t *idx;
      uint32_t d;
      double v;
      spx_transform_entry(t, order[k], &idx, &d, &v);
      spx_bytes_put(out, idx, d * sizeof *idx);
    }
    for (size_t k = 0; k < nterms; k++) {
      const uint32_t *idx;
      uint32_t d;
      double v;
      spx_transform_entry(t, order[k], &idx, &d, &v);
      spx_bytes_put(out, &v, sizeof v);
    }
  }
  if (msg) spx_bytes_put(out, msg, strlen(msg));
  free(order);
}

/* The pruning block of an ok cell's answer: count (F), F accuracies, n ranked components. */
void grid_cell_answer_pruning(wbuf *out, const double *acc, size_t F, const uint32_t *order,
                                size_t n) {
  int64_t count = (int64_t)F;
  spx_bytes_put(out, &count, sizeof count);
  spx_bytes_put(out, acc, F * sizeof *acc);
  spx_bytes_put(out, order, n * sizeof *order);
}

/* The answer when the real one could not be packed or is too large to send: the coordinator
 * must get an answer for every task. */
void grid_answer_fallback(wbuf *out, const task_msg *t) {
  free(out->data);
  memset(out, 0, sizeof *out);
  spx_error big;
  spx_error_set(&big, SPX_ENOMEM, "the answer is too large to send (or out of memory)");
  if (t->kind == TASK_SETUP) {
    grid_setup_failure(out, (size_t)t->instance, &big);
  } else {
    cell_hdr h;
    memset(&h, 0, sizeof h);
    h.method = t->method;
    h.instance = t->instance;
    h.budget = t->budget_index;
    h.repeat = t->repeat;
    h.status = SPX_CELL_FAILED;
    h.r2 = h.time_decode = h.time_oracle = h.peak_rss_mib = NAN;
    h.coef_error = h.precision = h.recall = h.kendall_tau = NAN;
    grid_cell_answer(out, &h, big.msg, NULL);
  }
}
