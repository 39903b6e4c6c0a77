/* memusage.c: peak resident memory from /proc/self (memusage.h). */
#include "memusage.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

int spx_peak_rss_reset(void) {
#ifdef __GLIBC__
  malloc_trim(0); /* give freed heap back first, so that earlier work does not count */
#endif
  FILE *f = fopen("/proc/self/clear_refs", "w");
  if (f == NULL) return 0;
  int ok = fputs("5", f) >= 0;
  if (fclose(f) != 0) ok = 0;
  return ok;
}

double spx_peak_rss_mib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  if (f == NULL) return NAN;
  char line[256];
  double mib = NAN;
  while (fgets(line, sizeof line, f)) {
    unsigned long long kib;
    if (strncmp(line, "VmHWM:", 6) == 0 && sscanf(line + 6, "%llu", &kib) == 1) {
      mib = (double)kib / 1024.0;
      break;
    }
  }
  fclose(f);
  return mib;
}
