/* bench_baselines.c: time and peak memory of the baseline methods against n and order at the
 * SPEX budgets N(b) = 3 (p+1) 2^b, b = 4, 6, 8 (p = parity length of the BCH code for t = 5,
 * reference-code.md §1.2). Each configuration runs in a forked child, so its peak resident
 * memory (getrusage(RUSAGE_SELF) in the child, ru_maxrss) is its own; a child that uses more
 * CPU time than the cap (RLIMIT_CPU, default 120 s) is killed and reported as such; after a
 * cap or a "not applicable", larger n for the same method/order/b are skipped.
 *
 * Usage: bench_baselines [--cap SECONDS] [--nmax N] [--method NAME] [--b B]
 * Output: one markdown table row per configuration on stdout. The value function is a cheap
 * synthetic game (40 random Moebius terms of degree <= 3); "decode s" is the method's own
 * wall time (spx_method_stats.time_decode, oracle excluded) and "cpu s" the child's whole
 * user + system CPU time (oracle included; it is negligible here), which is less sensitive to
 * other processes sharing the machine. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/blas_setup.h"
#include "core/mask.h"
#include "core/options.h"
#include "core/rng.h"
#include "core/transform.h"
#include "methods/method.h"

typedef struct {
  size_t n, terms;
  uint32_t idx[40][3];
  uint32_t deg[40];
  double coef[40];
} synth;

static int synth_eval(void *ctx, const spx_maskset *masks, double *values, spx_error *err) {
  const synth *g = ctx;
  for (size_t r = 0; r < masks->count; r++) {
    const uint64_t *m = spx_maskset_row(masks, r);
    double v = 0.5;
    for (size_t k = 0; k < g->terms; k++) {
      int all = 1;
      for (uint32_t j = 0; j < g->deg[k]; j++) all &= spx_mask_test(m, g->idx[k][j]);
      if (all) v += g->coef[k];
    }
    values[r] = v;
  }
  return SPX_OK;
}

/* BCH parity length p for t = 5 at the benchmark's n (reference-code.md §1.2). */
static size_t parity_t5(size_t n) {
  if (n <= 36) return 27; /* (63, 36) */
  if (n <= 92) return 35;  /* (127, 92) */
  if (n <= 215) return 40; /* (255, 215) */
  if (n <= 466) return 45; /* (511, 466) */
  if (n <= 973) return 50; /* (1023, 973) */
  return 55;               /* (2047, 1992) */
}

typedef struct {
  const char *method, *label;
  const char *key, *value; /* one extra option */
  int order;
} config;

typedef struct {
  int status; /* 0 ok, 1 not applicable, 2 error */
  double decode, oracle;
  size_t queries;
  double cpu;     /* user + system CPU seconds of the child (getrusage) */
  double rss_mib; /* peak resident set of the child (getrusage RUSAGE_SELF) */
  char why[SPX_ERRMSG_LEN];
} child_result;

