/* test_proxyshap.c: ProxySHAP's MSR residual estimator and the method end to end.
 *
 * 1. MSR over all 2^n coalitions (importance weights 1) is the exact index of the game, for
 *    SII, BII, SV, BV, STII and k-SII at orders 1..3, by every algorithm (feature sums + BLAS
 *    Gram matrix, the same with complement pairs merged, and plain enumeration); exact =
 *    spx_moebius_to_index of the game's Moebius transform. Tolerance 1e-10.
 * 2. The MSR algorithms agree on shapiq-sampled coalitions (n = 11, paired, border trick,
 *    importance weights != 1, >= 50 complement pairs merged): relative 1e-10. SPX_MSR_AUTO is
 *    the unpaired Gram bit for bit at n = 127 and the paired one at n = 128. Adding the
 *    estimate in place (spx_msr_index_add) = merging spx_msr_index's transform, entry for entry.
 * 6. The size rules (spx_proxyshap_plan) at their edges; MSR of orders <= 1 of an order-2 index
 *    = those entries of the full estimate; correction = auto at n = 130 = msr's order-1 and
 *    none's order-2 entries.
 * 3. The method at the full budget (2^n coalitions) with correction = "msr" returns the exact
 *    index of the game whatever the proxy (index(proxy) + index(residual) = index(v)), for
 *    every MSR index and order 1..3, the empty set's baseline included; returned in the
 *    Moebius slot.
 * 4. correction = "none": the result is the tree readout of the fitted proxy (plus the
 *    baseline shift), and on a game XGBoost fits well the proxy's SII is close to the truth.
 * 5. Options: msr with FSII/FBII, order != 1 for SV, unknown index are rejected with the key. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "baselines/baselines.h"
#include "core/convert.h"
#include "core/mask.h"
#include "core/metrics.h"
#include "core/rng.h"
#include "core/transform.h"
#include "methods/method.h"
#include "methods/proxyshap/msr.h"
#include "methods/proxyshap/proxyshap.h"
#include "model/tree_index.h"
#include "testing.h"

/* A sparse game: v(S) = sum_k c_k 1[T_k ⊆ S] with terms up to degree 4 on n features. */
typedef struct {
  unsigned n;
  spx_transform *moebius;
} game;

static game make_game(unsigned n, gsl_rng *r) {
  game g = {n, spx_transform_create(n, SPX_BASIS_MOEBIUS)};
  uint32_t none[1] = {0};
  spx_transform_set(g.moebius, none, 0, 0.7, NULL);
  for (int k = 0; k < 14; k++) {
    unsigned d = 1 + (unsigned)gsl_rng_uniform_int(r, 4);
    uint32_t idx[4];
    unsigned got = 0;
    while (got < d) {
      uint32_t f = (uint32_t)gsl_rng_uniform_int(r, n);
      int dup = 0;
      for (unsigned j = 0; j < got; j++) dup |= idx[j] == f;
      if (!dup) idx[got++] = f;
    }
    spx_transform_add(g.moebius, idx, d, gsl_rng_uniform(r) * 4 - 2, NULL);
  }
  return g;
}

static int eval_game(void *ctx, const spx_maskset *masks, double *values, spx_error *err) {
  game *g = ctx;
  return spx_transform_predict(g->moebius, masks, values, err);
}

/* Max |a - b| over the entries of both (absent = 0), and the largest |b|. */
static double max_diff(const spx_transform *a, const spx_transform *b, double *scale) {
  double worst = 0;
  *scale = 0;
  for (int pass = 0; pass < 2; pass++) {
    const spx_transform *x = pass ? b : a, *y = pass ? a : b;
    for (size_t k = 0; k < spx_transform_size(x); k++) {
      const uint32_t *idx;
      uint32_t d;
      double v;
      spx_transform_entry(x, k, &idx, &d, &v);
      double w = spx_transform_get(y, idx, d, NULL);
      if (fabs(v - w) > worst) worst = fabs(v - w);
      if (pass && fabs(v) > *scale) *scale = fabs(v);
    }
  }
  return worst;
}

static spx_maskset *all_masks(unsigned n) {
  spx_maskset *m = spx_maskset_create(n, (size_t)1 << n);
  for (size_t x = 0; x < m->count; x++) spx_maskset_row(m, x)[0] = x;
  return m;
}

static const spx_index msr_indices[] = {SPX_INDEX_SII, SPX_INDEX_BII,  SPX_INDEX_SV,
                                        SPX_INDEX_BV,  SPX_INDEX_STII, SPX_INDEX_KSII};
