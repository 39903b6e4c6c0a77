/* test_synthetic.c: the synthetic oracle against brute force (exhaustive masks at small n),
 * its determinism, structure (degree counts, hierarchical closure), exact variance, noise
 * level, large n, and every option error message. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_rng.h>

#include "core/mask.h"
#include "core/metrics.h"
#include "core/options.h"
#include "core/rng.h"
#include "core/timer.h"
#include "core/transform.h"
#include "oracle/oracle.h"
#include "oracle/synthetic.h"
#include "testing.h"

/* ---- helpers ----------------------------------------------------------------------------- */

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
  spx_options *o = spx_options_create("oracle synthetic");
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
  int rc = spx_oracle_open(spx_oracle_lookup("synthetic"), opts, e, &o, &err);
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

/* Same entries and values (bitwise) in two transforms. */
static int same_transform(const spx_transform *a, const spx_transform *b) {
  if (spx_transform_size(a) != spx_transform_size(b)) return 0;
  for (size_t e = 0; e < spx_transform_size(a); e++) {
    const uint32_t *idx;
    uint32_t d;
    double v;
    int found;
    spx_transform_entry(a, e, &idx, &d, &v);
    if (spx_transform_get(b, idx, d, &found) != v || !found) return 0;
  }
  return 1;
}

static double population_variance(const double *y, size_t n) {
  long double mean = 0, ss = 0;
  for (size_t i = 0; i < n; i++) mean += y[i];
  mean /= (long double)n;
  for (size_t i = 0; i < n; i++) ss += (y[i] - mean) * (y[i] - mean);
  return (double)(ss / (long double)n);
}

/* ---- tests ----------------------------------------------------------------------------------- */

static void test_determinism(void) {
  const char *spec = "n = 50; terms = 12; max_degree = 4; seed = 7";
  spx_oracle *a = open_spec(spec, 3), *b = open_spec(spec, 3), *c = open_spec(spec, 4);
  spx_oracle *d = open_spec("n = 50; terms = 12; max_degree = 4; seed = 8", 3);
  if (!a || !b || !c || !d) {
    spx_test(0, "determinism: open");
    return;
  }
  spx_test(same_transform(spx_oracle_truth(a), spx_oracle_truth(b)),
           "same seed and explicand: identical truth");
  spx_test(!same_transform(spx_oracle_truth(a), spx_oracle_truth(c)),
           "different explicand: different function");
  spx_test(!same_transform(spx_oracle_truth(a), spx_oracle_truth(d)),
           "different seed: different function");
  spx_maskset *m = random_masks(50, 200, 1);
  double ya[200], yb[200];
  spx_oracle_eval_all(a, m, ya, NULL);
  spx_oracle_eval_all(b, m, yb, NULL);
  spx_test(memcmp(ya, yb, sizeof ya) == 0, "same seed and explicand: identical values");
  spx_test_int((long long)spx_transform_size(spx_oracle_truth(a)), 12,
               "12 terms and no constant give 12 entries");
  spx_test(a->explicand && strstr(a->explicand, "#3"), "explicand description names e = 3");
  size_t count = 0;
  spx_options *opts = mk(spec);
  spx_oracle_explicands(spx_oracle_lookup("synthetic"), opts, &count, NULL);
  spx_options_destroy(&opts);
  spx_test(count >= ((size_t)1 << 40), "explicands: a very large count (%zu)", count);
  spx_test(a->concurrent == 1, "synthetic oracle may be called from several ranks");
  char lab[32];
  spx_test(strcmp(spx_oracle_label(a, 17, lab, sizeof lab), "x17") == 0, "generic labels");
  spx_maskset_destroy(&m);
  spx_oracle_destroy(&a);
  spx_oracle_destroy(&b);
  spx_oracle_destroy(&c);
  spx_oracle_destroy(&d);
}

static void count_degrees(const spx_transform *t, long long *by_degree, int maxd) {
  for (int d = 0; d <= maxd; d++) by_degree[d] = 0;
  for (size_t e = 0; e < spx_transform_size(t); e++) {
    const uint32_t *idx;
    uint32_t d;
    double v;
    spx_transform_entry(t, e, &idx, &d, &v);
    if ((int)d <= maxd) by_degree[d]++;
  }
}

