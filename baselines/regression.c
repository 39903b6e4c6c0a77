/* regression.c: the Moebius (AND) regression design of the baselines and a weighted ridge /
 * least-squares solver on its normal equations (Cholesky, SVD fallback, optional linear
 * equality constraint, leave-one-out penalty selection through the hat matrix). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "baselines.h"

/* ---- design ------------------------------------------------------------------------------ */

int spx_baseline_design_init(spx_baseline_design *d, size_t n, unsigned lo, unsigned order,
                       spx_error *err) {
  memset(d, 0, sizeof *d);
  if (order > n) order = (unsigned)n;
  if (lo > order || order > 64)
    return spx_error_set(err, SPX_EINVAL, "regression design: bad orders %u..%u for n = %zu",
                         lo, order, n);
  double pd = spx_baseline_num_columns(n, lo, order);
  if (!(pd < 1e12))
    return spx_error_set(err, SPX_ERANGE,
                         "regression design: %.3g columns (n = %zu, order %u) is too many", pd,
                         n, order);
  d->n = n;
  d->lo = lo;
  d->order = order;
  d->binom = malloc((n + 1) * (order + 1) * sizeof *d->binom);
  d->offset = malloc((order + 2) * sizeof *d->offset);
  d->kept = malloc((n ? n : 1) * sizeof *d->kept);
  if (!d->binom || !d->offset || !d->kept) {
    spx_baseline_design_free(d);
    return spx_error_set(err, SPX_ENOMEM, "regression design: out of memory (n = %zu)", n);
  }
  /* C(c, j) for j <= order; every value used is at most C(n, order) < 1e12 */
  for (size_t c = 0; c <= n; c++)
    for (unsigned j = 0; j <= order; j++) {
      size_t *b = d->binom + c * (order + 1);
      if (j == 0)
        b[j] = 1;
      else if (c == 0)
        b[j] = 0;
      else {
        const size_t *a = d->binom + (c - 1) * (order + 1);
        size_t v = a[j - 1] + a[j];
        b[j] = v < a[j] ? SIZE_MAX : v; /* saturate (unused beyond C(n, order)) */
      }
    }
  d->offset[lo] = 0;
  for (unsigned k = lo; k <= order; k++) d->offset[k + 1] = d->offset[k] + d->binom[n * (order + 1) + k];
  d->p = d->offset[order + 1];
  return SPX_OK;
}

void spx_baseline_design_free(spx_baseline_design *d) {
  free(d->binom);
  free(d->offset);
  free(d->kept);
  memset(d, 0, sizeof *d);
}

static inline size_t binom_at(const spx_baseline_design *d, size_t c, unsigned j) {
  return d->binom[c * (d->order + 1) + j];
}

size_t spx_baseline_design_row(spx_baseline_design *d, const uint64_t *m, size_t *cols) {
  size_t q = 0, count = 0;
  for (size_t i = spx_mask_next(m, d->n, 0); i < d->n; i = spx_mask_next(m, d->n, i + 1))
    d->kept[q++] = (uint32_t)i;
  size_t pos[65];
  for (unsigned k = d->lo; k <= d->order && k <= q; k++) {
    /* the k-subsets of the kept features in colex order, whose ranks increase */
    for (unsigned j = 0; j < k; j++) pos[j] = j;
    for (;;) {
      size_t rank = 0;
      for (unsigned j = 0; j < k; j++) rank += binom_at(d, d->kept[pos[j]], j + 1);
      cols[count++] = d->offset[k] + rank;
      unsigned j = 0;
      while (j < k && pos[j] + 1 >= (j + 1 < k ? pos[j + 1] : q)) j++;
      if (j == k) break;
      pos[j]++;
      for (unsigned i = 0; i < j; i++) pos[i] = i;
    }
  }
  return count;
}

void spx_baseline_design_subset(const spx_baseline_design *d, size_t col, uint32_t *idx, unsigned *deg) {
  unsigned k = d->lo;
  while (col >= d->offset[k + 1]) k++;
  size_t r = col - d->offset[k];
  for (unsigned j = k; j >= 1; j--) {
    /* largest c with C(c, j) <= r */
    size_t lo = j - 1, hi = d->n - 1;
    while (lo < hi) {
      size_t mid = lo + (hi - lo + 1) / 2;
      if (binom_at(d, mid, j) <= r)
        lo = mid;
      else
        hi = mid - 1;
    }
    idx[j - 1] = (uint32_t)lo;
    r -= binom_at(d, lo, j);
  }
  *deg = k;
}

/* ---- solver ------------------------------------------------------------------------------- */

