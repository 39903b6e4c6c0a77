/* msr.h: Maximum Sample Reuse (shapiq's SHAP-IQ estimator; research/papers.md §1, §5.1) of a
 * cardinal-probabilistic index from importance-weighted coalitions: ProxySHAP's residual
 * correction.
 *
 * For every T with 1 <= |T| <= order (t = |T|):
 *   phi(T) = sum_r r(S_r) adj_r (-1)^{t - |S_r ∩ T|} w(|S_r| - |S_r ∩ T|, t)
 * with adj_r = exp(ln_adjust[r]) the sampler's importance weight (1 for enumerated coalitions;
 * baselines.h spx_baseline_coalitions) and the discrete-derivative weights w(c, t) of the index:
 * SII (and SV, and k-SII before aggregation) 1 / ((n-t+1) C(n-t, c)); BII and BV 2^-(n-t);
 * STII at t = order: order / (n C(n-1, c)), below: [c = 0]. k-SII is the Bernoulli aggregation
 * of the SII estimate (kSII(K) = sum_{S ⊇ K, |S| <= order} B_{|S|-|K|} SII(S)). The empty set
 * gets the estimate of the index's baseline of the centred game (convert.h): 2^-n sum_S r(S)
 * for BII, r(∅) = 0 otherwise (r(∅) = 0 is the caller's convention). When every coalition is
 * enumerated (all adj = 1 over the 2^n masks), the estimate is the exact index of r.
 *
 * Algorithms (same result up to rounding): t = 1 by per-feature sums over the rows' kept
 * features (N n / 2 operations); t = 2 as G + h_a + h_b + c with the Gram matrix
 * G = X' diag(a) X of the 0/1 coalition matrix (BLAS dsyrk on blocks of rows, N n^2 flops);
 * t >= 3 by enumerating the C(n, t) interactions against every row (N t C(n, t)). With paired
 * sampling, a row followed by its complement enters the Gram matrix once (the complement's
 * weight moves into h and c, msr.c order2_terms): half the dsyrk work, the same sums in another
 * order. SPX_MSR_AUTO does that from n = SPX_MSR_PAIRED_MIN_N features on, so results at
 * smaller n stay bit-identical to the unpaired Gram path of sessions 4-5. */
#ifndef SPX_MSR_H
#define SPX_MSR_H

#include <stddef.h>

#include "../../core/convert.h"
#include "../../core/error.h"
#include "../../core/mask.h"
#include "../../core/transform.h"

/* 1 when MSR estimates this index (SII, BII, SV, BV, STII, k-SII). */
int spx_msr_supports(spx_index index);

/* Estimated floating-point work of spx_msr_index (for applicable() limits). */
double spx_msr_work(size_t n, size_t rows, unsigned order);

/* How the order-1 and order-2 terms are computed (tests compare them; results agree up to
 * rounding). */
typedef enum {
  SPX_MSR_AUTO = 0, /* feature sums and Gram matrix, complement pairs merged from n >= 128 */
  SPX_MSR_DIRECT,   /* enumeration for every order */
  SPX_MSR_GRAM,     /* feature sums and Gram matrix, every row on its own */
  SPX_MSR_PAIRED    /* feature sums and Gram matrix, complement pairs merged */
} spx_msr_algorithm;
#define SPX_MSR_PAIRED_MIN_N 128

/* The estimate as an index transform (basis SPX_BASIS_INDEX, the empty set always stored). */
int spx_msr_index(const spx_maskset *masks, const double *ln_adjust, const double *r,
                  spx_index index, unsigned order, spx_msr_algorithm algorithm,
                  spx_transform **out, spx_error *err);

/* acc += the estimate, entry by entry in the order spx_msr_index stores them (the empty set,
 * then orders 1..order; exact zeros are not added): with max_t = order (or 0) the same values
 * and insertion order as spx_transform_merge(acc, spx_msr_index(...), 1.0) without building
 * the second transform. max_t < order estimates only the orders 1..max_t of the order-`order`
 * index (its weights; the residual's higher orders count as 0, also in k-SII's aggregation):
 * ProxySHAP's correction = auto. */
int spx_msr_index_add(const spx_maskset *masks, const double *ln_adjust, const double *r,
                      spx_index index, unsigned order, unsigned max_t,
                      spx_msr_algorithm algorithm, spx_transform *acc, spx_error *err);

/* kSII from SII of orders 1..order in place of an index transform: every stored S adds
 * B_{|S|-|K|} SII(S) to each non-empty K ⊆ S (the empty set is kept). */
int spx_ksii_from_sii(const spx_transform *sii, unsigned order, spx_transform **out,
                      spx_error *err);

#endif
