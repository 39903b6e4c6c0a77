/* test_spex.c: SPEX end to end against ground truth: masks and delay rows against their
 * definitions, the bin aliasing identity, exact noiseless recovery (hard and soft decoders,
 * n = 10 .. 10^4), faithfulness under noise against the noise ceiling, refinement against an
 * explicit least-squares fit (GSL), determinism, rounds (whole rows and parts of a row), the
 * design at m = 18..20 against its definition, n = 10^6 end to end, applicability and option
 * errors. */
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "core/mask.h"
#include "core/metrics.h"
#include "core/options.h"
#include "core/rng.h"
#include "core/wht.h"
#include "methods/method.h"
#include "methods/spex/spex_internal.h"
#include "testing.h"

/* A random Fourier-sparse function: s interactions of uniform degree 1..maxdeg on distinct
 * supports, |F| ~ U[0.5, 1] with random sign, plus a constant of the same law. */
static spx_transform *random_function(gsl_rng *r, size_t n, size_t s, unsigned maxdeg) {
  spx_transform *f = spx_transform_create((uint32_t)n, SPX_BASIS_FOURIER);
  double c = (0.5 + 0.5 * gsl_rng_uniform(r)) * (gsl_rng_uniform(r) < 0.5 ? -1 : 1);
  uint32_t none = 0;
  spx_transform_set(f, &none, 0, c, NULL);
  while (spx_transform_size(f) < s + 1) {
    unsigned deg = 1 + (unsigned)gsl_rng_uniform_int(r, maxdeg);
    if (deg > n) deg = (unsigned)n;
    uint32_t idx[16];
    for (unsigned i = 0; i < deg;) {
      uint32_t v = (uint32_t)gsl_rng_uniform_int(r, n);
      unsigned j = 0;
      while (j < i && idx[j] != v) j++;
      if (j == i) idx[i++] = v;
    }
    int found;
    spx_transform_get(f, idx, deg, &found);
    if (found) continue;
    double v = (0.5 + 0.5 * gsl_rng_uniform(r)) * (gsl_rng_uniform(r) < 0.5 ? -1 : 1);
    spx_transform_set(f, idx, deg, v, NULL);
  }
  return f;
}

typedef struct {
  const spx_transform *truth;
  gsl_rng *noise; /* NULL: noiseless */
  double sigma;
  spx_maskset *copy; /* if not NULL, every evaluated mask is appended */
} eval_ctx;

static int eval_fn(void *vctx, const spx_maskset *masks, double *values, spx_error *err) {
  eval_ctx *ctx = vctx;
  int rc = spx_transform_predict(ctx->truth, masks, values, err);
  if (rc) return rc;
  if (ctx->noise)
    for (size_t i = 0; i < masks->count; i++) values[i] += gsl_ran_gaussian(ctx->noise, ctx->sigma);
  if (ctx->copy)
    for (size_t i = 0; i < masks->count; i++)
      if ((rc = spx_maskset_append(ctx->copy, spx_maskset_row(masks, i), err))) return rc;
  return SPX_OK;
}

static spx_options *make_opts(const char *const *kv) {
  spx_options *o = spx_options_create("test");
  for (size_t i = 0; kv && kv[i]; i += 2) spx_options_put(o, kv[i], SPX_OPT_TEXT, kv[i + 1], NULL, NULL);
  return o;
}

/* Budget of exactly C (p+1) 2^b for n, t = 5, C = 3. */
static size_t exact_budget(size_t n, unsigned b) {
  unsigned m;
  uint32_t nc, kc;
  spx_bch_params(n, 5, &m, &nc, &kc, NULL);
  return spx_spex_queries(3, nc - kc, b);
}

static int run(const char *method, size_t n, size_t budget, const char *const *kv,
               uint64_t seed, eval_ctx *ctx, spx_transform **out, spx_method_stats *st,
               spx_error *err) {
  spx_options *o = make_opts(kv);
  gsl_rng *r = spx_rng_stream(seed, 7, 0, 0, 0);
  int rc = spx_method_run(method, n, budget, o, r, eval_fn, ctx, out, st, err);
  gsl_rng_free(r);
  spx_options_destroy(&o);
  return rc;
}

