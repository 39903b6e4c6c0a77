/* test_jobs.c: the local job runner (core/jobs.h: every job in order, a failing job stops the
 * batch with the type's name in the message, share selection first/stride) and the byte
 * writer/reader used for job inputs (round trip, reads past the end fail and zero-fill). */
#include <stdint.h>
#include <string.h>

#include "core/jobs.h"
#include "testing.h"

typedef struct {
  const int32_t *v;
  size_t count;
} ctx_t;

static int open_fn(const void *input, size_t len, void **ctx, spx_error *err) {
  static const char bad[] = "bad";
  if (len == sizeof bad && memcmp(input, bad, len) == 0)
    return spx_error_set(err, SPX_EINVAL, "cannot open");
  ctx_t *c = malloc(sizeof *c);
  SPX_CHECK_ALLOC(c, err);
  c->v = input;
  c->count = len / sizeof(int32_t);
  *ctx = c;
  return SPX_OK;
}

static int run_fn(void *vctx, size_t job, void *result, size_t size, spx_error *err) {
  ctx_t *c = vctx;
  if (job >= c->count || size != sizeof(int64_t))
    return spx_error_set(err, SPX_EINVAL, "job %zu", job);
  if (c->v[job] < 0) return spx_error_set(err, SPX_ERANGE, "negative value at job %zu", job);
  int64_t r = (int64_t)c->v[job] * 10 + (int64_t)job;
  memcpy(result, &r, sizeof r);
  return SPX_OK;
}

static void close_fn(void *ctx) { free(ctx); }

static const spx_jobs_type type = {"test.times10", open_fn, run_fn, close_fn};

int main(void) {
  int32_t v[6] = {3, 1, 4, 1, 5, 9};
  int64_t res[6] = {0};
  spx_error e = {0};
  spx_test_int(spx_jobs_run(NULL, &type, v, sizeof v, 6, sizeof *res, res, &e), SPX_OK,
               "local batch runs");
  int ok = 1;
  for (size_t j = 0; j < 6; j++) ok &= res[j] == (int64_t)v[j] * 10 + (int64_t)j;
  spx_test(ok, "local results in job order");

  /* share: jobs 1, 4 of 6 with stride 3 */
  int64_t share[2] = {0};
  spx_test_int(spx_jobs_run_share(&type, v, sizeof v, 6, 1, 3, sizeof *share, share, NULL,
                                  NULL, &e),
               SPX_OK, "share runs");
  spx_test(share[0] == 11 && share[1] == 54, "share holds jobs 1 and 4 (%lld %lld)",
           (long long)share[0], (long long)share[1]);
  spx_test_int(spx_jobs_run_share(&type, v, sizeof v, 6, 7, 3, sizeof *share, share, NULL,
                                  NULL, &e),
               SPX_OK, "an empty share is fine");

  v[2] = -4;
  int rc = spx_jobs_run(NULL, &type, v, sizeof v, 6, sizeof *res, res, &e);
  spx_test(rc == SPX_ERANGE && strstr(e.msg, "test.times10 job") && strstr(e.msg, "job 2"),
           "failing job: '%s'", e.msg);
  rc = spx_jobs_run(NULL, &type, "bad", 4, 1, sizeof *res, res, &e);
  spx_test(rc == SPX_EINVAL && strstr(e.msg, "cannot open"), "failing open: '%s'", e.msg);
  spx_test_int(spx_jobs_run(NULL, &type, v, sizeof v, 0, sizeof *res, res, &e), SPX_OK,
               "no jobs: nothing to do");

  /* bytes round trip */
  spx_bytes b = {0};
  double d = 2.5;
  uint64_t u = 123456789012345ULL;
  char text[300];
  for (size_t i = 0; i < sizeof text; i++) text[i] = (char)('a' + i % 26);
  spx_bytes_put(&b, &d, sizeof d);
  spx_bytes_put(&b, text, sizeof text);
  spx_bytes_put(&b, &u, sizeof u);
  spx_test(!b.failed && b.len == sizeof d + sizeof text + sizeof u, "writer length %zu", b.len);
  spx_bytes_reader r = {b.data, b.len, 0, 0};
  double d2;
  uint64_t u2;
  spx_bytes_get(&r, &d2, sizeof d2);
  const char *t2 = spx_bytes_get(&r, NULL, sizeof text);
  spx_bytes_get(&r, &u2, sizeof u2);
  spx_test(!r.failed && r.at == r.len && d2 == d && u2 == u && t2 &&
               memcmp(t2, text, sizeof text) == 0,
           "reader round trip");
  uint64_t past = 7;
  spx_bytes_get(&r, &past, sizeof past);
  spx_test(r.failed && past == 0, "read past the end fails and zero-fills");
  spx_test(spx_bytes_get(&r, NULL, 1) == NULL, "a failed reader returns NULL");
  spx_bytes_free(&b);
  spx_test(b.data == NULL && b.len == 0, "free resets");
  return spx_test_summary();
}
