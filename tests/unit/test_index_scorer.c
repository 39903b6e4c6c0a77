/* test_index_scorer.c: the index-accuracy scorer (experiments/scorers/index_accuracy.c) run
 * through the scorer table (spx_score_cell) on a tiny instance, n = 7, against brute force:
 * the exact SII and BII of every |S| <= 3 from their definitions over all 2^n values, and
 * every metric (MSE, relative MSE, Precision@5/10, Kendall tau-b@10) recomputed here from
 * those definitions, for all 30 columns (index x order x metric). The oracle has no known truth,
 * so the scorer's exhaustive path (all 2^n masks, fast Moebius transform) is the one checked;
 * a surrogate (a Moebius transform, method lime) fills every column, an estimator of one index
 * (shap_iq with index sii, order 2) only its own, and n above exact_max_n is a clear error. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/transform.h"
#include "experiments/scorers/index_accuracy.h"
#include "experiments/scorers/scorer.h"
#include "oracle/oracle.h"
#include "testing.h"

enum { N = 7, NALL = 1 << N };

static double f_of(unsigned S) {
  double x[N];
  for (int i = 0; i < N; i++) x[i] = (S >> i) & 1;
  double lin = 0.3 * x[0] - 0.7 * x[1] + 0.2 * x[2] + 0.9 * x[3] - 0.4 * x[4] + 0.1 * x[5] + 0.5 * x[6];
  return sin(1.0 + lin) + 0.5 * x[0] * x[1] * x[2] - 0.3 * x[3] * x[5] + 0.25 * x[2] * x[4] * x[6];
}

static int t_open(spx_oracle *o, spx_options *opts, size_t explicand, spx_error *err) {
  (void)opts, (void)explicand, (void)err;
  o->n = N;
  return SPX_OK;
}

static int t_eval(spx_oracle *o, const spx_maskset *m, size_t first, size_t count, double *out,
                  spx_error *err) {
  (void)o, (void)err;
  for (size_t k = 0; k < count; k++) out[k] = f_of((unsigned)spx_maskset_row(m, first + k)[0]);
  return SPX_OK;
}

static void t_close(spx_oracle *o) { (void)o; }

static const spx_oracle_type test_type = {
    .name = "test_f", .summary = "test function", .open = t_open, .eval = t_eval, .close = t_close};

static int eval_cb(void *ctx, const spx_maskset *masks, double *values, spx_error *err) {
  return spx_oracle_eval_all(ctx, masks, values, err);
}

static double fact(int k) {
  double r = 1;
  for (int i = 2; i <= k; i++) r *= i;
  return r;
}

/* SII (bii = 0) or BII (bii = 1) of S from the definition. */
static double brute_index(unsigned S, int bii) {
  int s = __builtin_popcount(S);
  double sum = 0;
  for (unsigned T = 0; T < NALL; T++) {
    if (T & S) continue;
    int t = __builtin_popcount(T);
    double d = 0; /* discrete derivative of f along S at T */
    for (unsigned L = S;; L = (L - 1) & S) {
      d += ((s - __builtin_popcount(L)) % 2 ? -1.0 : 1.0) * f_of(T | L);
      if (L == 0) break;
    }
    double w = bii ? ldexp(1.0, -(N - s)) : fact(N - t - s) * fact(t) / fact(N - s + 1);
    sum += w * d;
  }
  return sum;
}

typedef struct {
  unsigned S;
  double v;
} item;

/* ranking of spx_transform_sorted: |value| descending, then degree, then indices */
static int lexless(unsigned a, unsigned b) {
  for (int i = 0; i < N; i++) {
    int ia = (a >> i) & 1, ib = (b >> i) & 1;
    if (ia != ib) return ia; /* the set with the smaller next index first */
  }
  return 0;
}

static int item_cmp(const void *pa, const void *pb) {
  const item *a = pa, *b = pb;
  if (fabs(a->v) != fabs(b->v)) return fabs(a->v) > fabs(b->v) ? -1 : 1;
  int da = __builtin_popcount(a->S), db = __builtin_popcount(b->S);
  if (da != db) return da < db ? -1 : 1;
  return lexless(a->S, b->S) ? -1 : lexless(b->S, a->S) ? 1 : 0;
}

/* top k nonzero of values over sets of 1..order, into top; returns how many */
static size_t topk(const double *val, int order, size_t k, unsigned *top) {
  item it[NALL];
  size_t m = 0;
  for (unsigned S = 1; S < NALL; S++)
    if (__builtin_popcount(S) <= order && val[S] != 0.0) it[m++] = (item){S, val[S]};
  qsort(it, m, sizeof *it, item_cmp);
  size_t c = m < k ? m : k;
  for (size_t i = 0; i < c; i++) top[i] = it[i].S;
  return c;
}