#define N_MSR (sizeof msr_indices / sizeof msr_indices[0])

/* Rows q, q+1 that are complements (what the paired Gram merges), counted greedily. */
static size_t count_complement_pairs(const spx_maskset *m) {
  size_t pairs = 0;
  for (size_t q = 0; q + 1 < m->count; q++) {
    const uint64_t *x = spx_maskset_row(m, q), *y = spx_maskset_row(m, q + 1);
    int comp = 1;
    for (uint32_t j = 0; j < m->n && comp; j++)
      comp = spx_mask_test(x, j) != spx_mask_test(y, j);
    if (comp) {
      pairs++;
      q++;
    }
  }
  return pairs;
}

/* SPX_MSR_AUTO is the unpaired Gram path, bit for bit, below SPX_MSR_PAIRED_MIN_N features
 * (results of small configs unchanged) and the paired one from there on. */
static void test_msr_auto(gsl_rng *r) {
  const size_t ns[2] = {SPX_MSR_PAIRED_MIN_N - 1, SPX_MSR_PAIRED_MIN_N};
  for (int i = 0; i < 2; i++) {
    size_t n = ns[i];
    double *w = malloc((n + 1) * sizeof *w);
    for (size_t k = 0; k <= n; k++) w[k] = 1.0;
    spx_baseline_coalitions co;
    spx_error err;
    int rc = spx_baseline_coalitions_sample(n, 400, w, 1, r, &co, &err);
    free(w);
    if (!spx_test(rc == SPX_OK, "sampler at n = %zu", n)) return;
    double *v = malloc(co.masks->count * sizeof *v);
    for (size_t q = 0; q < co.masks->count; q++)
      v[q] = q == 0 ? 0.0 : gsl_ran_gaussian(r, 1.0) + 0.1 * (double)q / 400.0;
    spx_transform *a = NULL, *b = NULL, *c = NULL;
    rc = spx_msr_index(co.masks, co.ln_adjust, v, SPX_INDEX_SII, 2, SPX_MSR_AUTO, &a, &err);
    if (rc == SPX_OK)
      rc = spx_msr_index(co.masks, co.ln_adjust, v, SPX_INDEX_SII, 2, SPX_MSR_GRAM, &b, &err);
    if (rc == SPX_OK)
      rc = spx_msr_index(co.masks, co.ln_adjust, v, SPX_INDEX_SII, 2, SPX_MSR_PAIRED, &c, &err);
    double sb = 0, db = rc ? INFINITY : max_diff(a, b, &sb);
    double sc = 0, dc = rc ? INFINITY : max_diff(a, c, &sc);
    double sg = 0, dg = rc ? INFINITY : max_diff(b, c, &sg);
    if (i == 0)
      spx_test(rc == SPX_OK && db == 0.0 && dg > 0.0 && dg <= 1e-10 * sg,
               "MSR auto at n = %zu is the unpaired Gram bit for bit (paired differs by rel "
               "%.3g)", n, dg / sg);
    else
      spx_test(rc == SPX_OK && dc == 0.0 && dg > 0.0 && dg <= 1e-10 * sg,
               "MSR auto at n = %zu is the paired Gram bit for bit (unpaired differs by rel "
               "%.3g)", n, dg / sg);
    spx_transform_destroy(&a);
    spx_transform_destroy(&b);
    spx_transform_destroy(&c);
    spx_baseline_coalitions_free(&co);
    free(v);
  }
}

/* 1 when a and b hold the same entries with the same values in the same order. */
static int same_entries(const spx_transform *a, const spx_transform *b) {
  if (spx_transform_size(a) != spx_transform_size(b)) return 0;
  for (size_t k = 0; k < spx_transform_size(a); k++) {
    const uint32_t *ia, *ib;
    uint32_t da, db;
    double va, vb;
    spx_transform_entry(a, k, &ia, &da, &va);
    spx_transform_entry(b, k, &ib, &db, &vb);
    if (da != db || va != vb || (da && memcmp(ia, ib, da * sizeof *ia))) return 0;
  }
  return 1;
}

/* spx_msr_index_add(acc) = spx_transform_merge(acc, spx_msr_index(...), 1.0) entry for entry
 * (values bit for bit, insertion order), on top of entries already in acc. */
