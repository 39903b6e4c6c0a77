/* test_baselines.c: the baseline methods (lime, banzhaf, faith_banzhaf, faith_shap,
 * kernelshap) against brute force.
 *
 * - Exhaustive budgets (every mask, penalty = 0) reproduce the exact indices: SV and BV from
 *   their marginal-contribution definitions, FSII and FBII from the Moebius formulas of
 *   reference-code.md §5.2 (computed here from the game's full Moebius transform), and the
 *   exact shapiq values of the California housing game (../shared/data/shapiq_california).
 * - With sampling the error shrinks as the budget grows.
 * - LIME equals a weighted ridge solved here from the same masks; the LOO penalty choice
 *   equals brute-force refitting.
 * - applicable() reasons and option error messages. */
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
#include "testing.h"

/* ---- games given by their full value table (n <= 16) ------------------------------------ */

typedef struct {
  size_t n;
  double *v; /* v[S] for S read as an integer (bit i = feature i kept) */
  /* recording of the last evaluation (for the LIME check) */
  spx_maskset *seen;
  double *seen_values;
} game;

static int game_eval(void *ctx, const spx_maskset *masks, double *values, spx_error *err) {
  game *g = ctx;
  for (size_t i = 0; i < masks->count; i++) values[i] = g->v[spx_maskset_row(masks, i)[0]];
  spx_maskset_destroy(&g->seen);
  free(g->seen_values);
  g->seen = spx_maskset_create(masks->n, masks->count);
  g->seen_values = malloc(masks->count * sizeof *values);
  if (!g->seen || !g->seen_values) return spx_error_set(err, SPX_ENOMEM, "test: no memory");
  memcpy(g->seen->bits, masks->bits, masks->count * masks->words * sizeof *masks->bits);
  memcpy(g->seen_values, values, masks->count * sizeof *values);
  return SPX_OK;
}

static void game_free(game *g) {
  free(g->v);
  spx_maskset_destroy(&g->seen);
  free(g->seen_values);
}

/* A game from Moebius coefficients a[T]: v(S) = sum_{T ⊆ S} a(T) (zeta transform). */
static game game_from_moebius(size_t n, const double *a) {
  game g = {.n = n, .v = malloc(((size_t)1 << n) * sizeof(double))};
  size_t N = (size_t)1 << n;
  memcpy(g.v, a, N * sizeof *a);
  for (size_t i = 0; i < n; i++)
    for (size_t S = 0; S < N; S++)
      if (S >> i & 1) g.v[S] += g.v[S ^ ((size_t)1 << i)];
  return g;
}

/* Moebius coefficients of the game (inverse of the above). */
static double *moebius_of(const game *g) {
  size_t N = (size_t)1 << g->n;
  double *a = malloc(N * sizeof *a);
  memcpy(a, g->v, N * sizeof *a);
  for (size_t i = 0; i < g->n; i++)
    for (size_t S = 0; S < N; S++)
      if (S >> i & 1) a[S] -= a[S ^ ((size_t)1 << i)];
  return a;
}

/* A random game whose Moebius coefficient of S has scale 0.6^|S| (every order present). */
static game random_game(size_t n, uint64_t seed) {
  gsl_rng *r = spx_rng_stream(seed, 11, 0, 0, 0);
  size_t N = (size_t)1 << n;
  double *a = malloc(N * sizeof *a);
  for (size_t S = 0; S < N; S++)
    a[S] = (2.0 * gsl_rng_uniform(r) - 1.0) * pow(0.6, __builtin_popcountll(S)) * 1.7;
  gsl_rng_free(r);
  game g = game_from_moebius(n, a);
  free(a);
  return g;
}

static double binom(int n, int k) {
  if (k < 0 || k > n) return 0.0;
  double r = 1.0;
  for (int i = 1; i <= k; i++) r = r * (n - k + i) / i;
  return r;
}

/* ---- exact indices by brute force --------------------------------------------------------- */

/* Shapley values: phi_i = sum_{S ∌ i} |S|! (n-|S|-1)! / n! (v(S+i) - v(S)). */
static double exact_sv(const game *g, size_t i) {
  size_t N = (size_t)1 << g->n;
  double phi = 0.0;
  for (size_t S = 0; S < N; S++) {
    if (S >> i & 1) continue;
    int s = __builtin_popcountll(S);
    double w = 1.0 / ((double)g->n * binom((int)g->n - 1, s));
    phi += w * (g->v[S | ((size_t)1 << i)] - g->v[S]);
  }
  return phi;
}

/* Banzhaf values: 2^-(n-1) sum_{S ∌ i} (v(S+i) - v(S)). */
static double exact_bv(const game *g, size_t i) {
  size_t N = (size_t)1 << g->n;
  double phi = 0.0;
  for (size_t S = 0; S < N; S++)
    if (!(S >> i & 1)) phi += g->v[S | ((size_t)1 << i)] - g->v[S];
  return phi / (double)(N / 2);
}

/* FSII / FBII of order l for the set T (a bit set) from the Moebius coefficients (§5.2). */
static double exact_faith(const double *a, size_t n, int l, size_t T, int shapley) {
  size_t N = (size_t)1 << n;
  int t = __builtin_popcountll(T);
  if (t == 0 && shapley) return a[0];
  double val = a[T];
  for (size_t S = 0; S < N; S++) {
    int s = __builtin_popcountll(S);
    if ((S & T) != T || s <= l) continue;
    double sign = ((l - t) % 2) ? -1.0 : 1.0, w;
    if (shapley)
      w = sign * t / (double)(l + t) * binom(l, t) * binom(s - 1, l) / binom(s + l - 1, l + t);
    else
      w = sign * pow(2.0, -(s - t)) * binom(s - t - 1, l - t);
    val += w * a[S];
  }
  return val;
}

