/* recording.c: HDF5 query logs and full tables of oracle answers, with an in-memory hash
 * index for lookups. */
#include "recording.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

struct spx_recording {
  char *path;
  size_t n, words, count;
  int table, writable;
  hid_t file, dmasks, dvalues, dtable;
  char *model, *explicand;
  char **labels;
  /* log: rows in memory and a hash index (row + 1, 0 = empty) */
  uint64_t *masks;
  double *values;
  size_t cap;
  spx_mask_index index; /* rows by mask */
};

static char *dup_or_empty(const char *s) {
  s = s ? s : "";
  size_t len = strlen(s) + 1;
  char *d = malloc(len);
  if (d) memcpy(d, s, len);
  return d;
}

/* Index rows from..count-1 (a row repeating an indexed mask stays out: lookups find the
 * first). */
static int index_rows(spx_recording *r, size_t from, spx_error *err) {
  for (size_t i = from; i < r->count; i++) {
    const uint64_t *m = r->masks + i * r->words;
    if (spx_mask_index_find(&r->index, r->masks, r->words, m) != SIZE_MAX) continue;
    int rc = spx_mask_index_add(&r->index, r->masks, r->words, i, err);
    if (rc) return rc;
  }
  return SPX_OK;
}

static int reserve(spx_recording *r, size_t rows, spx_error *err) {
  if (rows <= r->cap) return SPX_OK;
  size_t cap = r->cap ? r->cap : 1024;
  while (cap < rows) cap *= 2;
  uint64_t *m = realloc(r->masks, cap * r->words * sizeof *m);
  SPX_CHECK_ALLOC(m, err);
  r->masks = m;
  double *v = realloc(r->values, cap * sizeof *v);
  SPX_CHECK_ALLOC(v, err);
  r->values = v;
  r->cap = cap;
  return SPX_OK;
}

void spx_recording_close(spx_recording **rp) {
  if (rp == NULL || *rp == NULL) return;
  spx_recording *r = *rp;
  if (r->dmasks > 0) H5Dclose(r->dmasks);
  if (r->dvalues > 0) H5Dclose(r->dvalues);
  if (r->dtable > 0) H5Dclose(r->dtable);
  if (r->file > 0) H5Fclose(r->file);
  if (r->labels) {
    for (size_t i = 0; i < r->n; i++) free(r->labels[i]);
    free(r->labels);
  }
  free(r->path);
  free(r->model);
  free(r->explicand);
  free(r->masks);
  free(r->values);
  spx_mask_index_free(&r->index);
  free(r);
  *rp = NULL;
}

/* ---- attributes ------------------------------------------------------------------------ */

static int write_attr_u64(hid_t obj, const char *name, uint64_t v) {
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Aexists(obj, name) > 0 ? H5Aopen(obj, name, H5P_DEFAULT)
                                     : H5Acreate2(obj, name, H5T_NATIVE_UINT64, sp, H5P_DEFAULT,
                                                  H5P_DEFAULT);
  herr_t st = a < 0 ? -1 : H5Awrite(a, H5T_NATIVE_UINT64, &v);
  if (a >= 0) H5Aclose(a);
  H5Sclose(sp);
  return st < 0 ? -1 : 0;
}

/* Elements in the dataspace of an attribute (-1 on error). */
static hssize_t attr_points(hid_t a) {
  hid_t sp = H5Aget_space(a);
  hssize_t np = sp < 0 ? -1 : H5Sget_simple_extent_npoints(sp);
  if (sp >= 0) H5Sclose(sp);
  return np;
}

/* Rank of a dataset's dataspace (-1 on error). */
static int dataset_rank(hid_t d) {
  hid_t sp = H5Dget_space(d);
  int rank = sp < 0 ? -1 : H5Sget_simple_extent_ndims(sp);
  if (sp >= 0) H5Sclose(sp);
  return rank;
}

static int read_attr_u64(hid_t obj, const char *name, uint64_t *v) {
  if (H5Aexists(obj, name) <= 0) return -1;
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
  /* exactly one element: H5Aread writes all of them into v */
  herr_t st = a < 0 || attr_points(a) != 1 ? -1 : H5Aread(a, H5T_NATIVE_UINT64, v);
  if (a >= 0) H5Aclose(a);
  return st < 0 ? -1 : 0;
}

static int write_attr_str(hid_t obj, const char *name, const char *s) {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, strlen(s) + 1);
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
  herr_t st = a < 0 ? -1 : H5Awrite(a, t, s);
  if (a >= 0) H5Aclose(a);
  H5Sclose(sp);
  H5Tclose(t);
  return st < 0 ? -1 : 0;
}

