/* msr.c: Maximum Sample Reuse estimates of cardinal-probabilistic indices (msr.h), with the
 * order-1 and order-2 terms computed by feature sums and a BLAS Gram matrix. */
#include "msr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_sf_gamma.h>

#define LN2 0.69314718055994530942
#define GRAM_BLOCK 1024 /* rows per dsyrk call */

int spx_msr_supports(spx_index index) {
  return index == SPX_INDEX_SII || index == SPX_INDEX_BII || index == SPX_INDEX_SV ||
         index == SPX_INDEX_BV || index == SPX_INDEX_STII || index == SPX_INDEX_KSII;
}

double spx_msr_work(size_t n, size_t rows, unsigned order) {
  double N = (double)rows, nn = (double)n, w = N * nn;
  if (order >= 2) w += N * nn * nn;
  double c = nn * (nn - 1) / 2; /* C(n, t) for t = 3.. */
  for (unsigned t = 3; t <= order && t <= n; t++) {
    c = c * (nn - t + 1) / t;
    w += N * (double)t * c;
  }
  return w;
}

/* log w(c, t) of the index (-inf for a zero weight); c = |S \ T| in [0, n - t]. */
static double log_weight(spx_index index, size_t n, unsigned order, unsigned t, size_t c) {
  switch (index) {
  case SPX_INDEX_SII:
  case SPX_INDEX_SV:
  case SPX_INDEX_KSII: return -log((double)(n - t + 1)) - gsl_sf_lnchoose((unsigned)(n - t), (unsigned)c);
  case SPX_INDEX_BII:
  case SPX_INDEX_BV: return -(double)(n - t) * LN2;
  case SPX_INDEX_STII:
    if (t == order)
      return log((double)order) - log((double)n) -
             gsl_sf_lnchoose((unsigned)(n - 1), (unsigned)c);
    return c == 0 ? 0.0 : -INFINITY;
  default: return -INFINITY;
  }
}

/* Signed weight (-1)^{t-i} w(s - i, t) adj for a row of size s meeting T in i features
 * (0 when s - i is outside [0, n - t] or the weight is zero). */
static double sigma(spx_index index, size_t n, unsigned order, unsigned t, size_t s, unsigned i,
                    double la) {
  if (i > s || s - i > n - t) return 0.0;
  double lw = log_weight(index, n, order, t, s - i);
  if (lw == -INFINITY) return 0.0;
  double v = exp(lw + la);
  return ((t - i) & 1u) ? -v : v;
}

/* Order-t terms by enumerating every T of size t against every row. */
static int direct_terms(const spx_maskset *m, const double *la, const double *r,
                        const size_t *size, spx_index index, unsigned order, unsigned t,
                        spx_transform *out, spx_error *err) {
  size_t n = m->n, N = m->count;
  uint32_t *T = malloc((t ? t : 1) * sizeof *T);
  SPX_CHECK_ALLOC(T, err);
  for (unsigned j = 0; j < t; j++) T[j] = j;
  int rc = SPX_OK;
  for (;;) {
    double acc = 0.0;
    for (size_t q = 0; q < N; q++) {
      if (r[q] == 0.0) continue;
      const uint64_t *row = spx_maskset_row(m, q);
      unsigned i = 0;
      for (unsigned j = 0; j < t; j++) i += (unsigned)spx_mask_test(row, T[j]);
      acc += r[q] * sigma(index, n, order, t, size[q], i, la[q]);
    }
    if (acc != 0.0 && (rc = spx_transform_add(out, T, t, acc, err))) break;
    int j = (int)t - 1; /* next combination */
    while (j >= 0 && T[j] == n - t + (unsigned)j) j--;
    if (j < 0) break;
    T[j]++;
    for (unsigned k = (unsigned)j + 1; k < t; k++) T[k] = T[k - 1] + 1;
  }
  free(T);
  return rc;
}

/* Calls fn(feature) for each kept feature of a row. */
#define FOR_KEPT(row, words, a, body)                                                        \
  for (size_t w_ = 0; w_ < (words); w_++)                                                    \
    for (uint64_t b_ = (row)[w_]; b_; b_ &= b_ - 1) {                                        \
      size_t a = w_ * 64 + (size_t)__builtin_ctzll(b_);                                      \
      body;                                                                                  \
    }

