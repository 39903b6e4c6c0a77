/* test_pruning.c: the pruning experiment of the components oracle (experiments/pruning.h,
 * docs/configuration.md "[pruning]").
 *
 * Against brute force at n = 8: Banzhaf and Shapley scores of random Fourier and Moebius
 * transforms equal the average marginal contributions enumerated over all 2^8 masks; a
 * transform with a known ranking (ties included) gives that order; the kept counts; the
 * accuracy curve equals spx_oracle_task_accuracy on masks built here; random orders are
 * deterministic permutations. Then configs/quick/pruning.toml runs in-process and every
 * stored pruning number is recomputed from the stored transforms by brute force (order,
 * kept counts, accuracies, the full model, the random curves), skipped cells hold NaN, and a
 * cell reset to pending is recomputed identically by --resume. Config: defaults are
 * resolved into the text, and the resolved text reads back to itself. */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "core/mask.h"
#include "core/rng.h"
#include "experiments/pruning.h"
#include "experiments/run.h"
#include "par/par.h"
#include "h5testing.h"
#include "testing.h"

enum { N = 8 };

/* f(S) for the mask bits S of a Fourier or Moebius transform, straight from the definition. */
static double value(const spx_transform *t, unsigned S) {
  double f = 0;
  for (size_t k = 0; k < spx_transform_size(t); k++) {
    const uint32_t *idx;
    uint32_t d;
    double v;
    spx_transform_entry(t, k, &idx, &d, &v);
    unsigned K = 0;
    for (uint32_t j = 0; j < d; j++) K |= 1u << idx[j];
    if (spx_transform_basis(t) == SPX_BASIS_FOURIER)
      f += v * ((__builtin_popcount(K & S) & 1) ? -1.0 : 1.0);
    else if ((K & S) == K)
      f += v;
  }
  return f;
}

/* Banzhaf (by = 0) or Shapley (1) values by enumerating every coalition. */
static void brute_scores(const spx_transform *t, int by, double *out) {
  double fact[N + 1] = {1};
  for (int k = 1; k <= N; k++) fact[k] = fact[k - 1] * k;
  for (int i = 0; i < N; i++) {
    double s = 0;
    for (unsigned S = 0; S < (1u << N); S++) {
      if (S & (1u << i)) continue;
      double m = value(t, S | (1u << i)) - value(t, S);
      int size = __builtin_popcount(S);
      s += by == 0 ? m / (double)(1u << (N - 1)) : m * fact[size] * fact[N - size - 1] / fact[N];
    }
    out[i] = s;
  }
}

/* Order by score descending, ties by index: selection, written independently of qsort. */
static void brute_order(const double *score, uint32_t *order) {
  int used[N] = {0};
  for (int r = 0; r < N; r++) {
    int best = -1;
    for (int i = 0; i < N; i++)
      if (!used[i] && (best < 0 || score[i] > score[best])) best = i;
    used[best] = 1;
    order[r] = (uint32_t)best;
  }
}

static spx_transform *random_transform(spx_basis basis, uint64_t seed) {
  spx_transform *t = spx_transform_create(N, basis);
  gsl_rng *rng = spx_rng_stream(seed, 1, 2, 3, 4);
  for (int k = 0; k < 20; k++) {
    uint32_t idx[N], d = 0;
    uint64_t bits = spx_rng_u64(rng);
    for (uint32_t j = 0; j < N; j++)
      if ((bits >> (j * 3)) % 3 == 0) idx[d++] = j; /* about a third of the features */
    spx_transform_add(t, idx, d, gsl_rng_uniform(rng) - 0.5, NULL);
  }
  gsl_rng_free(rng);
  return t;
}

/* ---- the file (read_ds, ds_size, read_status: h5testing.h) ------------------------------- */

