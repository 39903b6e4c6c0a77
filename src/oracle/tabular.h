/* tabular.h: the model behind the `tabular` oracle (tabular.c), exposed so that tests can
 * compare the oracle with XGBoost's own predictions. */
#ifndef SPX_TABULAR_H
#define SPX_TABULAR_H

#include <stddef.h>

#include "core/error.h"
#include "model/tree_fourier.h"

/* Train XGBoost (binary:logistic, hist, threads 1, seed 0) with `trees` rounds of the given
 * depth and eta on the first k of the stride columns of rows x (row-major) with 0/1 labels y;
 * export it as an ensemble over k real-valued features whose output is the raw margin
 * (thresholds as XGBoost stores them: go left when (float)x < threshold). mean[0..k) gets
 * the training means of those columns. */
int spx_tabular_train(const double *x, const int *y, size_t rows, size_t stride, size_t k,
                      long long trees, int depth, double eta, spx_tree_ensemble **model,
                      double *mean, spx_error *err);

#endif
