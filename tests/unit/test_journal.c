/* test_journal.c: the cell journal file (src/io/journal.h): records read back in order with
 * their bytes; a torn last record (cut anywhere inside it) and a flipped byte are dropped by
 * the checksum and cut off before appending; another configuration, a foreign file and a
 * journal held by another open are refused; the complete flag and record. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/journal.h"
#include "testing.h"

typedef struct seen {
  int n;
  int types[16];
  size_t lens[16];
  unsigned char first[16];
} seen;

static int collect(void *ctx, int type, const unsigned char *p, size_t len, spx_error *err) {
  (void)err;
  seen *s = ctx;
  if (s->n < 16) {
    s->types[s->n] = type;
    s->lens[s->n] = len;
    s->first[s->n] = len ? p[0] : 0;
  }
  s->n++;
  return 0;
}

static off_t size_of(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? st.st_size : -1;
}

/* Three records of 10, 0 and 300 bytes (first bytes 1, -, 3). */
static void write_three(const char *path, int complete) {
  spx_journal *j = NULL;
  spx_error e = {0};
  int rc = spx_journal_create(path, "cfg = 1\n", complete, &j, &e);
  spx_test_int(rc, 0, "create [%s]", e.msg);
  unsigned char a[10], c[300];
  memset(a, 1, sizeof a);
  memset(c, 3, sizeof c);
  rc = spx_journal_append(j, SPX_JOURNAL_INSTANCE, a, sizeof a, NULL, &e);
  rc |= spx_journal_append(j, SPX_JOURNAL_CELL, NULL, 0, NULL, &e);
  rc |= spx_journal_append(j, SPX_JOURNAL_CELL, c, sizeof c, NULL, &e);
  spx_test_int(rc, 0, "three appends [%s]", e.msg);
  spx_journal_close(&j, 0);
}

static void test_round_trip(const char *path) {
  write_three(path, 1);
  seen s = {0};
  spx_journal_info info;
  spx_error e = {0};
  int rc = spx_journal_open(path, "cfg = 1\n", collect, &s, NULL, &info, &e);
  spx_test_int(rc, 0, "open [%s]", e.msg);
  spx_test_int(s.n, 3, "three records read");
  spx_test_int((long)info.records, 3, "info.records");
  spx_test_int(info.complete, 1, "complete flag");
  spx_test_int(info.same_config, 1, "same configuration");
  spx_test_int((long)info.dropped, 0, "nothing dropped");
  spx_test_int(s.types[0] == SPX_JOURNAL_INSTANCE && s.types[1] == SPX_JOURNAL_CELL &&
                   s.types[2] == SPX_JOURNAL_CELL, 1, "types in order");
  spx_test_int(s.lens[0] == 10 && s.lens[1] == 0 && s.lens[2] == 300, 1, "lengths");
  spx_test_int(s.first[0] == 1 && s.first[2] == 3, 1, "payload bytes");
  /* another configuration */
  rc = spx_journal_open(path, "cfg = 2\n", NULL, NULL, NULL, &info, &e);
  spx_test_int(rc, SPX_EINVAL, "another configuration refused");
  spx_test(strstr(e.msg, "another configuration") != NULL, "message: %s", e.msg);
  spx_test_int(info.same_config, 0, "same_config 0");
}

/* Cut the file at every length inside the last record: two records remain, the cut part is
 * reported dropped, and opening for appending cuts it off so that a new record follows the
 * second one. */
static void test_torn_tail(const char *path) {
  write_three(path, 1);
  off_t full = size_of(path);
  off_t last = full - (16 + 300 + 8); /* start of the third record */
  int bad = 0;
  for (off_t cut = last + 1; cut < full; cut += 7) {
    write_three(path, 1);
    if (truncate(path, cut) != 0) bad++;
    seen s = {0};
    spx_journal_info info;
    spx_error e = {0};
    int rc = spx_journal_open(path, "cfg = 1\n", collect, &s, NULL, &info, &e);
    if (rc != 0 || s.n != 2 || info.dropped != (uint64_t)(cut - last)) bad++;
  }
  spx_test_int(bad, 0, "a torn last record is dropped at every cut");
  /* open for appending: the torn part is cut off, the new record follows */
  write_three(path, 1);
  if (truncate(path, last + 20) != 0) spx_test(0, "truncate");
  spx_journal *j = NULL;
  spx_journal_info info;
  spx_error e = {0};
  int rc = spx_journal_open(path, "cfg = 1\n", NULL, NULL, &j, &info, &e);
  spx_test_int(rc, 0, "open for appending [%s]", e.msg);
  spx_test_int(size_of(path) == last, 1, "torn tail cut off (size %ld, want %ld)",
               (long)size_of(path), (long)last);
  unsigned char x[5] = {9, 9, 9, 9, 9};
  rc = spx_journal_append(j, SPX_JOURNAL_CELL, x, sizeof x, NULL, &e);
  spx_test_int(rc, 0, "append after the cut");
  spx_journal_close(&j, 0);
  seen s = {0};
  rc = spx_journal_open(path, "cfg = 1\n", collect, &s, NULL, &info, &e);
  spx_test_int(rc == 0 && s.n == 3 && s.lens[2] == 5 && s.first[2] == 9, 1,
               "the new record reads back after the two good ones");
}