/* Largest relative coefficient error over the truth, and the largest spurious value. */
static void compare(const spx_transform *truth, const spx_transform *got, double *relerr,
                    double *spurious) {
  *relerr = 0;
  *spurious = 0;
  for (size_t e = 0; e < spx_transform_size(truth); e++) {
    const uint32_t *idx;
    uint32_t deg;
    double v;
    spx_transform_entry(truth, e, &idx, &deg, &v);
    double g = spx_transform_get(got, idx, deg, NULL);
    double rel = fabs(g - v) / fabs(v);
    if (rel > *relerr) *relerr = rel;
  }
  for (size_t e = 0; e < spx_transform_size(got); e++) {
    const uint32_t *idx;
    uint32_t deg;
    double v;
    spx_transform_entry(got, e, &idx, &deg, &v);
    int found;
    spx_transform_get(truth, idx, deg, &found);
    if (!found && fabs(v) > *spurious) *spurious = fabs(v);
  }
}

/* Masks equal (M_c l + D[r]) mod 2 bit by bit, D rows give the BCH parity of any k, and the
 * normalised WHT of each row satisfies U_{c,r}[j] = sum_{k: M_c^T k = j} F(k) s_r(k). */
static void test_design_identity(gsl_rng *r) {
  size_t n = 37;
  unsigned b = 5, t = 3, C = 3;
  spx_spex_design *d = spx_spex_design_create(n, t, b, C, r, NULL);
  size_t nb = (size_t)1 << b, P1 = (size_t)d->p + 1, W = d->words;
  uint64_t *masks = malloc(nb * W * sizeof *masks);
  int ok_mask = 1, ok_delay = 1;
  for (size_t q = 0; q < C * P1; q++) {
    spx_spex_design_masks(d, q, masks);
    unsigned c = (unsigned)(q / P1);
    size_t rr = q % P1;
    for (size_t z = 0; z < nb; z++)
      for (size_t i = 0; i < n; i++) {
        unsigned bit = (unsigned)__builtin_parity(d->hash[c * n + i] & (uint32_t)z);
        if (rr > 0) bit ^= (unsigned)spx_parity_bit(&d->code->col[i], (unsigned)rr - 1);
        ok_mask &= spx_mask_test(masks + z * W, i) == (int)bit;
      }
  }
  for (int trial = 0; trial < 50; trial++) {
    uint32_t k[3] = {(uint32_t)gsl_rng_uniform_int(r, n), 0, 0};
    unsigned deg = 1;
    spx_parity par;
    spx_bch_encode(d->code, k, deg, &par);
    uint64_t km[1] = {(uint64_t)1 << k[0]};
    for (uint32_t rr = 1; rr <= d->p; rr++)
      ok_delay &= spx_mask_and_parity(d->delays + rr * W, km, W) == spx_parity_bit(&par, rr - 1);
  }
  spx_test(ok_mask, "masks equal (M_c l + D[r]) mod 2 for every group, delay and l");
  spx_test(ok_delay, "<D[r], k> is parity bit r-1 of k's BCH codeword");

  spx_transform *F = random_function(r, n, 40, 3);
  spx_spex_bins *bins = spx_spex_bins_create(d, NULL);
  spx_wht_plan *plan = spx_wht_plan_create(b, NULL);
  double *work = malloc(nb * sizeof *work), *vals = malloc(nb * sizeof *vals);
  spx_maskset *ms = spx_maskset_create(n, nb);
  for (size_t q = 0; q < C * P1; q++) {
    spx_spex_design_masks(d, q, ms->bits);
    spx_transform_predict(F, ms, vals, NULL);
    spx_spex_bins_add_row(d, bins, q, vals, plan, work);
  }
  double *want = calloc(bins->count, sizeof *want);
  double sig[SPX_BCH_PMAX + 1];
  for (size_t e = 0; e < spx_transform_size(F); e++) {
    const uint32_t *idx;
    uint32_t deg;
    double v;
    spx_transform_entry(F, e, &idx, &deg, &v);
    spx_parity par;
    spx_bch_encode(d->code, idx, deg, &par);
    for (unsigned c = 0; c < C; c++) {
      uint32_t j = spx_spex_hash(d, c, idx, deg);
      for (size_t rr = 0; rr < P1; rr++) {
        sig[rr] = rr == 0 ? 1.0 : (spx_parity_bit(&par, (unsigned)rr - 1) ? -1.0 : 1.0);
        want[((c << b) + j) * P1 + rr] += v * sig[rr];
      }
    }
  }
  double maxerr = 0;
  for (size_t i = 0; i < bins->count; i++)
    if (fabs(bins->U[i] - want[i]) > maxerr) maxerr = fabs(bins->U[i] - want[i]);
  /* values are sums of 41 terms of size <= 1; 2^b-point WHT: error a few hundred ulps */
  spx_test(maxerr < 1e-12, "bin identity U_{c,r}[j] = sum_{M^T k = j} F(k) s_r(k) (max err %.2g)",
           maxerr);
  free(want);
  free(work);
  free(vals);
  free(masks);
  spx_maskset_destroy(&ms);
  spx_wht_plan_destroy(&plan);
  spx_spex_bins_destroy(&bins);
  spx_transform_destroy(&F);
  spx_spex_design_destroy(&d);
}

