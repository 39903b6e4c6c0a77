/* journal.c: the append-only cell journal of a result file (journal.h). */
#define _GNU_SOURCE /* F_OFD_SETLK */

#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct spx_journal {
  int fd;
  char *path;
  uint64_t end; /* end of the last good record */
};

static const char magic[8] = {'S', 'P', 'X', 'J', 'R', 'N', 'L', '1'};
enum { HEAD = 16, TAIL = 8 };

char *spx_journal_path(const char *output) {
  size_t len = strlen(output);
  char *p = malloc(len + sizeof ".journal");
  if (p) {
    memcpy(p, output, len);
    memcpy(p + len, ".journal", sizeof ".journal");
  }
  return p;
}

/* ---- bytes ---------------------------------------------------------------------------------- */

static void put_u32(unsigned char *p, uint32_t v) {
  for (int k = 0; k < 4; k++) p[k] = (unsigned char)(v >> (8 * k));
}
static void put_u64(unsigned char *p, uint64_t v) {
  for (int k = 0; k < 8; k++) p[k] = (unsigned char)(v >> (8 * k));
}
static uint32_t get_u32(const unsigned char *p) {
  uint32_t v = 0;
  for (int k = 3; k >= 0; k--) v = (v << 8) | p[k];
  return v;
}
static uint64_t get_u64(const unsigned char *p) {
  uint64_t v = 0;
  for (int k = 7; k >= 0; k--) v = (v << 8) | p[k];
  return v;
}

static uint64_t fnv1a(uint64_t h, const unsigned char *p, size_t len) {
  for (size_t k = 0; k < len; k++) {
    h ^= p[k];
    h *= 1099511628211ull;
  }
  return h;
}
static const uint64_t fnv_basis = 14695981039346656037ull;

/* Write all of buf at off; 0, or an errno. */
static int pwrite_all(int fd, const unsigned char *buf, size_t len, uint64_t off) {
  while (len > 0) {
    ssize_t w = pwrite(fd, buf, len, (off_t)off);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return errno;
    if (w == 0) return EIO;
    buf += w;
    len -= (size_t)w;
    off += (uint64_t)w;
  }
  return 0;
}

/* Read exactly len bytes at off: 1, 0 at the end of the file, -1 (errno) on an error. */
static int pread_all(int fd, unsigned char *buf, size_t len, uint64_t off) {
  while (len > 0) {
    ssize_t r = pread(fd, buf, len, (off_t)off);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) return 0;
    buf += r;
    len -= (size_t)r;
    off += (uint64_t)r;
  }
  return 1;
}

static int lock_fd(int fd, const char *path, spx_error *err) {
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
  if (fcntl(fd, F_OFD_SETLK, &fl) == 0) return SPX_OK;
  if (errno == EAGAIN || errno == EACCES)
    return spx_error_set(err, SPX_EIO, "%s: the journal is locked by another process (another "
                         "spex-bench run writing its result file?); wait for it to end", path);
  return SPX_OK; /* no OFD locks here */
}

static spx_journal *alloc_journal(int fd, const char *path, spx_error *err) {
  spx_journal *j = calloc(1, sizeof *j);
  char *p = strdup(path);
  if (j == NULL || p == NULL) {
    free(j);
    free(p);
    close(fd);
    spx_error_set(err, SPX_ENOMEM, "out of memory");
    return NULL;
  }
  j->fd = fd;
  j->path = p;
  return j;
}

/* ---- create / append ------------------------------------------------------------------------ */

int spx_journal_append(spx_journal *j, int type, const void *payload, size_t len, int *sys_errno,
                       spx_error *err) {
  if (sys_errno) *sys_errno = 0;
  size_t total = HEAD + len + TAIL;
  unsigned char *buf = malloc(total);
  if (buf == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory for a journal record");
  put_u32(buf, (uint32_t)type);
  put_u32(buf + 4, 0);
  put_u64(buf + 8, len);
  if (len) memcpy(buf + HEAD, payload, len);
  put_u64(buf + HEAD + len, fnv1a(fnv_basis, buf, HEAD + len));
  int e = pwrite_all(j->fd, buf, total, j->end);
  if (e == 0 && fdatasync(j->fd) != 0) e = errno;
  free(buf);
  if (e) {
    /* best effort: the torn record would be dropped by its checksum anyway */
    if (ftruncate(j->fd, (off_t)j->end) != 0) {
    }
    if (sys_errno) *sys_errno = e;
    return spx_error_set(err, SPX_EIO, "%s: cannot write the journal: %s", j->path, strerror(e));
  }
  j->end += total;
  return SPX_OK;
}

int spx_journal_create(const char *path, const char *config, int complete, spx_journal **out,
                       spx_error *err) {
  *out = NULL;
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0)
    return spx_error_set(err, SPX_EIO, "%s: cannot create the journal: %s", path,
                         strerror(errno));
  int rc = lock_fd(fd, path, err);
  if (rc) {
    close(fd);
    return rc;
  }
  spx_journal *j = alloc_journal(fd, path, err);
  if (j == NULL) return SPX_ENOMEM;
  size_t clen = strlen(config);
  unsigned char *p = malloc(4 + clen);
  int e = 0;
  if (p == NULL) {
    rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  } else if (ftruncate(fd, 0) != 0 || (e = pwrite_all(fd, (const unsigned char *)magic, 8, 0))) {
    rc = spx_error_set(err, SPX_EIO, "%s: cannot write the journal: %s", path,
                       strerror(e ? e : errno));
  } else {
    j->end = 8;
    put_u32(p, complete ? 1u : 0u);
    memcpy(p + 4, config, clen);
    rc = spx_journal_append(j, SPX_JOURNAL_CONFIG, p, 4 + clen, NULL, err);
  }
  free(p);
  if (rc) {
    unlink(path);
    spx_journal_close(&j, 0);
    return rc;
  }
  *out = j;
  return SPX_OK;
}

