/* convert.h: Fourier <-> Moebius conversion and interaction indices from a Moebius transform
 * (formulas: research/reference-code.md §5).
 *
 * Fourier -> Moebius: a(T) = (-2)^{|T|} sum_{K ⊇ T} F(K)
 * Moebius -> Fourier: F(K) = (-1)^{|K|} sum_{T ⊇ K} a(T) / 2^{|T|}
 * Indices (SII, BII, SV, BV, FSII, FBII, STII, k-SII) at a given order are computed from the
 * Moebius coefficients; the result has basis SPX_BASIS_INDEX and includes the empty set entry
 * (shapiq's baseline convention: see the table in reference-code.md §5.2). */
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

/* Index of the given order (SV and BV force order 1) from a Moebius transform. */
int spx_moebius_to_index(const spx_transform *moebius, spx_index index, unsigned order,
                         spx_transform **out, spx_error *err);
/* Any basis (Fourier or Moebius) to the requested index/basis. */
int spx_transform_to_index(const spx_transform *t, spx_index index, unsigned order,
                           spx_transform **out, spx_error *err);

#endif
