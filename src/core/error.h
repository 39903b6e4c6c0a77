/* error.h: status codes and the error record every fallible spex-bench call fills in.
 *
 * Functions return an int status (SPX_OK = 0) and, on failure, write a readable message
 * into a caller-owned spx_error (which may be NULL when the caller does not care). */
#ifndef SPX_ERROR_H
#define SPX_ERROR_H

#include <stddef.h>

enum {
  SPX_OK = 0,
  SPX_EINVAL = 1,       /* bad argument or option value */
  SPX_ENOMEM = 2,       /* allocation failed */
  SPX_EIO = 3,          /* file or pipe I/O failed */
  SPX_ERANGE = 4,       /* value out of the supported range */
  SPX_EORACLE = 5,      /* the oracle failed to answer */
  SPX_ETIMEOUT = 6,     /* an external process did not answer in time */
  SPX_ENOTAPPLICABLE = 7, /* the method cannot run in this setting */
  SPX_EINTERNAL = 8     /* a broken invariant (a bug) */
};

#define SPX_ERRMSG_LEN 1024

typedef struct spx_error {
  int code;
  char msg[SPX_ERRMSG_LEN];
} spx_error;

/* Record code and a printf-style message in err (if not NULL); returns code. */
int spx_error_set(spx_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Prefix the message already in err with a printf-style context ("while ...: "). */
int spx_error_prefix(spx_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

void spx_error_clear(spx_error *err);

/* Short name of a status code, e.g. "invalid argument". */
const char *spx_strerror(int code);

/* Fail with SPX_ENOMEM when p is NULL. */
#define SPX_CHECK_ALLOC(p, err)                                                            \
  do {                                                                                     \
    if ((p) == NULL)                                                                       \
      return spx_error_set((err), SPX_ENOMEM, "out of memory at %s:%d", __FILE__, __LINE__); \
  } while (0)

#endif