static void noiseless_case(gsl_rng *r, size_t n, size_t s, unsigned b, uint64_t seed) {
  static const char *const methods[] = {"spex_hard", "spex"};
  spx_transform *F = random_function(r, n, s, 5);
  for (int m = 0; m < 2; m++) {
    eval_ctx ctx = {F, NULL, 0, NULL};
    spx_transform *got = NULL;
    spx_method_stats st;
    spx_error err;
    size_t budget = exact_budget(n, b) + 100;
    char bs[8];
    snprintf(bs, sizeof bs, "%u", b);
    const char *kv[] = {"b", bs, NULL};
    int rc = run(methods[m], n, budget, kv, seed, &ctx, &got, &st, &err);
    if (!spx_test(rc == 0, "%s n=%zu runs (%s)", methods[m], n, rc ? err.msg : "")) continue;
    double relerr, spurious;
    compare(F, got, &relerr, &spurious);
    /* Noiseless: peeling stops only when every bin is a zeroton, i.e. its energy per delay
     * is below zero_tol = 1e-24 of the signal variance (or the rounding guard), so
     * coefficient errors are below ~1e-12 of the signal's standard deviation (~10 here) while
     * |F| >= 0.5: 1e-9 relative leaves a wide margin. */
    spx_test(relerr < 1e-9, "%s n=%zu s=%zu b=%u: every coefficient exact (max rel err %.2g)",
             methods[m], n, s, b, relerr);
    spx_test(spurious < 1e-9, "%s n=%zu s=%zu b=%u: no spurious coefficient (largest %.2g)",
             methods[m], n, s, b, spurious);
    spx_test_int((long long)st.queries, (long long)exact_budget(n, b),
                 "%s n=%zu: queries used = 3 (p+1) 2^b (budget %zu)", methods[m], n, budget);
    spx_transform_destroy(&got);
  }
  spx_transform_destroy(&F);
}

static void test_noiseless(gsl_rng *r) {
  static const size_t ns[] = {10, 100, 1000, 10000};
  for (size_t a = 0; a < 4; a++) noiseless_case(r, ns[a], 30, 7, 11 + a);
  /* heavier load: 100 terms over 64 bins per group, multitons everywhere at first */
  noiseless_case(r, 1000, 100, 6, 17);
  /* the smallest case: n = 2, every one of the 3 non-empty interactions present */
  noiseless_case(r, 2, 3, 3, 19);
}

/* With noise of a given SNR, the best possible R² against noisy held-out values is the
 * ceiling 1 / (1 + 10^(-snr/10)). */
