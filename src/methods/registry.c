/* registry.c: every method, and every job type methods share over ranks, by name. Add one
 * line per method / job type. */
#include <string.h>

#include "method.h"
#include "proxyspex/proxy_search.h"
#include "spex/spex.h"

extern const spx_method_type spx_method_exact;
extern const spx_method_type spx_method_spex;
extern const spx_method_type spx_method_spex_hard;
extern const spx_method_type spx_method_lime;
extern const spx_method_type spx_method_banzhaf;
extern const spx_method_type spx_method_faith_banzhaf;
extern const spx_method_type spx_method_faith_shap;
extern const spx_method_type spx_method_kernelshap;
extern const spx_method_type spx_method_proxyspex;
extern const spx_method_type spx_method_proxyshap;
extern const spx_method_type spx_method_kernelshap_iq;
extern const spx_method_type spx_method_shap_iq;
extern const spx_method_type spx_method_svarm_iq;
extern const spx_method_type spx_method_permutation;
extern const spx_method_type spx_method_kadd_shap;

static const spx_method_type *const methods[] = {
    &spx_method_exact,
    &spx_method_spex,
    &spx_method_spex_hard,
    &spx_method_proxyspex,
    &spx_method_proxyshap,
    &spx_method_lime,
    &spx_method_banzhaf,
    &spx_method_faith_banzhaf,
    &spx_method_faith_shap,
    &spx_method_kernelshap,
    &spx_method_kernelshap_iq,
    &spx_method_shap_iq,
    &spx_method_svarm_iq,
    &spx_method_permutation,
    &spx_method_kadd_shap,
    NULL};

const spx_method_type *const *spx_method_types(void) { return methods; }

const spx_method_type *spx_method_lookup(const char *name) {
  for (size_t i = 0; methods[i]; i++)
    if (strcmp(methods[i]->name, name) == 0) return methods[i];
  return NULL;
}

static const spx_jobs_type *const job_types[] = {
    &spx_jobs_proxy_search,
    &spx_jobs_spex_wht,
    &spx_jobs_spex_bins,
    NULL};

const spx_jobs_type *spx_jobs_lookup(const char *name) {
  for (size_t i = 0; job_types[i]; i++)
    if (strcmp(job_types[i]->name, name) == 0) return job_types[i];
  return NULL;
}