/* A string attribute (fixed or variable length, one element); "" when absent or of another
 * type or shape. NULL only when out of memory. */
static char *read_attr_str(hid_t obj, const char *name) {
  if (H5Aexists(obj, name) <= 0) return dup_or_empty("");
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
  if (a < 0) return dup_or_empty("");
  hid_t t = H5Aget_type(a);
  char *s = NULL;
  if (t >= 0 && H5Tget_class(t) == H5T_STRING && attr_points(a) == 1) {
    hid_t mt = H5Tcopy(H5T_C_S1);
    if (H5Tis_variable_str(t) > 0) {
      char *v = NULL;
      H5Tset_size(mt, H5T_VARIABLE);
      if (H5Aread(a, mt, &v) >= 0) s = dup_or_empty(v ? v : "");
      else s = dup_or_empty("");
      if (v) H5free_memory(v);
    } else {
      size_t len = H5Tget_size(t);
      H5Tset_size(mt, len + 1); /* room for the terminator whatever the padding */
      s = calloc(len + 2, 1);
      if (s && H5Aread(a, mt, s) < 0) s[0] = '\0';
    }
    H5Tclose(mt);
  } else {
    s = dup_or_empty("");
  }
  if (t >= 0) H5Tclose(t);
  H5Aclose(a);
  return s;
}

static int write_labels(hid_t file, size_t n, char *const *labels) {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  hsize_t dims[1] = {n};
  hid_t sp = H5Screate_simple(1, dims, NULL);
  hid_t d = H5Dcreate2(file, "labels", t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  herr_t st = d < 0 ? -1 : H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, labels);
  if (d >= 0) H5Dclose(d);
  H5Sclose(sp);
  H5Tclose(t);
  return st < 0 ? -1 : 0;
}

static int read_labels(spx_recording *r) {
  if (H5Lexists(r->file, "labels", H5P_DEFAULT) <= 0) return 0;
  hid_t d = H5Dopen2(r->file, "labels", H5P_DEFAULT);
  if (d < 0) return -1;
  if (dataset_rank(d) != 1) { /* the dims below have room for one dimension */
    H5Dclose(d);
    return -1;
  }
  hid_t sp = H5Dget_space(d);
  hsize_t dims[1] = {0};
  H5Sget_simple_extent_dims(sp, dims, NULL);
  int rc = -1;
  char **buf = NULL;
  if (dims[0] == r->n && (buf = calloc(r->n, sizeof *buf)) != NULL) {
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    if (H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0) {
      r->labels = calloc(r->n, sizeof *r->labels);
      rc = r->labels ? 0 : -1;
      for (size_t i = 0; rc == 0 && i < r->n; i++)
        if ((r->labels[i] = dup_or_empty(buf[i])) == NULL) rc = -1;
      H5Dvlen_reclaim(t, sp, H5P_DEFAULT, buf);
    }
    H5Tclose(t);
  }
  free(buf);
  H5Sclose(sp);
  H5Dclose(d);
  return rc;
}

/* ---- create / open ----------------------------------------------------------------------- */

static hid_t create_file(const char *path, int overwrite, spx_error *err) {
  if (!overwrite && access(path, F_OK) == 0) {
    spx_error_set(err, SPX_EIO, "recording %s already exists", path);
    return -1;
  }
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) spx_error_set(err, SPX_EIO, "cannot create recording %s", path);
  return f;
}

static int write_common(hid_t f, size_t n, const char *model, const char *explicand,
                        char *const *labels) {
  int bad = write_attr_u64(f, "n", n) || write_attr_str(f, "model", model ? model : "") ||
            write_attr_str(f, "explicand", explicand ? explicand : "");
  if (!bad && labels) bad = write_labels(f, n, labels);
  return bad;
}

