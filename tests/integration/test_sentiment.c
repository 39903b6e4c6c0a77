/* test_sentiment.c: the sentiment oracle end to end (runs node on oracles/node/vader_server.js
 * through the process oracle; scripts/setup installs node and the npm package).
 *
 * Checks: the full mask gives the package's own compound (its 4-decimal rounding, computed by
 * a separate `node -e` call on the untouched package); the empty mask gives 0; a hand-checked
 * negation example from VADER's published rules; compound = normalize(sum); determinism;
 * labels and description; the reviews CSV options; every missing-dependency message. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mask.h"
#include "core/options.h"
#include "core/rng.h"
#include "oracle/oracle.h"
#include "oracle/sentiment.h"
#include "testing.h"

#include <gsl/gsl_rng.h>

static const char *source_dir(void) {
  const char *s = getenv("SPX_SOURCE_DIR");
  return s ? s : ".";
}

static spx_options *opts_with(const char *const *kv) {
  spx_options *o = spx_options_create("oracle sentiment (test)");
  /* untyped text, as from the command line: each getter parses it */
  for (size_t i = 0; kv && kv[i]; i += 2) spx_options_put(o, kv[i], SPX_OPT_TEXT, kv[i + 1], "test", NULL);
  return o;
}

static spx_oracle *open_with(const char *const *kv, size_t explicand, spx_error *err) {
  spx_options *o = opts_with(kv);
  spx_oracle *orc = NULL;
  spx_oracle_open(spx_oracle_lookup("sentiment"), o, explicand, &orc, err);
  spx_options_destroy(&o);
  return orc;
}

/* Evaluate one mask given as a '0'/'1' string. */
static double eval_str(spx_oracle *o, const char *bits) {
  spx_maskset *s = spx_maskset_create(o->n, 1);
  double v = NAN;
  spx_error err = {0};
  if (s && spx_mask_from_string(spx_maskset_row(s, 0), o->n, bits, NULL) == SPX_OK &&
      spx_oracle_eval_all(o, s, &v, &err) != SPX_OK) {
    printf("eval failed: %s\n", err.msg);
    v = NAN;
  }
  spx_maskset_destroy(&s);
  return v;
}

static char *temp_file(const char *text) {
  const char *dir = getenv("TMPDIR");
  char *p = malloc(512);
  snprintf(p, 512, "%s/spx-test-sentiment-XXXXXX", dir && *dir ? dir : "/tmp");
  int fd = mkstemp(p);
  if (fd < 0) {
    free(p);
    return NULL;
  }
  FILE *f = fdopen(fd, "w");
  fputs(text, f);
  fclose(f);
  return p;
}

/* The package's own rounded compound for each line of a file, computed by the untouched
 * package in a separate node process. Returns the number of values read. */
static size_t package_compounds(const char *lines_file, double *out, size_t max) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd,
           "node -e \"const S = require(process.argv[1]).SentimentIntensityAnalyzer; "
           "for (const t of require('fs').readFileSync(process.argv[2], 'utf8').split('\\n')) "
           "if (t.length) console.log(S.polarity_scores(t).compound);\" "
           "'%s/oracles/node/node_modules/vader-sentiment' '%s'",
           source_dir(), lines_file);
  FILE *p = popen(cmd, "r");
  if (p == NULL) return 0;
  size_t k = 0;
  while (k < max && fscanf(p, "%lf", &out[k]) == 1) k++;
  pclose(p);
  return k;
}

/* VADER's rules by hand: "good" has lexicon valence 1.9; a negation word right before it
 * multiplies by N_SCALAR = -0.74; compound = s / sqrt(s^2 + 15) (Hutto & Gilbert 2014). */
