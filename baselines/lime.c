/* lime.c: LIME as spectral-explain runs it (LimeTabularExplainer on {0,1} features with the
 * instance = all ones; reference-code.md §4.1).
 *
 * Masks: row 0 keeps every feature (the instance); the other budget - 1 rows are independent
 * uniform masks. Distance to the instance: cosine distance d = 1 - sqrt(|z| / n) (1 for the
 * empty mask), or 100 d with distance = "text" (LimeTextExplainer's scaling). Kernel:
 * w = sqrt(exp(-d^2 / width^2)) with width = kernel_width (default 25). Fit: weighted ridge
 * on (1, z_1..z_n) with penalty alpha (default 1) on the features, not on the intercept
 * (sklearn Ridge(alpha, fit_intercept=True) with sample weights).
 *
 * Output: Moebius transform, a(∅) = intercept, a({i}) = coefficient of feature i. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baselines.h"

enum { DIST_COSINE = 0, DIST_TEXT = 1 };

typedef struct {
  spx_baseline_state base;
  double width;
  int distance;
  spx_baseline_penalty pen;
} lime_state;

static const char *const lime_distances[] = {"cosine", "text", NULL};
static const spx_option_decl lime_rows[] = {
    {"kernel_width", SPX_DECL_FLOAT, "25", 0, SPX_NOMAX, NULL,
     "width of the exponential kernel on the distance (> 0)", NULL},
    {"distance", SPX_DECL_CHOICE, "cosine", 0, 0, lime_distances,
     "distance of a mask to the all-kept instance", NULL},
    {"penalty", SPX_DECL_FLOAT, "1", 0, SPX_NOMAX, NULL, "ridge penalty (sklearn's alpha)", NULL},
    {"alpha", SPX_DECL_FLOAT, NULL, 0, SPX_NOMAX, NULL, "the same as penalty (give one)", NULL},
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spx_baseline_limit_rows},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};

typedef struct {
  double width, alpha;
  int distance;
  spx_baseline_limits memory;
} lime_cfg;

static int lime_configure(size_t n, spx_options *opts, void *cfg, spx_error *err) {
  (void)n;
  lime_cfg *c = cfg;
  int rc = spx_opt_double(opts, "kernel_width", &c->width, err);
  if (rc) return rc;
  if (!(c->width > 0.0))
    return spx_options_fail(opts, "kernel_width", SPX_ERANGE, err, "must be > 0, got %g",
                            c->width);
  rc = spx_opt_choice(opts, "distance", &c->distance, err);
  if (rc) return rc;
  /* `alpha` is sklearn's name; `penalty` is the name every regression baseline accepts */
  if (spx_options_has(opts, "alpha") && spx_options_has(opts, "penalty")) {
    spx_options_known(opts, "penalty");
    return spx_options_fail(opts, "penalty", SPX_EINVAL, err,
                            "give either alpha or penalty (they are the same), not both");
  }
  const char *key = spx_options_has(opts, "alpha") ? "alpha" : "penalty";
  rc = spx_opt_double(opts, key, &c->alpha, err);
  if (rc) return rc;
  return spx_baseline_read_memory(opts, &c->memory, err);
}

static int lime_applicable(size_t n, size_t budget, const void *cfg, char *why,
                           size_t whylen) {
  const lime_cfg *c = cfg;
  if (n == 0) {
    snprintf(why, whylen, "n = 0: nothing to explain");
    return 0;
  }
  if (budget < 1) {
    snprintf(why, whylen, "budget 0: at least the instance must be evaluated");
    return 0;
  }
  double p = (double)n + 1.0;
  return spx_baseline_check_fit(n, p, p, budget, budget, 0, c->alpha != 0.0, &c->memory, "",
                                "alpha", why, whylen);
}

static int lime_begin(size_t n, size_t budget, const void *cfg, gsl_rng *rng, void **state,
                      spx_error *err) {
  *state = NULL;
  const lime_cfg *c = cfg;
  lime_state *s = calloc(1, sizeof *s);
  SPX_CHECK_ALLOC(s, err);
  int rc = SPX_OK;
  s->width = c->width;
  s->distance = c->distance;
  s->pen.value = c->alpha;
  s->base.n = n;
  s->base.budget = budget;
  if (rc == SPX_OK) {
    s->base.masks = spx_maskset_create(n, budget);
    if (s->base.masks == NULL) rc = spx_error_set(err, SPX_ENOMEM, "lime: out of memory");
  }
  if (rc == SPX_OK) {
    spx_mask_fill(spx_maskset_row(s->base.masks, 0), n, 1);
    for (size_t i = 1; i < budget; i++)
      spx_mask_random(spx_maskset_row(s->base.masks, i), n, rng);
  }
  if (rc) {
    spx_baseline_state_free(&s->base);
    free(s);
    return rc;
  }
  *state = s;
  return SPX_OK;
}

static int lime_finish(void *state, spx_transform **out, spx_error *err) {
  lime_state *s = state;
  *out = NULL;
  if (s->base.stage != 2) return spx_error_set(err, SPX_EINVAL, "finish before the values");
  size_t N = s->base.masks->count, n = s->base.n;
  double *w = malloc((N ? N : 1) * sizeof *w);
  SPX_CHECK_ALLOC(w, err);
  for (size_t i = 0; i < N; i++) {
    double k = (double)spx_mask_popcount(spx_maskset_row(s->base.masks, i), s->base.masks->words);
    double d = 1.0 - sqrt(k / (double)n);
    if (s->distance == DIST_TEXT) d *= 100.0;
    w[i] = sqrt(exp(-d * d / (s->width * s->width)));
  }
  spx_baseline_fit_info info;
  int rc = spx_baseline_fit_transform(&s->base, 0, 1, 0, s->base.values, w, &s->pen, 1, 0, 0.0, 0,
                                0.0, out, &info, err);
  free(w);
  return rc;
}

const spx_method_type spx_method_lime = {
    .name = "lime",
    .summary = "LIME: weighted ridge on uniform masks around the all-kept instance",
    .options = lime_rows,
    .cfg_size = sizeof(lime_cfg),
    .configure = lime_configure,
    .applicable = lime_applicable,
    .begin = lime_begin,
    .step = spx_baseline_step,
    .finish = lime_finish,
    .destroy = spx_baseline_destroy};
