/* jobs_main.c: method jobs shared over the ranks of one group (spx_par_group_jobs), checked
 * on any number of ranks (tests/mpi/jobs_ranks.sh runs 1 to 4): results come back in job
 * order, job j runs on group rank j mod size, a failing job and a job type unknown to the
 * other ranks fail on the leader with the failing rank's message, and ProxySPEX's search
 * chooses exactly what the serial search chooses. Exit 0 when every check passes. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "methods/proxyspex/proxy_search.h"
#include "par/par.h"
#include "testing.h"

#include <mpi.h>

/* test.square: input = fail_job (int64, -1 = none) then int64 values; job j -> {v_j^2, world
 * rank that ran it}. The rank is recorded only to check the distribution. */
typedef struct {
  const int64_t *v;
  size_t count;
  int64_t fail_job;
} square_ctx;

static int square_open(const void *input, size_t len, void **ctx, spx_error *err) {
  square_ctx *c = malloc(sizeof *c);
  SPX_CHECK_ALLOC(c, err);
  memcpy(&c->fail_job, input, sizeof c->fail_job);
  c->v = (const int64_t *)input + 1;
  c->count = len / sizeof(int64_t) - 1;
  *ctx = c;
  return SPX_OK;
}

static int square_run(void *vctx, size_t job, void *result, size_t size, spx_error *err) {
  square_ctx *c = vctx;
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if ((int64_t)job == c->fail_job)
    return spx_error_set(err, SPX_EINVAL, "job %zu failed on rank %d", job, rank);
  if (job >= c->count || size != 2 * sizeof(int64_t))
    return spx_error_set(err, SPX_EINVAL, "bad job %zu", job);
  int64_t out[2] = {c->v[job] * c->v[job], rank};
  memcpy(result, out, sizeof out);
  return SPX_OK;
}

static void square_close(void *ctx) { free(ctx); }

static const spx_jobs_type square = {"test.square", square_open, square_run, square_close};
/* The same functions under a name the other ranks cannot resolve. */
static const spx_jobs_type orphan = {"test.orphan", square_open, square_run, square_close};

static const spx_jobs_type *lookup(const char *name) {
  if (strcmp(name, square.name) == 0) return &square;
  return spx_jobs_lookup(name);
}

static int run_square(spx_par *par, size_t njobs, int64_t fail, const spx_jobs_type *type,
                      int64_t *results, spx_error *err) {
  int64_t *in = malloc((njobs + 1) * sizeof *in);
  in[0] = fail;
  for (size_t j = 0; j < njobs; j++) in[j + 1] = (int64_t)j * 3 - 7;
  int rc = spx_par_group_jobs(par, type, in, (njobs + 1) * sizeof *in, njobs,
                              2 * sizeof(int64_t), results, err);
  free(in);
  return rc;
}

