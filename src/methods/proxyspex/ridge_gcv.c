/* ridge_gcv.c: ridge regression with the penalty chosen by GCV or leave-one-out from one thin
 * SVD (GSL), or for tall designs from the eigendecomposition of the Gram matrix (BLAS), used by
 * ProxySPEX to refit the kept Fourier support. */
#include "ridge_gcv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

void spx_logspace(double lo, double hi, size_t count, double *lambdas) {
  for (size_t i = 0; i < count; i++) {
    double e = count > 1 ? lo + (hi - lo) * (double)i / (double)(count - 1) : lo;
    lambdas[i] = pow(10.0, e);
  }
}

/* Thin SVD X = U diag(s) V' with U rows x r, V cols x r, r = min(rows, cols). */
static int thin_svd(const double *X, size_t rows, size_t cols, gsl_matrix **U, gsl_vector **s,
                    gsl_matrix **V, spx_error *err) {
  int tall = rows >= cols;
  size_t m = tall ? rows : cols, r = tall ? cols : rows; /* decompose the m x r orientation */
  gsl_matrix *A = gsl_matrix_alloc(m, r), *W = gsl_matrix_alloc(r, r);
  gsl_vector *S = gsl_vector_alloc(r), *work = gsl_vector_alloc(r);
  gsl_matrix *Xr = (tall && m >= 2 * r) ? gsl_matrix_alloc(r, r) : NULL;
  if (!A || !W || !S || !work || (tall && m >= 2 * r && !Xr)) {
    gsl_matrix_free(A);
    gsl_matrix_free(W);
    gsl_vector_free(S);
    gsl_vector_free(work);
    gsl_matrix_free(Xr);
    return spx_error_set(err, SPX_ENOMEM, "out of memory for a %zu x %zu SVD", rows, cols);
  }
  for (size_t i = 0; i < rows; i++)
    for (size_t j = 0; j < cols; j++) {
      if (tall)
        gsl_matrix_set(A, i, j, X[i * cols + j]);
      else
        gsl_matrix_set(A, j, i, X[i * cols + j]);
    }
  /* The modified Golub-Reinsch algorithm (QR first) is faster for m >> r. */
  int rc = Xr ? gsl_linalg_SV_decomp_mod(A, Xr, W, S, work)
              : gsl_linalg_SV_decomp(A, W, S, work);
  gsl_matrix_free(Xr);
  gsl_vector_free(work);
  if (rc != 0) {
    gsl_matrix_free(A);
    gsl_matrix_free(W);
    gsl_vector_free(S);
    return spx_error_set(err, SPX_EINTERNAL, "SVD of a %zu x %zu matrix failed (GSL code %d)",
                         rows, cols, rc);
  }
  /* A = left vectors of the decomposed orientation, W = right ones */
  *U = tall ? A : W;
  *V = tall ? W : A;
  *s = S;
  return SPX_OK;
}

/* The same factors from the Gram matrix when rows >= 2 cols: X'X = V diag(s^2) V' (symmetric
 * eigendecomposition of a cols x cols matrix, X'X by BLAS dsyrk), z = diag(1/s) V'X'y and
 * |y|^2 - |z|^2 for the part of y outside the column space. U = X V diag(1/s) is formed only
 * when want_u (leave-one-out needs its rows). Directions with s_j^2 <= 1e-12 s_max^2 are the
 * null space (s_j = 0, z_j = 0), as a thin SVD would give them up to rounding. */
static int gram_factor(const double *X, size_t rows, size_t cols, const double *y, int want_u,
                       gsl_matrix **U, gsl_vector **s, gsl_matrix **V, double *z,
                       double *perp, spx_error *err) {
  gsl_matrix_const_view Xv = gsl_matrix_const_view_array(X, rows, cols);
  gsl_vector_const_view yv = gsl_vector_const_view_array(y, rows);
  gsl_matrix *G = gsl_matrix_calloc(cols, cols), *W = gsl_matrix_alloc(cols, cols);
  gsl_vector *S = gsl_vector_alloc(cols), *b = gsl_vector_alloc(cols), *c = gsl_vector_alloc(cols);
  gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(cols);
  gsl_matrix *Um = want_u ? gsl_matrix_alloc(rows, cols) : NULL;
  int rc = SPX_OK;
  if (!G || !W || !S || !b || !c || !ws || (want_u && !Um)) {
    rc = spx_error_set(err, SPX_ENOMEM, "out of memory for a %zu x %zu ridge Gram matrix", cols,
                       cols);
    goto done;
  }
  gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, &Xv.matrix, 0.0, G);
  gsl_blas_dgemv(CblasTrans, 1.0, &Xv.matrix, &yv.vector, 0.0, b);
  double yy;
  gsl_blas_ddot(&yv.vector, &yv.vector, &yy);
  if (gsl_eigen_symmv(G, S, W, ws) != 0) { /* reads the lower triangle */
    rc = spx_error_set(err, SPX_EINTERNAL, "eigendecomposition of a %zu x %zu Gram matrix failed",
                       cols, cols);
    goto done;
  }
  gsl_eigen_symmv_sort(S, W, GSL_EIGEN_SORT_VAL_DESC);
  double top = gsl_vector_get(S, 0) > 0.0 ? gsl_vector_get(S, 0) : 0.0, zz = 0.0;
  gsl_blas_dgemv(CblasTrans, 1.0, W, b, 0.0, c); /* V'X'y */
  for (size_t j = 0; j < cols; j++) {
    double e = gsl_vector_get(S, j);
    double sj = e > 1e-12 * top && e > 0.0 ? sqrt(e) : 0.0;
    gsl_vector_set(S, j, sj);
    z[j] = sj > 0.0 ? gsl_vector_get(c, j) / sj : 0.0;
    zz += z[j] * z[j];
  }
  *perp = yy - zz > 0.0 ? yy - zz : 0.0;
  if (want_u) {
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &Xv.matrix, W, 0.0, Um);
    for (size_t j = 0; j < cols; j++) {
      double sj = gsl_vector_get(S, j);
      gsl_vector_view col = gsl_matrix_column(Um, j);
      gsl_vector_scale(&col.vector, sj > 0.0 ? 1.0 / sj : 0.0);
    }
  }
