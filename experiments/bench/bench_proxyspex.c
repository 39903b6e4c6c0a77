/* bench_proxyspex.c: ProxySPEX end to end (sampling excluded from nothing: the whole
 * spx_method_run) on a sparse hierarchical function, hpo = fast vs grid: wall time, peak
 * memory (getrusage max RSS of a child process per run) and faithfulness R² on held-out masks.
 *
 *   bench_proxyspex [--n 1000] [--samples 1000,5000] [--hpo fast,grid] [--reps 3] [--first-rep 0]
 *                   [--threads 1] [--test 1000] [--opt key=value ...] [--method proxyspex]
 *                   [--oracle KIND [--oset key=value ...] [--explicand E]] [--cache DIR]
 *                   [--index-accuracy sii|bii]
 *
 * --method proxyshap runs ProxySHAP instead (its index is scored as a Moebius transform, as
 * the grid scores index-valued methods). --hpo default leaves the method's hpo unset.
 * --oracle replaces the test function by an oracle of spex-bench (its options by --oset;
 * --n is then taken from the oracle). --cache DIR keeps every evaluated mask batch in DIR
 * under a hash of its masks, so a slow oracle (sentiment) answers each batch once across
 * runs and option variants. "method CPU" is the process CPU time of spx_method_run minus the
 * CPU time spent inside the evaluation callback (the non-oracle time of the method).
 *
 * The function: 10 groups of 5 distinct random features (a, b, c, d, e); each group adds the
 * chain c1 a + c2 ab + c3 abc + c4 abcd + c5 abcde (a hierarchy: every interaction's subsets
 * along the chain are present), plus 10 pairwise terms a_g a_h across groups. Degree <= 5,
 * Moebius coefficients of magnitude 1, 0.8, 0.6, 0.5, 0.4 (pairs 0.5) with random signs.
 * Each repetition draws a new function and new samples (seeded by the repetition).
 *
 * --fn parity instead uses the test function of research/reference-timings.md: s = 20 Fourier
 * terms (parities) of uniformly random degree 1..5 on distinct random features, |F| ~ U[0.5, 1]
 * with random signs, plus a constant of the same law (no marginal structure: hard for trees).
 *
 * --index-accuracy INDEX (hierarchical or parity function only) also scores the result as an
 * interaction index against the function's exact index of orders 1 and 2 (its Moebius/Fourier
 * terms converted by spx_transform_to_index): MSE, relative MSE, Precision@5/10, Kendall
 * tau@10 (core/index_metrics.h). ProxySHAP's result holds the index values (its `index` option
 * must match); any other method's transform is converted to the index first. */
#define _DEFAULT_SOURCE /* wait4 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

#include <time.h>

#include "core/blas_setup.h"
#include "core/convert.h"
#include "core/index_metrics.h"
#include "core/metrics.h"
#include "core/options.h"
#include "core/rng.h"
#include "core/timer.h"
#include "methods/method.h"
#include "methods/proxyspex/proxyspex.h"
#include "oracle/oracle.h"

#define GROUPS 10
#define PAIRS 10

#define PARITIES 20

typedef struct {
  size_t n;
  int parity; /* 1: the parity function instead of the hierarchy */
  uint32_t pfeat[PARITIES][5];
  unsigned pdeg[PARITIES];
  double pcoef[PARITIES + 1];
  uint32_t feat[GROUPS][5];
  double chain[GROUPS][5];
  uint32_t pair[PAIRS][2];
  double pairc[PAIRS];
} hier_fn;