static void test_msr_add(gsl_rng *r) {
  const unsigned n = 9;
  game g = make_game(n, r);
  double w[10];
  for (unsigned k = 0; k <= n; k++) w[k] = 1.0;
  spx_baseline_coalitions co;
  spx_error err;
  if (!spx_test(spx_baseline_coalitions_sample(n, 200, w, 1, r, &co, &err) == SPX_OK, "sampler"))
    return;
  double *v = malloc(co.masks->count * sizeof *v);
  spx_transform_predict(g.moebius, co.masks, v, NULL);
  double v0 = v[0];
  for (size_t x = 0; x < co.masks->count; x++) v[x] -= v0;
  for (size_t i = 0; i < N_MSR; i++) {
    spx_index ix = msr_indices[i];
    for (int alg = SPX_MSR_GRAM; alg <= SPX_MSR_PAIRED; alg += SPX_MSR_PAIRED - SPX_MSR_GRAM) {
      spx_transform *a = spx_transform_clone(g.moebius), *b = spx_transform_clone(g.moebius);
      spx_transform *est = NULL;
      int rc = spx_msr_index(co.masks, co.ln_adjust, v, ix, 3, (spx_msr_algorithm)alg, &est,
                             &err);
      if (rc == SPX_OK) rc = spx_transform_merge(a, est, 1.0, &err);
      if (rc == SPX_OK)
        rc = spx_msr_index_add(co.masks, co.ln_adjust, v, ix, 3, 3, (spx_msr_algorithm)alg, b,
                               &err);
      spx_test(rc == SPX_OK && same_entries(a, b) && spx_transform_size(a) > spx_transform_size(g.moebius),
               "MSR %s added in place = merged estimate, entry for entry (%s)",
               spx_index_name(ix), alg == SPX_MSR_PAIRED ? "paired" : "Gram");
      spx_transform_destroy(&a);
      spx_transform_destroy(&b);
      spx_transform_destroy(&est);
    }
  }
  spx_transform *small = spx_transform_create(n - 1, SPX_BASIS_INDEX);
  int rc = spx_msr_index_add(co.masks, co.ln_adjust, v, SPX_INDEX_SII, 2, 2, SPX_MSR_AUTO, small,
                             &err);
  spx_test(rc == SPX_EINVAL, "MSR added to a transform of another n is refused");
  spx_transform_destroy(&small);
  spx_baseline_coalitions_free(&co);
  spx_transform_destroy(&g.moebius);
  free(v);
}

static void test_msr_exact(gsl_rng *r) {
  const unsigned n = 7;
  game g = make_game(n, r);
  spx_maskset *m = all_masks(n);
  double *v = malloc(m->count * sizeof *v), *la = calloc(m->count, sizeof *la);
  spx_transform_predict(g.moebius, m, v, NULL);
  double v0 = v[0];
  for (size_t x = 0; x < m->count; x++) v[x] -= v0; /* r(∅) = 0 */
  uint32_t none[1] = {0};
  spx_transform *centred = spx_transform_clone(g.moebius);
  spx_transform_add(centred, none, 0, -v0, NULL);
  for (size_t i = 0; i < N_MSR; i++) {
    spx_index ix = msr_indices[i];
    unsigned omax = (ix == SPX_INDEX_SV || ix == SPX_INDEX_BV) ? 1 : 3;
    for (unsigned order = 1; order <= omax; order++) {
      spx_transform *want = NULL;
      spx_moebius_to_index(centred, ix, order, &want, NULL);
      static const spx_msr_algorithm algs[] = {SPX_MSR_GRAM, SPX_MSR_DIRECT, SPX_MSR_PAIRED};
      static const char *const alg_names[] = {"sums + Gram", "enumeration", "paired Gram"};
      for (int k = 0; k < 3; k++) {
        spx_transform *got = NULL;
        spx_error err;
        int rc = spx_msr_index(m, la, v, ix, order, algs[k], &got, &err);
        double scale = 0, worst = rc ? INFINITY : max_diff(got, want, &scale);
        spx_test(rc == SPX_OK && worst <= 1e-10 && scale > 0.1,
                 "MSR over all 2^%u coalitions = exact %s order %u (%s; err %.3g)", n,
                 spx_index_name(ix), order, alg_names[k], worst);
        spx_transform_destroy(&got);
      }
      spx_transform_destroy(&want);
    }
  }
  spx_transform_destroy(&centred);
  spx_transform_destroy(&g.moebius);
  spx_maskset_destroy(&m);
  free(v);
  free(la);
}