/* t = 1: phi(a) = sum_r y sigma0 + sum_{r: a kept} y (sigma1 - sigma0). */
static int order1_terms(const spx_maskset *m, const double *la, const double *r,
                        const size_t *size, spx_index index, unsigned order, spx_transform *out,
                        spx_error *err) {
  size_t n = m->n, N = m->count;
  double *acc = calloc(n, sizeof *acc);
  SPX_CHECK_ALLOC(acc, err);
  double base = 0.0;
  for (size_t q = 0; q < N; q++) {
    if (r[q] == 0.0) continue;
    double s1 = sigma(index, n, order, 1, size[q], 1, la[q]);
    double s0 = sigma(index, n, order, 1, size[q], 0, la[q]);
    base += r[q] * s0;
    double d = r[q] * (s1 - s0);
    const uint64_t *row = spx_maskset_row(m, q);
    FOR_KEPT(row, m->words, a, acc[a] += d)
  }
  int rc = SPX_OK;
  for (uint32_t a = 0; a < n && rc == SPX_OK; a++)
    if (acc[a] + base != 0.0) rc = spx_transform_add(out, &a, 1, acc[a] + base, err);
  free(acc);
  return rc;
}

/* 1 when row q+1 is the complement of row q (paired sampling puts a drawn coalition's
 * complement right after it when it is new). */
static int complement_next(const spx_maskset *m, size_t q) {
  if (q + 1 >= m->count) return 0;
  const uint64_t *x = spx_maskset_row(m, q), *y = spx_maskset_row(m, q + 1);
  size_t words = m->words, tail = m->n % 64;
  for (size_t w = 0; w < words; w++) {
    uint64_t keep = (w + 1 == words && tail) ? ((uint64_t)1 << tail) - 1 : ~(uint64_t)0;
    if ((x[w] ^ y[w]) != keep) return 0;
  }
  return 1;
}

/* t = 2: phi(ab) = G_ab + h_a + h_b + c with G = X' diag(A) X, A = y (s2 - 2 s1 + s0),
 * h_a = sum_{r: a kept} y (s1 - s0), c = sum_r y s0.
 * Paired rows (paired = 1): a row x followed by its complement 1 - x with weights A1, A2
 * enters the Gram matrix once, because for a != b
 *   A1 x_a x_b + A2 (1 - x_a)(1 - x_b) = (A1 + A2) x_a x_b - A2 x_a - A2 x_b + A2,
 * i.e. the pair is the row x with weight A1 + A2, h_a -= A2 for a in x and c += A2: the same
 * sums in another order (rounding differs), half the dsyrk rows under paired sampling. */