done:
  gsl_matrix_free(G);
  gsl_vector_free(b);
  gsl_vector_free(c);
  if (ws) gsl_eigen_symmv_free(ws);
  if (rc) {
    gsl_matrix_free(W);
    gsl_vector_free(S);
    gsl_matrix_free(Um);
    return rc;
  }
  *U = Um;
  *V = W;
  *s = S;
  return SPX_OK;
}

int spx_ridge_cv(const double *X, size_t rows, size_t cols, const double *y,
                 const double *lambdas, size_t nlambda, spx_ridge_criterion criterion,
                 double *coef, double *chosen, double *scores, spx_error *err) {
  if (rows == 0 || cols == 0 || nlambda == 0)
    return spx_error_set(err, SPX_EINVAL, "ridge needs rows, columns and penalties (%zu, %zu, %zu)",
                         rows, cols, nlambda);
  for (size_t l = 0; l < nlambda; l++)
    if (!(lambdas[l] > 0.0) || !isfinite(lambdas[l]))
      return spx_error_set(err, SPX_EINVAL, "ridge penalty %g is not positive and finite",
                           lambdas[l]);
  gsl_matrix *U = NULL, *V = NULL;
  gsl_vector *s = NULL;
  size_t r = rows < cols ? rows : cols;
  double *z = malloc(r * sizeof *z), *f = malloc(r * sizeof *f);
  double perp = 0.0;
  int rc = z && f ? SPX_OK : spx_error_set(err, SPX_ENOMEM, "out of memory in ridge");
  if (rc == SPX_OK && rows >= 2 * cols) {
    rc = gram_factor(X, rows, cols, y, criterion == SPX_RIDGE_LOO, &U, &s, &V, z, &perp, err);
  } else if (rc == SPX_OK) {
    rc = thin_svd(X, rows, cols, &U, &s, &V, err);
    if (rc == SPX_OK) {
      const double *u = U->data;
      size_t tda = U->tda;
      for (size_t j = 0; j < r; j++) z[j] = 0.0;
      for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < r; j++) z[j] += u[i * tda + j] * y[i];
      /* the part of y outside the column space, which no penalty changes */
      for (size_t i = 0; i < rows; i++) {
        double p = 0.0;
        for (size_t j = 0; j < r; j++) p += u[i * tda + j] * z[j];
        perp += (y[i] - p) * (y[i] - p);
      }
    }
  }
  if (rc) goto done;
  const double *u = U ? U->data : NULL;
  size_t tda = U ? U->tda : 0;
  size_t best = nlambda;
  double best_score = INFINITY;
  for (size_t l = 0; l < nlambda; l++) {
    double lam = lambdas[l], trace = 0.0, rss = perp;
    for (size_t j = 0; j < r; j++) {
      double s2 = gsl_vector_get(s, j) * gsl_vector_get(s, j);
      f[j] = s2 / (s2 + lam);
      trace += f[j];
      double shrunk = (1.0 - f[j]) * z[j]; /* = lam/(s2+lam) z_j */
      rss += shrunk * shrunk;
    }
    double score;
    if (criterion == SPX_RIDGE_GCV) {
      double denom = 1.0 - trace / (double)rows;
      score = denom > 0.0 ? (rss / (double)rows) / (denom * denom) : INFINITY;
    } else {
      score = 0.0;
      for (size_t i = 0; i < rows; i++) {
        double h = 0.0, fit = 0.0;
        for (size_t j = 0; j < r; j++) {
          double uij = u[i * tda + j];
          h += uij * uij * f[j];
          fit += uij * f[j] * z[j];
        }
        double e = (y[i] - fit) / (1.0 - h);
        score += e * e;
      }
      score /= (double)rows;
    }
    if (!isfinite(score)) score = INFINITY;
    if (scores) scores[l] = score;
    if (score < best_score) {
      best_score = score;
      best = l;
    }
  }
  if (best == nlambda) {
    rc = spx_error_set(err, SPX_ERANGE, "no ridge penalty gave a finite %s score",
                       criterion == SPX_RIDGE_GCV ? "GCV" : "leave-one-out");
    goto done;
  }
  double lam = lambdas[best];
  for (size_t j = 0; j < r; j++) {
    double sj = gsl_vector_get(s, j);
    f[j] = sj / (sj * sj + lam) * z[j];
  }
  for (size_t k = 0; k < cols; k++) {
    double acc = 0.0;
    for (size_t j = 0; j < r; j++) acc += gsl_matrix_get(V, k, j) * f[j];
    coef[k] = acc;
  }
  if (chosen) *chosen = lam;
done:
  free(z);
  free(f);
  gsl_matrix_free(U);
  gsl_matrix_free(V);
  gsl_vector_free(s);
  return rc;
}