static void test_degrees(void) {
  spx_oracle *o = open_spec("n = 20; degree_counts = [2, 3, 0, 1]; basis = \"moebius\"", 0);
  if (!o) {
    spx_test(0, "degree_counts: open");
    return;
  }
  long long by[8];
  count_degrees(spx_oracle_truth(o), by, 7);
  spx_test(by[0] == 0 && by[1] == 2 && by[2] == 3 && by[3] == 0 && by[4] == 1 && by[5] == 0,
           "degree_counts [2,3,0,1]: exactly that many of each degree (%lld %lld %lld %lld %lld)",
           by[1], by[2], by[3], by[4], by[5]);
  spx_test(spx_transform_basis(spx_oracle_truth(o)) == SPX_BASIS_MOEBIUS, "basis moebius");
  spx_oracle_destroy(&o);

  /* Uniform degrees: 3000 terms over degrees 1..3 at n = 1000. Each degree count is
   * Binomial(3000, 1/3): sd 25.8; 5 sd = 129 makes a false failure negligible. */
  o = open_spec("n = 1000; terms = 3000; max_degree = 3; seed = 2", 0);
  count_degrees(spx_oracle_truth(o), by, 7);
  for (int d = 1; d <= 3; d++)
    spx_test_abs((double)by[d], 1000.0, 129.0, "max_degree 3: degree %d drawn uniformly", d);
  spx_test_int(by[0] + by[1] + by[2] + by[3], 3000, "3000 distinct interactions");
  spx_oracle_destroy(&o);

  /* Saturation: n = 4 has exactly 4 + 6 interactions of degree 1..2; asking for all 10 must
   * produce every one (distinct draws, exhausted degrees skipped). */
  o = open_spec("n = 4; terms = 10; max_degree = 2", 0);
  count_degrees(spx_oracle_truth(o), by, 7);
  spx_test(by[1] == 4 && by[2] == 6, "all 10 interactions of degree <= 2 at n = 4");
  spx_oracle_destroy(&o);

  /* Magnitudes within [lo, hi], both signs; gaussian coefficients unbounded. */
  o = open_spec("n = 30; terms = 200; magnitude = [0.7, 1.3]; seed = 5", 0);
  const spx_transform *t = spx_oracle_truth(o);
  int in_range = 1, pos = 0, neg = 0;
  for (size_t e = 0; e < spx_transform_size(t); e++) {
    const uint32_t *idx;
    uint32_t d;
    double v;
    spx_transform_entry(t, e, &idx, &d, &v);
    if (fabs(v) < 0.7 || fabs(v) > 1.3) in_range = 0;
    pos += v > 0;
    neg += v < 0;
  }
  spx_test(in_range && pos > 50 && neg > 50, "magnitude [0.7, 1.3] with random signs (%d+, %d-)",
           pos, neg);
  spx_oracle_destroy(&o);
  o = open_spec("n = 1000; terms = 2000; distribution = \"gaussian\"; constant = 2.5", 0);
  t = spx_oracle_truth(o);
  double ss = 0.0;
  const uint32_t none = 0;
  for (size_t e = 0; e < spx_transform_size(t); e++) {
    const uint32_t *idx;
    uint32_t d;
    double v;
    spx_transform_entry(t, e, &idx, &d, &v);
    if (d > 0) ss += v * v;
  }
  /* mean of 2000 squared standard normals: sd sqrt(2/2000) = 0.032; 5 sd tolerance */
  spx_test_abs(ss / 2000.0, 1.0, 0.16, "gaussian coefficients have unit variance");
  spx_test(spx_transform_get(t, &none, 0, NULL) == 2.5, "constant is the empty coefficient");
  spx_oracle_destroy(&o);
}