static int order2_terms(const spx_maskset *m, const double *la, const double *r,
                        const size_t *size, spx_index index, unsigned order, int paired,
                        spx_transform *out, spx_error *err) {
  size_t n = m->n, N = m->count;
  size_t block = N < GRAM_BLOCK ? (N ? N : 1) : GRAM_BLOCK;
  double *A = malloc((N ? N : 1) * sizeof *A), *h = calloc(n, sizeof *h);
  gsl_matrix *G = gsl_matrix_calloc(n, n), *Z = gsl_matrix_alloc(block, n);
  int rc = SPX_OK;
  if (!A || !h || !G || !Z) {
    rc = spx_error_set(err, SPX_ENOMEM, "MSR: out of memory for a %zu x %zu Gram matrix", n, n);
    goto done;
  }
  double c = 0.0;
  for (size_t q = 0; q < N; q++) {
    A[q] = 0.0;
    if (r[q] == 0.0) continue;
    double s2 = sigma(index, n, order, 2, size[q], 2, la[q]);
    double s1 = sigma(index, n, order, 2, size[q], 1, la[q]);
    double s0 = sigma(index, n, order, 2, size[q], 0, la[q]);
    A[q] = r[q] * (s2 - 2.0 * s1 + s0);
    c += r[q] * s0;
    double d = r[q] * (s1 - s0);
    const uint64_t *row = spx_maskset_row(m, q);
    FOR_KEPT(row, m->words, a, h[a] += d)
  }
  if (paired)
    for (size_t q = 0; q + 1 < N; q++) {
      if (!complement_next(m, q)) continue;
      double a2 = A[q + 1];
      A[q] += a2;
      A[q + 1] = 0.0;
      c += a2;
      const uint64_t *row = spx_maskset_row(m, q);
      FOR_KEPT(row, m->words, a, h[a] -= a2)
      q++; /* the complement is merged */
    }
  /* G += sign * Z'Z over blocks of rows scaled by sqrt(|A|), positive and negative apart */
  for (int sign = 1; sign >= -1; sign -= 2) {
    size_t fill = 0;
    for (size_t q = 0; q <= N; q++) {
      int flush = q == N || fill == block;
      if (flush && fill > 0) {
        gsl_matrix_view zv = gsl_matrix_submatrix(Z, 0, 0, fill, n);
        gsl_blas_dsyrk(CblasUpper, CblasTrans, (double)sign, &zv.matrix, 1.0, G);
        fill = 0;
      }
      if (q == N) break;
      if (!(sign > 0 ? A[q] > 0.0 : A[q] < 0.0) || size[q] < 2) continue;
      double sc = sqrt(fabs(A[q]));
      double *zr = gsl_matrix_ptr(Z, fill, 0);
      memset(zr, 0, n * sizeof *zr);
      const uint64_t *row = spx_maskset_row(m, q);
      FOR_KEPT(row, m->words, a, zr[a] = sc)
      fill++;
    }
  }
  uint32_t T[2];
  for (uint32_t a = 0; a < n && rc == SPX_OK; a++)
    for (uint32_t b = a + 1; b < n && rc == SPX_OK; b++) {
      double v = gsl_matrix_get(G, a, b) + h[a] + h[b] + c;
      T[0] = a;
      T[1] = b;
      if (v != 0.0) rc = spx_transform_add(out, T, 2, v, err);
    }
done:
  free(A);
  free(h);
  gsl_matrix_free(G);
  gsl_matrix_free(Z);
  return rc;
}

static void bernoulli(unsigned m, double *b) {
  b[0] = 1.0;
  for (unsigned j = 1; j <= m; j++) {
    double s = 0.0, c = 1.0; /* C(j+1, i) */
    for (unsigned i = 0; i < j; i++) {
      s += c * b[i];
      c = c * (double)(j + 1 - i) / (double)(i + 1);
    }
    b[j] = (j >= 3 && j % 2 == 1) ? 0.0 : -s / (double)(j + 1);
  }
}

int spx_ksii_from_sii(const spx_transform *sii, unsigned order, spx_transform **out,
                      spx_error *err) {
  *out = NULL;
  if (order > 30) return spx_error_set(err, SPX_ERANGE, "k-SII: order %u above 30", order);
  double b[32];
  bernoulli(order, b);
  spx_transform *t = spx_transform_create(spx_transform_n(sii), SPX_BASIS_INDEX);
  SPX_CHECK_ALLOC(t, err);
  int rc = SPX_OK;
  uint32_t sub[32];
  for (size_t e = 0; e < spx_transform_size(sii) && rc == SPX_OK; e++) {
    const uint32_t *S;
    uint32_t s;
    double v;
    spx_transform_entry(sii, e, &S, &s, &v);
    if (s == 0) {
      rc = spx_transform_add(t, S, 0, v, err);
      continue;
    }
    if (s > order) continue;
    for (uint32_t mask = 1; mask < (1u << s) && rc == SPX_OK; mask++) {
      unsigned k = 0;
      for (unsigned i = 0; i < s; i++)
        if (mask >> i & 1u) sub[k++] = S[i];
      if (b[s - k] != 0.0) rc = spx_transform_add(t, sub, k, b[s - k] * v, err);
    }
  }
  if (rc) spx_transform_destroy(&t);
  *out = t;
  return rc;
}

/* Adds the estimate of an index of the given order (the empty set first, then orders
 * 1..max_t <= order) to t; SII in place of k-SII. */
