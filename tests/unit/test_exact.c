/* test_exact.c: the exhaustive "exact" method. Random sparse Moebius and Fourier functions are
 * evaluated through spx_transform_predict inside the spx_method_run callback and must be
 * recovered coefficient by coefficient; dense random functions are checked against the
 * brute-force O(4^n) Fourier sum and O(3^n) Moebius sum; then applicable() reasons and option
 * errors. */
#include <gsl/gsl_rng.h>

#include "core/metrics.h"
#include "core/rng.h"
#include "methods/method.h"
#include "testing.h"

typedef struct {
  const spx_transform *truth; /* sparse truth, or NULL to use table */
  const double *table;        /* dense values indexed by the mask as an integer */
  size_t expect_next;         /* mask i must be the binary representation of i */
  int order_ok;
  size_t nan_at;              /* answer NaN for this mask (SIZE_MAX: never) */
} eval_ctx;

static int eval_cb(void *vctx, const spx_maskset *masks, double *values, spx_error *err) {
  eval_ctx *c = vctx;
  for (size_t r = 0; r < masks->count; r++) {
    uint64_t word = masks->words ? spx_maskset_row(masks, r)[0] : 0;
    if (word != c->expect_next + r) c->order_ok = 0;
  }
  int rc = SPX_OK;
  if (c->truth)
    rc = spx_transform_predict(c->truth, masks, values, err);
  else
    for (size_t r = 0; r < masks->count; r++) values[r] = c->table[c->expect_next + r];
  for (size_t r = 0; r < masks->count; r++)
    if (c->expect_next + r == c->nan_at) values[r] = NAN;
  c->expect_next += masks->count;
  return rc;
}

static spx_options *opts_with(const char *k1, spx_option_kind t1, const char *v1,
                              const char *k2, spx_option_kind t2, const char *v2) {
  spx_options *o = spx_options_create("method exact");
  if (k1) spx_options_put(o, k1, t1, v1, "test", NULL);
  if (k2) spx_options_put(o, k2, t2, v2, "test", NULL);
  return o;
}

static int run_exact(size_t n, size_t budget, spx_options *opts, eval_ctx *ctx,
                     spx_transform **out, spx_method_stats *stats, spx_error *err) {
  gsl_rng *rng = spx_rng_stream(1, 2, 3, 4, 5);
  ctx->expect_next = 0;
  ctx->order_ok = 1;
  int rc = spx_method_run("exact", n, budget, opts, rng, eval_cb, ctx, out, stats, err);
  gsl_rng_free(rng);
  return rc;
}

/* A random sparse transform: terms distinct interactions, values either dyadic k/8 with
 * 1 <= |k| <= 40 (every sum and difference is exact in double) or uniform with
 * 0.1 <= |v| <= 1. */
static spx_transform *random_sparse(gsl_rng *r, unsigned n, spx_basis basis, size_t terms,
                                    int dyadic) {
  spx_transform *t = spx_transform_create(n, basis);
  size_t cap = (size_t)1 << n;
  if (terms > cap) terms = cap;
  while (spx_transform_size(t) < terms) {
    uint64_t bits = spx_rng_u64(r) & (cap - 1);
    uint32_t idx[32], deg = 0;
    for (unsigned j = 0; j < n; j++)
      if (bits >> j & 1) idx[deg++] = j;
    double v = dyadic ? (double)(gsl_rng_uniform_int(r, 40) + 1) / 8.0
                      : 0.1 + 0.9 * gsl_rng_uniform(r);
    if (gsl_rng_uniform(r) < 0.5) v = -v;
    spx_transform_set(t, idx, deg, v, NULL);
  }
  return t;
}

/* Every truth entry is found with |est - truth| <= tol, every other estimated entry (but the
 * always-kept empty set) is absent. */
static int same_transform(const spx_transform *est, const spx_transform *truth, double tol,
                          double *maxerr) {
  int ok = spx_transform_basis(est) == spx_transform_basis(truth);
  *maxerr = 0;
  for (size_t e = 0; e < spx_transform_size(truth); e++) {
    const uint32_t *idx;
    uint32_t deg;
    double v;
    int found;
    spx_transform_entry(truth, e, &idx, &deg, &v);
    double got = spx_transform_get(est, idx, deg, &found);
    *maxerr = fmax(*maxerr, fabs(got - v));
    ok &= found && fabs(got - v) <= tol;
  }
  for (size_t e = 0; e < spx_transform_size(est); e++) {
    const uint32_t *idx;
    uint32_t deg;
    double v;
    int found;
    spx_transform_entry(est, e, &idx, &deg, &v);
    spx_transform_get(truth, idx, deg, &found);
    if (!found && deg > 0) ok = 0;
    if (!found && deg == 0) ok &= fabs(v) <= tol; /* the kept constant term */
  }
  return ok;
}