/* The dual (kernel) form needs every column penalised with lambda > 0 and no constraint; it
 * is used when its N x N matrices are smaller than the primal p x p ones. */
static int dual_eligible(const spx_baseline_penalty *pen, size_t first_penalised, const double *con) {
  return con == NULL && first_penalised == 0 && spx_baseline_penalty_positive(pen);
}

static double primal_bytes(double p) { return 3.0 * 8.0 * (p + 1.0) * (p + 1.0); }
static double dual_bytes(size_t rows) { return 2.0 * 8.0 * (double)rows * (double)rows; }

double spx_baseline_fit_memory(size_t n, double p, size_t rows, int dual_ok) {
  /* primal: normal matrix, its factor / inverse, the SVD fallback's V; dual: the kernel
   * matrix and its factor / inverse; both: masks, values, weights, coefficients, a row's
   * column list and the output transform (~64 bytes per entry) */
  double core = primal_bytes(p);
  if (dual_ok && dual_bytes(rows) < core) core = dual_bytes(rows);
  return core + (double)rows * (8.0 * spx_mask_words(n) + 16.0) + 88.0 * p;
}

double spx_baseline_fit_flops(size_t n, double p, size_t rows, int dual_ok) {
  /* primal: accumulate the normal equations (about p^2 per row for a dense row of the
   * design; rows of the AND basis are about that dense at uniform masks) plus a few
   * factorisations of p x p (the penalty grid); dual: the kernel (one popcount per word per
   * pair) plus factorisations and inverses of rows x rows. The cheaper form is used. */
  double r = (double)rows;
  double primal = r * p * p + 4.0 * p * p * p / 3.0;
  double dual = r * r * (double)spx_mask_words(n) + 7.0 * r * r * r / 3.0;
  return dual_ok && dual_bytes(rows) < primal_bytes(p) ? dual : primal;
}

typedef struct {
  size_t p;
  gsl_matrix *G; /* X^T W X */
  gsl_vector *c; /* X^T W y */
  gsl_matrix *A; /* G + penalty, factored / inverted in place */
  size_t *cols;
} lsq;

static void lsq_free(lsq *s) {
  if (s->G) gsl_matrix_free(s->G);
  if (s->A) gsl_matrix_free(s->A);
  if (s->c) gsl_vector_free(s->c);
  free(s->cols);
}

static double row_weight(const spx_baseline_rows *rows, size_t i) {
  return rows->w ? rows->w[i] : 1.0;
}

/* Accumulate the normal equations row by row (upper triangle, then mirrored). */
static void lsq_accumulate(lsq *s, const spx_baseline_rows *rows, spx_baseline_design *d) {
  size_t p = s->p, tda = s->G->tda;
  double *G = s->G->data, *c = s->c->data;
  for (size_t i = 0; i < rows->count; i++) {
    double w = row_weight(rows, i);
    if (w == 0.0) continue;
    size_t q = spx_baseline_design_row(d, rows->bits + i * rows->words, s->cols);
    double wy = w * rows->y[i];
    for (size_t a = 0; a < q; a++) {
      double *g = G + s->cols[a] * tda;
      c[s->cols[a]] += wy;
      for (size_t b = a; b < q; b++) g[s->cols[b]] += w;
    }
  }
  for (size_t a = 0; a < p; a++)
    for (size_t b = 0; b < a; b++) G[a * tda + b] = G[b * tda + a];
}

/* A = G + lambda on the penalised diagonal; Cholesky in place. 0 when it succeeded and the
 * reciprocal condition number is acceptable. */
static int lsq_factor(lsq *s, double lambda, size_t first_penalised) {
  gsl_matrix_memcpy(s->A, s->G);
  for (size_t j = first_penalised; j < s->p; j++) *gsl_matrix_ptr(s->A, j, j) += lambda;
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  int rc = gsl_linalg_cholesky_decomp1(s->A);
  double rcond = 0.0;
  if (rc == GSL_SUCCESS) {
    gsl_vector *work = gsl_vector_alloc(3 * s->p);
    if (work == NULL)
      rc = GSL_ENOMEM;
    else {
      rc = gsl_linalg_cholesky_rcond(s->A, &rcond, work);
      gsl_vector_free(work);
    }
  }
  gsl_set_error_handler(old);
  if (rc != GSL_SUCCESS || !(rcond >= 1e-12)) return 1;
  return 0;
}

static double dot(const double *a, const double *b, size_t p) {
  double s = 0.0;
  for (size_t j = 0; j < p; j++) s += a[j] * b[j];
  return s;
}

