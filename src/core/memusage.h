/* memusage.h: the peak resident memory of this process over a stretch of work (one cell of
 * the grid), from Linux's /proc: spx_peak_rss_reset() sets the peak ("VmHWM") back to the
 * current resident size (writing 5 to /proc/self/clear_refs, Linux >= 4.0) after returning
 * freed heap memory to the system (glibc's malloc_trim), and spx_peak_rss_mib() reads it.
 * The resident size at the reset (libraries, data the process keeps) is part of the peak. Where the reset is refused the peak is the process's
 * lifetime peak, which is still an upper bound. */
#ifndef SPX_MEMUSAGE_H
#define SPX_MEMUSAGE_H

/* 1 if the peak was reset, 0 if not (the peak then counts from the process's start). */
int spx_peak_rss_reset(void);
/* Peak resident memory in MiB since the last reset, or NaN where /proc cannot be read. */
double spx_peak_rss_mib(void);

#endif
