/* bench_estimators.c: index accuracy against budget (the ProxySHAP paper's protocol; docs/
 * benchmarks-estimators.md). Reads a spex-bench configuration (its oracle, explicands and
 * [[method]] tables; its [budget] is ignored), computes every explicand's exact index, runs
 * every method at log-spaced budgets from n + 1 to min(2^n, max budget) and writes one CSV row
 * per (explicand, method, budget, repetition) with MSE, relative MSE, Precision@5/10 and
 * Kendall tau@10 (src/core/index_metrics.h) of the method's index against the exact one.
 *
 *   bench_estimators CONFIG.toml [--out FILE.csv] [--index sii] [--order 2] [--points 20]
 *                    [--reps 1] [--max-budget 35000] [--cap LABEL=BUDGET ...] [--set key=value ...]
 *
 * --cap LABEL=BUDGET skips method LABEL above BUDGET (status "skipped"; to keep slow methods'
 * runs short on a shared machine).
 *
 * Truth (spx_index_truth_moebius, shared with the grid's index-accuracy scorer): the oracle's own
 * (Moebius, or Fourier converted) when it has one, else the Moebius
 * transform of all 2^n values (n <= 20); converted to the index by spx_moebius_to_index.
 * Methods whose result holds index values (kernelshap_iq, shap_iq, svarm_iq, permutation,
 * proxyshap, kernelshap = SV, faith_shap = FSII, faith_banzhaf = FBII, banzhaf = BV) are scored
 * only when their index and order (their `index` / `order` options, or the method's defaults)
 * are the ones requested; kadd_shap is scored against SII of its order. Surrogates (exact,
 * spex, spex_hard, proxyspex, lime) are converted to the index (spx_transform_to_index).
 * Budgets where a method is not applicable give a row with status "skipped" and the reason.
 * Each run's generator: spx_rng_stream(seed, hash(label), explicand, budget, repetition). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/blas_setup.h"
#include "core/convert.h"
#include "core/index_metrics.h"
#include "core/rng.h"
#include "experiments/scorers/index_accuracy.h"
#include "methods/method.h"
#include "oracle/oracle.h"

typedef struct {
  spx_oracle *o;
} eval_ctx;

static int oracle_eval(void *ctx, const spx_maskset *masks, double *values, spx_error *err) {
  return spx_oracle_eval_all(((eval_ctx *)ctx)->o, masks, values, err);
}

static void usage(void) {
  fprintf(stderr, "usage: bench_estimators CONFIG.toml [--out FILE.csv] [--index sii] [--order 2] "
                  "[--points 20] [--reps 1] [--max-budget 35000] [--set key=value ...]\n");
}

int main(int argc, char **argv) {
  spx_blas_setup(); /* the BLAS threads and kernels of spex-bench (core/blas_setup.h) */
  const char *path = NULL, *outp = NULL, *index_name = "sii";
  const char *sets[64];
  size_t nsets = 0, points = 20, reps = 1, maxb = 35000, ncap = 0;
  const char *cap_label[32];
  size_t cap_budget[32];
  unsigned order = 2;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *val = i + 1 < argc ? argv[i + 1] : NULL;
    if (a[0] != '-') {
      path = a;
      continue;
    }
    if (val == NULL) {
      fprintf(stderr, "bench_estimators: %s needs a value\n", a);
      return 2;
    }
    i++;
    if (strcmp(a, "--out") == 0)
      outp = val;
    else if (strcmp(a, "--index") == 0)
      index_name = val;
    else if (strcmp(a, "--order") == 0)
      order = (unsigned)atoi(val);
    else if (strcmp(a, "--points") == 0)
      points = (size_t)atol(val);
    else if (strcmp(a, "--reps") == 0)
      reps = (size_t)atol(val);
    else if (strcmp(a, "--max-budget") == 0)
      maxb = (size_t)atol(val);
    else if (strcmp(a, "--cap") == 0 && ncap < 32 && strchr(val, '=')) {
      static char labels[32][128];
      size_t len = (size_t)(strchr(val, '=') - val);
      snprintf(labels[ncap], sizeof labels[ncap], "%.*s", (int)(len < 127 ? len : 127), val);
      cap_label[ncap] = labels[ncap];
      cap_budget[ncap++] = (size_t)atol(strchr(val, '=') + 1);
    } else if (strcmp(a, "--set") == 0 && nsets < 64)
      sets[nsets++] = val;
    else {
      fprintf(stderr, "bench_estimators: unknown option %s\n", a);
      usage();
      return 2;
    }
  }
  spx_index target;
  if (path == NULL || spx_index_from_name(index_name, &target) || order < 1 || points < 1 ||
      points > 200 || reps < 1) {
    usage();
    return 2;
  }
  spx_error err = {0};
  spx_config *cfg = NULL;
  if (spx_config_load(path, sets, nsets, NULL, &cfg, &err)) {
    fprintf(stderr, "bench_estimators: %s\n", err.msg);
    return 1;
  }
  FILE *out = outp ? fopen(outp, "w") : stdout;
  if (out == NULL) {
    fprintf(stderr, "bench_estimators: cannot write %s\n", outp);
    spx_config_destroy(&cfg);
    return 1;
  }
  fprintf(out, "config,explicand,n,method,index,order,budget,rep,queries,status,mse,rel_mse,"
               "precision5,precision10,tau10,time_decode,note\n");
  int status = 0;
  for (size_t inst = 0; inst < spx_config_instances(cfg); inst++) {
    size_t e = spx_config_instance_explicand(cfg, inst);
    spx_options *oopts = spx_config_oracle_options(cfg, inst, &err);
    spx_oracle *o = NULL;
    spx_transform *moeb = NULL, *truth = NULL;
    int rc = oopts ? spx_oracle_open(cfg->oracle, oopts, e, &o, &err) : SPX_EINVAL;
    eval_ctx tctx = {o};
    if (rc == SPX_OK) rc = spx_index_truth_moebius(o, oracle_eval, &tctx, 20, &moeb, &err);
    if (rc == SPX_OK) rc = spx_moebius_to_index(moeb, target, order, &truth, &err);
    if (rc) {
      fprintf(stderr, "bench_estimators: explicand %zu: %s\n", e, err.msg);
      status = 1;
      spx_oracle_destroy(&o);
      spx_options_destroy(&oopts);
      continue;
    }
    size_t n = o->n;
    size_t hi = n < 40 ? ((size_t)1 << n) : maxb;
    if (hi > maxb) hi = maxb;
    size_t budgets[200];
    size_t nb = spx_log_budgets(n + 1 < hi ? n + 1 : hi, hi, points, budgets);
    fprintf(stderr, "explicand %zu: n = %zu, %zu budgets %zu..%zu\n", e, n, nb, budgets[0],
            budgets[nb - 1]);
    for (size_t mi = 0; mi < cfg->nmethod; mi++) {
      const spx_config_method *m = &cfg->method[mi];
      int convert;
      char why[512] = "";
      /* the method's options, parsed once for this n */
      spx_options *mo = spx_options_clone(m->opts);
      spx_method_config *mc = NULL;
      rc = mo ? spx_method_configure(m->type, n, mo, &mc, &err)
              : spx_error_set(&err, SPX_ENOMEM, "out of memory");
      if (rc) {
        fprintf(stderr, "  %s: %s\n", m->label, err.msg);
        status = 1;
      } else if (!spx_index_scorable(mc, target, order, &convert, why, sizeof why)) {
        fprintf(stderr, "  %s: not scored: %s\n", m->label, why);
      }
      if (rc || why[0]) {
        spx_method_config_destroy(&mc);
        spx_options_destroy(&mo);
        continue;
      }
      for (size_t bi = 0; bi < nb; bi++)
        for (size_t r = 0; r < reps; r++) {
          size_t b = budgets[bi];
          char reason[1100] = "";
          const char *st = "ok";
          spx_index_scores sc = {0};
          sc.mse = sc.rel_mse = sc.precision5 = sc.precision10 = sc.tau10 = NAN;
          spx_method_stats stats = {0};
          stats.time_decode = NAN;
          size_t cap = (size_t)-1;
          for (size_t c = 0; c < ncap; c++)
            if (strcmp(cap_label[c], m->label) == 0) cap = cap_budget[c];
          if (b > cap) {
            st = "skipped";
            snprintf(reason, sizeof reason, "above --cap %s=%zu", m->label, cap);
          } else if (!spx_method_config_applicable(mc, b, reason, sizeof reason)) {
            st = "skipped";
          } else {
            gsl_rng *g = spx_rng_stream(cfg->seed, spx_hash_string(m->label), e, b, r);
            spx_transform *est = NULL, *ix = NULL;
            eval_ctx ctx = {o};
            rc = spx_method_run_config(mc, b, g, oracle_eval, &ctx, NULL, &est, &stats, &err);
            if (rc == SPX_OK && convert) rc = spx_transform_to_index(est, target, order, &ix, &err);
            if (rc == SPX_OK) rc = spx_index_accuracy(ix ? ix : est, truth, order, &sc, &err);
            if (rc) {
              st = "failed";
              snprintf(reason, sizeof reason, "%s", err.msg);
            }
            spx_transform_destroy(&est);
            spx_transform_destroy(&ix);
            gsl_rng_free(g);
          }
          for (char *p = reason; *p; p++)
            if (*p == ',' || *p == '"' || *p == '\n') *p = ';';
          fprintf(out, "%s,%zu,%zu,%s,%s,%u,%zu,%zu,%zu,%s,%.10g,%.10g,%.4g,%.4g,%.6g,%.6g,%s\n",
                  cfg->name, e, n, m->label, spx_index_name(target), order, b, r, stats.queries,
                  st, sc.mse, sc.rel_mse, sc.precision5, sc.precision10, sc.tau10,
                  stats.time_decode, reason);
          fflush(out);
        }
      spx_method_config_destroy(&mc);
      spx_options_destroy(&mo);
    }
    spx_transform_destroy(&truth);
    spx_transform_destroy(&moeb);
    spx_oracle_destroy(&o);
    spx_options_destroy(&oopts);
  }
  if (out != stdout) fclose(out);
  spx_config_destroy(&cfg);
  return status;
}
