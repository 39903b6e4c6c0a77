/* test_ocr.c: the ocr oracle end to end (render.py, node, ONNX Runtime and the PP-OCRv4
 * recogniser; scripts/setup installs them all). Exits 77 (skip) only when node, Pillow, the
 * font or the npm packages of oracles/ocr are absent.
 *
 * Checks: on five lines the model's own greedy transcription (ocr_server.js --greedy) is the
 * line's text and its CTC log-probability is the oracle's value of the full mask; the empty
 * mask's value is finite, deterministic and far below the full one; 100 random masks
 * give the same values batched (16 per ONNX Runtime call) and unbatched (1 per call), within
 * 1e-5, and again through the cache; grid regions partition the text's columns; labels and
 * the description; truth = true on a 6-character line reproduces the oracle at random masks;
 * too many columns and truth with n > 20 are clear errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/mask.h"
#include "core/metrics.h"
#include "core/options.h"
#include "core/transform.h"
#include "oracle/oracle.h"
#include "testing.h"

static const char *src(void) {
  const char *s = getenv("SPX_SOURCE_DIR");
  return s ? s : ".";
}

static spx_oracle *open_with(const char *const *kv, size_t explicand, spx_error *err) {
  spx_options *o = spx_options_create("oracle ocr (test)");
  for (size_t i = 0; kv && kv[i]; i += 2)
    spx_options_put(o, kv[i], SPX_OPT_TEXT, kv[i + 1], "test", NULL);
  spx_oracle *orc = NULL;
  if (spx_oracle_open(spx_oracle_lookup("ocr"), o, explicand, &orc, err) != SPX_OK) orc = NULL;
  spx_options_destroy(&o);
  return orc;
}

static double eval_bits(spx_oracle *o, int all) {
  spx_maskset *s = spx_maskset_create(o->n, 1);
  spx_mask_fill(spx_maskset_row(s, 0), o->n, all);
  double v = NAN;
  spx_error err = {0};
  if (spx_oracle_eval_all(o, s, &v, &err) != SPX_OK) printf("eval failed: %s\n", err.msg);
  spx_maskset_destroy(&s);
  return v;
}

static char tmpdir[256];

/* Run the server's --greedy mode on line `text`: fills the transcription and log-probability. */
static int greedy(const char *text, char *got, size_t len, double *logp) {
  char line[512], img[512], reg[512], cmd[4096];
  snprintf(line, sizeof line, "%s/g.txt", tmpdir);
  snprintf(img, sizeof img, "%s/g.img", tmpdir);
  snprintf(reg, sizeof reg, "%s/g.reg", tmpdir);
  FILE *f = fopen(line, "w");
  fputs(text, f);
  fclose(f);
  snprintf(cmd, sizeof cmd,
           "/usr/bin/python3 %s/oracles/ocr/render.py --font "
           "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf %s %s",
           src(), line, img);
  if (system(cmd) != 0) return -1;
  unsigned w = 0, h = 0;
  f = fopen(img, "r");
  if (f == NULL || fscanf(f, "%*[^\n] size %u %u", &w, &h) != 2) return -1;
  fclose(f);
  f = fopen(reg, "w"); /* one feature that owns no pixel */
  fprintf(f, "spex-ocr-regions 1\nsize %u %u\nfeatures 1\n", w, h);
  for (unsigned y = 0; y < h; y++)
    for (unsigned x = 0; x < w; x++) fprintf(f, x + 1 < w ? "-1 " : "-1\n");
  fclose(f);
  snprintf(cmd, sizeof cmd, "node %s/oracles/ocr/ocr_server.js --greedy %s %s %s", src(), line,
           img, reg);
  FILE *p = popen(cmd, "r");
  if (p == NULL) return -1;
  int ok = fgets(got, (int)len, p) != NULL && fscanf(p, "logp %lf", logp) == 1;
  if (pclose(p) != 0) ok = 0;
  got[strcspn(got, "\n")] = '\0';
  return ok ? 0 : -1;
}

