/* h5safe.c: safe creation, checking, space reservation and closing of HDF5 files (h5safe.h). */
#define _GNU_SOURCE /* fallocate, memfd_create, renameat2 */

#include "h5safe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

/* ---- quiet calls that remember why they failed ------------------------------------------- */

static herr_t walk_cb(unsigned n, const H5E_error2_t *e, void *data) {
  (void)n;
  spx_h5_guard *g = data;
  const char *d = e->desc ? e->desc : "";
  if (strstr(d, "unable to lock")) g->locked = 1;
  if (strstr(d, "truncated file")) g->truncated = 1;
  const char *m = strstr(d, "error message = '");
  if (m && g->reason[0] == '\0') {
    m += strlen("error message = '");
    size_t len = strcspn(m, "'");
    if (len >= sizeof g->reason) len = sizeof g->reason - 1;
    memcpy(g->reason, m, len);
    g->reason[len] = '\0';
  }
  return 0;
}

static herr_t auto_cb(hid_t stack, void *data) {
  H5Ewalk2(stack, H5E_WALK_DOWNWARD, walk_cb, data);
  return 0;
}

void spx_h5_guard_begin(spx_h5_guard *g) {
  memset(g, 0, sizeof *g);
  H5Eget_auto2(H5E_DEFAULT, &g->fn, &g->data);
  H5Eset_auto2(H5E_DEFAULT, auto_cb, g);
}

void spx_h5_guard_end(spx_h5_guard *g) { H5Eset_auto2(H5E_DEFAULT, g->fn, g->data); }

/* ---- paths ---------------------------------------------------------------------------------- */

/* The directory part of path ("." when it has none). */
static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  if (slash == NULL) return strdup(".");
  if (slash == path) return strdup("/");
  size_t len = (size_t)(slash - path);
  char *d = malloc(len + 1);
  if (d) {
    memcpy(d, path, len);
    d[len] = '\0';
  }
  return d;
}

/* A message for an errno met creating a file in path's directory. */
static int create_error(const char *path, int e, spx_error *err) {
  char *dir = dir_of(path);
  const char *d = dir ? dir : "its directory";
  int rc;
  switch (e) {
  case ENOENT:
  case ENOTDIR:
    rc = spx_error_set(err, SPX_EIO, "%s: cannot create the result file: the directory %s does "
                       "not exist", path, d);
    break;
  case EROFS:
    rc = spx_error_set(err, SPX_EIO, "%s: cannot create the result file: %s is on a read-only "
                       "file system", path, d);
    break;
  case ENAMETOOLONG:
    rc = spx_error_set(err, SPX_EIO, "%s: cannot create the result file: the path is too long "
                       "(a name may have at most %d bytes, a path %d)", path, NAME_MAX, PATH_MAX - 1);
    break;
  case EACCES:
  case EPERM:
    rc = spx_error_set(err, SPX_EIO, "%s: cannot create the result file: no permission to "
                       "write in %s", path, d);
    break;
  case ENOSPC:
  case EDQUOT:
    rc = spx_error_set(err, SPX_EIO, "%s: cannot create the result file: no space left on the "
                       "device of %s", path, d);
    break;
  default:
    rc = spx_error_set(err, SPX_EIO, "%s: cannot create the result file: %s", path, strerror(e));
  }
  free(dir);
  return rc;
}

/* Length of the last component of path. */
static size_t base_len(const char *path) {
  const char *slash = strrchr(path, '/');
  return strlen(slash ? slash + 1 : path);
}

