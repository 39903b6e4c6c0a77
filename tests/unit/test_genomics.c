/* test_genomics.c: the genomics oracle: its values against its Moebius truth on every mask
 * (small n) and on random masks (n = 10^5), the structure of the truth (null SNPs, causal SNPs
 * in degree-1 terms, epistasis orders, baselines), shared architecture across individuals,
 * the noise level at heritability h2, determinism, the option errors, and the declared
 * defaults against the documented ones. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "core/convert.h"
#include "core/mask.h"
#include "core/metrics.h"
#include "core/options.h"
#include "core/rng.h"
#include "core/transform.h"
#include "oracle/oracle.h"
#include "testing.h"

/* Kind of a TOML-like scalar as the config reader would type it. */
static spx_option_kind kind_of(char *v) {
  size_t len = strlen(v);
  if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
    memmove(v, v + 1, len - 2);
    v[len - 2] = '\0';
    return SPX_OPT_STRING;
  }
  if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) return SPX_OPT_BOOL;
  char *end;
  strtoll(v, &end, 10);
  if (*v && *end == '\0') return SPX_OPT_INT;
  strtod(v, &end);
  if (*v && *end == '\0') return SPX_OPT_FLOAT;
  return SPX_OPT_TEXT;
}

/* Options from "key=value; key=[a, b]; ..." typed like TOML, key i at "t.toml:i:1". */
static spx_options *mk(const char *spec) {
  spx_options *o = spx_options_create("oracle genomics");
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", spec);
  int line = 0;
  char *save = NULL;
  for (char *tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
    while (*tok == ' ') tok++;
    if (*tok == '\0') continue;
    char *eq = strchr(tok, '=');
    *eq = '\0';
    char *key = tok, *val = eq + 1;
    for (char *k = key + strlen(key); k > key && k[-1] == ' '; k--) k[-1] = '\0';
    while (*val == ' ') val++;
    char where[64];
    snprintf(where, sizeof where, "t.toml:%d:1", ++line);
    if (*val == '[') {
      char *items[128];
      spx_option_kind kinds[128];
      size_t n = 0;
      char *close = strrchr(val, ']');
      if (close) *close = '\0';
      char *s2 = NULL;
      for (char *it = strtok_r(val + 1, ",", &s2); it; it = strtok_r(NULL, ",", &s2)) {
        while (*it == ' ') it++;
        kinds[n] = kind_of(it);
        items[n++] = it;
      }
      spx_options_put_array(o, key, n, kinds, (const char *const *)items, where, NULL);
    } else {
      spx_option_kind k = kind_of(val);
      spx_options_put(o, key, k, val, where, NULL);
    }
  }
  return o;
}

static spx_oracle *open_spec(const char *spec, size_t e) {
  spx_options *opts = mk(spec);
  spx_oracle *o = NULL;
  spx_error err = {0};
  int rc = spx_oracle_open(spx_oracle_lookup("genomics"), opts, e, &o, &err);
  if (rc) printf("unexpected failure opening '%s': %s\n", spec, err.msg);
  spx_options_destroy(&opts);
  return o;
}

/* All 2^n masks, mask number x keeping the features of the bits of x. */
static spx_maskset *all_masks(size_t n) {
  spx_maskset *s = spx_maskset_create(n, (size_t)1 << n);
  for (size_t x = 0; x < ((size_t)1 << n); x++) spx_maskset_row(s, x)[0] = x;
  return s;
}

static spx_maskset *random_masks(size_t n, size_t count, uint64_t seed) {
  spx_maskset *s = spx_maskset_create(n, count);
  gsl_rng *r = spx_rng_stream(seed, 99, 0, 0, 0);
  if (s && r) spx_maskset_fill_random(s, r);
  if (r) gsl_rng_free(r);
  return s;
}


static double population_variance(const double *y, size_t n) {
  long double mean = 0, ss = 0;
  for (size_t i = 0; i < n; i++) mean += y[i];
  mean /= (long double)n;
  for (size_t i = 0; i < n; i++) ss += (y[i] - mean) * (y[i] - mean);
  return (double)(ss / (long double)n);
}

static double max_abs_diff(const double *a, const double *b, size_t n) {
  double m = 0;
  for (size_t i = 0; i < n; i++)
    if (fabs(a[i] - b[i]) > m) m = fabs(a[i] - b[i]);
  return m;
}

