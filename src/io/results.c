/* results.c: the HDF5 result file (results.h): layout, cell writes, resume reads.
 *
 * File safety (issue #14, h5safe.h): a new file is built under a temporary name and renamed
 * into place once its layout and /config are complete; every write first reserves disk space
 * for itself (a full disk stops the run before the file is touched, so every cell flushed
 * before stays readable); a failed write or flush marks the file broken and detaches it (the
 * close then cannot crash HDF5 at MPI_Finalize); --resume checks the file read-only (an
 * HDF5 file, not locked, our /config, every finished cell readable) before opening it for
 * writing, so a foreign or damaged file is refused without a byte written into it; unless
 * it has a journal (results_journal.c: every explicand and cell is appended to PATH.journal
 * and synced before it is written here), from which a damaged file is rebuilt. */
#include "results.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "h5safe.h"
#include "results_internal.h"


/* The float64 cell datasets every run has (the scorers' columns come on top). */
static const char *const dataset_names[] = {"time_decode", "time_oracle", "peak_rss_mib"};
enum { NFIXED = 3 };

size_t spx_score_slots(const spx_score_dataset *d) { return d->width ? d->width : 1; }

size_t spx_score_slots_all(const spx_score_dataset *d, size_t count) {
  size_t s = 0;
  for (size_t k = 0; k < count; k++) s += spx_score_slots(&d[k]);
  return s;
}

static char *dupstr(const char *s) {
  size_t len = strlen(s) + 1;
  char *d = malloc(len);
  if (d) memcpy(d, s, len);
  return d;
}

static int h5fail(spx_results *r, spx_error *err, const char *what) {
  return spx_error_set(err, SPX_EIO, "%s: HDF5 failed to %s", r ? r->path : "results", what);
}

/* A failed write: mark the file broken (no further writes), detach it so that closing it
 * cannot fail or crash, and say what is kept. */
static int wfail(spx_results *r, spx_error *err, const char *what, const spx_h5_guard *g) {
  char msg[SPX_ERRMSG_LEN];
  snprintf(msg, sizeof msg,
           "%s: writing the result file failed (%s) while trying to %s; the run stops. Every "
           "cell finished before is kept in its journal %s.journal (and in the file, unless "
           "the failure damaged it): fix the cause and continue with --resume, which rebuilds "
           "a damaged file from the journal",
           r->path, g->reason[0] ? g->reason : "HDF5 error", what, r->path);
  if (!r->broken) {
    r->broken = 1;
    free(r->broken_msg);
    r->broken_msg = dupstr(msg);
    if (r->file >= 0) spx_h5_detach(r->file);
  }
  return spx_error_set(err, SPX_EIO, "%s", msg);
}

/* Before a write of about payload bytes: refuse when broken, and reserve disk space for it
 * (twice the payload plus 64 KiB of HDF5 metadata). */
