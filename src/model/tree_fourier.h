/* tree_fourier.h: a compact, library-independent copy of a regression tree ensemble on 0/1
 * features, its exact evaluation, and its exact Fourier transform (ProxySPEX, Algorithm 1).
 *
 * A tree routes x to its left child when x[feature] < threshold (XGBoost's rule). With 0/1
 * features and the usual threshold in (0, 1], the left child is "feature removed" (x = 0) and
 * the right child "feature kept" (x = 1); other thresholds are handled too (both values then
 * go the same way). The ensemble's output is base_score plus the sum of the leaf values
 * reached in every tree. */
#ifndef SPX_TREE_FOURIER_H
#define SPX_TREE_FOURIER_H

#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"
#include "../core/transform.h"

typedef struct spx_tree_ensemble {
  uint32_t n;          /* number of features */
  double base_score;   /* added to every prediction (goes into F(empty)) */
  size_t ntrees;
  size_t *tree_start;  /* ntrees + 1 offsets into the node arrays; node 0 of a tree is its root */
  size_t nnodes;       /* total nodes */
  int32_t *left;       /* child node numbers local to the tree; -1 at a leaf */
  int32_t *right;
  uint32_t *feature;   /* split feature (unused at leaves) */
  double *threshold;   /* split threshold: go left when x < threshold (unused at leaves) */
  double *leaf;        /* leaf value (unused at internal nodes) */
} spx_tree_ensemble;

/* An empty ensemble with room for ntrees trees and nnodes nodes in all (arrays allocated,
 * tree_start zeroed). NULL when out of memory. */
spx_tree_ensemble *spx_tree_ensemble_create(uint32_t n, size_t ntrees, size_t nnodes);
void spx_tree_ensemble_destroy(spx_tree_ensemble **e);

/* Check the structure: children in range, every node reached exactly once from its root,
 * features < n, depth at most max_depth (0 = no limit). */
int spx_tree_ensemble_validate(const spx_tree_ensemble *e, unsigned max_depth, spx_error *err);

/* Prediction for one bit-packed mask, in double precision. */
double spx_tree_ensemble_predict(const spx_tree_ensemble *e, const uint64_t *mask);

/* Add the Fourier coefficients of trees [first, last) to acc (Fourier basis, same n); the
 * base score is not added. Exact: each leaf with value v reached by the path conditions
 * x_{i_1} = b_1, ..., x_{i_d} = b_d contributes v 2^-d prod_{j in S} (-1)^{b_j} to F(S) for
 * every subset S of the path features (the recursion F(S) = (L(S)+R(S))/2,
 * F(S + i) = (L(S)-R(S))/2 unrolled). Repeated features on a path and thresholds outside
 * (0, 1] are handled exactly. Coefficients that cancel to zero stay stored as 0. */
int spx_tree_fourier_add(const spx_tree_ensemble *e, size_t first, size_t last,
                         spx_transform *acc, spx_error *err);

/* Number of trees per independent chunk in spx_tree_ensemble_fourier. Chunks are summed
 * separately and merged in chunk order, so a parallel caller that extracts chunks on
 * different ranks and merges them in chunk order gets bit-identical results. */
#define SPX_TREE_FOURIER_CHUNK 256

/* The whole ensemble's Fourier transform (base score included in F(empty)), exact zeros
 * removed except the constant term. */
int spx_tree_ensemble_fourier(const spx_tree_ensemble *e, spx_transform **out, spx_error *err);

#endif
