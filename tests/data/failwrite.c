/* failwrite.c: LD_PRELOAD shim for tests/integration/results_safety.sh: after
 * SPX_FAIL_WRITE_AFTER successful writes to a file whose name ends in SPX_FAIL_WRITE_NAME,
 * every further write to it fails with EIO (an I/O error after the space was reserved), or
 * with the errno SPX_FAIL_WRITE_ERRNO names (28: ENOSPC, a full disk). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static long done;

static int target(int fd) {
  const char *name = getenv("SPX_FAIL_WRITE_NAME");
  if (name == NULL || fd < 0) return 0;
  char link[64], path[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n <= 0) return 0;
  path[n] = '\0';
  size_t a = strlen(path), b = strlen(name);
  return a >= b && strcmp(path + a - b, name) == 0;
}

static int fail_now(int fd) {
  if (!target(fd)) return 0;
  const char *after = getenv("SPX_FAIL_WRITE_AFTER");
  if (done++ < (after ? atol(after) : 0)) return 0;
  const char *e = getenv("SPX_FAIL_WRITE_ERRNO"); /* default EIO; 28 is ENOSPC */
  errno = e ? atoi(e) : EIO;
  return 1;
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off) {
  static ssize_t (*real)(int, const void *, size_t, off_t);
  if (!real) real = (ssize_t (*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
  if (fail_now(fd)) return -1;
  return real(fd, buf, len, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t len, off_t off) {
  static ssize_t (*real)(int, const void *, size_t, off_t);
  if (!real) real = (ssize_t (*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite64");
  if (fail_now(fd)) return -1;
  return real(fd, buf, len, off);
}

ssize_t write(int fd, const void *buf, size_t len) {
  static ssize_t (*real)(int, const void *, size_t);
  if (!real) real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
  if (fail_now(fd)) return -1;
  return real(fd, buf, len);
}

__attribute__((destructor)) static void report(void) {
  if (getenv("SPX_FAIL_WRITE_REPORT")) fprintf(stderr, "failwrite: %ld writes to the file\n", done);
}
