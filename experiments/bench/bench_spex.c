/* bench_spex.c: SPEX timings (not a test). Modes:
 *   bench_spex decode [reps]  n = 1000, t = 5, b = 8, s = 100: method time without the oracle
 *                             (spx_method_run's time_decode) and a stage breakdown (masks,
 *                             WHT, peeling), soft and hard decoders, median of reps runs
 *   bench_spex table [reps]   the configurations of the reference timings (n = 100 / 1000,
 *                             s = 20 / 100, b = 6 / 8, hard / soft): peeling time and accuracy
 *   bench_spex large [b]      full pipeline at n = 100000, s = 1000 (soft): exact recovery,
 *                             times and peak memory (getrusage); run it in its own process
 * Test function as in research/reference-timings.md: s interactions of uniform degree 1..5 on
 * distinct supports, |F| ~ U[0.5, 1] with random sign, plus a constant of the same law. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <gsl/gsl_rng.h>

#include "core/mask.h"
#include "core/metrics.h"
#include "core/options.h"
#include "core/rng.h"
#include "core/timer.h"
#include "core/transform.h"
#include "core/wht.h"
#include "methods/method.h"
#include "methods/spex/spex_internal.h"

/* The true function, flattened for a fast mask-major evaluation. */
typedef struct {
  spx_transform *tf;
  size_t count;
  uint32_t *deg, *off, *idx;
  double *val;
} function;

static function make_function(uint64_t seed, size_t n, size_t s) {
  gsl_rng *r = spx_rng_stream(seed, 1, 0, 0, 0);
  function f;
  f.tf = spx_transform_create((uint32_t)n, SPX_BASIS_FOURIER);
  double c = (0.5 + 0.5 * gsl_rng_uniform(r)) * (gsl_rng_uniform(r) < 0.5 ? -1 : 1);
  uint32_t none = 0;
  spx_transform_set(f.tf, &none, 0, c, NULL);
  while (spx_transform_size(f.tf) < s + 1) {
    unsigned deg = 1 + (unsigned)gsl_rng_uniform_int(r, 5);
    uint32_t idx[5];
    for (unsigned i = 0; i < deg;) {
      uint32_t v = (uint32_t)gsl_rng_uniform_int(r, n);
      unsigned j = 0;
      while (j < i && idx[j] != v) j++;
      if (j == i) idx[i++] = v;
    }
    int found;
    spx_transform_get(f.tf, idx, deg, &found);
    if (found) continue;
    spx_transform_set(f.tf, idx, deg, (0.5 + 0.5 * gsl_rng_uniform(r)) * (gsl_rng_uniform(r) < 0.5 ? -1 : 1),
                      NULL);
  }
  f.count = spx_transform_size(f.tf);
  f.deg = malloc(f.count * sizeof *f.deg);
  f.off = malloc(f.count * sizeof *f.off);
  f.idx = malloc(f.count * 5 * sizeof *f.idx);
  f.val = malloc(f.count * sizeof *f.val);
  size_t pos = 0;
  for (size_t e = 0; e < f.count; e++) {
    const uint32_t *idx;
    uint32_t deg;
    spx_transform_entry(f.tf, e, &idx, &deg, &f.val[e]);
    f.deg[e] = deg;
    f.off[e] = (uint32_t)pos;
    for (uint32_t i = 0; i < deg; i++) f.idx[pos++] = idx[i];
  }
  gsl_rng_free(r);
  return f;
}

static void free_function(function *f) {
  spx_transform_destroy(&f->tf);
  free(f->deg);
  free(f->off);
  free(f->idx);
  free(f->val);
}

static int eval_fn(void *ctx, const spx_maskset *masks, double *values, spx_error *err) {
  const function *f = ctx;
  for (size_t i = 0; i < masks->count; i++) {
    const uint64_t *m = spx_maskset_row(masks, i);
    double y = 0;
    for (size_t e = 0; e < f->count; e++) {
      unsigned par = 0;
      const uint32_t *idx = f->idx + f->off[e];
      for (uint32_t q = 0; q < f->deg[e]; q++) par ^= (unsigned)spx_mask_test(m, idx[q]);
      y += par ? -f->val[e] : f->val[e];
    }
    values[i] = y;
  }
  return SPX_OK;
}

