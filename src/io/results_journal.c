/* results_journal.c: the cell journal of a result file (journal.h; issue #14).
 *
 * Every set-up explicand and every finished cell is appended to "<output>.journal" and synced
 * before results.c writes it into the HDF5 file, so that a write failing anywhere in the HDF5
 * file (also in the middle of a metadata flush, which can leave it unreadable) loses nothing:
 * `--resume` rebuilds a damaged file from its journal (a fresh file under a temporary name,
 * the journal's records written into it in their order, the damaged file kept as
 * "<output>.damaged"). The journal is made with a new file; a file opened for --resume
 * without a usable journal (closed cleanly before, which removes the journal, or written by
 * an older version) gets one holding its content (read back from the verified file) before
 * anything is written to it.
 *
 * Record payloads (native byte order, like the cell codec of cell.h):
 *   explicand: u64 instance, n, explicand, test_count, budgets; string description; u64
 *              has_labels and n strings; test masks [test_count x ceil(n/64)] u64; test
 *              values [test_count] f64; budget [budgets] u64; u64 has_arrays, the arrays
 *              (spx_arrays_pack) and each array's units and description strings
 *   cell:      u64 method, instance, budget, repeat; the record (spx_cell_pack); each
 *              array's units and description strings
 * A string is a u64 length (UINT64_MAX: none) and its bytes. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>

#include "results_internal.h"

/* ---- codec helpers -------------------------------------------------------------------------- */

static void put_u64(spx_bytes *b, uint64_t v) { spx_bytes_put(b, &v, sizeof v); }

static void put_str(spx_bytes *b, const char *s) {
  put_u64(b, s ? (uint64_t)strlen(s) : UINT64_MAX);
  if (s) spx_bytes_put(b, s, strlen(s));
}

static uint64_t get_u64(spx_bytes_reader *rd) {
  uint64_t v = 0;
  spx_bytes_get(rd, &v, sizeof v);
  return v;
}

/* A fresh copy of the next string (*s = NULL for none); -1 when malformed or out of memory. */
static int get_str(spx_bytes_reader *rd, char **s) {
  *s = NULL;
  uint64_t len = get_u64(rd);
  if (rd->failed) return -1;
  if (len == UINT64_MAX) return 0;
  if (len > rd->len - rd->at) return -1;
  char *p = malloc((size_t)len + 1);
  if (p == NULL) return -1;
  spx_bytes_get(rd, p, (size_t)len);
  p[len] = '\0';
  *s = p;
  return 0;
}

/* Copies of array strings kept alive while a replayed record is written. */
typedef struct strs {
  char **s;
  size_t count;
} strs;

static int strs_add(strs *l, char *s) {
  char **n = realloc(l->s, (l->count + 1) * sizeof *n);
  if (n == NULL) {
    free(s);
    return -1;
  }
  l->s = n;
  l->s[l->count++] = s;
  return 0;
}

static void strs_free(strs *l) {
  for (size_t k = 0; k < l->count; k++) free(l->s[k]);
  free(l->s);
  memset(l, 0, sizeof *l);
}

static void put_array_texts(spx_bytes *b, const spx_array_list *l) {
  for (size_t k = 0; l && k < l->count; k++) {
    put_str(b, l->a[k].units);
    put_str(b, l->a[k].description);
  }
}

static int get_array_texts(spx_bytes_reader *rd, spx_array_list *l, strs *keep) {
  for (size_t k = 0; k < l->count; k++) {
    char *u, *d;
    if (get_str(rd, &u)) return -1;
    if (get_str(rd, &d)) {
      free(u);
      return -1;
    }
    if ((u && strs_add(keep, u)) || (d && strs_add(keep, d))) return -1;
    l->a[k].units = u;
    l->a[k].description = d;
  }
  return 0;
}

/* ---- records ---------------------------------------------------------------------------------- */