static void test_negation(void) {
  const char *csv = "review,source,n,sentiment\n\"\"\"The plot is not good\"\"\",test,5,negative\n";
  char *path = temp_file(csv);
  const char *kv[] = {"texts_csv", path, NULL};
  spx_error err = {0};
  spx_oracle *o = open_with(kv, 0, &err);
  spx_test(o != NULL, "open a 5-word review [%s]", err.msg);
  if (o) {
    double good = 1.9, notgood = 1.9 * -0.74;
    double f11 = eval_str(o, "11111"), f01 = eval_str(o, "11101"), f10 = eval_str(o, "11110"),
           f00 = eval_str(o, "11100"), empty = eval_str(o, "00000");
    /* tolerance: the same three IEEE operations in C and in JavaScript; allow 4 ulp */
    spx_test_rel(f11, notgood / sqrt(notgood * notgood + 15), 1e-15, "f(The plot is not good)");
    spx_test_rel(f01, good / sqrt(good * good + 15), 1e-15, "f(The plot is good)");
    spx_test_abs(f10, 0.0, 0.0, "f(The plot is not) = 0: no sentiment word");
    spx_test_abs(f00, 0.0, 0.0, "f(The plot is) = 0");
    spx_test_abs(empty, 0.0, 0.0, "empty mask gives exactly 0");
    double inter = f11 - f01 - f10 + f00;
    spx_test(fabs(inter) > 0.5, "'not' x 'good' interaction is large (%.6f)", inter);
    /* f(both) - f(not) - f(good) + f(none) = -0.34124 - 0 - 0.44043 + 0 = -0.78167 */
    spx_test_rel(inter, notgood / sqrt(notgood * notgood + 15) - good / sqrt(good * good + 15),
                 1e-15, "interaction = normalize(-1.406) - normalize(1.9) = -0.78167");
    spx_test(eval_str(o, "00011") == f11, "removing the neutral words changes nothing here");
    spx_test(eval_str(o, "00001") == f01, "'good' alone");
    char buf[32];
    spx_test(strcmp(spx_oracle_label(o, 3, buf, sizeof buf), "not") == 0 &&
                 strcmp(spx_oracle_label(o, 4, buf, sizeof buf), "good") == 0,
             "labels are the words");
    spx_test(o->explicand && strstr(o->explicand, "review 0 of") &&
                 strstr(o->explicand, "The plot is not good") && strstr(o->explicand, "5 words"),
             "explicand description [%s]", o->explicand ? o->explicand : "(null)");
  }
  spx_oracle_destroy(&o);

  const char *kvs[] = {"texts_csv", path, "output", "sum", NULL};
  o = open_with(kvs, 0, &err);
  spx_test(o != NULL, "open with output = sum [%s]", err.msg);
  if (o) {
    spx_test_abs(eval_str(o, "11111"), 1.9 * -0.74, 0.0, "sum(The plot is not good) = 1.9 * -0.74");
    spx_test_abs(eval_str(o, "00001"), 1.9, 0.0, "sum(good) = 1.9");
  }
  spx_oracle_destroy(&o);
  unlink(path);
  free(path);
}

/* Full masks of a review from each length band (and rows of the shared file) against the
 * untouched package's rounded compound. */
static void test_full_masks(void) {
  struct {
    const char *csv;
    size_t row;
  } cases[] = {{NULL, 0}, {NULL, 5}, {NULL, 10}, {NULL, 15}, {NULL, 20}, {NULL, 25}, {NULL, 30},
               {NULL, 35}, {NULL, 39}, {"shared", 0}, {"shared", 6}, {"shared", 106}};
  enum { NC = sizeof cases / sizeof cases[0] };
  char shared[1024], own[1024];
  const char *sh = spx_test_shared("spectral_explain/sentiment.csv", shared, sizeof shared);
  snprintf(own, sizeof own, "%s/data/reviews.csv", source_dir());
  double vals[NC];
  size_t ns[NC];
  char *lines = NULL;
  size_t llen = 0;
  FILE *mem = open_memstream(&lines, &llen);
  size_t used = 0;
  for (size_t c = 0; c < NC; c++) {
    if (cases[c].csv && !sh) continue;
    const char *file = cases[c].csv ? sh : own;
    const char *kv[] = {"texts_csv", file, NULL};
    spx_error err = {0};
    spx_oracle *o = open_with(kv, cases[c].row, &err);
    spx_test(o != NULL, "open row %zu of %s [%s]", cases[c].row, file, err.msg);
    if (!o) continue;
    spx_maskset *s = spx_maskset_create(o->n, 2);
    spx_mask_fill(spx_maskset_row(s, 0), o->n, 1);
    double v[2] = {NAN, NAN};
    int rc = spx_oracle_eval_all(o, s, v, &err);
    spx_test(rc == SPX_OK, "eval row %zu [%s]", cases[c].row, err.msg);
    spx_test_abs(v[1], 0.0, 0.0, "row %zu: empty mask gives 0", cases[c].row);
    for (size_t i = 0; i < o->n; i++) {
      char b[32];
      fprintf(mem, "%s%s", i ? " " : "", spx_oracle_label(o, i, b, sizeof b));
    }
    fputc('\n', mem);
    vals[used] = v[0];
    ns[used] = o->n;
    cases[used] = cases[c];
    used++;
    spx_maskset_destroy(&s);
    spx_oracle_destroy(&o);
  }
  fclose(mem);
  char *file = temp_file(lines);
  double pkg[NC];
  size_t got = file ? package_compounds(file, pkg, NC) : 0;
  spx_test_int((long long)got, (long long)used, "the package scored every joined text");
  for (size_t c = 0; c < used && c < got; c++)
    /* equal after rounding to 4 decimals: |exact - rounded| <= 0.5e-4 (plus float slack) */
    spx_test(fabs(vals[c] - pkg[c]) <= 0.5e-4 + 1e-12 && fabs(vals[c]) <= 1.0,
             "%s row %zu (%zu words): exact %.17g rounds to the package's %.4f",
             cases[c].csv ? "shared" : "own", cases[c].row, ns[c], vals[c], pkg[c]);
  if (file) unlink(file);
  free(file);
  free(lines);
}

