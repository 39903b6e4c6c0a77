/* provenance.c: units/description of every dataset, the run history /meta/runs/<k> and
 * SHA-256 of input files (provenance.h, docs/results-format.md "Provenance"). */
#include "provenance.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "results_internal.h"

/* ---- SHA-256 (FIPS 180-4) ---------------------------------------------------------------------- */

typedef struct {
  uint32_t h[8];
  uint64_t bytes;
  unsigned char buf[64];
  size_t fill;
} sha256_ctx;

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t ror(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void sha256_block(sha256_ctx *c, const unsigned char *p) {
  uint32_t w[64];
  for (int i = 0; i < 16; i++)
    w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
           (uint32_t)p[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3], e = c->h[4], f = c->h[5],
           g = c->h[6], h = c->h[7];
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i];
    uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & cc) ^ (b & cc));
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = cc;
    cc = b;
    b = a;
    a = t1 + t2;
  }
  c->h[0] += a;
  c->h[1] += b;
  c->h[2] += cc;
  c->h[3] += d;
  c->h[4] += e;
  c->h[5] += f;
  c->h[6] += g;
  c->h[7] += h;
}

static void sha256_init(sha256_ctx *c) {
  static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  memcpy(c->h, h0, sizeof h0);
  c->bytes = 0;
  c->fill = 0;
}

static void sha256_update(sha256_ctx *c, const void *data, size_t len) {
  const unsigned char *p = data;
  c->bytes += len;
  while (len > 0) {
    size_t take = 64 - c->fill < len ? 64 - c->fill : len;
    memcpy(c->buf + c->fill, p, take);
    c->fill += take;
    p += take;
    len -= take;
    if (c->fill == 64) {
      sha256_block(c, c->buf);
      c->fill = 0;
    }
  }
}

static void sha256_final(sha256_ctx *c, char hex[65]) {
  uint64_t bits = c->bytes * 8;
  unsigned char pad = 0x80, zero = 0, len[8];
  sha256_update(c, &pad, 1);
  while (c->fill != 56) sha256_update(c, &zero, 1);
  for (int i = 0; i < 8; i++) len[i] = (unsigned char)(bits >> (56 - 8 * i));
  sha256_update(c, len, 8);
  for (int i = 0; i < 8; i++) snprintf(hex + 8 * i, 9, "%08x", c->h[i]);
  hex[64] = '\0';
}

void spx_sha256(const void *data, size_t len, char hex[65]) {
  sha256_ctx c;
  sha256_init(&c);
  sha256_update(&c, data, len);
  sha256_final(&c, hex);
}

