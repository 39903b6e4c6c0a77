/* blas_setup.h: how spex-bench sets up the BLAS that GSL calls (OpenBLAS when linked): one
 * thread per process, and the right kernels where OpenBLAS's CPU detection falls back to its
 * generic ones (docs/parallel.md, "BLAS"). */
#ifndef SPX_BLAS_SETUP_H
#define SPX_BLAS_SETUP_H

#include <stddef.h>

/* Call once, first thing in main, before any BLAS call and before threads are started
 * (spx_par_init does). Idempotent. Does nothing without OpenBLAS.
 *  - threads: one BLAS thread unless OPENBLAS_NUM_THREADS is set (then honoured);
 *  - kernels: unless OPENBLAS_CORETYPE is set (then honoured), when a runtime-dispatching
 *    OpenBLAS picked its generic x86-64 "Prescott" kernels on a CPU that has AVX-512 (F, BW,
 *    DQ, VL) or AVX2 + FMA, it is switched to "SkylakeX" or "Haswell". Debian 12's OpenBLAS
 *    0.3.21 does not know CPUs newer than it (e.g. family 6 model 207) and runs SSE3 kernels
 *    there, 3-5x slower. */
void spx_blas_setup(void);

/* What the process's BLAS is, for /meta and --version: OpenBLAS's configuration string and the
 * kernels in use (and whether OPENBLAS_CORETYPE chose them), or "gslcblas ...". */
void spx_blas_describe(char *buf, size_t len);

#endif
