/* index_accuracy.h: the pieces of the index-accuracy scorer (index_accuracy.c) that the
 * benchmark program bench_estimators shares: the exact Moebius transform of an oracle and
 * which index a method's result can be scored as. */
#ifndef SPX_INDEX_ACCURACY_H
#define SPX_INDEX_ACCURACY_H

#include <stddef.h>

#include "core/convert.h"
#include "core/error.h"
#include "core/transform.h"
#include "methods/method.h"
#include "oracle/oracle.h"

/* The exact Moebius transform of the oracle: its own truth (Moebius, or Fourier converted),
 * else the fast Moebius transform of all 2^n values evaluated through eval (n <= max_n;
 * SPX_ERANGE above). */
int spx_index_truth_moebius(spx_oracle *o, spx_eval_fn eval, void *eval_ctx, size_t max_n,
                            spx_transform **out, spx_error *err);

/* 1 when a result of the configured method can be scored as index `want` of order `order`:
 * *convert = 1 for a surrogate (a Fourier or Moebius transform of the function, no estimates
 * hook) to convert with spx_transform_to_index, 0 for an estimator whose result holds that
 * index (as its configuration says: spx_method_config_estimates; SV and BV count as SII and
 * BII of order 1). 0 with the reason in why otherwise. */
int spx_index_scorable(const spx_method_config *method, spx_index want, unsigned order,
                       int *convert, char *why, size_t whylen);

#endif
