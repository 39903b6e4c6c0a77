/* wht.h: fast Walsh-Hadamard transform, planned once and executed many times.
 *
 * Execute computes, in place and unnormalised, X[j] = sum_l x[l] (-1)^{popcount(j & l)}
 * for sizes 2^1 .. 2^24. Execution never allocates. */
#ifndef SPX_WHT_H
#define SPX_WHT_H

#include "error.h"

typedef struct spx_wht_plan spx_wht_plan;

/* Plan a transform of length 2^log2n (1 <= log2n <= 24); NULL with err set on failure. */
spx_wht_plan *spx_wht_plan_create(unsigned log2n, spx_error *err);
void spx_wht_plan_destroy(spx_wht_plan **plan);
unsigned spx_wht_plan_log2n(const spx_wht_plan *plan);
/* In place on data[0 .. 2^log2n). */
void spx_wht_execute(const spx_wht_plan *plan, double *data);

#endif
