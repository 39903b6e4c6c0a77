/* test_metrics.c: prediction, R², support recovery, coefficient error and Kendall tau-b,
 * each against a brute-force computation written independently here. */
#include <gsl/gsl_rng.h>

#include "core/metrics.h"
#include "core/rng.h"
#include "testing.h"

/* ---- brute-force references ------------------------------------------------------------- */

/* f(mask) straight from the definition, summing entries in insertion order. */
static double brute_eval(const spx_transform *t, const uint64_t *m) {
  double s = 0.0;
  for (size_t e = 0; e < spx_transform_size(t); e++) {
    const uint32_t *idx;
    uint32_t deg, kept = 0;
    double v;
    spx_transform_entry(t, e, &idx, &deg, &v);
    for (uint32_t j = 0; j < deg; j++) kept += (uint32_t)spx_mask_test(m, idx[j]);
    if (spx_transform_basis(t) == SPX_BASIS_FOURIER)
      s += (kept % 2) ? -v : v;
    else if (kept == deg)
      s += v;
  }
  return s;
}

/* Interaction <-> bit set for n <= 16 (dense references). */
static unsigned to_bits(const uint32_t *idx, uint32_t deg) {
  unsigned b = 0;
  for (uint32_t j = 0; j < deg; j++) b |= 1u << idx[j];
  return b;
}

static void dense(const spx_transform *t, double *out, unsigned n) {
  for (unsigned i = 0; i < (1u << n); i++) out[i] = 0.0;
  for (size_t e = 0; e < spx_transform_size(t); e++) {
    const uint32_t *idx;
    uint32_t deg;
    double v;
    spx_transform_entry(t, e, &idx, &deg, &v);
    out[to_bits(idx, deg)] = v;
  }
}

/* Ranking key of metrics.h: |value| desc, degree asc, then indices ascending lexicographically
 * (for sets over n <= 16: compare the sorted index lists). */
static int brute_before(unsigned a, double va, unsigned b, double vb) {
  if (fabs(va) != fabs(vb)) return fabs(va) > fabs(vb);
  int da = __builtin_popcount(a), db = __builtin_popcount(b);
  if (da != db) return da < db;
  /* same degree: the first differing element of the sorted lists decides; it is the lowest
   * bit in which the sets differ, and the set holding it comes first. */
  unsigned diff = a ^ b;
  if (diff == 0) return 0;
  unsigned low = diff & (~diff + 1);
  return (a & low) != 0;
}

/* top-k of a dense transform (nonempty, nonzero), written as a bit set over 2^n sets. */
static size_t brute_topk(const double *v, unsigned n, size_t k, unsigned char *in) {
  size_t N = (size_t)1 << n, got = 0;
  for (size_t i = 0; i < N; i++) in[i] = 0;
  while (got < k) {
    long best = -1;
    for (size_t i = 1; i < N; i++)
      if (!in[i] && v[i] != 0.0 && (best < 0 || brute_before((unsigned)i, v[i], (unsigned)best, v[best])))
        best = (long)i;
    if (best < 0) break;
    in[best] = 1;
    got++;
  }
  return got;
}

static double brute_tau_b(const double *x, const double *y, size_t m) {
  double s = 0, tx = 0, ty = 0, pairs = 0;
  for (size_t i = 0; i < m; i++)
    for (size_t j = i + 1; j < m; j++) {
      int sx = (x[i] > x[j]) - (x[i] < x[j]), sy = (y[i] > y[j]) - (y[i] < y[j]);
      s += sx * sy;
      tx += sx == 0;
      ty += sy == 0;
      pairs += 1;
    }
  double den = sqrt((pairs - tx) * (pairs - ty));
  return den > 0 ? s / den : NAN;
}

/* A random transform over n <= 16 features with values from a small set (to force ties)
 * or continuous, some stored zeros, sometimes the empty set. */