int spx_h5_create_temp(const char *path, char **tmp_path, hid_t *file, spx_error *err) {
  *tmp_path = NULL;
  *file = -1;
  if (strlen(path) >= PATH_MAX || base_len(path) > NAME_MAX)
    return create_error(path, ENAMETOOLONG, err);
  char *dir = dir_of(path);
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  size_t cap = strlen(path) + 64;
  char *tmp = malloc(cap);
  if (dir == NULL || tmp == NULL) {
    free(dir);
    free(tmp);
    return spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  int fd = -1, e = 0;
  for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned nonce = (unsigned)(ts.tv_nsec ^ (attempt * 7919));
    if (strlen(base) + 40 <= NAME_MAX)
      snprintf(tmp, cap, "%s/.%s.tmp-%ld-%x", dir, base, (long)getpid(), nonce);
    else /* keep the temporary name within NAME_MAX */
      snprintf(tmp, cap, "%s/.spx-tmp-%ld-%x", dir, (long)getpid(), nonce);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    e = errno;
    if (fd < 0 && e != EEXIST) break;
  }
  free(dir);
  if (fd < 0) {
    free(tmp);
    return create_error(path, e, err);
  }
  close(fd);
  spx_h5_guard g;
  spx_h5_guard_begin(&g);
  hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  spx_h5_guard_end(&g);
  if (f < 0) {
    unlink(tmp);
    free(tmp);
    return spx_error_set(err, SPX_EIO, "%s: cannot create the result file: HDF5 failed%s%s",
                         path, g.reason[0] ? ": " : "", g.reason);
  }
  *tmp_path = tmp;
  *file = f;
  return SPX_OK;
}

int spx_h5_publish(const char *tmp_path, const char *path, spx_error *err) {
  int r = renameat2(AT_FDCWD, tmp_path, AT_FDCWD, path, RENAME_NOREPLACE);
  if (r != 0 && (errno == EINVAL || errno == ENOSYS)) { /* no RENAME_NOREPLACE here */
    r = link(tmp_path, path);
    if (r == 0) unlink(tmp_path);
  }
  if (r == 0) return SPX_OK;
  int e = errno;
  unlink(tmp_path);
  if (e == EEXIST)
    return spx_error_set(err, SPX_EIO, "%s: the file appeared while this run was creating it "
                         "(another run with the same output?); nothing was overwritten", path);
  return spx_error_set(err, SPX_EIO, "%s: cannot rename the new result file %s to it: %s", path,
                       tmp_path, strerror(e));
}

/* 1 if another open file description holds an OFD lock on fd's file (spx_h5_lock). */
static int ofd_locked(int fd) {
  struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
  return fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
}

int spx_h5_check_existing(const char *path, int *not_hdf5, spx_error *err) {
  if (not_hdf5) *not_hdf5 = 0;
  struct stat st;
  if (stat(path, &st) != 0)
    return spx_error_set(err, SPX_EIO, "%s: cannot open the result file: %s", path,
                         strerror(errno));
  if (S_ISDIR(st.st_mode))
    return spx_error_set(err, SPX_EINVAL, "%s: is a directory, not a result file", path);
  if (!S_ISREG(st.st_mode))
    return spx_error_set(err, SPX_EINVAL, "%s: is not a regular file (a device, FIFO or "
                         "socket), not a result file", path);
  if (st.st_size == 0)
    return spx_error_set(err, SPX_EINVAL, "%s: the file is empty (left by a run killed while "
                         "creating it?): it holds no results; remove it to start again", path);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return spx_error_set(err, SPX_EIO, "%s: cannot open the result file: %s", path,
                         strerror(errno));
  static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  unsigned char head[8] = {0};
  ssize_t got = pread(fd, head, sizeof head, 0);
  int rc = SPX_OK;
  if (got != (ssize_t)sizeof head || memcmp(head, sig, sizeof sig) != 0) {
    if (not_hdf5) *not_hdf5 = 1;
    rc = spx_error_set(err, SPX_EINVAL, "%s: not a spex-bench result file (not an HDF5 file); "
                       "it was left unchanged", path);
  } else if ((flock(fd, LOCK_EX | LOCK_NB) != 0 && (errno == EWOULDBLOCK || errno == EAGAIN)) ||
           ofd_locked(fd))
    rc = spx_error_set(err, SPX_EIO, "%s: the file is locked by another process (another "
                       "spex-bench run writing it?); wait for it to end", path);
  close(fd); /* drops our test lock */
  return rc;
}