static void test_hierarchical(void) {
  /* One interaction of degree 3: closure of 7 entries, subsets decayed by 0.5^j. */
  spx_oracle *flat = open_spec("n = 12; degree_counts = [0, 0, 1]; seed = 4", 0);
  spx_oracle *h = open_spec("n = 12; degree_counts = [0, 0, 1]; seed = 4; hierarchical = true", 0);
  if (!flat || !h) {
    spx_test(0, "hierarchical: open");
    return;
  }
  const uint32_t *S;
  uint32_t d;
  double c;
  spx_transform_entry(spx_oracle_truth(flat), 0, &S, &d, &c);
  const spx_transform *t = spx_oracle_truth(h);
  spx_test_int((long long)spx_transform_size(t), 7, "closure of a degree-3 set has 7 entries");
  int ok = 1;
  for (unsigned bits = 1; bits < 8; bits++) {
    uint32_t sub[3], k = 0;
    for (int j = 0; j < 3; j++)
      if (bits >> j & 1) sub[k++] = S[j];
    int found;
    double v = spx_transform_get(t, sub, k, &found);
    double want = c * (k == 3 ? 1.0 : k == 2 ? 0.5 : 0.25);
    if (!found || fabs(v - want) > 1e-15 * fabs(c)) ok = 0;
  }
  spx_test(ok, "subset of size |S|-j has coefficient c * 0.5^j");
  spx_oracle_destroy(&flat);
  spx_oracle_destroy(&h);

  /* Several overlapping interactions at n = 8, decay 0.3: brute force over all 255 nonempty
   * subsets T of sum over chosen S ⊇ T of c_S 0.3^{|S|-|T|}. The flat oracle with the same
   * seed gives the chosen (S, c_S): generation draws the same stream either way. */
  const char *base = "n = 8; terms = 9; max_degree = 4; seed = 11; basis = \"moebius\"";
  char spec[256];
  snprintf(spec, sizeof spec, "%s; hierarchical = true; decay = 0.3", base);
  flat = open_spec(base, 2);
  h = open_spec(spec, 2);
  const spx_transform *tf = spx_oracle_truth(flat);
  t = spx_oracle_truth(h);
  double want[256] = {0};
  int present[256] = {0};
  for (size_t e = 0; e < spx_transform_size(tf); e++) {
    spx_transform_entry(tf, e, &S, &d, &c);
    unsigned sbits = 0;
    for (uint32_t j = 0; j < d; j++) sbits |= 1u << S[j];
    for (unsigned T = 1; T < 256; T++)
      if ((T & sbits) == T) {
        want[T] += c * pow(0.3, (double)(d - (uint32_t)__builtin_popcount(T)));
        present[T] = 1;
      }
  }
  int n_present = 0;
  ok = 1;
  int shared = 0;
  for (unsigned T = 1; T < 256; T++) {
    uint32_t sub[8], k = 0;
    for (uint32_t j = 0; j < 8; j++)
      if (T >> j & 1) sub[k++] = j;
    int found;
    double v = spx_transform_get(t, sub, k, &found);
    n_present += present[T];
    if (found != present[T] || fabs(v - want[T]) > 1e-12) ok = 0;
  }
  /* a singleton lies in several chosen sets whenever 9 sets of size <= 4 cover 8 features */
  for (unsigned i = 0; i < 8; i++) {
    int covers = 0;
    for (size_t e = 0; e < spx_transform_size(tf); e++) {
      spx_transform_entry(tf, e, &S, &d, &c);
      for (uint32_t j = 0; j < d; j++) covers += S[j] == i;
    }
    shared |= covers >= 2;
  }
  spx_test(ok && shared, "hierarchical closure with shared subsets equals brute force");
  spx_test_int((long long)spx_transform_size(t), n_present, "closure holds exactly the subsets");
  spx_oracle_destroy(&flat);
  spx_oracle_destroy(&h);
}

