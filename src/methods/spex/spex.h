/* spex.h: the public face of SPEX (Kang et al., ICML 2025): the method types, the job types
 * it shares over ranks, and the one BCH parameter search that both SPEX and the budget rule
 * of the configuration (src/config/budget.c) use, so the config never plans a budget that
 * SPEX then refuses. Everything else of SPEX is internal (spex_internal.h). docs/spex.md. */
#ifndef SPX_SPEX_H
#define SPX_SPEX_H

#include <stddef.h>
#include <stdint.h>

#include "../../core/error.h"
#include "../../core/jobs.h"
#include "../method.h"

/* Field degrees of the BCH codes: GF(2^m) for SPX_BCH_MMIN <= m <= SPX_BCH_MMAX. m = 20 gives
 * codes of length 2^20 - 1, i.e. up to 1,048,475 features at t = 5. */
#define SPX_BCH_MMIN 2
#define SPX_BCH_MMAX 20
/* Largest degree parameter t (errors corrected; interactions of degree <= t identified). */
#define SPX_BCH_TMAX 15

/* The BCH parameter search: the smallest m in [ceil(log2(2t+2)), SPX_BCH_MMAX] such that the
 * primitive narrow-sense binary BCH code of length nc = 2^m - 1 and designed distance 2t + 1
 * has dimension kc >= n, where kc = nc - |union of the cyclotomic cosets of 1..2t mod nc|.
 * Fills *m, *nc, *kc (any may be NULL). SPX_ERANGE with a message naming n, t and the largest
 * n possible when no m <= SPX_BCH_MMAX works, or when t is outside 1..SPX_BCH_TMAX. */
int spx_bch_params(size_t n, unsigned t, unsigned *m, uint32_t *nc, uint32_t *kc,
                   spx_error *err);

/* Number of queries C (p+1) 2^b of a SPEX design with C groups and p parity bits. */
size_t spx_spex_queries(unsigned groups, uint32_t p, unsigned b);

extern const spx_method_type spx_method_spex;      /* soft (Chase) decoder by default */
extern const spx_method_type spx_method_spex_hard; /* hard decoder by default */
extern const spx_jobs_type spx_jobs_spex_wht;
extern const spx_jobs_type spx_jobs_spex_bins;

#endif