int spx_recording_create(const char *path, size_t n, const char *model, const char *explicand,
                         char *const *labels, int overwrite, spx_recording **out,
                         spx_error *err) {
  *out = NULL;
  if (n == 0) return spx_error_set(err, SPX_EINVAL, "recording %s: n must be positive", path);
  hid_t f = create_file(path, overwrite, err);
  if (f < 0) return SPX_EIO;
  size_t words = spx_mask_words(n);
  int bad = write_common(f, n, model, explicand, labels) || write_attr_u64(f, "count", 0);
  hsize_t d2[2] = {0, words}, max2[2] = {H5S_UNLIMITED, words}, chunk2[2] = {1024, words};
  hsize_t d1[1] = {0}, max1[1] = {H5S_UNLIMITED}, chunk1[1] = {1024};
  if (words * 1024 > (1u << 22)) chunk2[0] = chunk1[0] = 64; /* keep chunks near 4 MiB */
  hid_t s2 = H5Screate_simple(2, d2, max2), s1 = H5Screate_simple(1, d1, max1);
  hid_t p2 = H5Pcreate(H5P_DATASET_CREATE), p1 = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(p2, 2, chunk2);
  H5Pset_chunk(p1, 1, chunk1);
  H5Pset_fletcher32(p2); /* a checksum per chunk: corrupted data is a read error */
  H5Pset_fletcher32(p1);
  hid_t dm = bad ? -1 : H5Dcreate2(f, "masks", H5T_NATIVE_UINT64, s2, H5P_DEFAULT, p2, H5P_DEFAULT);
  hid_t dv = bad ? -1 : H5Dcreate2(f, "values", H5T_NATIVE_DOUBLE, s1, H5P_DEFAULT, p1, H5P_DEFAULT);
  H5Sclose(s2), H5Sclose(s1), H5Pclose(p2), H5Pclose(p1);
  if (dm >= 0) H5Dclose(dm);
  if (dv >= 0) H5Dclose(dv);
  H5Fclose(f);
  if (bad || dm < 0 || dv < 0) return spx_error_set(err, SPX_EIO, "cannot write recording %s", path);
  return spx_recording_open(path, 1, out, err);
}

int spx_recording_write_table(const char *path, size_t n, const double *values,
                              const char *model, const char *explicand, char *const *labels,
                              spx_error *err) {
  if (n == 0 || n > 30)
    return spx_error_set(err, SPX_EINVAL, "recording %s: a full table needs 1 <= n <= 30, not %zu",
                         path, n);
  hid_t f = create_file(path, 1, err);
  if (f < 0) return SPX_EIO;
  int bad = write_common(f, n, model, explicand, labels);
  hsize_t dims[1] = {(hsize_t)1 << n}, chunk[1] = {dims[0] < 65536 ? dims[0] : 65536};
  hid_t sp = H5Screate_simple(1, dims, NULL);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE); /* chunked with a checksum per chunk */
  if (H5Pset_chunk(dcpl, 1, chunk) < 0 || H5Pset_fletcher32(dcpl) < 0) bad = 1;
  hid_t d = bad ? -1 : H5Dcreate2(f, "table", H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  H5Pclose(dcpl);
  if (d < 0 || H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0) bad = 1;
  if (d >= 0) H5Dclose(d);
  H5Sclose(sp);
  if (H5Fclose(f) < 0) bad = 1;
  return bad ? spx_error_set(err, SPX_EIO, "cannot write recording %s", path) : SPX_OK;
}

