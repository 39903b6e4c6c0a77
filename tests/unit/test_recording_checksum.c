/* test_recording_checksum.c: recordings carry a Fletcher32 checksum per chunk (issue #14), so
 * random bytes written into a recording's data are an error naming the file, never answers
 * replayed as if recorded. A query log (/masks, /values) and a full table (/table) are written,
 * a few bytes in the middle of a data chunk are overwritten (located with H5Dget_chunk_info),
 * and opening the file must fail with "damaged" and the path. The intact files open. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#include "core/mask.h"
#include "io/recording.h"
#include "testing.h"

/* Overwrite 8 bytes in the middle of chunk 0 of dataset name. Returns 0 on success. */
static int corrupt(const char *path, const char *name) {
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return -1;
  hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  haddr_t addr = HADDR_UNDEF;
  hsize_t size = 0, offset[2] = {0, 0};
  unsigned mask = 0;
  hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
  int ok = sp >= 0 && H5Dget_chunk_info(d, sp, 0, offset, &mask, &addr, &size) >= 0;
  if (sp >= 0) H5Sclose(sp);
  if (d >= 0) H5Dclose(d);
  H5Fclose(f);
  if (!ok || addr == HADDR_UNDEF || size < 32) return -1;
  int fd = open(path, O_WRONLY);
  if (fd < 0) return -1;
  const unsigned char junk[8] = {0x5a, 0xa5, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc};
  ssize_t w = pwrite(fd, junk, sizeof junk, (off_t)(addr + size / 2));
  close(fd);
  return w == (ssize_t)sizeof junk ? 0 : -1;
}

static void expect_damaged(const char *path, const char *what) {
  spx_recording *r = NULL;
  spx_error err = {0};
  H5E_auto2_t fn;
  void *data;
  H5Eget_auto2(H5E_DEFAULT, &fn, &data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* the checksum error stack is expected */
  int rc = spx_recording_open(path, 0, &r, &err);
  H5Eset_auto2(H5E_DEFAULT, fn, data);
  spx_test(rc == SPX_EIO && r == NULL && strstr(err.msg, path) && strstr(err.msg, "damaged") &&
               strstr(err.msg, "checksum"),
           "%s: corrupted bytes are an error naming the file [%s]", what, rc ? err.msg : "opened");
  spx_recording_close(&r);
}

int main(void) {
  char dir[] = "/tmp/spx_rcs_XXXXXX";
  if (!mkdtemp(dir)) return 1;
  char log[96], table[96];
  snprintf(log, sizeof log, "%s/log.h5", dir);
  snprintf(table, sizeof table, "%s/table.h5", dir);

  /* a query log of 3000 masks over n = 20 */
  size_t n = 20, count = 3000;
  spx_maskset *m = spx_maskset_create(n, count);
  double *v = malloc(count * sizeof *v);
  for (size_t i = 0; i < count; i++) {
    spx_maskset_row(m, i)[0] = (uint64_t)i * 2654435761u % (1u << 20);
    v[i] = 0.001 * (double)i;
  }
  spx_recording *r = NULL;
  spx_error err = {0};
  int rc = spx_recording_create(log, n, "test", "explicand 0", NULL, 0, &r, &err);
  if (rc == SPX_OK) rc = spx_recording_append(r, m, 0, count, v, &err);
  spx_recording_close(&r);
  spx_test(rc == SPX_OK, "query log written [%s]", rc ? err.msg : "");
  rc = spx_recording_open(log, 0, &r, &err);
  spx_test(rc == SPX_OK && spx_recording_count(r) > 0, "intact query log opens [%s]",
           rc ? err.msg : "");
  spx_recording_close(&r);
  spx_test(corrupt(log, "values") == 0, "corrupted a chunk of /values");
  expect_damaged(log, "/values");

  rc = spx_recording_create(log, n, "test", "explicand 0", NULL, 1, &r, &err);
  if (rc == SPX_OK) rc = spx_recording_append(r, m, 0, count, v, &err);
  spx_recording_close(&r);
  spx_test(rc == SPX_OK && corrupt(log, "masks") == 0, "corrupted a chunk of /masks");
  expect_damaged(log, "/masks");

  /* a full table, n = 12 */
  double *t = malloc(4096 * sizeof *t);
  for (size_t i = 0; i < 4096; i++) t[i] = 1.0 + (double)(i % 7);
  rc = spx_recording_write_table(table, 12, t, "test", "explicand 0", NULL, &err);
  spx_test(rc == SPX_OK, "table written [%s]", rc ? err.msg : "");
  rc = spx_recording_open(table, 0, &r, &err);
  spx_test(rc == SPX_OK, "intact table opens [%s]", rc ? err.msg : "");
  spx_recording_close(&r);
  spx_test(corrupt(table, "table") == 0, "corrupted a chunk of /table");
  expect_damaged(table, "/table");

  free(t);
  free(v);
  spx_maskset_destroy(&m);
  unlink(log);
  unlink(table);
  rmdir(dir);
  return spx_test_summary();
}