static void test_msr_paths_agree(gsl_rng *r) {
  const unsigned n = 11;
  game g = make_game(n, r);
  double w[12];
  for (unsigned k = 0; k <= n; k++) w[k] = 1.0;
  spx_baseline_coalitions co;
  spx_error err;
  int rc = spx_baseline_coalitions_sample(n, 300, w, 1, r, &co, &err);
  if (!spx_test(rc == SPX_OK, "sampler")) return;
  double *v = malloc(co.masks->count * sizeof *v);
  spx_transform_predict(g.moebius, co.masks, v, NULL);
  double v0 = v[0];
  for (size_t x = 0; x < co.masks->count; x++) v[x] -= v0;
  int weighted = 0;
  for (size_t x = 0; x < co.masks->count; x++) weighted |= co.ln_adjust[x] != 0.0;
  spx_test(weighted && co.masks->count == 300, "sampled coalitions carry importance weights");
  size_t pairs = count_complement_pairs(co.masks);
  spx_test(pairs >= 50, "paired sampling puts complements next to each other (%zu pairs)",
           pairs);
  for (size_t i = 0; i < N_MSR; i++) {
    spx_index ix = msr_indices[i];
    unsigned omax = (ix == SPX_INDEX_SV || ix == SPX_INDEX_BV) ? 1 : 3;
    for (unsigned order = 1; order <= omax; order++) {
      spx_transform *a = NULL, *b = NULL, *c = NULL;
      rc = spx_msr_index(co.masks, co.ln_adjust, v, ix, order, SPX_MSR_GRAM, &a, &err);
      if (rc == SPX_OK)
        rc = spx_msr_index(co.masks, co.ln_adjust, v, ix, order, SPX_MSR_DIRECT, &b, &err);
      if (rc == SPX_OK)
        rc = spx_msr_index(co.masks, co.ln_adjust, v, ix, order, SPX_MSR_PAIRED, &c, &err);
      double scale = 0, worst = rc ? INFINITY : max_diff(a, b, &scale);
      double scale2 = 0, worst2 = rc ? INFINITY : max_diff(c, b, &scale2);
      spx_test(rc == SPX_OK && worst <= 1e-10 * scale && worst2 <= 1e-10 * scale2,
               "MSR %s order %u on sampled coalitions: Gram, paired Gram and enumeration "
               "agree (rel %.3g, %.3g)",
               spx_index_name(ix), order, worst / scale, worst2 / scale2);
      spx_transform_destroy(&a);
      spx_transform_destroy(&b);
      spx_transform_destroy(&c);
    }
  }
  spx_baseline_coalitions_free(&co);
  spx_transform_destroy(&g.moebius);
  free(v);
}

static int run(game *g, size_t budget, const char *index, unsigned order, const char *corr,
               spx_transform **out, spx_error *err) {
  spx_options *o = spx_options_create("test");
  char buf[16];
  snprintf(buf, sizeof buf, "%u", order);
  spx_options_put(o, "index", SPX_OPT_STRING, index, NULL, NULL);
  spx_options_put(o, "order", SPX_OPT_INT, buf, NULL, NULL);
  spx_options_put(o, "correction", SPX_OPT_STRING, corr, NULL, NULL);
  gsl_rng *r = spx_rng_stream(9, 9, 9, 0, 0);
  spx_method_stats st;
  int rc = spx_method_run("proxyshap", g->n, budget, o, r, eval_game, g, out, &st, err);
  gsl_rng_free(r);
  spx_options_destroy(&o);
  return rc;
}

/* The method with extra options keys[i] = vals[i] (correction none, SII order 2). */
static int run_opts(game *g, size_t budget, const char *const *keys, const char *const *vals,
                    int k, spx_transform **out, spx_error *err) {
  spx_options *o = spx_options_create("test");
  spx_options_put(o, "correction", SPX_OPT_STRING, "none", NULL, NULL);
  for (int i = 0; i < k; i++) spx_options_put(o, keys[i], SPX_OPT_TEXT, vals[i], NULL, NULL);
  gsl_rng *r = spx_rng_stream(9, 9, 9, 0, 0);
  spx_method_stats st;
  int rc = spx_method_run("proxyshap", g->n, budget, o, r, eval_game, g, out, &st, err);
  gsl_rng_free(r);
  spx_options_destroy(&o);
  return rc;
}

/* fit_rows: at or above the sample count the proxy is the default one bit for bit; below it
 * every tree sees a random share of the rows, so the proxy (and its index) changes. */
