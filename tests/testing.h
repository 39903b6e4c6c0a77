/* testing.h: a tiny check harness in the spirit of GSL's gsl_test.
 *
 * Each check prints a FAIL line (and a PASS line when SPX_TEST_VERBOSE is set); the program
 * ends with spx_test_summary(), which prints "N passed, M failed" and returns the exit status. */
#ifndef SPX_TESTING_H
#define SPX_TESTING_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  long passed, failed;
  int verbose, init;
} spx_test_state;

static spx_test_state *spx_test_st(void) {
  static spx_test_state st;
  if (!st.init) {
    st.init = 1;
    st.verbose = getenv("SPX_TEST_VERBOSE") != NULL;
  }
  return &st;
}

static void spx_test_report(int ok, const char *detail, const char *fmt, va_list ap) {
  spx_test_state *st = spx_test_st();
  if (ok)
    st->passed++;
  else
    st->failed++;
  if (!ok || st->verbose) {
    printf("%s: ", ok ? "PASS" : "FAIL");
    vprintf(fmt, ap);
    if (detail && detail[0]) printf(" [%s]", detail);
    printf("\n");
    fflush(stdout);
  }
}

/* Check a condition. */
static inline int spx_test(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int spx_test(int ok, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  spx_test_report(ok, NULL, fmt, ap);
  va_end(ap);
  return ok;
}

/* |got - want| <= tol * max(1, |want|). */
static inline int spx_test_rel(double got, double want, double tol, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static inline int spx_test_rel(double got, double want, double tol, const char *fmt, ...) {
  double scale = fabs(want) > 1.0 ? fabs(want) : 1.0;
  int ok = isfinite(got) && fabs(got - want) <= tol * scale;
  char detail[160];
  snprintf(detail, sizeof detail, "got %.17g, want %.17g, tol %.3g", got, want, tol);
  va_list ap;
  va_start(ap, fmt);
  spx_test_report(ok, detail, fmt, ap);
  va_end(ap);
  return ok;
}

/* |got - want| <= tol. */
static inline int spx_test_abs(double got, double want, double tol, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static inline int spx_test_abs(double got, double want, double tol, const char *fmt, ...) {
  int ok = isfinite(got) && fabs(got - want) <= tol;
  char detail[160];
  snprintf(detail, sizeof detail, "got %.17g, want %.17g, tol %.3g", got, want, tol);
  va_list ap;
  va_start(ap, fmt);
  spx_test_report(ok, detail, fmt, ap);
  va_end(ap);
  return ok;
}

static inline int spx_test_int(long long got, long long want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline int spx_test_int(long long got, long long want, const char *fmt, ...) {
  char detail[96];
  snprintf(detail, sizeof detail, "got %lld, want %lld", got, want);
  va_list ap;
  va_start(ap, fmt);
  spx_test_report(got == want, detail, fmt, ap);
  va_end(ap);
  return got == want;
}

/* Path of a file under ../shared/data, or NULL (with a SKIP line) when it is absent. */
static inline const char *spx_test_shared(const char *rel, char *buf, size_t len) {
  const char *root = getenv("SPX_SHARED_DATA");
  snprintf(buf, len, "%s/%s", root ? root : "../shared/data", rel);
  FILE *f = fopen(buf, "r");
  if (f == NULL) {
    printf("SKIP: %s not found (tests read ../shared/data; it is absent here)\n", buf);
    return NULL;
  }
  fclose(f);
  return buf;
}

static inline int spx_test_summary(void) {
  spx_test_state *st = spx_test_st();
  printf("%ld passed, %ld failed\n", st->passed, st->failed);
  return st->failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
