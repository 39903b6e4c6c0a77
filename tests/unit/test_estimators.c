/* test_estimators.c: shapiq's interaction estimators (kernelshap_iq, shap_iq, svarm_iq,
 * permutation, kadd_shap) and the paired coalition sampler.
 *
 * - Full budget (2^n): shap_iq and svarm_iq (SII, k-SII, BII, STII, SV, BV) and kernelshap_iq
 *   (SII, k-SII) equal shapiq's exact California values (../shared/data/shapiq_california,
 *   within 1e-6) and spx_moebius_to_index of random games (orders 1-4, within 1e-8 relative).
 * - kadd_shap: order 1 = the Shapley value; on a k-additive game it returns the SII exactly,
 *   at the full budget and from 3/4 of the coalitions (kernelshap_iq: at the full budget).
 * - Unbiasedness: over 300 seeds at a budget well below 2^n, every interaction's mean estimate
 *   of shap_iq, permutation (SII, STII, SV) is within 4.5 standard errors of the exact value
 *   (svarm_iq, a ratio estimator per stratum: 5 standard errors).
 * - The paired sampler: distinct rows, complements present, pairing = 0 unchanged.
 * - applicable() limits and option errors. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "baselines/baselines.h"
#include "core/convert.h"
#include "core/mask.h"
#include "core/options.h"
#include "core/rng.h"
#include "core/transform.h"
#include "methods/method.h"
#include "oracle/oracle.h"
#include "testing.h"

/* ---- games given by their value table (n <= 16) ------------------------------------------- */

typedef struct {
  size_t n;
  double *v; /* v[S], bit i = feature i kept */
} game;

static int game_eval(void *ctx, const spx_maskset *masks, double *values, spx_error *err) {
  game *g = ctx;
  (void)err;
  for (size_t i = 0; i < masks->count; i++) values[i] = g->v[spx_maskset_row(masks, i)[0]];
  return SPX_OK;
}

static game game_from_moebius(size_t n, const double *a) {
  size_t N = (size_t)1 << n;
  game g = {.n = n, .v = malloc(N * sizeof(double))};
  memcpy(g.v, a, N * sizeof *a);
  for (size_t i = 0; i < n; i++)
    for (size_t S = 0; S < N; S++)
      if (S >> i & 1) g.v[S] += g.v[S ^ ((size_t)1 << i)];
  return g;
}

/* Random Moebius coefficients with scale 0.6^|S| up to degree maxdeg (0 = all). */
static double *random_moebius(size_t n, unsigned maxdeg, uint64_t seed) {
  gsl_rng *r = spx_rng_stream(seed, 17, 0, 0, 0);
  size_t N = (size_t)1 << n;
  double *a = malloc(N * sizeof *a);
  for (size_t S = 0; S < N; S++) {
    int d = __builtin_popcountll(S);
    a[S] = (2.0 * gsl_rng_uniform(r) - 1.0) * pow(0.6, d) * 1.7;
    if (maxdeg && d > (int)maxdeg) a[S] = 0.0;
  }
  gsl_rng_free(r);
  return a;
}

static spx_transform *moebius_transform(size_t n, const double *a) {
  spx_transform *t = spx_transform_create((uint32_t)n, SPX_BASIS_MOEBIUS);
  for (size_t T = 0; T < ((size_t)1 << n); T++) {
    if (a[T] == 0.0) continue;
    uint32_t idx[32], d = 0;
    for (uint32_t i = 0; i < n; i++)
      if (T >> i & 1) idx[d++] = i;
    spx_transform_set(t, idx, d, a[T], NULL);
  }
  return t;
}

typedef struct {
  const char *key, *value;
} kv;

static spx_transform *run(const char *name, game *g, size_t budget, const kv *o, uint64_t seed,
                          spx_error *err) {
  spx_options *opts = spx_options_create("[[method]] test");
  for (; o && o->key; o++) spx_options_put(opts, o->key, SPX_OPT_TEXT, o->value, "--test", NULL);
  gsl_rng *r = spx_rng_stream(seed, spx_hash_string(name), budget, 0, 0);
  spx_transform *t = NULL;
  spx_method_stats stats;
  spx_error e;
  if (err == NULL) err = &e;
  int rc = spx_method_run(name, g->n, budget, opts, r, game_eval, g, &t, &stats, err);
  if (rc && err == &e) printf("  (%s failed: %s)\n", name, e.msg);
  if (rc == SPX_OK && stats.queries > budget && budget < ((size_t)1 << g->n))
    printf("  (%s used %zu > budget %zu)\n", name, stats.queries, budget);
  gsl_rng_free(r);
  spx_options_destroy(&opts);
  return t;
}

