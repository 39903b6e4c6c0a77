/* jobs.h: work sharing inside a method. A method that has a batch of independent jobs (the
 * (candidate, fold) trainings of ProxySPEX's search, SPEX's row transforms and bin decodes)
 * describes them as a job type plus one input byte string; a runner executes the batch,
 * either on the calling rank alone or spread over the ranks of its group (src/par: the
 * other ranks find the job type by name, rebuild their context from the same bytes and run
 * their share). Results come back in job order, so the outcome never depends on which rank
 * ran what: every job must be a pure function of (input bytes, job number).
 *
 * Methods never see MPI: they get an spx_jobs_runner (or NULL) through their set_jobs hook
 * (method.h) and call spx_jobs_run. */
#ifndef SPX_JOBS_H
#define SPX_JOBS_H

#include <stddef.h>

#include "error.h"

typedef struct spx_jobs_type {
  const char *name; /* registry key: the methods' registry resolves it (spx_jobs_lookup) */
  /* Build a context from the input bytes (which stay valid until close). */
  int (*open)(const void *input, size_t len, void **ctx, spx_error *err);
  /* Run job j, writing result_size bytes to result. */
  int (*run)(void *ctx, size_t job, void *result, size_t result_size, spx_error *err);
  void (*close)(void *ctx);
} spx_jobs_type;

/* The job type registered under name, or NULL (defined in src/methods/registry.c). */
const spx_jobs_type *spx_jobs_lookup(const char *name);

/* A way to run a batch. run must fill results[j * result_size ...] for every j < njobs, or
 * fail on every rank with one message. */
typedef struct spx_jobs_runner {
  int (*run)(void *ctx, const spx_jobs_type *type, const void *input, size_t len,
             size_t njobs, size_t result_size, void *results, spx_error *err);
  void *ctx;
} spx_jobs_runner;

/* Run the batch with runner, or on this rank alone when runner is NULL. */
int spx_jobs_run(const spx_jobs_runner *runner, const spx_jobs_type *type, const void *input,
                 size_t len, size_t njobs, size_t result_size, void *results, spx_error *err);

/* This rank's share of a batch: jobs first, first + stride, ... (< njobs), result of the
 * k-th of them at out[k * result_size]. poll (may be NULL) runs between jobs. */
int spx_jobs_run_share(const spx_jobs_type *type, const void *input, size_t len, size_t njobs,
                       size_t first, size_t stride, size_t result_size, void *out,
                       void (*poll)(void *), void *poll_ctx, spx_error *err);

/* ---- a small byte writer and reader for job inputs ------------------------------------- */

typedef struct spx_bytes {
  unsigned char *data;
  size_t len, cap;
  int failed; /* an allocation failed: data is incomplete */
} spx_bytes;

void spx_bytes_put(spx_bytes *b, const void *p, size_t len);
void spx_bytes_free(spx_bytes *b);

typedef struct spx_bytes_reader {
  const unsigned char *data;
  size_t len, at;
  int failed; /* a read ran past the end */
} spx_bytes_reader;

/* Copy len bytes to p (zeros after a failure); returns a pointer to them in the input
 * instead when p is NULL (NULL after a failure). */
const void *spx_bytes_get(spx_bytes_reader *r, void *p, size_t len);

#endif