static void leader_checks(spx_par *par) {
  int G = spx_par_group_size(par), me = spx_par_world_rank(par);
  const size_t sizes[] = {1, 2, 3, 7, 20};
  for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
    size_t J = sizes[k];
    int64_t *res = calloc(2 * J, sizeof *res);
    spx_error e = {0};
    int rc = run_square(par, J, -1, &square, res, &e);
    spx_test_int(rc, SPX_OK, "%zu jobs: batch succeeds", J);
    int values = 1, ranks = 1;
    for (size_t j = 0; j < J; j++) {
      int64_t v = (int64_t)j * 3 - 7;
      values &= res[2 * j] == v * v;
      /* one job runs where it is; otherwise job j runs on group rank j mod G */
      int64_t want = J == 1 ? me : me + (int64_t)(j % (size_t)G);
      ranks &= res[2 * j + 1] == want;
    }
    spx_test(values, "%zu jobs: results in job order", J);
    spx_test(ranks, "%zu jobs: job j ran on group rank j mod %d", J, G);
    free(res);
  }
  /* A failing job: the message of the rank that ran it. */
  {
    int64_t res[2 * 7];
    spx_error e = {0};
    int rc = run_square(par, 7, 5, &square, res, &e);
    char want[64];
    snprintf(want, sizeof want, "job 5 failed on rank %d", me + 5 % G);
    spx_test(rc == SPX_EINVAL && strstr(e.msg, want) != NULL, "failing job is reported");
    if (rc != SPX_EINVAL || strstr(e.msg, want) == NULL) fprintf(stderr, "  got: %s\n", e.msg);
    /* and the group still works afterwards */
    rc = run_square(par, 3, -1, &square, res, &e);
    spx_test(rc == SPX_OK && res[4] == 1, "group usable after a failure");
  }
  /* A job type the other ranks do not know. */
  if (G > 1) {
    int64_t res[2 * 4];
    spx_error e = {0};
    int rc = run_square(par, 4, -1, &orphan, res, &e);
    spx_test(rc != SPX_OK && strstr(e.msg, "unknown job type 'test.orphan'") != NULL,
             "unknown job type is reported");
  }
  /* ProxySPEX's search: shared = serial, grid and fast. */
  size_t n = 12, N = 240;
  spx_maskset *m = spx_maskset_create(n, N);
  double *y = malloc(N * sizeof *y);
  gsl_rng *rng = spx_rng_stream(11, 0, 0, 0, 0);
  for (size_t i = 0; i < N; i++) {
    uint64_t *row = spx_maskset_row(m, i);
    for (size_t f = 0; f < n; f++)
      if (gsl_rng_uniform(rng) < 0.5) spx_mask_set(row, f);
    int a = spx_mask_test(row, 0), b = spx_mask_test(row, 3), c = spx_mask_test(row, 7);
    y[i] = 2.0 * a - 1.5 * (a && b) + 0.7 * c + 0.3 * (b && c) + 0.05 * gsl_rng_uniform(rng);
  }
  for (int hpo = 0; hpo < 2; hpo++) {
    spx_proxy_search_config cfg;
    spx_proxy_search_defaults(&cfg, hpo ? SPX_HPO_GRID : SPX_HPO_FAST, 3);
    cfg.folds = 4;
    if (hpo) {
      cfg.grid_ntrees = 2;
      cfg.grid_trees[0] = 20;
      cfg.grid_trees[1] = 50;
    } else {
      cfg.fast_folds = 3;
      cfg.max_trees = 200;
    }
    spx_error e = {0};
    spx_proxy_search *s = spx_proxy_search_create(m, y, &cfg, &e);
    spx_proxy_choice serial = {0}, shared = {0};
    spx_jobs_runner runner = spx_par_jobs_runner(par);
    int rc1 = s ? spx_proxy_search_run(s, &serial, &e) : e.code;
    int rc2 = s ? spx_proxy_search_run_shared(s, &runner, &shared, &e) : e.code;
    spx_test(rc1 == SPX_OK && rc2 == SPX_OK && serial.max_depth == shared.max_depth &&
                 serial.eta == shared.eta && serial.trees == shared.trees &&
                 serial.cv_r2 == shared.cv_r2 && isfinite(serial.cv_r2),
             "%s search on %d ranks: shared choice = serial choice (depth %d, trees %zu)",
             hpo ? "grid" : "fast", G, shared.max_depth, shared.trees);
    spx_proxy_search_destroy(&s);
  }
  gsl_rng_free(rng);
  free(y);
  spx_maskset_destroy(&m);
}

int main(int argc, char **argv) {
  if (spx_par_init(&argc, &argv) != 0) return 1;
  int size;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  spx_par *par = NULL;
  spx_error e = {0};
  if (spx_par_create(spx_par_comm_world(), (size_t)size, SPX_PAR_BLOCK, 1, 0, &par, &e)) {
    fprintf(stderr, "%s\n", e.msg);
    return 1;
  }
  spx_par_set_job_types(par, lookup);
  int code = 0;
  if (spx_par_group_rank(par) == 0) {
    leader_checks(par);
    spx_par_group_release(par, NULL);
    code = spx_test_summary();
  } else {
    spx_par_group_serve(par, NULL, &e);
  }
  spx_par_destroy(&par);
  spx_par_finalize();
  return code;
}
