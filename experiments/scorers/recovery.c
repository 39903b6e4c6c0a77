/* recovery.c: recovery of a known truth (recovery and scaling experiments; docs/
 * configuration.md): relative coefficient error, support precision and recall and Kendall tau
 * against the oracle's exact transform. The estimate is converted to the truth's basis when
 * they differ, and its entries below 1e-12 times its largest |coefficient| are dropped as
 * rounding noise (an exact solver leaves ~1e-17 values on the whole support, which would
 * otherwise count as found interactions). Recovery requires the truth; scaling scores it when
 * the oracle knows it. */
#include <math.h>

#include "core/convert.h"
#include "core/metrics.h"
#include "scorer.h"

static int enabled(const spx_config *cfg) {
  return cfg->kind == SPX_EXP_RECOVERY || cfg->kind == SPX_EXP_SCALING;
}

static size_t columns(const spx_config *cfg, spx_score_dataset *out, size_t cap) {
  (void)cfg;
  static const spx_score_dataset cols[] = {
      {"coef_error", "1", "relative l2 error of the coefficients against the truth", 0},
      {"precision", "1", "fraction of the estimate's interactions that are in the truth", 0},
      {"recall", "1", "fraction of the truth's interactions found by the estimate", 0},
      {"kendall_tau", "1", "Kendall tau-b of the coefficients against the truth's", 0},
  };
  for (size_t k = 0; out && k < cap && k < 4; k++) out[k] = cols[k];
  return 4;
}

static int score(const spx_score_ctx *ctx, const spx_transform *est, double *slots,
                 spx_array_list *arrays, spx_error *err) {
  (void)arrays;
  const spx_transform *truth = spx_oracle_truth(ctx->oracle);
  if (ctx->cfg->kind == SPX_EXP_SCALING && truth == NULL) return SPX_OK;
  if (truth == NULL) return spx_error_set(err, SPX_EINVAL, "the oracle has no known truth");
  spx_transform *conv = NULL;
  int rc = SPX_OK;
  if (spx_transform_basis(est) == spx_transform_basis(truth)) {
    conv = spx_transform_clone(est);
    if (conv == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory");
  } else {
    if (spx_transform_basis(truth) == SPX_BASIS_FOURIER && spx_transform_basis(est) == SPX_BASIS_MOEBIUS)
      rc = spx_moebius_to_fourier(est, &conv, err);
    else if (spx_transform_basis(truth) == SPX_BASIS_MOEBIUS && spx_transform_basis(est) == SPX_BASIS_FOURIER)
      rc = spx_fourier_to_moebius(est, &conv, err);
    else
      rc = spx_error_set(err, SPX_EINVAL, "cannot compare an interaction index with the truth");
    if (rc) return rc;
  }
  double big = 0.0;
  for (size_t k = 0; k < spx_transform_size(conv); k++) {
    const uint32_t *idx;
    uint32_t d;
    double v;
    spx_transform_entry(conv, k, &idx, &d, &v);
    if (fabs(v) > big) big = fabs(v);
  }
  rc = spx_transform_prune(conv, 1e-12 * big, 1, err);
  if (rc) {
    spx_transform_destroy(&conv);
    return rc;
  }
  spx_coef_error ce;
  spx_support_score ss;
  double tau = NAN;
  rc = spx_coefficient_error(conv, truth, 0, &ce, err);
  if (rc == SPX_OK) rc = spx_support_recovery(conv, truth, 0, &ss, err);
  if (rc == SPX_OK) rc = spx_transform_kendall_tau(conv, truth, 0, &tau, NULL, err);
  if (rc == SPX_OK) {
    slots[0] = ce.rel_l2;
    slots[1] = ss.precision;
    slots[2] = ss.recall;
    slots[3] = tau;
  }
  spx_transform_destroy(&conv);
  return rc;
}

static const spx_summary_column summary_cols[] = {
    {"coef error", "coef_error", 1, 4},
    {"precision", "precision", 1, 3},
    {"recall", "recall", 1, 3},
    {"Kendall tau", "kendall_tau", 1, 3},
    {NULL, NULL, 0, 0}};

const spx_scorer spx_scorer_recovery = {
    .name = "recovery",
    .summary = "coefficient error, precision, recall, Kendall tau against the oracle's truth "
               "(recovery and scaling experiments)",
    .enabled = enabled,
    .columns = columns,
    .score = score,
    .summary_columns = summary_cols,
};