/* Solve with the Cholesky factor in A (and the constraint, if any). 0 on success. */
static int lsq_solve_chol(lsq *s, const double *con, double con_rhs, double *beta) {
  size_t p = s->p;
  gsl_vector_view b = gsl_vector_view_array(beta, p);
  gsl_linalg_cholesky_solve(s->A, s->c, &b.vector);
  if (con == NULL) return 0;
  gsl_vector *u = gsl_vector_alloc(p);
  if (u == NULL) return 1;
  gsl_vector_const_view cv = gsl_vector_const_view_array(con, p);
  gsl_linalg_cholesky_solve(s->A, &cv.vector, u);
  double cu = dot(con, u->data, p);
  int rc = 1;
  if (cu > 0.0 && isfinite(cu)) {
    double t = (dot(con, beta, p) - con_rhs) / cu;
    for (size_t j = 0; j < p; j++) beta[j] -= t * u->data[j];
    rc = 0;
  }
  gsl_vector_free(u);
  return rc;
}

/* SVD of the (bordered) normal matrix; singular values below p eps s_max are dropped, which
 * gives the minimum-norm solution of a rank-deficient system. */
static int lsq_solve_svd(lsq *s, double lambda, size_t first_penalised, const double *con,
                         double con_rhs, double *beta, spx_error *err) {
  size_t p = s->p, m = p + (con ? 1 : 0);
  gsl_matrix *K = gsl_matrix_alloc(m, m), *V = gsl_matrix_alloc(m, m);
  gsl_vector *S = gsl_vector_alloc(m), *work = gsl_vector_alloc(m), *rhs = gsl_vector_alloc(m),
             *x = gsl_vector_alloc(m);
  int rc = SPX_OK;
  if (!K || !V || !S || !work || !rhs || !x) {
    rc = spx_error_set(err, SPX_ENOMEM,
                       "regression: out of memory for the SVD fallback (%zu columns)", p);
    goto done;
  }
  gsl_matrix_set_zero(K);
  gsl_matrix_view Kp = gsl_matrix_submatrix(K, 0, 0, p, p);
  gsl_matrix_memcpy(&Kp.matrix, s->G);
  for (size_t j = first_penalised; j < p; j++) *gsl_matrix_ptr(K, j, j) += lambda;
  for (size_t j = 0; j < p; j++) gsl_vector_set(rhs, j, gsl_vector_get(s->c, j));
  if (con) {
    for (size_t j = 0; j < p; j++) {
      gsl_matrix_set(K, p, j, con[j]);
      gsl_matrix_set(K, j, p, con[j]);
    }
    gsl_vector_set(rhs, p, con_rhs);
  }
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  int g = gsl_linalg_SV_decomp(K, V, S, work);
  if (g == GSL_SUCCESS) {
    double smax = gsl_vector_get(S, 0), tol = (double)m * DBL_EPSILON * smax;
    for (size_t j = 0; j < m; j++)
      if (gsl_vector_get(S, j) <= tol) gsl_vector_set(S, j, 0.0);
    g = gsl_linalg_SV_solve(K, V, S, rhs, x);
  }
  gsl_set_error_handler(old);
  if (g != GSL_SUCCESS) {
    rc = spx_error_set(err, SPX_EINTERNAL, "regression: SVD failed (%s)", gsl_strerror(g));
    goto done;
  }
  for (size_t j = 0; j < p; j++) beta[j] = gsl_vector_get(x, j);
done:
  if (K) gsl_matrix_free(K);
  if (V) gsl_matrix_free(V);
  if (S) gsl_vector_free(S);
  if (work) gsl_vector_free(work);
  if (rhs) gsl_vector_free(rhs);
  if (x) gsl_vector_free(x);
  return rc;
}

/* Weighted leave-one-out error at lambda (hat-matrix form); inf when A is not positive
 * definite or a row has leverage 1. */