static void test_fit_rows(gsl_rng *r) {
  game g = make_game(10, r);
  const char *keys[1] = {"fit_rows"};
  const char *all[1] = {"600"}, *part[1] = {"150"};
  spx_transform *a = NULL, *b = NULL, *c = NULL;
  spx_error err;
  int rc = run_opts(&g, 600, keys, all, 0, &a, &err);
  if (rc == SPX_OK) rc = run_opts(&g, 600, keys, all, 1, &b, &err);
  if (rc == SPX_OK) rc = run_opts(&g, 600, keys, part, 1, &c, &err);
  double sb = 0, db = rc ? INFINITY : max_diff(a, b, &sb);
  double sc = 0, dc = rc ? INFINITY : max_diff(a, c, &sc);
  spx_test(rc == SPX_OK && db == 0.0, "fit_rows = N: the default proxy bit for bit (%g)", db);
  spx_test(rc == SPX_OK && dc > 1e-6 * sc, "fit_rows = N / 4: another proxy (diff %.3g)", dc);
  spx_transform_destroy(&a);
  spx_transform_destroy(&b);
  spx_transform_destroy(&c);
  spx_transform_destroy(&g.moebius);
}

/* The size rules of spx_proxyshap_plan (proxyshap.h), at their edges. */
static void test_plan(void) {
  spx_options *o = spx_options_create("t");
  spx_proxyshap_config cfg;
  spx_error err;
  int rc = spx_proxyshap_read_options(o, 1000, &cfg, &err);
  spx_options_destroy(&o);
  if (!spx_test(rc == SPX_OK && cfg.correction == SPX_PROXYSHAP_CORRECTION_AUTO &&
                    cfg.screen == -1,
                "defaults: correction auto, screen by the size rule"))
    return;
  struct {
    size_t n, N;
    unsigned msr;
    int screen;
  } c[] = {{127, 10, 2, 0},        {127, 1000000, 2, 0}, /* below n = 128: msr on every order */
           {128, 1279, 0, 0},      {128, 1280, 1, 0},    /* 10 C(128, 1) = 1280 */
           {128, 78124, 1, 0},     {128, 78125, 1, 1},   /* N n >= 1e7 from N = 78,125 */
           {128, 81279, 1, 1},     {128, 81280, 2, 1},   /* 10 C(128, 2) = 81280 */
           {1000, 40000, 1, 1},    {1000, 9999, 0, 0},   /* N n = 1e7 - 1000 */
           {1000, 10000, 1, 1}};
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    unsigned msr;
    int screen;
    spx_proxyshap_plan(&cfg, c[i].n, c[i].N, &msr, &screen);
    spx_test(msr == c[i].msr && screen == c[i].screen,
             "plan n = %zu, N = %zu: MSR orders <= %u (want %u), screen %d (want %d)", c[i].n,
             c[i].N, msr, c[i].msr, screen, c[i].screen);
  }
  spx_proxyshap_config x = cfg;
  unsigned msr;
  int screen;
  x.correction = SPX_PROXYSHAP_CORRECTION_MSR;
  x.screen = 0;
  spx_proxyshap_plan(&x, 1000, 40000, &msr, &screen);
  spx_test(msr == 2 && screen == 0, "correction = msr, screen = false: every order, no screen");
  x.correction = SPX_PROXYSHAP_CORRECTION_NONE;
  x.screen = -1;
  x.hpo = SPX_PROXYSHAP_HPO_FAST;
  spx_proxyshap_plan(&x, 1000, 40000, &msr, &screen);
  spx_test(msr == 0 && screen == 0, "correction = none: no MSR; hpo = fast: no extra screen");
}

/* MSR of orders 1..max_t of an order-2 index = those entries of the full estimate, bit for
 * bit (for k-SII: the SII entries, the residual's order 2 counting as 0); and the method with
 * correction = auto at n = 130, N = 2000 (MSR on order 1 only) has the order-1 entries of
 * correction = msr and the order-2 entries of correction = none, bit for bit. */