static double coef(const spx_transform *t, size_t T) {
  uint32_t idx[64], d = 0;
  for (uint32_t i = 0; i < 64; i++)
    if (T >> i & 1) idx[d++] = i;
  return spx_transform_get(t, idx, d, NULL);
}

/* Worst relative error of the 1 <= |T| <= l entries of t against want (missing = 0). */
static double worst_vs(const spx_transform *t, const spx_transform *want, size_t n, unsigned l) {
  double worst = 0.0;
  for (size_t T = 1; T < ((size_t)1 << n); T++) {
    if (__builtin_popcountll(T) > (int)l) continue;
    double w = coef(want, T), e = fabs(coef(t, T) - w) / (fabs(w) > 1.0 ? fabs(w) : 1.0);
    if (!(e <= worst)) worst = e;
  }
  return worst;
}

/* ---- exact values ------------------------------------------------------------------------- */

static const struct {
  const char *name;
  spx_index index;
  const char *file;
} IDX[] = {{"sii", SPX_INDEX_SII, "SII"},   {"k-sii", SPX_INDEX_KSII, "k-SII"},
           {"bii", SPX_INDEX_BII, "BII"},   {"stii", SPX_INDEX_STII, "STII"},
           {"sv", SPX_INDEX_SV, "SV"},      {"bv", SPX_INDEX_BV, "BV"}};

static void test_vs_convert(size_t n, uint64_t seed) {
  double *a = random_moebius(n, 0, seed);
  game g = game_from_moebius(n, a);
  spx_transform *m = moebius_transform(n, a);
  size_t all = (size_t)1 << n;
  const char *methods[] = {"shap_iq", "svarm_iq", "kernelshap_iq"};
  for (int mi = 0; mi < 3; mi++)
    for (size_t x = 0; x < sizeof IDX / sizeof *IDX; x++) {
      int kiq = mi == 2;
      if (kiq && x > 1) continue; /* kernelshap_iq: SII and k-SII */
      unsigned lmax = x >= 4 ? 1 : 4;
      for (unsigned l = 1; l <= lmax; l++) {
        char order[8];
        snprintf(order, sizeof order, "%u", l);
        const kv o[] = {{"index", IDX[x].name}, {"order", order}, {NULL, NULL}};
        spx_transform *t = run(methods[mi], &g, all, x >= 4 ? o : o, 3, NULL);
        if (x >= 4) { /* sv / bv: order must stay 1 */
          spx_transform_destroy(&t);
          const kv o1[] = {{"index", IDX[x].name}, {NULL, NULL}};
          t = run(methods[mi], &g, all, o1, 3, NULL);
        }
        spx_transform *want = NULL;
        spx_moebius_to_index(m, IDX[x].index, l, &want, NULL);
        double worst = t && want ? worst_vs(t, want, n, l) : INFINITY;
        spx_test(worst <= 1e-8, "%s %s order %u n=%zu budget 2^n = spx_moebius_to_index (worst %.3g)",
                 methods[mi], IDX[x].name, l, n, worst);
        if (t) spx_test_abs(coef(t, 0), g.v[0], 1e-12, "%s %s: ∅ = v(∅)", methods[mi], IDX[x].name);
        spx_transform_destroy(&t);
        spx_transform_destroy(&want);
      }
    }
  spx_transform_destroy(&m);
  free(a);
  free(g.v);
}

static cJSON *read_json(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)len + 1);
  size_t got = fread(buf, 1, (size_t)len, f);
  fclose(f);
  buf[got] = 0;
  cJSON *j = cJSON_Parse(buf);
  free(buf);
  return j;
}

static size_t parse_key(const char *k) {
  if (strcmp(k, "Empty") == 0) return 0;
  size_t T = 0;
  for (const char *p = k; *p;) {
    char *end;
    long i = strtol(p, &end, 10);
    T |= (size_t)1 << i;
    p = *end == ',' ? end + 1 : end;
  }
  return T;
}