static void test_random_masks(void) {
  const char *kv[] = {NULL};
  const char *kvs[] = {"output", "sum", NULL};
  spx_error err = {0};
  spx_oracle *a = open_with(kv, 22, &err), *b = open_with(kv, 22, &err), *s = open_with(kvs, 22, &err);
  spx_test(a && b && s, "open review 22 three times [%s]", err.msg);
  if (a && b && s) {
    size_t n = a->n, N = 300;
    gsl_rng *r = gsl_rng_alloc(spx_rng_pcg64());
    gsl_rng_set(r, 7);
    spx_maskset *m = spx_maskset_create(n, N);
    for (size_t k = 0; k < N; k++)
      for (size_t i = 0; i < n; i++)
        if (gsl_rng_uniform(r) < 0.5) spx_mask_set(spx_maskset_row(m, k), i);
    double *va = malloc(N * sizeof *va), *va2 = malloc(N * sizeof *va2), *vb = malloc(N * sizeof *vb),
           *vs = malloc(N * sizeof *vs);
    int rc = spx_oracle_eval_all(a, m, va, &err) | spx_oracle_eval_all(a, m, va2, &err) |
             spx_oracle_eval_all(b, m, vb, &err) | spx_oracle_eval_all(s, m, vs, &err);
    spx_test(rc == SPX_OK, "300 random masks [%s]", err.msg);
    size_t same = 0, close_ = 0, distinct = 0;
    for (size_t k = 0; k < N; k++) {
      same += memcmp(&va[k], &va2[k], sizeof(double)) == 0 && memcmp(&va[k], &vb[k], sizeof(double)) == 0;
      /* compound = normalize(sum); the same operations as the package, so within 2 ulp */
      double c = vs[k] / sqrt(vs[k] * vs[k] + 15.0);
      close_ += fabs(c - va[k]) <= 4e-16 * fmax(1.0, fabs(c));
      distinct += k > 0 && va[k] != va[k - 1];
    }
    spx_test_int((long long)same, (long long)N, "deterministic: repeated and second instance agree bitwise");
    spx_test_int((long long)close_, (long long)N, "compound = sum / sqrt(sum^2 + 15) on every mask");
    spx_test(distinct > N / 2, "values vary with the mask (%zu changes)", distinct);
    spx_test(a->queries == 2 * N, "the oracle counts its queries (%llu)", (unsigned long long)a->queries);
    free(va), free(va2), free(vb), free(vs);
    spx_maskset_destroy(&m);
    gsl_rng_free(r);
  }
  spx_oracle_destroy(&a);
  spx_oracle_destroy(&b);
  spx_oracle_destroy(&s);
}

static void expect_error(const char *const *kv, size_t explicand, int code, const char *a,
                         const char *b, const char *what) {
  spx_error err = {0};
  spx_oracle *o = open_with(kv, explicand, &err);
  spx_test(o == NULL && err.code == code && strstr(err.msg, a) && (!b || strstr(err.msg, b)),
           "%s [%s]", what, err.msg);
  spx_oracle_destroy(&o);
}