static int msr_fill(const spx_maskset *masks, const double *ln_adjust, const double *r,
                    spx_index index, unsigned order, unsigned max_t,
                    spx_msr_algorithm algorithm, spx_transform *t, spx_error *err) {
  size_t n = masks->n, N = masks->count;
  size_t *size = malloc((N ? N : 1) * sizeof *size);
  SPX_CHECK_ALLOC(size, err);
  double empty = 0.0;
  for (size_t q = 0; q < N; q++) {
    size[q] = spx_mask_popcount(spx_maskset_row(masks, q), masks->words);
    if (index == SPX_INDEX_BII)
      empty += r[q] * exp(ln_adjust[q] - (double)n * LN2);
  }
  static const uint32_t none[1] = {0};
  int rc = spx_transform_add(t, none, 0, empty, err);
  spx_index base = index == SPX_INDEX_KSII ? SPX_INDEX_SII : index;
  int direct = algorithm == SPX_MSR_DIRECT;
  int paired = algorithm == SPX_MSR_PAIRED ||
               (algorithm == SPX_MSR_AUTO && n >= SPX_MSR_PAIRED_MIN_N);
  for (unsigned k = 1; k <= max_t && rc == SPX_OK; k++) {
    if (!direct && k == 1)
      rc = order1_terms(masks, ln_adjust, r, size, base, order, t, err);
    else if (!direct && k == 2)
      rc = order2_terms(masks, ln_adjust, r, size, base, order, paired, t, err);
    else
      rc = direct_terms(masks, ln_adjust, r, size, base, order, k, t, err);
  }
  free(size);
  return rc;
}

/* The index and order after the checks every entry point makes (SV, BV: order 1). */
static int msr_check(const spx_maskset *masks, spx_index index, unsigned *order,
                     spx_error *err) {
  if (!spx_msr_supports(index))
    return spx_error_set(err, SPX_EINVAL,
                         "MSR estimates cardinal-probabilistic indices (sii, bii, sv, bv, stii, "
                         "k-sii), not %s",
                         spx_index_name(index));
  if (index == SPX_INDEX_SV || index == SPX_INDEX_BV) *order = 1;
  if (*order == 0 || *order > masks->n)
    return spx_error_set(err, SPX_EINVAL, "MSR: order %u outside 1..n = %zu", *order,
                         masks->n);
  return SPX_OK;
}

int spx_msr_index(const spx_maskset *masks, const double *ln_adjust, const double *r,
                  spx_index index, unsigned order, spx_msr_algorithm algorithm,
                  spx_transform **out, spx_error *err) {
  *out = NULL;
  int rc = msr_check(masks, index, &order, err);
  if (rc) return rc;
  spx_transform *t = spx_transform_create((uint32_t)masks->n, SPX_BASIS_INDEX);
  SPX_CHECK_ALLOC(t, err);
  rc = msr_fill(masks, ln_adjust, r, index, order, order, algorithm, t, err);
  if (rc == SPX_OK && index == SPX_INDEX_KSII) {
    spx_transform *k = NULL;
    rc = spx_ksii_from_sii(t, order, &k, err);
    spx_transform_destroy(&t);
    t = k;
  }
  if (rc == SPX_OK) rc = spx_transform_prune(t, 0.0, 1, err);
  if (rc) {
    spx_transform_destroy(&t);
    return rc;
  }
  *out = t;
  return SPX_OK;
}

int spx_msr_index_add(const spx_maskset *masks, const double *ln_adjust, const double *r,
                      spx_index index, unsigned order, unsigned max_t,
                      spx_msr_algorithm algorithm, spx_transform *acc, spx_error *err) {
  if (spx_transform_n(acc) != masks->n)
    return spx_error_set(err, SPX_EINVAL, "MSR: adding to a transform of n = %u, not %zu",
                         spx_transform_n(acc), masks->n);
  int rc = msr_check(masks, index, &order, err);
  if (rc) return rc;
  if (max_t == 0 || max_t > order) max_t = order;
  if (index == SPX_INDEX_KSII) { /* aggregate the SII estimate of orders 1..max_t first */
    spx_transform *t = spx_transform_create((uint32_t)masks->n, SPX_BASIS_INDEX), *k = NULL;
    SPX_CHECK_ALLOC(t, err);
    rc = msr_fill(masks, ln_adjust, r, index, order, max_t, algorithm, t, err);
    if (rc == SPX_OK) rc = spx_ksii_from_sii(t, order, &k, err);
    if (rc == SPX_OK) rc = spx_transform_prune(k, 0.0, 1, err);
    if (rc == SPX_OK) rc = spx_transform_merge(acc, k, 1.0, err);
    spx_transform_destroy(&t);
    spx_transform_destroy(&k);
    return rc;
  }
  return msr_fill(masks, ln_adjust, r, index, order, max_t, algorithm, acc, err);
}