static void compare_file(const spx_transform *t, const char *rel, const char *what) {
  char buf[1024];
  const char *path = spx_test_shared(rel, buf, sizeof buf);
  if (path == NULL) return;
  cJSON *j = read_json(path);
  if (!spx_test(j != NULL && t != NULL, "%s: parse %s and run", what, rel)) {
    cJSON_Delete(j);
    return;
  }
  size_t count = 0, bad = 0;
  double worst = 0.0;
  for (cJSON *e = cJSON_GetObjectItem(j, "data")->child; e; e = e->next) {
    size_t T = parse_key(e->string);
    if (T == 0) continue;
    double err = fabs(coef(t, T) - e->valuedouble);
    count++;
    if (!(err <= 1e-6)) bad++;
    if (err > worst) worst = err;
  }
  spx_test(count > 0 && bad == 0, "%s: %zu values of %s within 1e-6 (worst %.3g)", what, count,
           rel, worst);
  cJSON_Delete(j);
}

static void test_california(void) {
  char buf[1024];
  const char *path = spx_test_shared("shapiq_california/imputer_Moebius_order8.json", buf,
                                     sizeof buf);
  if (path == NULL) return;
  cJSON *j = read_json(path);
  if (!spx_test(j != NULL, "parse the California Moebius file")) return;
  double a[256] = {0};
  for (cJSON *e = cJSON_GetObjectItem(j, "data")->child; e; e = e->next)
    a[parse_key(e->string)] = e->valuedouble;
  cJSON_Delete(j);
  game g = game_from_moebius(8, a);
  const char *methods[] = {"shap_iq", "svarm_iq", "kernelshap_iq"};
  for (int mi = 0; mi < 3; mi++)
    for (size_t x = 0; x < sizeof IDX / sizeof *IDX; x++) {
      if (mi == 2 && x > 1) continue;
      unsigned lmax = x >= 4 ? 1 : (mi == 2 ? 8 : 4);
      for (unsigned l = 1; l <= lmax; l++) {
        if (x == 1 && l == 8) continue; /* no k-SII order-8 file */
        char order[8], rel[160], what[96];
        snprintf(order, sizeof order, "%u", l);
        const kv o[] = {{"index", IDX[x].name}, {"order", order}, {NULL, NULL}};
        const kv o1[] = {{"index", IDX[x].name}, {NULL, NULL}};
        spx_transform *t = run(methods[mi], &g, 256, x >= 4 ? o1 : o, 3, NULL);
        snprintf(rel, sizeof rel, "shapiq_california/imputer_%s_order%u.json", IDX[x].file, l);
        snprintf(what, sizeof what, "california %s %s", methods[mi], IDX[x].name);
        compare_file(t, rel, what);
        spx_transform_destroy(&t);
      }
    }
  /* kadd_shap of order 1 is the Shapley value */
  spx_transform *t = run("kadd_shap", &g, 256, (const kv[]){{"order", "1"}, {NULL, NULL}}, 3, NULL);
  compare_file(t, "shapiq_california/imputer_SV_order1.json", "california kadd_shap order 1");
  spx_transform_destroy(&t);
  free(g.v);
}

/* kadd_shap and kernelshap_iq on a k-additive game: the SII, exactly, at the full budget and
 * from sampled coalitions (the k-additive model fits every coalition exactly). */
static void test_kadditive(size_t n, unsigned k, uint64_t seed) {
  double *a = random_moebius(n, k, seed);
  game g = game_from_moebius(n, a);
  spx_transform *m = moebius_transform(n, a), *want = NULL;
  spx_moebius_to_index(m, SPX_INDEX_SII, k, &want, NULL);
  size_t budgets[2] = {(size_t)1 << n, ((size_t)3 << n) / 4};
  for (int b = 0; b < 2; b++) {
    char order[8];
    snprintf(order, sizeof order, "%u", k);
    const kv o[] = {{"order", order}, {NULL, NULL}};
    spx_transform *t = run("kadd_shap", &g, budgets[b], o, 9, NULL);
    double worst = t ? worst_vs(t, want, n, k) : INFINITY;
    spx_test(worst <= 1e-7, "kadd_shap order %u on a %u-additive game n=%zu budget %zu = SII (worst %.3g)",
             k, k, n, budgets[b], worst);
    spx_transform_destroy(&t);
    if (b) continue; /* kernelshap_iq's order-by-order fits are exact only on every coalition */
    const kv o2[] = {{"order", order}, {"index", "sii"}, {NULL, NULL}};
    t = run("kernelshap_iq", &g, budgets[b], o2, 9, NULL);
    worst = t ? worst_vs(t, want, n, k) : INFINITY;
    spx_test(worst <= 1e-7,
             "kernelshap_iq order %u on a %u-additive game n=%zu budget %zu = SII (worst %.3g)", k,
             k, n, budgets[b], worst);
    spx_transform_destroy(&t);
  }
  spx_transform_destroy(&want);
  spx_transform_destroy(&m);
  free(a);
  free(g.v);
}