static void pack_instance(spx_bytes *b, size_t instance, const spx_instance_data *d,
                          size_t budgets) {
  size_t W = (d->n + 63) / 64;
  put_u64(b, instance);
  put_u64(b, d->n);
  put_u64(b, d->explicand);
  put_u64(b, d->test_count);
  put_u64(b, budgets);
  put_str(b, d->description);
  put_u64(b, d->labels != NULL);
  for (size_t k = 0; d->labels && k < d->n; k++) put_str(b, d->labels[k]);
  spx_bytes_put(b, d->test_masks, d->test_count * W * sizeof *d->test_masks);
  spx_bytes_put(b, d->test_values, d->test_count * sizeof *d->test_values);
  spx_bytes_put(b, d->budget, budgets * sizeof *d->budget);
  put_u64(b, d->arrays != NULL);
  if (d->arrays) {
    spx_arrays_pack(b, d->arrays);
    put_array_texts(b, d->arrays);
  }
}

/* An explicand record, decoded (owned arrays). */
typedef struct inst_rec {
  size_t instance;
  spx_instance_data d;
  char *description;
  char **labels;
  uint64_t *masks, *budget;
  double *values;
  spx_array_list arrays;
  strs keep;
} inst_rec;

static void inst_rec_free(inst_rec *x) {
  free(x->description);
  for (size_t k = 0; x->labels && k < x->d.n; k++) free(x->labels[k]);
  free(x->labels);
  free(x->masks);
  free(x->budget);
  free(x->values);
  spx_array_list_free(&x->arrays);
  strs_free(&x->keep);
  memset(x, 0, sizeof *x);
}

/* A copy of the next count*esize bytes (NULL when they run past the end). */
static void *get_block(spx_bytes_reader *rd, size_t count, size_t esize) {
  if (count && esize > (rd->len - rd->at) / count) return NULL;
  void *p = malloc(count * esize > 0 ? count * esize : 1);
  if (p) spx_bytes_get(rd, p, count * esize);
  return p;
}

static int unpack_instance(spx_bytes_reader *rd, size_t budgets, inst_rec *x) {
  memset(x, 0, sizeof *x);
  x->instance = (size_t)get_u64(rd);
  x->d.n = (size_t)get_u64(rd);
  x->d.explicand = (size_t)get_u64(rd);
  x->d.test_count = (size_t)get_u64(rd);
  uint64_t nb = get_u64(rd);
  if (rd->failed || nb != budgets || x->d.n > rd->len || x->d.test_count > rd->len) return -1;
  if (get_str(rd, &x->description)) return -1;
  x->d.description = x->description;
  if (get_u64(rd)) {
    x->labels = calloc(x->d.n ? x->d.n : 1, sizeof *x->labels);
    if (x->labels == NULL) return -1;
    for (size_t k = 0; k < x->d.n; k++)
      if (get_str(rd, &x->labels[k]) || x->labels[k] == NULL) return -1;
    x->d.labels = (const char *const *)x->labels;
  }
  size_t W = (x->d.n + 63) / 64;
  x->masks = get_block(rd, x->d.test_count * W, sizeof *x->masks);
  x->values = get_block(rd, x->d.test_count, sizeof *x->values);
  x->budget = get_block(rd, budgets, sizeof *x->budget);
  if (x->masks == NULL || x->values == NULL || x->budget == NULL) return -1;
  x->d.test_masks = x->masks;
  x->d.test_values = x->values;
  x->d.budget = x->budget;
  if (get_u64(rd)) {
    spx_error e = {0};
    if (spx_arrays_unpack(rd, &x->arrays, &e) || get_array_texts(rd, &x->arrays, &x->keep))
      return -1;
    x->d.arrays = &x->arrays;
  }
  return rd->failed ? -1 : 0;
}

static void pack_cell(spx_bytes *b, size_t method, size_t instance, size_t budget, size_t repeat,
                      const spx_cell_result *c) {
  put_u64(b, method);
  put_u64(b, instance);
  put_u64(b, budget);
  put_u64(b, repeat);
  spx_cell_pack(b, c);
  put_array_texts(b, &c->arrays);
}

/* ---- appending ------------------------------------------------------------------------------ */

/* A failed journal write: the file is left as it was at its last flush (nothing of this
 * record was written to it); mark it broken with a message that says so. */
