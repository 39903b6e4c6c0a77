/* results.c: the HDF5 result file (results.h): layout, cell writes, resume reads. */
#include "results.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

struct spx_results {
  hid_t file;
  char *path;
  size_t instances, budgets, repeats, nmethods;
  char **labels;
  int recovery;
  size_t nprune, prune_random; /* fractions and random orders of [pruning] (0: none) */
  hid_t str_type, status_type;
};

/* The float64 cell datasets: four always, the last four in recovery and scaling
 * experiments. */
static const char *const dataset_names[] = {"r2",         "time_decode", "time_oracle",
                                            "peak_rss_mib", "coef_error", "precision",
                                            "recall",     "kendall_tau"};

static char *dupstr(const char *s) {
  size_t len = strlen(s) + 1;
  char *d = malloc(len);
  if (d) memcpy(d, s, len);
  return d;
}

static int h5fail(spx_results *r, spx_error *err, const char *what) {
  return spx_error_set(err, SPX_EIO, "%s: HDF5 failed to %s", r ? r->path : "results", what);
}

static hid_t make_str_type(void) {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}

static hid_t make_status_type(void) {
  hid_t t = H5Tenum_create(H5T_NATIVE_SCHAR);
  static const char *const names[] = {"pending", "ok", "skipped", "failed"};
  for (signed char v = 0; v < 4; v++) H5Tenum_insert(t, names[v], &v);
  return t;
}

/* ---- attributes ---------------------------------------------------------------------------- */

static int attr_str(spx_results *r, hid_t loc, const char *name, const char *value) {
  if (H5Aexists(loc, name) > 0) H5Adelete(loc, name);
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(loc, name, r->str_type, sp, H5P_DEFAULT, H5P_DEFAULT);
  herr_t st = a < 0 ? -1 : H5Awrite(a, r->str_type, &value);
  if (a >= 0) H5Aclose(a);
  H5Sclose(sp);
  return st < 0 ? -1 : 0;
}