static void test_partial_msr(gsl_rng *r) {
  const unsigned n = 130;
  double *w = malloc((n + 1) * sizeof *w);
  for (unsigned k = 0; k <= n; k++) w[k] = 1.0;
  spx_baseline_coalitions co;
  spx_error err;
  int rc = spx_baseline_coalitions_sample(n, 2000, w, 1, r, &co, &err);
  free(w);
  if (!spx_test(rc == SPX_OK, "sampler n = 130")) return;
  size_t N = co.masks->count;
  double *v = malloc(N * sizeof *v);
  game g = make_game(n, r);
  spx_transform_predict(g.moebius, co.masks, v, NULL);
  double v0 = v[0];
  for (size_t q = 0; q < N; q++) v[q] -= v0;
  for (size_t i = 0; i < N_MSR; i++) {
    spx_index ix = msr_indices[i];
    if (ix == SPX_INDEX_SV || ix == SPX_INDEX_BV) continue;
    spx_transform *full = NULL, *part = spx_transform_create(n, SPX_BASIS_INDEX);
    spx_index fix = ix == SPX_INDEX_KSII ? SPX_INDEX_SII : ix;
    rc = spx_msr_index(co.masks, co.ln_adjust, v, fix, 2, SPX_MSR_AUTO, &full, &err);
    if (rc == SPX_OK)
      rc = spx_msr_index_add(co.masks, co.ln_adjust, v, ix, 2, 1, SPX_MSR_AUTO, part, &err);
    /* STII's order 1 below its top order weighs singleton rows only: few entries */
    int ok = rc == SPX_OK && spx_transform_size(part) > (ix == SPX_INDEX_STII ? 0u : 100u);
    for (size_t k = 0; ok && k < spx_transform_size(part); k++) {
      const uint32_t *idx;
      uint32_t d;
      double val;
      spx_transform_entry(part, k, &idx, &d, &val);
      ok = d <= 1 && val == spx_transform_get(full, idx, d, NULL);
    }
    for (size_t k = 0; ok && k < spx_transform_size(full); k++) {
      const uint32_t *idx;
      uint32_t d;
      double val;
      spx_transform_entry(full, k, &idx, &d, &val);
      int found;
      spx_transform_get(part, idx, d, &found);
      ok = d == 2 || found;
    }
    spx_test(ok, "MSR %s order 2, orders <= 1 only: the full estimate's order-0/1 entries",
             spx_index_name(ix));
    spx_transform_destroy(&full);
    spx_transform_destroy(&part);
  }
  spx_transform *res[3] = {NULL, NULL, NULL};
  const char *corr[3] = {"auto", "msr", "none"};
  for (int k = 0; k < 3 && rc == SPX_OK; k++) {
    spx_options *o = spx_options_create("t");
    spx_options_put(o, "correction", SPX_OPT_STRING, corr[k], NULL, NULL);
    spx_proxyshap_config cfg;
    spx_proxyshap_info info;
    rc = spx_proxyshap_read_options(o, n, &cfg, &err);
    if (rc == SPX_OK)
      rc = spx_proxyshap_fit(co.masks, co.ln_adjust, v, &cfg, 5, &res[k], NULL, &info, &err);
    if (k == 0) spx_test(rc == SPX_OK && info.msr_order == 1, "auto at n = 130, N = 2000: MSR on "
                         "order 1 (got %u)", info.msr_order);
    spx_options_destroy(&o);
  }
  int ok = rc == SPX_OK, differs1 = 0, differs2 = 0;
  for (size_t k = 0; ok && k < spx_transform_size(res[0]); k++) {
    const uint32_t *idx;
    uint32_t d;
    double val;
    spx_transform_entry(res[0], k, &idx, &d, &val);
    double want = spx_transform_get(res[d <= 1 ? 1 : 2], idx, d, NULL);
    double other = spx_transform_get(res[d <= 1 ? 2 : 1], idx, d, NULL);
    ok = val == want;
    if (d == 1) differs1 |= val != other;
    if (d == 2) differs2 |= val != other;
  }
  spx_test(ok && differs1 && differs2,
           "auto = msr's order-1 and none's order-2 entries, bit for bit (and both differ)");
  for (int k = 0; k < 3; k++) spx_transform_destroy(&res[k]);
  spx_transform_destroy(&g.moebius);
  spx_baseline_coalitions_free(&co);
  free(v);
}

static void test_method_full_budget(gsl_rng *r) {
  const unsigned n = 8;
  game g = make_game(n, r);
  for (size_t i = 0; i < N_MSR; i++) {
    spx_index ix = msr_indices[i];
    unsigned omax = (ix == SPX_INDEX_SV || ix == SPX_INDEX_BV) ? 1 : 3;
    for (unsigned order = 1; order <= omax; order++) {
      spx_transform *got = NULL, *want = NULL;
      spx_error err;
      int rc = run(&g, (size_t)1 << n, spx_index_name(ix), order, "msr", &got, &err);
      if (rc) printf("  %s\n", err.msg);
      spx_moebius_to_index(g.moebius, ix, order, &want, NULL);
      double scale = 0, worst = rc ? INFINITY : max_diff(got, want, &scale);
      spx_test(rc == SPX_OK && spx_transform_basis(got) == SPX_BASIS_MOEBIUS &&
                   worst <= 1e-9 && scale > 0.1,
               "proxyshap + msr at budget 2^%u = exact %s order %u (err %.3g)", n,
               spx_index_name(ix), order, worst);
      spx_transform_destroy(&got);
      spx_transform_destroy(&want);
    }
  }
  spx_transform_destroy(&g.moebius);
}