/* ---- our own lock (independent of HDF5's, which HDF5_USE_FILE_LOCKING=FALSE disables) ---- */

int spx_h5_lock(const char *path, int *fd_out, spx_error *err) {
  *fd_out = -1;
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) return SPX_OK; /* reported by whoever opens it */
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
  if (fcntl(fd, F_OFD_SETLK, &fl) != 0) {
    int e = errno;
    close(fd);
    if (e == EAGAIN || e == EACCES)
      return spx_error_set(err, SPX_EIO, "%s: the file is locked by another process (another "
                           "spex-bench run writing it?); wait for it to end", path);
    return SPX_OK; /* no OFD locks here: HDF5's lock only */
  }
  *fd_out = fd;
  return SPX_OK;
}

/* ---- space --------------------------------------------------------------------------------- */

static int vfd_fd(hid_t file) {
  void *h = NULL;
  if (H5Fget_vfd_handle(file, H5P_DEFAULT, &h) < 0 || h == NULL) return -1;
  return *(int *)h;
}

int spx_h5_reserve(hid_t file, uint64_t bytes) {
  int fd = vfd_fd(file);
  haddr_t eoa = 0;
  if (fd < 0 || H5Fget_eoa(file, &eoa) < 0) return 0; /* not a plain file: nothing to do */
  if (fallocate(fd, FALLOC_FL_KEEP_SIZE, (off_t)eoa, (off_t)bytes) == 0) return 0;
  int e = errno;
  if (e == EOPNOTSUPP || e == ENOSYS || e == EINVAL || e == ENODEV) return 0; /* best effort */
  return e;
}

uint64_t spx_h5_free_bytes(const char *path) {
  char *dir = dir_of(path);
  struct statvfs vs;
  uint64_t free_bytes = UINT64_MAX;
  if (dir && statvfs(dir, &vs) == 0) free_bytes = (uint64_t)vs.f_bavail * vs.f_frsize;
  free(dir);
  return free_bytes;
}

/* A copy of the disk file (up to 256 MiB; beyond, zeros) in an anonymous memory file, put in
 * place of the file's descriptor: HDF5 finishes its work (and may still read what it has not
 * cached) without writing to the disk file again. */
void spx_h5_detach(hid_t file) {
  int fd = vfd_fd(file);
  if (fd < 0) return;
  int mem = memfd_create("spx-detached", MFD_CLOEXEC);
  if (mem < 0) mem = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (mem < 0) return;
  struct stat st;
  if (fstat(fd, &st) == 0 && ftruncate(mem, st.st_size) == 0 && st.st_size <= (256 << 20)) {
    char *buf = malloc(1 << 20);
    for (off_t at = 0; buf && at < st.st_size;) {
      ssize_t r = pread(fd, buf, 1 << 20, at);
      if (r <= 0 || pwrite(mem, buf, (size_t)r, at) != r) break;
      at += r;
    }
    free(buf);
  }
  dup2(mem, fd);
  close(mem);
}

int spx_h5_close(hid_t file) {
  if (file < 0) return 0;
  spx_h5_guard g;
  spx_h5_guard_begin(&g);
  int bad = 0;
  if (H5Fflush(file, H5F_SCOPE_LOCAL) < 0) {
    bad = 1;
    spx_h5_detach(file);
  }
  if (H5Fclose(file) < 0) bad = 1;
  spx_h5_guard_end(&g);
  return bad ? -1 : 0;
}

int spx_h5_attr_i64(hid_t loc, const char *name, long long value) {
  if (H5Aexists(loc, name) > 0 && H5Adelete(loc, name) < 0) return -1;
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(loc, name, H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
  int64_t v = value;
  herr_t st = a < 0 ? -1 : H5Awrite(a, H5T_NATIVE_INT64, &v);
  if (a >= 0) H5Aclose(a);
  H5Sclose(sp);
  return st < 0 ? -1 : 0;
}