static int journal_failed(spx_results *r, int sys, const spx_error *je, spx_error *err) {
  char msg[3 * SPX_ERRMSG_LEN];
  const char *jn = spx_journal_name(r->journal);
  if (sys == ENOSPC || sys == EDQUOT) {
    uint64_t avail = spx_h5_free_bytes(jn);
    snprintf(msg, sizeof msg,
             "%s: no space left on the device for its journal %s (%.2f MiB free); the run stops "
             "here. Every cell finished before is in the file and in the journal: free space "
             "and continue with --resume",
             r->path, jn, avail == UINT64_MAX ? 0.0 : (double)avail / 1048576.0);
  } else {
    snprintf(msg, sizeof msg,
             "%s: writing its journal failed (%s); the run stops here. Every cell finished "
             "before is in the file and in the journal: fix the cause and continue with "
             "--resume",
             r->path, je->msg);
  }
  if (!r->broken) {
    r->broken = 1;
    free(r->broken_msg);
    r->broken_msg = strdup(msg);
  }
  return spx_error_set(err, SPX_EIO, "%s", msg);
}

static int append(spx_results *r, int type, const spx_bytes *b, spx_error *err) {
  if (b->failed) return spx_error_set(err, SPX_ENOMEM, "out of memory for a journal record");
  int sys = 0;
  spx_error je = {0};
  if (spx_journal_append(r->journal, type, b->data, b->len, &sys, &je) == SPX_OK) return SPX_OK;
  return journal_failed(r, sys, &je, err);
}

int spx_res_journal_instance(spx_results *r, size_t instance, const spx_instance_data *d,
                             spx_error *err) {
  if (r->journal == NULL) return SPX_OK;
  spx_bytes b = {0};
  pack_instance(&b, instance, d, r->budgets);
  int rc = append(r, SPX_JOURNAL_INSTANCE, &b, err);
  spx_bytes_free(&b);
  return rc;
}

int spx_res_journal_cell(spx_results *r, size_t method, size_t instance, size_t budget,
                         size_t repeat, const spx_cell_result *c, spx_error *err) {
  if (r->journal == NULL) return SPX_OK;
  spx_bytes b = {0};
  pack_cell(&b, method, instance, budget, repeat, c);
  int rc = append(r, SPX_JOURNAL_CELL, &b, err);
  spx_bytes_free(&b);
  return rc;
}

/* ---- a new file ------------------------------------------------------------------------------- */

int spx_res_journal_create(spx_results *r, const char *tmp_h5, const char *config,
                           spx_error *err) {
  char *jp = spx_journal_path(tmp_h5);
  if (jp == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory");
  int rc = spx_journal_create(jp, config, 1, &r->journal, err);
  free(jp);
  return rc;
}

int spx_res_journal_publish(spx_results *r, spx_error *err) {
  if (r->journal == NULL) return SPX_OK;
  char *jp = spx_journal_path(r->path);
  if (jp == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory");
  int rc = spx_journal_rename(r->journal, jp, err);
  free(jp);
  return rc;
}

/* ---- reading a cell or an explicand back from the file (to start a journal) ---------------- */

static int read_elem(hid_t g, const char *name, hid_t mt, const hsize_t *start, int rank,
                     hsize_t width, void *out) {
  hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
  if (d < 0) return -1;
  hid_t fs = H5Dget_space(d);
  hsize_t st[4] = {start[0], start[1], start[2], 0}, cnt[4] = {1, 1, 1, width};
  H5Sselect_hyperslab(fs, H5S_SELECT_SET, st, NULL, cnt, NULL);
  hid_t ms = rank == 3 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &width, NULL);
  herr_t rc = H5Dread(d, mt, ms, fs, H5P_DEFAULT, out);
  H5Sclose(ms);
  H5Sclose(fs);
  H5Dclose(d);
  return rc < 0 ? -1 : 0;
}

/* A string attribute as a fresh copy (NULL when absent or unreadable). */
static char *read_attr_text(hid_t loc, const char *name, hid_t str_type) {
  if (H5Aexists(loc, name) <= 0) return NULL;
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  char *v = NULL, *copy = NULL;
  if (a >= 0 && H5Aread(a, str_type, &v) >= 0 && v) {
    copy = strdup(v);
    H5free_memory(v);
  }
  if (a >= 0) H5Aclose(a);
  return copy;
}

/* A whole dataset of loc as an spx_array appended to l (with its units and description,
 * copies kept in keep). */
static int read_array(hid_t loc, const char *name, hid_t str_type, spx_array_list *l,
                      strs *keep) {
  hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
  if (d < 0) return -1;
  hid_t t = H5Dget_type(d), sp = H5Dget_space(d);
  int rank = H5Sget_simple_extent_ndims(sp);
  hsize_t dims[3] = {0, 0, 0};
  int bad = rank < 0 || rank > 3;
  if (!bad) H5Sget_simple_extent_dims(sp, dims, NULL);
  spx_array_type type = SPX_ARRAY_F64;
  hid_t mt = H5T_NATIVE_DOUBLE;
  if (!bad && H5Tget_class(t) == H5T_INTEGER) {
    type = H5Tget_size(t) == 4 ? SPX_ARRAY_U32 : SPX_ARRAY_U64;
    mt = type == SPX_ARRAY_U32 ? H5T_NATIVE_UINT32 : H5T_NATIVE_UINT64;
  } else if (!bad && H5Tget_class(t) != H5T_FLOAT) {
    bad = 1;
  }
  char *units = bad ? NULL : read_attr_text(d, "units", str_type);
  char *desc = bad ? NULL : read_attr_text(d, "description", str_type);
  if ((units && strs_add(keep, units)) || (desc && strs_add(keep, desc))) bad = 1;
  spx_error e = {0};
  uint64_t udims[3] = {dims[0], dims[1], dims[2]};
  spx_array *a = bad ? NULL : spx_array_list_add(l, name, units, desc, type, rank, udims, &e);
  if (a == NULL) bad = 1;
  if (!bad && spx_array_count(a) > 0 && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, a->data) < 0)
    bad = 1;
  H5Tclose(t);
  H5Sclose(sp);
  H5Dclose(d);
  return bad ? -1 : 0;
}

