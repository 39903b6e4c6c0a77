/* jobs.c: running a batch of method jobs on this rank, and the byte writer/reader used to
 * build their inputs (jobs.h). */
#include "jobs.h"

#include <stdlib.h>
#include <string.h>

int spx_jobs_run_share(const spx_jobs_type *type, const void *input, size_t len, size_t njobs,
                       size_t first, size_t stride, size_t result_size, void *out,
                       void (*poll)(void *), void *poll_ctx, spx_error *err) {
  if (first >= njobs) return SPX_OK;
  void *ctx = NULL;
  int rc = type->open(input, len, &ctx, err);
  if (rc) return rc;
  unsigned char *o = out;
  for (size_t j = first; j < njobs && rc == SPX_OK; j += stride) {
    if (poll) poll(poll_ctx);
    rc = type->run(ctx, j, o, result_size, err);
    o += result_size;
  }
  type->close(ctx);
  if (rc) spx_error_prefix(err, "%s job", type->name);
  return rc;
}

int spx_jobs_run(const spx_jobs_runner *runner, const spx_jobs_type *type, const void *input,
                 size_t len, size_t njobs, size_t result_size, void *results, spx_error *err) {
  if (njobs == 0) return SPX_OK;
  if (runner) return runner->run(runner->ctx, type, input, len, njobs, result_size, results, err);
  return spx_jobs_run_share(type, input, len, njobs, 0, 1, result_size, results, NULL, NULL,
                            err);
}

void spx_bytes_put(spx_bytes *b, const void *p, size_t len) {
  if (b->failed || len == 0) return;
  if (b->len + len > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + len) cap *= 2;
    unsigned char *d = realloc(b->data, cap);
    if (d == NULL) {
      b->failed = 1;
      return;
    }
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, p, len);
  b->len += len;
}

void spx_bytes_free(spx_bytes *b) {
  free(b->data);
  memset(b, 0, sizeof *b);
}

const void *spx_bytes_get(spx_bytes_reader *r, void *p, size_t len) {
  if (r->failed || len > r->len - r->at) {
    r->failed = 1;
    if (p && len) memset(p, 0, len);
    return p ? p : NULL;
  }
  const void *src = r->data + r->at;
  r->at += len;
  if (p == NULL) return src;
  if (len) memcpy(p, src, len);
  return p;
}