int spx_recording_open(const char *path, int writable, spx_recording **out, spx_error *err) {
  *out = NULL;
  if (access(path, R_OK) != 0)
    return spx_error_set(err, SPX_EIO, "recording %s: %s", path, strerror(errno));
  if (H5Fis_hdf5(path) <= 0)
    return spx_error_set(err, SPX_EIO, "recording %s is not an HDF5 file", path);
  spx_recording *r = calloc(1, sizeof *r);
  SPX_CHECK_ALLOC(r, err);
  r->path = dup_or_empty(path);
  r->file = H5Fopen(path, writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT);
  int rc = SPX_OK;
  uint64_t n = 0;
  if (r->file < 0) {
    rc = spx_error_set(err, SPX_EIO, "cannot open recording %s%s", path,
                       writable ? " for writing" : "");
  } else if (read_attr_u64(r->file, "n", &n) || n == 0) {
    rc = spx_error_set(err, SPX_EIO, "recording %s has no attribute n", path);
  }
  r->n = (size_t)n;
  r->words = spx_mask_words(r->n);
  r->writable = writable;
  if (rc == SPX_OK) {
    r->model = read_attr_str(r->file, "model");
    r->explicand = read_attr_str(r->file, "explicand");
    if (r->model == NULL || r->explicand == NULL || read_labels(r))
      rc = spx_error_set(err, SPX_EIO, "recording %s: cannot read its attributes", path);
  }
  if (rc == SPX_OK && H5Lexists(r->file, "table", H5P_DEFAULT) > 0) {
    r->table = 1;
    if (n > 30) rc = spx_error_set(err, SPX_EIO, "recording %s: a table with n = %zu > 30", path, r->n);
    if (rc == SPX_OK && writable)
      rc = spx_error_set(err, SPX_EINVAL, "recording %s is a full table; it cannot be appended to",
                         path);
    size_t len = rc ? 0 : (size_t)1 << r->n;
    r->dtable = rc ? -1 : H5Dopen2(r->file, "table", H5P_DEFAULT);
    hsize_t dims[1] = {0};
    if (r->dtable >= 0 && dataset_rank(r->dtable) == 1) {
      hid_t sp = H5Dget_space(r->dtable);
      H5Sget_simple_extent_dims(sp, dims, NULL);
      H5Sclose(sp);
    }
    /* allocate only once the table has the right length (n = 30 means 8 GiB) */
    if (rc == SPX_OK && r->dtable >= 0 && dims[0] == len &&
        (r->values = malloc(len * sizeof *r->values)) == NULL)
      rc = spx_error_set(err, SPX_ENOMEM, "out of memory reading %s", path);
    if (rc == SPX_OK && (r->dtable < 0 || dims[0] != len))
      rc = spx_error_set(err, SPX_EIO, "recording %s: /table is not 2^%zu values", path, r->n);
    if (rc == SPX_OK &&
        H5Dread(r->dtable, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, r->values) < 0)
      rc = spx_error_set(err, SPX_EIO, "recording %s: damaged: /table cannot be read (its "
                         "checksum does not match, or an I/O error)", path);
    r->count = len;
  } else if (rc == SPX_OK) {
    uint64_t count = 0;
    r->dmasks = H5Dopen2(r->file, "masks", H5P_DEFAULT);
    r->dvalues = H5Dopen2(r->file, "values", H5P_DEFAULT);
    if (r->dmasks < 0 || r->dvalues < 0 || read_attr_u64(r->file, "count", &count))
      rc = spx_error_set(err, SPX_EIO, "recording %s has neither /table nor /masks, /values and count",
                         path);
    hsize_t dm[2] = {0, 0}, dv[1] = {0};
    if (rc == SPX_OK && (dataset_rank(r->dmasks) != 2 || dataset_rank(r->dvalues) != 1))
      rc = spx_error_set(err, SPX_EIO, "recording %s: /masks must have 2 dimensions and /values 1",
                         path);
    if (rc == SPX_OK) {
      hid_t sm = H5Dget_space(r->dmasks), sv = H5Dget_space(r->dvalues);
      H5Sget_simple_extent_dims(sm, dm, NULL);
      H5Sget_simple_extent_dims(sv, dv, NULL);
      H5Sclose(sm), H5Sclose(sv);
      if (dm[1] != r->words || dm[0] < count || dv[0] < count)
        rc = spx_error_set(err, SPX_EIO, "recording %s: /masks is %llu x %llu and /values %llu for "
                           "count %llu and n = %zu", path, (unsigned long long)dm[0],
                           (unsigned long long)dm[1], (unsigned long long)dv[0],
                           (unsigned long long)count, r->n);
    }
    r->count = (size_t)count;
    if (rc == SPX_OK) rc = reserve(r, r->count, err);
    if (rc == SPX_OK && r->count > 0) {
      hsize_t start2[2] = {0, 0}, cnt2[2] = {r->count, r->words}, start1[1] = {0}, cnt1[1] = {r->count};
      hid_t fs = H5Dget_space(r->dmasks), ms = H5Screate_simple(2, cnt2, NULL);
      H5Sselect_hyperslab(fs, H5S_SELECT_SET, start2, NULL, cnt2, NULL);
      herr_t a = H5Dread(r->dmasks, H5T_NATIVE_UINT64, ms, fs, H5P_DEFAULT, r->masks);
      H5Sclose(fs), H5Sclose(ms);
      fs = H5Dget_space(r->dvalues), ms = H5Screate_simple(1, cnt1, NULL);
      H5Sselect_hyperslab(fs, H5S_SELECT_SET, start1, NULL, cnt1, NULL);
      herr_t b = H5Dread(r->dvalues, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, r->values);
      H5Sclose(fs), H5Sclose(ms);
      if (a < 0 || b < 0)
        rc = spx_error_set(err, SPX_EIO, "recording %s: damaged: %s cannot be read (its "
                           "checksum does not match, or an I/O error)", path,
                           a < 0 ? "/masks" : "/values");
    }
    if (rc == SPX_OK) rc = index_rows(r, 0, err);
  }
  if (rc) {
    spx_recording_close(&r);
    return rc;
  }
  *out = r;
  return SPX_OK;
}