typedef struct names {
  char **v;
  size_t count;
  int failed;
} names;

static herr_t collect_name(hid_t g, const char *name, const H5L_info_t *info, void *data) {
  (void)g;
  (void)info;
  names *n = data;
  char **v = realloc(n->v, (n->count + 1) * sizeof *v);
  char *s = strdup(name);
  if (v == NULL || s == NULL) {
    if (v) n->v = v;
    free(s);
    n->failed = 1;
    return -1;
  }
  n->v = v;
  n->v[n->count++] = s;
  return 0;
}

static void names_free(names *n) {
  for (size_t k = 0; k < n->count; k++) free(n->v[k]);
  free(n->v);
}

/* The datasets of loc other than the skip list, in name order, as arrays. */
static int read_other_arrays(hid_t loc, const char *const *skip, size_t nskip, hid_t str_type,
                             spx_array_list *l, strs *keep) {
  names n = {0};
  if (H5Literate(loc, H5_INDEX_NAME, H5_ITER_INC, NULL, collect_name, &n) < 0 || n.failed) {
    names_free(&n);
    return -1;
  }
  int bad = 0;
  for (size_t k = 0; k < n.count && !bad; k++) {
    int skipped = 0;
    for (size_t s = 0; s < nskip; s++) skipped |= strcmp(n.v[k], skip[s]) == 0;
    if (!skipped) bad = read_array(loc, n.v[k], str_type, l, keep);
  }
  names_free(&n);
  return bad;
}

static void *read_whole_1d(hid_t loc, const char *name, hid_t mt, size_t esize, size_t *count) {
  hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
  if (d < 0) return NULL;
  hid_t sp = H5Dget_space(d);
  hssize_t np = H5Sget_simple_extent_npoints(sp);
  H5Sclose(sp);
  void *buf = np < 0 ? NULL : malloc((size_t)(np ? np : 1) * esize);
  if (buf && np > 0 && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
    free(buf);
    buf = NULL;
  }
  H5Dclose(d);
  if (buf) *count = (size_t)np;
  return buf;
}