/* ---- unbiasedness --------------------------------------------------------------------------- */

static void test_unbiased(const char *method, const char *index, unsigned l, size_t n,
                          size_t budget, int reps, double zmax, const char *pairing) {
  double *a = random_moebius(n, 0, 77);
  game g = game_from_moebius(n, a);
  spx_transform *m = moebius_transform(n, a), *want = NULL;
  spx_index ix = SPX_INDEX_SII;
  for (size_t x = 0; x < sizeof IDX / sizeof *IDX; x++)
    if (strcmp(IDX[x].name, index) == 0) ix = IDX[x].index;
  spx_moebius_to_index(m, ix, l, &want, NULL);
  size_t N = (size_t)1 << n;
  double *s1 = calloc(N, sizeof *s1), *s2 = calloc(N, sizeof *s2);
  char order[8];
  snprintf(order, sizeof order, "%u", l);
  const kv o[] = {{"index", index}, {"order", order}, {"pairing", pairing}, {NULL, NULL}};
  const kv o1[] = {{"index", index}, {NULL, NULL}};
  const kv o2[] = {{"index", index}, {"order", order}, {NULL, NULL}};
  int is_perm = strcmp(method, "permutation") == 0;
  int ok = 1;
  for (int r = 0; r < reps && ok; r++) {
    spx_transform *t = run(method, &g, budget, strcmp(index, "sv") == 0 ? o1 : is_perm ? o2 : o,
                           1000 + (uint64_t)r, NULL);
    if (t == NULL) {
      ok = 0;
      break;
    }
    for (size_t T = 1; T < N; T++) {
      if (__builtin_popcountll(T) > (int)l) continue;
      double v = coef(t, T);
      s1[T] += v;
      s2[T] += v * v;
    }
    spx_transform_destroy(&t);
  }
  double worst = 0.0, meanse = 0.0;
  size_t cnt = 0, constant = 0;
  for (size_t T = 1; T < N && ok; T++) {
    if (__builtin_popcountll(T) > (int)l) continue;
    double mean = s1[T] / reps, var = (s2[T] - reps * mean * mean) / (reps - 1);
    double se = sqrt(var > 0 ? var : 0) / sqrt((double)reps), w = coef(want, T);
    double z;
    if (se < 1e-12) { /* computed exactly every time (e.g. an enumerated size) */
      z = fabs(mean - w) < 1e-9 ? 0.0 : INFINITY;
      constant++;
    } else
      z = fabs(mean - w) / se;
    if (!(z <= worst)) worst = z;
    meanse += se;
    cnt++;
  }
  spx_test(ok && cnt > 0 && worst <= zmax,
           "%s %s order %u n=%zu budget %zu pairing=%s: mean of %d seeds within %.1f standard "
           "errors of the exact index for all %zu interactions (worst %.2f; %zu exact every "
           "time; mean SE %.3g)",
           method, index, l, n, budget, pairing, reps, zmax, cnt, worst, constant,
           cnt ? meanse / cnt : 0.0);
  free(s1);
  free(s2);
  spx_transform_destroy(&want);
  spx_transform_destroy(&m);
  free(a);
  free(g.v);
}

/* ---- sampler -------------------------------------------------------------------------------- */

