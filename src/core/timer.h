/* timer.h: monotonic wall-clock seconds. */
#ifndef SPX_TIMER_H
#define SPX_TIMER_H

/* Seconds since an arbitrary fixed point (CLOCK_MONOTONIC). */
double spx_time_now(void);

#endif
