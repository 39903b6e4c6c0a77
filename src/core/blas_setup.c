/* blas_setup.c: BLAS threads and kernels at start-up (blas_setup.h). OpenBLAS's own API is
 * declared here rather than through its cblas.h, which would clash with GSL's. */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include "blas_setup.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef SPX_HAVE_OPENBLAS
void openblas_set_num_threads(int num_threads);
char *openblas_get_corename(void);
char *openblas_get_config(void);
#endif
#ifdef SPX_HAVE_OPENBLAS_DYNAMIC
/* A DYNAMIC_ARCH OpenBLAS picks its kernels in gotoblas_dynamic_init (from OPENBLAS_CORETYPE
 * or its CPU detection) when the library loads; gotoblas_dynamic_quit forgets the choice. */
void gotoblas_dynamic_init(void);
void gotoblas_dynamic_quit(void);
#endif

#ifdef SPX_HAVE_OPENBLAS
/* The kernels OpenBLAS should use on this CPU when its detection fell back to the generic
 * ones, or NULL to leave its choice alone. */
static const char *better_core(const char *detected) {
#if defined(SPX_HAVE_OPENBLAS_DYNAMIC) && (defined(__x86_64__) || defined(__i386__)) && \
    defined(__GNUC__)
  if (!detected || strcmp(detected, "Prescott") != 0) return NULL;
  __builtin_cpu_init();
  /* only kernels this OpenBLAS was built with: an unknown OPENBLAS_CORETYPE makes
   * gotoblas_dynamic_init exit the process (builds with DYNAMIC_LIST or NO_AVX512 lack some) */
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
      dlsym(RTLD_DEFAULT, "gotoblas_SKYLAKEX"))
    return "SkylakeX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
      dlsym(RTLD_DEFAULT, "gotoblas_HASWELL"))
    return "Haswell";
  return NULL;
#else
  (void)detected;
  return NULL;
#endif
}
#endif

void spx_blas_setup(void) {
#ifdef SPX_HAVE_OPENBLAS
  const char *threads = getenv("OPENBLAS_NUM_THREADS");
  const char *coretype = getenv("OPENBLAS_CORETYPE");
  const char *detected = openblas_get_corename();
  const char *want = (coretype && *coretype) ? NULL : better_core(detected);
#ifdef SPX_HAVE_OPENBLAS_DYNAMIC
  if (want) {
    /* gotoblas_dynamic_init reads the choice from the environment only: set it for the call
     * and take it away again, so that child processes (an external model) see the user's
     * environment unchanged. */
    gotoblas_dynamic_quit();
    setenv("OPENBLAS_CORETYPE", want, 1);
    gotoblas_dynamic_init();
    unsetenv("OPENBLAS_CORETYPE");
  }
#else
  (void)want;
#endif
  /* after the switch: gotoblas_dynamic_init sets up the kernels' parameters afresh */
  if (!threads || !*threads) openblas_set_num_threads(1);
#endif
}

void spx_blas_describe(char *buf, size_t len) {
  if (!buf || len == 0) return;
#ifdef SPX_HAVE_OPENBLAS
  const char *config = openblas_get_config();
  const char *core = openblas_get_corename();
  const char *coretype = getenv("OPENBLAS_CORETYPE");
#ifdef SPX_HAVE_OPENBLAS_DYNAMIC
  const char *how = "OpenBLAS's detection; spex-bench replaces a Prescott fallback";
#else
  const char *how = "fixed when OpenBLAS was built";
#endif
  snprintf(buf, len, "%s; kernels %s (%s)", config ? config : "OpenBLAS", core ? core : "?",
           (coretype && *coretype) ? "OPENBLAS_CORETYPE set by the user" : how);
#else
  snprintf(buf, len, "gslcblas (GSL's reference CBLAS)");
#endif
}