static void test_no_correction(gsl_rng *r) {
  const unsigned n = 10;
  /* v = 2 x0 x1 - x2 + 1.5 x3 x4 x5 + 0.5 x6: trees fit it exactly */
  game g = {n, spx_transform_create(n, SPX_BASIS_MOEBIUS)};
  spx_transform_set(g.moebius, (uint32_t[]){0, 1}, 2, 2.0, NULL);
  spx_transform_set(g.moebius, (uint32_t[]){2}, 1, -1.0, NULL);
  spx_transform_set(g.moebius, (uint32_t[]){3, 4, 5}, 3, 1.5, NULL);
  spx_transform_set(g.moebius, (uint32_t[]){6}, 1, 0.5, NULL);
  spx_transform_set(g.moebius, NULL, 0, 0.25, NULL);
  double w[11];
  for (unsigned k = 0; k <= n; k++) w[k] = 1.0;
  spx_baseline_coalitions co;
  spx_error err;
  spx_baseline_coalitions_sample(n, 400, w, 1, r, &co, &err);
  double *v = malloc(co.masks->count * sizeof *v);
  spx_transform_predict(g.moebius, co.masks, v, NULL);
  spx_options *o = spx_options_create("test");
  spx_options_put(o, "correction", SPX_OPT_STRING, "none", NULL, NULL);
  spx_proxyshap_config cfg;
  int rc = spx_proxyshap_read_options(o, n, &cfg, &err);
  spx_transform *got = NULL, *proxy = NULL, *want = NULL;
  spx_tree_ensemble *e = NULL;
  spx_proxyshap_info info;
  if (rc == SPX_OK)
    rc = spx_proxyshap_fit(co.masks, co.ln_adjust, v, &cfg, 3, &got, &e, &info, &err);
  if (rc == SPX_OK) rc = spx_tree_ensemble_index(e, SPX_INDEX_SII, 2, &proxy, &err);
  if (!spx_test(rc == SPX_OK, "proxyshap without correction runs")) {
    printf("  %s\n", err.msg);
  } else {
    /* result = readout + (v(∅) - proxy(∅)) at the empty set */
    uint64_t zero = 0;
    uint32_t none[1] = {0};
    spx_transform_add(proxy, none, 0, v[0] - spx_tree_ensemble_predict(e, &zero), NULL);
    double scale, worst = max_diff(got, proxy, &scale);
    spx_test(worst <= 1e-12 * scale, "correction none = the proxy's tree readout (err %.3g)",
             worst);
    spx_moebius_to_index(g.moebius, SPX_INDEX_SII, 2, &want, NULL);
    worst = max_diff(got, want, &scale);
    spx_test(info.proxy_r2 > 0.99 && worst < 0.05,
             "a tree-shaped game: proxy R2 %.4f, SII within 0.05 of the truth (err %.3g)",
             info.proxy_r2, worst);
  }
  spx_options_destroy(&o);
  spx_transform_destroy(&got);
  spx_transform_destroy(&proxy);
  spx_transform_destroy(&want);
  spx_tree_ensemble_destroy(&e);
  spx_baseline_coalitions_free(&co);
  spx_transform_destroy(&g.moebius);
  free(v);
}

