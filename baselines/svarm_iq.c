/* svarm_iq.c: SVARM-IQ (Kolpaczki et al. 2024; shapiq's `SVARMIQ`): the Monte-Carlo estimator
 * of shap_iq.c with shapiq's stratification by coalition size and by the intersection of the
 * coalition with the interaction. For an interaction T and a sampled coalition S in the stratum
 * (L = S ∩ T, s = |S|) the adjustment weight is count(S) * C(n - |T|, s - |L|) / (draws of the
 * stratum), so each stratum's mean is scaled by its number of coalitions; a stratum without
 * draws contributes nothing (a bias at small budgets, as in shapiq). Enumerated coalitions
 * (border trick) have weight 1, so a budget of 2^n gives the exact index.
 * Indices, options (index, order, pairing) and output as shap_iq. */
#include "baselines.h"

static int sv_applicable(size_t n, size_t budget, const void *cfg, char *why, size_t whylen) {
  return spx_baseline_mc_applicable(n, budget, cfg, 1, why, whylen);
}

static int sv_begin(size_t n, size_t budget, const void *cfg, gsl_rng *rng, void **state,
                    spx_error *err) {
  return spx_baseline_mc_begin(n, budget, cfg, rng, 1, state, err);
}

const spx_method_type spx_method_svarm_iq = {
    .name = "svarm_iq",
    .summary = "SVARM-IQ: stratified Monte-Carlo estimate of SII, k-SII, BII, STII, SV or BV",
    .options = spx_baseline_mc_rows,
    .cfg_size = sizeof(spx_baseline_cfg),
    .configure = spx_baseline_mc_configure,
    .estimates = spx_baseline_estimates,
    .applicable = sv_applicable,
    .begin = sv_begin,
    .step = spx_baseline_step,
    .finish = spx_baseline_mc_finish,
    .destroy = spx_baseline_mc_destroy};