static int read_transform(spx_results *r, hid_t mg, size_t i, size_t b, size_t rep,
                          spx_cell_result *c, strs *keep) {
  char path[128];
  snprintf(path, sizeof path, "transform/%zu/%zu/%zu", i, b, rep);
  if (H5Oexists_by_name(mg, path, H5P_DEFAULT) <= 0) return 0; /* none */
  hid_t g = H5Gopen2(mg, path, H5P_DEFAULT);
  if (g < 0) return -1;
  static const char *const basis_names[] = {"fourier", "moebius", "index"};
  char *basis = read_attr_text(g, "basis", r->str_type);
  int64_t n = 0;
  hid_t a = H5Aexists(g, "n") > 0 ? H5Aopen(g, "n", H5P_DEFAULT) : -1;
  int bad = basis == NULL || a < 0 || H5Aread(a, H5T_NATIVE_INT64, &n) < 0;
  if (a >= 0) H5Aclose(a);
  spx_transform_csr *t = &c->transform;
  for (int k = 0; !bad && k < 3; k++)
    if (strcmp(basis, basis_names[k]) == 0) t->basis = (spx_basis)k;
  free(basis);
  size_t no = 0, ni = 0, nc = 0;
  if (!bad) {
    t->n = (uint32_t)n;
    t->offsets = read_whole_1d(g, "offsets", H5T_NATIVE_UINT64, 8, &no);
    t->indices = read_whole_1d(g, "indices", H5T_NATIVE_UINT32, 4, &ni);
    t->coefficients = read_whole_1d(g, "coefficients", H5T_NATIVE_DOUBLE, 8, &nc);
    bad = !t->offsets || !t->indices || !t->coefficients || no != nc + 1 || t->offsets[nc] != ni;
    t->nterms = nc;
  }
  static const char *const skip[] = {"offsets", "indices", "coefficients"};
  if (!bad) bad = read_other_arrays(g, skip, 3, r->str_type, &c->arrays, keep);
  H5Gclose(g);
  c->has_transform = 1;
  return bad ? -1 : 0;
}

/* The record of a finished cell of the file. */
static int read_cell(spx_results *r, hid_t mg, size_t m, size_t i, size_t b, size_t rep,
                     signed char status, spx_cell_result *c, strs *keep, spx_error *err) {
  if (spx_cell_init(c, (int64_t)m, (int64_t)i, (int64_t)b, (int64_t)rep, r->nslots, err))
    return SPX_ENOMEM;
  c->status = status;
  hsize_t at[3] = {i, b, rep};
  int bad = read_elem(mg, "queries", H5T_NATIVE_UINT64, at, 3, 1, &c->queries);
  bad |= read_elem(mg, "time_decode", H5T_NATIVE_DOUBLE, at, 3, 1, &c->time_decode);
  bad |= read_elem(mg, "time_oracle", H5T_NATIVE_DOUBLE, at, 3, 1, &c->time_oracle);
  bad |= read_elem(mg, "peak_rss_mib", H5T_NATIVE_DOUBLE, at, 3, 1, &c->peak_rss_mib);
  char *msg = NULL;
  bad |= read_elem(mg, "message", r->str_type, at, 3, 1, &msg);
  if (msg) {
    if (msg[0]) spx_cell_set_message(c, msg);
    H5free_memory(msg);
  }
  for (size_t k = 0, slot = 0; !bad && k < r->nscores; slot += spx_score_slots(&r->scores[k]), k++) {
    const spx_score_dataset *d = &r->scores[k];
    bad |= read_elem(mg, d->name, H5T_NATIVE_DOUBLE, at, d->width ? 4 : 3, d->width ? d->width : 1,
                     &c->scores[slot]);
  }
  if (!bad) bad = read_transform(r, mg, i, b, rep, c, keep);
  if (bad)
    return spx_error_set(err, SPX_EIO, "%s: cannot read back cell (%s, explicand %zu, budget "
                         "%zu, repeat %zu) for its journal", r->path, r->labels[m], i, b, rep);
  return SPX_OK;
}