static void test_variance_and_truth(void) {
  const char *specs[] = {
      "n = 10; terms = 15; max_degree = 4; seed = 1; constant = 0.7",
      "n = 10; terms = 15; max_degree = 4; seed = 1; constant = 0.7; basis = \"moebius\"",
      "n = 10; terms = 5; max_degree = 5; seed = 3; basis = \"moebius\"; hierarchical = true",
      "n = 10; terms = 6; max_degree = 3; seed = 3; hierarchical = true; decay = 0.8",
      "n = 10; terms = 0; constant = 3",
      "n = 10; terms = 4; max_degree = 10; seed = 9; basis = \"moebius\"; distribution = "
      "\"gaussian\"",
  };
  spx_maskset *all = all_masks(10);
  double y[1024], yt[1024];
  for (size_t s = 0; s < sizeof specs / sizeof *specs; s++) {
    spx_oracle *o = open_spec(specs[s], 5);
    if (!o) {
      spx_test(0, "open %s", specs[s]);
      continue;
    }
    spx_oracle_eval_all(o, all, y, NULL);
    /* exact variance against brute force over all 1024 masks (uniform distribution): the
     * two are sums of the same few terms in different orders, so 1e-12 relative */
    spx_test_rel(spx_synthetic_variance(o), population_variance(y, 1024), 1e-12,
                 "exact variance = brute force over all masks: %s", specs[s]);
    spx_transform_predict(spx_oracle_truth(o), all, yt, NULL);
    double maxdiff = 0.0;
    for (size_t i = 0; i < 1024; i++) maxdiff = fmax(maxdiff, fabs(y[i] - yt[i]));
    spx_test_abs(maxdiff, 0.0, 1e-12, "truth() reproduces eval() on all masks: %s", specs[s]);
    spx_oracle_destroy(&o);
  }
  spx_maskset_destroy(&all);

  /* High degree Moebius (expansion into 2^25 Fourier terms too costly): the variance is
   * computed from pairwise covariances. Check against raw moments from the truth,
   * E[f] = sum a_S 2^-|S|, E[f^2] = sum_{S,S'} a_S a_S' 2^-|S ∪ S'|, in long double. */
  char spec[256] = "n = 30; basis = \"moebius\"; seed = 6; degree_counts = [";
  for (int d = 1; d <= 25; d++) strcat(spec, d == 25 ? "2]" : d == 24 ? "1, " : "0, ");
  spx_oracle *o = open_spec(spec, 0);
  if (o) {
    const spx_transform *t = spx_oracle_truth(o);
    long double m1 = 0, m2 = 0;
    for (size_t i = 0; i < spx_transform_size(t); i++) {
      const uint32_t *si;
      uint32_t di;
      double ai;
      spx_transform_entry(t, i, &si, &di, &ai);
      m1 += ai * ldexpl(1.0L, -(int)di);
      for (size_t j = 0; j < spx_transform_size(t); j++) {
        const uint32_t *sj;
        uint32_t dj;
        double aj;
        spx_transform_entry(t, j, &sj, &dj, &aj);
        unsigned long long bi = 0, bj = 0;
        for (uint32_t k = 0; k < di; k++) bi |= 1ULL << si[k];
        for (uint32_t k = 0; k < dj; k++) bj |= 1ULL << sj[k];
        m2 += (long double)ai * aj * ldexpl(1.0L, -__builtin_popcountll(bi | bj));
      }
    }
    spx_test_rel(spx_synthetic_variance(o), (double)(m2 - m1 * m1), 1e-9,
                 "degree-25 Moebius variance (pairwise route) = raw moments");
    spx_oracle_destroy(&o);
  }
}

static void test_noise(void) {
  /* SNR 3 dB at n = 12: the noise on all 4096 masks is eval - truth. Its sample variance
   * has relative sd sqrt(2/4096) = 0.022; 5 sd = 0.11 relative tolerance. Its mean has sd
   * sigma/64; tolerance 5 sigma/64. */
  spx_oracle *o = open_spec("n = 12; terms = 20; max_degree = 3; seed = 3; snr_db = 3", 1);
  if (!o) {
    spx_test(0, "noise: open");
    return;
  }
  spx_maskset *all = all_masks(12);
  static double y[4096], yt[4096], y2[4096];
  spx_oracle_eval_all(o, all, y, NULL);
  spx_transform_predict(spx_oracle_truth(o), all, yt, NULL);
  double var = spx_synthetic_variance(o);
  double sd = spx_synthetic_noise_sd(o);
  spx_test_rel(sd * sd, var / pow(10.0, 0.3), 1e-14, "noise variance = Var / 10^(snr/10)");
  double noise[4096];
  double mean = 0.0;
  for (int i = 0; i < 4096; i++) mean += (noise[i] = y[i] - yt[i]);
  mean /= 4096;
  spx_test_rel(population_variance(noise, 4096), sd * sd, 0.11,
               "empirical noise variance matches (4096 masks)");
  spx_test_abs(mean, 0.0, 5.0 * sd / 64.0, "noise has mean 0");
  spx_test_rel(population_variance(yt, 4096), var, 1e-12,
               "noiseless truth still has the exact variance");
  /* Same mask, same value, whatever the batching: evaluate in 7-row chunks backwards. */
  for (size_t first = 4096; first > 0;) {
    size_t k = first >= 7 ? 7 : first;
    first -= k;
    spx_oracle_eval(o, all, first, k, y2 + first, NULL);
  }
  spx_test(memcmp(y, y2, sizeof y) == 0, "noise is a function of the mask, not of batching");
  spx_oracle *o2 = open_spec("n = 12; terms = 20; max_degree = 3; seed = 3; snr_db = 3", 1);
  spx_oracle_eval_all(o2, all, y2, NULL);
  spx_test(memcmp(y, y2, sizeof y) == 0, "a second instance gives the same noisy values");
  spx_oracle_destroy(&o2);
  o2 = open_spec("n = 12; terms = 20; max_degree = 3; seed = 3; snr_db = 3", 2);
  spx_oracle_eval_all(o2, all, y2, NULL);
  spx_test(y[100] != y2[100], "another explicand: another function and noise");
  spx_oracle_destroy(&o2);
  spx_oracle *clean = open_spec("n = 12; terms = 20; max_degree = 3; seed = 3", 1);
  spx_test(spx_synthetic_noise_sd(clean) == 0.0, "no snr_db: no noise");
  spx_test(spx_synthetic_noise_sd(NULL) != spx_synthetic_noise_sd(NULL), "NULL oracle: NAN");
  spx_oracle_destroy(&clean);
  spx_maskset_destroy(&all);
  spx_oracle_destroy(&o);
}

