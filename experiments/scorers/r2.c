/* r2.c: faithfulness, the R² of the transform's reconstruction on the instance's held-out
 * test masks (docs/configuration.md "Scoring"), with the numerical guard of issue #14: a cell
 * is ok only when every coefficient, prediction and the R² itself are finite. */
#include <math.h>
#include <stdlib.h>

#include "core/metrics.h"
#include "scorer.h"

static size_t columns(const spx_config *cfg, spx_score_dataset *out, size_t cap) {
  (void)cfg;
  if (out && cap >= 1)
    out[0] = (spx_score_dataset){"r2", "1",
                                 "faithfulness: R^2 of the transform's prediction of the oracle "
                                 "on the instance's held-out test masks",
                                 0};
  return 1;
}

static int finite_transform(const spx_transform *t, spx_error *err) {
  for (size_t k = 0; k < spx_transform_size(t); k++) {
    const uint32_t *idx;
    uint32_t d;
    double v;
    spx_transform_entry(t, k, &idx, &d, &v);
    if (!isfinite(v))
      return spx_error_set(err, SPX_ERANGE, "the method returned a non-finite coefficient (%g, "
                           "of an interaction of order %u)", v, d);
  }
  return SPX_OK;
}

static int score(const spx_score_ctx *ctx, const spx_transform *tr, double *slots,
                 spx_array_list *arrays, spx_error *err) {
  (void)arrays;
  size_t count = ctx->test->count;
  double *pred = malloc((count ? count : 1) * sizeof *pred);
  SPX_CHECK_ALLOC(pred, err);
  int rc = finite_transform(tr, err);
  if (rc == SPX_OK) rc = spx_transform_predict(tr, ctx->test, pred, err);
  double r2 = NAN;
  if (rc == SPX_OK) r2 = spx_r2(ctx->test_values, pred, count);
  for (size_t i = 0; rc == SPX_OK && i < count; i++)
    if (!isfinite(pred[i]))
      rc = spx_error_set(err, SPX_ERANGE, "the transform predicts %g for test mask %zu", pred[i], i);
  if (rc == SPX_OK && !isfinite(r2))
    rc = spx_error_set(err, SPX_ERANGE, "R2 on the test masks is %g (constant test values?)", r2);
  free(pred);
  slots[0] = r2; /* stored as before the guard: the R2 stands even when the cell fails */
  return rc;
}

const spx_scorer spx_scorer_r2 = {
    .name = "r2",
    .summary = "faithfulness R^2 on the held-out test masks (always on)",
    .columns = columns,
    .score = score,
};