static void test_noise(gsl_rng *r) {
  size_t n = 100, s = 20, ntest = 4000;
  unsigned b = 8;
  spx_transform *F = random_function(r, n, s, 4);
  /* signal variance = sum of the squared non-constant coefficients */
  double var = 0;
  for (size_t e = 0; e < spx_transform_size(F); e++) {
    const uint32_t *idx;
    uint32_t deg;
    double v;
    spx_transform_entry(F, e, &idx, &deg, &v);
    if (deg) var += v * v;
  }
  spx_maskset *test = spx_maskset_create(n, ntest);
  for (size_t i = 0; i < ntest; i++)
    for (size_t j = 0; j < n; j++)
      if (gsl_rng_uniform(r) < 0.5) spx_mask_set(spx_maskset_row(test, i), j);
  double *y = malloc(ntest * sizeof *y), *yhat = malloc(ntest * sizeof *yhat);
  static const double snrs[] = {10, 20};
  static const char *const refine[] = {"none", "ridge", "lasso"};
  for (int si = 0; si < 2; si++) {
    double sigma = sqrt(var * pow(10, -snrs[si] / 10));
    spx_transform_predict(F, test, y, NULL);
    gsl_rng *nr = spx_rng_stream(99, si, 0, 0, 0);
    for (size_t i = 0; i < ntest; i++) y[i] += gsl_ran_gaussian(nr, sigma);
    double ceiling = 1.0 / (1.0 + pow(10, -snrs[si] / 10));
    for (int dec = 0; dec < 2; dec++)
      for (int rf = 0; rf < 3; rf++) {
        if (dec == 0 && rf > 0) continue;
        eval_ctx ctx = {F, nr, sigma, NULL};
        const char *kv[] = {"b", "8", "refine", refine[rf], NULL};
        spx_transform *got = NULL;
        spx_method_stats st;
        spx_error err;
        int rc = run(dec ? "spex" : "spex_hard", n, exact_budget(n, b), kv, 5, &ctx, &got, &st,
                     &err);
        if (!spx_test(rc == 0, "noisy run (%s)", rc ? err.msg : "")) continue;
        spx_transform_predict(got, test, yhat, NULL);
        double r2 = spx_r2(y, yhat, ntest);
        /* Tolerance 0.02: estimating the s+1 coefficients from 3 (p+1) 2^b noisy samples costs
         * about (s+1) sigma^2 / (p+1) 2^b ~ 2e-3 of the noise variance; the R² of 4000
         * held-out points fluctuates by about sqrt(2/4000) (1 - ceiling) < 3e-3. Missing one
         * coefficient would cost about 1/s = 0.05 of the variance, so 0.02 still catches it. */
        spx_test(r2 > ceiling - 0.02 && r2 < ceiling + 0.01,
                 "%s refine=%s SNR %.0f dB: R² %.4f vs ceiling %.4f", dec ? "soft" : "hard",
                 refine[rf], snrs[si], r2, ceiling);
        spx_transform_destroy(&got);
      }
    gsl_rng_free(nr);
  }
  free(y);
  free(yhat);
  spx_maskset_destroy(&test);
  spx_transform_destroy(&F);
}

/* Ridge refinement with a fixed tiny penalty equals ordinary least squares of the queried
 * values on the support columns, computed here explicitly from the masks with GSL's QR. */