static spx_transform *random_transform(gsl_rng *r, unsigned n, spx_basis basis, size_t terms,
                                       int ties) {
  spx_transform *t = spx_transform_create(n, basis);
  for (size_t i = 0; i < terms; i++) {
    unsigned bits = (unsigned)gsl_rng_uniform_int(r, 1ul << n);
    uint32_t idx[16], deg = 0;
    for (unsigned j = 0; j < n; j++)
      if (bits >> j & 1) idx[deg++] = j;
    double v = ties ? (double)((long)gsl_rng_uniform_int(r, 7) - 3) : gsl_rng_uniform(r) - 0.5;
    spx_transform_set(t, idx, deg, v, NULL);
  }
  return t;
}

/* ---- tests ---------------------------------------------------------------------------- */

static void test_predict(gsl_rng *r) {
  const size_t ns[] = {1, 7, 64, 65, 130};
  const size_t counts[] = {0, 1, 63, 64, 150};
  for (int basis = 0; basis < 2; basis++)
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++) {
      size_t n = ns[a], count = counts[a];
      spx_transform *t = spx_transform_create((uint32_t)n, (spx_basis)basis);
      double c0 = gsl_rng_uniform(r);
      spx_transform_set(t, NULL, 0, c0, NULL);
      for (int i = 0; i < 40; i++) {
        uint32_t idx[4], deg = (uint32_t)gsl_rng_uniform_int(r, n < 4 ? n + 1 : 5);
        for (uint32_t j = 0; j < deg; j++) {
          idx[j] = (uint32_t)gsl_rng_uniform_int(r, n);
          for (uint32_t q = 0; q < j; q++)
            if (idx[q] == idx[j]) {
              deg = j; /* keep the distinct prefix */
              break;
            }
        }
        /* every fifth term is a stored zero, which must not contribute */
        spx_transform_set(t, idx, deg, i % 5 == 0 ? 0.0 : gsl_rng_uniform(r) - 0.5, NULL);
      }
      spx_maskset *m = spx_maskset_create(n, count);
      for (size_t q = 0; q < count; q++)
        for (size_t j = 0; j < n; j++)
          if (gsl_rng_uniform(r) < 0.5) spx_mask_set(spx_maskset_row(m, q), j);
      double *y = malloc((count + 1) * sizeof *y);
      int rc = spx_transform_predict(t, m, y, NULL);
      double maxerr = 0;
      for (size_t q = 0; q < count; q++)
        maxerr = fmax(maxerr, fabs(y[q] - brute_eval(t, spx_maskset_row(m, q))));
      /* Both sum the same terms in the same order, so they agree up to at most a few ulps of
       * a sum of <= 41 terms below 1 in size. */
      spx_test(rc == SPX_OK && maxerr <= 1e-13,
               "predict %s n=%zu on %zu masks matches the definition (max err %.3g)",
               basis ? "Moebius" : "Fourier", n, count, maxerr);
      free(y);
      spx_maskset_destroy(&m);
      spx_transform_destroy(&t);
    }
  /* A hand case: Moebius a({}) = 1, a({0}) = 2, a({0,1}) = 4 on masks 00, 10, 01, 11. */
  spx_transform *t = spx_transform_create(2, SPX_BASIS_MOEBIUS);
  spx_transform_set(t, NULL, 0, 1.0, NULL);
  spx_transform_set(t, (uint32_t[]){0}, 1, 2.0, NULL);
  spx_transform_set(t, (uint32_t[]){1, 0}, 2, 4.0, NULL);
  spx_maskset *m = spx_maskset_create(2, 4);
  spx_mask_set(spx_maskset_row(m, 1), 0);
  spx_mask_set(spx_maskset_row(m, 2), 1);
  spx_mask_set(spx_maskset_row(m, 3), 0);
  spx_mask_set(spx_maskset_row(m, 3), 1);
  double y[4];
  spx_transform_predict(t, m, y, NULL);
  spx_test(y[0] == 1 && y[1] == 3 && y[2] == 1 && y[3] == 7, "Moebius hand case 1 3 1 7");
  /* Fourier with the same coefficients: f = 1 + 2 (-1)^{m0} + 4 (-1)^{m0 + m1}. */
  spx_transform_set_basis(t, SPX_BASIS_FOURIER);
  spx_transform_predict(t, m, y, NULL);
  spx_test(y[0] == 7 && y[1] == -5 && y[2] == -1 && y[3] == 3, "Fourier hand case 7 -5 -1 3");
  spx_error err;
  spx_transform_set_basis(t, SPX_BASIS_INDEX);
  spx_test(spx_transform_predict(t, m, y, &err) == SPX_EINVAL, "an index basis is rejected");
  spx_transform_set_basis(t, SPX_BASIS_MOEBIUS);
  spx_maskset *m3 = spx_maskset_create(3, 1);
  spx_test(spx_transform_predict(t, m3, y, &err) == SPX_EINVAL && strstr(err.msg, "n = 3"),
           "n mismatch is rejected with both sizes named: %s", err.msg);
  spx_maskset_destroy(&m3);
  spx_maskset_destroy(&m);
  spx_transform_destroy(&t);
}