typedef struct {
  size_t within6, within3, spurious;
  double maxabs, maxrel, r2;
} accuracy;

static accuracy score(const function *f, const spx_transform *got, const spx_maskset *test,
                      const double *ytest) {
  accuracy a;
  memset(&a, 0, sizeof a);
  for (size_t e = 0; e < f->count; e++) {
    const uint32_t *idx;
    uint32_t deg;
    double v;
    spx_transform_entry(f->tf, e, &idx, &deg, &v);
    double g = spx_transform_get(got, idx, deg, NULL), d = fabs(g - v);
    a.within6 += d <= 1e-6;
    a.within3 += d <= 1e-3;
    if (d > a.maxabs) a.maxabs = d;
    if (d / fabs(v) > a.maxrel) a.maxrel = d / fabs(v);
  }
  for (size_t e = 0; e < spx_transform_size(got); e++) {
    const uint32_t *idx;
    uint32_t deg;
    double v;
    spx_transform_entry(got, e, &idx, &deg, &v);
    int found;
    spx_transform_get(f->tf, idx, deg, &found);
    a.spurious += !found;
  }
  if (test) {
    double *yhat = malloc(test->count * sizeof *yhat);
    spx_transform_predict(got, test, yhat, NULL);
    a.r2 = spx_r2(ytest, yhat, test->count);
    free(yhat);
  }
  return a;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, size_t k) {
  qsort(v, k, sizeof *v, cmp_double);
  return k % 2 ? v[k / 2] : 0.5 * (v[k / 2 - 1] + v[k / 2]);
}

/* Stage breakdown with the internal API (same steps as the method). */
typedef struct {
  double design, masks, oracle, wht, peel;
  spx_spex_decode_info info;
  spx_transform *out;
} stages;

static stages run_stages(const function *f, size_t n, unsigned b, int decoder, uint64_t seed) {
  stages st;
  memset(&st, 0, sizeof st);
  gsl_rng *r = spx_rng_stream(seed, 2, 0, 0, 0);
  double t0 = spx_time_now();
  spx_spex_design *d = spx_spex_design_create(n, 5, b, 3, r, NULL);
  spx_spex_bins *bins = spx_spex_bins_create(d, NULL);
  spx_wht_plan *plan = spx_wht_plan_create(b, NULL);
  st.design = spx_time_now() - t0;
  size_t nb = (size_t)1 << b;
  double *work = malloc(nb * sizeof *work), *vals = malloc(nb * sizeof *vals);
  spx_maskset *ms = spx_maskset_create(n, nb);
  for (size_t q = 0; q < 3 * ((size_t)d->p + 1); q++) {
    t0 = spx_time_now();
    spx_spex_design_masks(d, q, ms->bits);
    double t1 = spx_time_now();
    eval_fn((void *)f, ms, vals, NULL);
    double t2 = spx_time_now();
    spx_spex_bins_add_row(d, bins, q, vals, plan, work);
    double t3 = spx_time_now();
    st.masks += t1 - t0;
    st.oracle += t2 - t1;
    st.wht += t3 - t2;
  }
  spx_spex_decode_opts o = {decoder, 10, SPX_CHASE_ERRORS, 100, 0.9, 1e-24, 1};
  st.out = spx_transform_create((uint32_t)n, SPX_BASIS_FOURIER);
  t0 = spx_time_now();
  spx_spex_peel(d, bins, &o, NULL, r, st.out, &st.info, NULL);
  st.peel = spx_time_now() - t0;
  free(work);
  free(vals);
  spx_maskset_destroy(&ms);
  spx_wht_plan_destroy(&plan);
  spx_spex_bins_destroy(&bins);
  spx_spex_design_destroy(&d);
  gsl_rng_free(r);
  return st;
}

static spx_maskset *test_masks(size_t n, size_t count, const function *f, double **y) {
  gsl_rng *r = spx_rng_stream(777, 0, 0, 0, 0);
  spx_maskset *m = spx_maskset_create(n, count);
  for (size_t i = 0; i < count; i++)
    for (size_t j = 0; j < n; j++)
      if (gsl_rng_uniform(r) < 0.5) spx_mask_set(spx_maskset_row(m, i), j);
  *y = malloc(count * sizeof **y);
  eval_fn((void *)f, m, *y, NULL);
  gsl_rng_free(r);
  return m;
}