static void test_refine_vs_ols(gsl_rng *r) {
  size_t n = 12;
  unsigned b = 4;
  spx_transform *F = random_function(r, n, 6, 3);
  spx_maskset *all = spx_maskset_create(n, 0);
  gsl_rng *nr = spx_rng_stream(3, 0, 0, 0, 0);
  eval_ctx ctx = {F, nr, 0.3, all};
  const char *kv[] = {"b", "4", "refine", "ridge", "refine_alpha", "1e-12", NULL};
  spx_transform *got = NULL;
  spx_method_stats st;
  spx_error err;
  int rc = run("spex", n, exact_budget(n, b), kv, 21, &ctx, &got, &st, &err);
  spx_test(rc == 0, "refined run (%s)", rc ? err.msg : "");
  /* Recompute the same noisy values: rerun the noise stream in the same order. */
  gsl_rng_free(nr);
  nr = spx_rng_stream(3, 0, 0, 0, 0);
  size_t N = all->count, K = spx_transform_size(got);
  double *y = malloc(N * sizeof *y);
  spx_transform_predict(F, all, y, NULL);
  for (size_t i = 0; i < N; i++) y[i] += gsl_ran_gaussian(nr, 0.3);
  gsl_matrix *X = gsl_matrix_alloc(N, K);
  gsl_vector *yv = gsl_vector_alloc(N), *beta = gsl_vector_alloc(K), *res = gsl_vector_alloc(N);
  gsl_vector *tau = gsl_vector_alloc(K);
  for (size_t i = 0; i < N; i++) {
    gsl_vector_set(yv, i, y[i]);
    for (size_t e = 0; e < K; e++) {
      const uint32_t *idx;
      uint32_t deg;
      double v;
      spx_transform_entry(got, e, &idx, &deg, &v);
      unsigned par = 0;
      for (uint32_t q = 0; q < deg; q++) par ^= (unsigned)spx_mask_test(spx_maskset_row(all, i), idx[q]);
      gsl_matrix_set(X, i, e, par ? -1.0 : 1.0);
    }
  }
  gsl_linalg_QR_decomp(X, tau);
  gsl_linalg_QR_lssolve(X, tau, yv, beta, res);
  double maxdiff = 0;
  for (size_t e = 0; e < K; e++) {
    const uint32_t *idx;
    uint32_t deg;
    double v;
    spx_transform_entry(got, e, &idx, &deg, &v);
    double dlt = fabs(v - gsl_vector_get(beta, e));
    if (dlt > maxdiff) maxdiff = dlt;
  }
  spx_test(K >= n + 1, "refined support holds the constant and all %zu first-order terms (%zu)", n,
           K);
  /* alpha = 1e-12 shrinks by a factor 1/(1 + 1e-12); the coordinate descent stops when no
   * coefficient moves by more than 1e-9 sd; the columns are nearly orthogonal, so the
   * remaining error is of that order. */
  spx_test(maxdiff < 1e-7, "ridge refit (alpha 1e-12) equals explicit OLS on %zu samples x %zu "
           "columns (max diff %.2g)", N, K, maxdiff);
  gsl_matrix_free(X);
  gsl_vector_free(yv);
  gsl_vector_free(beta);
  gsl_vector_free(res);
  gsl_vector_free(tau);
  free(y);
  gsl_rng_free(nr);
  spx_maskset_destroy(&all);
  spx_transform_destroy(&got);
  spx_transform_destroy(&F);
}

static int same_transform(const spx_transform *a, const spx_transform *b) {
  if (spx_transform_size(a) != spx_transform_size(b)) return 0;
  for (size_t e = 0; e < spx_transform_size(a); e++) {
    const uint32_t *idx;
    uint32_t deg;
    double v;
    spx_transform_entry(a, e, &idx, &deg, &v);
    int found;
    if (spx_transform_get(b, idx, deg, &found) != v || !found) return 0;
  }
  return 1;
}