static void test_sampler(void) {
  size_t n = 12, budget = 700;
  double w[13];
  spx_baseline_default_size_weights(n, 2, w);
  for (int pairing = 0; pairing <= 1; pairing++) {
    gsl_rng *r = spx_rng_stream(5, 1, 0, 0, 0);
    spx_baseline_coalitions c;
    int rc = spx_baseline_coalitions_sample(n, budget, w, pairing, r, &c, NULL);
    gsl_rng_free(r);
    if (!spx_test(rc == SPX_OK, "sampler pairing=%d ran", pairing)) continue;
    size_t N = c.masks->count, dup = 0, unpaired = 0;
    uint8_t *seen = calloc((size_t)1 << n, 1);
    double total = 0.0;
    for (size_t i = 0; i < N; i++) {
      uint64_t S = spx_maskset_row(c.masks, i)[0];
      if (seen[S]++) dup++;
      if (i >= c.enumerated) total += c.count[i];
    }
    for (size_t i = c.enumerated; i < N; i++)
      if (!seen[~spx_maskset_row(c.masks, i)[0] & (((uint64_t)1 << n) - 1)]) unpaired++;
    spx_test(N == budget && dup == 0, "sampler pairing=%d: %zu distinct rows (budget %zu)",
             pairing, N, budget);
    spx_test_abs(total, c.draws, 1e-9, "sampler pairing=%d: draws = sum of counts", pairing);
    /* enumerated: sizes 0, 1, n-1, n (weight 1e8 below order 2), then 2 and n-2 by the border
     * trick (674 * p_2 = 104.8 >= C(12, 2) = 66; p_3 gives 80.9 < 220): 2 + 24 + 132 rows */
    spx_test_int((long long)c.enumerated, 158, "sampler pairing=%d: border sizes enumerated", pairing);
    if (pairing)
      spx_test(unpaired <= 1, "sampler pairing=1: every sampled coalition's complement is a row "
                              "(%zu without, at most the last)", unpaired);
    else
      spx_test(unpaired > 10, "sampler pairing=0: complements not forced (%zu without)", unpaired);
    free(seen);
    /* pairing = 0 is spx_baseline_sample_coalitions */
    if (!pairing) {
      spx_maskset *m2 = NULL;
      double *adj = NULL;
      r = spx_rng_stream(5, 1, 0, 0, 0);
      spx_baseline_sample_coalitions(n, budget, w, r, &m2, &adj, NULL);
      gsl_rng_free(r);
      int same = m2 && m2->count == N &&
                 memcmp(m2->bits, c.masks->bits, N * c.masks->words * sizeof(uint64_t)) == 0 &&
                 memcmp(adj, c.ln_adjust, N * sizeof *adj) == 0;
      spx_test(same, "sampler pairing=0 = spx_baseline_sample_coalitions (rows and weights)");
      spx_maskset_destroy(&m2);
      free(adj);
    }
    spx_baseline_coalitions_free(&c);
  }
}

/* ---- applicable and options ------------------------------------------------------------------ */

static void test_applicable(void) {
  char why[256];
  spx_options *o = spx_options_create("t");
  const spx_method_type *perm = spx_method_lookup("permutation");
  spx_test(perm && !spx_method_applicable(perm, 10, 50, o, why, sizeof why) &&
               strstr(why, "one permutation") != NULL,
           "permutation sii order 2 n=10 budget 50: not applicable (%s)", why);
  spx_test(perm && spx_method_applicable(perm, 10, 1 + 10 * 2 + 9 * 4, o, why, sizeof why),
           "permutation: one permutation's budget is enough");
  const spx_method_type *kiq = spx_method_lookup("kernelshap_iq");
  spx_options_put(o, "order", SPX_OPT_TEXT, "4", "--test", NULL);
  spx_test(kiq && !spx_method_applicable(kiq, 200, 1000, o, why, sizeof why) && strstr(why, "GiB") != NULL,
           "kernelshap_iq order 4 n=200: refused by memory (%s)", why);
  spx_options_destroy(&o);
  game g = {.n = 6, .v = calloc(64, sizeof(double))};
  spx_error e;
  spx_transform *t = run("shap_iq", &g, 64, (const kv[]){{"index", "fsii"}, {NULL, NULL}}, 1, &e);
  spx_test(t == NULL && strstr(e.msg, "index") != NULL, "shap_iq index = fsii: error (%s)", e.msg);
  t = run("shap_iq", &g, 64, (const kv[]){{"index", "sv"}, {"order", "2"}, {NULL, NULL}}, 1, &e);
  spx_test(t == NULL && strstr(e.msg, "must be 1") != NULL, "shap_iq sv order 2: error (%s)",
           e.msg);
  free(g.v);
}

/* ---- the soum oracle -------------------------------------------------------------------------- */

/* Its values on all 2^n masks, Moebius-transformed, equal its truth (and terms of the chosen
 * sizes); the California file gives the game of its Moebius file. */