static int run_method(const char *name, const function *f, size_t n, unsigned b, uint64_t seed,
                      const char *round_mb, spx_transform **out, spx_method_stats *st) {
  spx_options *o = spx_options_create("bench");
  char bs[8];
  snprintf(bs, sizeof bs, "%u", b);
  spx_options_put(o, "b", SPX_OPT_TEXT, bs, NULL, NULL);
  if (round_mb) spx_options_put(o, "round_mb", SPX_OPT_TEXT, round_mb, NULL, NULL);
  gsl_rng *r = spx_rng_stream(seed, 2, 0, 0, 0);
  unsigned m;
  uint32_t nc, kc;
  spx_bch_params(n, 5, &m, &nc, &kc, NULL);
  spx_error err;
  int rc = spx_method_run(name, n, spx_spex_queries(3, nc - kc, b), o, r, eval_fn, (void *)f,
                          out, st, &err);
  if (rc) fprintf(stderr, "%s failed: %s\n", name, err.msg);
  gsl_rng_free(r);
  spx_options_destroy(&o);
  return rc;
}

static void mode_decode(int reps) {
  size_t n = 1000, s = 100;
  unsigned b = 8;
  function f = make_function(1000100, n, s);
  printf("# decode: n = %zu, t = 5, b = %u, s = %zu, %d repetitions (seeds 1..%d), medians\n", n,
         b, s, reps, reps);
  printf("%-5s %12s %10s %10s %10s %10s %9s %9s %8s %8s %10s\n", "dec", "method_ms", "design_ms",
         "masks_ms", "wht_ms", "peel_ms", "decodes", "rounds", "exact", "spur", "max_relerr");
  static const char *const names[] = {"spex", "spex_hard"};
  for (int dec = 0; dec < 2; dec++) {
    double tm[64], td[64], tk[64], tw[64], tp[64], dc[64], it[64];
    size_t exact = 0, spur = 0;
    double maxrel = 0;
    for (int rep = 0; rep < reps; rep++) {
      spx_transform *got = NULL;
      spx_method_stats ms;
      run_method(names[dec], &f, n, b, (uint64_t)rep + 1, NULL, &got, &ms);
      tm[rep] = ms.time_decode * 1e3;
      stages st = run_stages(&f, n, b, dec == 0 ? SPX_SPEX_SOFT : SPX_SPEX_HARD, (uint64_t)rep + 1);
      td[rep] = st.design * 1e3;
      tk[rep] = st.masks * 1e3;
      tw[rep] = st.wht * 1e3;
      tp[rep] = st.peel * 1e3;
      dc[rep] = (double)st.info.decodes;
      it[rep] = st.info.iterations;
      accuracy a = score(&f, got, NULL, NULL);
      exact += a.within6 == f.count;
      spur += a.spurious;
      if (a.maxrel > maxrel) maxrel = a.maxrel;
      spx_transform_destroy(&got);
      spx_transform_destroy(&st.out);
    }
    printf("%-5s %12.2f %10.2f %10.2f %10.2f %10.2f %9.0f %9.0f %5zu/%-2d %8zu %10.2g\n",
           dec == 0 ? "soft" : "hard", median(tm, (size_t)reps), median(td, (size_t)reps),
           median(tk, (size_t)reps), median(tw, (size_t)reps), median(tp, (size_t)reps),
           median(dc, (size_t)reps), median(it, (size_t)reps), exact, reps, spur, maxrel);
  }
  free_function(&f);
}