size_t spx_recording_n(const spx_recording *r) { return r->n; }
size_t spx_recording_count(const spx_recording *r) { return r->count; }
int spx_recording_is_table(const spx_recording *r) { return r->table; }
const char *spx_recording_path(const spx_recording *r) { return r->path; }
const char *spx_recording_model(const spx_recording *r) { return r->model; }
const char *spx_recording_explicand(const spx_recording *r) { return r->explicand; }
char *const *spx_recording_labels(const spx_recording *r) { return r->labels; }

void spx_recording_lookup(const spx_recording *r, const uint64_t *mask, double *value,
                          int *found) {
  if (r->table) {
    uint64_t row = mask[0];
    *value = r->values[row];
    *found = 1;
    return;
  }
  *found = 0;
  size_t row = spx_mask_index_find(&r->index, r->masks, r->words, mask);
  if (row != SIZE_MAX) {
    *value = r->values[row];
    *found = 1;
  }
}

int spx_recording_append(spx_recording *r, const spx_maskset *masks, size_t first, size_t count,
                         const double *values, spx_error *err) {
  if (!r->writable || r->table)
    return spx_error_set(err, SPX_EINVAL, "recording %s is not open for appending", r->path);
  if (masks->n != r->n)
    return spx_error_set(err, SPX_EINVAL, "recording %s has n = %zu, masks have n = %zu", r->path,
                         r->n, masks->n);
  size_t old = r->count;
  int rc = reserve(r, old + count, err);
  if (rc) return rc;
  for (size_t i = 0; i < count; i++) {
    const uint64_t *m = spx_maskset_row(masks, first + i);
    if (spx_mask_index_find(&r->index, r->masks, r->words, m) != SIZE_MAX)
      continue; /* already recorded (or repeated in this batch) */
    memcpy(r->masks + r->count * r->words, m, r->words * sizeof *m);
    r->values[r->count] = values[i];
    if ((rc = spx_mask_index_add(&r->index, r->masks, r->words, r->count, err))) break;
    r->count++;
  }
  size_t added = r->count - old;
  if (rc == SPX_OK && added > 0) {
    hsize_t ext2[2] = {r->count, r->words}, ext1[1] = {r->count};
    hsize_t start2[2] = {old, 0}, cnt2[2] = {added, r->words}, start1[1] = {old}, cnt1[1] = {added};
    herr_t st = H5Dset_extent(r->dmasks, ext2);
    if (st >= 0) st = H5Dset_extent(r->dvalues, ext1);
    if (st >= 0) {
      hid_t fs = H5Dget_space(r->dmasks), ms = H5Screate_simple(2, cnt2, NULL);
      H5Sselect_hyperslab(fs, H5S_SELECT_SET, start2, NULL, cnt2, NULL);
      st = H5Dwrite(r->dmasks, H5T_NATIVE_UINT64, ms, fs, H5P_DEFAULT, r->masks + old * r->words);
      H5Sclose(fs), H5Sclose(ms);
    }
    if (st >= 0) {
      hid_t fs = H5Dget_space(r->dvalues), ms = H5Screate_simple(1, cnt1, NULL);
      H5Sselect_hyperslab(fs, H5S_SELECT_SET, start1, NULL, cnt1, NULL);
      st = H5Dwrite(r->dvalues, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, r->values + old);
      H5Sclose(fs), H5Sclose(ms);
    }
    /* Data first, then the committed count: an interruption before this line loses only the
     * rows of this append. */
    if (st >= 0) st = H5Fflush(r->file, H5F_SCOPE_LOCAL);
    if (st >= 0) st = write_attr_u64(r->file, "count", r->count) ? -1 : 0;
    if (st >= 0) st = H5Fflush(r->file, H5F_SCOPE_LOCAL);
    if (st < 0) rc = spx_error_set(err, SPX_EIO, "recording %s: write failed", r->path);
  }
  return rc;
}

/* ---- model identity ------------------------------------------------------------------------ */

