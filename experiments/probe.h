/* probe.h: `spex-bench check --probe`: ask the model of a configuration two questions.
 *
 * spx_check_probe opens the oracle of the first instance, evaluates the empty mask and the
 * full mask, prints one line with both answers and the time taken, and closes the oracle (a
 * process model is shut down: nothing is left running). Without --probe, `check` starts no
 * model process (the process oracle starts its command at the first batch). */
#ifndef SPX_PROBE_H
#define SPX_PROBE_H

#include <stdio.h>

#include "config/config.h"

int spx_check_probe(const spx_config *cfg, FILE *out, spx_error *err);

#endif