/* Values equal the truth's predictions on all 2^12 masks, for both baselines. */
static void test_exhaustive(void) {
  static const char *const specs[] = {
      "n=12; causal=6; epistasis=[4, 2, 1]; seed=3",
      "n=12; causal=6; epistasis=[4, 2, 1]; seed=3; baseline=\"reference\"; intercept=2.5",
      "n=12; causal=12; epistasis=[10, 4]; seed=9; maf=[0.2, 0.5]"};
  for (int s = 0; s < 3; s++)
    for (size_t e = 0; e < 3; e++) {
      spx_oracle *o = open_spec(specs[s], e);
      if (!spx_test(o != NULL, "open '%s'", specs[s])) continue;
      spx_maskset *m = all_masks(12);
      double *y = malloc(m->count * sizeof *y), *want = malloc(m->count * sizeof *want);
      spx_oracle_eval_all(o, m, y, NULL);
      const spx_transform *t = spx_oracle_truth(o);
      spx_transform_predict(t, m, want, NULL);
      double diff = max_abs_diff(y, want, m->count);
      spx_test(spx_transform_basis(t) == SPX_BASIS_MOEBIUS && diff < 1e-12,
               "'%s' #%zu: the Moebius truth reproduces all 4096 values (max diff %.2g)",
               specs[s], e, diff);
      free(y);
      free(want);
      spx_maskset_destroy(&m);
      spx_oracle_destroy(&o);
    }
}

/* n = 10^5: most SNPs null; the causal SNPs are exactly the degree-1 support (mean baseline)
 * and the same for every individual; the highest order is 3; random masks match the truth. */
static void test_structure(void) {
  const char *spec = "n=100000; causal=50; epistasis=[20, 5]; seed=1";
  spx_oracle *a = open_spec(spec, 0), *b = open_spec(spec, 1);
  if (!spx_test(a && b, "open n = 10^5")) return;
  const spx_transform *ta = spx_oracle_truth(a), *tb = spx_oracle_truth(b);
  size_t ones_a = 0, maxdeg = 0, same_ones = 1, snps = 0;
  uint32_t used[400];
  for (size_t e = 0; e < spx_transform_size(ta); e++) {
    const uint32_t *idx;
    uint32_t d;
    double v;
    spx_transform_entry(ta, e, &idx, &d, &v);
    if (d > maxdeg) maxdeg = d;
    if (d == 1) {
      ones_a++;
      int found;
      spx_transform_get(tb, idx, 1, &found);
      same_ones &= found;
    }
    for (uint32_t j = 0; j < d; j++) {
      size_t k = 0;
      while (k < snps && used[k] != idx[j]) k++;
      if (k == snps && snps < 400) used[snps++] = idx[j];
    }
  }
  spx_test(ones_a == 50 && same_ones && maxdeg == 3 && snps == 50,
           "50 causal SNPs (%zu degree-1 terms, %zu SNPs in the truth, shared by individuals: "
           "%s), highest order %zu, the other 99,950 SNPs null",
           ones_a, snps, same_ones ? "yes" : "no", maxdeg);
  size_t differ = 0; /* same v(empty) = G(baseline); the dosages differ at some SNPs */
  for (size_t k = 0; k < snps; k++)
    differ += spx_transform_get(ta, &used[k], 1, NULL) != spx_transform_get(tb, &used[k], 1, NULL);
  spx_test(differ > 0, "two individuals differ at %zu of the 50 causal SNPs", differ);
  spx_maskset *m = random_masks(100000, 500, 4);
  double y[500], want[500];
  spx_oracle_eval_all(a, m, y, NULL);
  spx_transform_predict(ta, m, want, NULL);
  spx_test(max_abs_diff(y, want, 500) < 1e-10, "n = 10^5: 500 random masks match the truth");
  spx_maskset_destroy(&m);
  spx_oracle_destroy(&a);
  spx_oracle_destroy(&b);

  /* reference baseline: only SNPs where the individual carries a minor allele appear */
  spx_oracle *r = open_spec("n=1000; causal=200; epistasis=[0]; seed=5; baseline=\"reference\"; "
                            "maf=[0.05, 0.1]", 0);
  if (!spx_test(r != NULL, "open reference baseline")) return;
  size_t size = spx_transform_size(spx_oracle_truth(r));
  spx_test(size > 5 && size < 80,
           "reference baseline, MAF 0.05-0.1: %zu of 200 causal SNPs carried (expected ~28)",
           size);
  spx_oracle_destroy(&r);
}

/* h2 = 0.5: the noise variance equals the genetic variance over uniform masks (within 6 %
 * on 20,000 masks); values are a pure function of the mask; the noiseless part is unchanged. */