static void hier_init(hier_fn *h, size_t n, gsl_rng *r) {
  h->n = n;
  size_t *perm = malloc(n * sizeof *perm);
  for (size_t i = 0; i < n; i++) perm[i] = i;
  for (size_t i = 0; i < GROUPS * 5 && i < n; i++) {
    size_t j = i + gsl_rng_uniform_int(r, (unsigned long)(n - i));
    size_t t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  static const double mag[5] = {1.0, 0.8, 0.6, 0.5, 0.4};
  for (int g = 0; g < GROUPS; g++)
    for (int k = 0; k < 5; k++) {
      h->feat[g][k] = (uint32_t)perm[(size_t)(g * 5 + k) % n];
      h->chain[g][k] = (gsl_rng_uniform(r) < 0.5 ? -1 : 1) * mag[k];
    }
  for (int p = 0; p < PAIRS; p++) {
    int g1 = (int)gsl_rng_uniform_int(r, GROUPS), g2 = (int)gsl_rng_uniform_int(r, GROUPS - 1);
    if (g2 >= g1) g2++;
    h->pair[p][0] = h->feat[g1][0];
    h->pair[p][1] = h->feat[g2][0];
    h->pairc[p] = (gsl_rng_uniform(r) < 0.5 ? -1 : 1) * 0.5;
  }
  free(perm);
}

static void parity_init(hier_fn *h, size_t n, gsl_rng *r) {
  h->n = n;
  h->parity = 1;
  size_t *perm = malloc(n * sizeof *perm);
  for (size_t i = 0; i < n; i++) perm[i] = i;
  for (size_t i = 0; i < PARITIES * 5 && i < n; i++) {
    size_t j = i + gsl_rng_uniform_int(r, (unsigned long)(n - i));
    size_t t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  for (int p = 0; p <= PARITIES; p++)
    h->pcoef[p] = (gsl_rng_uniform(r) < 0.5 ? -1 : 1) * (0.5 + 0.5 * gsl_rng_uniform(r));
  for (int p = 0; p < PARITIES; p++) {
    h->pdeg[p] = 1 + (unsigned)gsl_rng_uniform_int(r, 5);
    for (unsigned k = 0; k < h->pdeg[p]; k++) h->pfeat[p][k] = (uint32_t)perm[(size_t)(p * 5 + k) % n];
  }
  free(perm);
}

static double hier_eval(const hier_fn *h, const uint64_t *m) {
  double f = 0;
  if (h->parity) {
    f = h->pcoef[PARITIES];
    for (int p = 0; p < PARITIES; p++) {
      unsigned par = 0;
      for (unsigned k = 0; k < h->pdeg[p]; k++) par ^= (unsigned)spx_mask_test(m, h->pfeat[p][k]);
      f += par ? -h->pcoef[p] : h->pcoef[p];
    }
    return f;
  }
  for (int g = 0; g < GROUPS; g++) {
    int on = 1;
    for (int k = 0; k < 5 && on; k++) {
      on = spx_mask_test(m, h->feat[g][k]);
      if (on) f += h->chain[g][k];
    }
  }
  for (int p = 0; p < PAIRS; p++)
    if (spx_mask_test(m, h->pair[p][0]) && spx_mask_test(m, h->pair[p][1])) f += h->pairc[p];
  return f;
}

/* The function's exact transform: Moebius terms of the hierarchy, Fourier terms of the
 * parity function (f = sum_p c_p (-1)^{x_P . 1}, x = the mask's kept bits). */
static spx_transform *hier_transform(const hier_fn *h, spx_error *err) {
  spx_transform *t =
      spx_transform_create((uint32_t)h->n, h->parity ? SPX_BASIS_FOURIER : SPX_BASIS_MOEBIUS);
  if (t == NULL) {
    spx_error_set(err, SPX_ENOMEM, "out of memory");
    return NULL;
  }
  int rc = SPX_OK;
  if (h->parity) {
    rc = spx_transform_add(t, h->pfeat[0], 0, h->pcoef[PARITIES], err);
    for (int p = 0; p < PARITIES && rc == SPX_OK; p++)
      rc = spx_transform_add(t, h->pfeat[p], h->pdeg[p], h->pcoef[p], err);
  } else {
    for (int g = 0; g < GROUPS && rc == SPX_OK; g++)
      for (uint32_t k = 0; k < 5 && rc == SPX_OK; k++)
        rc = spx_transform_add(t, h->feat[g], k + 1, h->chain[g][k], err);
    for (int p = 0; p < PAIRS && rc == SPX_OK; p++)
      rc = spx_transform_add(t, h->pair[p], 2, h->pairc[p], err);
  }
  if (rc) spx_transform_destroy(&t);
  return t;
}

/* Index accuracy of orders 1 and 2 (slot 0: order 1, slot 1: order 2). */
typedef struct {
  double mse[2], rel_mse[2], p5[2], p10[2], tau10[2];
} idx_acc;

static int score_index(const hier_fn *h, const spx_transform *result, spx_index index,
                       int native, idx_acc *out, spx_error *err) {
  spx_transform *f = hier_transform(h, err), *truth = NULL, *est = NULL;
  int rc = f ? spx_transform_to_index(f, index, 2, &truth, err) : SPX_ENOMEM;
  if (rc == SPX_OK && !native) rc = spx_transform_to_index(result, index, 2, &est, err);
  for (unsigned o = 1; o <= 2 && rc == SPX_OK; o++) {
    spx_index_scores sc;
    rc = spx_index_accuracy(native ? result : est, truth, o, &sc, err);
    out->mse[o - 1] = sc.mse;
    out->rel_mse[o - 1] = sc.rel_mse;
    out->p5[o - 1] = sc.precision5;
    out->p10[o - 1] = sc.precision10;
    out->tau10[o - 1] = sc.tau10;
  }
  spx_transform_destroy(&f);
  spx_transform_destroy(&truth);
  spx_transform_destroy(&est);
  return rc;
}

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The bench's settings for an oracle in place of the test function. */
typedef struct {
  const char *kind; /* NULL: the test function */
  char **oset;
  int noset;
  size_t explicand;
  const char *cache; /* directory or NULL */
} oracle_spec;

typedef struct {
  const hier_fn *h;
  const oracle_spec *os;
  spx_oracle *o; /* opened on the first cache miss */
  double cpu_in_eval;
} eval_ctx;

static spx_options *oracle_options(const oracle_spec *os, spx_error *err) {
  spx_options *opts = spx_options_create("bench oracle");
  for (int i = 0; opts && i < os->noset; i++) {
    char key[64];
    const char *eq = strchr(os->oset[i], '=');
    if (!eq || (size_t)(eq - os->oset[i]) >= sizeof key) continue;
    memcpy(key, os->oset[i], (size_t)(eq - os->oset[i]));
    key[eq - os->oset[i]] = 0;
    spx_options_put(opts, key, SPX_OPT_TEXT, eq + 1, "--oset", err);
  }
  return opts;
}

static uint64_t masks_hash(const spx_maskset *m) {
  uint64_t h = 1469598103934665603ULL ^ m->n ^ (m->count << 20);
  const uint64_t *b = m->bits;
  for (size_t i = 0; i < m->count * m->words; i++) {
    h ^= b[i];
    h *= 1099511628211ULL;
    h ^= h >> 29;
  }
  return h;
}

static int eval_oracle(eval_ctx *c, const spx_maskset *masks, double *values, spx_error *err) {
  char path[4096] = "";
  if (c->os->cache) {
    snprintf(path, sizeof path, "%s/%s-%zu-%016llx.bin", c->os->cache, c->os->kind,
             c->os->explicand, (unsigned long long)masks_hash(masks));
    FILE *f = fopen(path, "rb");
    if (f) {
      size_t got = fread(values, sizeof *values, masks->count, f);
      fclose(f);
      if (got == masks->count) return SPX_OK;
    }
  }
  if (c->o == NULL) {
    spx_options *oo = oracle_options(c->os, err);
    const spx_oracle_type *ot = spx_oracle_find(c->os->kind, err);
    int rc = ot ? spx_oracle_open(ot, oo, c->os->explicand, &c->o, err) : SPX_EINVAL;
    spx_options_destroy(&oo);
    if (rc) return rc;
  }
  int rc = spx_oracle_eval_all(c->o, masks, values, err);
  if (rc == SPX_OK && path[0]) {
    FILE *f = fopen(path, "wb");
    if (f) {
      fwrite(values, sizeof *values, masks->count, f);
      fclose(f);
    }
  }
  return rc;
}

static int eval_cb(void *ctx, const spx_maskset *masks, double *values, spx_error *err) {
  eval_ctx *c = ctx;
  double t0 = cpu_now();
  int rc = SPX_OK;
  if (c->os && c->os->kind)
    rc = eval_oracle(c, masks, values, err);
  else
    for (size_t i = 0; i < masks->count; i++)
      values[i] = hier_eval(c->h, spx_maskset_row(masks, i));
  c->cpu_in_eval += cpu_now() - t0;
  return rc;
}

typedef struct {
  double seconds, cpu, r2, method_cpu;
  long maxrss_kb;
  int ok, have_idx;
  idx_acc idx;
} run_result;

/* What every run of one invocation shares (the command line's --method, --oracle, ...). */
typedef struct {
  const char *method;       /* --method (default proxyspex) */
  const oracle_spec *oracle; /* --oracle / --cache; NULL: the built-in test function */
  const char *index;        /* --index-accuracy; NULL: not scored */
} bench_setup;

/* One run in the current process; returns its numbers. */
static run_result run_once(const bench_setup *bs, size_t n, size_t N, const char *hpo,
                           int threads, size_t ntest, unsigned rep, char **extra, int nextra,
                           int use_parity) {
  run_result res = {0};
  gsl_rng *fr = spx_rng_stream(2025, n, rep, 1, 0);
  hier_fn h;
  memset(&h, 0, sizeof h);
  if (use_parity)
    parity_init(&h, n, fr);
  else
    hier_init(&h, n, fr);
  gsl_rng_free(fr);
  spx_options *opts = spx_options_create("bench proxyspex");
  spx_error err;
  char th[16];
  snprintf(th, sizeof th, "%d", threads);
  if (strcmp(hpo, "default") != 0)
    spx_options_put(opts, "hpo", SPX_OPT_STRING, hpo, "--hpo", &err);
  if (!strcmp(bs->method, "proxyspex") || !strcmp(bs->method, "proxyshap"))
    spx_options_put(opts, "threads", SPX_OPT_INT, th, "--threads", &err);
  if (!strcmp(bs->method, "proxyspex") || !strcmp(bs->method, "proxyshap"))
    spx_options_put(opts, "verbose", SPX_OPT_BOOL, "true", NULL, &err);
  for (int i = 0; i < nextra; i++) {
    char key[64];
    const char *eq = strchr(extra[i], '=');
    if (!eq || (size_t)(eq - extra[i]) >= sizeof key) continue;
    memcpy(key, extra[i], (size_t)(eq - extra[i]));
    key[eq - extra[i]] = 0;
    spx_options_put(opts, key, SPX_OPT_TEXT, eq + 1, "--opt", &err);
  }
  gsl_rng *rng = spx_rng_stream(2025, n, rep, 2, N);
  spx_transform *t = NULL;
  spx_method_stats stats;
  eval_ctx ec = {.h = &h, .os = bs->oracle};
  double t0 = spx_time_now(), c0 = cpu_now();
  int rc = spx_method_run(bs->method, n, N, opts, rng, eval_cb, &ec, &t, &stats, &err);
  res.method_cpu = cpu_now() - c0 - ec.cpu_in_eval;
  res.seconds = spx_time_now() - t0;
  if (rc) {
    fprintf(stderr, "run failed: %s\n", err.msg);
  } else {
    gsl_rng *tr = spx_rng_stream(2025, n, rep, 3, 0);
    spx_maskset *test = spx_maskset_create(n, ntest);
    spx_maskset_fill_random(test, tr);
    double *y = malloc(ntest * sizeof *y), *yh = malloc(ntest * sizeof *yh);
    if (eval_cb(&ec, test, y, &err) != SPX_OK) fprintf(stderr, "test masks: %s\n", err.msg);
    spx_transform_predict(t, test, yh, NULL);
    res.r2 = spx_r2(y, yh, ntest);
    res.ok = 1;
    spx_index want;
    if (bs->index && (bs->oracle == NULL || bs->oracle->kind == NULL) &&
        spx_index_from_name(bs->index, &want) == SPX_OK) {
      if (score_index(&h, t, want, !strcmp(bs->method, "proxyshap"), &res.idx, &err) == SPX_OK)
        res.have_idx = 1;
      else
        fprintf(stderr, "index accuracy: %s\n", err.msg);
    }
    free(y);
    free(yh);
    spx_maskset_destroy(&test);
    gsl_rng_free(tr);
  }
  spx_transform_destroy(&t);
  gsl_rng_free(rng);
  spx_options_destroy(&opts);
  spx_oracle_destroy(&ec.o);
  return res;
}

/* Run in a child so that max RSS is per run. */
static run_result run_child(const bench_setup *bs, size_t n, size_t N, const char *hpo,
                            int threads, size_t ntest, unsigned rep, char **extra, int nextra,
                            int use_parity) {
  int fd[2];
  run_result res = {0};
  if (pipe(fd) != 0) return res;
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    close(fd[0]);
    run_result r = run_once(bs, n, N, hpo, threads, ntest, rep, extra, nextra, use_parity);
    ssize_t w = write(fd[1], &r, sizeof r);
    _exit(w == (ssize_t)sizeof r ? 0 : 1);
  }
  close(fd[1]);
  ssize_t got = read(fd[0], &res, sizeof res);
  close(fd[0]);
  int status;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) < 0 || got != (ssize_t)sizeof res) res.ok = 0;
  res.maxrss_kb = ru.ru_maxrss;
  res.cpu = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
            (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
  return res;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, size_t k) {
  qsort(v, k, sizeof *v, cmp_double);
  return k % 2 ? v[k / 2] : 0.5 * (v[k / 2 - 1] + v[k / 2]);
}