static void test_r2(void) {
  double y[] = {1, 2, 3, 4}, good[] = {1, 2, 3, 4}, mean[] = {2.5, 2.5, 2.5, 2.5};
  double off[] = {2, 2, 3, 4}; /* ss_res 1, ss_tot 5 */
  spx_test_abs(spx_r2(y, good, 4), 1.0, 0, "R² of an exact prediction is 1");
  spx_test_abs(spx_r2(y, mean, 4), 0.0, 0, "R² of the mean is 0");
  spx_test_rel(spx_r2(y, off, 4), 0.8, 1e-15, "R² = 1 - 1/5");
}

static void test_recovery_hand(void) {
  spx_transform *truth = spx_transform_create(8, SPX_BASIS_MOEBIUS);
  spx_transform *est = spx_transform_create(8, SPX_BASIS_MOEBIUS);
  spx_transform_set(truth, NULL, 0, 100, NULL);
  spx_transform_set(truth, (uint32_t[]){1}, 1, 5, NULL);
  spx_transform_set(truth, (uint32_t[]){2}, 1, 3, NULL);
  spx_transform_set(truth, (uint32_t[]){1, 2}, 2, -4, NULL);
  spx_transform_set(est, NULL, 0, 100, NULL);
  spx_transform_set(est, (uint32_t[]){1}, 1, 4.9, NULL);
  spx_transform_set(est, (uint32_t[]){3}, 1, 3.5, NULL);
  spx_transform_set(est, (uint32_t[]){1, 2}, 2, -1, NULL);
  spx_support_score s;
  spx_support_recovery(est, truth, 2, &s, NULL);
  /* T = {1}, {1,2}; E = {1}, {3}: one hit of two. */
  spx_test(s.hits == 1 && s.precision == 0.5 && s.recall == 0.5 && s.n_est == 2,
           "top-2 hand case: hits %zu precision %g recall %g", s.hits, s.precision, s.recall);
  spx_support_recovery(est, truth, 0, &s, NULL);
  /* k = 0 -> k = 3 (truth support without the empty set); E = {1},{3},{1,2}: 2 hits. */
  spx_test(s.k == 3 && s.hits == 2 && fabs(s.precision - 2.0 / 3) < 1e-15 &&
               fabs(s.recall - 2.0 / 3) < 1e-15,
           "k = 0 uses the truth support size (k %zu hits %zu)", s.k, s.hits);
  spx_support_recovery(est, truth, 10, &s, NULL);
  spx_test(s.n_est == 3 && s.n_truth == 3 && s.hits == 2, "k above the support size");
  /* Ties: equal |value| -> lower degree first, then lexicographic, whatever the insertion
   * order. */
  spx_transform *a = spx_transform_create(8, SPX_BASIS_FOURIER);
  spx_transform *b = spx_transform_create(8, SPX_BASIS_FOURIER);
  spx_transform_set(a, (uint32_t[]){0, 1}, 2, 2, NULL);
  spx_transform_set(a, (uint32_t[]){5}, 1, -2, NULL);
  spx_transform_set(a, (uint32_t[]){4}, 1, 2, NULL);
  spx_transform_set(b, (uint32_t[]){4}, 1, 2, NULL);
  spx_transform_set(b, (uint32_t[]){0, 1}, 2, 2, NULL);
  spx_transform_set(b, (uint32_t[]){6}, 1, 2, NULL);
  /* top-1(a) = {4} and top-1(b) = {4}; top-2(a) = {4},{5}, top-2(b) = {4},{6}. */
  spx_support_recovery(a, b, 1, &s, NULL);
  spx_test(s.hits == 1, "tie broken by degree then indices (top-1)");
  spx_support_recovery(a, b, 2, &s, NULL);
  spx_test(s.hits == 1 && s.precision == 0.5, "tie broken by degree then indices (top-2)");
  /* Degenerate cases. */
  spx_transform *empty = spx_transform_create(8, SPX_BASIS_MOEBIUS);
  spx_support_recovery(empty, truth, 2, &s, NULL);
  spx_test(s.precision == 0 && s.recall == 0, "empty estimate: precision 0, recall 0");
  spx_transform *empty2 = spx_transform_create(8, SPX_BASIS_MOEBIUS);
  spx_transform_set(empty2, NULL, 0, 3, NULL); /* only the empty set: no support */
  spx_support_recovery(empty, empty2, 0, &s, NULL);
  spx_test(s.precision == 1 && s.recall == 1 && s.k == 0, "no support anywhere: 1 and 1");
  spx_support_recovery(est, empty2, 2, &s, NULL);
  spx_test(s.precision == 0 && s.recall == 1, "no true support: precision 0, recall 1");
  spx_error err;
  spx_test(spx_support_recovery(a, truth, 2, &s, &err) == SPX_EINVAL,
           "different bases are rejected: %s", err.msg);
  spx_transform_destroy(&empty);
  spx_transform_destroy(&empty2);
  spx_transform_destroy(&a);
  spx_transform_destroy(&b);
  spx_transform_destroy(&truth);
  spx_transform_destroy(&est);
}