static double precision_at(const double *est, const double *tru, int order, size_t k) {
  unsigned a[NALL], b[NALL];
  size_t na = topk(est, order, k, a), nb = topk(tru, order, k, b), common = 0;
  for (size_t i = 0; i < na; i++)
    for (size_t j = 0; j < nb; j++) common += a[i] == b[j];
  return (double)common / (double)k;
}

static double tau_at(const double *est, const double *tru, int order, size_t k) {
  unsigned t[NALL];
  size_t m = topk(tru, order, k, t);
  double c = 0, d = 0, tx = 0, ty = 0;
  for (size_t i = 0; i < m; i++)
    for (size_t j = i + 1; j < m; j++) {
      double x = tru[t[i]] - tru[t[j]], y = est[t[i]] - est[t[j]];
      if (x == 0 && y == 0) continue;
      if (x == 0) tx++;
      else if (y == 0) ty++;
      else if ((x > 0) == (y > 0)) c++;
      else d++;
    }
  double den = sqrt((c + d + tx) * (c + d + ty));
  return m < 2 || den == 0 ? NAN : (c - d) / den;
}

/* The five metrics of est against tru over the sets of orders 1..order. */
static void brute_metrics(const double *est, const double *tru, int order, double out[5]) {
  double sse = 0, ss = 0, count = 0;
  for (unsigned S = 1; S < NALL; S++) {
    if (__builtin_popcount(S) > order) continue;
    sse += (est[S] - tru[S]) * (est[S] - tru[S]);
    ss += tru[S] * tru[S];
    count++;
  }
  out[0] = sse / count;
  out[1] = sse / ss;
  out[2] = precision_at(est, tru, order, 5);
  out[3] = precision_at(est, tru, order, 10);
  out[4] = tau_at(est, tru, order, 10);
}

static int close_enough(double got, double want) {
  if (isnan(want)) return isnan(got);
  return fabs(got - want) <= 1e-9 * (1.0 + fabs(want));
}

/* Run the scorer table on one cell; slots out (nslots). */
static int run(const spx_config *cfg, spx_oracle *o, const char *method, spx_options *mopts,
               const spx_transform *est, double *slots, size_t nslots, spx_error *err) {
  spx_maskset *test = spx_maskset_create(N, 64);
  double vals[64];
  for (size_t k = 0; k < 64; k++) {
    spx_maskset_row(test, k)[0] = (k * 37u) % NALL;
    vals[k] = f_of((unsigned)spx_maskset_row(test, k)[0]);
  }
  spx_score_caches caches;
  memset(&caches, 0, sizeof caches);
  spx_method_config *mc = NULL;
  int rc = spx_method_configure(spx_method_lookup(method), N, mopts, &mc, err);
  spx_score_ctx ctx = {cfg, 0, 0, o, eval_cb, o, mc, test, vals, NULL};
  spx_array_list arrays = {0};
  for (size_t k = 0; k < nslots; k++) slots[k] = NAN;
  if (rc == SPX_OK) rc = spx_score_cell(&ctx, &caches, est, slots, nslots, &arrays, err);
  spx_method_config_destroy(&mc);
  spx_score_caches_reset(&caches, 0);
  spx_array_list_free(&arrays);
  spx_maskset_destroy(&test);
  return rc;
}

/* Which index a configured method's result holds (the estimates hook), for every estimator:
 * scorable(method, options, want, order) against the expectation. */
static void scorable_case(const char *method, const char *k1, const char *v1, spx_index want,
                          unsigned order, int expect, int expect_convert) {
  spx_options *o = spx_options_create(method);
  if (k1) spx_options_put(o, k1, SPX_OPT_TEXT, v1, "test", NULL);
  spx_method_config *mc = NULL;
  spx_error err = {0};
  int rc = spx_method_configure(spx_method_lookup(method), 10, o, &mc, &err);
  int convert = -1;
  char why[160] = "";
  int got = rc == SPX_OK ? spx_index_scorable(mc, want, order, &convert, why, sizeof why) : -1;
  spx_test(got == expect && (!got || convert == expect_convert),
           "%s %s%s%s as %s-%u: scorable %d (want %d), convert %d (want %d) %s %s", method,
           k1 ? k1 : "", k1 ? "=" : "", k1 ? v1 : "", spx_index_name(want), order, got, expect,
           convert, expect_convert, why, err.msg);
  spx_method_config_destroy(&mc);
  spx_options_destroy(&o);
}

