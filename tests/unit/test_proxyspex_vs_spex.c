/* test_proxyspex_vs_spex.c: ProxySPEX against SPEX on hierarchical synthetic functions
 * (issue 4), on fixed seeds. The case and the measured numbers are in docs/proxyspex.md,
 * section "ProxySPEX vs SPEX".
 *
 * Case: synthetic oracle, n = 128, Moebius basis, hierarchical = true, decay 0.5, noiseless,
 * degree_counts = [0, 0, 7, 7, 6] (20 parent interactions of degrees 3, 4, 5, closed under
 * subsets), explicands 0, 1, 2. SPEX at its budget rule N(b) = 3 (p+1) 2^b with t = 5
 * (p = 40 at n = 128: N(5) = 3936, N(6) = 7872); ProxySPEX with N/8 uniform samples
 * (492 and 984). R² on 1000 uniform held-out masks per explicand, averaged.
 *
 * Asserted (the strongest statement that held in the measurements):
 *  1. At b = 5, ProxySPEX with N/8 = 492 queries reaches SPEX's R² with N = 3936 queries
 *     (mean over the three functions, tolerance 0.05: measured 0.538 vs 0.554 here; the
 *     per-function spread is about 0.06).
 *  2. The 8x claim stops at SPEX's recovery threshold: at b = 6 SPEX recovers the function
 *     (R² > 0.99) while ProxySPEX with N/8 = 984 queries stays below 0.9 (measured 0.770). */
#include <stdio.h>
#include <stdlib.h>

#include "core/metrics.h"
#include "core/options.h"
#include "core/rng.h"
#include "methods/method.h"
#include "oracle/oracle.h"
#include "testing.h"

#define N_FEAT 128
#define N_TEST 1000
#define N_FUNC 3

static int eval_oracle(void *ctx, const spx_maskset *masks, double *values, spx_error *err) {
  return spx_oracle_eval_all(ctx, masks, values, err);
}

static spx_oracle *open_function(size_t explicand) {
  spx_error err;
  spx_options *o = spx_options_create("oracle synthetic");
  static const spx_option_kind kinds[5] = {SPX_OPT_INT, SPX_OPT_INT, SPX_OPT_INT, SPX_OPT_INT,
                                           SPX_OPT_INT};
  static const char *const counts[5] = {"0", "0", "7", "7", "6"};
  spx_options_put(o, "n", SPX_OPT_INT, "128", "test:1:1", NULL);
  spx_options_put_array(o, "degree_counts", 5, kinds, counts, "test:2:1", NULL);
  spx_options_put(o, "basis", SPX_OPT_STRING, "moebius", "test:3:1", NULL);
  spx_options_put(o, "hierarchical", SPX_OPT_BOOL, "true", "test:4:1", NULL);
  spx_options_put(o, "decay", SPX_OPT_FLOAT, "0.5", "test:5:1", NULL);
  spx_oracle *orc = NULL;
  int rc = spx_oracle_open("synthetic", o, explicand, &orc, &err);
  spx_test(rc == SPX_OK, "open hierarchical function %zu (%s)", explicand, rc ? err.msg : "");
  spx_options_destroy(&o);
  return orc;
}

/* R² of method `name` with `budget` queries on the function, on the held-out masks. */
static double r2_of(const char *name, size_t budget, spx_oracle *orc, const spx_maskset *test,
                    const double *y, size_t explicand) {
  spx_error err;
  spx_options *mo = spx_options_create(name);
  gsl_rng *r = spx_rng_stream(11, explicand, budget, 0, 0);
  spx_transform *t = NULL;
  spx_method_stats st;
  double *yhat = malloc(N_TEST * sizeof *yhat);
  int rc = spx_method_run(name, N_FEAT, budget, mo, r, eval_oracle, orc, &t, &st, &err);
  if (rc == SPX_OK) rc = spx_transform_predict(t, test, yhat, &err);
  spx_test(rc == SPX_OK, "%s with %zu queries on function %zu (%s)", name, budget, explicand,
           rc ? err.msg : "");
  double r2 = rc == SPX_OK ? spx_r2(y, yhat, N_TEST) : -1e9;
  printf("  function %zu: %-9s %5zu queries  R2 = %.4f\n", explicand, name, budget, r2);
  spx_transform_destroy(&t);
  free(yhat);
  gsl_rng_free(r);
  spx_options_destroy(&mo);
  return r2;
}

int main(void) {
  double spex5 = 0, proxy5 = 0, spex6 = 0, proxy6 = 0;
  for (size_t e = 0; e < N_FUNC; e++) {
    spx_oracle *orc = open_function(e);
    if (orc == NULL) continue;
    spx_error err;
    spx_maskset *test = spx_maskset_create(N_FEAT, N_TEST);
    gsl_rng *r = spx_rng_stream(12, e, 0, 0, 0);
    for (size_t q = 0; q < N_TEST; q++)
      for (size_t j = 0; j < N_FEAT; j++)
        if (gsl_rng_uniform_int(r, 2)) spx_mask_set(spx_maskset_row(test, q), j);
    double *y = malloc(N_TEST * sizeof *y);
    spx_test(spx_oracle_eval_all(orc, test, y, &err) == SPX_OK, "evaluate test masks");
    spex5 += r2_of("spex", 3936, orc, test, y, e) / N_FUNC;
    proxy5 += r2_of("proxyspex", 3936 / 8, orc, test, y, e) / N_FUNC;
    spex6 += r2_of("spex", 7872, orc, test, y, e) / N_FUNC;
    proxy6 += r2_of("proxyspex", 7872 / 8, orc, test, y, e) / N_FUNC;
    free(y);
    gsl_rng_free(r);
    spx_maskset_destroy(&test);
    spx_oracle_destroy(&orc);
  }
  printf("mean R2: b=5 SPEX(3936) %.4f ProxySPEX(492) %.4f | b=6 SPEX(7872) %.4f "
         "ProxySPEX(984) %.4f\n", spex5, proxy5, spex6, proxy6);
  /* tolerance 0.05: about the standard error of a three-function mean in these runs */
  spx_test(proxy5 >= spex5 - 0.05,
           "b = 5: R2(ProxySPEX, N/8 = 492) %.4f >= R2(SPEX, N = 3936) %.4f - 0.05", proxy5, spex5);
  spx_test(spex6 > 0.99, "b = 6: SPEX with 7872 queries recovers the function (R2 %.4f)", spex6);
  spx_test(proxy6 < 0.9 && proxy6 < spex6 - 0.05,
           "b = 6: ProxySPEX with 984 queries does not reach SPEX (R2 %.4f): the 8x claim ends "
           "at SPEX's recovery threshold", proxy6);
  return spx_test_summary();
}