/* ---- open ----------------------------------------------------------------------------------- */

/* Read the record at *at: 1 (payload in *buf, malloc'd), 0 at a clean end, -1 torn/garbage,
 * -2 read error. */
static int read_record(int fd, uint64_t size, uint64_t *at, int *type, unsigned char **buf,
                       size_t *len) {
  *buf = NULL;
  if (*at == size) return 0;
  unsigned char head[HEAD];
  if (size - *at < HEAD + TAIL) return -1;
  int r = pread_all(fd, head, HEAD, *at);
  if (r < 0) return -2;
  if (r == 0) return -1;
  uint64_t n = get_u64(head + 8);
  if (n > size - *at - HEAD - TAIL || get_u32(head + 4) != 0) return -1;
  unsigned char *p = malloc((size_t)n + TAIL + 1);
  if (p == NULL) return -2;
  r = pread_all(fd, p, (size_t)n + TAIL, *at + HEAD);
  if (r <= 0) {
    free(p);
    return r < 0 ? -2 : -1;
  }
  uint64_t sum = fnv1a(fnv1a(fnv_basis, head, HEAD), p, (size_t)n);
  if (sum != get_u64(p + n)) {
    free(p);
    return -1;
  }
  p[n] = '\0';
  *type = (int)get_u32(head);
  *buf = p;
  *len = (size_t)n;
  *at += HEAD + n + TAIL;
  return 1;
}

int spx_journal_open(const char *path, const char *config, spx_journal_fn fn, void *ctx,
                     spx_journal **out, spx_journal_info *info, spx_error *err) {
  if (out) *out = NULL;
  memset(info, 0, sizeof *info);
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return spx_error_set(err, SPX_EIO, "%s: cannot open the journal: %s", path, strerror(errno));
  int rc = lock_fd(fd, path, err);
  struct stat st;
  if (rc == SPX_OK && fstat(fd, &st) != 0)
    rc = spx_error_set(err, SPX_EIO, "%s: cannot read the journal: %s", path, strerror(errno));
  if (rc) {
    close(fd);
    return rc;
  }
  uint64_t size = (uint64_t)st.st_size, at = 8;
  unsigned char head[8];
  int type = 0;
  unsigned char *p = NULL;
  size_t len = 0;
  if (size < 8 || pread_all(fd, head, 8, 0) != 1 || memcmp(head, magic, 8) != 0 ||
      read_record(fd, size, &at, &type, &p, &len) != 1 || type != SPX_JOURNAL_CONFIG || len < 4) {
    free(p);
    close(fd);
    return spx_error_set(err, SPX_EINVAL, "%s: not a spex-bench journal (or its header is "
                         "damaged)", path);
  }
  info->complete = get_u32(p) == 1;
  info->same_config = strcmp((const char *)p + 4, config) == 0;
  free(p);
  if (!info->same_config) {
    close(fd);
    return spx_error_set(err, SPX_EINVAL, "%s: the journal was written for another "
                         "configuration", path);
  }
  for (;;) {
    uint64_t start = at;
    int r = read_record(fd, size, &at, &type, &p, &len);
    if (r == -2) {
      rc = spx_error_set(err, SPX_EIO, "%s: cannot read the journal: %s", path,
                         strerror(errno ? errno : EIO));
      break;
    }
    if (r <= 0) {
      info->dropped = size - start;
      at = start;
      break;
    }
    if (type == SPX_JOURNAL_COMPLETE) info->complete = 1;
    else info->records++;
    if (fn && type != SPX_JOURNAL_COMPLETE) rc = fn(ctx, type, p, len, err);
    free(p);
    if (rc) break;
  }
  if (rc || out == NULL) {
    close(fd);
    return rc;
  }
  if (info->dropped && ftruncate(fd, (off_t)at) != 0) {
    int e = errno;
    close(fd);
    return spx_error_set(err, SPX_EIO, "%s: cannot cut off the journal's torn last record: %s",
                         path, strerror(e));
  }
  spx_journal *j = alloc_journal(fd, path, err);
  if (j == NULL) return SPX_ENOMEM;
  j->end = at;
  *out = j;
  return SPX_OK;
}

/* ---- name, close ------------------------------------------------------------------------------ */

int spx_journal_rename(spx_journal *j, const char *path, spx_error *err) {
  char *p = strdup(path);
  if (p == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory");
  if (rename(j->path, path) != 0) {
    int e = errno;
    free(p);
    return spx_error_set(err, SPX_EIO, "%s: cannot rename the journal %s to it: %s", path,
                         j->path, strerror(e));
  }
  free(j->path);
  j->path = p;
  return SPX_OK;
}

const char *spx_journal_name(const spx_journal *j) { return j->path; }

void spx_journal_close(spx_journal **j, int remove) {
  if (j == NULL || *j == NULL) return;
  if (remove) unlink((*j)->path);
  close((*j)->fd);
  free((*j)->path);
  free(*j);
  *j = NULL;
}