static int lsq_loo(lsq *s, const spx_baseline_rows *rows, spx_baseline_design *d, double lambda,
                   size_t first_penalised, const double *con, double con_rhs, double *beta,
                   double *score, spx_error *err) {
  size_t p = s->p;
  *score = INFINITY;
  if (lsq_factor(s, lambda, first_penalised)) return SPX_OK;
  double *u = NULL, cu = 0.0;
  if (lsq_solve_chol(s, con, con_rhs, beta)) return SPX_OK;
  if (con) {
    u = malloc(p * sizeof *u);
    SPX_CHECK_ALLOC(u, err);
    gsl_vector_view uv = gsl_vector_view_array(u, p);
    gsl_vector_const_view cv = gsl_vector_const_view_array(con, p);
    gsl_linalg_cholesky_solve(s->A, &cv.vector, &uv.vector);
    cu = dot(con, u, p);
  }
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  int g = gsl_linalg_cholesky_invert(s->A); /* A := (G + lambda)^-1, full */
  gsl_set_error_handler(old);
  if (g != GSL_SUCCESS) {
    free(u);
    return SPX_OK;
  }
  const double *Ainv = s->A->data;
  size_t tda = s->A->tda;
  double sum = 0.0, sumw = 0.0;
  for (size_t i = 0; i < rows->count; i++) {
    double w = row_weight(rows, i);
    if (w == 0.0) continue;
    size_t q = spx_baseline_design_row(d, rows->bits + i * rows->words, s->cols);
    double xax = 0.0, xb = 0.0, xu = 0.0;
    for (size_t a = 0; a < q; a++) {
      const double *r = Ainv + s->cols[a] * tda;
      double acc = 0.0;
      for (size_t b = a + 1; b < q; b++) acc += r[s->cols[b]];
      xax += 2.0 * acc + r[s->cols[a]];
      xb += beta[s->cols[a]];
      if (u) xu += u[s->cols[a]];
    }
    double h = w * (u ? xax - xu * xu / cu : xax);
    if (!(1.0 - h > 1e-10)) {
      free(u);
      return SPX_OK; /* leverage 1: leave-one-out undefined */
    }
    double e = (rows->y[i] - xb) / (1.0 - h);
    sum += w * e * e;
    sumw += w;
  }
  free(u);
  *score = sumw > 0.0 ? sum / sumw : INFINITY;
  return SPX_OK;
}

/* ---- dual (kernel) ridge ------------------------------------------------------------------ */

/* K(S, S') = x_S . x_S' = sum_{k=lo}^{order} C(|S ∩ S'|, k): the design's Gram matrix of the
 * rows, from one popcount per pair. With M = W^1/2 K W^1/2 + lambda I and alpha =
 * M^-1 W^1/2 y, beta = X^T W^1/2 alpha and the weighted LOO residual of row i is
 * alpha_i / (sqrt(w_i) [M^-1]_ii) (since I - H = lambda M^-1). */
