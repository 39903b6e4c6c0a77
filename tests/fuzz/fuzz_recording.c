/* fuzz_recording.c: libFuzzer harness for the recording reader (src/io/recording.c).
 *
 * Raw fuzz bytes as an HDF5 file would mostly test libhdf5's own parser, which is not ours
 * and not hardened against hostile files. So the harness builds a *valid* HDF5 file with the
 * HDF5 API from the fuzz bytes, choosing which of the objects a recording uses exist (the
 * attributes n, count, model, explicand; the datasets masks, values, table, labels) and their
 * types, ranks, shapes and contents; then spx_recording_open reads it and a few masks are
 * looked up. Any outcome but a crash is fine; a successful open must be self-consistent.
 * Built by scripts/fuzz. */
#include <hdf5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/recording.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
  const uint8_t *p;
  size_t left;
} bytes;

static unsigned take(bytes *b) {
  if (b->left == 0) return 0;
  b->left--;
  return *b->p++;
}
static uint64_t take64(bytes *b) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = v << 8 | take(b);
  return v;
}

/* A small integer that is often a plausible value. */
static uint64_t small(bytes *b) {
  unsigned k = take(b);
  if (k < 200) return k % 40;
  if (k < 250) return take64(b) % 100000;
  return take64(b);
}

static hid_t pick_type(bytes *b) {
  switch (take(b) % 6) {
    case 0: return H5Tcopy(H5T_NATIVE_UINT64);
    case 1: return H5Tcopy(H5T_NATIVE_DOUBLE);
    case 2: return H5Tcopy(H5T_NATIVE_INT32);
    case 3: return H5Tcopy(H5T_NATIVE_INT8);
    case 4: { hid_t t = H5Tcopy(H5T_C_S1); H5Tset_size(t, 1 + take(b) % 16); return t; }
    default: { hid_t t = H5Tcopy(H5T_C_S1); H5Tset_size(t, H5T_VARIABLE); return t; }
  }
}

/* A dataspace: scalar or rank 1..3 with small dimensions (total <= 4096 elements). */
static hid_t pick_space(bytes *b, hsize_t *npoints) {
  unsigned rank = take(b) % 4;
  if (rank == 0) {
    *npoints = 1;
    return H5Screate(H5S_SCALAR);
  }
  hsize_t dims[3];
  *npoints = 1;
  for (unsigned i = 0; i < rank; i++) {
    dims[i] = small(b) % 64;
    *npoints *= dims[i];
  }
  if (*npoints > 4096) {
    dims[0] = 1;
    *npoints = 1;
    for (unsigned i = 1; i < rank; i++) *npoints *= dims[i];
  }
  return H5Screate_simple((int)rank, dims, NULL);
}

/* Write a buffer of fuzz bytes as the object's contents, shaped for the type. */
static void fill_write(bytes *b, hid_t type, hsize_t npoints, int is_attr, hid_t obj) {
  size_t esz = H5Tget_size(type);
  int vlen = H5Tis_variable_str(type) > 0;
  size_t total = (size_t)npoints * (vlen ? sizeof(char *) : esz);
  unsigned char *buf = calloc(total ? total : 1, 1);
  char *pool = NULL;
  if (buf == NULL) return;
  if (vlen) {
    pool = calloc((size_t)npoints * 9 + 1, 1);
    if (pool == NULL) { free(buf); return; }
    char **s = (char **)buf;
    for (hsize_t i = 0; i < npoints; i++) {
      char *q = pool + i * 9;
      size_t l = take(b) % 9;
      for (size_t j = 0; j < l; j++) q[j] = (char)(32 + take(b) % 90);
      s[i] = q;
    }
  } else if (H5Tget_class(type) == H5T_INTEGER && esz == 8 && take(b) % 2) {
    /* plausible bit-packed masks and counts */
    for (hsize_t i = 0; i < npoints; i++) {
      uint64_t v = small(b);
      memcpy(buf + i * 8, &v, 8);
    }
  } else {
    for (size_t i = 0; i < total; i++) buf[i] = (unsigned char)take(b);
  }
  if (is_attr) H5Awrite(obj, type, buf);
  else H5Dwrite(obj, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
  free(pool);
  free(buf);
}

static void make_attr(hid_t file, const char *name, bytes *b) {
  hsize_t np;
  hid_t t = pick_type(b), s = pick_space(b, &np);
  hid_t a = H5Acreate2(file, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
  if (a >= 0) {
    fill_write(b, t, np, 1, a);
    H5Aclose(a);
  }
  H5Sclose(s);
  H5Tclose(t);
}

static void make_dataset(hid_t file, const char *name, bytes *b) {
  hsize_t np;
  hid_t t = pick_type(b), s = pick_space(b, &np);
  hid_t d = H5Dcreate2(file, name, t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (d >= 0) {
    fill_write(b, t, np, 0, d);
    H5Dclose(d);
  }
  H5Sclose(s);
  H5Tclose(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bytes b = {data, size};
  char path[] = "/tmp/spx_fuzz_rec_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return 0;
  close(fd);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) {
    unlink(path);
    return 0;
  }
  unsigned present = take(&b);
  static const char *const attrs[] = {"n", "count", "model", "explicand"};
  static const char *const sets[] = {"masks", "values", "table", "labels"};
  for (int i = 0; i < 4; i++)
    if (present & (1u << i)) make_attr(f, attrs[i], &b);
  for (int i = 0; i < 4; i++)
    if (present & (1u << (4 + i))) make_dataset(f, sets[i], &b);
  H5Fclose(f);

  spx_recording *r = NULL;
  spx_error err = {0};
  if (spx_recording_open(path, 0, &r, &err) == SPX_OK) {
    size_t n = spx_recording_n(r), words = spx_mask_words(n);
    if (n == 0 || (spx_recording_is_table(r) && n > 30)) abort();
    uint64_t *mask = calloc(words, sizeof *mask);
    if (mask && words <= 1024) {
      for (int k = 0; k < 8; k++) {
        for (size_t w = 0; w < words; w++) mask[w] = small(&b);
        if (n % 64) mask[words - 1] &= ((uint64_t)1 << (n % 64)) - 1;
        double v;
        int found;
        spx_recording_lookup(r, mask, &v, &found);
      }
    }
    free(mask);
    char *const *labels = spx_recording_labels(r);
    if (labels)
      for (size_t i = 0; i < n; i++)
        if (labels[i] == NULL) abort();
    if (spx_recording_model(r) == NULL || spx_recording_explicand(r) == NULL) abort();
    spx_recording_close(&r);
  } else if (err.msg[0] == '\0') {
    abort();
  }
  unlink(path);
  return 0;
}