static void test_sparse_recovery(gsl_rng *r) {
  for (int basis = 0; basis < 2; basis++) {
    const char *bname = basis ? "moebius" : "fourier";
    for (unsigned n = 1; n <= 10; n++)
      for (int dyadic = 1; dyadic >= 0; dyadic--) {
        size_t terms = 1 + gsl_rng_uniform_int(r, 20);
        spx_transform *truth = random_sparse(r, n, (spx_basis)basis, terms, dyadic);
        /* Dyadic: all arithmetic is exact, so tolerance 0 must give the support exactly.
         * Continuous: values are sums of <= 20 terms of size <= 1; the n passes of the fast
         * transform add at most ~n 2^n 20 eps ~ 2.3e-11 at n = 10, so option tolerance 1e-9
         * removes roundoff and keeps every true coefficient (|v| >= 0.1); checked to 1e-10. */
        spx_options *o = opts_with("basis", SPX_OPT_STRING, bname, "tolerance", SPX_OPT_FLOAT,
                                   dyadic ? "0" : "1e-9");
        eval_ctx ctx = {truth, NULL, 0, 1, SIZE_MAX};
        spx_transform *est = NULL;
        spx_method_stats st;
        spx_error err = {0};
        int rc = run_exact(n, 0, o, &ctx, &est, &st, &err);
        double maxerr = 0;
        int ok = rc == SPX_OK && same_transform(est, truth, dyadic ? 0.0 : 1e-10, &maxerr);
        spx_test(ok && ctx.order_ok && st.queries == ((size_t)1 << n) && st.rounds == 1,
                 "%s n=%u %zu %s terms recovered (max err %.3g) %s", bname, n, terms,
                 dyadic ? "dyadic" : "continuous", maxerr, rc ? err.msg : "");
        spx_transform_destroy(&est);
        spx_transform_destroy(&truth);
        spx_options_destroy(&o);
      }
  }
  /* n = 16 (one full round of 2^16) and n = 18 (four rounds): mask order, round count and
   * recovery. */
  const unsigned big[] = {16, 18};
  for (int i = 0; i < 2; i++)
    for (int basis = 0; basis < 2; basis++) {
      unsigned n = big[i];
      spx_transform *truth = random_sparse(r, n, (spx_basis)basis, 30, 1);
      spx_options *o = opts_with("basis", SPX_OPT_STRING, basis ? "moebius" : "fourier",
                                 "max_n", SPX_OPT_INT, "18");
      eval_ctx ctx = {truth, NULL, 0, 1, SIZE_MAX};
      spx_transform *est = NULL;
      spx_method_stats st;
      spx_error err = {0};
      int rc = run_exact(n, (size_t)1 << n, o, &ctx, &est, &st, &err);
      double maxerr = 0;
      int ok = rc == SPX_OK && same_transform(est, truth, 0.0, &maxerr);
      size_t rounds = ((size_t)1 << n) >> 16;
      spx_test(ok && ctx.order_ok && st.rounds == rounds && st.queries == ((size_t)1 << n),
               "%s n=%u dyadic recovery in %zu rounds (got %zu) %s",
               basis ? "moebius" : "fourier", n, rounds, st.rounds, rc ? err.msg : "");
      spx_transform_destroy(&est);
      spx_transform_destroy(&truth);
      spx_options_destroy(&o);
    }
}

static void test_dense_brute(gsl_rng *r) {
  for (unsigned n = 0; n <= 8; n++) {
    size_t N = (size_t)1 << n;
    double *f = malloc(N * sizeof *f);
    for (size_t m = 0; m < N; m++) f[m] = 2.0 * gsl_rng_uniform(r) - 1.0;
    for (int basis = 0; basis < 2; basis++) {
      spx_options *o = opts_with("basis", SPX_OPT_STRING, basis ? "moebius" : "fourier", NULL,
                                 SPX_OPT_TEXT, NULL);
      eval_ctx ctx = {NULL, f, 0, 1, SIZE_MAX};
      spx_transform *est = NULL;
      spx_method_stats st;
      spx_error err = {0};
      int rc = run_exact(n, 0, o, &ctx, &est, &st, &err);
      double maxerr = 0;
      for (size_t k = 0; k < N && rc == SPX_OK; k++) {
        double want = 0;
        if (basis == 0) { /* F(K) = 2^-n sum_m f(m) (-1)^{|K ∩ m|}: O(4^n) */
          for (size_t m = 0; m < N; m++) want += __builtin_parityll(k & m) ? -f[m] : f[m];
          want /= (double)N;
        } else { /* a(S) = sum_{T ⊆ S} (-1)^{|S \ T|} f(T): O(3^n) */
          for (size_t m = 0; m < N; m++)
            if ((m & ~k) == 0) want += __builtin_parityll(k & ~m) ? -f[m] : f[m];
        }
        uint32_t idx[8], deg = 0;
        for (unsigned j = 0; j < n; j++)
          if (k >> j & 1) idx[deg++] = j;
        maxerr = fmax(maxerr, fabs(spx_transform_get(est, idx, deg, NULL) - want));
      }
      /* Sums of <= 256 values in [-1, 1] in different orders: each differs from the exact
       * sum by at most ~256 * 8 eps ~ 4.5e-13 (the Fourier ones are then divided by 2^n). */
      spx_test(rc == SPX_OK && maxerr <= 5e-13 && ctx.order_ok,
               "%s n=%u: every coefficient equals the brute-force sum (max err %.3g)",
               basis ? "Moebius" : "Fourier", n, maxerr);
      spx_transform_destroy(&est);
      spx_options_destroy(&o);
    }
    free(f);
  }
}

