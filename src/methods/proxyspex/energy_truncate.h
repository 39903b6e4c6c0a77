/* energy_truncate.h: ProxySPEX's energy truncation of a Fourier transform, in the two
 * rounding conventions of the reference implementations (research/reference-code.md §3.3).
 *
 * The energy is that of the non-constant coefficients: E = sum_{K != empty} F(K)^2. The
 * squares of all coefficients, the constant's counted as 0, are sorted in decreasing order
 * s_0 >= s_1 >= ...; j* is the first j with (s_0 + ... + s_j) / E >= energy (the last
 * position if rounding keeps the ratio below energy). Then
 *   SPX_TRUNC_SPECTRAL_EXPLAIN: tau = sqrt(s_{j*})     (keeps energy just below the target)
 *   SPX_TRUNC_SHAPIQ:           tau = sqrt(s_{j*+1})   (keeps the crossing coefficient too;
 *                                                       tau = 0 when j*+1 is past the end,
 *                                                       where shapiq raises IndexError)
 * and every coefficient with |F(K)| > tau is kept, the constant term judged by its own value.
 * When E = 0, tau = 0 (only nonzero coefficients, i.e. at most the constant, are kept). */
#ifndef SPX_ENERGY_TRUNCATE_H
#define SPX_ENERGY_TRUNCATE_H

#include <stddef.h>

#include "../../core/error.h"
#include "../../core/transform.h"

typedef enum { SPX_TRUNC_SHAPIQ = 0, SPX_TRUNC_SPECTRAL_EXPLAIN = 1 } spx_trunc_rule;

/* keep[i] (i over the entries of t in entry order) = 1 for kept entries; *kept = their number;
 * *tau (if not NULL) = the threshold. energy in (0, 1]. */
int spx_energy_truncate(const spx_transform *t, double energy, spx_trunc_rule rule,
                        unsigned char *keep, size_t *kept, double *tau, spx_error *err);

#endif