/* The stored transform of a cell (NULL if absent). */
static spx_transform *read_transform(hid_t f, const char *label, size_t i, size_t b) {
  char g[160], p[200];
  snprintf(g, sizeof g, "/results/%s/transform/%zu/%zu/0", label, i, b);
  snprintf(p, sizeof p, "%s/offsets", g);
  size_t no = ds_size(f, p);
  if (no == 0) return NULL;
  uint64_t *off = malloc(no * sizeof *off);
  snprintf(p, sizeof p, "%s/coefficients", g);
  double *c = malloc(no * sizeof *c);
  snprintf(p, sizeof p, "%s/indices", g);
  size_t ni = ds_size(f, p);
  uint32_t *idx = malloc((ni ? ni : 1) * sizeof *idx);
  char basis[16] = "";
  hid_t gg = H5Gopen2(f, g, H5P_DEFAULT);
  hid_t a = H5Aopen(gg, "basis", H5P_DEFAULT);
  hid_t st = H5Aget_type(a);
  char *bs = NULL;
  H5Aread(a, st, &bs);
  snprintf(basis, sizeof basis, "%s", bs ? bs : "");
  H5free_memory(bs);
  H5Tclose(st);
  H5Aclose(a);
  H5Gclose(gg);
  snprintf(p, sizeof p, "%s/offsets", g);
  read_ds(f, p, H5T_NATIVE_UINT64, off);
  snprintf(p, sizeof p, "%s/coefficients", g);
  read_ds(f, p, H5T_NATIVE_DOUBLE, c);
  snprintf(p, sizeof p, "%s/indices", g);
  if (ni) read_ds(f, p, H5T_NATIVE_UINT32, idx);
  spx_transform *t =
      spx_transform_create(N, strcmp(basis, "moebius") == 0 ? SPX_BASIS_MOEBIUS : SPX_BASIS_FOURIER);
  for (size_t k = 0; k + 1 < no; k++)
    spx_transform_add(t, idx + off[k], (uint32_t)(off[k + 1] - off[k]), c[k], NULL);
  free(off);
  free(c);
  free(idx);
  return t;
}

static int run(const char *config, const char *out, int resume) {
  char set[300];
  snprintf(set, sizeof set, "experiment.output=%s", out);
  char *argv[] = {"spex-bench", (char *)config, "--set", set, "--quiet",
                  resume ? "--resume" : NULL, NULL};
  FILE *f = tmpfile();
  int code = spx_run_config(resume ? 6 : 5, argv, f, f);
  fclose(f);
  return code;
}