static void test_scorable(void) {
  scorable_case("lime", NULL, NULL, SPX_INDEX_SII, 2, 1, 1);       /* a surrogate: converted */
  scorable_case("spex", NULL, NULL, SPX_INDEX_BII, 3, 1, 1);
  scorable_case("kernelshap", NULL, NULL, SPX_INDEX_SII, 1, 1, 0); /* SV = SII-1 */
  scorable_case("kernelshap", NULL, NULL, SPX_INDEX_SII, 2, 0, 0);
  scorable_case("banzhaf", NULL, NULL, SPX_INDEX_BII, 1, 1, 0);    /* BV = BII-1 */
  scorable_case("banzhaf", NULL, NULL, SPX_INDEX_SII, 1, 0, 0);
  scorable_case("shap_iq", NULL, NULL, SPX_INDEX_KSII, 2, 1, 0);   /* default k-sii, 2 */
  scorable_case("shap_iq", NULL, NULL, SPX_INDEX_SII, 2, 0, 0);
  scorable_case("svarm_iq", "index", "bii", SPX_INDEX_BII, 2, 1, 0);
  scorable_case("kernelshap_iq", "order", "3", SPX_INDEX_KSII, 3, 1, 0);
  scorable_case("kernelshap_iq", "order", "3", SPX_INDEX_KSII, 2, 0, 0);
  scorable_case("permutation", "index", "stii", SPX_INDEX_STII, 2, 1, 0);
  scorable_case("permutation", "index", "sv", SPX_INDEX_SII, 1, 1, 0);
  scorable_case("kadd_shap", NULL, NULL, SPX_INDEX_SII, 2, 1, 0);
  scorable_case("faith_shap", "order", "3", SPX_INDEX_FSII, 3, 1, 0);
  scorable_case("faith_shap", NULL, NULL, SPX_INDEX_SII, 2, 0, 0);
  scorable_case("faith_banzhaf", NULL, NULL, SPX_INDEX_FBII, 2, 1, 0);
  scorable_case("proxyshap", NULL, NULL, SPX_INDEX_SII, 2, 1, 0);  /* default sii, 2 */
  scorable_case("proxyshap", "index", "bii", SPX_INDEX_SII, 2, 0, 0);
}