/* The explicand record of the file's instance i. */
static int read_instance(spx_results *r, size_t i, inst_rec *x, spx_error *err) {
  memset(x, 0, sizeof *x);
  x->instance = i;
  char path[64];
  snprintf(path, sizeof path, "explicands/%zu", i);
  hid_t g = H5Gopen2(r->file, path, H5P_DEFAULT);
  if (g < 0) return spx_error_set(err, SPX_EIO, "%s: cannot read back %s", r->path, path);
  int64_t n = 0, ex = 0;
  hid_t a = H5Aopen(g, "n", H5P_DEFAULT);
  int bad = a < 0 || H5Aread(a, H5T_NATIVE_INT64, &n) < 0;
  if (a >= 0) H5Aclose(a);
  a = H5Aopen(g, "explicand", H5P_DEFAULT);
  bad |= a < 0 || H5Aread(a, H5T_NATIVE_INT64, &ex) < 0;
  if (a >= 0) H5Aclose(a);
  x->d.n = (size_t)n;
  x->d.explicand = (size_t)ex;
  x->description = read_attr_text(g, "description", r->str_type);
  x->d.description = x->description;
  size_t cnt = 0, nv = 0, nb = 0;
  char **lab = bad ? NULL : read_whole_1d(g, "labels", r->str_type, sizeof(char *), &cnt);
  if (lab) {
    x->labels = calloc(cnt ? cnt : 1, sizeof *x->labels);
    for (size_t k = 0; x->labels && k < cnt; k++) x->labels[k] = strdup(lab[k] ? lab[k] : "");
    hid_t ms = H5Screate_simple(1, (hsize_t[]){cnt}, NULL);
    if (cnt) H5Dvlen_reclaim(r->str_type, ms, H5P_DEFAULT, lab);
    H5Sclose(ms);
    free(lab);
    for (size_t k = 0; x->labels && k < cnt; k++) bad |= x->labels[k] == NULL;
    bad |= x->labels == NULL || cnt != x->d.n;
    x->d.labels = (const char *const *)x->labels;
  } else {
    bad = 1;
  }
  x->values = bad ? NULL : read_whole_1d(g, "test_values", H5T_NATIVE_DOUBLE, 8, &nv);
  x->masks = bad ? NULL : read_whole_1d(g, "test_masks", H5T_NATIVE_UINT64, 8, &cnt);
  x->budget = bad ? NULL : read_whole_1d(g, "budget", H5T_NATIVE_UINT64, 8, &nb);
  bad |= !x->values || !x->masks || !x->budget || nb != r->budgets ||
         cnt != nv * ((x->d.n + 63) / 64);
  x->d.test_count = nv;
  x->d.test_masks = x->masks;
  x->d.test_values = x->values;
  x->d.budget = x->budget;
  static const char *const skip[] = {"labels", "test_masks", "test_values", "budget"};
  if (!bad) bad = read_other_arrays(g, skip, 4, r->str_type, &x->arrays, &x->keep);
  x->d.arrays = &x->arrays;
  H5Gclose(g);
  if (bad) {
    /* labels were set to n entries only when cnt == n: free what was made */
    if (x->labels && cnt != x->d.n) {
      for (size_t k = 0; k < cnt; k++) free(x->labels[k]);
      free(x->labels);
      x->labels = NULL;
    }
    return spx_error_set(err, SPX_EIO, "%s: cannot read back %s for its journal", r->path, path);
  }
  return SPX_OK;
}