int main(int argc, char **argv) {
  spx_blas_setup(); /* the BLAS threads and kernels of spex-bench (core/blas_setup.h) */
  size_t n = 1000, ntest = 1000;
  unsigned reps = 3, first = 0;
  int threads = 1, use_parity = 0;
  char samples[128] = "1000,5000", hpos[64] = "fast,grid";
  char *extra[32], *oset[32];
  int nextra = 0;
  oracle_spec os = {.oset = oset};
  bench_setup bs = {.method = "proxyspex"};
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--n")) n = (size_t)atol(argv[i + 1]);
    else if (!strcmp(argv[i], "--samples")) snprintf(samples, sizeof samples, "%s", argv[i + 1]);
    else if (!strcmp(argv[i], "--hpo")) snprintf(hpos, sizeof hpos, "%s", argv[i + 1]);
    else if (!strcmp(argv[i], "--reps")) reps = (unsigned)atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--first-rep")) first = (unsigned)atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--threads")) threads = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--test")) ntest = (size_t)atol(argv[i + 1]);
    else if (!strcmp(argv[i], "--opt") && nextra < 32) extra[nextra++] = argv[i + 1];
    else if (!strcmp(argv[i], "--fn")) use_parity = !strcmp(argv[i + 1], "parity");
    else if (!strcmp(argv[i], "--method")) bs.method = argv[i + 1];
    else if (!strcmp(argv[i], "--oracle")) os.kind = argv[i + 1];
    else if (!strcmp(argv[i], "--oset") && os.noset < 32) oset[os.noset++] = argv[i + 1];
    else if (!strcmp(argv[i], "--explicand")) os.explicand = (size_t)atol(argv[i + 1]);
    else if (!strcmp(argv[i], "--cache")) os.cache = argv[i + 1];
    else if (!strcmp(argv[i], "--index-accuracy")) bs.index = argv[i + 1];
    else {
      fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  if (os.kind || os.cache) {
    bs.oracle = &os;
  }
  spx_index want_index;
  if (bs.index && (os.kind || spx_index_from_name(bs.index, &want_index) != SPX_OK ||
                  want_index == SPX_INDEX_FOURIER || want_index == SPX_INDEX_MOEBIUS)) {
    fprintf(stderr, "bench_proxyspex: --index-accuracy %s needs an index name (sii, bii, ...) "
            "and the built-in test function (no --oracle)\n", bs.index);
    return 2;
  }
  /* ProxySHAP's result is scored as the index it estimated: that must be the one asked for
   * (an SII result scored against the exact BII would print a plausible, meaningless MSE) */
  char index_opt[64];
  if (bs.index && !strcmp(bs.method, "proxyshap")) {
    const char *given = NULL;
    for (int k = 0; k < nextra; k++)
      if (!strncmp(extra[k], "index=", 6)) given = extra[k] + 6;
    if (given && strcmp(given, bs.index) != 0) {
      fprintf(stderr, "bench_proxyspex: --index-accuracy %s but --opt index=%s: ProxySHAP's "
              "result is scored as the index it estimated; give the same index\n", bs.index, given);
      return 2;
    }
    if (!given && nextra < 32) {
      snprintf(index_opt, sizeof index_opt, "index=%s", bs.index);
      extra[nextra++] = index_opt;
    }
  }
  if (os.kind) { /* n comes from the oracle */
    spx_error err = {0};
    spx_options *oo = oracle_options(&os, &err);
    spx_oracle *o = NULL;
    const spx_oracle_type *ot = spx_oracle_find(os.kind, &err);
    if (ot == NULL || spx_oracle_open(ot, oo, os.explicand, &o, &err) != SPX_OK) {
      fprintf(stderr, "bench_proxyspex: %s\n", err.msg);
      spx_options_destroy(&oo);
      return 1;
    }
    n = o->n;
    fprintf(stderr, "oracle %s explicand %zu: n = %zu\n", os.kind, os.explicand, n);
    spx_oracle_destroy(&o);
    spx_options_destroy(&oo);
  }
  printf("| method | n | samples | hpo | threads | reps | wall median (s) | wall min-max (s) | "
         "CPU median (s) | method CPU median (s) | method CPU min-max (s) | max RSS median "
         "(MB) | R² median | R² min |\n"
         "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  char sbuf[128];
  snprintf(sbuf, sizeof sbuf, "%s", samples);
  for (char *sp = strtok(sbuf, ","); sp; sp = strtok(NULL, ",")) {
    size_t N = (size_t)atol(sp);
    char hbuf[64];
    snprintf(hbuf, sizeof hbuf, "%s", hpos);
    char *save = NULL;
    for (char *hp = strtok_r(hbuf, ",", &save); hp; hp = strtok_r(NULL, ",", &save)) {
      double tm[64], mem[64], r2[64], cpu[64], mcpu[64], acc[10][64];
      unsigned k = 0, kacc = 0;
      for (unsigned rep = first; rep < first + reps && k < 64; rep++) {
        run_result r = run_child(&bs, n, N, hp, threads, ntest, rep, extra, nextra, use_parity);
        if (!r.ok) continue;
        fprintf(stderr,
                "  n %zu N %zu %s rep %u: %.2f s (cpu %.2f s, method cpu %.2f s), %.0f MB, "
                "R2 %.4f\n",
                n, N, hp, rep, r.seconds, r.cpu, r.method_cpu, r.maxrss_kb / 1024.0, r.r2);
        if (r.have_idx)
          fprintf(stderr,
                  "  n %zu N %zu %s rep %u: %s order 2: MSE %.4g rel %.4g P@5 %.2f P@10 %.2f "
                  "tau@10 %.3f; order 1: MSE %.4g rel %.4g P@5 %.2f P@10 %.2f tau@10 %.3f\n",
                  n, N, hp, rep, bs.index, r.idx.mse[1], r.idx.rel_mse[1], r.idx.p5[1],
                  r.idx.p10[1], r.idx.tau10[1], r.idx.mse[0], r.idx.rel_mse[0], r.idx.p5[0],
                  r.idx.p10[0], r.idx.tau10[0]);
        if (r.have_idx) {
          const double v[10] = {r.idx.mse[1], r.idx.rel_mse[1], r.idx.p5[1], r.idx.p10[1],
                                r.idx.tau10[1], r.idx.mse[0], r.idx.rel_mse[0], r.idx.p5[0],
                                r.idx.p10[0], r.idx.tau10[0]};
          for (int j = 0; j < 10; j++) acc[j][kacc] = v[j];
          kacc++;
        }
        cpu[k] = r.cpu;
        mcpu[k] = r.method_cpu;
        tm[k] = r.seconds;
        mem[k] = r.maxrss_kb / 1024.0;
        r2[k] = r.r2;
        k++;
      }
      if (k == 0) continue;
      double tmin = tm[0], tmax = tm[0], r2min = r2[0];
      for (unsigned i = 0; i < k; i++) {
        tmin = tm[i] < tmin ? tm[i] : tmin;
        tmax = tm[i] > tmax ? tm[i] : tmax;
        r2min = r2[i] < r2min ? r2[i] : r2min;
      }
      double tmed = median(tm, k), mmin = mcpu[0], mmax = mcpu[0];
      for (unsigned i = 0; i < k; i++) {
        mmin = mcpu[i] < mmin ? mcpu[i] : mmin;
        mmax = mcpu[i] > mmax ? mcpu[i] : mmax;
      }
      printf("| %s | %zu | %zu | %s | %d | %u | %.2f | %.2f-%.2f | %.2f | %.2f | %.2f-%.2f | %.0f "
             "| %.4f | %.4f |\n",
             bs.method, n, N, hp, threads, k, tmed, tmin, tmax, median(cpu, k), median(mcpu, k),
             mmin, mmax, median(mem, k), median(r2, k), r2min);
      if (kacc > 0) {
        double md[10];
        for (int j = 0; j < 10; j++) md[j] = median(acc[j], kacc);
        printf("index accuracy (%s, medians of %u reps): order 2: MSE %.4g rel %.4g P@5 %.2f "
               "P@10 %.2f tau@10 %.3f; order 1: MSE %.4g rel %.4g P@5 %.2f P@10 %.2f tau@10 "
               "%.3f\n",
               bs.index, kacc, md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8],
               md[9]);
      }
      fflush(stdout);
    }
  }
  return 0;
}