static void test_recovery_random(gsl_rng *r) {
  const unsigned n = 5;
  double te[32], tt[32];
  unsigned char ine[32], int_[32];
  int ok = 1;
  for (int trial = 0; trial < 200; trial++) {
    int ties = trial % 2;
    spx_transform *est = random_transform(r, n, SPX_BASIS_MOEBIUS, 12, ties);
    spx_transform *truth = random_transform(r, n, SPX_BASIS_MOEBIUS, 10, ties);
    dense(est, te, n);
    dense(truth, tt, n);
    for (size_t k = 0; k <= 12; k++) {
      spx_support_score s;
      spx_support_recovery(est, truth, k, &s, NULL);
      size_t nt = brute_topk(tt, n, k ? k : 32, int_);
      size_t kk = k ? k : nt;
      size_t ne = brute_topk(te, n, kk, ine), hits = 0;
      for (size_t i = 0; i < 32; i++) hits += ine[i] && int_[i];
      double p = ne ? (double)hits / (double)ne : (nt ? 0.0 : 1.0);
      double rc = nt ? (double)hits / (double)nt : 1.0;
      if (s.hits != hits || s.n_est != ne || s.n_truth != nt || s.precision != p ||
          s.recall != rc) {
        ok = 0;
        printf("  trial %d k %zu: got hits %zu/%zu/%zu want %zu/%zu/%zu\n", trial, k, s.hits,
               s.n_est, s.n_truth, hits, ne, nt);
      }
    }
    spx_transform_destroy(&est);
    spx_transform_destroy(&truth);
  }
  spx_test(ok, "support recovery matches brute-force ranking on 200 random pairs, k = 0..12");
}

