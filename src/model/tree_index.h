/* tree_index.h: the exact interaction index of a tree ensemble's game, read leaf by leaf
 * (ProxySHAP's interventional readout; research/papers.md §5.1-5.2, docs/proxyshap.md).
 *
 * The game is v(S) = f(1_S): the ensemble on the 0/1 mask that keeps exactly S (explained
 * point all ones, reference all zeros). A reachable leaf with value c whose path requires the
 * features E to be kept and R to be removed is the rule game c 1[E ⊆ S] 1[R ∩ S = ∅]; its
 * Moebius coefficients are c (-1)^|U| on E ∪ U for every U ⊆ R. Every index here is
 * index(K) = sum_{S ⊇ K} w(|S|, |K|) a(S) (convert.h, spx_index_weight), so the leaf adds to
 * each K ⊆ E ∪ R with k_E = |K ∩ E|, k_R = |K ∩ R|, e = |E|, r = |R|:
 *     c g(e, r, k_E, k_R),  g = sum_{j=0}^{r-k_R} C(r-k_R, j) (-1)^{k_R+j} w(e+k_R+j, k_E+k_R)
 * (the Moebius terms grouped by size: r - k_R + 1 terms, not 2^r). For SII this is the closed
 * form (-1)^{k_R} (e-k_E)! (r-k_R)! / (e-k_E+r-k_R+1)!, for BII (-1)^{k_R} 2^{-(e+r-|K|)}; for
 * STII, FSII, FBII and k-SII the sum has no shorter form and is tabulated once per
 * (e, r, k_E, k_R) in long double. Nothing expands a leaf into its 2^depth Fourier or Moebius
 * terms: a leaf costs one table look-up and one addition per K ⊆ E ∪ R with |K| <= order.
 *
 * Splits follow tree_fourier.h (left when x < threshold): a threshold in (0, 1] sends 0 left
 * and 1 right; <= 0 sends both right, > 1 both left (the other child is unreachable); a feature
 * repeated on a path adds no condition, or makes the subtree below unreachable when it
 * contradicts an earlier one. The base score goes to the empty set. */
#ifndef SPX_TREE_INDEX_H
#define SPX_TREE_INDEX_H

#include "../core/convert.h"
#include "../core/error.h"
#include "../core/transform.h"
#include "tree_fourier.h"

/* Add the index contributions of trees [first, last) to acc (an index of the same n and
 * kind); the base score is not added. Entries are created as met (values may cancel to 0). */
int spx_tree_index_add(const spx_tree_ensemble *e, size_t first, size_t last, spx_index index,
                       unsigned order, spx_transform *acc, spx_error *err);

/* The whole ensemble's index of the given kind (SII, BII, SV, BV, FSII, FBII, STII, k-SII;
 * SV/BV use order 1) and order >= 1, with the empty set's baseline convention of convert.h
 * (the base score included), basis SPX_BASIS_INDEX, exact zeros removed except the empty set:
 * the same table spx_tree_ensemble_fourier + spx_transform_to_index gives, without the
 * Fourier expansion. */
int spx_tree_ensemble_index(const spx_tree_ensemble *e, spx_index index, unsigned order,
                            spx_transform **out, spx_error *err);

#endif