static int before_write(spx_results *r, uint64_t payload, spx_error *err) {
  if (r->broken)
    return spx_error_set(err, SPX_EIO, "%s", r->broken_msg ? r->broken_msg : "result file broken");
  uint64_t need = 2 * payload + (64u << 10);
  int e = spx_h5_reserve(r->file, need);
  if (e == 0) return SPX_OK;
  char msg[SPX_ERRMSG_LEN];
  uint64_t avail = spx_h5_free_bytes(r->path);
  if (e == ENOSPC || e == EDQUOT)
    snprintf(msg, sizeof msg,
             "%s: no space left on the device (%.2f MiB free, about %.2f MiB needed for the "
             "next write); the run stops here. Every cell finished before is in the file: "
             "free space and continue with --resume",
             r->path, avail == UINT64_MAX ? 0.0 : (double)avail / 1048576.0,
             (double)need / 1048576.0);
  else
    snprintf(msg, sizeof msg,
             "%s: cannot reserve space for the next write (%s); the run stops here. Every cell "
             "finished before is in the file: fix the cause and continue with --resume",
             r->path, strerror(e));
  r->broken = 1;
  free(r->broken_msg);
  r->broken_msg = dupstr(msg);
  return spx_error_set(err, SPX_EIO, "%s", msg);
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

int spx_res_attr_str(spx_results *r, hid_t loc, const char *name, const char *value) {
  if (H5Aexists(loc, name) > 0) H5Adelete(loc, name);
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(loc, name, r->str_type, sp, H5P_DEFAULT, H5P_DEFAULT);
  herr_t st = a < 0 ? -1 : H5Awrite(a, r->str_type, &value);
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

/* units and description attributes of dataset name in loc (NULL: none). */
static int describe(spx_results *r, hid_t loc, const char *name, const char *units,
                    const char *description) {
  if (!r->describe || (units == NULL && description == NULL)) return 0;
  hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
  if (d < 0) return -1;
  int bad = units ? spx_res_attr_str(r, d, "units", units) : 0;
  if (description) bad |= spx_res_attr_str(r, d, "description", description);
  H5Dclose(d);
  return bad;
}

/* An spx_array as a dataset of loc (with its units and description). */
static int write_spx_array(spx_results *r, hid_t loc, const spx_array *a) {
  hid_t ft = a->type == SPX_ARRAY_F64 ? H5T_IEEE_F64LE
             : a->type == SPX_ARRAY_U64 ? H5T_STD_U64LE : H5T_STD_U32LE;
  hid_t mt = a->type == SPX_ARRAY_F64 ? H5T_NATIVE_DOUBLE
             : a->type == SPX_ARRAY_U64 ? H5T_NATIVE_UINT64 : H5T_NATIVE_UINT32;
  hsize_t dims[3] = {a->dims[0], a->dims[1], a->dims[2]};
  if (write_array(loc, a->name, ft, mt, a->rank, dims, a->data)) return -1;
  return describe(r, loc, a->name, a->units, a->description);
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
  r->lock_fd = -1;
  r->path = dupstr(path);
  r->labels = calloc(L->nmethods ? L->nmethods : 1, sizeof *r->labels);
  r->instances = L->instances;
  r->budgets = L->budgets;
  r->repeats = L->repeats;
  r->nprune = L->nprune;
  r->describe = L->describe;
  r->prune_random = L->prune_random;
  r->str_type = make_str_type();
  r->status_type = make_status_type();
  r->scores = calloc(L->nscores ? L->nscores : 1, sizeof *r->scores);
  int ok = r->path && r->labels && r->scores;
  for (size_t k = 0; ok && k < L->nscores; k++) {
    r->scores[k] = L->scores[k];
    r->scores[k].name = dupstr(L->scores[k].name);
    r->nscores = k + 1;
    ok = r->scores[k].name != NULL;
  }
  r->nslots = ok ? spx_score_slots_all(r->scores, r->nscores) : 0;
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

int spx_res_build_layout(spx_results *r, const spx_results_layout *L, spx_error *err) {
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
  spx_h5_attr_i64(g, "runs", 0);
  H5Gclose(g);
  /* /budget */
  hsize_t nb = L->budgets;
  if (write_array(f, "budget", H5T_STD_I64LE, H5T_NATIVE_LLONG, 1, &nb, L->budget_points))
    return h5fail(r, err, "write /budget");
  d = H5Dopen2(f, "budget", H5P_DEFAULT);
  spx_res_attr_str(r, d, "mode", L->budget_spex_b ? "spx_b" : "samples");
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
    bad |= spx_res_attr_str(r, g, "rank_by", L->prune_rank_by ? L->prune_rank_by : "");
    bad |= spx_h5_attr_i64(g, "random_orders", (long long)L->prune_random);
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
    spx_res_attr_str(r, mg, "method", L->methods[m]);
    spx_res_attr_str(r, mg, "label", L->labels[m]);
    double nan = NAN;
    uint64_t zero = 0;
    signed char pending = SPX_CELL_PENDING;
    for (size_t k = 0; k < L->nscores && !bad; k++) {
      bad = create_cells_dim(r, mg, L->scores[k].name, H5T_IEEE_F64LE, &nan, L->scores[k].width);
      if (!bad) bad = describe(r, mg, L->scores[k].name, L->scores[k].units,
                               L->scores[k].description);
    }
    for (size_t k = 0; k < NFIXED && !bad; k++)
      bad = create_cells(r, mg, dataset_names[k], H5T_IEEE_F64LE, &nan);
    if (!bad) bad = create_cells(r, mg, "queries", H5T_STD_U64LE, &zero);
    if (!bad) bad = create_cells(r, mg, "status", r->status_type, &pending);
    if (!bad) bad = create_cells(r, mg, "message", r->str_type, NULL);
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

/* Bytes of the cell datasets and tables a layout creates (for the space reservation). */
uint64_t spx_res_layout_bytes(const spx_results_layout *L) {
  uint64_t cells = (uint64_t)L->instances * L->budgets * L->repeats;
  uint64_t per_method =
      cells * (8 * (NFIXED + spx_score_slots_all(L->scores, L->nscores)) + 8 + 1 + 16) + 4096;
  return strlen(L->config) + per_method * L->nmethods + 16 * L->budgets + 8 * L->nprune + 4096;
}

int spx_results_create(const char *path, const spx_results_layout *layout, spx_results **out,
                       spx_error *err) {
  *out = NULL;
  spx_results *r = alloc_results(path, layout, err);
  if (r == NULL) return err ? err->code : SPX_ENOMEM;
  char *tmp = NULL;
  int rc = spx_h5_create_temp(path, &tmp, &r->file, err);
  if (rc) {
    spx_results_close(&r);
    return rc;
  }
  spx_h5_guard g;
  spx_h5_guard_begin(&g);
  rc = before_write(r, spx_res_layout_bytes(layout), err);
  if (rc == SPX_OK) rc = spx_res_build_layout(r, layout, err);
  if (rc == SPX_OK && H5Fflush(r->file, H5F_SCOPE_GLOBAL) < 0)
    rc = wfail(r, err, "flush the new file", &g);
  spx_h5_guard_end(&g);
  /* its journal, made before the file has its name: a published file always has one */
  if (rc == SPX_OK) rc = spx_res_journal_create(r, tmp, layout->config, err);
  /* complete: lock it and give it its name (never over a file that appeared meanwhile) */
  if (rc == SPX_OK) rc = spx_h5_lock(tmp, &r->lock_fd, err);
  if (rc == SPX_OK) rc = spx_h5_publish(tmp, path, err);
  if (rc == SPX_OK) rc = spx_res_journal_publish(r, err);
  if (rc) {
    spx_journal_close(&r->journal, 1);
    spx_results_close(&r);
    unlink(tmp); /* no-op once published or removed */
    free(tmp);
    return rc;
  }
  free(tmp);
  *out = r;
  return SPX_OK;
}

/* Open path with HDF5 (read-only or read-write), naming a lock held by another process and a
 * truncated file. */
static int open_file(spx_results *r, int writable, int *locked, spx_error *err) {
  spx_h5_guard g;
  spx_h5_guard_begin(&g);
  r->file = H5Fopen(r->path, writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT);
  spx_h5_guard_end(&g);
  if (r->file >= 0) return SPX_OK;
  if (locked) *locked = g.locked;
  if (g.locked)
    return spx_error_set(err, SPX_EIO, "%s: the file is locked by another process (another "
                         "spex-bench run writing it?); wait for it to end", r->path);
  if (g.truncated)
    return spx_error_set(err, SPX_EIO, "%s: damaged: the file is truncated (shorter than its "
                         "HDF5 superblock says); it cannot be resumed", r->path);
  return spx_error_set(err, SPX_EIO, "%s: damaged or not a spex-bench result file: HDF5 cannot "
                       "open it%s%s; it was left unchanged", r->path, g.reason[0] ? ": " : "",
                       g.reason);
}

/* Compare the stored /config with the layout's. */
static int check_config(spx_results *r, const spx_results_layout *layout, int *other,
                        spx_error *err) {
  int rc = SPX_OK;
  char *stored = NULL;
  hid_t d = H5Lexists(r->file, "config", H5P_DEFAULT) > 0
                ? H5Dopen2(r->file, "config", H5P_DEFAULT)
                : -1;
  if (d < 0 || H5Dread(d, r->str_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &stored) < 0)
    rc = spx_error_set(err, SPX_EINVAL, "%s: not a spex-bench result file (no /config); it was "
                       "left unchanged", r->path);
  else if (strcmp(stored, layout->config) != 0 && (*other = 1))
    rc = spx_error_set(err, SPX_EINVAL,
                       "%s: the file was written with another configuration; --resume needs "
                       "the same resolved configuration (compare its /config with `spex-bench "
                       "check`)",
                       r->path);
  if (stored) {
    hid_t sp = H5Screate(H5S_SCALAR);
    H5Dvlen_reclaim(r->str_type, sp, H5P_DEFAULT, &stored);
    H5Sclose(sp);
  }
  if (d >= 0) H5Dclose(d);
  return rc;
}

/* Read a whole dataset of path (relative to loc) into a fresh buffer of elements of size
 * esize; the number of elements goes to *count. NULL when it cannot be read. */
static void *read_whole(hid_t loc, const char *path, hid_t mem_type, size_t esize, size_t *count) {
  hid_t d = H5Dopen2(loc, path, H5P_DEFAULT);
  if (d < 0) return NULL;
  hid_t sp = H5Dget_space(d);
  hssize_t np = sp < 0 ? -1 : H5Sget_simple_extent_npoints(sp);
  if (sp >= 0) H5Sclose(sp);
  void *buf = np < 0 ? NULL : malloc((size_t)(np ? np : 1) * esize);
  if (buf && np > 0 && H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
    free(buf);
    buf = NULL;
  }
  H5Dclose(d);
  if (buf) *count = (size_t)np;
  return buf;
}

static int damaged(spx_results *r, spx_error *err, const char *object, const char *detail) {
  return spx_error_set(err, SPX_EIO, "%s: damaged: %s %s; the file cannot be resumed (the cells "
                       "in it are kept; remove or move it to start again)", r->path, object,
                       detail);
}

/* H5Ovisit callback: remember the last object whose header was read. */
static herr_t walk_note(hid_t obj, const char *name, const H5O_info_t *info, void *last) {
  (void)obj;
  (void)info;
  snprintf((char *)last, 512, "%s", name);
  return 0;
}

/* Every finished cell readable: the per-method datasets with their shapes, the set-up
 * explicands, and the transform of every ok cell (offsets consistent with indices and
 * coefficients); and every object header of the file readable (a write error in the middle
 * of a metadata flush can leave one beyond the end of the file, which later steps of the
 * resume would trip over after the file was opened for writing). */
static int verify(spx_results *r, spx_error *err) {
  size_t cells = r->instances * r->budgets * r->repeats;
  char where[512];
  char last[512] = "";
  if (H5Ovisit(r->file, H5_INDEX_NAME, H5_ITER_NATIVE, walk_note, last) < 0) {
    char what[600];
    snprintf(what, sizeof what, "an object after '%s'", last[0] ? last : "/");
    return damaged(r, err, what, "cannot be read (its header lies beyond the end of the file?)");
  }
  for (size_t i = 0; i < r->instances; i++) {
    if (!spx_results_has_instance(r, i)) continue;
    static const char *const parts[] = {"labels", "test_masks", "test_values", "budget"};
    for (size_t k = 0; k < 4; k++) {
      snprintf(where, sizeof where, "explicands/%zu/%s", i, parts[k]);
      size_t cnt = 0;
      void *buf = k == 0 ? NULL : read_whole(r->file, where, H5T_NATIVE_UINT64, 8, &cnt);
      if (k == 0) { /* strings: check it opens and reads */
        hid_t d = H5Dopen2(r->file, where, H5P_DEFAULT);
        int ok = d >= 0;
        if (ok) {
          hid_t sp = H5Dget_space(d);
          hssize_t np = H5Sget_simple_extent_npoints(sp);
          H5Sclose(sp);
          char **lab = np > 0 ? calloc((size_t)np, sizeof *lab) : NULL;
          ok = np >= 0 && (np == 0 || (lab && H5Dread(d, r->str_type, H5S_ALL, H5S_ALL,
                                                       H5P_DEFAULT, lab) >= 0));
          if (ok && lab) {
            hid_t ms = H5Screate_simple(1, (hsize_t[]){(hsize_t)np}, NULL);
            H5Dvlen_reclaim(r->str_type, ms, H5P_DEFAULT, lab);
            H5Sclose(ms);
          }
          free(lab);
          H5Dclose(d);
        }
        if (!ok) return damaged(r, err, where, "cannot be read");
        continue;
      }
      if (buf == NULL) return damaged(r, err, where, "cannot be read");
      free(buf);
    }
  }
  for (size_t m = 0; m < r->nmethods; m++) {
    char base[160];
    snprintf(base, sizeof base, "results/%s", r->labels[m]);
    size_t cnt = 0;
    signed char *st = NULL;
    snprintf(where, sizeof where, "%s/status", base);
    st = read_whole(r->file, where, r->status_type, 1, &cnt);
    if (st == NULL) return damaged(r, err, where, "cannot be read");
    if (cnt != cells) {
      free(st);
      return damaged(r, err, where, "has the wrong shape");
    }
    static const char *const nums[] = {"r2", "time_decode", "time_oracle", "peak_rss_mib",
                                       "queries"};
    for (size_t k = 0; k < 5; k++) {
      snprintf(where, sizeof where, "%s/%s", base, nums[k]);
      void *buf = read_whole(r->file, where, H5T_NATIVE_DOUBLE, 8, &cnt);
      if (buf == NULL || cnt != cells) {
        free(buf);
        free(st);
        return damaged(r, err, where, buf ? "has the wrong shape" : "cannot be read");
      }
      free(buf);
    }
    int rc = SPX_OK;
    for (size_t c = 0; rc == SPX_OK && c < cells; c++) {
      if (st[c] < SPX_CELL_PENDING || st[c] > SPX_CELL_FAILED) {
        snprintf(where, sizeof where, "%s/status", base);
        rc = damaged(r, err, where, "holds a value that is not a cell status");
        break;
      }
      if (st[c] != SPX_CELL_OK) continue;
      size_t i = c / (r->budgets * r->repeats), b = c / r->repeats % r->budgets,
             rep = c % r->repeats;
      char tg[400];
      snprintf(tg, sizeof tg, "%s/transform/%zu/%zu/%zu", base, i, b, rep);
      if (H5Lexists(r->file, base, H5P_DEFAULT) <= 0) continue;
      htri_t has = H5Oexists_by_name(r->file, tg, H5P_DEFAULT);
      if (has == 0) continue; /* a method without a transform */
      size_t no = 0, ni = 0, nc = 0;
      snprintf(where, sizeof where, "%s/offsets", tg);
      uint64_t *off = has > 0 ? read_whole(r->file, where, H5T_NATIVE_UINT64, 8, &no) : NULL;
      if (off == NULL) {
        rc = damaged(r, err, has > 0 ? where : tg, "cannot be read (an ok cell's transform)");
        break;
      }
      snprintf(where, sizeof where, "%s/indices", tg);
      uint32_t *ind = read_whole(r->file, where, H5T_NATIVE_UINT32, 4, &ni);
      if (ind == NULL) rc = damaged(r, err, where, "cannot be read (an ok cell's transform)");
      snprintf(where, sizeof where, "%s/coefficients", tg);
      double *coef = rc ? NULL : read_whole(r->file, where, H5T_NATIVE_DOUBLE, 8, &nc);
      if (rc == SPX_OK && coef == NULL)
        rc = damaged(r, err, where, "cannot be read (an ok cell's transform)");
      if (rc == SPX_OK && (no != nc + 1 || off[nc] != ni)) {
        snprintf(where, sizeof where, "%s", tg);
        rc = damaged(r, err, where, "has offsets that do not match its indices/coefficients");
      }
      free(off);
      free(ind);
      free(coef);
    }
    free(st);
    if (rc) return rc;
  }
  return SPX_OK;
}

/* Open path for --resume; with allow_rebuild, a damaged file that has a journal is rebuilt
 * from it first (results_journal.c). */
static int open_resume(const char *path, const spx_results_layout *layout, int allow_rebuild,
                       spx_results **out, spx_error *err) {
  *out = NULL;
  /* a regular, non-empty HDF5 file that nobody holds locked */
  int not_hdf5 = 0;
  int rc = spx_h5_check_existing(path, &not_hdf5, err);
  if (rc && !not_hdf5) return rc;
  spx_results *r = alloc_results(path, layout, err);
  if (r == NULL) return err ? err->code : SPX_ENOMEM;
  /* read-only first: ours, same configuration, every finished cell readable. What is found
   * wrong here but a lock or another configuration is damage a journal can repair. */
  int repairable = rc != SPX_OK;
  if (rc == SPX_OK) {
    int locked = 0;
    rc = open_file(r, 0, &locked, err);
    repairable = rc != SPX_OK && !locked;
  }
  if (rc == SPX_OK) {
    spx_h5_guard g;
    spx_h5_guard_begin(&g);
    int other = 0;
    rc = check_config(r, layout, &other, err);
    if (rc == SPX_OK) rc = verify(r, err);
    repairable = rc != SPX_OK && !other;
    spx_h5_guard_end(&g);
    spx_h5_close(r->file);
    r->file = -1;
  }
  if (rc && repairable && allow_rebuild) {
    int tried = 0;
    int rb = spx_res_journal_rebuild(r, layout, &tried, err);
    if (tried) {
      char *note = r->note ? dupstr(r->note) : NULL;
      spx_results_close(&r);
      if (rb) {
        free(note);
        return rb;
      }
      /* the rebuilt file goes through every check of a resume */
      rc = open_resume(path, layout, 0, &r, err);
      if (rc == SPX_OK) {
        free(r->note);
        r->note = note;
        *out = r;
      } else {
        free(note);
      }
      return rc;
    }
  }
  if (rc == SPX_OK) rc = spx_h5_lock(path, &r->lock_fd, err);
  if (rc == SPX_OK) rc = open_file(r, 1, NULL, err);
  /* its journal: the one left by the run before, or a new one holding the file's content */
  if (rc == SPX_OK) rc = spx_res_journal_attach(r, layout->config, err);
  if (rc) {
    spx_results_close(&r);
    return rc;
  }
  *out = r;
  return SPX_OK;
}

int spx_results_open(const char *path, const spx_results_layout *layout, spx_results **out,
                     spx_error *err) {
  return open_resume(path, layout, 1, out, err);
}

const char *spx_results_note(const spx_results *res) { return res ? res->note : NULL; }

void spx_results_close(spx_results **res) {
  if (res == NULL || *res == NULL) return;
  spx_results *r = *res;
  int clean = !r->broken;
  if (r->file >= 0) {
    if (r->broken) spx_h5_detach(r->file);
    if (spx_h5_close(r->file) != 0) clean = 0;
  }
  /* the journal is needed no more once the file is complete on the disk; after a failure it
   * stays for --resume */
  if (clean && r->file >= 0 && r->lock_fd >= 0 && fsync(r->lock_fd) != 0) clean = 0;
  spx_journal_close(&r->journal, clean && r->file >= 0);
  if (r->lock_fd >= 0) {
    /* give back the disk blocks reserved past the end (spx_h5_reserve): growing the file by
     * a byte and shrinking it again frees every block beyond its size */
    struct stat st;
    if (!r->broken && fstat(r->lock_fd, &st) == 0 && st.st_size > 0 &&
        ftruncate(r->lock_fd, st.st_size + 1) == 0 && ftruncate(r->lock_fd, st.st_size) != 0) {
    }
    close(r->lock_fd);
  }
  for (size_t m = 0; m < r->nmethods; m++) free(r->labels[m]);
  free(r->labels);
  for (size_t k = 0; k < r->nscores; k++) free((char *)r->scores[k].name);
  free(r->scores);
  free(r->path);
  free(r->broken_msg);
  free(r->note);
  H5Tclose(r->str_type);
  H5Tclose(r->status_type);
  free(r);
  *res = NULL;
}

int spx_results_flush(spx_results *res, spx_error *err) {
  if (res->broken)
    return spx_error_set(err, SPX_EIO, "%s", res->broken_msg ? res->broken_msg : "broken");
  spx_h5_guard g;
  spx_h5_guard_begin(&g);
  int rc = H5Fflush(res->file, H5F_SCOPE_GLOBAL) < 0 ? wfail(res, err, "flush", &g) : SPX_OK;
  spx_h5_guard_end(&g);
  return rc;
}

static int write_meta_body(spx_results *res, const spx_results_meta *meta, spx_error *err) {
  hid_t g = H5Gopen2(res->file, "meta", H5P_DEFAULT);
  if (g < 0) return -1;
  long long runs = 0;
  attr_i64_read(g, "runs", &runs);
  int bad = 0;
  if (meta->start_time) { /* a new run (create or resume) */
    bad |= spx_h5_attr_i64(g, "runs", runs + 1);
    /* the first run's start: later starts are in /meta/runs (provenance.c), never here */
    if (H5Aexists(g, "start_time") <= 0) bad |= spx_res_attr_str(res, g, "start_time", meta->start_time);
  }
  bad |= spx_res_attr_str(res, g, "version", meta->version);
  bad |= spx_res_attr_str(res, g, "git_commit", meta->git_commit);
  bad |= spx_res_attr_str(res, g, "end_time", meta->end_time ? meta->end_time : "");
  bad |= spx_h5_attr_i64(g, "ranks", meta->ranks);
  bad |= spx_h5_attr_i64(g, "group_size", meta->group_size);
  H5Gclose(g);
  return bad ? -1 : SPX_OK;
}

int spx_results_write_meta(spx_results *res, const spx_results_meta *meta, spx_error *err) {
  int rc = before_write(res, 4096, err);
  if (rc) return rc;
  spx_h5_guard g;
  spx_h5_guard_begin(&g);
  rc = write_meta_body(res, meta, err);
  if (rc < 0) rc = wfail(res, err, "write /meta", &g);
  spx_h5_guard_end(&g);
  return rc ? rc : spx_results_flush(res, err);
}

/* ---- instances ------------------------------------------------------------------------------ */

int spx_res_write_instance_body(spx_results *res, size_t instance, const spx_instance_data *d,
                               spx_error *err) {
  char name[64];
  snprintf(name, sizeof name, "%zu", instance);
  hid_t ex = H5Gopen2(res->file, "explicands", H5P_DEFAULT);
  if (ex < 0) return -1;
  if (H5Lexists(ex, name, H5P_DEFAULT) > 0) H5Ldelete(ex, name, H5P_DEFAULT);
  hid_t g = H5Gcreate2(ex, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Gclose(ex);
  if (g < 0) return -1;
  int bad = spx_h5_attr_i64(g, "n", (long long)d->n);
  bad |= spx_h5_attr_i64(g, "explicand", (long long)d->explicand);
  bad |= spx_res_attr_str(res, g, "description", d->description ? d->description : "");
  hsize_t n = d->n;
  bad |= write_array(g, "labels", res->str_type, res->str_type, 1, &n, d->labels);
  hsize_t dims[2] = {d->test_count, (d->n + 63) / 64};
  bad |= write_array(g, "test_masks", H5T_STD_U64LE, H5T_NATIVE_UINT64, 2, dims, d->test_masks);
  bad |= write_array(g, "budget", H5T_STD_U64LE, H5T_NATIVE_UINT64, 1,
                     (hsize_t[]){res->budgets}, d->budget);
  for (size_t k = 0; d->arrays && k < d->arrays->count; k++)
    bad |= write_spx_array(res, g, &d->arrays->a[k]);
  /* test_values last: its presence marks a complete instance. */
  bad |= write_array(g, "test_values", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, dims,
                     d->test_values);
  H5Gclose(g);
  return bad ? -1 : SPX_OK;
}

int spx_results_write_instance(spx_results *res, size_t instance, const spx_instance_data *d,
                               spx_error *err) {
  uint64_t payload = (uint64_t)d->test_count * (8 * ((d->n + 63) / 64) + 8) + 8 * res->budgets +
                     (d->description ? strlen(d->description) : 0);
  for (size_t k = 0; d->arrays && k < d->arrays->count; k++)
    payload += 256 + (uint64_t)spx_array_count(&d->arrays->a[k]) *
                         spx_array_esize(d->arrays->a[k].type);
  for (size_t k = 0; d->labels && k < d->n; k++) payload += 32 + strlen(d->labels[k]);
  int rc = before_write(res, payload, err);
  if (rc == SPX_OK) rc = spx_res_journal_instance(res, instance, d, err);
  if (rc) return rc;
  spx_h5_guard g;
  spx_h5_guard_begin(&g);
  rc = spx_res_write_instance_body(res, instance, d, err);
  if (rc < 0) rc = wfail(res, err, "write an /explicands group", &g);
  spx_h5_guard_end(&g);
  return rc;
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
  const spx_transform_csr *t = &c->transform;
  int basis = (int)t->basis;
  int bad = spx_res_attr_str(res, g, "basis", basis_names[basis < 3 && basis >= 0 ? basis : 2]);
  bad |= spx_h5_attr_i64(g, "n", t->n);
  hsize_t no = t->nterms + 1, ni = t->offsets[t->nterms], nc = t->nterms;
  bad |= write_array(g, "offsets", H5T_STD_U64LE, H5T_NATIVE_UINT64, 1, &no, t->offsets);
  bad |= write_array(g, "indices", H5T_STD_U32LE, H5T_NATIVE_UINT32, 1, &ni, t->indices);
  bad |= write_array(g, "coefficients", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &nc,
                     t->coefficients);
  for (size_t k = 0; k < c->arrays.count; k++) bad |= write_spx_array(res, g, &c->arrays.a[k]);
  H5Gclose(g);
  return bad ? -1 : 0;
}

int spx_res_write_cell_body(spx_results *res, size_t method, size_t instance, size_t budget,
                           size_t repeat, const spx_cell_result *c, spx_error *err) {
  if (method >= res->nmethods || instance >= res->instances || budget >= res->budgets ||
      repeat >= res->repeats)
    return spx_error_set(err, SPX_EINTERNAL, "cell (%zu, %zu, %zu, %zu) outside the file", method,
                         instance, budget, repeat);
  hid_t results = H5Gopen2(res->file, "results", H5P_DEFAULT);
  hid_t mg = results < 0 ? -1 : H5Gopen2(results, res->labels[method], H5P_DEFAULT);
  if (results >= 0) H5Gclose(results);
  if (mg < 0) return -1;
  if (c->nscores != 0 && c->nscores != res->nslots) {
    H5Gclose(mg);
    return spx_error_set(err, SPX_EINTERNAL, "a cell record has %zu score slots, the file %zu",
                         c->nscores, res->nslots);
  }
  double vals[NFIXED] = {c->time_decode, c->time_oracle, c->peak_rss_mib};
  int bad = 0;
  for (size_t k = 0; k < NFIXED; k++)
    bad |= write_cell(mg, dataset_names[k], H5T_NATIVE_DOUBLE, instance, budget, repeat, &vals[k]);
  /* every slot (NaN unless the record brings a value: a re-run cell is reset) */
  for (size_t k = 0, at = 0; k < res->nscores; at += spx_score_slots(&res->scores[k]), k++) {
    const spx_score_dataset *d = &res->scores[k];
    double nan = NAN;
    if (d->width == 0) {
      bad |= write_cell(mg, d->name, H5T_NATIVE_DOUBLE, instance, budget, repeat,
                        c->nscores ? &c->scores[at] : &nan);
    } else {
      double *row = malloc(d->width * sizeof *row);
      if (row == NULL) {
        H5Gclose(mg);
        return spx_error_set(err, SPX_ENOMEM, "out of memory");
      }
      for (size_t j = 0; j < d->width; j++) row[j] = c->nscores ? c->scores[at + j] : NAN;
      bad |= write_cell_row(mg, d->name, instance, budget, repeat, d->width, row);
      free(row);
    }
  }
  bad |= write_cell(mg, "queries", H5T_NATIVE_UINT64, instance, budget, repeat, &c->queries);
  const char *msg = c->message ? c->message : "";
  bad |= write_cell(mg, "message", res->str_type, instance, budget, repeat, &msg);
  if (c->has_transform) bad |= write_transform(res, mg, instance, budget, repeat, c);
  /* status last: a cell is finished only once everything else is in the file. */
  signed char st = (signed char)c->status;
  bad |= write_cell(mg, "status", res->status_type, instance, budget, repeat, &st);
  H5Gclose(mg);
  return bad ? -1 : SPX_OK;
}

int spx_results_write_cell(spx_results *res, size_t method, size_t instance, size_t budget,
                           size_t repeat, const spx_cell_result *c, spx_error *err) {
  uint64_t payload = 256 + (c->message ? strlen(c->message) : 0) + 8 * res->nslots;
  if (c->has_transform)
    payload += 16 * (uint64_t)(c->transform.nterms + 1) + 4 * c->transform.offsets[c->transform.nterms];
  for (size_t k = 0; k < c->arrays.count; k++)
    payload += 256 + (uint64_t)spx_array_count(&c->arrays.a[k]) * spx_array_esize(c->arrays.a[k].type);
  int rc = before_write(res, payload, err);
  if (rc == SPX_OK) rc = spx_res_journal_cell(res, method, instance, budget, repeat, c, err);
  if (rc) return rc;
  spx_h5_guard g;
  spx_h5_guard_begin(&g);
  rc = spx_res_write_cell_body(res, method, instance, budget, repeat, c, err);
  if (rc < 0) rc = wfail(res, err, "write a result cell", &g);
  spx_h5_guard_end(&g);
  return rc;
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

int spx_results_read_doubles(spx_results *res, size_t method, const char *dataset, double *out,
                             spx_error *err) {
  if (method >= res->nmethods)
    return spx_error_set(err, SPX_EINVAL, "%s: no method %zu", res->path, method);
  hid_t results = H5Gopen2(res->file, "results", H5P_DEFAULT);
  hid_t mg = results < 0 ? -1 : H5Gopen2(results, res->labels[method], H5P_DEFAULT);
  if (results >= 0) H5Gclose(results);
  if (mg < 0) return h5fail(res, err, "open a /results group");
  htri_t has = H5Lexists(mg, dataset, H5P_DEFAULT);
  int bad = has > 0 ? read_all(mg, dataset, H5T_NATIVE_DOUBLE, out) : 0;
  H5Gclose(mg);
  if (has == 0)
    return spx_error_set(err, SPX_EINVAL, "%s: /results/%s has no dataset %s", res->path,
                         res->labels[method], dataset);
  if (has < 0 || bad) return h5fail(res, err, "read a result dataset");
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

/* ---- results_internal.h: for provenance.c --------------------------------------------------- */

hid_t spx_results_file_id(spx_results *res) { return res->file; }
const char *spx_results_path(spx_results *res) { return res->path; }
hid_t spx_results_string_type(spx_results *res) { return res->str_type; }
int spx_results_before_write(spx_results *res, uint64_t payload, spx_error *err) {
  return before_write(res, payload, err);
}
int spx_results_write_failed(spx_results *res, spx_error *err, const char *what,
                             const spx_h5_guard *g) {
  return wfail(res, err, what, g);
}