static int attr_i64(hid_t loc, const char *name, long long value) {
  if (H5Aexists(loc, name) > 0) H5Adelete(loc, name);
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(loc, name, H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
  int64_t v = value;
  herr_t st = a < 0 ? -1 : H5Awrite(a, H5T_NATIVE_INT64, &v);
  if (a >= 0) H5Aclose(a);
  H5Sclose(sp);
  return st < 0 ? -1 : 0;
}

static int attr_i64_read(hid_t loc, const char *name, long long *value) {
  if (H5Aexists(loc, name) <= 0) return -1;
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  int64_t v = 0;
  herr_t st = a < 0 ? -1 : H5Aread(a, H5T_NATIVE_INT64, &v);
  if (a >= 0) H5Aclose(a);
  *value = v;
  return st < 0 ? -1 : 0;
}

/* ---- datasets ------------------------------------------------------------------------------- */

/* A 1-D or 2-D dataset written in one go (count may be 0). */
static int write_array(hid_t loc, const char *name, hid_t file_type, hid_t mem_type, int rank,
                       const hsize_t *dims, const void *data) {
  if (H5Lexists(loc, name, H5P_DEFAULT) > 0) H5Ldelete(loc, name, H5P_DEFAULT);
  hid_t sp = H5Screate_simple(rank, dims, NULL);
  hid_t d = H5Dcreate2(loc, name, file_type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hsize_t total = 1;
  for (int k = 0; k < rank; k++) total *= dims[k];
  herr_t st = d < 0 ? -1 : 0;
  if (st == 0 && total > 0) st = H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  if (d >= 0) H5Dclose(d);
  H5Sclose(sp);
  return st < 0 ? -1 : 0;
}

/* The [I, B, R] cell dataset name of method m (with extra > 0: [I, B, R, extra]), with fill
 * value fill. */
static int create_cells_dim(spx_results *r, hid_t group, const char *name, hid_t type,
                            const void *fill, size_t extra) {
  hsize_t dims[4] = {r->instances, r->budgets, r->repeats, extra};
  hid_t sp = H5Screate_simple(extra ? 4 : 3, dims, NULL);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  if (fill) H5Pset_fill_value(dcpl, type, fill);
  H5Pset_fill_time(dcpl, H5D_FILL_TIME_ALLOC);
  hid_t d = H5Dcreate2(group, name, type, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  H5Pclose(dcpl);
  H5Sclose(sp);
  if (d < 0) return -1;
  H5Dclose(d);
  return 0;
}

static int create_cells(spx_results *r, hid_t group, const char *name, hid_t type,
                        const void *fill) {
  return create_cells_dim(r, group, name, type, fill, 0);
}

/* Write the row [i, b, rep, 0..extra) of a 4-D cell dataset. */
static int write_cell_row(hid_t group, const char *name, size_t i, size_t b, size_t rep,
                          size_t extra, const double *values) {
  hid_t d = H5Dopen2(group, name, H5P_DEFAULT);
  if (d < 0) return -1;
  hid_t fs = H5Dget_space(d);
  hsize_t start[4] = {i, b, rep, 0}, count[4] = {1, 1, 1, extra}, mdim = extra;
  H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
  hid_t ms = H5Screate_simple(1, &mdim, NULL);
  herr_t st = H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, values);
  H5Sclose(ms);
  H5Sclose(fs);
  H5Dclose(d);
  return st < 0 ? -1 : 0;
}

/* Write one element [i, b, rep] of dataset name in group. */
static int write_cell(hid_t group, const char *name, hid_t mem_type, size_t i, size_t b,
                      size_t rep, const void *value) {
  hid_t d = H5Dopen2(group, name, H5P_DEFAULT);
  if (d < 0) return -1;
  hid_t fs = H5Dget_space(d);
  hsize_t start[3] = {i, b, rep}, count[3] = {1, 1, 1};
  H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
  hid_t ms = H5Screate(H5S_SCALAR);
  herr_t st = H5Dwrite(d, mem_type, ms, fs, H5P_DEFAULT, value);
  H5Sclose(ms);
  H5Sclose(fs);
  H5Dclose(d);
  return st < 0 ? -1 : 0;
}

static int read_all(hid_t group, const char *name, hid_t mem_type, void *out) {
  hid_t d = H5Dopen2(group, name, H5P_DEFAULT);
  if (d < 0) return -1;
  herr_t st = H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out);
  H5Dclose(d);
  return st < 0 ? -1 : 0;
}

/* ---- create / open ------------------------------------------------------------------------ */

static spx_results *alloc_results(const char *path, const spx_results_layout *L,
                                  spx_error *err) {
  spx_results *r = calloc(1, sizeof *r);
  if (r == NULL) {
    spx_error_set(err, SPX_ENOMEM, "out of memory");
    return NULL;
  }
  r->file = -1;
  r->path = dupstr(path);
  r->labels = calloc(L->nmethods ? L->nmethods : 1, sizeof *r->labels);
  r->instances = L->instances;
  r->budgets = L->budgets;
  r->repeats = L->repeats;
  r->recovery = L->recovery;
  r->nprune = L->nprune;
  r->prune_random = L->prune_random;
  r->str_type = make_str_type();
  r->status_type = make_status_type();
  int ok = r->path && r->labels;
  for (size_t m = 0; ok && m < L->nmethods; m++) {
    r->labels[m] = dupstr(L->labels[m]);
    r->nmethods = m + 1;
    ok = r->labels[m] != NULL;
  }
  if (!ok) {
    spx_results_close(&r);
    spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  return r;
}

static int build_layout(spx_results *r, const spx_results_layout *L, spx_error *err) {
  hid_t f = r->file;
  /* /config */
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t d = H5Dcreate2(f, "config", r->str_type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  herr_t st = d < 0 ? -1 : H5Dwrite(d, r->str_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &L->config);
  if (d >= 0) H5Dclose(d);
  H5Sclose(sp);
  if (st < 0) return h5fail(r, err, "write /config");
  hid_t g = H5Gcreate2(f, "meta", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) return h5fail(r, err, "create /meta");
  attr_i64(g, "runs", 0);
  H5Gclose(g);
  /* /budget */
  hsize_t nb = L->budgets;
  if (write_array(f, "budget", H5T_STD_I64LE, H5T_NATIVE_LLONG, 1, &nb, L->budget_points))
    return h5fail(r, err, "write /budget");
  d = H5Dopen2(f, "budget", H5P_DEFAULT);
  attr_str(r, d, "mode", L->budget_spex_b ? "spx_b" : "samples");
  H5Dclose(d);
  g = H5Gcreate2(f, "explicands", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) return h5fail(r, err, "create /explicands");
  H5Gclose(g);
  if (L->nprune) {
    g = H5Gcreate2(f, "pruning", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return h5fail(r, err, "create /pruning");
    hsize_t nf = L->nprune;
    int bad = write_array(g, "fractions", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &nf,
                          L->prune_fractions);
    bad |= attr_str(r, g, "rank_by", L->prune_rank_by ? L->prune_rank_by : "");
    bad |= attr_i64(g, "random_orders", (long long)L->prune_random);
    H5Gclose(g);
    if (bad) return h5fail(r, err, "write /pruning");
  }
  hid_t results = H5Gcreate2(f, "results", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (results < 0) return h5fail(r, err, "create /results");
  int bad = 0;
  for (size_t m = 0; m < L->nmethods && !bad; m++) {
    hid_t mg = H5Gcreate2(results, L->labels[m], H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (mg < 0) {
      bad = 1;
      break;
    }
    attr_str(r, mg, "method", L->methods[m]);
    attr_str(r, mg, "label", L->labels[m]);
    double nan = NAN;
    uint64_t zero = 0;
    signed char pending = SPX_CELL_PENDING;
    size_t ndouble = L->recovery ? 8 : 4;
    for (size_t k = 0; k < ndouble && !bad; k++)
      bad = create_cells(r, mg, dataset_names[k], H5T_IEEE_F64LE, &nan);
    if (!bad) bad = create_cells(r, mg, "queries", H5T_STD_U64LE, &zero);
    if (!bad) bad = create_cells(r, mg, "status", r->status_type, &pending);
    if (!bad) bad = create_cells(r, mg, "message", r->str_type, NULL);
    if (!bad && L->nprune)
      bad = create_cells_dim(r, mg, "pruning_accuracy", H5T_IEEE_F64LE, &nan, L->nprune);
    if (!bad) {
      hid_t tg = H5Gcreate2(mg, "transform", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      bad = tg < 0;
      if (tg >= 0) H5Gclose(tg);
    }
    H5Gclose(mg);
  }
  H5Gclose(results);
  if (bad) return h5fail(r, err, "create the /results datasets");
  return SPX_OK;
}

/* Create (exclusively) or open read-write without HDF5's error stack on stderr: the caller
 * reports a failure with its own message. */
static hid_t quiet_file(const char *path, int create) {
  H5E_auto2_t fn;
  void *data;
  H5Eget_auto2(H5E_DEFAULT, &fn, &data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = create ? H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT)
                   : H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  H5Eset_auto2(H5E_DEFAULT, fn, data);
  return f;
}

int spx_results_create(const char *path, const spx_results_layout *layout, spx_results **out,
                       spx_error *err) {
  *out = NULL;
  spx_results *r = alloc_results(path, layout, err);
  if (r == NULL) return err ? err->code : SPX_ENOMEM;
  r->file = quiet_file(path, 1);
  if (r->file < 0) {
    spx_results_close(&r);
    return spx_error_set(err, SPX_EIO, "%s: cannot create the result file (does it exist "
                                       "already, or is its directory missing?)",
                         path);
  }
  int rc = build_layout(r, layout, err);
  if (rc == SPX_OK) rc = spx_results_flush(r, err);
  if (rc) {
    spx_results_close(&r);
    return rc;
  }
  *out = r;
  return SPX_OK;
}

int spx_results_open(const char *path, const spx_results_layout *layout, spx_results **out,
                     spx_error *err) {
  *out = NULL;
  spx_results *r = alloc_results(path, layout, err);
  if (r == NULL) return err ? err->code : SPX_ENOMEM;
  r->file = quiet_file(path, 0);
  if (r->file < 0) {
    spx_results_close(&r);
    return spx_error_set(err, SPX_EIO, "%s: cannot open the result file to resume it", path);
  }
  /* The stored configuration must be the same. */
  int rc = SPX_OK;
  char *stored = NULL;
  hid_t d = H5Lexists(r->file, "config", H5P_DEFAULT) > 0
                ? H5Dopen2(r->file, "config", H5P_DEFAULT)
                : -1;
  if (d < 0 || H5Dread(d, r->str_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &stored) < 0)
    rc = spx_error_set(err, SPX_EIO, "%s: not a spex-bench result file (no /config)", path);
  else if (strcmp(stored, layout->config) != 0)
    rc = spx_error_set(err, SPX_EINVAL,
                       "%s: the file was written with another configuration; --resume needs "
                       "the same resolved configuration (compare its /config with `spex-bench "
                       "check`)",
                       path);
  if (stored) {
    hid_t sp = H5Screate(H5S_SCALAR);
    H5Dvlen_reclaim(r->str_type, sp, H5P_DEFAULT, &stored);
    H5Sclose(sp);
  }
  if (d >= 0) H5Dclose(d);
  if (rc) {
    spx_results_close(&r);
    return rc;
  }
  *out = r;
  return SPX_OK;
}

void spx_results_close(spx_results **res) {
  if (res == NULL || *res == NULL) return;
  spx_results *r = *res;
  if (r->file >= 0) H5Fclose(r->file);
  for (size_t m = 0; m < r->nmethods; m++) free(r->labels[m]);
  free(r->labels);
  free(r->path);
  H5Tclose(r->str_type);
  H5Tclose(r->status_type);
  free(r);
  *res = NULL;
}

int spx_results_flush(spx_results *res, spx_error *err) {
  if (H5Fflush(res->file, H5F_SCOPE_GLOBAL) < 0) return h5fail(res, err, "flush");
  return SPX_OK;
}

int spx_results_write_meta(spx_results *res, const spx_results_meta *meta, spx_error *err) {
  hid_t g = H5Gopen2(res->file, "meta", H5P_DEFAULT);
  if (g < 0) return h5fail(res, err, "open /meta");
  long long runs = 0;
  attr_i64_read(g, "runs", &runs);
  int bad = 0;
  if (meta->start_time) { /* a new run (create or resume) */
    bad |= attr_i64(g, "runs", runs + 1);
    bad |= attr_str(res, g, "start_time", meta->start_time);
  }
  bad |= attr_str(res, g, "version", meta->version);
  bad |= attr_str(res, g, "git_commit", meta->git_commit);
  bad |= attr_str(res, g, "end_time", meta->end_time ? meta->end_time : "");
  bad |= attr_i64(g, "ranks", meta->ranks);
  bad |= attr_i64(g, "group_size", meta->group_size);
  H5Gclose(g);
  if (bad) return h5fail(res, err, "write /meta");
  return spx_results_flush(res, err);
}

/* ---- instances ------------------------------------------------------------------------------ */

int spx_results_write_instance(spx_results *res, size_t instance, const spx_instance_data *d,
                               spx_error *err) {
  char name[64];
  snprintf(name, sizeof name, "%zu", instance);
  hid_t ex = H5Gopen2(res->file, "explicands", H5P_DEFAULT);
  if (ex < 0) return h5fail(res, err, "open /explicands");
  if (H5Lexists(ex, name, H5P_DEFAULT) > 0) H5Ldelete(ex, name, H5P_DEFAULT);
  hid_t g = H5Gcreate2(ex, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Gclose(ex);
  if (g < 0) return h5fail(res, err, "create an /explicands group");
  int bad = attr_i64(g, "n", (long long)d->n);
  bad |= attr_i64(g, "explicand", (long long)d->explicand);
  bad |= attr_str(res, g, "description", d->description ? d->description : "");
  hsize_t n = d->n;
  bad |= write_array(g, "labels", res->str_type, res->str_type, 1, &n, d->labels);
  hsize_t dims[2] = {d->test_count, (d->n + 63) / 64};
  bad |= write_array(g, "test_masks", H5T_STD_U64LE, H5T_NATIVE_UINT64, 2, dims, d->test_masks);
  bad |= write_array(g, "budget", H5T_STD_U64LE, H5T_NATIVE_UINT64, 1,
                     (hsize_t[]){res->budgets}, d->budget);
  if (res->nprune) {
    hsize_t pdims[2] = {res->prune_random, res->nprune};
    bad |= write_array(g, "pruning_kept", H5T_STD_U64LE, H5T_NATIVE_UINT64, 1, &pdims[1],
                       d->prune_kept);
    bad |= write_array(g, "pruning_full", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, NULL,
                       &d->prune_full);
    bad |= write_array(g, "pruning_random", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, pdims,
                       d->prune_random);
  }
  if (d->feature_images) {
    hsize_t idims[3] = {d->n, d->image_h, d->image_w};
    bad |= write_array(g, "feature_images", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 3, idims,
                       d->feature_images);
    if (d->explicand_image)
      bad |= write_array(g, "explicand_image", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, idims + 1,
                         d->explicand_image);
  }
  /* test_values last: its presence marks a complete instance. */
  bad |= write_array(g, "test_values", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, dims,
                     d->test_values);
  H5Gclose(g);
  if (bad) return h5fail(res, err, "write an /explicands group");
  return SPX_OK;
}

int spx_results_has_instance(spx_results *res, size_t instance) {
  char path[96];
  snprintf(path, sizeof path, "explicands/%zu", instance);
  if (H5Lexists(res->file, path, H5P_DEFAULT) <= 0) return 0;
  strcat(path, "/test_values");
  return H5Lexists(res->file, path, H5P_DEFAULT) > 0;
}

int spx_results_read_instance(spx_results *res, size_t instance, size_t *n, double *values,
                              size_t test_count, spx_error *err) {
  char path[64];
  snprintf(path, sizeof path, "explicands/%zu", instance);
  hid_t g = H5Gopen2(res->file, path, H5P_DEFAULT);
  if (g < 0) return h5fail(res, err, "open an /explicands group");
  long long nn = 0;
  int bad = attr_i64_read(g, "n", &nn);
  hid_t d = H5Dopen2(g, "test_values", H5P_DEFAULT);
  if (d >= 0) {
    hid_t sp = H5Dget_space(d);
    hsize_t dim = 0;
    H5Sget_simple_extent_dims(sp, &dim, NULL);
    H5Sclose(sp);
    if (dim != test_count) bad = 1;
    if (!bad) bad = H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0;
    H5Dclose(d);
  } else {
    bad = 1;
  }
  H5Gclose(g);
  if (bad) return h5fail(res, err, "read an /explicands group");
  *n = (size_t)nn;
  return SPX_OK;
}

/* ---- cells ---------------------------------------------------------------------------------- */

static int write_transform(spx_results *res, hid_t mg, size_t i, size_t b, size_t rep,
                           const spx_cell_result *c) {
  static const char *const basis_names[] = {"fourier", "moebius", "index"};
  char path[128];
  snprintf(path, sizeof path, "transform/%zu/%zu/%zu", i, b, rep);
  if (H5Lexists(mg, "transform", H5P_DEFAULT) <= 0) return -1;
  /* Remove an old copy (a cell that is run again on resume). */
  H5E_auto2_t fn;
  void *data;
  H5Eget_auto2(H5E_DEFAULT, &fn, &data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  htri_t exists = H5Lexists(mg, path, H5P_DEFAULT);
  H5Eset_auto2(H5E_DEFAULT, fn, data);
  if (exists > 0) H5Ldelete(mg, path, H5P_DEFAULT);
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t g = H5Gcreate2(mg, path, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  H5Pclose(lcpl);
  if (g < 0) return -1;
  int bad = attr_str(res, g, "basis", basis_names[c->basis < 3 && c->basis >= 0 ? c->basis : 2]);
  bad |= attr_i64(g, "n", c->n);
  hsize_t no = c->nterms + 1, ni = c->offsets[c->nterms], nc = c->nterms;
  bad |= write_array(g, "offsets", H5T_STD_U64LE, H5T_NATIVE_UINT64, 1, &no, c->offsets);
  bad |= write_array(g, "indices", H5T_STD_U32LE, H5T_NATIVE_UINT32, 1, &ni, c->indices);
  bad |= write_array(g, "coefficients", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &nc,
                     c->coefficients);
  if (c->prune_order) {
    hsize_t nn = c->n;
    bad |= write_array(g, "pruning_order", H5T_STD_U32LE, H5T_NATIVE_UINT32, 1, &nn,
                       c->prune_order);
  }
  H5Gclose(g);
  return bad ? -1 : 0;
}

int spx_results_write_cell(spx_results *res, size_t method, size_t instance, size_t budget,
                           size_t repeat, const spx_cell_result *c, spx_error *err) {
  if (method >= res->nmethods || instance >= res->instances || budget >= res->budgets ||
      repeat >= res->repeats)
    return spx_error_set(err, SPX_EINTERNAL, "cell (%zu, %zu, %zu, %zu) outside the file", method,
                         instance, budget, repeat);
  hid_t results = H5Gopen2(res->file, "results", H5P_DEFAULT);
  hid_t mg = results < 0 ? -1 : H5Gopen2(results, res->labels[method], H5P_DEFAULT);
  if (results >= 0) H5Gclose(results);
  if (mg < 0) return h5fail(res, err, "open a /results group");
  double vals[8] = {c->r2,        c->time_decode, c->time_oracle, c->peak_rss_mib,
                    c->coef_error, c->precision,  c->recall,      c->kendall_tau};
  int bad = 0;
  size_t ndouble = res->recovery ? 8 : 4;
  for (size_t k = 0; k < ndouble; k++)
    bad |= write_cell(mg, dataset_names[k], H5T_NATIVE_DOUBLE, instance, budget, repeat, &vals[k]);
  bad |= write_cell(mg, "queries", H5T_NATIVE_UINT64, instance, budget, repeat, &c->queries);
  const char *msg = c->message ? c->message : "";
  bad |= write_cell(mg, "message", res->str_type, instance, budget, repeat, &msg);
  if (c->has_transform) bad |= write_transform(res, mg, instance, budget, repeat, c);
  if (res->nprune) { /* NaN unless an ok cell brings its curve (a re-run cell is reset) */
    double *row = malloc(res->nprune * sizeof *row);
    if (row == NULL) {
      H5Gclose(mg);
      return spx_error_set(err, SPX_ENOMEM, "out of memory");
    }
    for (size_t j = 0; j < res->nprune; j++)
      row[j] = c->prune_accuracy && c->status == SPX_CELL_OK ? c->prune_accuracy[j] : NAN;
    bad |= write_cell_row(mg, "pruning_accuracy", instance, budget, repeat, res->nprune, row);
    free(row);
  }
  /* status last: a cell is finished only once everything else is in the file. */
  signed char st = (signed char)c->status;
  bad |= write_cell(mg, "status", res->status_type, instance, budget, repeat, &st);
  H5Gclose(mg);
  if (bad) return h5fail(res, err, "write a result cell");
  return SPX_OK;
}

int spx_results_read_cells(spx_results *res, size_t method, int *status, double *r2,
                           double *time_decode, uint64_t *queries, spx_error *err) {
  hid_t results = H5Gopen2(res->file, "results", H5P_DEFAULT);
  hid_t mg = results < 0 ? -1 : H5Gopen2(results, res->labels[method], H5P_DEFAULT);
  if (results >= 0) H5Gclose(results);
  if (mg < 0) return h5fail(res, err, "open a /results group");
  size_t cells = res->instances * res->budgets * res->repeats;
  int bad = 0;
  if (status) {
    signed char *s = malloc(cells ? cells : 1);
    bad = s == NULL || read_all(mg, "status", res->status_type, s);
    for (size_t k = 0; !bad && k < cells; k++) status[k] = s[k];
    free(s);
  }
  if (!bad && r2) bad = read_all(mg, "r2", H5T_NATIVE_DOUBLE, r2);
  if (!bad && time_decode) bad = read_all(mg, "time_decode", H5T_NATIVE_DOUBLE, time_decode);
  if (!bad && queries) bad = read_all(mg, "queries", H5T_NATIVE_UINT64, queries);
  H5Gclose(mg);
  if (bad) return h5fail(res, err, "read the result cells");
  return SPX_OK;
}

/* ---- pruning -------------------------------------------------------------------------------- */

int spx_results_read_pruning(spx_results *res, size_t method, double *acc, spx_error *err) {
  if (res->nprune == 0 || method >= res->nmethods)
    return spx_error_set(err, SPX_EINVAL, "%s: no pruning data for method %zu", res->path, method);
  hid_t results = H5Gopen2(res->file, "results", H5P_DEFAULT);
  hid_t mg = results < 0 ? -1 : H5Gopen2(results, res->labels[method], H5P_DEFAULT);
  if (results >= 0) H5Gclose(results);
  if (mg < 0) return h5fail(res, err, "open a /results group");
  int bad = read_all(mg, "pruning_accuracy", H5T_NATIVE_DOUBLE, acc);
  H5Gclose(mg);
  if (bad) return h5fail(res, err, "read pruning_accuracy");
  return SPX_OK;
}

int spx_results_read_pruning_instance(spx_results *res, size_t instance, double *full,
                                      double *random, spx_error *err) {
  *full = NAN;
  for (size_t k = 0; k < res->prune_random * res->nprune; k++) random[k] = NAN;
  if (!spx_results_has_instance(res, instance)) return SPX_OK;
  char path[64];
  snprintf(path, sizeof path, "explicands/%zu", instance);
  hid_t g = H5Gopen2(res->file, path, H5P_DEFAULT);
  if (g < 0) return h5fail(res, err, "open an /explicands group");
  int bad = read_all(g, "pruning_full", H5T_NATIVE_DOUBLE, full);
  if (!bad && res->prune_random && res->nprune)
    bad = read_all(g, "pruning_random", H5T_NATIVE_DOUBLE, random);
  H5Gclose(g);
  if (bad) return h5fail(res, err, "read the pruning references");
  return SPX_OK;
}