/* ---- running methods ---------------------------------------------------------------------- */

typedef struct {
  const char *key, *value;
} kv;

static spx_options *make_opts(const kv *o) {
  spx_options *opts = spx_options_create("[[method]] test");
  for (; o && o->key; o++) spx_options_put(opts, o->key, SPX_OPT_TEXT, o->value, "--test", NULL);
  return opts;
}

static spx_transform *run(const char *name, game *g, size_t budget, const kv *o, uint64_t seed,
                          spx_method_stats *stats_out, spx_error *err) {
  spx_options *opts = make_opts(o);
  gsl_rng *r = spx_rng_stream(seed, spx_hash_string(name), budget, 0, 0);
  spx_transform *t = NULL;
  spx_method_stats stats;
  spx_error e;
  if (err == NULL) err = &e;
  int rc = spx_method_run(name, g->n, budget, opts, r, game_eval, g, &t, &stats, err);
  if (rc && err == &e) printf("  (%s failed: %s)\n", name, e.msg);
  if (stats_out) *stats_out = stats;
  gsl_rng_free(r);
  spx_options_destroy(&opts);
  return t;
}

/* Coefficient of the set T (bit set) in t. */
static double coef(const spx_transform *t, size_t T, int *found) {
  uint32_t idx[64];
  uint32_t d = 0;
  for (uint32_t i = 0; i < 64; i++)
    if (T >> i & 1) idx[d++] = i;
  return spx_transform_get(t, idx, d, found);
}

/* Check every |T| <= l entry (and the number of entries) against want(T). */
typedef double (*want_fn)(const void *ctx, size_t T);

static void check_all(const char *what, const spx_transform *t, size_t n, int l, int with_empty,
                      want_fn want, const void *ctx, double tol) {
  if (!spx_test(t != NULL, "%s: ran", what)) return;
  size_t N = (size_t)1 << n, count = 0, bad = 0;
  double worst = 0.0;
  for (size_t T = 0; T < N; T++) {
    int d = __builtin_popcountll(T);
    if (d > l || (d == 0 && !with_empty)) continue;
    count++;
    int found;
    double got = coef(t, T, &found), w = want(ctx, T);
    double e = fabs(got - w) / (fabs(w) > 1.0 ? fabs(w) : 1.0);
    if (!found || !(e <= tol)) bad++;
    if (!(e <= worst)) worst = e;
  }
  spx_test(bad == 0, "%s: %zu coefficients within %g (worst relative error %.3g)", what, count,
           tol, worst);
  spx_test_int((long long)spx_transform_size(t), (long long)count, "%s: number of entries",
               what);
  spx_test(spx_transform_basis(t) == SPX_BASIS_MOEBIUS, "%s: Moebius basis", what);
}

typedef struct {
  const game *g;
  const double *a;
  int l;
  double empty; /* value expected at ∅ for SV / BV (v(∅) or FBII's ∅) */
} want_ctx;

static double want_sv(const void *vc, size_t T) {
  const want_ctx *c = vc;
  return T == 0 ? c->g->v[0] : exact_sv(c->g, (size_t)__builtin_ctzll(T));
}
static double want_bv(const void *vc, size_t T) {
  const want_ctx *c = vc;
  return T == 0 ? exact_faith(c->a, c->g->n, 1, 0, 0) : exact_bv(c->g, (size_t)__builtin_ctzll(T));
}
static double want_fsii(const void *vc, size_t T) {
  const want_ctx *c = vc;
  return exact_faith(c->a, c->g->n, c->l, T, 1);
}
static double want_fbii(const void *vc, size_t T) {
  const want_ctx *c = vc;
  return exact_faith(c->a, c->g->n, c->l, T, 0);
}

/* Exhaustive budget + penalty 0: the estimators are exact. The normal equations here have
 * condition numbers below ~1e4, so double precision leaves errors near 1e-12; 1e-8 leaves
 * a wide margin while still catching any wrong weight or formula (those give errors > 1e-3). */
static void test_exact_random(size_t n, uint64_t seed) {
  game g = random_game(n, seed);
  double *a = moebius_of(&g);
  size_t all = (size_t)1 << n;
  const double tol = 1e-8;
  const kv p0[] = {{"penalty", "0"}, {NULL, NULL}};
  char what[128];
  want_ctx c = {.g = &g, .a = a};
  spx_method_stats st;

  spx_transform *t = run("kernelshap", &g, all, p0, 1, &st, NULL);
  snprintf(what, sizeof what, "kernelshap n=%zu exhaustive = SV", n);
  check_all(what, t, n, 1, 1, want_sv, &c, tol);
  spx_test_int((long long)st.queries, (long long)all, "%s: queries = 2^n", what);
  spx_transform_destroy(&t);

  t = run("banzhaf", &g, all + 5, p0, 1, &st, NULL);
  snprintf(what, sizeof what, "banzhaf regression n=%zu exhaustive = BV", n);
  check_all(what, t, n, 1, 1, want_bv, &c, tol);
  spx_test_int((long long)st.queries, (long long)all, "%s: a budget above 2^n uses 2^n", what);
  spx_transform_destroy(&t);

  const kv msr[] = {{"estimator", "msr"}, {NULL, NULL}};
  t = run("banzhaf", &g, all, msr, 1, NULL, NULL);
  snprintf(what, sizeof what, "banzhaf msr n=%zu exhaustive = BV", n);
  check_all(what, t, n, 1, 1, want_bv, &c, tol);
  spx_transform_destroy(&t);

  for (int l = 1; l <= 3; l++) {
    char order[8];
    snprintf(order, sizeof order, "%d", l);
    const kv o[] = {{"penalty", "0"}, {"order", order}, {NULL, NULL}};
    c.l = l;
    t = run("faith_shap", &g, all, o, 2, NULL, NULL);
    snprintf(what, sizeof what, "faith_shap order %d n=%zu exhaustive = FSII", l, n);
    check_all(what, t, n, l, 1, want_fsii, &c, tol);
    spx_transform_destroy(&t);
    t = run("faith_banzhaf", &g, all, o, 2, NULL, NULL);
    snprintf(what, sizeof what, "faith_banzhaf order %d n=%zu exhaustive = FBII", l, n);
    check_all(what, t, n, l, 1, want_fbii, &c, tol);
    spx_transform_destroy(&t);
  }
  free(a);
  game_free(&g);
}