static void test_tolerance_and_empty(void) {
  /* Moebius truth with coefficients 0.25 and 1 and no constant term. */
  spx_transform *truth = spx_transform_create(4, SPX_BASIS_MOEBIUS);
  spx_transform_set(truth, (uint32_t[]){0}, 1, 0.25, NULL);
  spx_transform_set(truth, (uint32_t[]){1, 3}, 2, 1.0, NULL);
  spx_transform_set(truth, (uint32_t[]){2}, 1, -0.25, NULL);
  spx_options *o = opts_with("tolerance", SPX_OPT_FLOAT, "0.25", NULL, SPX_OPT_TEXT, NULL);
  eval_ctx ctx = {truth, NULL, 0, 1, SIZE_MAX};
  spx_transform *est = NULL;
  spx_method_stats st;
  spx_error err = {0};
  int rc = run_exact(4, 16, o, &ctx, &est, &st, &err);
  int found_empty = 0;
  double c0 = rc ? 1 : spx_transform_get(est, NULL, 0, &found_empty);
  spx_test(rc == SPX_OK && spx_transform_size(est) == 2 && found_empty && c0 == 0.0 &&
               spx_transform_get(est, (uint32_t[]){1, 3}, 2, NULL) == 1.0,
           "tolerance 0.25 drops |a| <= 0.25 and keeps the (zero) empty set");
  spx_transform_destroy(&est);
  spx_options_destroy(&o);
  /* Default tolerance 0 keeps every nonzero and nothing else. */
  o = spx_options_create("method exact");
  rc = run_exact(4, 0, o, &ctx, &est, &st, &err);
  spx_test(rc == SPX_OK && spx_transform_size(est) == 4, "tolerance 0 keeps the 3 nonzeros + {}");
  spx_transform_destroy(&est);
  /* n = 0: one mask, f = a({}) = F({}). */
  spx_transform *c = spx_transform_create(0, SPX_BASIS_FOURIER);
  spx_transform_set(c, NULL, 0, 3.5, NULL);
  eval_ctx cc = {c, NULL, 0, 1, SIZE_MAX};
  rc = run_exact(0, 0, o, &cc, &est, &st, &err);
  spx_test(rc == SPX_OK && st.queries == 1 && spx_transform_get(est, NULL, 0, NULL) == 3.5,
           "n = 0: the one value is the constant term");
  spx_transform_destroy(&est);
  /* A non-finite answer is an error naming the mask. */
  ctx.nan_at = 5;
  rc = run_exact(4, 0, o, &ctx, &est, &st, &err);
  spx_test(rc == SPX_EINVAL && strstr(err.msg, "mask 5") && est == NULL,
           "a NaN value is rejected: %s", err.msg);
  spx_transform_destroy(&c);
  spx_options_destroy(&o);
  spx_transform_destroy(&truth);
}

