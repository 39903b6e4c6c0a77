/* pruning.h: the pruning experiment of the `components` oracle (docs/configuration.md
 * "[pruning]"): rank the components by a method's transform, keep the top ones, and measure
 * the task accuracy against the fraction kept; plus the reference curves (random orders and
 * the full model).
 *
 * Ranking: every component i gets a score from the transform, its first-order Banzhaf value
 * (default) or Shapley value, i.e. how much its presence raises the value function on average.
 * Components are kept in order of score, highest first; ties go to the lower index. Fraction
 * f keeps k = ceil(f n) components (f n is rounded to 9 decimals first, so 0.1 x 30 keeps 3,
 * and k is at least 1). */
#ifndef SPX_PRUNING_H
#define SPX_PRUNING_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/transform.h"
#include "oracle/oracle.h"

typedef enum { SPX_PRUNE_BANZHAF = 0, SPX_PRUNE_SHAPLEY = 1 } spx_prune_rank;

/* "banzhaf" / "shapley" (NULL-terminated, indexed by spx_prune_rank). */
extern const char *const spx_prune_rank_names[];

/* scores[0..n) of the components from a Fourier or Moebius transform with n features. */
int spx_pruning_scores(const spx_transform *t, spx_prune_rank by, size_t n, double *scores,
                       spx_error *err);
/* order[0..n): components by score descending, ties by index ascending. Non-finite scores
 * rank last. */
int spx_pruning_order(const double *scores, size_t n, uint32_t *order, spx_error *err);
/* Components kept at fraction f (0 < f <= 1) of n. */
size_t spx_pruning_kept(double fraction, size_t n);
/* acc[0..nf): task accuracy of a components oracle keeping order[0..k_j) for fraction j. */
int spx_pruning_curve(const spx_oracle *o, const uint32_t *order, size_t n,
                      const double *fractions, size_t nf, double *acc, spx_error *err);
/* Random order p of an instance: a uniform permutation of 0..n-1 (Fisher-Yates, GSL's
 * gsl_ran_shuffle) drawn from spx_rng_stream(seed, instance_stream, hash("pruning random"),
 * p, 0), so it depends on the work's coordinates only. */
int spx_pruning_random_order(uint64_t seed, uint64_t instance_stream, size_t p, size_t n,
                             uint32_t *order, spx_error *err);

#endif