/* Same seed: same masks and same result; several rounds give the same as one round. */
static void test_determinism(gsl_rng *r) {
  size_t n = 300;
  spx_transform *F = random_function(r, n, 25, 5);
  spx_maskset *m1 = spx_maskset_create(n, 0), *m2 = spx_maskset_create(n, 0),
              *m3 = spx_maskset_create(n, 0);
  eval_ctx c1 = {F, NULL, 0, m1}, c2 = {F, NULL, 0, m2}, c3 = {F, NULL, 0, m3};
  spx_transform *g1 = NULL, *g2 = NULL, *g3 = NULL, *g4 = NULL;
  spx_method_stats s1, s2, s3, s4;
  const char *kv[] = {"b", "6", NULL};
  const char *kv_rounds[] = {"b", "6", "round_mb", "1", NULL};
  size_t budget = exact_budget(n, 6);
  run("spex", n, budget, kv, 42, &c1, &g1, &s1, NULL);
  run("spex", n, budget, kv, 42, &c2, &g2, &s2, NULL);
  run("spex", n, budget, kv_rounds, 42, &c3, &g3, &s3, NULL);
  spx_maskset *m4 = spx_maskset_create(n, 0);
  eval_ctx c4 = {F, NULL, 0, m4};
  run("spex", n, budget, kv, 43, &c4, &g4, &s4, NULL);
  spx_test(m1->count == m2->count && m1->count > 0 &&
               memcmp(m1->bits, m2->bits, m1->count * m1->words * 8) == 0,
           "same seed: identical masks (%zu)", m1->count);
  spx_test(g1 && g2 && same_transform(g1, g2) && same_transform(g2, g1),
           "same seed: identical transform");
  spx_test(s3.rounds >= 1 && m3->count == m1->count &&
               memcmp(m1->bits, m3->bits, m1->count * m1->words * 8) == 0 && same_transform(g1, g3),
           "round_mb does not change masks or result");
  spx_test(m4->count == m1->count && memcmp(m1->bits, m4->bits, m1->count * m1->words * 8) != 0,
           "another seed draws other masks");
  double relerr, spurious;
  compare(F, g4, &relerr, &spurious);
  spx_test(relerr < 1e-9, "another seed also recovers exactly (%.2g)", relerr);
  spx_transform_destroy(&g1);
  spx_transform_destroy(&g2);
  spx_transform_destroy(&g3);
  spx_transform_destroy(&g4);
  spx_maskset_destroy(&m1);
  spx_maskset_destroy(&m2);
  spx_maskset_destroy(&m3);
  spx_maskset_destroy(&m4);

  /* Many rounds: n = 20000, b = 7: one design row of masks is 128 x 313 words = 313 KB, so
   * round_mb = 1 gives 3 rows per round. */
  n = 20000;
  F = (spx_transform_destroy(&F), random_function(r, n, 20, 5));
  eval_ctx ca = {F, NULL, 0, NULL}, cb = {F, NULL, 0, NULL};
  spx_transform *ga = NULL, *gb = NULL;
  spx_method_stats sa, sb;
  const char *one[] = {"b", "7", "round_mb", "1024", NULL}, *many[] = {"b", "7", "round_mb", "1", NULL};
  budget = exact_budget(n, 7);
  run("spex_hard", n, budget, one, 8, &ca, &ga, &sa, NULL);
  run("spex_hard", n, budget, many, 8, &cb, &gb, &sb, NULL);
  spx_test(sa.rounds == 1 && sb.rounds > 10 && sa.queries == sb.queries,
           "n = 20000: one round vs %zu rounds, same number of queries", sb.rounds);
  spx_test(ga && gb && same_transform(ga, gb), "rounds give the identical transform");
  compare(F, gb, &relerr, &spurious);
  spx_test(relerr < 1e-9, "n = 20000 in rounds recovers exactly (%.2g)", relerr);
  spx_transform_destroy(&ga);
  spx_transform_destroy(&gb);
  spx_transform_destroy(&F);
}

/* Rounds of part of a design row (round_masks below 2^b): the same masks in the same order and
 * the identical transform as whole rows, for 1, 4 and 32 masks per round at b = 6. */
static void test_chunked_rounds(gsl_rng *r) {
  size_t n = 500;
  spx_transform *F = random_function(r, n, 30, 5);
  size_t budget = exact_budget(n, 6);
  spx_maskset *ref = spx_maskset_create(n, 0);
  eval_ctx c0 = {F, NULL, 0, ref};
  spx_transform *g0 = NULL;
  spx_method_stats s0;
  const char *whole[] = {"b", "6", NULL};
  run("spex", n, budget, whole, 5, &c0, &g0, &s0, NULL);
  static const char *const sizes[] = {"1", "4", "32"};
  for (int i = 0; i < 3; i++) {
    spx_maskset *got = spx_maskset_create(n, 0);
    eval_ctx c = {F, NULL, 0, got};
    spx_transform *g = NULL;
    spx_method_stats st;
    const char *kv[] = {"b", "6", "round_masks", sizes[i], NULL};
    spx_error err;
    int rc = run("spex", n, budget, kv, 5, &c, &g, &st, &err);
    size_t per = (size_t)atoi(sizes[i]);
    spx_test(rc == 0 && st.rounds == s0.queries / per && st.queries == s0.queries &&
                 got->count == ref->count &&
                 memcmp(got->bits, ref->bits, ref->count * ref->words * 8) == 0,
             "round_masks = %s: %zu rounds, the same %zu masks in the same order (%s)", sizes[i],
             st.rounds, ref->count, rc ? err.msg : "");
    spx_test(g && g0 && same_transform(g, g0) && same_transform(g0, g),
             "round_masks = %s: the identical transform", sizes[i]);
    spx_transform_destroy(&g);
    spx_maskset_destroy(&got);
  }
  double relerr, spurious;
  compare(F, g0, &relerr, &spurious);
  spx_test(relerr < 1e-9, "n = 500 recovered exactly (%.2g)", relerr);
  spx_transform_destroy(&g0);
  spx_maskset_destroy(&ref);
  spx_transform_destroy(&F);
}