int main(void) {
  static const char *const idx_name[2] = {"sii", "bii"};
  static const char *const met_name[5] = {"mse", "rel_mse", "precision5", "precision10", "tau10"};
  spx_error err = {0};
  spx_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.kind = SPX_EXP_FAITHFULNESS;
  cfg.index_accuracy = 1;
  cfg.exact_max_n = 20;
  spx_oracle *o = NULL;
  spx_options *oo = spx_options_create("test");
  spx_test(spx_oracle_open(&test_type, oo, 0, &o, &err) == SPX_OK, "open the test oracle");
  /* brute-force truth */
  static double tru[2][NALL];
  for (int b = 0; b < 2; b++)
    for (unsigned S = 1; S < NALL; S++)
      tru[b][S] = __builtin_popcount(S) <= 3 ? brute_index(S, b) : 0.0;
  /* a surrogate estimate: a Moebius transform on every set of up to 3 features and a few
   * larger ones, with distinct coefficients (no ties among its index values: the rounding of
   * an exactly tied pair would decide Kendall tau) */
  spx_transform *est = spx_transform_create(N, SPX_BASIS_MOEBIUS);
  unsigned sets[NALL];
  double coef[NALL];
  size_t nsets = 0;
  for (unsigned S = 0; S < NALL; S++) {
    if (__builtin_popcount(S) > 3 && S != 0x45 && S != 0x7f && S != 0x3c) continue;
    sets[nsets] = S;
    coef[nsets] = sin(12.9898 * (S + 1)) * 0.8 + (S == 0 ? 0 : 0.05 * __builtin_popcount(S));
    uint32_t idx[N], d = 0;
    for (uint32_t i = 0; i < N; i++)
      if (S >> i & 1) idx[d++] = i;
    spx_transform_set(est, idx, d, coef[nsets], NULL);
    nsets++;
  }
  /* the estimate's SII/BII by brute force too: its value function is the Moebius sum */
  static double estv[NALL], esti[2][NALL];
  for (unsigned S = 0; S < NALL; S++) {
    double v = 0;
    for (size_t k = 0; k < nsets; k++)
      if ((sets[k] & S) == sets[k]) v += coef[k];
    estv[S] = v;
  }
  for (int b = 0; b < 2; b++)
    for (unsigned S = 1; S < NALL; S++) {
      if (__builtin_popcount(S) > 3) continue;
      int s = __builtin_popcount(S);
      double sum = 0;
      for (unsigned T = 0; T < NALL; T++) {
        if (T & S) continue;
        int t = __builtin_popcount(T);
        double d = 0;
        for (unsigned L = S;; L = (L - 1) & S) {
          d += ((s - __builtin_popcount(L)) % 2 ? -1.0 : 1.0) * estv[T | L];
          if (L == 0) break;
        }
        double w = b ? ldexp(1.0, -(N - s)) : fact(N - t - s) * fact(t) / fact(N - s + 1);
        sum += w * d;
      }
      esti[b][S] = sum;
    }
  size_t nslots = 0;
  spx_score_dataset *cols = NULL;
  size_t ncols = 0;
  spx_score_columns(&cfg, &cols, &ncols, &nslots, &err);
  free(cols);
  spx_test_int((long long)nslots, 31, "slots: r2 + 30 index-accuracy columns");
  double slots[64];
  spx_options *lo = spx_options_create("lime");
  int rc = run(&cfg, o, "lime", lo, est, slots, nslots, &err);
  spx_test(rc == SPX_OK, "score a surrogate (%s)", err.msg);
  size_t bad = 0, checked = 0;
  for (int b = 0; b < 2; b++)
    for (int k = 1; k <= 3; k++) {
      static double et[NALL], tt[NALL];
      for (unsigned S = 0; S < NALL; S++) {
        et[S] = __builtin_popcount(S) <= k ? esti[b][S] : 0;
        tt[S] = __builtin_popcount(S) <= k ? tru[b][S] : 0;
      }
      double want[5];
      brute_metrics(et, tt, k, want);
      for (int m = 0; m < 5; m++) {
        char name[48];
        snprintf(name, sizeof name, "index_%s_%s%d", met_name[m], idx_name[b], k);
        size_t at = spx_score_slot_of(&cfg, name);
        int ok = at < nslots && close_enough(slots[at], want[m]);
        checked++;
        if (!ok) {
          bad++;
          printf("  %s: scorer %.12g, brute force %.12g\n", name, at < nslots ? slots[at] : NAN,
                 want[m]);
        }
      }
    }
  spx_test(bad == 0 && checked == 30, "surrogate: all 30 columns equal brute force (%zu differ)",
           bad);
  /* precision and tau are not trivially 0/1 here: the check has teeth */
  size_t p10 = spx_score_slot_of(&cfg, "index_precision10_sii2");
  spx_test(slots[p10] > 0 && slots[p10] < 1, "SII-2 precision@10 strictly between 0 and 1 (%g)",
           slots[p10]);
  /* an estimator of SII order 2: only its columns, the others NaN */
  spx_transform *ix = spx_transform_create(N, SPX_BASIS_MOEBIUS); /* as the estimators tag it */
  for (unsigned S = 1; S < NALL; S++) {
    if (__builtin_popcount(S) > 2) continue;
    uint32_t idx[N], d = 0;
    for (uint32_t i = 0; i < N; i++)
      if (S >> i & 1) idx[d++] = i;
    spx_transform_set(ix, idx, d, tru[0][S] + (S % 3 == 0 ? 0.01 * S : 0.0), NULL);
  }
  spx_options *so = spx_options_create("shap_iq");
  spx_options_put(so, "index", SPX_OPT_STRING, "sii", "test", NULL);
  spx_options_put(so, "order", SPX_OPT_INT, "2", "test", NULL);
  rc = run(&cfg, o, "shap_iq", so, ix, slots, nslots, &err);
  spx_test(rc == SPX_OK, "score an SII-2 estimator (%s)", err.msg);
  {
    static double et[NALL], tt[NALL];
    for (unsigned S = 0; S < NALL; S++) {
      et[S] = __builtin_popcount(S) <= 2 && S ? tru[0][S] + (S % 3 == 0 ? 0.01 * S : 0.0) : 0;
      tt[S] = __builtin_popcount(S) <= 2 ? tru[0][S] : 0;
    }
    double want[5];
    brute_metrics(et, tt, 2, want);
    size_t nan_others = 0, own_ok = 0;
    for (int b = 0; b < 2; b++)
      for (int k = 1; k <= 3; k++)
        for (int m = 0; m < 5; m++) {
          char name[48];
          snprintf(name, sizeof name, "index_%s_%s%d", met_name[m], idx_name[b], k);
          double v = slots[spx_score_slot_of(&cfg, name)];
          if (b == 0 && k == 2)
            own_ok += close_enough(v, want[m]);
          else
            nan_others += isnan(v) != 0;
        }
    spx_test(own_ok == 5, "estimator: its 5 SII-2 columns equal brute force (%zu)", own_ok);
    spx_test(nan_others == 25, "estimator: the 25 other columns stay NaN (%zu)", nan_others);
  }
  /* no truth and n above exact_max_n: a clear error */
  cfg.exact_max_n = 6;
  rc = run(&cfg, o, "lime", lo, est, slots, nslots, &err);
  spx_test(rc == SPX_ERANGE && strstr(err.msg, "exact_max_n"),
           "n = 7 > exact_max_n = 6 without a truth fails, naming the key (%s)", err.msg);
  spx_options_destroy(&lo);
  spx_options_destroy(&so);
  spx_options_destroy(&oo);
  spx_transform_destroy(&est);
  spx_transform_destroy(&ix);
  spx_oracle_destroy(&o);
  test_scorable();
  return spx_test_summary();
}