static void test_greedy(void) {
  /* Hello World!, Ada Lovelace, 2024-03-15, 3.14159, Total: 17.50 */
  static const size_t rows[] = {0, 8, 12, 17, 25};
  static const char *const texts[] = {"Hello World!", "Ada Lovelace", "2024-03-15", "3.14159",
                                      "Total: 17.50"};
  for (size_t i = 0; i < 5; i++) {
    spx_error err = {0};
    spx_oracle *o = open_with((const char *const[]){"unit", "char", NULL}, rows[i], &err);
    spx_test(o != NULL, "open line %zu: %s", rows[i], err.msg);
    if (o == NULL) continue;
    char got[256] = "";
    double logp = NAN;
    int rc = greedy(texts[i], got, sizeof got, &logp);
    spx_test(rc == 0 && strcmp(got, texts[i]) == 0,
             "greedy transcription of line %zu is its text: '%s' vs '%s'", rows[i], got, texts[i]);
    double full = eval_bits(o, 1);
    spx_test(full == logp, "full mask = the server's own log P(text) of the line: %.17g vs %.17g",
             full, logp);
    spx_test(full < 0.0 && full > log(0.2), "the model is confident on line %zu: P = %g", rows[i],
             exp(full));
    spx_test(strstr(spx_oracle_explicand_of(o), texts[i]) != NULL, "description: %s",
             spx_oracle_explicand_of(o));
    spx_oracle_destroy(&o);
  }
}

static void test_masks(void) {
  spx_error err = {0};
  /* "Ada Lovelace", grid 2 x 8 = 16 regions; batched (16), unbatched (1), no cache */
  spx_oracle *a = open_with((const char *const[]){"grid", "[2, 8]", "cache", "false", NULL}, 8, &err);
  spx_test(a != NULL, "open grid 2x8: %s", err.msg);
  spx_oracle *b = open_with((const char *const[]){"grid", "[2, 8]", "batch", "1", "cache", "false", NULL},
                            8, &err);
  spx_test(b != NULL, "open grid 2x8 batch 1: %s", err.msg);
  spx_oracle *c = open_with((const char *const[]){"grid", "[2, 8]", NULL}, 8, &err);
  if (a == NULL || b == NULL || c == NULL) goto done;
  spx_test_int((long long)a->n, 16, "n = rows x cols");
  spx_test(strcmp(spx_oracle_labels(a)[9], "r1c1") == 0, "label 9 is r1c1: %s",
           spx_oracle_labels(a)[9]);

  /* regions: disjoint, non-empty, and every one inside the explicand's picture */
  size_t h, w;
  const double *fi, *ei;
  int has = spx_oracle_images(a, &h, &w, &fi, &ei);
  spx_test(has && h == 48 && ei != NULL, "images: %zu x %zu", h, w);
  if (has) {
    int disjoint = 1, nonempty = 1;
    for (size_t p = 0; p < h * w; p++) {
      double s = 0;
      for (size_t k = 0; k < a->n; k++) s += fi[k * h * w + p];
      if (s > 1.0) disjoint = 0;
    }
    for (size_t k = 0; k < a->n; k++) {
      double s = 0;
      for (size_t p = 0; p < h * w; p++) s += fi[k * h * w + p];
      if (s < 24 * 10) nonempty = 0; /* 24 rows x at least 10 columns */
    }
    spx_test(disjoint && nonempty, "grid regions are disjoint and each at least 24x10 pixels");
  }

  double empty = eval_bits(a, 0), empty2 = eval_bits(a, 0), full = eval_bits(a, 1);
  spx_test(isfinite(empty) && empty == empty2 && empty < full - 10.0,
           "empty mask: finite, deterministic and far below the full mask (%g vs %g)", empty, full);

  enum { M = 100 };
  spx_maskset *s = spx_maskset_create(a->n, M);
  uint64_t x = 88172645463325252ULL;
  for (size_t i = 0; i < M; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    spx_maskset_row(s, i)[0] = x & 0xffff;
  }
  double va[M], vb[M], vc[M], vc2[M];
  int ok = spx_oracle_eval_all(a, s, va, &err) == SPX_OK;
  ok = ok && spx_oracle_eval_all(b, s, vb, &err) == SPX_OK;
  ok = ok && spx_oracle_eval_all(c, s, vc, &err) == SPX_OK;
  ok = ok && spx_oracle_eval_all(c, s, vc2, &err) == SPX_OK;
  spx_test(ok, "%d x %d random masks evaluated: %s", 4, M, err.msg);
  double maxd = 0, lo = 0, hi = -1e300;
  int same_c = 1;
  for (size_t i = 0; ok && i < M; i++) {
    double d = fabs(va[i] - vb[i]);
    if (d > maxd) maxd = d;
    if (va[i] < lo) lo = va[i];
    if (va[i] > hi) hi = va[i];
    if (vc[i] != vc2[i] || fabs(vc[i] - va[i]) > 1e-5) same_c = 0;
  }
  printf("batched vs unbatched: max |difference| %.3g over %d masks (values %.3g .. %.3g)\n",
         maxd, M, lo, hi);
  spx_test(ok && maxd <= 1e-5, "batched and unbatched values agree within 1e-5 (max %.3g)", maxd);
  spx_test(ok && same_c, "cached oracle: the same values twice, and as without the cache");
  spx_test(ok && hi - lo > 5.0, "the masks matter: values span %g .. %g", lo, hi);
  spx_test_int((long long)c->queries, 2 * M, "queries count every mask, cached or not");
  spx_maskset_destroy(&s);
done:
  spx_oracle_destroy(&a);
  spx_oracle_destroy(&b);
  spx_oracle_destroy(&c);
}

