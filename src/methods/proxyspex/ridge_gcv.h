/* ridge_gcv.h: ridge regression without intercept, the penalty chosen from a list by
 * generalised cross-validation (or exact leave-one-out), through one thin SVD.
 *
 * For X (rows x cols, row-major) and y, with X = U diag(s) V' (thin SVD, r = min(rows, cols)),
 * z = U'y and shrink factors f_j(l) = s_j^2 / (s_j^2 + l):
 *   b(l)    = V diag(s_j / (s_j^2 + l)) z                 (= (X'X + l I)^-1 X'y)
 *   H(l)    = U diag(f(l)) U'                             (hat matrix, yhat = H y)
 *   GCV(l)  = (|y - H y|^2 / rows) / (1 - tr H / rows)^2  (Golub, Heath & Wahba 1979)
 *   LOO(l)  = mean_i ((y_i - yhat_i) / (1 - H_ii))^2       (what sklearn's RidgeCV minimises)
 * The chosen penalty is the first minimiser in list order; a penalty whose score is not finite
 * (e.g. 1 - tr H / rows = 0) is never chosen.
 * With rows >= 2 cols, s, V and z come from the Gram matrix X'X = V diag(s^2) V' (BLAS dsyrk and
 * a cols x cols symmetric eigendecomposition; U = X V diag(1/s) only for leave-one-out), which
 * costs about rows cols^2 flops through an optimised BLAS instead of the SVD's 4 rows cols^2
 * in GSL's own loops; the same quantities up to rounding (the Fourier designs of ProxySPEX are
 * well conditioned: X'X is about rows I). Otherwise the thin SVD. */
#ifndef SPX_RIDGE_GCV_H
#define SPX_RIDGE_GCV_H

#include <stddef.h>

#include "../../core/error.h"

typedef enum { SPX_RIDGE_GCV = 0, SPX_RIDGE_LOO = 1 } spx_ridge_criterion;

/* lambdas[0..nlambda): penalties > 0. coef[0..cols) receives b at the chosen penalty;
 * *chosen (if not NULL) the chosen penalty; scores (if not NULL) the criterion for every
 * penalty. rows, cols >= 1. */
int spx_ridge_cv(const double *X, size_t rows, size_t cols, const double *y,
                 const double *lambdas, size_t nlambda, spx_ridge_criterion criterion,
                 double *coef, double *chosen, double *scores, spx_error *err);

/* lambdas[i] = 10^(lo + (hi - lo) i / (count - 1)), like numpy.logspace(lo, hi, count). */
void spx_logspace(double lo, double hi, size_t count, double *lambdas);

#endif