static void test_large(void) {
  /* n = 100,000, 1000 terms: generation and evaluation are per-bit, so this is fast. */
  clock_t t0 = clock();
  spx_oracle *o = open_spec("n = 100000; terms = 1000; max_degree = 5; seed = 1; snr_db = 10", 0);
  if (!o) {
    spx_test(0, "n = 100000: open");
    return;
  }
  spx_maskset *m = random_masks(100000, 2000, 4);
  static double y[2000], yt[2000], y2[2000];
  spx_test(spx_oracle_eval_all(o, m, y, NULL) == SPX_OK, "n = 100000: eval 2000 masks");
  spx_oracle *c = open_spec("n = 100000; terms = 1000; max_degree = 5; seed = 1", 0);
  spx_oracle_eval_all(c, m, y2, NULL);
  spx_transform_predict(spx_oracle_truth(o), m, yt, NULL);
  double maxdiff = 0.0;
  for (size_t i = 0; i < 2000; i++) maxdiff = fmax(maxdiff, fabs(y2[i] - yt[i]));
  spx_test_abs(maxdiff, 0.0, 1e-12, "n = 100000: noiseless eval = truth");
  /* the sample variance of 2000 values of a sum of ~1000 independent-ish terms (close to
   * normal) has relative sd about sqrt(2/2000) = 0.032: 0.15 is over 4 sd */
  spx_test_rel(spx_synthetic_variance(o), population_variance(yt, 2000), 0.15,
               "n = 100000: variance of 2000 random masks near the exact one");
  /* flipping only the last feature changes the noise (the hash sees every word) */
  uint64_t *r0 = spx_maskset_row(m, 0), *r1 = spx_maskset_row(m, 1);
  memcpy(r1, r0, m->words * sizeof *r0);
  spx_mask_flip(r1, 99999);
  double a[2], b[2];
  spx_oracle_eval(o, m, 0, 2, a, NULL);
  spx_oracle_eval(c, m, 0, 2, b, NULL);
  spx_test((a[0] - b[0]) != (a[1] - b[1]), "noise differs for masks differing in feature 99999");
  double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
  spx_test(secs < 20.0, "n = 100000 open + 3 x 2000 evaluations in %.2f s", secs);
  spx_maskset_destroy(&m);
  spx_oracle_destroy(&o);
  spx_oracle_destroy(&c);
}

/* Each bad option set must fail with a message containing every given fragment. */
static void expect_error(const char *spec, const char *frag1, const char *frag2) {
  spx_options *opts = mk(spec);
  spx_oracle *o = NULL;
  spx_error err = {0};
  int rc = spx_oracle_open(spx_oracle_lookup("synthetic"), opts, 0, &o, &err);
  spx_test(rc != SPX_OK && o == NULL && strstr(err.msg, frag1) && (!frag2 || strstr(err.msg, frag2)),
           "error for '%s' mentions '%s'%s%s [got: %s]", spec, frag1, frag2 ? " and " : "",
           frag2 ? frag2 : "", rc ? err.msg : "no error");
  spx_oracle_destroy(&o);
  spx_options_destroy(&opts);
}

