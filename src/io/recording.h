/* recording.h: recordings, HDF5 files of oracle answers that can be replayed without the
 * model (DESIGN §5).
 *
 * Two layouts:
 *   query log:  /masks (N x W uint64, bit-packed as in mask.h), /values (N float64);
 *               attribute "count" = rows committed (rows beyond it are ignored, so an append
 *               interrupted half-way is harmless).
 *   full table: /table (2^n float64), value of the mask whose integer reading (bit i =
 *               feature i) is the row; only for n <= 30.
 * Attributes: n, model, explicand; optional dataset /labels (n strings; a dataset, not an
 * attribute, because attributes are limited to 64 KiB). */
#ifndef SPX_RECORDING_H
#define SPX_RECORDING_H

#include <stddef.h>
#include <stdint.h>

#include "core/options.h"
#include "core/error.h"
#include "core/mask.h"

typedef struct spx_recording spx_recording;

/* Open an existing recording (query log or table). writable: allow appends (log only). */
int spx_recording_open(const char *path, int writable, spx_recording **out, spx_error *err);
/* Create a new, empty query log (fails if the file exists unless overwrite). labels may be
 * NULL; model/explicand may be NULL. */
int spx_recording_create(const char *path, size_t n, const char *model, const char *explicand,
                         char *const *labels, int overwrite, spx_recording **out,
                         spx_error *err);
/* Write a full table recording of 2^n values (n <= 30). */
int spx_recording_write_table(const char *path, size_t n, const double *values,
                              const char *model, const char *explicand, char *const *labels,
                              spx_error *err);
void spx_recording_close(spx_recording **r);

size_t spx_recording_n(const spx_recording *r);
/* Rows in a log, or 2^n for a table. */
size_t spx_recording_count(const spx_recording *r);
int spx_recording_is_table(const spx_recording *r);
const char *spx_recording_path(const spx_recording *r);
const char *spx_recording_model(const spx_recording *r);     /* "" if none */
const char *spx_recording_explicand(const spx_recording *r); /* "" if none */
/* Labels (n strings) or NULL; owned by the recording. */
char *const *spx_recording_labels(const spx_recording *r);

/* Value of a mask; *found = 0 when it was never recorded. */
void spx_recording_lookup(const spx_recording *r, const uint64_t *mask, double *value,
                          int *found);
/* Append rows first..first+count-1 of masks with their values, then flush the file. Masks
 * already present are skipped (the first answer is kept). */
int spx_recording_append(spx_recording *r, const spx_maskset *masks, size_t first, size_t count,
                         const double *values, spx_error *err);

/* Model identity (issue #14): the oracle kind and its resolved options, one "key = value"
 * line each, sorted by key, leaving out keys that do not change the answers (timeout, batch,
 * retries, retry_backoff; the recorded oracle's own path and fallback). Returns a malloc'ed
 * string or NULL (out of memory). */
char *spx_recording_identity(const char *kind, const spx_options *opts);
/* Before appending to r (opened writable): a new, empty recording takes identity; one with an
 * identity must have the same (else SPX_EINVAL naming the first differing key and both
 * values); one recorded before identities were stored is refused for appending (it can
 * still be replayed read-only). */
int spx_recording_check_identity(spx_recording *r, const char *identity, spx_error *err);

#endif
