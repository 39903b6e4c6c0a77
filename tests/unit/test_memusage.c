/* test_memusage.c: the peak resident memory follows a 64 MiB allocation that is touched, and
 * falls back after a reset once the memory is freed (on Linux, where /proc allows it). */
#include <math.h>
#include <stdlib.h>

#include "core/memusage.h"
#include "testing.h"

int main(void) {
  int reset = spx_peak_rss_reset();
  double before = spx_peak_rss_mib();
  spx_test(isfinite(before) && before > 0, "peak readable: %.1f MiB", before);
  size_t bytes = (size_t)64 << 20;
  volatile char *block = malloc(bytes);
  if (block == NULL) return 1;
  for (size_t i = 0; i < bytes; i += 4096) block[i] = 1; /* touch every page (volatile: kept) */
  double during = spx_peak_rss_mib();
  /* at least 60 of the 64 MiB show up (the allocator may have had some pages already) */
  spx_test(during >= before + 60.0, "peak grows with a touched 64 MiB block: %.1f -> %.1f MiB",
           before, during);
  free((void *)block);
#ifdef __SANITIZE_ADDRESS__
  reset = 0; /* ASan keeps freed memory in quarantine: the resident size does not fall */
#endif
  if (reset) {
    spx_test(spx_peak_rss_reset(), "reset again");
    double after = spx_peak_rss_mib();
    /* freed: glibc returns a block this large to the system (mmap threshold 128 KiB) */
    spx_test(after < during - 60.0, "peak after free and reset: %.1f MiB (was %.1f)", after,
             during);
  }
  return spx_test_summary();
}