/* The design at m = 18, 19, 20 (n = 130987, 262054, 10^6; t = 5, b = 2): every mask bit of
 * sampled design rows against (M_c l + D[r]) mod 2 computed bit by bit, partial rows
 * (spx_spex_design_masks_range) against whole rows, and <D[r], k> = parity bit r-1. */
static void test_large_design(gsl_rng *r) {
  static const size_t ns[] = {130987, 262054, 1000000};
  for (unsigned a = 0; a < 3; a++) {
    size_t n = ns[a];
    unsigned b = 2, C = 3;
    spx_spex_design *d = spx_spex_design_create(n, 5, b, C, r, NULL);
    if (!spx_test(d != NULL && d->code->m == 18 + a && d->p == 5 * (18 + a),
                  "design n = %zu over GF(2^%u), p = %u", n, 18 + a, d ? d->p : 0))
      continue;
    size_t nb = (size_t)1 << b, P1 = (size_t)d->p + 1, W = d->words;
    uint64_t *masks = malloc(nb * W * sizeof *masks), *part = malloc(2 * W * sizeof *part);
    int ok_mask = 1, ok_part = 1;
    for (int sample = 0; sample < 8; sample++) {
      size_t q = sample == 0 ? 0 : (sample == 1 ? C * P1 - 1 : gsl_rng_uniform_int(r, C * P1));
      spx_spex_design_masks(d, q, masks);
      unsigned c = (unsigned)(q / P1);
      size_t rr = q % P1;
      for (size_t z = 0; z < nb; z++)
        for (size_t i = 0; i < n; i++) {
          unsigned bit = (unsigned)__builtin_parity(d->hash[c * n + i] & (uint32_t)z);
          if (rr > 0) bit ^= (unsigned)spx_parity_bit(&d->code->col[i], (unsigned)rr - 1);
          ok_mask &= spx_mask_test(masks + z * W, i) == (int)bit;
        }
      spx_spex_design_masks_range(d, q, 2, 2, part);
      ok_part &= memcmp(part, masks + 2 * W, 2 * W * sizeof *part) == 0;
      spx_spex_design_masks_range(d, q, 3, 1, part);
      ok_part &= memcmp(part, masks + 3 * W, W * sizeof *part) == 0;
    }
    spx_test(ok_mask, "n = %zu: every bit of 8 design rows equals (M_c l + D[r]) mod 2", n);
    spx_test(ok_part, "n = %zu: partial rows equal the whole row's masks", n);
    int ok_delay = 1;
    for (int trial = 0; trial < 20; trial++) {
      uint32_t k[5];
      unsigned deg = 1 + (unsigned)gsl_rng_uniform_int(r, 5);
      for (unsigned i = 0; i < deg; i++) k[i] = (uint32_t)gsl_rng_uniform_int(r, n);
      spx_parity par;
      spx_bch_encode(d->code, k, deg, &par);
      for (uint32_t rr = 1; rr <= d->p; rr++) {
        unsigned dot = 0;
        for (unsigned i = 0; i < deg; i++) dot ^= (unsigned)spx_mask_test(d->delays + rr * W, k[i]);
        ok_delay &= (int)dot == spx_parity_bit(&par, rr - 1);
      }
    }
    spx_test(ok_delay, "n = %zu: <D[r], k> is parity bit r-1 of k's codeword", n);
    free(masks);
    free(part);
    spx_spex_design_destroy(&d);
  }
}

/* n = 10^6 end to end (m = 20): a 12-sparse function of degree <= 5 recovered exactly at
 * b = 4 in rounds of part of a row (round_masks = 8: 16 masks of 125 kB per row). */
