/* error.c: filling and reporting spx_error records. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int spx_error_set(spx_error *err, int code, const char *fmt, ...) {
  if (err != NULL) {
    va_list ap;
    va_start(ap, fmt);
    err->code = code;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
  }
  return code;
}

int spx_error_prefix(spx_error *err, const char *fmt, ...) {
  if (err == NULL) return SPX_OK;
  char head[SPX_ERRMSG_LEN];
  char old[SPX_ERRMSG_LEN];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(head, sizeof head, fmt, ap);
  va_end(ap);
  memcpy(old, err->msg, sizeof old);
  size_t hl = strlen(head);
  if (hl > sizeof err->msg - 3) hl = sizeof err->msg - 3;
  memcpy(err->msg, head, hl);
  memcpy(err->msg + hl, ": ", 2);
  size_t room = sizeof err->msg - hl - 3;
  size_t ol = strnlen(old, room);
  memcpy(err->msg + hl + 2, old, ol);
  err->msg[hl + 2 + ol] = '\0';
  return err->code;
}

void spx_error_clear(spx_error *err) {
  if (err != NULL) {
    err->code = SPX_OK;
    err->msg[0] = '\0';
  }
}

const char *spx_strerror(int code) {
  switch (code) {
  case SPX_OK: return "success";
  case SPX_EINVAL: return "invalid argument";
  case SPX_ENOMEM: return "out of memory";
  case SPX_EIO: return "input/output error";
  case SPX_ERANGE: return "out of range";
  case SPX_EORACLE: return "oracle failure";
  case SPX_ETIMEOUT: return "time-out";
  case SPX_ENOTAPPLICABLE: return "not applicable";
  case SPX_EINTERNAL: return "internal error";
  default: return "unknown error";
  }
}
