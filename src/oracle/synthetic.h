/* synthetic.h: the synthetic oracle (sparse Fourier or Moebius functions with known truth).
 *
 * Opened by name ("synthetic") through the registry; this header only exposes the type and
 * the exact quantities tests and drivers may want to read back. Options: docs/oracles.md. */
#ifndef SPX_ORACLE_SYNTHETIC_H
#define SPX_ORACLE_SYNTHETIC_H

#include "oracle.h"

extern const spx_oracle_type spx_oracle_synthetic;

/* Exact variance of the noiseless function under uniformly random masks (each feature kept
 * with probability 1/2 independently), or NAN when o is not a synthetic oracle. Computed at
 * open when snr_db is set, else on the first call. */
double spx_synthetic_variance(spx_oracle *o);
/* Standard deviation of the additive noise (0 without snr_db), or NAN when o is not a
 * synthetic oracle. */
double spx_synthetic_noise_sd(const spx_oracle *o);

#endif