static void test_soum_oracle(void) {
  spx_options *o = spx_options_create("[oracle] test");
  spx_options_put(o, "n", SPX_OPT_TEXT, "9", "--test", NULL);
  spx_options_put(o, "terms", SPX_OPT_TEXT, "30", "--test", NULL);
  spx_options_put(o, "min_size", SPX_OPT_TEXT, "2", "--test", NULL);
  spx_options_put(o, "max_size", SPX_OPT_TEXT, "4", "--test", NULL);
  spx_oracle *orc = NULL;
  spx_error err;
  int rc = spx_oracle_open(spx_oracle_lookup("soum"), o, 3, &orc, &err);
  if (!spx_test(rc == SPX_OK, "soum oracle opens (%s)", rc ? err.msg : "")) {
    spx_options_destroy(&o);
    return;
  }
  size_t n = orc->n, N = (size_t)1 << n;
  spx_maskset *all = spx_maskset_create(n, N);
  for (size_t S = 0; S < N; S++) spx_maskset_row(all, S)[0] = S;
  double *v = malloc(N * sizeof *v);
  spx_oracle_eval_all(orc, all, v, NULL);
  for (size_t i = 0; i < n; i++) /* Moebius (inverse zeta) transform */
    for (size_t S = 0; S < N; S++)
      if (S >> i & 1) v[S] -= v[S ^ ((size_t)1 << i)];
  const spx_transform *tr = spx_oracle_truth(orc);
  double worst = 0.0;
  int sizes_ok = 1;
  for (size_t S = 0; S < N; S++) {
    double e = fabs(v[S] - coef(tr, S));
    if (e > worst) worst = e;
    int d = __builtin_popcountll(S);
    if (fabs(v[S]) > 1e-12 && (d < 2 || d > 4)) sizes_ok = 0;
  }
  spx_test(n == 9 && worst < 1e-12 && spx_transform_size(tr) > 0,
           "soum n=9: Moebius transform of its values = its truth (worst %.3g)", worst);
  spx_test(sizes_ok, "soum: every term has 2..4 players");
  spx_oracle_destroy(&orc);
  spx_options_destroy(&o);
  char buf[1024];
  const char *path = spx_test_shared("shapiq_california/imputer_Moebius_order8.json", buf,
                                     sizeof buf);
  if (path) {
    o = spx_options_create("[oracle] test");
    spx_options_put(o, "file", SPX_OPT_TEXT, path, "--test", NULL);
    rc = spx_oracle_open(spx_oracle_lookup("soum"), o, 0, &orc, &err);
    if (spx_test(rc == SPX_OK && orc->n == 8, "soum file = California opens")) {
      spx_maskset *m8 = spx_maskset_create(8, 256);
      for (size_t S = 0; S < 256; S++) spx_maskset_row(m8, S)[0] = S;
      spx_oracle_eval_all(orc, m8, v, NULL);
      for (size_t i = 0; i < 8; i++)
        for (size_t S = 0; S < 256; S++)
          if (S >> i & 1) v[S] -= v[S ^ ((size_t)1 << i)];
      double w2 = 0.0;
      for (size_t S = 0; S < 256; S++) w2 = fmax(w2, fabs(v[S] - coef(spx_oracle_truth(orc), S)));
      spx_test(w2 < 1e-12, "soum file: Moebius of the values = the file (worst %.3g)", w2);
      spx_maskset_destroy(&m8);
      spx_oracle_destroy(&orc);
    }
    spx_options_put(o, "n", SPX_OPT_TEXT, "5", "--test", NULL);
    rc = spx_oracle_open(spx_oracle_lookup("soum"), o, 0, &orc, &err);
    spx_test(rc != SPX_OK && strstr(err.msg, "n: does not apply with file") != NULL,
             "soum file and n: error (%s)", rc ? err.msg : "");
    spx_options_destroy(&o);
  }
  free(v);
  spx_maskset_destroy(&all);
}

int main(void) {
  test_soum_oracle();
  test_sampler();
  test_california();
  test_vs_convert(7, 11);
  test_kadditive(8, 2, 21);
  test_kadditive(7, 3, 22);
  test_unbiased("shap_iq", "sii", 2, 10, 300, 300, 4.5, "false");
  test_unbiased("shap_iq", "sii", 2, 10, 300, 300, 4.5, "true");
  test_unbiased("shap_iq", "bii", 2, 10, 300, 300, 4.5, "false");
  test_unbiased("svarm_iq", "sii", 2, 10, 500, 300, 5.0, "false");
  test_unbiased("permutation", "sii", 2, 10, 600, 300, 4.5, "false");
  test_unbiased("permutation", "stii", 2, 8, 600, 300, 4.5, "false");
  test_unbiased("permutation", "sv", 1, 10, 200, 300, 4.5, "false");
  test_applicable();
  return spx_test_summary();
}
