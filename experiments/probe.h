/* probe.h: `spex-bench check`'s estimate of a run, and `check --probe`.
 *
 * spx_check_estimate prints the queries of the plan (every cell that runs: its budget times the
 * repeats; plus the held-out test masks of every instance); with probe it first runs
 * spx_check_probe, then measures the oracle's wall time on batches of 8 and of 64 random masks
 * of up to three instances (smallest, median and largest n): the cost per query (the slope)
 * and per batch (the rest), and prints an estimated oracle time, labelled as an estimate. spx_check_probe opens the oracle of the first instance, evaluates
 * the empty mask and the full mask, prints one line with both answers and the time taken, and
 * closes the oracle (a process model is shut down: nothing is left running). Without --probe,
 * `check` starts no model process (the process oracle starts its command at the first batch). */
#ifndef SPX_PROBE_H
#define SPX_PROBE_H

#include <stdio.h>

#include "config/config.h"

/* The plan's queries: per instance its n and the queries of its cells that run (budget x
 * repeats, summed over methods and budget points); totals over instances. */
typedef struct spx_check_queries {
  size_t instances;
  size_t *n;
  double *cell_queries;
  size_t *cells; /* cells that run (repeats included) */
  double cells_total, test_total;
  size_t cells_run;
  int n_assumed; /* more than 64 instances: n of each scaling point's first explicand used */
} spx_check_queries;

int spx_check_plan_queries(const spx_config *cfg, spx_check_queries *q, spx_error *err);
void spx_check_queries_free(spx_check_queries *q);

int spx_check_probe(const spx_config *cfg, FILE *out, spx_error *err);
int spx_check_estimate(const spx_config *cfg, int probe, FILE *out, spx_error *err);

#endif