static void test_errors(void) {
  size_t count = 0;
  spx_options *o = opts_with(NULL);
  int rc = spx_oracle_explicands(spx_oracle_lookup("sentiment"), o, &count, NULL);
  spx_test(rc == SPX_OK && count >= 40, "explicands = the reviews of data/reviews.csv (%zu)",
           count);
  spx_options_destroy(&o);

  const char *n1[] = {"node", "/nonexistent/bin/node", NULL};
  expect_error(n1, 0, SPX_EIO, "/nonexistent/bin/node", "install Node.js", "node path missing");
  const char *n2[] = {"node", "spx-no-such-node", NULL};
  expect_error(n2, 0, SPX_EIO, "'spx-no-such-node' is not on PATH", "install Node.js",
               "node not on PATH");
  const char *p1[] = {"package", "/nonexistent/vader-sentiment", NULL};
  expect_error(p1, 0, SPX_EIO, "/nonexistent/vader-sentiment", "run scripts/setup",
               "package directory missing");
  char dir[512];
  snprintf(dir, sizeof dir, "%s/oracles", source_dir()); /* exists, but holds no package.json */
  const char *p2[] = {"package", dir, NULL};
  expect_error(p2, 0, SPX_EIO, "vader-sentiment is not installed", "run scripts/setup",
               "package.json missing");
  const char *s1[] = {"script", "/nonexistent/vader_server.js", NULL};
  expect_error(s1, 0, SPX_EIO, "/nonexistent/vader_server.js", NULL, "server script missing");
  const char *c1[] = {"texts_csv", "/nonexistent/reviews.csv", NULL};
  expect_error(c1, 0, SPX_EIO, "/nonexistent/reviews.csv", "texts_csv", "absolute CSV missing");
  const char *c2[] = {"texts_csv", "no/such/reviews.csv", NULL};
  expect_error(c2, 0, SPX_EIO, "not found at no/such/reviews.csv", "/no/such/reviews.csv",
               "relative CSV missing: both places named");
  const char *none[] = {NULL};
  expect_error(none, count, SPX_ERANGE, "out of range", "reviews.csv", "row index out of range");
  const char *out[] = {"output", "mean", NULL};
  expect_error(out, 0, SPX_EINVAL, "output", "mean", "unknown output");
  const char *t[] = {"timeout", "-1", NULL};
  expect_error(t, 0, SPX_ERANGE, "timeout", "-1 is out of range [0.001, 10000000]", "bad timeout");
  const char *k[] = {"colour", "red", NULL};
  expect_error(k, 0, SPX_EINVAL, "colour", NULL, "unknown key");

  /* a package.json of another version passes the C check; the server refuses it, and the
   * failure reaches the caller at the first eval (the server's own line goes to stderr) */
  char pkgdir[512];
  const char *tmp = getenv("TMPDIR");
  snprintf(pkgdir, sizeof pkgdir, "%s/spx-test-vader-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (mkdtemp(pkgdir)) {
    char pj[600];
    snprintf(pj, sizeof pj, "%s/package.json", pkgdir);
    FILE *f = fopen(pj, "w");
    if (f) {
      fputs("{\"name\": \"vader-sentiment\", \"version\": \"9.9.9\"}\n", f);
      fclose(f);
    }
    const char *v[] = {"package", pkgdir, NULL};
    spx_error err = {0};
    spx_oracle *orc = open_with(v, 0, &err);
    spx_test(orc != NULL, "a package.json of another version passes open [%s]", err.msg);
    if (orc) {
      spx_maskset *m = spx_maskset_create(orc->n, 1);
      double val;
      rc = spx_oracle_eval_all(orc, m, &val, &err);
      spx_test(rc == SPX_EORACLE && strstr(err.msg, "exited with status 2"),
               "... and the first eval fails naming the server's exit [%s]", err.msg);
      spx_maskset_destroy(&m);
    }
    spx_oracle_destroy(&orc);
    unlink(pj);
    rmdir(pkgdir);
  }

  /* the server's own check, reached when the C side is bypassed */
  char cmd[2048];
  snprintf(cmd, sizeof cmd,
           "cd %s/oracles/node && echo 'a b' > /tmp/spx-vs-$$.txt && "
           "node vader_server.js --package /nonexistent /tmp/spx-vs-$$.txt 2>&1 < /dev/null; "
           "rm -f /tmp/spx-vs-$$.txt",
           source_dir());
  FILE *p = popen(cmd, "r");
  char line[512] = "";
  if (p) {
    if (!fgets(line, sizeof line, p)) line[0] = '\0';
    pclose(p);
  }
  spx_test(strstr(line, "not installed at /nonexistent") && strstr(line, "scripts/setup"),
           "the server names a missing package too [%s]", line);
}

int main(void) {
  test_negation();
  test_full_masks();
  test_random_masks();
  test_errors();
  return spx_test_summary();
}
