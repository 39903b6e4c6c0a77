/* pruning.c: ranking components by a transform and measuring the pruned model's task
 * accuracy (pruning.h; docs/configuration.md "[pruning]"). */
#include "pruning.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "core/convert.h"
#include "core/mask.h"
#include "core/rng.h"

const char *const spx_prune_rank_names[] = {"banzhaf", "shapley", NULL};

int spx_pruning_scores(const spx_transform *t, spx_prune_rank by, size_t n, double *scores,
                       spx_error *err) {
  if (spx_transform_n(t) != n)
    return spx_error_set(err, SPX_EINVAL, "pruning: transform has n = %u, the oracle n = %zu",
                         (unsigned)spx_transform_n(t), n);
  spx_transform *idx = NULL;
  int rc = spx_transform_to_index(t, by == SPX_PRUNE_SHAPLEY ? SPX_INDEX_SV : SPX_INDEX_BV, 1,
                                  &idx, err);
  if (rc) return rc;
  for (size_t i = 0; i < n; i++) {
    uint32_t k = (uint32_t)i;
    scores[i] = spx_transform_get(idx, &k, 1, NULL);
  }
  spx_transform_destroy(&idx);
  return SPX_OK;
}

typedef struct {
  double score;
  uint32_t index;
} ranked;

static int ranked_cmp(const void *va, const void *vb) {
  const ranked *a = va, *b = vb;
  int fa = isfinite(a->score), fb = isfinite(b->score);
  if (fa != fb) return fa ? -1 : 1;
  if (fa && a->score != b->score) return a->score > b->score ? -1 : 1;
  return a->index < b->index ? -1 : a->index > b->index;
}

int spx_pruning_order(const double *scores, size_t n, uint32_t *order, spx_error *err) {
  ranked *r = malloc((n ? n : 1) * sizeof *r);
  SPX_CHECK_ALLOC(r, err);
  for (size_t i = 0; i < n; i++) r[i] = (ranked){scores[i], (uint32_t)i};
  qsort(r, n, sizeof *r, ranked_cmp); /* a total order, so the result is unique */
  for (size_t i = 0; i < n; i++) order[i] = r[i].index;
  free(r);
  return SPX_OK;
}

size_t spx_pruning_kept(double fraction, size_t n) {
  double x = round(fraction * (double)n * 1e9) / 1e9;
  double k = ceil(x);
  if (k < 1) k = 1;
  if (k > (double)n) k = (double)n;
  return (size_t)k;
}

int spx_pruning_curve(const spx_oracle *o, const uint32_t *order, size_t n,
                      const double *fractions, size_t nf, double *acc, spx_error *err) {
  uint64_t *mask = calloc(spx_mask_words(n ? n : 1), sizeof *mask);
  SPX_CHECK_ALLOC(mask, err);
  size_t kept = 0;
  int rc = SPX_OK;
  for (size_t j = 0; j < nf; j++) {
    size_t k = spx_pruning_kept(fractions[j], n);
    while (kept < k) spx_mask_set(mask, order[kept++]);
    while (kept > k) spx_mask_clear(mask, order[--kept]); /* fractions need not ascend here */
    acc[j] = spx_oracle_task_accuracy(o, mask);
    if (isnan(acc[j])) {
      rc = spx_error_set(err, SPX_EINVAL,
                         "pruning: oracle %s has no task accuracy (only `components` has)",
                         o && o->type ? o->type->name : "?");
      break;
    }
  }
  free(mask);
  return rc;
}

int spx_pruning_random_order(uint64_t seed, uint64_t instance_stream, size_t p, size_t n,
                             uint32_t *order, spx_error *err) {
  gsl_rng *rng = spx_rng_stream(seed, instance_stream, spx_hash_string("pruning random"),
                                (uint64_t)p, 0);
  SPX_CHECK_ALLOC(rng, err);
  for (size_t i = 0; i < n; i++) order[i] = (uint32_t)i;
  gsl_ran_shuffle(rng, order, n, sizeof *order);
  gsl_rng_free(rng);
  return SPX_OK;
}