/* A flipped byte in the middle record's payload: it and the one after are dropped. */
static void test_flipped_byte(const char *path) {
  write_three(path, 1);
  off_t second = 8 + (16 + 4 + 8 + 8) + (16 + 10 + 8); /* header, config record, record 1 */
  int fd = open(path, O_RDWR);
  unsigned char b = 0;
  /* the first record's last payload byte */
  off_t at = second - 8 - 1;
  if (pread(fd, &b, 1, at) != 1) spx_test(0, "pread");
  b ^= 0x40;
  if (pwrite(fd, &b, 1, at) != 1) spx_test(0, "pwrite");
  close(fd);
  seen s = {0};
  spx_journal_info info;
  spx_error e = {0};
  int rc = spx_journal_open(path, "cfg = 1\n", collect, &s, NULL, &info, &e);
  spx_test_int(rc == 0 && s.n == 0 && info.dropped > 0, 1,
               "a record with a wrong checksum and everything after it dropped (%d read)", s.n);
}

static void test_refusals(const char *path) {
  spx_journal_info info;
  spx_error e = {0};
  FILE *f = fopen(path, "w");
  fputs("not a journal at all\n", f);
  fclose(f);
  int rc = spx_journal_open(path, "cfg = 1\n", NULL, NULL, NULL, &info, &e);
  spx_test_int(rc, SPX_EINVAL, "a foreign file is refused");
  spx_test(strstr(e.msg, "not a spex-bench journal") != NULL, "message: %s", e.msg);
  /* the complete flag comes from the creation or from a COMPLETE record */
  write_three(path, 0);
  rc = spx_journal_open(path, "cfg = 1\n", NULL, NULL, NULL, &info, &e);
  spx_test_int(rc == 0 && info.complete == 0, 1, "made incomplete: not complete");
  spx_journal *j = NULL;
  rc = spx_journal_open(path, "cfg = 1\n", NULL, NULL, &j, &info, &e);
  rc |= spx_journal_append(j, SPX_JOURNAL_COMPLETE, NULL, 0, NULL, &e);
  /* a second open while j holds the journal: refused as locked */
  spx_journal *k = NULL;
  spx_error e2 = {0};
  int rc2 = spx_journal_open(path, "cfg = 1\n", NULL, NULL, &k, &info, &e2);
  spx_test_int(rc2, SPX_EIO, "a journal open elsewhere is refused");
  spx_test(strstr(e2.msg, "locked by another process") != NULL, "message: %s", e2.msg);
  spx_journal_close(&k, 0);
  spx_journal_close(&j, 0);
  rc |= spx_journal_open(path, "cfg = 1\n", NULL, NULL, NULL, &info, &e);
  spx_test_int(rc == 0 && info.complete == 1 && info.records == 3, 1,
               "a COMPLETE record makes it complete (not counted as a record)");
  /* close with remove deletes it */
  rc = spx_journal_open(path, "cfg = 1\n", NULL, NULL, &j, &info, &e);
  spx_journal_close(&j, 1);
  spx_test_int(access(path, F_OK) != 0, 1, "close with remove deletes the journal");
}

int main(void) {
  char dir[] = "/tmp/spx-journal-XXXXXX";
  if (mkdtemp(dir) == NULL) return 1;
  char path[128];
  snprintf(path, sizeof path, "%s/r.h5.journal", dir);
  char *jp = spx_journal_path("out/r.h5");
  spx_test(jp && strcmp(jp, "out/r.h5.journal") == 0, "journal path");
  free(jp);
  test_round_trip(path);
  test_torn_tail(path);
  test_flipped_byte(path);
  test_refusals(path);
  unlink(path);
  rmdir(dir);
  return spx_test_summary();
}