static void test_errors(void) {
  expect_error("terms = 3", "oracle synthetic: n: required", NULL);
  expect_error("n = 0; terms = 1", "t.toml:1:1: n: 0 is out of range", NULL);
  expect_error("n = \"ten\"; terms = 1", "t.toml:1:1: n: expected an integer", "'ten'");
  expect_error("n = 10", "terms: required", NULL);
  expect_error("n = 10; terms = -1", "t.toml:2:1: terms: -1 is out of range", NULL);
  expect_error("n = 3; max_degree = 2; terms = 7", "terms: 7 distinct", "only 6");
  expect_error("n = 10; terms = 2; max_degree = 0", "max_degree: 0 is out of range", NULL);
  expect_error("n = 100; terms = 2; max_degree = 65", "max_degree: 65 is out of range", NULL);
  expect_error("n = 3; terms = 2; max_degree = 5", "max_degree: 5 is larger than n = 3", NULL);
  expect_error("n = 10; max_degree = 2; degree_counts = [1, 2]", "degree_counts: give either",
               NULL);
  expect_error("n = 10; degree_counts = [1, -2]", "degree_counts: count -2 for degree 2", NULL);
  expect_error("n = 3; degree_counts = [0, 0, 2]", "degree_counts: 2 interactions of degree 3",
               "only 1");
  expect_error("n = 10; degree_counts = []", "degree_counts: empty array", NULL);
  expect_error("n = 10; degree_counts = [1, x]", "degree_counts: expected an array", NULL);
  expect_error("n = 10; degree_counts = [1, 2]; terms = 4", "terms: 4 does not match the 3",
               NULL);
  expect_error("n = 10; terms = 2; basis = \"walsh\"", "basis: 'walsh' is not one of",
               "\"moebius\"");
  expect_error("n = 10; terms = 2; distribution = \"cauchy\"", "distribution: 'cauchy'", NULL);
  expect_error("n = 10; terms = 2; distribution = \"gaussian\"; magnitude = [1, 2]",
               "magnitude: not used with distribution", NULL);
  expect_error("n = 10; terms = 2; magnitude = [2, 1]", "magnitude: [2, 1] is not a range", NULL);
  expect_error("n = 10; terms = 2; magnitude = [-1, 1]", "magnitude: [-1, 1]", NULL);
  expect_error("n = 10; terms = 2; magnitude = [0, 0]", "magnitude: [0, 0]", NULL);
  expect_error("n = 10; terms = 2; magnitude = [1]", "magnitude: expected two numbers", NULL);
  expect_error("n = 10; terms = 2; magnitude = [1, 2, 3]", "magnitude: expected an array of at most 2",
               NULL);
  expect_error("n = 10; terms = 2; constant = \"big\"", "constant: expected a number", NULL);
  expect_error("n = 10; terms = 2; hierarchical = 3", "hierarchical: expected true or false",
               NULL);
  expect_error("n = 10; terms = 2; decay = 0.5", "decay: only used with hierarchical", NULL);
  expect_error("n = 10; terms = 2; hierarchical = true; decay = 0", "decay: 0 is not in (0, 1]",
               NULL);
  expect_error("n = 10; terms = 2; hierarchical = true; decay = 1.5", "decay: 1.5 is not in",
               NULL);
  expect_error("n = 40; terms = 2; max_degree = 21; hierarchical = true",
               "hierarchical: interactions of degree 21", "degree <= 20");
  expect_error("n = 40; hierarchical = true; degree_counts = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "
               "0, 0, 0, 0, 0, 0, 0, 0, 9]",
               "hierarchical: the closure of 9 interactions", NULL);
  expect_error("n = 10; terms = 2; snr_db = 400", "snr_db: 400 is out of range", NULL);
  expect_error("n = 10; terms = 2; snr_db = \"loud\"", "snr_db: expected a number", NULL);
  expect_error("n = 64; basis = \"moebius\"; snr_db = 10; degree_counts = [0, 0, 0, 0, 0, 0, 0, "
               "0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "
               "0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20000]",
               "snr_db: the exact variance", "too costly");
  expect_error("n = 10; terms = 2; seed = -1", "seed: -1 is out of range", NULL);
  expect_error("n = 10; terms = 2; cost_ms = -0.5", "t.toml:3:1: cost_ms: -0.5 is out of range",
               NULL);
  expect_error("n = 10; terms = 2; cost_ms = \"slow\"", "cost_ms: expected a number", NULL);
  expect_error("n = 10; terms = 2; cost_clock = \"sundial\"",
               "cost_clock: 'sundial' is not one of", NULL);
  expect_error("n = 10; terms = 2; colour = \"red\"", "t.toml:3:1: colour: unknown key",
               "snr_db");
}

