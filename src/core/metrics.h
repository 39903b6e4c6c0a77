/* metrics.h: predictions of a sparse transform on masks, and the scores of DESIGN §2:
 * faithfulness R², recovery precision/recall of the top-k support, coefficient error. */
#ifndef SPX_METRICS_H
#define SPX_METRICS_H

#include <stddef.h>

#include "error.h"
#include "mask.h"
#include "transform.h"

/* out[i] = f(mask i) from a Fourier or Moebius transform (an index basis is an error). */
int spx_transform_predict(const spx_transform *t, const spx_maskset *masks, double *out,
                          spx_error *err);

/* R² = 1 - sum (y - yhat)^2 / sum (y - mean y)^2; not clipped. A constant y gives 1 when the
 * prediction is exact and -inf otherwise. */
double spx_r2(const double *y, const double *yhat, size_t count);

#endif