static void check_file(const char *path, const spx_config *cfg, spx_oracle *const *orc) {
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  spx_test(f >= 0, "%s opens", path);
  if (f < 0) return;
  size_t F = cfg->nprune, P = cfg->prune_random, I = cfg->explicand_count, B = cfg->nbudget_points;
  double fr[16];
  spx_test(ds_size(f, "/pruning/fractions") == F && read_ds(f, "/pruning/fractions",
                                                            H5T_NATIVE_DOUBLE, fr) == 0,
           "/pruning/fractions stored");
  for (size_t j = 0; j < F; j++) spx_test(fr[j] == cfg->prune_fractions[j], "fraction %zu", j);
  uint64_t full_mask[1] = {(1u << N) - 1};
  for (size_t i = 0; i < I; i++) {
    char p[128];
    double full = NAN, rnd[64 * 16];
    uint64_t kept[16];
    snprintf(p, sizeof p, "/explicands/%zu/pruning_full", i);
    read_ds(f, p, H5T_NATIVE_DOUBLE, &full);
    /* Exactly the same computation (one forward pass per image), so exact equality. */
    spx_test(full == spx_oracle_task_accuracy(orc[i], full_mask),
             "instance %zu: full-model accuracy", i);
    snprintf(p, sizeof p, "/explicands/%zu/pruning_kept", i);
    read_ds(f, p, H5T_NATIVE_UINT64, kept);
    for (size_t j = 0; j < F; j++)
      spx_test_int((long long)kept[j], (long long)ceil(cfg->prune_fractions[j] * N - 1e-9),
                   "instance %zu: kept at fraction %g", i, cfg->prune_fractions[j]);
    snprintf(p, sizeof p, "/explicands/%zu/pruning_random", i);
    spx_test(ds_size(f, p) == P * F && read_ds(f, p, H5T_NATIVE_DOUBLE, rnd) == 0,
             "instance %zu: random curves [%zu x %zu]", i, P, F);
    for (size_t q = 0; q < P; q++) {
      uint32_t order[N];
      spx_pruning_random_order(cfg->seed, spx_config_instance_explicand(cfg, i), q, N, order,
                               NULL);
      uint64_t m[1] = {0};
      for (size_t j = 0; j < F; j++) {
        for (size_t r = 0; r < kept[j]; r++) m[0] |= 1u << order[r];
        spx_test(rnd[q * F + j] == spx_oracle_task_accuracy(orc[i], m),
                 "instance %zu: random order %zu at fraction %zu", i, q, j);
      }
    }
  }
  for (size_t mth = 0; mth < cfg->nmethod; mth++) {
    const char *label = cfg->method[mth].label;
    signed char st[64];
    double acc[64 * 16];
    char p[160];
    read_status(f, label, st);
    snprintf(p, sizeof p, "/results/%s/pruning_accuracy", label);
    spx_test(ds_size(f, p) == I * B * F && read_ds(f, p, H5T_NATIVE_DOUBLE, acc) == 0,
             "%s: pruning_accuracy [I, B, R, F]", label);
    for (size_t i = 0; i < I; i++)
      for (size_t b = 0; b < B; b++) {
        size_t k = i * B + b;
        if (st[k] != 1) {
          int nan = 1;
          for (size_t j = 0; j < F; j++) nan &= isnan(acc[k * F + j]);
          spx_test(nan, "%s (%zu, %zu): not ok, so NaN accuracies", label, i, b);
          continue;
        }
        spx_transform *t = read_transform(f, label, i, b);
        spx_test(t != NULL, "%s (%zu, %zu): transform stored", label, i, b);
        if (t == NULL) continue;
        double score[N];
        uint32_t want[N], got[N];
        brute_scores(t, cfg->prune_rank_by, score);
        brute_order(score, want);
        snprintf(p, sizeof p, "/results/%s/transform/%zu/%zu/0/pruning_order", label, i, b);
        read_ds(f, p, H5T_NATIVE_UINT32, got);
        spx_test(memcmp(want, got, sizeof want) == 0, "%s (%zu, %zu): stored ranking", label, i,
                 b);
        for (size_t j = 0; j < F; j++) {
          uint64_t m[1] = {0};
          size_t keep = (size_t)ceil(cfg->prune_fractions[j] * N - 1e-9);
          for (size_t r = 0; r < keep; r++) m[0] |= 1u << want[r];
          spx_test(acc[k * F + j] == spx_oracle_task_accuracy(orc[i], m),
                   "%s (%zu, %zu): accuracy at fraction %g", label, i, b,
                   cfg->prune_fractions[j]);
        }
        spx_transform_destroy(&t);
      }
  }
  H5Fclose(f);
}