static void test_million(gsl_rng *r) {
  size_t n = 1000000;
  spx_transform *F = random_function(r, n, 12, 5);
  eval_ctx c = {F, NULL, 0, NULL};
  spx_transform *g = NULL;
  spx_method_stats st;
  spx_error err;
  const char *kv[] = {"b", "4", "round_masks", "8", NULL};
  size_t budget = exact_budget(n, 4);
  int rc = run("spex_hard", n, budget, kv, 11, &c, &g, &st, &err);
  spx_test(rc == 0 && st.queries == 3 * 101 * 16 && st.rounds == st.queries / 8,
           "n = 10^6: %zu queries (3 x 101 x 2^4) in %zu rounds of 8 masks (%s)", st.queries,
           st.rounds, rc ? err.msg : "");
  double relerr = 1, spurious = 1;
  if (g) compare(F, g, &relerr, &spurious);
  spx_test(relerr < 1e-9 && spurious == 0 && g && spx_transform_size(g) == 13,
           "n = 10^6: 13 coefficients exact (max rel err %.2g, spurious %.2g)", relerr, spurious);
  spx_transform_destroy(&g);
  spx_transform_destroy(&F);
}

static void test_applicable_and_options(void) {
  const spx_method_type *ty = spx_method_lookup("spex");
  spx_test(ty != NULL && spx_method_lookup("spex_hard") != NULL, "spex and spex_hard registered");
  char why[512];
  spx_options *o = spx_options_create("test");
  spx_test(!spx_method_applicable(ty, 10, 100, o, why, sizeof why) && strstr(why, "too small"),
           "n=10 budget 100 not applicable: %s", why);
  spx_test(spx_method_applicable(ty, 10, 1000, o, why, sizeof why), "n=10 budget 1000 applicable");
  spx_test(spx_method_applicable(ty, 200000, 1000000, o, why, sizeof why), "n=200000 applicable (m = 18)");
  spx_test(!spx_method_applicable(ty, 2000000, 100000000, o, why, sizeof why) && strstr(why, "too large"),
           "n=2000000 not applicable: %s", why);
  spx_options_destroy(&o);
  const char *kvb[] = {"b", "8", NULL};
  o = make_opts(kvb);
  spx_test(!spx_method_applicable(ty, 10, 10000, o, why, sizeof why) && strstr(why, "b = 8"),
           "forced b = 8 with budget 10000 at n = 10 (needs 16128): %s", why);
  spx_options_destroy(&o);

  static const char *const bad[][2] = {{"decoder", "medium"}, {"t", "0"},        {"b", "99"},
                                       {"chase_depth", "-1"}, {"refine", "pca"}, {"res_energy_cutoff", "2"},
                                       {"colour", "red"}};
  spx_transform *F = spx_transform_create(10, SPX_BASIS_FOURIER);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    const char *kv[] = {bad[i][0], bad[i][1], NULL};
    eval_ctx ctx = {F, NULL, 0, NULL};
    spx_transform *got = NULL;
    spx_method_stats st;
    spx_error err;
    memset(&err, 0, sizeof err);
    int rc = run("spex", 10, 5000, kv, 1, &ctx, &got, &st, &err);
    spx_test(rc != 0 && strstr(err.msg, bad[i][0]) != NULL, "option %s = %s rejected: %s",
             bad[i][0], bad[i][1], err.msg);
    spx_transform_destroy(&got);
  }
  /* the all-zero function decodes to nothing (no division by zero anywhere) */
  eval_ctx ctx = {F, NULL, 0, NULL};
  spx_transform *got = NULL;
  spx_method_stats st;
  int rc = run("spex", 10, 5000, NULL, 1, &ctx, &got, &st, NULL);
  spx_test(rc == 0 && got && spx_transform_size(got) == 0, "zero function -> empty transform");
  spx_transform_destroy(&got);
  spx_transform_destroy(&F);
}

int main(void) {
  gsl_rng *r = spx_rng_stream(2025, 5, 0, 0, 0);
  test_design_identity(r);
  test_noiseless(r);
  test_noise(r);
  test_refine_vs_ols(r);
  test_determinism(r);
  test_chunked_rounds(r);
  test_large_design(r);
  test_million(r);
  test_applicable_and_options();
  gsl_rng_free(r);
  return spx_test_summary();
}