static void test_coefficient_error(gsl_rng *r) {
  const unsigned n = 5;
  double te[32], tt[32];
  int ok = 1;
  for (int trial = 0; trial < 200; trial++) {
    spx_transform *est = random_transform(r, n, SPX_BASIS_FOURIER, 10, trial % 2);
    spx_transform *truth = random_transform(r, n, SPX_BASIS_FOURIER, 10, trial % 2);
    dense(est, te, n);
    dense(truth, tt, n);
    for (int inc = 0; inc < 2; inc++) {
      double sse = 0, ss = 0, mx = 0;
      size_t cnt = 0;
      for (unsigned i = inc ? 0 : 1; i < 32; i++) {
        if (te[i] == 0 && tt[i] == 0) continue;
        cnt++;
        sse += (te[i] - tt[i]) * (te[i] - tt[i]);
        ss += tt[i] * tt[i];
        mx = fmax(mx, fabs(te[i] - tt[i]));
      }
      double rel = ss > 0 ? sqrt(sse / ss) : (sse > 0 ? INFINITY : 0);
      spx_coef_error c;
      spx_coefficient_error(est, truth, inc, &c, NULL);
      /* Same terms, possibly summed in another order: 1e-13 relative is far above the
       * rounding of <= 32 terms of size <= 36. */
      if (c.count != cnt || fabs(c.sse - sse) > 1e-13 * fmax(1, sse) ||
          fabs(c.truth_ss - ss) > 1e-13 * fmax(1, ss) || c.max_abs != mx ||
          !(fabs(c.rel_l2 - rel) <= 1e-13 * fmax(1, rel) || c.rel_l2 == rel)) {
        ok = 0;
        printf("  trial %d inc %d: got %zu %g %g %g, want %zu %g %g %g\n", trial, inc,
               c.count, c.rel_l2, c.max_abs, c.sse, cnt, rel, mx, sse);
      }
    }
    spx_transform_destroy(&est);
    spx_transform_destroy(&truth);
  }
  spx_test(ok, "coefficient error matches dense brute force on 200 random pairs");
  /* Hand case: truth {0}: 3, {1}: 4, {}: 10; est {0}: 3, {2}: 1, {}: 0.
   * Without the empty set: sse = 0 + 16 + 1, truth_ss = 25 -> sqrt(17)/5, max 4.
   * With it: sse += 100, truth_ss += 100 -> sqrt(117/125), max 10. */
  spx_transform *t = spx_transform_create(3, SPX_BASIS_MOEBIUS);
  spx_transform *e = spx_transform_create(3, SPX_BASIS_MOEBIUS);
  spx_transform_set(t, (uint32_t[]){0}, 1, 3, NULL);
  spx_transform_set(t, (uint32_t[]){1}, 1, 4, NULL);
  spx_transform_set(t, NULL, 0, 10, NULL);
  spx_transform_set(e, (uint32_t[]){0}, 1, 3, NULL);
  spx_transform_set(e, (uint32_t[]){2}, 1, 1, NULL);
  spx_transform_set(e, NULL, 0, 0, NULL);
  spx_coef_error c;
  spx_coefficient_error(e, t, 0, &c, NULL);
  spx_test(c.count == 3 && fabs(c.rel_l2 - sqrt(17.0) / 5) < 1e-15 && c.max_abs == 4,
           "hand case without the empty set");
  spx_coefficient_error(e, t, 1, &c, NULL);
  spx_test(c.count == 4 && fabs(c.rel_l2 - sqrt(117.0 / 125)) < 1e-15 && c.max_abs == 10,
           "hand case with the empty set");
  spx_coefficient_error(e, e, 1, &c, NULL);
  spx_test(c.rel_l2 == 0 && c.max_abs == 0, "a transform against itself: error 0");
  spx_transform *z = spx_transform_create(3, SPX_BASIS_MOEBIUS);
  spx_coefficient_error(e, z, 1, &c, NULL);
  spx_test(isinf(c.rel_l2), "nonzero estimate of a zero truth: relative error inf");
  spx_coefficient_error(z, z, 1, &c, NULL);
  spx_test(c.rel_l2 == 0 && c.count == 0, "both zero: relative error 0");
  spx_transform *big = spx_transform_create(4, SPX_BASIS_MOEBIUS);
  spx_error err;
  spx_test(spx_coefficient_error(big, t, 1, &c, &err) == SPX_EINVAL, "n mismatch rejected");
  spx_transform_destroy(&big);
  spx_transform_destroy(&z);
  spx_transform_destroy(&t);
  spx_transform_destroy(&e);
}