static void test_noise(void) {
  spx_oracle *clean = open_spec("n=2000; causal=30; seed=2", 0);
  spx_oracle *noisy = open_spec("n=2000; causal=30; seed=2; h2=0.5", 0);
  if (!spx_test(clean && noisy, "open h2 = 0.5")) return;
  size_t N = 20000;
  spx_maskset *m = random_masks(2000, N, 8);
  double *y0 = malloc(N * sizeof *y0), *y1 = malloc(N * sizeof *y1), *y2 = malloc(N * sizeof *y2);
  spx_oracle_eval_all(clean, m, y0, NULL);
  spx_oracle_eval_all(noisy, m, y1, NULL);
  spx_oracle_eval(noisy, m, 100, 50, y2, NULL);
  int same = memcmp(y2, y1 + 100, 50 * sizeof *y2) == 0;
  spx_transform *f = NULL;
  spx_moebius_to_fourier(spx_oracle_truth(clean), &f, NULL);
  double vg = 0;
  for (size_t e = 0; e < spx_transform_size(f); e++) {
    const uint32_t *idx;
    uint32_t d;
    double v;
    spx_transform_entry(f, e, &idx, &d, &v);
    if (d) vg += v * v;
  }
  double v0 = population_variance(y0, N);
  for (size_t i = 0; i < N; i++) y1[i] -= y0[i];
  double vn = population_variance(y1, N);
  spx_test(fabs(v0 / vg - 1) < 0.06, "genetic variance over masks %.4g vs exact %.4g", v0, vg);
  spx_test(fabs(vn / vg - 1) < 0.06, "h2 = 0.5: noise variance %.4g vs genetic %.4g", vn, vg);
  spx_test(same, "noise is a function of the mask (batching does not matter)");
  spx_transform_destroy(&f);
  free(y0);
  free(y1);
  free(y2);
  spx_maskset_destroy(&m);
  spx_oracle_destroy(&clean);
  spx_oracle_destroy(&noisy);
}

static void test_errors(void) {
  static const struct {
    const char *spec, *want;
  } bad[] = {{"causal=3", "n: required"},
             {"n=10; causal=11", "causal: 11 causal SNPs but n = 10"},
             {"n=10; causal=4; epistasis=[4]", "epistasis: 4 interactions of order 2"},
             {"n=10; maf=[0.3, 0.6]", "maf: expected [lo, hi]"},
             {"n=10; h2=0", "h2"},
             {"n=10; baseline=\"zero\"", "baseline"},
             {"n=10; bogus=1", "bogus"}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    spx_options *opts = mk(bad[i].spec);
    spx_oracle *o = NULL;
    spx_error err = {0};
    int rc = spx_oracle_open(spx_oracle_lookup("genomics"), opts, 0, &o, &err);
    spx_test(rc != 0 && o == NULL && strstr(err.msg, bad[i].want) != NULL,
             "'%s' rejected: %s", bad[i].spec, err.msg);
    spx_options_destroy(&opts);
  }
}

/* The declared defaults (gen_rows, shown by --help genomics) are the documented ones of
 * docs/genomics.md: leaving every key out gives the same individual, truth and values as
 * spelling each default out, noiseless and at h2 = 0.6. */
static void test_defaults(void) {
  static const char *const pairs[][2] = {
      {"n=3000", "n=3000; causal=40; epistasis=[20, 5]; maf=[0.05, 0.5]; additive_sd=1.0; "
                 "epistasis_sd=0.5; h2=1.0; intercept=0.0; baseline=\"mean\"; seed=0"},
      {"n=3000; h2=0.6", "n=3000; h2=0.6; causal=40; epistasis=[20, 5]; maf=[0.05, 0.5]; "
                         "additive_sd=1.0; epistasis_sd=0.5; intercept=0.0; "
                         "baseline=\"mean\"; seed=0"}};
  spx_maskset *m = random_masks(3000, 200, 17);
  for (size_t i = 0; i < 2; i++) {
    spx_oracle *a = open_spec(pairs[i][0], 1), *b = open_spec(pairs[i][1], 1);
    double ya[200], yb[200];
    int ok = a && b && m && spx_oracle_eval_all(a, m, ya, NULL) == SPX_OK &&
             spx_oracle_eval_all(b, m, yb, NULL) == SPX_OK;
    spx_test(ok && memcmp(ya, yb, sizeof ya) == 0 &&
                 spx_transform_size(spx_oracle_truth(a)) == spx_transform_size(spx_oracle_truth(b)) &&
                 strcmp(a->explicand, b->explicand) == 0,
             "'%s' = every documented default spelled out", pairs[i][0]);
    spx_oracle_destroy(&a);
    spx_oracle_destroy(&b);
  }
  spx_maskset_destroy(&m);
}

int main(void) {
  test_exhaustive();
  test_structure();
  test_noise();
  test_errors();
  test_defaults();
  return spx_test_summary();
}