int spx_sha256_file(const char *path, char hex[65], uint64_t *size, spx_error *err) {
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return spx_error_set(err, SPX_EIO, "%s: cannot open: %s", path, strerror(errno));
  sha256_ctx c;
  sha256_init(&c);
  unsigned char *buf = malloc(1 << 16);
  if (buf == NULL) {
    fclose(f);
    return spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  size_t got;
  while ((got = fread(buf, 1, 1 << 16, f)) > 0) sha256_update(&c, buf, got);
  int bad = ferror(f);
  free(buf);
  fclose(f);
  if (bad) return spx_error_set(err, SPX_EIO, "%s: read error", path);
  if (size) *size = c.bytes;
  sha256_final(&c, hex);
  return SPX_OK;
}

/* ---- attributes ---------------------------------------------------------------------------- */

void spx_provenance_hdf5_version(char *buf, size_t size) {
  unsigned maj = 0, min = 0, rel = 0;
  H5get_libversion(&maj, &min, &rel);
  snprintf(buf, size, "%u.%u.%u", maj, min, rel);
}

static int put_str(spx_results *res, hid_t loc, const char *name, const char *value) {
  hid_t t = spx_results_string_type(res);
  if (H5Aexists(loc, name) > 0 && H5Adelete(loc, name) < 0) return -1;
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
  const char *v = value ? value : "";
  herr_t st = a < 0 ? -1 : H5Awrite(a, t, &v);
  if (a >= 0) H5Aclose(a);
  H5Sclose(sp);
  return st < 0 ? -1 : 0;
}

static hid_t open_or_create_group(hid_t loc, const char *name) {
  htri_t e = H5Lexists(loc, name, H5P_DEFAULT);
  if (e < 0) return -1;
  return e > 0 ? H5Gopen2(loc, name, H5P_DEFAULT)
               : H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
}

/* ---- dataset descriptions ------------------------------------------------------------------ */

typedef struct {
  const char *where; /* "results" (/results/<label>/NAME), "transform", "explicands", "" (top) */
  const char *name;
  const char *units;
  const char *description;
} dataset_doc;

/* Units: "s", "MiB", "queries", "1" (dimensionless number), "oracle output" (the oracle's own
 * unit), "" (text, identifiers, flags, bit masks). */
static const dataset_doc docs[] = {
    {"", "config", "", "the resolved configuration of the run (TOML text, defaults filled in)"},
    {"", "budget", "", "budget points: spx_b values b (N(b) = 3 (p+1) 2^b queries) or sample "
                       "counts (queries), as attribute mode says"},
    {"pruning", "fractions", "1", "fractions of the components kept, ascending"},
    {"explicands", "labels", "", "feature labels (x<j> when the oracle has none)"},
    {"explicands", "test_masks", "",
     "held-out test masks [T, ceil(n/64)] uint64: bit j of word j/64 set = feature j kept"},
    {"explicands", "test_values", "oracle output", "the oracle's value on each test mask"},
    {"explicands", "budget", "queries", "queries of each budget point at this explicand's n"},
    {"explicands", "feature_images", "1",
     "a picture of each feature [n, h, w], 0 = background, 1 = ink"},
    {"explicands", "explicand_image", "1", "a picture of the explicand [h, w], 0 = background, 1 = ink"},
    {"explicands", "pruning_kept", "components", "components kept at each pruning fraction"},
    {"explicands", "pruning_full", "1", "task accuracy of the full (unpruned) model"},
    {"explicands", "pruning_random", "1", "task accuracy of random order p at fraction j [P, F]"},
    {"results", "r2", "1", "faithfulness R^2 of the method's reconstruction on the test masks "
                           "(spx_r2, not clipped; NaN unless status is ok)"},
    {"results", "time_decode", "s", "wall time in the method (begin, steps, finish)"},
    {"results", "time_oracle", "s", "wall time evaluating the method's masks, the group's "
                                    "communication included"},
    {"results", "peak_rss_mib", "MiB", "peak resident memory of the cell's leader rank (VmHWM, "
                                       "reset per cell; NaN without /proc)"},
    {"results", "queries", "queries", "masks the method asked the oracle for"},
    {"results", "status", "", "cell status: pending = 0, ok = 1, skipped = 2, failed = 3"},
    {"results", "message", "", "why the cell was skipped or failed (\"\" when ok)"},
    {"results", "coef_error", "1", "relative L2 error of the coefficients against the known "
                                   "transform: sqrt(sum (est - truth)^2 / sum truth^2)"},
    {"results", "precision", "1", "fraction of the top-k estimated interactions that are in the "
                                  "true support"},
    {"results", "recall", "1", "fraction of the true support found among the top-k estimated "
                               "interactions"},
    {"results", "kendall_tau", "1", "Kendall tau-b between estimated and true coefficients"},
    {"results", "pruning_accuracy", "1", "task accuracy keeping the top pruning_kept[j] "
                                         "components of the cell's ranking [I, B, R, F]"},
    {"transform", "offsets", "", "interaction k is indices[offsets[k] .. offsets[k+1])"},
    {"transform", "indices", "", "sorted feature indices of the interactions"},
    {"transform", "coefficients", "oracle output",
     "coefficient of each interaction in the basis of attribute basis"},
    {"transform", "pruning_order", "", "components by the cell's ranking, the first kept first"},
};

static const char *const UNDESCRIBED =
    "not described: src/io/provenance.c has no entry for this dataset";

/* The entry for a dataset path ("/results/lime/r2", ...), or NULL. */
static const dataset_doc *find_doc(const char *path) {
  const char *p = path[0] == '/' ? path + 1 : path;
  const char *base = strrchr(p, '/');
  base = base ? base + 1 : p;
  const char *where = "";
  if (strncmp(p, "results/", 8) == 0)
    where = strstr(p, "/transform/") ? "transform" : "results";
  else if (strncmp(p, "explicands/", 11) == 0)
    where = "explicands";
  else if (strncmp(p, "pruning/", 8) == 0)
    where = "pruning";
  for (size_t k = 0; k < sizeof docs / sizeof docs[0]; k++)
    if (strcmp(docs[k].where, where) == 0 && strcmp(docs[k].name, base) == 0) return &docs[k];
  return NULL;
}

typedef struct {
  char **paths;
  size_t count, cap;
  int oom;
} path_list;

static herr_t collect(hid_t obj, const char *name, const H5O_info_t *info, void *data) {
  (void)obj;
  path_list *l = data;
  if (info->type != H5O_TYPE_DATASET) return 0;
  if (l->count == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 64;
    char **p = realloc(l->paths, cap * sizeof *p);
    if (p == NULL) {
      l->oom = 1;
      return 1;
    }
    l->paths = p;
    l->cap = cap;
  }
  size_t len = strlen(name);
  l->paths[l->count] = malloc(len + 2);
  if (l->paths[l->count] == NULL) {
    l->oom = 1;
    return 1;
  }
  l->paths[l->count][0] = '/';
  memcpy(l->paths[l->count] + 1, name, len + 1);
  l->count++;
  return 0;
}

static int describe_body(spx_results *res, const path_list *l) {
  hid_t file = spx_results_file_id(res);
  for (size_t k = 0; k < l->count; k++) {
    hid_t d = H5Dopen2(file, l->paths[k], H5P_DEFAULT);
    if (d < 0) return -1;
    int bad = 0;
    if (H5Aexists(d, "units") <= 0 || H5Aexists(d, "description") <= 0) {
      const dataset_doc *doc = find_doc(l->paths[k]);
      bad |= put_str(res, d, "units", doc ? doc->units : "");
      bad |= put_str(res, d, "description", doc ? doc->description : UNDESCRIBED);
    }
    H5Dclose(d);
    if (bad) return -1;
  }
  return 0;
}

int spx_provenance_describe(spx_results *res, spx_error *err) {
  path_list l = {NULL, 0, 0, 0};
  spx_h5_guard g;
  spx_h5_guard_begin(&g);
  herr_t st = H5Ovisit(spx_results_file_id(res), H5_INDEX_NAME, H5_ITER_NATIVE, collect, &l);
  spx_h5_guard_end(&g);
  int rc = SPX_OK;
  if (l.oom)
    rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  else if (st < 0)
    rc = spx_error_set(err, SPX_EIO, "%s: HDF5 failed to list the datasets",
                       spx_results_path(res));
  if (rc == SPX_OK) rc = spx_results_before_write(res, 512 * (uint64_t)l.count, err);
  if (rc == SPX_OK) {
    spx_h5_guard_begin(&g);
    if (describe_body(res, &l) < 0)
      rc = spx_results_write_failed(res, err, "write the units/description attributes", &g);
    spx_h5_guard_end(&g);
  }
  for (size_t k = 0; k < l.count; k++) free(l.paths[k]);
  free(l.paths);
  return rc;
}

/* ---- the run history ------------------------------------------------------------------------ */

static int write_inputs(spx_results *res, hid_t run, const spx_provenance_run *r) {
  hid_t in = H5Gcreate2(run, "inputs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (in < 0) return -1;
  int bad = put_str(res, in, "description",
                    "input files the run reads (datasets, recordings, label files, scripts, "
                    "model files), named by the options or the oracle's built-in defaults, one "
                    "group each: option, origin (given/default), path, size_bytes, sha256 (or "
                    "error)");
  for (size_t j = 0; !bad && j < r->ninputs; j++) {
    char name[32];
    snprintf(name, sizeof name, "%zu", j);
    hid_t g = H5Gcreate2(in, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) {
      bad = 1;
      break;
    }
    char hex[65];
    uint64_t size = 0;
    spx_error e = {0};
    bad |= put_str(res, g, "option", r->inputs[j].option);
    bad |= put_str(res, g, "path", r->inputs[j].path);
    if (r->inputs[j].origin) bad |= put_str(res, g, "origin", r->inputs[j].origin);
    if (spx_sha256_file(r->inputs[j].path, hex, &size, &e) == SPX_OK) {
      bad |= spx_h5_attr_i64(g, "size_bytes", (long long)size);
      bad |= put_str(res, g, "sha256", hex);
    } else {
      bad |= put_str(res, g, "error", e.msg);
    }
    H5Gclose(g);
  }
  H5Gclose(in);
  return bad ? -1 : 0;
}

static int begin_body(spx_results *res, const spx_provenance_run *r, size_t *index) {
  hid_t file = spx_results_file_id(res);
  hid_t meta = open_or_create_group(file, "meta");
  if (meta < 0) return -1;
  hid_t runs = open_or_create_group(meta, "runs");
  H5Gclose(meta);
  if (runs < 0) return -1;
  H5G_info_t gi;
  int bad = H5Gget_info(runs, &gi) < 0;
  size_t k = bad ? 0 : (size_t)gi.nlinks;
  char name[32];
  snprintf(name, sizeof name, "%zu", k);
  bad |= put_str(res, runs, "description",
                 "one group per run of this file (the first start, then each --resume), "
                 "appended, never rewritten; exit_state \"running\" after the run is gone = it "
                 "was killed or crashed");
  hid_t run = bad || H5Lexists(runs, name, H5P_DEFAULT) != 0
                  ? -1
                  : H5Gcreate2(runs, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Gclose(runs);
  if (run < 0) return -1;
  bad |= put_str(res, run, "start_time", r->start_time);
  bad |= put_str(res, run, "end_time", "");
  bad |= put_str(res, run, "exit_state", "running");
  bad |= spx_h5_attr_i64(run, "ranks", r->ranks);
  bad |= spx_h5_attr_i64(run, "group_size", r->group_size);
  bad |= put_str(res, run, "command_line", r->command_line);
  bad |= put_str(res, run, "working_directory", r->working_directory);
  bad |= put_str(res, run, "host", r->host);
  hid_t v = bad ? -1 : H5Gcreate2(run, "versions", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (v >= 0) {
    char h5v[48];
    spx_provenance_hdf5_version(h5v, sizeof h5v);
    for (size_t j = 0; j < r->nversions; j++)
      bad |= put_str(res, v, r->version_names[j], r->version_values[j]);
    bad |= put_str(res, v, "hdf5", h5v);
    H5Gclose(v);
  } else {
    bad = 1;
  }
  hid_t o = bad ? -1 : H5Gcreate2(run, "options", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (o >= 0) {
    for (size_t j = 0; j < r->noptions; j++)
      bad |= put_str(res, o, r->option_names[j], r->option_texts[j]);
    H5Gclose(o);
  } else {
    bad = 1;
  }
  if (!bad) bad |= write_inputs(res, run, r);
  H5Gclose(run);
  *index = k;
  return bad ? -1 : 0;
}

int spx_provenance_begin(spx_results *res, const spx_provenance_run *run, size_t *index,
                         spx_error *err) {
  uint64_t payload = 8192;
  for (size_t j = 0; j < run->noptions; j++) payload += strlen(run->option_texts[j]) + 64;
  payload += 512 * (uint64_t)run->ninputs + (run->command_line ? strlen(run->command_line) : 0);
  int rc = spx_results_before_write(res, payload, err);
  if (rc) return rc;
  spx_h5_guard g;
  spx_h5_guard_begin(&g);
  if (begin_body(res, run, index) < 0)
    rc = spx_results_write_failed(res, err, "append the run to /meta/runs", &g);
  spx_h5_guard_end(&g);
  return rc ? rc : spx_results_flush(res, err);
}

int spx_provenance_end(spx_results *res, const char *end_time, const char *exit_state,
                       spx_error *err) {
  int rc = spx_results_before_write(res, 4096, err);
  if (rc) return rc;
  spx_h5_guard g;
  spx_h5_guard_begin(&g);
  hid_t runs = H5Gopen2(spx_results_file_id(res), "meta/runs", H5P_DEFAULT);
  H5G_info_t gi;
  int bad = runs < 0 || H5Gget_info(runs, &gi) < 0 || gi.nlinks == 0;
  if (!bad) {
    char name[32];
    snprintf(name, sizeof name, "%llu", (unsigned long long)gi.nlinks - 1);
    hid_t run = H5Gopen2(runs, name, H5P_DEFAULT);
    bad = run < 0;
    if (!bad) {
      bad |= put_str(res, run, "end_time", end_time);
      bad |= put_str(res, run, "exit_state", exit_state);
      H5Gclose(run);
    }
  }
  if (runs >= 0) H5Gclose(runs);
  if (bad) rc = spx_results_write_failed(res, err, "finish the run's entry in /meta/runs", &g);
  spx_h5_guard_end(&g);
  return rc ? rc : spx_results_flush(res, err);
}
