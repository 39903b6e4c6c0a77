/* budget.h: query budgets of the experiment grid, in particular the SPEX budget rule
 * N(b) = C (p+1) 2^b with C = 3 subsampling groups and p the parity length of the
 * narrow-sense binary BCH code chosen for n features and degree parameter t
 * (research/reference-code.md §1.2 and §1.5). */
#ifndef SPX_BUDGET_H
#define SPX_BUDGET_H

#include <stddef.h>

#include "core/error.h"

/* The BCH code SPEX builds for n features and degree parameter t: spx_bch_params of
 * methods/spex/spex.h (the smallest m <= 20 with dimension kc >= n), as size_t. Fills *nc,
 * *kc (either may be NULL) and *p = nc - kc. SPX_ERANGE when n is too large (above 1,048,475
 * at t = 5) or t is outside 1..15. */
int spx_bch_parity_length(size_t n, unsigned t, size_t *p, size_t *nc, size_t *kc,
                          spx_error *err);

/* N(b) = 3 (p+1) 2^b queries for n features, degree parameter t and b bits per group. */
int spx_budget_spex_samples(size_t n, unsigned t, unsigned b, size_t *samples, spx_error *err);

#endif
