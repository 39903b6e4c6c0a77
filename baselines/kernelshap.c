/* kernelshap.c: Shapley values by KernelSHAP as shapiq runs it (reference-code.md §4.4):
 * coalitions from shapiq's CoalitionSampler with size weights proportional to 1 / (s (n - s))
 * (sizes 0 and n always evaluated, border trick, no pairing), response v(S) - v(∅), Shapley
 * kernel times importance-adjustment weights, weighted least squares on (x_1..x_n) with
 * v(∅) fixed and efficiency sum_i phi_i = v(N) - v(∅) imposed exactly. This is the Faith-Shap
 * estimator of faith_shap.c at order 1 (FSII of order 1 = Shapley values).
 *
 * Output: Moebius transform, a({i}) = phi_i, a(∅) = v(∅). */
#include "baselines.h"

static int ks_configure(size_t n, spx_options *opts, void *cfg, spx_error *err) {
  return spx_baseline_shapley_configure(n, opts, 1, cfg, err);
}

static void ks_estimates(const void *cfg, spx_index *index, unsigned *order) {
  (void)cfg;
  *index = SPX_INDEX_SV;
  *order = 1;
}

const spx_method_type spx_method_kernelshap = {
    .name = "kernelshap",
    .summary = "KernelSHAP Shapley values (shapiq's sampler and Shapley-kernel regression)",
    .options = spx_baseline_kernelshap_rows,
    .cfg_size = sizeof(spx_baseline_cfg),
    .configure = ks_configure,
    .estimates = ks_estimates,
    .applicable = spx_baseline_shapley_applicable,
    .begin = spx_baseline_shapley_begin,
    .step = spx_baseline_step,
    .finish = spx_baseline_shapley_finish,
    .destroy = spx_baseline_shapley_destroy};