static int identity_ignored(const char *key) {
  static const char *const keys[] = {"timeout", "batch", "retries", "retry_backoff", "path",
                                     "fallback", NULL};
  for (size_t i = 0; keys[i]; i++)
    if (strcmp(key, keys[i]) == 0) return 1;
  return 0;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *spx_recording_identity(const char *kind, const spx_options *opts) {
  size_t count = opts ? spx_options_count(opts) : 0, nl = 0, len = strlen(kind) + 16;
  char **lines = calloc(count + 1, sizeof *lines);
  if (lines == NULL) return NULL;
  int bad = 0;
  for (size_t i = 0; i < count && !bad; i++) {
    const char *key, *text;
    spx_option_kind k;
    spx_options_at(opts, i, &key, &k, &text, NULL);
    if (identity_ignored(key) || strcmp(key, "kind") == 0) continue;
    size_t l = strlen(key) + strlen(text) + 8;
    lines[nl] = malloc(l);
    if (lines[nl] == NULL) {
      bad = 1;
      break;
    }
    snprintf(lines[nl], l, "%s = %s\n", key, text);
    len += l;
    nl++;
  }
  char *out = bad ? NULL : malloc(len);
  if (out) {
    qsort(lines, nl, sizeof *lines, cmp_str);
    snprintf(out, len, "kind = %s\n", kind);
    for (size_t i = 0; i < nl; i++) strcat(out, lines[i]);
  }
  for (size_t i = 0; i < nl; i++) free(lines[i]);
  free(lines);
  return out;
}

/* The value of key in an identity text ("" if absent), into buf. */
static void identity_value(const char *text, const char *key, char *buf, size_t len) {
  buf[0] = '\0';
  size_t kl = strlen(key);
  for (const char *p = text; p && *p;) {
    const char *e = strchr(p, '\n');
    size_t ll = e ? (size_t)(e - p) : strlen(p);
    if (ll > kl + 3 && strncmp(p, key, kl) == 0 && strncmp(p + kl, " = ", 3) == 0) {
      size_t vl = ll - kl - 3 < len - 1 ? ll - kl - 3 : len - 1;
      memcpy(buf, p + kl + 3, vl);
      buf[vl] = '\0';
      return;
    }
    p = e ? e + 1 : NULL;
  }
}

/* The first key (in sorted order) whose value differs between two identity texts. */
static void first_difference(const char *a, const char *b, char *key, size_t len) {
  key[0] = '\0';
  const char *texts[2] = {a, b};
  for (int t = 0; t < 2 && !key[0]; t++)
    for (const char *p = texts[t]; p && *p && !key[0];) {
      const char *e = strchr(p, '\n'), *eq = strstr(p, " = ");
      if (eq && (!e || eq < e)) {
        char k[128], va[256], vb[256];
        size_t kl = (size_t)(eq - p) < sizeof k - 1 ? (size_t)(eq - p) : sizeof k - 1;
        memcpy(k, p, kl);
        k[kl] = '\0';
        identity_value(a, k, va, sizeof va);
        identity_value(b, k, vb, sizeof vb);
        if (strcmp(va, vb) != 0) snprintf(key, len, "%s", k);
      }
      p = e ? e + 1 : NULL;
    }
}

int spx_recording_check_identity(spx_recording *r, const char *identity, spx_error *err) {
  if (!r->writable)
    return spx_error_set(err, SPX_EINTERNAL, "recording %s: identity check on a read-only "
                         "handle", r->path);
  int has = H5Aexists(r->file, "oracle_options") > 0;
  if (!has) {
    if (r->count > 0)
      return spx_error_set(err, SPX_EINVAL,
                           "recording %s was written before recordings stored their model's "
                           "options, so answers of another model could be mixed into it: it "
                           "cannot be appended to (replay it without fallback, or remove it to "
                           "record again)",
                           r->path);
    if (write_attr_str(r->file, "oracle_options", identity) || H5Fflush(r->file, H5F_SCOPE_LOCAL) < 0)
      return spx_error_set(err, SPX_EIO, "cannot write recording %s", r->path);
    return SPX_OK;
  }
  char *stored = read_attr_str(r->file, "oracle_options");
  if (stored == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory");
  int rc = SPX_OK;
  if (strcmp(stored, identity) != 0) {
    char key[128], va[256], vb[256];
    first_difference(stored, identity, key, sizeof key);
    identity_value(stored, key, va, sizeof va);
    identity_value(identity, key, vb, sizeof vb);
    rc = spx_error_set(err, SPX_EINVAL,
                       "recording %s was made by another model: oracle option %s is %s%s%s there "
                       "but %s%s%s here; refusing to mix their answers (remove the recording or "
                       "record to another path)",
                       r->path, key[0] ? key : "(options)", va[0] ? "'" : "", va[0] ? va : "absent",
                       va[0] ? "'" : "", vb[0] ? "'" : "", vb[0] ? vb : "absent", vb[0] ? "'" : "");
  }
  free(stored);
  return rc;
}