/* ---- against the index conversions of src/core/convert.c --------------------------------- */

/* Compare every entry of the method's output with spx_moebius_to_index of the game's full
 * Moebius transform (a library written independently of the regressions). Entries absent
 * from the conversion are exact zeros (it drops them). check_empty = 0 skips ∅ (BV, whose
 * conversion stores v(∅) while banzhaf stores its intercept). */
static void compare_convert(const char *what, const spx_transform *t, const spx_transform *a,
                            spx_index index, unsigned order, int check_empty) {
  spx_transform *want = NULL;
  spx_error err;
  if (!spx_test(t && spx_moebius_to_index(a, index, order, &want, &err) == SPX_OK,
                "%s: ran and converted", what)) return;
  double worst = 0.0;
  size_t compared = 0;
  for (size_t i = 0; i < spx_transform_size(t); i++) {
    const uint32_t *idx;
    uint32_t d;
    double v;
    spx_transform_entry(t, i, &idx, &d, &v);
    if (d == 0 && !check_empty) continue;
    double w = spx_transform_get(want, idx, d, NULL);
    double e = fabs(v - w) / (fabs(w) > 1.0 ? fabs(w) : 1.0);
    if (!(e <= worst)) worst = e;
    compared++;
  }
  /* as in test_exact_random: well-conditioned exact solves, 1e-8 is a wide margin */
  spx_test(worst <= 1e-8 && compared + !check_empty >= spx_transform_size(want),
           "%s: %zu entries equal spx_moebius_to_index (worst relative error %.3g)", what,
           compared, worst);
  spx_transform_destroy(&want);
}

static void test_vs_convert(size_t n, uint64_t seed) {
  game g = random_game(n, seed);
  double *m = moebius_of(&g);
  size_t all = (size_t)1 << n;
  spx_transform *a = spx_transform_create((uint32_t)n, SPX_BASIS_MOEBIUS);
  for (size_t T = 0; T < all; T++) {
    uint32_t idx[32], d = 0;
    for (uint32_t i = 0; i < n; i++)
      if (T >> i & 1) idx[d++] = i;
    spx_transform_set(a, idx, d, m[T], NULL);
  }
  char what[128];
  const kv p0[] = {{"penalty", "0"}, {NULL, NULL}};
  spx_transform *t = run("kernelshap", &g, all, p0, 5, NULL, NULL);
  snprintf(what, sizeof what, "kernelshap n=%zu exhaustive vs convert SV", n);
  compare_convert(what, t, a, SPX_INDEX_SV, 1, 1);
  spx_transform_destroy(&t);
  t = run("banzhaf", &g, all, p0, 5, NULL, NULL);
  snprintf(what, sizeof what, "banzhaf n=%zu exhaustive vs convert BV", n);
  compare_convert(what, t, a, SPX_INDEX_BV, 1, 0);
  snprintf(what, sizeof what, "banzhaf n=%zu exhaustive vs convert FBII order 1", n);
  compare_convert(what, t, a, SPX_INDEX_FBII, 1, 1);
  spx_transform_destroy(&t);
  for (unsigned l = 1; l <= 4; l++) {
    char order[8];
    snprintf(order, sizeof order, "%u", l);
    const kv o[] = {{"penalty", "0"}, {"order", order}, {NULL, NULL}};
    t = run("faith_shap", &g, all, o, 5, NULL, NULL);
    snprintf(what, sizeof what, "faith_shap order %u n=%zu exhaustive vs convert FSII", l, n);
    compare_convert(what, t, a, SPX_INDEX_FSII, l, 1);
    spx_transform_destroy(&t);
    t = run("faith_banzhaf", &g, all, o, 5, NULL, NULL);
    snprintf(what, sizeof what, "faith_banzhaf order %u n=%zu exhaustive vs convert FBII", l, n);
    compare_convert(what, t, a, SPX_INDEX_FBII, l, 1);
    spx_transform_destroy(&t);
  }
  spx_transform_destroy(&a);
  free(m);
  game_free(&g);
}

/* ---- the California housing game of shapiq's test data ---------------------------------- */

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

/* "Empty" -> 0, "0,5" -> bits 0 and 5. */
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