static void test_options(void) {
  struct {
    const char *key, *value, *want;
  } bad[] = {{"index", "fsii", "correction"}, {"index", "shapley", "index"}};
  for (size_t i = 0; i < 2; i++) {
    spx_options *o = spx_options_create("[[method]] #1");
    spx_options_put(o, bad[i].key, SPX_OPT_STRING, bad[i].value, NULL, NULL);
    if (i == 0) spx_options_put(o, "correction", SPX_OPT_STRING, "msr", NULL, NULL);
    spx_proxyshap_config cfg;
    spx_error err;
    int rc = spx_proxyshap_read_options(o, 8, &cfg, &err);
    spx_test(rc == SPX_EINVAL && strstr(err.msg, bad[i].want), "bad %s = %s rejected: %s",
             bad[i].key, bad[i].value, err.msg);
    spx_options_destroy(&o);
  }
  spx_options *o = spx_options_create("[[method]] #1");
  spx_options_put(o, "index", SPX_OPT_STRING, "sv", NULL, NULL);
  spx_options_put(o, "order", SPX_OPT_INT, "2", NULL, NULL);
  spx_proxyshap_config cfg;
  spx_error err;
  spx_test(spx_proxyshap_read_options(o, 8, &cfg, &err) == SPX_EINVAL && strstr(err.msg, "order"),
           "sv with order 2 rejected: %s", err.msg);
  spx_options_destroy(&o);
  o = spx_options_create("[[method]] #1");
  spx_options_put(o, "index", SPX_OPT_STRING, "fbii", NULL, NULL);
  spx_test(spx_proxyshap_read_options(o, 8, &cfg, &err) == SPX_OK && cfg.correction == 0 &&
               cfg.order == 2 && cfg.trees == 100 && cfg.max_depth == 6 && cfg.eta == 0.3 &&
               cfg.pairing == 1,
           "fbii defaults: no correction, order 2, XGBoost 100 trees depth 6 eta 0.3, paired");
  spx_options_destroy(&o);
  /* the screening / search row settings default to ProxySPEX's search defaults */
  spx_proxy_search_config want;
  spx_proxy_search_defaults(&want, SPX_HPO_FAST, 5);
  o = spx_options_create("[[method]] #1");
  int rc = spx_proxyshap_read_options(o, 8, &cfg, &err);
  spx_test(rc == SPX_OK && cfg.fit_rows == 0 && cfg.search.screen_trees == want.screen_trees &&
               cfg.search.screen_rows == want.screen_rows &&
               cfg.search.search_rows == want.search_rows,
           "fit_rows 0, screen_trees %zu, screen_rows %zu, search_rows %zu by default",
           cfg.search.screen_trees, cfg.search.screen_rows, cfg.search.search_rows);
  spx_options_destroy(&o);
  /* hpo = fast: session 5's speed search (ProxySPEX's session-6 eta, merged rows and reused
   * model are ProxySPEX's alone) */
  o = spx_options_create("[[method]] #1");
  spx_options_put(o, "hpo", SPX_OPT_STRING, "fast", NULL, NULL);
  rc = spx_proxyshap_read_options(o, 8, &cfg, &err);
  spx_test(rc == SPX_OK && cfg.search.speed_eta == 0.3 && cfg.search.merge_rows == 0 &&
               cfg.search.reuse_search == 0 && cfg.search.reuse_fallback == 0,
           "hpo = fast: speed_eta 0.3 (got %g), merge_rows, reuse_search, reuse_fallback off",
           cfg.search.speed_eta);
  spx_options_destroy(&o);
  o = spx_options_create("[[method]] #1");
  spx_options_put(o, "screen_trees", SPX_OPT_INT, "50", NULL, NULL);
  spx_options_put(o, "screen_rows", SPX_OPT_INT, "8000", NULL, NULL);
  spx_options_put(o, "search_rows", SPX_OPT_INT, "0", NULL, NULL);
  spx_options_put(o, "fit_rows", SPX_OPT_INT, "5000", NULL, NULL);
  rc = spx_proxyshap_read_options(o, 8, &cfg, &err);
  spx_test(rc == SPX_OK && cfg.fit_rows == 5000 && cfg.search.screen_trees == 50 &&
               cfg.search.screen_rows == 8000 && cfg.search.search_rows == 0,
           "screen_trees, screen_rows, search_rows, fit_rows read");
  spx_options_destroy(&o);
  o = spx_options_create("[[method]] #1");
  spx_options_put(o, "screen_trees", SPX_OPT_INT, "0", NULL, NULL);
  rc = spx_proxyshap_read_options(o, 8, &cfg, &err);
  spx_test(rc != SPX_OK && strstr(err.msg, "screen_trees"), "screen_trees = 0 rejected: %s",
           err.msg);
  spx_options_destroy(&o);
}

int main(void) {
  gsl_rng *r = spx_rng_stream(31, 7, 0, 0, 0);
  test_options();
  test_msr_exact(r);
  test_msr_paths_agree(r);
  test_method_full_budget(r);
  test_no_correction(r);
  gsl_rng *r6 = spx_rng_stream(31, 7, 6, 0, 0); /* session 6's tests: their own draws */
  test_msr_auto(r6);
  test_msr_add(r6);
  test_fit_rows(r6);
  test_plan();
  test_partial_msr(r6);
  gsl_rng_free(r6);
  gsl_rng_free(r);
  return spx_test_summary();
}