static void test_applicable(void) {
  const spx_method_type *m = spx_method_lookup("exact");
  spx_test(m != NULL, "\"exact\" is registered");
  if (m == NULL) return;
  char why[512];
  spx_options *o = spx_options_create("method exact");
  spx_test(spx_method_applicable(m, 20, 0, o, why, sizeof why),
           "n = 20, unlimited budget: applicable");
  why[0] = 0;
  spx_test(!spx_method_applicable(m, 21, 0, o, why, sizeof why) && strstr(why, "max_n = 20"),
           "n = 21 above the default max_n: %s", why);
  why[0] = 0;
  spx_test(!spx_method_applicable(m, 27, 0, o, why, sizeof why) &&
               strstr(why, "hard limit of 26"),
           "n = 27 above the hard limit: %s", why);
  why[0] = 0;
  spx_test(!spx_method_applicable(m, 8, 255, o, why, sizeof why) && strstr(why, "budget 255") &&
               strstr(why, "256"),
           "budget below 2^n: %s", why);
  spx_test(spx_method_applicable(m, 8, 256, o, why, sizeof why), "budget = 2^n: applicable");
  spx_options_destroy(&o);
  o = opts_with("max_n", SPX_OPT_INT, "24", NULL, SPX_OPT_TEXT, NULL);
  spx_test(spx_method_applicable(m, 22, 0, o, why, sizeof why), "max_n = 24 admits n = 22");
  spx_options_destroy(&o);
  /* One configuration, several budgets: the options are parsed once. */
  o = opts_with("max_n", SPX_OPT_INT, "12", NULL, SPX_OPT_TEXT, NULL);
  spx_method_config *cfg = NULL;
  spx_error cerr = {0};
  spx_test(spx_method_configure(m, 12, o, &cfg, &cerr) == SPX_OK && cfg != NULL,
           "configure max_n = 12 for n = 12: %s", cerr.msg);
  if (cfg) {
    spx_test(!spx_method_config_applicable(cfg, 4095, why, sizeof why) &&
                 spx_method_config_applicable(cfg, 4096, why, sizeof why) &&
                 spx_method_config_applicable(cfg, 0, why, sizeof why),
             "one configuration, budgets 4095 / 4096 / unlimited");
    spx_method_config_destroy(&cfg);
  }
  spx_test(cfg == NULL, "spx_method_config_destroy clears the pointer");
  spx_options_destroy(&o);
  o = opts_with("max_n", SPX_OPT_TEXT, "lots", NULL, SPX_OPT_TEXT, NULL);
  spx_test(spx_method_configure(m, 10, o, &cfg, &cerr) == SPX_EINVAL && cfg == NULL &&
               strstr(cerr.msg, "max_n") && strstr(cerr.msg, "lots"),
           "configure names the bad key and value: %s", cerr.msg);
  why[0] = 0;
  spx_test(spx_method_applicable(m, 10, 0, o, why, sizeof why) && strstr(why, "max_n"),
           "a malformed max_n is not a reason to skip (the run reports it): %s", why);
  spx_options_destroy(&o);
  o = opts_with("max_n", SPX_OPT_INT, "12", "maxn", SPX_OPT_INT, "12");
  spx_test(spx_method_configure(m, 10, o, &cfg, &cerr) == SPX_EINVAL && cfg == NULL &&
               strstr(cerr.msg, "maxn"),
           "configure refuses an unknown key: %s", cerr.msg);
  spx_options_destroy(&o);
  /* Through the driver: SPX_ENOTAPPLICABLE with the reason. */
  o = spx_options_create("method exact");
  eval_ctx ctx = {NULL, NULL, 0, 1, SIZE_MAX};
  spx_transform *est = NULL;
  spx_method_stats st;
  spx_error err = {0};
  int rc = run_exact(21, 0, o, &ctx, &est, &st, &err);
  spx_test(rc == SPX_ENOTAPPLICABLE && strstr(err.msg, "max_n") && ctx.expect_next == 0,
           "spx_method_run reports not applicable without evaluating: %s", err.msg);
  spx_options_destroy(&o);
}

static void expect_option_error(const char *key, spx_option_kind kind, const char *value,
                                int code, const char *needle) {
  spx_options *o = opts_with(key, kind, value, NULL, SPX_OPT_TEXT, NULL);
  spx_transform *truth = spx_transform_create(3, SPX_BASIS_MOEBIUS);
  eval_ctx ctx = {truth, NULL, 0, 1, SIZE_MAX};
  spx_transform *est = NULL;
  spx_method_stats st;
  spx_error err = {0};
  int rc = run_exact(3, 0, o, &ctx, &est, &st, &err);
  spx_test(rc == code && strstr(err.msg, key) && strstr(err.msg, needle) && est == NULL &&
               ctx.expect_next == 0,
           "%s = %s is rejected naming the key: %s", key, value, err.msg);
  spx_transform_destroy(&truth);
  spx_options_destroy(&o);
}

int main(void) {
  gsl_rng *r = spx_rng_stream(77, 1, 0, 0, 0);
  test_sparse_recovery(r);
  test_dense_brute(r);
  test_tolerance_and_empty();
  test_applicable();
  expect_option_error("basis", SPX_OPT_STRING, "walsh", SPX_EINVAL, "walsh");
  expect_option_error("basis", SPX_OPT_INT, "3", SPX_EINVAL, "basis");
  expect_option_error("max_n", SPX_OPT_INT, "27", SPX_ERANGE, "27");
  expect_option_error("max_n", SPX_OPT_TEXT, "lots", SPX_EINVAL, "lots");
  expect_option_error("tolerance", SPX_OPT_FLOAT, "-1", SPX_ERANGE, "-1");
  expect_option_error("tol", SPX_OPT_FLOAT, "0.1", SPX_EINVAL, "tolerance");
  gsl_rng_free(r);
  return spx_test_summary();
}
