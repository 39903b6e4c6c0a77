/* timer.c: monotonic clock for the timing columns of the results. */
#include "timer.h"

#include <time.h>

double spx_time_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
