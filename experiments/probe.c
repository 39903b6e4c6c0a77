/* probe.c: the estimate printed by `spex-bench check`, and `check --probe` (probe.h). */
#include "probe.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "core/mask.h"
#include "core/rng.h"
#include "core/timer.h"
#include "methods/method.h"
#include "oracle/oracle.h"

enum { PROBE_SMALL = 8, PROBE_LARGE = 64, PROBE_INSTANCES = 3 };

/* Open the oracle of instance i (NULL on failure, err set). */
static spx_oracle *open_instance(const spx_config *cfg, size_t i, spx_error *err) {
  spx_options *opts = spx_config_oracle_options(cfg, i, err);
  if (opts == NULL) return NULL;
  spx_oracle *o = NULL;
  int rc = spx_oracle_open(cfg->oracle, opts, spx_config_instance_explicand(cfg, i), &o, err);
  spx_options_destroy(&opts);
  return rc == SPX_OK ? o : NULL;
}

int spx_check_probe(const spx_config *cfg, FILE *out, spx_error *err) {
  double t0 = spx_time_now();
  spx_oracle *o = open_instance(cfg, 0, err);
  int rc = o ? SPX_OK : (err && err->code ? err->code : SPX_ENOMEM);
  spx_maskset *m = NULL;
  if (rc == SPX_OK) {
    m = spx_maskset_create(o->n, 2);
    if (m == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  double y[2] = {0, 0};
  if (rc == SPX_OK) {
    for (size_t i = 0; i < o->n; i++) spx_mask_set(spx_maskset_row(m, 1), i);
    rc = spx_oracle_eval_all(o, m, y, err);
  }
  spx_maskset_destroy(&m);
  size_t n = o ? o->n : 0;
  spx_oracle_destroy(&o); /* shuts a process model down */
  if (rc) {
    spx_error_prefix(err, "check --probe: ");
    return rc;
  }
  if (out)
    fprintf(out, "\nprobe        f(no feature) = %.17g, f(all %zu features) = %.17g (%.2f s, model "
                 "started and stopped)\n",
            y[0], n, y[1], spx_time_now() - t0);
  return SPX_OK;
}

/* ---- the estimate ----------------------------------------------------------------------------- */

int spx_check_plan_queries(const spx_config *cfg, spx_check_queries *q, spx_error *err) {
  size_t I = spx_config_instances(cfg);
  memset(q, 0, sizeof *q);
  q->instances = I;
  q->n = calloc(I ? I : 1, sizeof *q->n);
  q->cell_queries = calloc(I ? I : 1, sizeof *q->cell_queries);
  q->cells = calloc(I ? I : 1, sizeof *q->cells);
  if (q->n == NULL || q->cell_queries == NULL || q->cells == NULL) {
    spx_check_queries_free(q);
    return spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  /* n as the plan learns it: every instance up to 64, else the first of each scaling point
   * (assumed for the rest of that point) */
  int all = I <= 64;
  q->n_assumed = !all;
  size_t n = 0;
  int rc = SPX_OK;
  for (size_t i = 0; rc == SPX_OK && i < I; i++) {
    if (all || i % cfg->explicand_count == 0) {
      spx_oracle *o = open_instance(cfg, i, err);
      if (o == NULL) {
        rc = err && err->code ? err->code : SPX_ENOMEM;
        break;
      }
      n = o->n;
      spx_oracle_destroy(&o);
    }
    q->n[i] = n;
    for (size_t b = 0; rc == SPX_OK && b < cfg->nbudget_points; b++) {
      size_t s;
      rc = spx_config_budget_queries(cfg, n, b, &s, err);
      for (size_t m = 0; rc == SPX_OK && m < cfg->nmethod; m++) {
        spx_options *mo = spx_options_clone(cfg->method[m].opts);
        if (mo == NULL) {
          rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
          break;
        }
        char why[256];
        if (spx_method_applicable(cfg->method[m].type, n, s, mo, why, sizeof why)) {
          q->cell_queries[i] += (double)s * (double)cfg->repeats;
          q->cells[i] += cfg->repeats;
        }
        spx_options_destroy(&mo);
      }
    }
    q->cells_total += q->cell_queries[i];
    q->cells_run += q->cells[i];
    q->test_total += (double)cfg->test_masks;
  }
  if (rc) spx_check_queries_free(q);
  return rc;
}

void spx_check_queries_free(spx_check_queries *q) {
  free(q->n);
  free(q->cell_queries);
  free(q->cells);
  q->n = NULL;
  q->cell_queries = NULL;
  q->cells = NULL;
}

/* Wall seconds of one batch of count masks (uniform random, from r) on o. */
static int time_batch(spx_oracle *o, gsl_rng *r, size_t count, double *seconds, spx_error *err) {
  spx_maskset *m = spx_maskset_create(o->n, count);
  double *y = malloc(count * sizeof *y);
  int rc = m && y ? SPX_OK : spx_error_set(err, SPX_ENOMEM, "out of memory");
  if (rc == SPX_OK) {
    for (size_t k = 0; k < count; k++)
      for (size_t j = 0; j < o->n; j++)
        if (gsl_rng_uniform(r) < 0.5) spx_mask_set(spx_maskset_row(m, k), j);
    double t0 = spx_time_now();
    rc = spx_oracle_eval_all(o, m, y, err);
    *seconds = spx_time_now() - t0;
  }
  free(y);
  spx_maskset_destroy(&m);
  return rc;
}

/* Cost of instance i: after the empty and the full mask (which start a process model and warm
 * its caches), a batch of PROBE_SMALL and one of PROBE_LARGE random masks: per query = the
 * slope, per batch = the rest of the small batch's time. */
static int probe_cost(const spx_config *cfg, size_t i, double *per_query, double *per_batch,
                      spx_error *err) {
  spx_oracle *o = open_instance(cfg, i, err);
  if (o == NULL) return err && err->code ? err->code : SPX_ENOMEM;
  spx_maskset *warm = spx_maskset_create(o->n, 2);
  gsl_rng *r = spx_rng_stream(cfg->seed, 0x70726f6265ULL /* "probe" */, i, 0, 0);
  double y[2], small = 0, large = 0;
  int rc = warm && r ? SPX_OK : spx_error_set(err, SPX_ENOMEM, "out of memory");
  if (rc == SPX_OK) {
    for (size_t j = 0; j < o->n; j++) spx_mask_set(spx_maskset_row(warm, 1), j);
    rc = spx_oracle_eval_all(o, warm, y, err);
  }
  if (rc == SPX_OK) rc = time_batch(o, r, PROBE_SMALL, &small, err);
  if (rc == SPX_OK) rc = time_batch(o, r, PROBE_LARGE, &large, err);
  if (rc == SPX_OK) {
    double slope = (large - small) / (PROBE_LARGE - PROBE_SMALL);
    if (!(slope > 0)) slope = large / PROBE_LARGE; /* noise: no overhead to separate */
    *per_query = slope;
    *per_batch = small - PROBE_SMALL * slope > 0 ? small - PROBE_SMALL * slope : 0;
  }
  if (r) gsl_rng_free(r);
  spx_maskset_destroy(&warm);
  spx_oracle_destroy(&o); /* shuts a process model down */
  return rc;
}

static int cmp_by_n(const void *a, const void *b, void *ctx) {
  const size_t *n = ctx, x = *(const size_t *)a, y = *(const size_t *)b;
  if (n[x] != n[y]) return n[x] < n[y] ? -1 : 1;
  return x < y ? -1 : x > y;
}

/* insertion sort of idx by n[idx] (qsort has no context argument in C17) */
static void sort_by_n(size_t *idx, size_t count, const size_t *n) {
  for (size_t a = 1; a < count; a++)
    for (size_t b = a; b > 0 && cmp_by_n(&idx[b - 1], &idx[b], (void *)n) > 0; b--) {
      size_t t = idx[b];
      idx[b] = idx[b - 1];
      idx[b - 1] = t;
    }
}

static void print_seconds(FILE *out, double s) {
  if (s < 120)
    fprintf(out, "%.3g s", s);
  else if (s < 7200)
    fprintf(out, "%.3g s (%.1f min)", s, s / 60);
  else
    fprintf(out, "%.3g s (%.1f h)", s, s / 3600);
}

int spx_check_estimate(const spx_config *cfg, int probe, FILE *out, spx_error *err) {
  if (probe) {
    int rc = spx_check_probe(cfg, out, err);
    if (rc) return rc;
  }
  spx_check_queries q;
  int rc = spx_check_plan_queries(cfg, &q, err);
  if (rc) return rc;
  double total = q.cells_total + q.test_total;
  fprintf(out, "\nestimate     queries: %.0f in all = %.0f by the cells that run (each cell's budget x "
               "%zu repeat%s, skipped cells left out) + %.0f held-out test masks (%zu x %zu "
               "instance%s)%s; an upper bound: methods may use fewer\n",
          total, q.cells_total, cfg->repeats, cfg->repeats == 1 ? "" : "s", q.test_total,
          cfg->test_masks, q.instances, q.instances == 1 ? "" : "s",
          q.n_assumed ? " (n of the first explicand of each scaling point assumed)" : "");
  if (!probe) {
    fprintf(out, "             time: not estimated; `spex-bench check CONFIG --probe` starts the "
                 "model, measures its cost per query on a few random masks and estimates the "
                 "oracle time of the run\n");
    spx_check_queries_free(&q);
    return SPX_OK;
  }
  /* probe up to PROBE_INSTANCES distinct instances: the smallest, median and largest n */
  size_t I = q.instances, *idx = malloc((I ? I : 1) * sizeof *idx);
  size_t pick[PROBE_INSTANCES], npick = 0;
  double cost[PROBE_INSTANCES], batch[PROBE_INSTANCES];
  if (idx == NULL) {
    spx_check_queries_free(&q);
    return spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < I; i++) idx[i] = i;
  sort_by_n(idx, I, q.n);
  size_t cand[PROBE_INSTANCES] = {0, I / 2, I ? I - 1 : 0};
  for (size_t k = 0; k < PROBE_INSTANCES && I; k++) {
    size_t i = idx[cand[k]];
    int dup = 0;
    for (size_t j = 0; j < npick; j++) dup |= q.n[pick[j]] == q.n[i];
    if (!dup) pick[npick++] = i;
  }
  free(idx);
  fprintf(out, "             oracle cost (ESTIMATE: wall time of a batch of %d and one of %d "
               "uniform random masks, measured now on this machine with whatever else runs on "
               "it; per query = the slope, per batch = the rest):\n",
          PROBE_SMALL, PROBE_LARGE);
  for (size_t k = 0; rc == SPX_OK && k < npick; k++) {
    rc = probe_cost(cfg, pick[k], &cost[k], &batch[k], err);
    if (rc == SPX_OK)
      fprintf(out, "               instance %zu (explicand %zu, n = %zu; %.0f queries in at least "
                   "%zu batches): %.3g ms per query, %.3g ms per batch\n",
              pick[k], spx_config_instance_explicand(cfg, pick[k]), q.n[pick[k]],
              q.cell_queries[pick[k]] + (double)cfg->test_masks, q.cells[pick[k]] + 1,
              cost[k] * 1e3, batch[k] * 1e3);
  }
  if (rc) {
    spx_error_prefix(err, "check --probe: ");
    spx_check_queries_free(&q);
    return rc;
  }
  /* every instance: the cost of the probed n (pick is ascending in n), linear in n between
   * two probed n, the nearest probed cost outside */
  double seconds = 0;
  for (size_t i = 0; i < I; i++) {
    double c = cost[npick - 1], o = batch[npick - 1];
    if (q.n[i] <= q.n[pick[0]]) {
      c = cost[0];
      o = batch[0];
    } else {
      for (size_t k = 0; k + 1 < npick; k++)
        if (q.n[i] <= q.n[pick[k + 1]]) {
          double f = (double)(q.n[i] - q.n[pick[k]]) / (double)(q.n[pick[k + 1]] - q.n[pick[k]]);
          c = cost[k] + f * (cost[k + 1] - cost[k]);
          o = batch[k] + f * (batch[k + 1] - batch[k]);
          break;
        }
    }
    /* at least one batch per cell that runs and one for the test masks */
    seconds += c * (q.cell_queries[i] + (double)cfg->test_masks) + o * (double)(q.cells[i] + 1);
  }
  fprintf(out, "             oracle time: ESTIMATE about ");
  print_seconds(out, seconds);
  fprintf(out, " for the %.0f queries (each instance's queries x the cost per query at its n, "
               "plus one batch per cell and per instance's test masks%s), on one group; methods "
               "that ask in several rounds pay more batches, and the methods' own computation "
               "(e.g. ProxySPEX's XGBoost fits, the regressions of the baselines) is not "
               "included\n",
          total, npick < I ? "; interpolated linearly in n between the probed instances" : "");
  spx_check_queries_free(&q);
  return SPX_OK;
}