int main(void) {
  spx_par_init(NULL, NULL);
  spx_error err = {0};

  /* Scores against enumeration (1e-12: sums of at most 2^8 terms of size <= 20). */
  for (int basis = 0; basis < 2; basis++)
    for (int by = 0; by < 2; by++) {
      spx_transform *t = random_transform(basis ? SPX_BASIS_MOEBIUS : SPX_BASIS_FOURIER, 7);
      double got[N], want[N];
      spx_test(spx_pruning_scores(t, (spx_prune_rank)by, N, got, &err) == SPX_OK, "scores (%s)",
               err.msg);
      brute_scores(t, by, want);
      for (int i = 0; i < N; i++)
        spx_test_abs(got[i], want[i], 1e-12, "%s score of %d (%s transform)",
                     by ? "Shapley" : "Banzhaf", i, basis ? "Moebius" : "Fourier");
      spx_transform_destroy(&t);
    }

  /* A known ranking: F({i}) = -c_i / 2 gives Banzhaf value c_i (the average marginal
   * contribution of feature i); a pair term F({0,5}) does not change first-order Banzhaf
   * values (its marginal contribution averages to zero). c has a tie (features 1 and 3). */
  {
    static const double c[N] = {3, 1, 4, 1, 5, 9, 2, 6};
    static const uint32_t want[N] = {5, 7, 4, 2, 0, 6, 1, 3};
    spx_transform *t = spx_transform_create(N, SPX_BASIS_FOURIER);
    for (uint32_t i = 0; i < N; i++) spx_transform_add(t, &i, 1, -c[i] / 2, NULL);
    uint32_t pair[2] = {0, 5};
    spx_transform_add(t, pair, 2, 0.7, NULL);
    double s[N];
    uint32_t order[N];
    spx_pruning_scores(t, SPX_PRUNE_BANZHAF, N, s, NULL);
    for (int i = 0; i < N; i++) spx_test_abs(s[i], c[i], 1e-12, "Banzhaf value of %d", i);
    spx_pruning_order(s, N, order, NULL);
    spx_test(memcmp(order, want, sizeof want) == 0, "ranking, ties by index");
    spx_transform_destroy(&t);
    double nanscore[3] = {NAN, 1, 2};
    uint32_t o3[3];
    spx_pruning_order(nanscore, 3, o3, NULL);
    spx_test(o3[0] == 2 && o3[1] == 1 && o3[2] == 0, "a NaN score ranks last");
  }

  /* Kept counts: ceil(f n), f n rounded first, at least 1. */
  spx_test_int((long long)spx_pruning_kept(0.1, 30), 3, "0.1 x 30 keeps 3 (not 4)");
  spx_test_int((long long)spx_pruning_kept(0.7, 10), 7, "0.7 x 10 keeps 7");
  spx_test_int((long long)spx_pruning_kept(0.5, 7), 4, "0.5 x 7 keeps 4");
  spx_test_int((long long)spx_pruning_kept(0.01, 8), 1, "at least one kept");
  spx_test_int((long long)spx_pruning_kept(1.0, 8), 8, "1.0 keeps all");

  /* The configuration of the quick run, and its oracles. */
  const char *src = getenv("SPX_SOURCE_DIR");
  char cfgpath[512];
  snprintf(cfgpath, sizeof cfgpath, "%s/configs/quick/pruning.toml", src ? src : ".");
  spx_config *cfg = NULL;
  int rc = spx_config_load(cfgpath, NULL, 0, NULL, &cfg, &err);
  spx_test(rc == SPX_OK, "load %s (%s)", cfgpath, rc ? err.msg : "");
  if (rc) return spx_test_summary();
  spx_oracle *orc[2] = {NULL, NULL};
  for (size_t i = 0; i < 2; i++) {
    spx_options *o = spx_config_oracle_options(cfg, i, &err);
    rc = spx_oracle_open(cfg->oracle, o, spx_config_instance_explicand(cfg, i), &orc[i], &err);
    spx_options_destroy(&o);
    if (rc && strstr(err.msg, "cannot open")) {
      printf("SKIP: %s\n", err.msg);
      spx_config_destroy(&cfg);
      return spx_test_summary();
    }
    spx_test(rc == SPX_OK && orc[i]->n == N, "open components oracle %zu (%s)", i,
             rc ? err.msg : "");
  }
  if (orc[0] == NULL || orc[1] == NULL) return spx_test_summary();

  /* The curve against masks built here. */
  {
    static const uint32_t order[N] = {6, 1, 7, 0, 3, 2, 5, 4};
    double fr[4] = {0.125, 0.5, 0.75, 1.0}, acc[4];
    spx_test(spx_pruning_curve(orc[0], order, N, fr, 4, acc, &err) == SPX_OK, "curve (%s)",
             err.msg);
    uint64_t m[1] = {0};
    size_t kept = 0, want_k[4] = {1, 4, 6, 8};
    for (int j = 0; j < 4; j++) {
      while (kept < want_k[j]) m[0] |= 1u << order[kept++];
      spx_test(acc[j] == spx_oracle_task_accuracy(orc[0], m), "curve point %d", j);
    }
    spx_test(m[0] == 0xff && acc[3] == spx_oracle_task_accuracy(orc[0], (uint64_t[]){0xff}),
             "fraction 1.0 is the full model");
    double bad;
    spx_test(spx_pruning_curve(NULL, order, N, fr, 1, &bad, &err) == SPX_EINVAL &&
                 strstr(err.msg, "no task accuracy") != NULL,
             "an oracle without task accuracy is an error");
  }

  /* Random orders: permutations, deterministic, different per p and per instance. */
  {
    uint32_t a[N], b[N], c2[N], d[N];
    spx_pruning_random_order(5, 0, 0, N, a, NULL);
    spx_pruning_random_order(5, 0, 0, N, b, NULL);
    spx_pruning_random_order(5, 0, 1, N, c2, NULL);
    spx_pruning_random_order(5, 1, 0, N, d, NULL);
    unsigned seen = 0;
    for (int i = 0; i < N; i++) seen |= 1u << a[i];
    spx_test(seen == 0xff, "a random order is a permutation");
    spx_test(memcmp(a, b, sizeof a) == 0, "the same coordinates give the same order");
    spx_test(memcmp(a, c2, sizeof a) != 0 && memcmp(a, d, sizeof a) != 0,
             "another order number or instance gives another order");
  }

  /* The quick run, checked by brute force, then resumed after resetting a cell. */
  char dir[] = "/tmp/spx_pruning_XXXXXX";
  if (mkdtemp(dir) == NULL) return 1;
  char out[128];
  snprintf(out, sizeof out, "%s/p.h5", dir);
  spx_test_int(run(cfgpath, out, 0), 0, "quick pruning run");
  check_file(out, cfg, orc);
  {
    hid_t f = H5Fopen(out, H5F_ACC_RDWR, H5P_DEFAULT);
    double before[4 * 16], after[4 * 16];
    read_ds(f, "/results/lime/pruning_accuracy", H5T_NATIVE_DOUBLE, before);
    /* Reset cell (instance 1, budget 1) of lime: status pending, accuracies NaN. */
    hid_t d = H5Dopen2(f, "/results/lime/status", H5P_DEFAULT);
    hid_t t = H5Dget_type(d);
    signed char st[4];
    H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, st);
    st[3] = 0;
    H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, st);
    H5Tclose(t);
    H5Dclose(d);
    double wiped[4 * 16];
    memcpy(wiped, before, sizeof wiped);
    for (size_t j = 0; j < cfg->nprune; j++) wiped[3 * cfg->nprune + j] = NAN;
    d = H5Dopen2(f, "/results/lime/pruning_accuracy", H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, wiped);
    H5Dclose(d);
    H5Fclose(f);
    spx_test_int(run(cfgpath, out, 1), 0, "resume after resetting a cell");
    f = H5Fopen(out, H5F_ACC_RDONLY, H5P_DEFAULT);
    read_ds(f, "/results/lime/pruning_accuracy", H5T_NATIVE_DOUBLE, after);
    H5Fclose(f);
    spx_test(memcmp(before, after, 4 * cfg->nprune * sizeof *before) == 0,
             "the resumed cell's accuracies equal the original ones");
    check_file(out, cfg, orc);
  }
  unlink(out);
  rmdir(dir);

  /* Resolved defaults: an empty [pruning] gets fractions, rank_by, random_orders, and the
   * resolved text reads back to itself. */
  {
    const char *text = "[oracle]\nkind = \"components\"\nhidden = 8\ncache = false\n"
                       "[budget]\nsamples = [64]\n[[method]]\nname = \"exact\"\n[pruning]\n";
    spx_config *c = NULL, *again = NULL;
    rc = spx_config_load_string(text, "p.toml", NULL, 0, NULL, &c, &err);
    spx_test(rc == SPX_OK, "empty [pruning] (%s)", rc ? err.msg : "");
    if (rc == SPX_OK) {
      spx_test(c->nprune == 5 && c->prune_fractions[0] == 0.1 && c->prune_fractions[4] == 1.0 &&
                   c->prune_rank_by == SPX_PRUNE_BANZHAF && c->prune_random == 20,
               "defaults: [0.1, 0.25, 0.5, 0.75, 1.0], banzhaf, 20 random orders");
      /* toml++ prints strings in single quotes and floats with 17 digits. */
      spx_test(strstr(c->resolved, "rank_by = 'banzhaf'") != NULL &&
                   strstr(c->resolved, "random_orders = 20") != NULL &&
                   strstr(c->resolved, "fractions = [ 0.1") != NULL,
               "defaults in the resolved text:\n%s", c->resolved);
      rc = spx_config_load_string(c->resolved, "p.toml", NULL, 0, NULL, &again, &err);
      spx_test(rc == SPX_OK && strcmp(again->resolved, c->resolved) == 0 &&
                   again->nprune == 5 && again->prune_fractions[1] == 0.25,
               "the resolved text is a fixed point");
    }
    spx_config_destroy(&c);
    spx_config_destroy(&again);
  }

  spx_oracle_destroy(&orc[0]);
  spx_oracle_destroy(&orc[1]);
  spx_config_destroy(&cfg);
  int res = spx_test_summary();
  spx_par_finalize();
  return res;
}