static void compare_file(const spx_transform *t, const char *rel, const char *what, int l,
                         double want_empty_from) {
  char buf[1024];
  const char *path = spx_test_shared(rel, buf, sizeof buf);
  if (path == NULL) return;
  cJSON *j = read_json(path);
  if (!spx_test(j != NULL, "%s: parse %s", what, rel)) return;
  cJSON *data = cJSON_GetObjectItem(j, "data");
  cJSON *meta = cJSON_GetObjectItem(j, "metadata");
  size_t count = 0, bad = 0;
  double worst = 0.0;
  for (cJSON *e = data ? data->child : NULL; e; e = e->next) {
    size_t T = parse_key(e->string);
    if (T == 0 || __builtin_popcountll(T) > l) continue;
    int found;
    double got = coef(t, T, &found), err = fabs(got - e->valuedouble);
    count++;
    if (!found || !(err <= 1e-6)) bad++;
    if (err > worst) worst = err;
  }
  /* shapiq data files: computed in double precision from the same Moebius table */
  spx_test(count > 0 && bad == 0, "%s: %zu values of %s within 1e-6 (worst %.3g)", what, count,
           rel, worst);
  double base = cJSON_GetObjectItem(meta, "baseline_value")->valuedouble;
  (void)want_empty_from;
  spx_test_abs(coef(t, 0, NULL), base, 1e-6, "%s: ∅ entry = baseline_value of %s", what, rel);
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
  cJSON *data = cJSON_GetObjectItem(j, "data");
  for (cJSON *e = data->child; e; e = e->next) a[parse_key(e->string)] = e->valuedouble;
  cJSON_Delete(j);
  game g = game_from_moebius(8, a);
  const kv p0[] = {{"penalty", "0"}, {NULL, NULL}};
  spx_transform *t = run("kernelshap", &g, 256, p0, 3, NULL, NULL);
  compare_file(t, "shapiq_california/imputer_SV_order1.json", "california kernelshap", 1, 0);
  spx_transform_destroy(&t);
  t = run("banzhaf", &g, 256, p0, 3, NULL, NULL);
  /* BV's file has baseline v(∅); our ∅ is the FBII order-1 intercept, checked via FBII 1 */
  compare_file(t, "shapiq_california/imputer_FBII_order1.json", "california banzhaf", 1, 0);
  spx_transform_destroy(&t);
  const kv msr[] = {{"estimator", "msr"}, {NULL, NULL}};
  t = run("banzhaf", &g, 256, msr, 3, NULL, NULL);
  compare_file(t, "shapiq_california/imputer_FBII_order1.json", "california banzhaf msr", 1, 0);
  spx_transform_destroy(&t);
  for (int l = 2; l <= 3; l++) {
    char order[8], rel[128];
    snprintf(order, sizeof order, "%d", l);
    const kv o[] = {{"penalty", "0"}, {"order", order}, {NULL, NULL}};
    t = run("faith_shap", &g, 256, o, 3, NULL, NULL);
    snprintf(rel, sizeof rel, "shapiq_california/imputer_FSII_order%d.json", l);
    compare_file(t, rel, "california faith_shap", l, 0);
    spx_transform_destroy(&t);
    t = run("faith_banzhaf", &g, 256, o, 3, NULL, NULL);
    snprintf(rel, sizeof rel, "shapiq_california/imputer_FBII_order%d.json", l);
    compare_file(t, rel, "california faith_banzhaf", l, 0);
    spx_transform_destroy(&t);
  }
  /* the BV file itself (values only; its baseline is v(∅)) */
  t = run("banzhaf", &g, 256, p0, 3, NULL, NULL);
  path = spx_test_shared("shapiq_california/imputer_BV_order1.json", buf, sizeof buf);
  if (path) {
    cJSON *bv = read_json(path);
    size_t bad = 0;
    for (cJSON *e = cJSON_GetObjectItem(bv, "data")->child; e; e = e->next)
      if (!(fabs(coef(t, parse_key(e->string), NULL) - e->valuedouble) <= 1e-6)) bad++;
    spx_test(bad == 0, "california banzhaf: values of imputer_BV_order1.json within 1e-6");
    cJSON_Delete(bv);
  }
  spx_transform_destroy(&t);
  game_free(&g);
}

/* ---- sampling: error shrinks with the budget --------------------------------------------- */

/* Squared error of the |T| <= l entries (and ∅ when with_empty) against want. */
static double sq_error(const spx_transform *t, size_t n, int l, int with_empty, want_fn want,
                       const void *ctx) {
  size_t N = (size_t)1 << n;
  double e = 0.0;
  for (size_t T = 0; T < N; T++) {
    int d = __builtin_popcountll(T);
    if (d > l || (d == 0 && !with_empty)) continue;
    double diff = coef(t, T, NULL) - want(ctx, T);
    e += diff * diff;
  }
  return e;
}

/* Criterion: the mean squared coefficient error over 6 seeds decreases strictly from each of
 * the three budgets to the next, and the largest budget's is at most half the smallest's
 * (regression error falls roughly like 1/budget, so a 16x budget gives far more than 2x). */
static void test_convergence(void) {
  const size_t n = 11;
  game g = random_game(n, 77);
  double *a = moebius_of(&g);
  want_ctx c = {.g = &g, .a = a, .l = 2};
  struct {
    const char *name, *order;
    int l;
    want_fn want;
    size_t budgets[3];
  } cases[] = {
      {"kernelshap", NULL, 1, want_sv, {60, 240, 960}},
      {"faith_shap", "2", 2, want_fsii, {120, 480, 1900}},
      {"faith_banzhaf", "2", 2, want_fbii, {120, 480, 1900}},
      {"banzhaf", NULL, 1, want_bv, {60, 240, 960}},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    double err[3];
    c.l = cases[k].l;
    for (int b = 0; b < 3; b++) {
      err[b] = 0.0;
      for (uint64_t seed = 1; seed <= 6; seed++) {
        const kv o[] = {{cases[k].order ? "order" : NULL, cases[k].order}, {NULL, NULL}};
        spx_transform *t = run(cases[k].name, &g, cases[k].budgets[b], o, seed, NULL, NULL);
        if (t == NULL) {
          err[b] = INFINITY;
          break;
        }
        /* banzhaf's ∅ is the intercept, whose target is FBII order 1's ∅ (want_bv) */
        err[b] += sq_error(t, n, cases[k].l, 1, cases[k].want, &c) / 6.0;
        spx_transform_destroy(&t);
      }
    }
    spx_test(err[1] < err[0] && err[2] < err[1] && err[2] <= 0.5 * err[0],
             "%s: mean squared error falls with the budget (%zu: %.3g, %zu: %.3g, %zu: %.3g)",
             cases[k].name, cases[k].budgets[0], err[0], cases[k].budgets[1], err[1],
             cases[k].budgets[2], err[2]);
  }
  free(a);
  game_free(&g);
}

