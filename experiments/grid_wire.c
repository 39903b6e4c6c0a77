/* grid_wire.c: the byte messages of the grid driver (grid_internal.h): a task, the answer of
 * a setup (header, labels, test masks and values, the scorers' instance arrays) and the answer
 * of a cell (its record, io/cell.h), packed by the groups and read by the coordinator. */
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
                 (int64_t)strlen(e->msg)};
  spx_bytes_put(out, &h, sizeof h);
  spx_bytes_put(out, e->msg, strlen(e->msg));
}

void grid_setup_answer(wbuf *out, size_t instance, const spx_oracle *o, const spx_maskset *test,
                       const double *values, const spx_array_list *arrays) {
  size_t n = o->n;
  const char *desc = o->explicand ? o->explicand : "";
  size_t labels_len = 0;
  char buf[32];
  for (size_t i = 0; i < n; i++) labels_len += strlen(spx_oracle_label(o, i, buf, sizeof buf)) + 1;
  setup_hdr h = {(int64_t)instance, 0, (int64_t)n, (int64_t)test->count, (int64_t)strlen(desc),
                 (int64_t)labels_len, 0};
  spx_bytes_put(out, &h, sizeof h);
  spx_bytes_put(out, desc, strlen(desc));
  for (size_t i = 0; i < n; i++) {
    const char *l = spx_oracle_label(o, i, buf, sizeof buf);
    spx_bytes_put(out, l, strlen(l) + 1);
  }
  spx_bytes_put(out, test->bits, test->count * test->words * sizeof *test->bits);
  spx_bytes_put(out, values, test->count * sizeof *values);
  spx_arrays_pack(out, arrays);
}

int grid_setup_parts(rbuf *rb, const setup_hdr *h, setup_parts *p) {
  memset(p, 0, sizeof *p);
  size_t n = (size_t)h->n, T = (size_t)h->ntest, W = spx_mask_words(n);
  p->desc = grid_rstr(rb, (size_t)h->desc_len);
  p->labels = grid_rdup(rb, (size_t)h->labels_len);
  p->masks = grid_rdup(rb, T * W * sizeof *p->masks);
  p->values = grid_rdup(rb, T * sizeof *p->values);
  p->label = malloc((n ? n : 1) * sizeof *p->label);
  if (rb->failed || p->label == NULL || p->desc == NULL || p->labels == NULL ||
      p->masks == NULL || p->values == NULL)
    return SPX_EINVAL;
  size_t at = 0;
  for (size_t k = 0; k < n; k++) {
    if (at >= (size_t)h->labels_len) return SPX_EINVAL;
    p->label[k] = p->labels + at;
    at += strnlen(p->labels + at, (size_t)h->labels_len - at) + 1;
  }
  spx_error e = {0};
  return spx_arrays_unpack(rb, &p->arrays, &e);
}

void grid_setup_parts_free(setup_parts *p) {
  free(p->desc);
  free(p->labels);
  free(p->label);
  free(p->masks);
  free(p->values);
  spx_array_list_free(&p->arrays);
  memset(p, 0, sizeof *p);
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
    spx_cell_result rec;
    spx_error e = {0};
    spx_cell_init(&rec, t->method, t->instance, t->budget_index, t->repeat, 0, &e);
    rec.status = SPX_CELL_FAILED;
    spx_cell_set_message(&rec, big.msg);
    spx_cell_pack(out, &rec);
    spx_cell_free(&rec);
  }
}
