/* convert.h: Fourier <-> Moebius conversion and interaction indices from a sparse transform
 * (formulas: research/reference-code.md §5; conventions and tests: docs/indices.md).
 *
 * Fourier -> Moebius: a(T) = (-2)^{|T|} sum_{K ⊇ T} F(K)
 * Moebius -> Fourier: F(K) = (-1)^{|K|} sum_{T ⊇ K} a(T) / 2^{|T|}
 * Indices (SII, BII, SV, BV, FSII, FBII, STII, k-SII) of a given order: every T with
 * 1 <= |T| <= order that is a subset of a stored interaction, plus the empty set, which is
 * always stored and holds the index's baseline: v(∅) = m(∅) for SII, SV, BV, STII, FSII and
 * k-SII; the mean of v over all coalitions for BII; the fitted intercept for FBII (shapiq's
 * convention, reproduced against its reference files). Results have basis SPX_BASIS_INDEX.
 * Work is done on the stored support only (subsets of stored interactions; nothing loops over
 * 2^n or n-bit vectors). Exact zeros are dropped from results (not an index's empty set).
 * On error *out is NULL and err (if not NULL) names the problem. */
#ifndef SPX_CONVERT_H
#define SPX_CONVERT_H

#include "error.h"
#include "transform.h"

typedef enum {
  SPX_INDEX_FOURIER = 0,
  SPX_INDEX_MOEBIUS,
  SPX_INDEX_SII,
  SPX_INDEX_BII,
  SPX_INDEX_SV,
  SPX_INDEX_BV,
  SPX_INDEX_FSII,
  SPX_INDEX_FBII,
  SPX_INDEX_STII,
  SPX_INDEX_KSII
} spx_index;

/* "fourier", "moebius", "sii", "bii", "sv", "bv", "fsii", "fbii", "stii", "ksii" (also
 * "k-sii"); case-insensitive. */
int spx_index_from_name(const char *name, spx_index *out);
const char *spx_index_name(spx_index index);

int spx_fourier_to_moebius(const spx_transform *fourier, spx_transform **out, spx_error *err);
int spx_moebius_to_fourier(const spx_transform *moebius, spx_transform **out, spx_error *err);

/* Index of the given order (>= 1; SV and BV force order 1) from a Moebius transform. */
int spx_moebius_to_index(const spx_transform *moebius, spx_index index, unsigned order,
                         spx_transform **out, spx_error *err);
/* The weight w(s, t) of the Moebius coefficient of a set of size s in the index value of a
 * subset of size t (0 <= t <= s, t <= order; SV and BV use order 1): every index here is
 * index(T) = sum over S ⊇ T of w(|S|, |T|) a(S), the empty set's weights encoding the baseline
 * conventions above. Exposed for readers that aggregate Moebius terms by size (the exact
 * interventional readout of tree ensembles, model/tree_index.h). 0 for a basis. */
long double spx_index_weight(spx_index index, unsigned order, unsigned s, unsigned t);

/* A Fourier or Moebius transform to the requested index, or to the other basis (a copy when
 * the basis already matches; order is then ignored). A Fourier input goes to an index in one
 * pass, without building the Moebius transform. An index input is refused. */
int spx_transform_to_index(const spx_transform *t, spx_index index, unsigned order,
                           spx_transform **out, spx_error *err);

#endif