/* ---- LIME against a weighted ridge solved here ------------------------------------------- */

/* Solve the k x k system M x = r by Gaussian elimination with partial pivoting. */
static void gauss_solve(double *M, double *r, size_t k) {
  for (size_t c = 0; c < k; c++) {
    size_t piv = c;
    for (size_t i = c + 1; i < k; i++)
      if (fabs(M[i * k + c]) > fabs(M[piv * k + c])) piv = i;
    for (size_t j = 0; j < k; j++) {
      double tmp = M[c * k + j];
      M[c * k + j] = M[piv * k + j];
      M[piv * k + j] = tmp;
    }
    double tmp = r[c];
    r[c] = r[piv];
    r[piv] = tmp;
    for (size_t i = c + 1; i < k; i++) {
      double f = M[i * k + c] / M[c * k + c];
      for (size_t j = c; j < k; j++) M[i * k + j] -= f * M[c * k + j];
      r[i] -= f * r[c];
    }
  }
  for (size_t c = k; c-- > 0;) {
    for (size_t j = c + 1; j < k; j++) r[c] -= M[c * k + j] * r[j];
    r[c] /= M[c * k + c];
  }
}

/* Weighted ridge on (1, z) from the recorded masks: penalty alpha on the features only. */
static void brute_ridge(const game *g, double alpha, const double *w, double *beta) {
  size_t n = g->n, k = n + 1, N = g->seen->count;
  double *M = calloc(k * k, sizeof *M);
  for (size_t j = 0; j < k; j++) beta[j] = 0.0;
  for (size_t r = 0; r < N; r++) {
    double x[64];
    x[0] = 1.0;
    for (size_t i = 0; i < n; i++) x[i + 1] = spx_mask_test(spx_maskset_row(g->seen, r), i);
    for (size_t a = 0; a < k; a++) {
      beta[a] += w[r] * x[a] * g->seen_values[r];
      for (size_t b = 0; b < k; b++) M[a * k + b] += w[r] * x[a] * x[b];
    }
  }
  for (size_t j = 1; j < k; j++) M[j * k + j] += alpha;
  gauss_solve(M, beta, k);
  free(M);
}

static void test_lime(void) {
  const size_t n = 9;
  game g = random_game(n, 5);
  struct {
    const char *dist, *width, *alpha;
    size_t budget;
  } cases[] = {{"cosine", NULL, NULL, 100}, {"text", NULL, "0.5", 60}, {"cosine", "0.3", "3", 200},
               {"text", "40", "0", 80}};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    kv o[4] = {{"distance", cases[k].dist}};
    size_t m = 1;
    if (cases[k].width) o[m++] = (kv){"kernel_width", cases[k].width};
    if (cases[k].alpha) o[m++] = (kv){"alpha", cases[k].alpha};
    spx_transform *t = run("lime", &g, cases[k].budget, o, 9 + k, NULL, NULL);
    if (!spx_test(t != NULL && g.seen && g.seen->count == cases[k].budget,
                  "lime case %zu ran with %zu masks", k, cases[k].budget)) {
      spx_transform_destroy(&t);
      continue;
    }
    spx_test(spx_mask_popcount(spx_maskset_row(g.seen, 0), 1) == n,
             "lime case %zu: the first mask is the instance (all kept)", k);
    double width = cases[k].width ? atof(cases[k].width) : 25.0;
    double alpha = cases[k].alpha ? atof(cases[k].alpha) : 1.0;
    double *w = malloc(g.seen->count * sizeof *w), beta[64];
    for (size_t r = 0; r < g.seen->count; r++) {
      double kept = (double)spx_mask_popcount(spx_maskset_row(g.seen, r), 1);
      double d = (1.0 - sqrt(kept / (double)n)) * (strcmp(cases[k].dist, "text") ? 1.0 : 100.0);
      w[r] = sqrt(exp(-d * d / (width * width)));
    }
    brute_ridge(&g, alpha, w, beta);
    double worst = 0.0;
    for (size_t j = 0; j <= n; j++) {
      double got = coef(t, j == 0 ? 0 : (size_t)1 << (j - 1), NULL);
      double e = fabs(got - beta[j]) / (fabs(beta[j]) > 1 ? fabs(beta[j]) : 1);
      if (!(e <= worst)) worst = e;
    }
    /* two independent solvers of a well-conditioned (n+1)x(n+1) system: agree to ~1e-13 */
    spx_test(worst <= 1e-9, "lime case %zu (%s, width %g, alpha %g): equals brute-force ridge "
             "(worst relative error %.3g)", k, cases[k].dist, width, alpha, worst);
    free(w);
    spx_transform_destroy(&t);
  }
  game_free(&g);
}

/* ---- LOO penalty choice against brute-force refitting -------------------------------------- */

/* Unweighted ridge on the Moebius design of order l (all columns penalised, as the reference)
 * over the recorded rows except `skip` (SIZE_MAX = none); columns ordered by bit set. */