/* Copy the file's set-up explicands and finished cells into r->journal. */
static int seed(spx_results *r, spx_error *err) {
  spx_h5_guard g;
  spx_h5_guard_begin(&g);
  int rc = SPX_OK;
  for (size_t i = 0; rc == SPX_OK && i < r->instances; i++) {
    if (!spx_results_has_instance(r, i)) continue;
    inst_rec x;
    rc = read_instance(r, i, &x, err);
    if (rc == SPX_OK) rc = spx_res_journal_instance(r, i, &x.d, err);
    inst_rec_free(&x);
  }
  size_t cells = r->instances * r->budgets * r->repeats;
  signed char *st = malloc(cells ? cells : 1);
  if (rc == SPX_OK && st == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  for (size_t m = 0; rc == SPX_OK && m < r->nmethods; m++) {
    char base[160];
    snprintf(base, sizeof base, "results/%s", r->labels[m]);
    hid_t mg = H5Gopen2(r->file, base, H5P_DEFAULT);
    hid_t d = mg < 0 ? -1 : H5Dopen2(mg, "status", H5P_DEFAULT);
    if (d < 0 || H5Dread(d, r->status_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, st) < 0)
      rc = spx_error_set(err, SPX_EIO, "%s: cannot read back %s/status", r->path, base);
    if (d >= 0) H5Dclose(d);
    for (size_t k = 0; rc == SPX_OK && k < cells; k++) {
      if (st[k] == SPX_CELL_PENDING) continue;
      size_t i = k / (r->budgets * r->repeats), b = k / r->repeats % r->budgets, rep = k % r->repeats;
      spx_cell_result c;
      strs keep = {0};
      rc = read_cell(r, mg, m, i, b, rep, st[k], &c, &keep, err);
      if (rc == SPX_OK) rc = spx_res_journal_cell(r, m, i, b, rep, &c, err);
      spx_cell_free(&c);
      strs_free(&keep);
    }
    if (mg >= 0) H5Gclose(mg);
  }
  free(st);
  spx_h5_guard_end(&g);
  return rc;
}

int spx_res_journal_attach(spx_results *r, const char *config, spx_error *err) {
  char *jp = spx_journal_path(r->path);
  if (jp == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory");
  struct stat sb;
  int rc = SPX_OK;
  if (stat(jp, &sb) == 0) {
    spx_journal_info info;
    spx_error je = {0};
    rc = spx_journal_open(jp, config, NULL, NULL, &r->journal, &info, &je);
    if (rc == SPX_OK && info.complete) {
      free(jp);
      return SPX_OK;
    }
    spx_journal_close(&r->journal, 0);
    if (rc == SPX_EIO) { /* locked or unreadable: say so, touch nothing */
      free(jp);
      return spx_error_set(err, rc, "%s", je.msg);
    }
    /* not a journal of this file's content (another configuration, or not complete): a new
     * one replaces it */
  }
  /* a new journal holding the file's content, made under a temporary name */
  size_t len = strlen(jp) + 40;
  char *tmp = malloc(len);
  if (tmp == NULL) {
    free(jp);
    return spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  snprintf(tmp, len, "%s.tmp-%ld", jp, (long)getpid());
  rc = spx_journal_create(tmp, config, 0, &r->journal, err);
  if (rc == SPX_OK) rc = seed(r, err);
  if (rc == SPX_OK) {
    spx_bytes none = {0};
    rc = append(r, SPX_JOURNAL_COMPLETE, &none, err);
  }
  if (rc == SPX_OK) rc = spx_journal_rename(r->journal, jp, err);
  if (rc) {
    spx_journal_close(&r->journal, 1);
    /* nothing was written to the result file yet: it is as it was */
    char msg[3 * SPX_ERRMSG_LEN];
    snprintf(msg, sizeof msg, "%s (while starting the journal of %s, before anything was "
             "written to it: the file is unchanged)", err ? err->msg : "error", r->path);
    if (err) spx_error_set(err, rc, "%s", msg);
  }
  free(tmp);
  free(jp);
  return rc;
}

/* ---- rebuild ------------------------------------------------------------------------------- */

typedef struct replay_ctx {
  spx_results *r;
  size_t instances, cells;
} replay_ctx;

static int replay(void *ctx, int type, const unsigned char *p, size_t len, spx_error *err) {
  replay_ctx *x = ctx;
  spx_results *r = x->r;
  spx_bytes_reader rd = {p, len, 0, 0};
  int rc = SPX_OK;
  if (type == SPX_JOURNAL_INSTANCE) {
    inst_rec ir;
    if (unpack_instance(&rd, r->budgets, &ir) || ir.instance >= r->instances) {
      rc = spx_error_set(err, SPX_EINVAL, "%s: a journal record of an explicand is malformed",
                         r->path);
    } else {
      rc = spx_res_write_instance_body(r, ir.instance, &ir.d, err);
      if (rc < 0) rc = spx_error_set(err, SPX_EIO, "%s: HDF5 failed to write explicand %zu",
                                     r->path, ir.instance);
      x->instances++;
    }
    inst_rec_free(&ir);
  } else if (type == SPX_JOURNAL_CELL) {
    size_t m = (size_t)get_u64(&rd), i = (size_t)get_u64(&rd), b = (size_t)get_u64(&rd),
           rep = (size_t)get_u64(&rd);
    spx_cell_result c;
    strs keep = {0};
    spx_error e = {0};
    if (rd.failed || spx_cell_unpack(&rd, &c, &e) || get_array_texts(&rd, &c.arrays, &keep)) {
      rc = spx_error_set(err, SPX_EINVAL, "%s: a journal record of a cell is malformed", r->path);
    } else {
      rc = spx_res_write_cell_body(r, m, i, b, rep, &c, err);
      if (rc < 0) rc = spx_error_set(err, SPX_EIO, "%s: HDF5 failed to write a cell", r->path);
      x->cells++;
    }
    spx_cell_free(&c);
    strs_free(&keep);
  }
  return rc;
}

int spx_res_journal_rebuild(spx_results *r, const spx_results_layout *L, int *tried,
                            spx_error *err) {
  *tried = 0;
  char *jp = spx_journal_path(r->path);
  if (jp == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory");
  struct stat sb;
  if (stat(jp, &sb) != 0) {
    free(jp);
    return SPX_OK;
  }
  *tried = 1;
  spx_error why = *err; /* what is wrong with the file, without the advice that follows */
  static const char *const advice[] = {"; the file cannot be resumed", "; it was left unchanged",
                                       "; it cannot be resumed"};
  for (size_t k = 0; k < 3; k++) {
    char *cut = strstr(why.msg, advice[k]);
    if (cut) *cut = '\0';
  }
  char *tmp = NULL;
  int rc = spx_h5_create_temp(r->path, &tmp, &r->file, err);
  spx_h5_guard g;
  spx_h5_guard_begin(&g);
  if (rc == SPX_OK && spx_h5_reserve(r->file, spx_res_layout_bytes(L) + (uint64_t)sb.st_size * 2))
    rc = spx_error_set(err, SPX_EIO, "no space left on the device for the rebuilt file %s "
                       "(%.2f MiB free)", tmp, (double)spx_h5_free_bytes(tmp) / 1048576.0);
  if (rc == SPX_OK) rc = spx_res_build_layout(r, L, err);
  replay_ctx ctx = {r, 0, 0};
  spx_journal_info info = {0};
  if (rc == SPX_OK) rc = spx_journal_open(jp, L->config, replay, &ctx, NULL, &info, err);
  if (rc == SPX_OK && !info.complete)
    rc = spx_error_set(err, SPX_EINVAL, "%s does not hold every cell of the file (it was "
                       "started for a file made by an older version and not finished)", jp);
  char stamp[32];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (rc == SPX_OK) {
    hid_t mg = H5Gopen2(r->file, "meta", H5P_DEFAULT);
    if (mg < 0 || spx_res_attr_str(r, mg, "rebuilt_from_journal", stamp))
      rc = spx_error_set(err, SPX_EIO, "HDF5 failed to write /meta");
    if (mg >= 0) H5Gclose(mg);
  }
  spx_h5_guard_end(&g);
  if (r->file >= 0 && spx_h5_close(r->file) != 0 && rc == SPX_OK)
    rc = spx_error_set(err, SPX_EIO, "%s: HDF5 failed to close the rebuilt file%s%s", tmp,
                       g.reason[0] ? ": " : "", g.reason);
  r->file = -1;
  /* the damaged file stays as PATH.damaged; the rebuilt one takes its name */
  size_t dl = strlen(r->path) + sizeof ".damaged";
  char *damaged = malloc(dl);
  if (rc == SPX_OK && damaged == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  if (rc == SPX_OK) {
    snprintf(damaged, dl, "%s.damaged", r->path);
    if (rename(r->path, damaged) != 0)
      rc = spx_error_set(err, SPX_EIO, "%s: cannot move the damaged file aside to %s: %s",
                         r->path, damaged, strerror(errno));
    else if ((rc = spx_h5_publish(tmp, r->path, err)) != SPX_OK && rename(damaged, r->path) != 0) {
    }
  }
  if (rc) {
    if (tmp) unlink(tmp);
    char msg[3 * SPX_ERRMSG_LEN];
    snprintf(msg, sizeof msg, "%s; rebuilding it from its journal %s failed: %s", why.msg, jp,
             err->msg);
    rc = spx_error_set(err, SPX_EIO, "%s", msg); /* a damaged file: exit 1, not a usage error */
  } else {
    char msg[3 * SPX_ERRMSG_LEN];
    snprintf(msg, sizeof msg, "%s was damaged (%s); it was rebuilt from its journal (%zu "
             "explicands and %zu cell records%s); the damaged file is kept as %s",
             r->path, why.msg, ctx.instances, ctx.cells,
             info.dropped ? ", a torn last record dropped" : "", damaged);
    free(r->note);
    r->note = strdup(msg);
  }
  free(damaged);
  free(tmp);
  free(jp);
  return rc;
}