static void test_truth(void) {
  spx_error err = {0};
  /* "Berlin": 6 characters, 64 masks */
  spx_oracle *o = open_with((const char *const[]){"unit", "char", "truth", "true", NULL}, 7, &err);
  spx_test(o != NULL, "open with truth: %s", err.msg);
  if (o == NULL) return;
  const spx_transform *t = spx_oracle_truth(o);
  spx_test(t != NULL && spx_transform_n(t) == 6, "truth over n = 6");
  char *const *lab = spx_oracle_labels(o);
  spx_test(lab && strcmp(lab[0], "B") == 0 && strcmp(lab[5], "n") == 0, "labels are the characters");
  spx_maskset *s = spx_maskset_create(6, 64);
  for (size_t i = 0; i < 64; i++) spx_maskset_row(s, i)[0] = (i * 37) & 63;
  double v[64], p[64];
  int ok = t && spx_oracle_eval_all(o, s, v, &err) == SPX_OK &&
           spx_transform_predict(t, s, p, &err) == SPX_OK;
  double maxd = 0;
  for (size_t i = 0; ok && i < 64; i++)
    if (fabs(v[i] - p[i]) > maxd) maxd = fabs(v[i] - p[i]);
  spx_test(ok && maxd < 1e-9, "the truth reproduces the oracle on all 64 masks (max %.3g)", maxd);
  spx_maskset_destroy(&s);
  spx_oracle_destroy(&o);

  /* errors that need the rendered line */
  o = open_with((const char *const[]){"grid", "[1, 500]", NULL}, 16, &err);
  spx_test(o == NULL && strstr(err.msg, "500 columns"), "too many columns: %s", err.msg);
  spx_oracle_destroy(&o);
  o = open_with((const char *const[]){"grid", "[2, 11]", "truth", "true", NULL}, 0, &err);
  spx_test(o == NULL && strstr(err.msg, "n <= 20"), "truth with n = 22: %s", err.msg);
  spx_oracle_destroy(&o);
}

int main(void) {
  char path[1024];
  snprintf(path, sizeof path, "%s/oracles/ocr/node_modules/onnxruntime-node/package.json", src());
  if (system("node --version >/dev/null 2>&1") != 0 || access(path, R_OK) != 0 ||
      system("/usr/bin/python3 -c 'import PIL' >/dev/null 2>&1") != 0 ||
      access("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", R_OK) != 0) {
    printf("SKIP: node, the npm packages of oracles/ocr, python3-pil or fonts-dejavu-core are "
           "missing (scripts/setup installs them)\n");
    return 77;
  }
  const char *t = getenv("TMPDIR");
  snprintf(tmpdir, sizeof tmpdir, "%s/spx-test-ocr-XXXXXX", t && *t ? t : "/tmp");
  if (mkdtemp(tmpdir) == NULL) return 1;
  test_greedy();
  test_masks();
  test_truth();
  char cmd[512];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system(cmd) != 0) printf("note: could not remove %s\n", tmpdir);
  return spx_test_summary();
}