static void brute_fb(const game *g, int l, double lambda, size_t skip, double *beta,
                     size_t *cols, size_t p) {
  double *M = calloc(p * p, sizeof *M);
  for (size_t j = 0; j < p; j++) beta[j] = 0.0;
  for (size_t r = 0; r < g->seen->count; r++) {
    if (r == skip) continue;
    size_t S = spx_maskset_row(g->seen, r)[0];
    for (size_t a = 0; a < p; a++) {
      if ((cols[a] & S) != cols[a]) continue;
      beta[a] += g->seen_values[r];
      for (size_t b = 0; b < p; b++)
        if ((cols[b] & S) == cols[b]) M[a * p + b] += 1.0;
    }
  }
  for (size_t j = 0; j < p; j++) M[j * p + j] += lambda;
  gauss_solve(M, beta, p);
  free(M);
  (void)l;
}

/* faith_banzhaf (order 2, n = 6: 22 unknowns) on `budget` masks: the LOO choice and a fixed
 * penalty equal brute-force refits; spx_baseline_fit reports the primal (budget > p) or the dual
 * kernel form (budget < p) as expected. */
static void loo_case(size_t budget, int want_dual, const char *grid_text,
                     const double grid[3], uint64_t game_seed) {
  const size_t n = 6;
  const int l = 2;
  game g = random_game(n, game_seed);
  const kv o[] = {{"order", "2"}, {"penalty_grid", grid_text}, {NULL, NULL}};
  spx_transform *t = run("faith_banzhaf", &g, budget, o, 4, NULL, NULL);
  size_t cols[64], p = 0;
  for (size_t T = 0; T < 64; T++)
    if (__builtin_popcountll(T) <= l) cols[p++] = T;
  double best = INFINITY, best_lambda = 0.0, beta[64], full[64];
  for (int k = 0; k < 3; k++) {
    double loo = 0.0;
    for (size_t r = 0; r < g.seen->count; r++) {
      brute_fb(&g, l, grid[k], r, beta, cols, p);
      size_t S = spx_maskset_row(g.seen, r)[0];
      double pred = 0.0;
      for (size_t a = 0; a < p; a++)
        if ((cols[a] & S) == cols[a]) pred += beta[a];
      loo += (g.seen_values[r] - pred) * (g.seen_values[r] - pred);
    }
    if (loo < best) {
      best = loo;
      best_lambda = grid[k];
    }
  }
  brute_fb(&g, l, best_lambda, SIZE_MAX, full, cols, p);
  double worst = 0.0;
  for (size_t a = 0; a < p; a++) {
    double e = fabs(coef(t, cols[a], NULL) - full[a]);
    if (!(e <= worst)) worst = e;
  }
  /* the same ridge system (lambda >= 0.1, condition < 1e6) solved two ways: 1e-9 */
  spx_test(t != NULL && worst <= 1e-9,
           "faith_banzhaf %zu masks, LOO: same penalty (%g) and coefficients as brute-force "
           "refits (worst error %.3g)",
           budget, best_lambda, worst);
  spx_transform_destroy(&t);

  /* spx_baseline_fit on the same rows: which form, and the penalty it chose */
  spx_baseline_design d;
  spx_baseline_design_init(&d, n, 0, 2, NULL);
  spx_baseline_penalty pen = {.loo = 1, .grid = {grid[0], grid[1], grid[2]}, .ngrid = 3};
  spx_baseline_rows rows = {g.seen->bits, 1, g.seen->count, g.seen_values, NULL};
  spx_baseline_fit_info info;
  double b2[64];
  int rc = spx_baseline_fit(&rows, &d, &pen, 0, NULL, 0.0, b2, &info, NULL);
  spx_test(rc == SPX_OK && info.dual == want_dual && info.penalty == best_lambda,
           "spx_baseline_fit %zu rows, %zu columns: dual = %d, penalty %g", budget, d.p, info.dual,
           info.penalty);
  spx_baseline_design_free(&d);

  /* a fixed penalty equals the brute-force ridge with that penalty */
  const kv o2[] = {{"order", "2"}, {"penalty", "2.5"}, {NULL, NULL}};
  t = run("faith_banzhaf", &g, budget, o2, 4, NULL, NULL);
  brute_fb(&g, l, 2.5, SIZE_MAX, full, cols, p);
  worst = 0.0;
  for (size_t a = 0; a < p; a++) {
    double e = fabs(coef(t, cols[a], NULL) - full[a]);
    if (!(e <= worst)) worst = e;
  }
  spx_test(t != NULL && worst <= 1e-9,
           "faith_banzhaf %zu masks, penalty 2.5 = brute-force ridge (%.3g)", budget, worst);
  spx_transform_destroy(&t);
  game_free(&g);
}

static void test_loo(void) {
  const double def[3] = {0.1, 1.0, 10.0}, wide[3] = {0.01, 3.0, 300.0};
  for (uint64_t seed = 31; seed < 36; seed++) {
    loo_case(30, 0, "0.1,1,10", def, seed); /* 30 rows, 22 columns: primal normal equations */
    loo_case(15, 1, "0.1,1,10", def, seed); /* 15 rows < 22 columns: dual kernel form */
    loo_case(30, 0, "0.01,3,300", wide, seed);
    loo_case(12, 1, "0.01,3,300", wide, seed);
  }
}

/* ---- constraints, determinism ---------------------------------------------------------------- */