static int fit_dual(const spx_baseline_rows *rows, spx_baseline_design *d, const spx_baseline_penalty *pen,
                    double *beta, spx_baseline_fit_info *info, spx_error *err) {
  size_t N = rows->count, n = d->n, p = d->p;
  gsl_matrix *K = gsl_matrix_alloc(N ? N : 1, N ? N : 1), *M = gsl_matrix_alloc(N ? N : 1, N ? N : 1);
  gsl_vector *yt = gsl_vector_alloc(N ? N : 1), *alpha = gsl_vector_alloc(N ? N : 1),
             *diag = gsl_vector_alloc(N ? N : 1);
  double *kern = malloc((n + 1) * sizeof *kern), *sw = malloc((N ? N : 1) * sizeof *sw);
  size_t *cols = malloc((p ? p : 1) * sizeof *cols);
  int rc = SPX_OK;
  if (!K || !M || !yt || !alpha || !diag || !kern || !sw || !cols) {
    rc = spx_error_set(err, SPX_ENOMEM, "regression: out of memory for the %zu x %zu kernel", N,
                       N);
    goto done;
  }
  for (size_t c = 0; c <= n; c++) {
    kern[c] = 0.0;
    for (unsigned k = d->lo; k <= d->order; k++) kern[c] += spx_baseline_choose(c, k);
  }
  for (size_t i = 0; i < N; i++) {
    sw[i] = sqrt(row_weight(rows, i));
    gsl_vector_set(yt, i, sw[i] * rows->y[i]);
  }
  for (size_t i = 0; i < N; i++) {
    const uint64_t *a = rows->bits + i * rows->words;
    for (size_t j = 0; j <= i; j++) {
      const uint64_t *b = rows->bits + j * rows->words;
      size_t c = 0;
      for (size_t w = 0; w < rows->words; w++) c += (size_t)__builtin_popcountll(a[w] & b[w]);
      double v = sw[i] * sw[j] * kern[c];
      gsl_matrix_set(K, i, j, v);
      gsl_matrix_set(K, j, i, v);
    }
  }
  size_t nl = pen->loo ? pen->ngrid : 1;
  double best = INFINITY, lambda = pen->loo ? pen->grid[0] : pen->value;
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  for (size_t k = 0; k < nl && pen->loo; k++) {
    gsl_matrix_memcpy(M, K);
    for (size_t i = 0; i < N; i++) *gsl_matrix_ptr(M, i, i) += pen->grid[k];
    info->loo[k] = INFINITY;
    if (gsl_linalg_cholesky_decomp1(M) != GSL_SUCCESS) continue;
    gsl_linalg_cholesky_solve(M, yt, alpha);
    /* diag(M^-1)_i = sum_{r >= i} (L^-1)_{ri}^2, from the inverse of the factor L */
    if (gsl_linalg_tri_invert(CblasLower, CblasNonUnit, M) != GSL_SUCCESS) continue;
    gsl_vector_set_zero(diag);
    for (size_t r = 0; r < N; r++) {
      const double *row = gsl_matrix_const_ptr(M, r, 0);
      double *dg = diag->data;
      for (size_t i = 0; i <= r; i++) dg[i] += row[i] * row[i];
    }
    double sum = 0.0, sumw = 0.0;
    for (size_t i = 0; i < N; i++) {
      if (sw[i] == 0.0) continue;
      double r = gsl_vector_get(alpha, i) / gsl_vector_get(diag, i);
      sum += r * r;
      sumw += sw[i] * sw[i];
    }
    info->loo[k] = sumw > 0.0 ? sum / sumw : INFINITY;
    if (info->loo[k] < best) {
      best = info->loo[k];
      lambda = pen->grid[k];
    }
  }
  gsl_matrix_memcpy(M, K);
  for (size_t i = 0; i < N; i++) *gsl_matrix_ptr(M, i, i) += lambda;
  int g = gsl_linalg_cholesky_decomp1(M);
  if (g == GSL_SUCCESS) g = gsl_linalg_cholesky_solve(M, yt, alpha);
  gsl_set_error_handler(old);
  if (g != GSL_SUCCESS) {
    rc = spx_error_set(err, SPX_EINTERNAL, "regression: kernel Cholesky failed (%s)",
                       gsl_strerror(g));
    goto done;
  }
  info->penalty = lambda;
  info->dual = 1;
  memset(beta, 0, p * sizeof *beta);
  for (size_t i = 0; i < N; i++) {
    double a = sw[i] * gsl_vector_get(alpha, i);
    if (a == 0.0) continue;
    size_t q = spx_baseline_design_row(d, rows->bits + i * rows->words, cols);
    for (size_t j = 0; j < q; j++) beta[cols[j]] += a;
  }
done:
  if (K) gsl_matrix_free(K);
  if (M) gsl_matrix_free(M);
  if (yt) gsl_vector_free(yt);
  if (alpha) gsl_vector_free(alpha);
  if (diag) gsl_vector_free(diag);
  free(kern);
  free(sw);
  free(cols);
  return rc;
}

int spx_baseline_fit(const spx_baseline_rows *rows, spx_baseline_design *d, const spx_baseline_penalty *pen,
               size_t first_penalised, const double *con, double con_rhs, double *beta,
               spx_baseline_fit_info *info, spx_error *err) {
  memset(info, 0, sizeof *info);
  size_t p = d->p;
  if (p == 0) return SPX_OK;
  if (dual_eligible(pen, first_penalised, con) && rows->count > 0 &&
      dual_bytes(rows->count) < primal_bytes((double)p))
    return fit_dual(rows, d, pen, beta, info, err);
  lsq s = {.p = p};
  s.G = gsl_matrix_calloc(p, p);
  s.A = gsl_matrix_alloc(p, p);
  s.c = gsl_vector_calloc(p);
  s.cols = malloc(p * sizeof *s.cols);
  if (!s.G || !s.A || !s.c || !s.cols) {
    lsq_free(&s);
    return spx_error_set(err, SPX_ENOMEM,
                         "regression: out of memory for the normal equations (%zu columns)", p);
  }
  lsq_accumulate(&s, rows, d);

  int rc = SPX_OK;
  double lambda = pen->value;
  if (pen->loo) {
    double best = INFINITY;
    lambda = pen->grid[0];
    for (size_t k = 0; k < pen->ngrid && rc == SPX_OK; k++) {
      rc = lsq_loo(&s, rows, d, pen->grid[k], first_penalised, con, con_rhs, beta,
                   &info->loo[k], err);
      if (info->loo[k] < best) {
        best = info->loo[k];
        lambda = pen->grid[k];
      }
    }
  }
  info->penalty = lambda;
  if (rc == SPX_OK) {
    if (lsq_factor(&s, lambda, first_penalised) || lsq_solve_chol(&s, con, con_rhs, beta)) {
      info->fallback = 1;
      rc = lsq_solve_svd(&s, lambda, first_penalised, con, con_rhs, beta, err);
    }
  }
  lsq_free(&s);
  return rc;
}
