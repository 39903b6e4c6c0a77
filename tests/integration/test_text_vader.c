/* test_text_vader.c: the `sentiment` oracle, now the text oracle with the VADER scorer, gives
 * bit-identical values to the former sentiment oracle, and the `text` oracle configured by
 * hand gives the same values.
 *
 * The former oracle was the process oracle on "node vader_server.js --output X --package DIR
 * FILE", FILE holding the review's words joined by single spaces (the server re-joins the kept
 * words and scores them). That path still exists in the server (TEXTFILE mode), so this test
 * runs it side by side with the new scorer protocol: reviews of data/reviews.csv of 8 to 463
 * words, the full and empty masks and 200 random masks each at keep rates 0.2, 0.5 and 0.9,
 * compound and sum; every value must agree in all 64 bits (memcmp). Needs node and the npm
 * package (scripts/setup); prints SKIP without them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

#include "core/mask.h"
#include "core/options.h"
#include "core/rng.h"
#include "oracle/oracle.h"
#include "oracle/textdata.h"
#include "testing.h"

static const char *source_dir(void) {
  const char *s = getenv("SPX_SOURCE_DIR");
  return s ? s : ".";
}

static spx_oracle *open_kv(const char *kind, const char *const *kv, size_t e, spx_error *err) {
  spx_options *o = spx_options_create(kind);
  for (size_t i = 0; kv[i]; i += 2) {
    spx_option_kind k = SPX_OPT_STRING;
    if (strcmp(kv[i], "n") == 0) k = SPX_OPT_INT;
    if (strcmp(kv[i], "strip_quotes") == 0) k = SPX_OPT_BOOL;
    spx_options_put(o, kv[i], k, kv[i + 1], "t.toml:1:1", NULL);
  }
  spx_oracle *orc = NULL;
  spx_oracle_open(spx_oracle_lookup(kind), o, e, &orc, err);
  spx_options_destroy(&o);
  return orc;
}

int main(void) {
  char pkg[2048], script[2048], csv[2048];
  snprintf(pkg, sizeof pkg, "%s/oracles/node/node_modules/vader-sentiment/package.json", source_dir());
  if (system("command -v node >/dev/null 2>&1") != 0 || access(pkg, R_OK) != 0) {
    printf("SKIP: node or the npm package vader-sentiment missing (scripts/setup installs them)\n");
    return 0;
  }
  snprintf(pkg, sizeof pkg, "%s/oracles/node/node_modules/vader-sentiment", source_dir());
  snprintf(script, sizeof script, "%s/oracles/node/vader_server.js", source_dir());
  snprintf(csv, sizeof csv, "%s/data/reviews.csv", source_dir());
  spx_reviews *R = NULL;
  spx_error err = {0};
  if (spx_reviews_read(csv, &R, &err) != SPX_OK) {
    printf("FAIL: cannot read %s: %s\n", csv, err.msg);
    return 1;
  }
  const size_t rows[] = {0, 7, 17, 27, 34};
  const char *outputs[] = {"compound", "sum"};
  gsl_rng *r = gsl_rng_alloc(spx_rng_pcg64());
  gsl_rng_set(r, 11);
  for (size_t ri = 0; ri < sizeof rows / sizeof rows[0]; ri++) {
    size_t e = rows[ri];
    if (e >= R->count) continue;
    char **words = NULL;
    size_t n = 0;
    spx_words_split(R->rows[e].text, &words, &n, NULL);
    char file[] = "/tmp/spx-test-vader-XXXXXX";
    int fd = mkstemp(file);
    FILE *f = fdopen(fd, "w");
    for (size_t i = 0; i < n; i++) fprintf(f, "%s%c", words[i], i + 1 < n ? ' ' : '\n');
    fclose(f);
    size_t N = 602;
    spx_maskset *m = spx_maskset_create(n, N);
    for (size_t i = 0; i < n; i++) spx_mask_set(spx_maskset_row(m, 0), i);
    for (size_t k = 2; k < N; k++) {
      double p = k < 202 ? 0.2 : k < 402 ? 0.5 : 0.9;
      for (size_t i = 0; i < n; i++)
        if (gsl_rng_uniform(r) < p) spx_mask_set(spx_maskset_row(m, k), i);
    }
    for (int out = 0; out < 2; out++) {
      char cmd[8192], nb[32];
      snprintf(cmd, sizeof cmd, "exec node '%s' --output %s --package '%s' '%s'", script,
               outputs[out], pkg, file);
      snprintf(nb, sizeof nb, "%zu", n);
      const char *kvold[] = {"command", cmd, "n", nb, NULL};
      const char *kvnew[] = {"output", outputs[out], NULL};
      char scorer[4200];
      snprintf(scorer, sizeof scorer, "node '%s' --scorer --output %s", script, outputs[out]);
      const char *kvtext[] = {"data", csv, "field", "review", "strip_quotes", "true", "scorer", scorer,
                              NULL};
      spx_oracle *old = open_kv("process", kvold, 0, &err);
      spx_oracle *neu = open_kv("sentiment", kvnew, e, &err);
      spx_oracle *txt = open_kv("text", kvtext, e, &err);
      spx_test(old && neu && txt, "review %zu (%zu words, %s): open all three [%s]", e, n,
               outputs[out], err.msg);
      if (old && neu && txt) {
        double *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b), *c = malloc(N * sizeof *c);
        int rc = spx_oracle_eval_all(old, m, a, &err);
        if (rc == SPX_OK) rc = spx_oracle_eval_all(neu, m, b, &err);
        if (rc == SPX_OK) rc = spx_oracle_eval_all(txt, m, c, &err);
        size_t same = 0, same_text = 0, varied = 0;
        for (size_t k = 0; rc == SPX_OK && k < N; k++) {
          same += memcmp(&a[k], &b[k], sizeof(double)) == 0;
          same_text += memcmp(&a[k], &c[k], sizeof(double)) == 0;
          varied += k > 0 && a[k] != a[k - 1];
        }
        spx_test(rc == SPX_OK && same == N,
                 "review %zu (%zu words, %s): sentiment = former oracle bitwise on %zu of %zu "
                 "masks [%s]",
                 e, n, outputs[out], same, N, err.msg);
        spx_test(rc == SPX_OK && same_text == N,
                 "review %zu (%s): text oracle + VADER scorer = former oracle on %zu of %zu", e,
                 outputs[out], same_text, N);
        spx_test(varied > N / 3 || n < 10, "review %zu: values vary (%zu changes)", e, varied);
        free(a), free(b), free(c);
      }
      spx_oracle_destroy(&old);
      spx_oracle_destroy(&neu);
      spx_oracle_destroy(&txt);
    }
    unlink(file);
    spx_words_free(&words, n);
    spx_maskset_destroy(&m);
  }
  gsl_rng_free(r);
  spx_reviews_destroy(&R);
  return spx_test_summary();
}