static void test_properties(void) {
  const size_t n = 10;
  game g = random_game(n, 8);
  /* Faith-Shap and KernelSHAP keep a(∅) = v(∅) and efficiency exactly, also when sampled and
   * penalised (the constraint is imposed, not approximated by a large weight). */
  const kv cases[][3] = {{{"order", "2"}, {NULL, NULL}},
                         {{"order", "2"}, {"penalty", "0.3"}, {NULL, NULL}},
                         {{"order", "3"}, {"penalty", "loo"}, {NULL, NULL}}};
  for (size_t k = 0; k < 3; k++) {
    spx_transform *t = run("faith_shap", &g, 400, cases[k], 6, NULL, NULL);
    if (!spx_test(t != NULL, "faith_shap case %zu ran", k)) continue;
    double sum = 0.0;
    for (size_t i = 0; i < spx_transform_size(t); i++) {
      const uint32_t *idx;
      uint32_t d;
      double v;
      spx_transform_entry(t, i, &idx, &d, &v);
      if (d) sum += v;
    }
    spx_test_abs(coef(t, 0, NULL), g.v[0], 1e-12, "faith_shap case %zu: a(∅) = v(∅)", k);
    /* a constrained solve meets its constraint to rounding: 1e-9 on values of order 1 */
    spx_test_abs(sum, g.v[(1 << n) - 1] - g.v[0], 1e-9, "faith_shap case %zu: efficiency", k);
    spx_transform_destroy(&t);
  }
  /* same seed, same result; another seed, other masks */
  spx_transform *a = run("kernelshap", &g, 300, NULL, 21, NULL, NULL);
  spx_transform *b = run("kernelshap", &g, 300, NULL, 21, NULL, NULL);
  spx_transform *c = run("kernelshap", &g, 300, NULL, 22, NULL, NULL);
  int same = a && b && c, differ = 0;
  for (size_t i = 0; same && i < n; i++) {
    same &= coef(a, (size_t)1 << i, NULL) == coef(b, (size_t)1 << i, NULL);
    differ |= coef(a, (size_t)1 << i, NULL) != coef(c, (size_t)1 << i, NULL);
  }
  spx_test(same && differ, "kernelshap: deterministic given the rng stream");
  spx_transform_destroy(&a);
  spx_transform_destroy(&b);
  spx_transform_destroy(&c);
  game_free(&g);
}

/* ---- the design helper and the coalition sampler -------------------------------------------- */

static void test_helpers(void) {
  spx_baseline_design d;
  spx_test(spx_baseline_design_init(&d, 20, 0, 3, NULL) == SPX_OK && d.p == 1 + 20 + 190 + 1140,
           "design n=20 order 3 has 1351 columns");
  gsl_rng *r = spx_rng_stream(3, 0, 0, 0, 0);
  uint64_t m[1];
  size_t *cols = malloc(d.p * sizeof *cols);
  int ok = 1;
  for (int rep = 0; rep < 20; rep++) {
    spx_mask_random(m, 20, r);
    size_t q = spx_baseline_design_row(&d, m, cols);
    int kept = __builtin_popcountll(m[0]);
    ok &= q == (size_t)(1 + kept + binom(kept, 2) + binom(kept, 3));
    for (size_t a = 0; a < q; a++) {
      uint32_t idx[8];
      unsigned deg;
      spx_baseline_design_subset(&d, cols[a], idx, &deg);
      for (unsigned j = 0; j < deg; j++) ok &= spx_mask_test(m, idx[j]) && (j == 0 || idx[j - 1] < idx[j]);
      if (a) ok &= cols[a - 1] < cols[a];
    }
  }
  spx_test(ok, "design rows: one column per kept subset of size <= 3, ascending, decodable");
  free(cols);
  spx_baseline_design_free(&d);

  /* the sampler: distinct masks, ∅ and the full set first, border sizes enumerated */
  const size_t n = 10;
  double sw[11];
  for (size_t s = 0; s <= n; s++) sw[s] = (s == 0 || s == n) ? 1e8 : 1.0 / (double)(s * (n - s));
  spx_maskset *masks;
  double *ln_adj;
  spx_test(spx_baseline_sample_coalitions(n, 150, sw, r, &masks, &ln_adj, NULL) == SPX_OK &&
               masks->count == 150,
           "sampler: 150 coalitions");
  size_t per_size[11] = {0};
  int distinct = 1;
  for (size_t i = 0; i < masks->count; i++) {
    per_size[__builtin_popcountll(spx_maskset_row(masks, i)[0])]++;
    for (size_t j = 0; j < i; j++)
      distinct &= spx_maskset_row(masks, i)[0] != spx_maskset_row(masks, j)[0];
  }
  spx_test(distinct, "sampler: coalitions are distinct");
  spx_test(spx_maskset_row(masks, 0)[0] == 0 && spx_maskset_row(masks, 1)[0] == 1023,
           "sampler: rows 0 and 1 are ∅ and the full set");
  /* sizes 1 and 9: p = 0.1 each... of weight 1/9 among total 2 * sum 1/(s(n-s)) ~ 0.566,
   * 148 * 0.196 = 29 >= 10 coalitions: the border trick enumerates both */
  spx_test(per_size[1] == 10 && per_size[9] == 10, "sampler: sizes 1 and 9 enumerated");
  spx_test(ln_adj[0] == 0.0 && ln_adj[21] == 0.0 && ln_adj[22] != 0.0,
           "sampler: enumerated rows have adjustment 1, sampled rows not");
  spx_maskset_destroy(&masks);
  free(ln_adj);
  gsl_rng_free(r);
}

/* ---- applicability and option errors -------------------------------------------------------- */