static void mode_table(int reps) {
  printf("# reference configurations: %d repetitions (seeds 1..%d) per row, same function; "
         "peel = peeling decoder only; method = spx_method_run time_decode (all but the oracle)\n",
         reps, reps);
  printf("%5s %4s %2s %7s %5s %9s %10s %-14s %6s %10s %5s %12s\n", "n", "s", "b", "queries",
         "dec", "peel_ms", "method_ms", "within1e-6", "1e-3", "maxabs", "spur", "R2(min)");
  static const size_t ns[] = {100, 1000}, ss[] = {20, 100};
  static const unsigned bs[] = {6, 8};
  for (int a = 0; a < 2; a++)
    for (int c = 0; c < 2; c++) {
      function f = make_function(ns[a] * 1000 + ss[c], ns[a], ss[c]);
      double *ytest;
      spx_maskset *test = test_masks(ns[a], 1000, &f, &ytest);
      for (int e = 0; e < 2; e++)
        for (int dec = 0; dec < 2; dec++) {
          double tp[64], tm[64], maxabs = 0, r2min = 1;
          char within[64] = "";
          size_t w3 = 0, spur = 0, queries = 0;
          for (int rep = 0; rep < reps; rep++) {
            stages st = run_stages(&f, ns[a], bs[e], dec ? SPX_SPEX_SOFT : SPX_SPEX_HARD,
                                   (uint64_t)rep + 1);
            tp[rep] = st.peel * 1e3;
            spx_transform *got = NULL;
            spx_method_stats ms;
            run_method(dec ? "spex" : "spex_hard", &f, ns[a], bs[e], (uint64_t)rep + 1, NULL,
                       &got, &ms);
            tm[rep] = ms.time_decode * 1e3;
            queries = ms.queries;
            accuracy acc = score(&f, got, test, ytest);
            char buf[16];
            snprintf(buf, sizeof buf, "%s%zu", rep ? "/" : "", acc.within6);
            strncat(within, buf, sizeof within - strlen(within) - 1);
            w3 += acc.within3 == f.count;
            spur += acc.spurious;
            if (acc.maxabs > maxabs) maxabs = acc.maxabs;
            if (acc.r2 < r2min) r2min = acc.r2;
            spx_transform_destroy(&got);
            spx_transform_destroy(&st.out);
          }
          printf("%5zu %4zu %2u %7zu %5s %9.2f %10.2f %-14s %3zu/%-2d %10.2g %5zu %12.10f\n", ns[a],
                 ss[c], bs[e], queries, dec ? "soft" : "hard", median(tp, (size_t)reps),
                 median(tm, (size_t)reps), within, w3, reps, maxabs, spur, r2min);
        }
      free(ytest);
      spx_maskset_destroy(&test);
      free_function(&f);
    }
}

static void mode_large(unsigned b, const char *round_mb) {
  size_t n = 100000, s = 1000;
  double t0 = spx_time_now();
  function f = make_function(100000, n, s);
  double tf = spx_time_now() - t0;
  spx_transform *got = NULL;
  spx_method_stats ms;
  t0 = spx_time_now();
  int rc = run_method("spex", &f, n, b, 1, round_mb, &got, &ms);
  double wall = spx_time_now() - t0;
  if (rc) return;
  accuracy a = score(&f, got, NULL, NULL);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("# large: n = %zu, s = %zu, t = 5, b = %u, soft decoder, round_mb = %s\n", n, s, b,
         round_mb ? round_mb : "64 (default)");
  printf("queries %zu in %zu rounds; wall %.2f s = method (masks, WHT, peeling) %.2f s + "
         "oracle %.2f s; function setup %.2f s\n",
         ms.queries, ms.rounds, wall, ms.time_decode, ms.time_oracle, tf);
  printf("recovered within 1e-6: %zu of %zu; max rel err %.2g; spurious %zu; peak RSS %.1f MiB\n",
         a.within6, f.count, a.maxrel, a.spurious, (double)ru.ru_maxrss / 1024.0);
  spx_transform_destroy(&got);
  free_function(&f);
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "decode";
  if (strcmp(mode, "decode") == 0) {
    int reps = argc > 2 ? atoi(argv[2]) : 9;
    mode_decode(reps < 1 ? 1 : (reps > 64 ? 64 : reps));
  } else if (strcmp(mode, "table") == 0) {
    int reps = argc > 2 ? atoi(argv[2]) : 3;
    mode_table(reps < 1 ? 1 : (reps > 64 ? 64 : reps));
  } else if (strcmp(mode, "large") == 0) {
    mode_large(argc > 2 ? (unsigned)atoi(argv[2]) : 11, argc > 3 ? argv[3] : NULL);
  } else {
    fprintf(stderr, "usage: %s decode [reps] | table [reps] | large [b [round_mb]]\n", argv[0]);
    return 2;
  }
  return 0;
}