static void test_kendall(gsl_rng *r) {
  /* scipy.stats.kendalltau documentation example (ties in both): tau-b = -0.4714045207910317
   * = -2/sqrt(18). */
  double x1[] = {12, 2, 1, 12, 2}, x2[] = {1, 4, 7, 1, 0};
  double tau;
  spx_kendall_tau_b(x1, x2, 5, &tau, NULL);
  spx_test_abs(tau, -2.0 / sqrt(18.0), 1e-15, "scipy documentation example");
  double up[] = {1, 2, 3, 4}, down[] = {4, 3, 2, 1}, flat[] = {1, 1, 1, 1};
  spx_kendall_tau_b(up, up, 4, &tau, NULL);
  spx_test(tau == 1.0, "identical order: 1");
  spx_kendall_tau_b(up, down, 4, &tau, NULL);
  spx_test(tau == -1.0, "reversed order: -1");
  spx_kendall_tau_b(up, flat, 4, &tau, NULL);
  spx_test(isnan(tau), "a constant vector gives NaN");
  spx_kendall_tau_b(up, up, 1, &tau, NULL);
  spx_test(isnan(tau), "fewer than two values give NaN");
  double bad[] = {1, NAN, 2, 3};
  spx_error err;
  spx_test(spx_kendall_tau_b(up, bad, 4, &tau, &err) == SPX_EINVAL && strstr(err.msg, "NaN"),
           "NaN input rejected: %s", err.msg);
  /* Random vectors with and without ties, against the O(m^2) definition. Both compute the
   * same integer counts exactly, so only the final division and sqrt round: 1e-14. */
  int ok = 1;
  for (int trial = 0; trial < 300; trial++) {
    size_t m = (size_t)gsl_rng_uniform_int(r, 200) + 2;
    int levels = trial % 3 == 0 ? 0 : (int)gsl_rng_uniform_int(r, 6) + 2;
    double *x = malloc(m * sizeof *x), *y = malloc(m * sizeof *y);
    for (size_t i = 0; i < m; i++) {
      x[i] = levels ? (double)gsl_rng_uniform_int(r, (unsigned long)levels) : gsl_rng_uniform(r);
      y[i] = levels ? (double)gsl_rng_uniform_int(r, (unsigned long)levels) : gsl_rng_uniform(r);
      if (trial % 5 == 0) y[i] = x[i] + (levels ? (double)gsl_rng_uniform_int(r, 2) : 0.0);
    }
    double want = brute_tau_b(x, y, m);
    spx_kendall_tau_b(x, y, m, &tau, NULL);
    if (!((isnan(want) && isnan(tau)) || fabs(tau - want) <= 1e-14)) {
      ok = 0;
      printf("  trial %d m %zu: got %.17g want %.17g\n", trial, m, tau, want);
    }
    free(x);
    free(y);
  }
  spx_test(ok, "tau-b matches the O(m^2) definition on 300 random vectors");
  /* Transforms: union of nonzero entries, missing = 0, against dense references. */
  const unsigned n = 5;
  double ta[32], tb[32], xs[32], ys[32];
  ok = 1;
  for (int trial = 0; trial < 200; trial++) {
    spx_transform *a = random_transform(r, n, SPX_BASIS_MOEBIUS, 12, trial % 2);
    spx_transform *b = random_transform(r, n, SPX_BASIS_MOEBIUS, 12, trial % 2);
    dense(a, ta, n);
    dense(b, tb, n);
    for (int inc = 0; inc < 2; inc++) {
      size_t m = 0, cnt;
      for (unsigned i = inc ? 0 : 1; i < 32; i++)
        if (ta[i] != 0 || tb[i] != 0) xs[m] = ta[i], ys[m++] = tb[i];
      double want = brute_tau_b(xs, ys, m);
      spx_transform_kendall_tau(a, b, inc, &tau, &cnt, NULL);
      if (cnt != m || !((isnan(want) && isnan(tau)) || fabs(tau - want) <= 1e-14)) {
        ok = 0;
        printf("  trial %d: got %.17g (%zu) want %.17g (%zu)\n", trial, tau, cnt, want, m);
      }
    }
    spx_transform_destroy(&a);
    spx_transform_destroy(&b);
  }
  spx_test(ok, "transform tau-b over the union matches dense brute force (200 pairs)");
}

int main(void) {
  gsl_rng *r = spx_rng_stream(2024, 7, 0, 0, 0);
  test_predict(r);
  test_r2();
  test_recovery_hand();
  test_recovery_random(r);
  test_coefficient_error(r);
  test_kendall(r);
  gsl_rng_free(r);
  return spx_test_summary();
}