static void check_applicable(const char *name, size_t n, size_t budget, const kv *o, int want,
                             const char *needle) {
  const spx_method_type *m = spx_method_lookup(name);
  spx_options *opts = make_opts(o);
  char why[512] = "";
  int got = m ? spx_method_applicable(m, n, budget, opts, why, sizeof why) : -1;
  spx_test(got == want && (want || strstr(why, needle)),
           "%s n=%zu budget=%zu: applicable = %d (%s)", name, n, budget, got, why);
  spx_options_destroy(&opts);
}

static void check_error(const char *name, const kv *o, const char *needle) {
  game g = random_game(4, 1);
  spx_error err = {0};
  spx_transform *t = run(name, &g, 16, o, 1, NULL, &err);
  spx_test(t == NULL && strstr(err.msg, needle) != NULL, "%s: error message '%s' contains '%s'",
           name, err.msg, needle);
  spx_transform_destroy(&t);
  game_free(&g);
}

static void test_applicable_and_options(void) {
  const char *names[] = {"lime", "banzhaf", "faith_banzhaf", "faith_shap", "kernelshap"};
  for (int i = 0; i < 5; i++) spx_test(spx_method_lookup(names[i]) != NULL, "registered: %s", names[i]);

  const kv p0[] = {{"penalty", "0"}, {NULL, NULL}};
  const kv o3[] = {{"order", "3"}, {NULL, NULL}};
  check_applicable("faith_shap", 20, 100, p0, 0, "unknowns");  /* 211 unknowns */
  check_applicable("faith_shap", 20, 300, p0, 1, NULL);
  check_applicable("faith_banzhaf", 20, 100, NULL, 1, NULL); /* ridge: fine below p */
  check_applicable("faith_banzhaf", 20, 100, p0, 0, "penalty = 0");
  check_applicable("kernelshap", 20, 1, NULL, 0, "below 2");
  check_applicable("kernelshap", 20, 20, NULL, 0, "unknowns");
  check_applicable("lime", 20, 10, NULL, 1, NULL);
  const kv a0[] = {{"alpha", "0"}, {NULL, NULL}};
  check_applicable("lime", 20, 10, a0, 0, "alpha = 0");
  check_applicable("faith_banzhaf", 1024, 40000, o3, 0, "memory_gib");
  check_applicable("faith_shap", 64, 40000, (const kv[]){{"order", "4"}, {NULL, NULL}}, 0,
                   "memory_gib");
  check_applicable("banzhaf", 1024, 40000, NULL, 1, NULL);
  check_applicable("banzhaf", 300, 1000, (const kv[]){{"memory_gib", "0.001"}, {NULL, NULL}}, 0,
                   "memory_gib");
  check_applicable("faith_banzhaf", 0, 10, NULL, 0, "n = 0");
  /* 4526 columns (order 3 at n = 30) and 6912 masks: about 2.6e11 flops, above the default
   * 100 GFLOP; a larger limit lets it run (its memory, ~0.5 GiB, is within the default). */
  check_applicable("faith_banzhaf", 30, 6912, o3, 0, "max_gflop = 100");
  check_applicable("faith_banzhaf", 30, 6912,
                   (const kv[]){{"order", "3"}, {"max_gflop", "1000"}, {NULL, NULL}}, 1, NULL);
  check_error("faith_shap", (const kv[]){{"max_gflop", "0"}, {NULL, NULL}},
              "max_gflop: 0 is out of range");

  check_error("faith_shap", (const kv[]){{"order", "0"}, {NULL, NULL}}, "order: 0 is out of range");
  check_error("faith_banzhaf", (const kv[]){{"order", "9"}, {NULL, NULL}}, "at most n = 4");
  check_error("faith_banzhaf", (const kv[]){{"penalty", "-1"}, {NULL, NULL}}, "penalty: must be >= 0, got -1");
  check_error("faith_banzhaf", (const kv[]){{"penalty", "lots"}, {NULL, NULL}}, "penalty: expected \"loo\" or a number");
  check_error("kernelshap", (const kv[]){{"penalty_grid", "0.1,-2"}, {NULL, NULL}}, "penalty_grid: element 2 (-2) is out of range (must be >= 0)");
  check_error("banzhaf", (const kv[]){{"estimator", "mcmc"}, {NULL, NULL}}, "'mcmc' is not one of \"regression\", \"msr\"");
  check_error("banzhaf", (const kv[]){{"estimator", "msr"}, {"penalty", "1"}, {NULL, NULL}}, "penalty: applies only to estimator = \"regression\"");
  check_error("lime", (const kv[]){{"kernel_width", "0"}, {NULL, NULL}}, "kernel_width: must be > 0");
  check_error("lime", (const kv[]){{"distance", "l2"}, {NULL, NULL}}, "distance: 'l2' is not one of");
  check_error("lime", (const kv[]){{"alpha", "1"}, {"penalty", "1"}, {NULL, NULL}}, "not both");
  check_error("kernelshap", (const kv[]){{"order", "2"}, {NULL, NULL}}, "order: unknown key");
  check_error("lime", (const kv[]){{"memory_gib", "0"}, {NULL, NULL}}, "memory_gib: 0 is out of range");
  check_error("lime", (const kv[]){{"alpha", "-0.5"}, {NULL, NULL}}, "alpha: -0.5 is out of range (must be >= 0)");
  check_error("faith_banzhaf", (const kv[]){{"ordr", "2"}, {NULL, NULL}}, "known keys: order, penalty, penalty_grid, memory_gib, max_gflop");
}

int main(void) {
  test_helpers();
  test_exact_random(7, 101);
  test_exact_random(10, 202);
  test_vs_convert(6, 303);
  test_vs_convert(9, 404);
  test_california();
  test_lime();
  test_loo();
  test_properties();
  test_convergence();
  test_applicable_and_options();
  return spx_test_summary();
}