/* cost_ms: the same values, and at least count x cost_ms of wall time per batch (a busy wait
 * on the monotonic clock cannot end early; the upper side is not checked, the machine is
 * shared). */
static void test_cost(void) {
  spx_oracle *a = open_spec("n = 30; terms = 8; seed = 4", 2);
  spx_oracle *b = open_spec("n = 30; terms = 8; seed = 4; cost_ms = 2.5", 2);
  if (!a || !b) {
    spx_test(0, "cost_ms: open");
    spx_oracle_destroy(&a);
    spx_oracle_destroy(&b);
    return;
  }
  spx_maskset *m = random_masks(30, 12, 5);
  double ya[12], yb[12];
  spx_oracle_eval_all(a, m, ya, NULL);
  double t0 = spx_time_now();
  int rc = spx_oracle_eval(b, m, 2, 10, yb + 2, NULL);
  double dt = spx_time_now() - t0;
  spx_test(rc == SPX_OK && memcmp(ya + 2, yb + 2, 10 * sizeof *ya) == 0,
           "cost_ms: values unchanged");
  spx_test(dt >= 0.025, "cost_ms = 2.5: 10 masks take at least 25 ms (took %.4f s)", dt);
  /* The CPU clock: at least 20 ms of this thread's CPU time for 4 masks at 5 ms. */
  spx_oracle *c = open_spec("n = 30; terms = 8; seed = 4; cost_ms = 5; cost_clock = \"cpu\"", 2);
  struct timespec c0, c1;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
  rc = c ? spx_oracle_eval(c, m, 0, 4, yb, NULL) : SPX_EINVAL;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
  double cpu = (double)(c1.tv_sec - c0.tv_sec) + 1e-9 * (double)(c1.tv_nsec - c0.tv_nsec);
  spx_test(rc == SPX_OK && memcmp(ya, yb, 4 * sizeof *ya) == 0 && cpu >= 0.02,
           "cost_clock = cpu: values unchanged, 4 masks use at least 20 ms of CPU (%.4f s)", cpu);
  spx_oracle_destroy(&c);
  spx_maskset_destroy(&m);
  spx_oracle_destroy(&a);
  spx_oracle_destroy(&b);
}

/* The declared defaults (synth_rows, shown by --help synthetic) are the documented ones of
 * docs/oracles.md: leaving the keys out gives the same function and values (noise included) as
 * spelling each default out. */
static void test_defaults(void) {
  static const char *const pairs[][2] = {
      {"n=500; terms=30", "n=500; terms=30; max_degree=3; basis=\"fourier\"; "
                          "distribution=\"uniform\"; magnitude=[0.5, 1.0]; constant=0.0; "
                          "hierarchical=false; seed=0; cost_ms=0.0; cost_clock=\"wall\""},
      {"n=500; terms=30; snr_db=10", "n=500; terms=30; snr_db=10; max_degree=3; basis=\"fourier\"; "
                                     "magnitude=[0.5, 1.0]; seed=0"},
      {"n=60; terms=20; hierarchical=true; basis=\"moebius\"",
       "n=60; terms=20; hierarchical=true; basis=\"moebius\"; decay=0.5; max_degree=3"}};
  for (size_t i = 0; i < 3; i++) {
    spx_oracle *a = open_spec(pairs[i][0], 2), *b = open_spec(pairs[i][1], 2);
    spx_maskset *m = a ? random_masks(a->n, 200, 23) : NULL;
    double ya[200], yb[200];
    int ok = a && b && m && spx_oracle_eval_all(a, m, ya, NULL) == SPX_OK &&
             spx_oracle_eval_all(b, m, yb, NULL) == SPX_OK;
    spx_test(ok && memcmp(ya, yb, sizeof ya) == 0 &&
                 same_transform(spx_oracle_truth(a), spx_oracle_truth(b)),
             "'%s' = every documented default spelled out", pairs[i][0]);
    spx_maskset_destroy(&m);
    spx_oracle_destroy(&a);
    spx_oracle_destroy(&b);
  }
}

int main(void) {
  test_determinism();
  test_cost();
  test_degrees();
  test_hierarchical();
  test_variance_and_truth();
  test_noise();
  test_large();
  test_errors();
  test_defaults();
  return spx_test_summary();
}