static void run_child(const config *c, size_t n, size_t budget, int fd) {
  child_result res = {0};
  synth g = {.n = n, .terms = 40};
  gsl_rng *r = spx_rng_stream(7, n, budget, 0, 0);
  for (size_t k = 0; k < g.terms; k++) {
    g.deg[k] = 1 + (uint32_t)gsl_rng_uniform_int(r, 3);
    for (uint32_t j = 0; j < g.deg[k]; j++) {
      uint32_t i;
      int dup;
      do {
        i = (uint32_t)gsl_rng_uniform_int(r, n);
        dup = 0;
        for (uint32_t q = 0; q < j; q++) dup |= g.idx[k][q] == i;
      } while (dup);
      g.idx[k][j] = i;
    }
    g.coef[k] = 2.0 * gsl_rng_uniform(r) - 1.0;
  }
  spx_options *opts = spx_options_create("bench");
  char order[8];
  snprintf(order, sizeof order, "%d", c->order);
  if (strcmp(c->method, "faith_banzhaf") == 0 || strcmp(c->method, "faith_shap") == 0)
    spx_options_put(opts, "order", SPX_OPT_INT, order, "bench", NULL);
  if (c->key) spx_options_put(opts, c->key, SPX_OPT_TEXT, c->value, "bench", NULL);
  spx_transform *t = NULL;
  spx_method_stats st;
  spx_error err = {0};
  int rc = spx_method_run(c->method, n, budget, opts, r, synth_eval, &g, &t, &st, &err);
  if (rc == SPX_ENOTAPPLICABLE) {
    res.status = 1;
    snprintf(res.why, sizeof res.why, "%s", err.msg);
  } else if (rc) {
    res.status = 2;
    snprintf(res.why, sizeof res.why, "%s", err.msg);
  } else {
    res.decode = st.time_decode;
    res.oracle = st.time_oracle;
    res.queries = st.queries;
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  res.rss_mib = (double)ru.ru_maxrss / 1024.0;
  res.cpu = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
            (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
  if (write(fd, &res, sizeof res) != (ssize_t)sizeof res) _exit(3);
  spx_transform_destroy(&t);
  spx_options_destroy(&opts);
  gsl_rng_free(r);
  _exit(0);
}

int main(int argc, char **argv) {
  spx_blas_setup(); /* the BLAS threads and kernels of spex-bench (core/blas_setup.h) */
  int cap = 120; /* CPU seconds per configuration */
  size_t nmax = 1024;
  const char *only = NULL;
  int only_b = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--cap") == 0) cap = atoi(argv[i + 1]);
    else if (strcmp(argv[i], "--nmax") == 0) nmax = (size_t)atol(argv[i + 1]);
    else if (strcmp(argv[i], "--method") == 0) only = argv[i + 1];
    else if (strcmp(argv[i], "--b") == 0) only_b = atoi(argv[i + 1]);
  }
  const config configs[] = {
      {"lime", "lime", NULL, NULL, 1},
      {"banzhaf", "banzhaf (regression, LOO)", NULL, NULL, 1},
      {"banzhaf", "banzhaf (msr)", "estimator", "msr", 1},
      {"kernelshap", "kernelshap", NULL, NULL, 1},
      {"faith_banzhaf", "faith_banzhaf", NULL, NULL, 1},
      {"faith_banzhaf", "faith_banzhaf", NULL, NULL, 2},
      {"faith_banzhaf", "faith_banzhaf", NULL, NULL, 3},
      {"faith_banzhaf", "faith_banzhaf", NULL, NULL, 4},
      {"faith_shap", "faith_shap", NULL, NULL, 1},
      {"faith_shap", "faith_shap", NULL, NULL, 2},
      {"faith_shap", "faith_shap", NULL, NULL, 3},
      {"faith_shap", "faith_shap", NULL, NULL, 4},
  };
  const size_t ns[] = {16, 32, 64, 128, 256, 512, 1024};
  const int bs[] = {4, 6, 8};
  printf("| method | order | n | b | N | decode s | cpu s | peak RSS MiB | status |\n");
  printf("|---|---|---|---|---|---|---|---|---|\n");
  fflush(stdout);
  for (size_t ci = 0; ci < sizeof configs / sizeof configs[0]; ci++) {
    const config *c = &configs[ci];
    if (only && strcmp(only, c->method) != 0) continue;
    for (size_t bi = 0; bi < 3; bi++) {
      if (only_b && bs[bi] != only_b) continue;
      const char *stop = NULL; /* why larger n are skipped */
      for (size_t ni = 0; ni < sizeof ns / sizeof ns[0] && ns[ni] <= nmax; ni++) {
        size_t n = ns[ni], budget = 3 * (parity_t5(n) + 1) * ((size_t)1 << bs[bi]);
        if (stop) {
          printf("| %s | %d | %zu | %d | %zu | | | | skipped (%s at a smaller n) |\n", c->label,
                 c->order, n, bs[bi], budget, stop);
          continue;
        }
        int fds[2];
        if (pipe(fds)) return 1;
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
          close(fds[0]);
          /* the cap is on CPU time (robust to other load on the machine), with a wall-clock
           * backstop of 6x */
          struct rlimit rl = {.rlim_cur = (rlim_t)cap, .rlim_max = (rlim_t)cap + 5};
          setrlimit(RLIMIT_CPU, &rl);
          alarm((unsigned)(6 * cap));
          run_child(c, n, budget, fds[1]);
        }
        close(fds[1]);
        child_result res;
        ssize_t got = read(fds[0], &res, sizeof res);
        close(fds[0]);
        int wstatus;
        waitpid(pid, &wstatus, 0);
        double rss = got == (ssize_t)sizeof res ? res.rss_mib : 0.0;
        if (got != (ssize_t)sizeof res) {
          int sig = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
          printf("| %s | %d | %zu | %d | %zu | | > %d | | %s |\n", c->label, c->order, n,
                 bs[bi], budget, cap,
                 sig == SIGXCPU   ? "CPU time cap reached"
                 : sig == SIGALRM ? "wall-clock backstop reached"
                                  : "crashed");
          stop = "cap reached";
        } else if (res.status == 1) {
          printf("| %s | %d | %zu | %d | %zu | | | | not applicable: %s |\n", c->label,
                 c->order, n, bs[bi], budget, res.why);
          stop = "not applicable";
        } else if (res.status == 2) {
          printf("| %s | %d | %zu | %d | %zu | | | %.0f | error: %s |\n", c->label, c->order, n,
                 bs[bi], budget, rss, res.why);
        } else {
          printf("| %s | %d | %zu | %d | %zu | %.3f | %.3f | %.0f | ok |\n", c->label, c->order,
                 n, bs[bi], res.queries, res.decode, res.cpu, rss);
        }
        fflush(stdout);
      }
    }
  }
  return 0;
}
