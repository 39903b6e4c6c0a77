/* test_convert.c: Fourier <-> Moebius conversion and interaction indices (src/core/convert.c).
 *
 * 1. Every shapiq California-housing reference file (../shared/data/shapiq_california) is
 *    reproduced from its Moebius file, directly and through the Fourier form.
 * 2. On random dense games with n = 5..8 every index is computed from the DEFINITIONS on the
 *    value table v(S) (discrete derivatives, permutations, least-squares fits solved with GSL)
 *    and compared with the library's result from the Moebius and from the Fourier transform.
 * 3. Fourier <-> Moebius round trips and predictions on all masks (n = 12) and on random masks
 *    of a sparse transform with n = 100000; indices of a small game embedded in n = 100000.
 * 4. Hand-computed values, zero dropping, names and every error path. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gamma.h>

#include "core/convert.h"
#include "core/mask.h"
#include "core/metrics.h"
#include "core/rng.h"
#include "core/transform.h"
#include "testing.h"

/* ---- helpers ------------------------------------------------------------------------------ */

static unsigned popc(unsigned x) { return (unsigned)__builtin_popcount(x); }

/* Interaction (sorted indices) of a small bit mask. */
static uint32_t mask_idx(unsigned mask, uint32_t *idx) {
  uint32_t d = 0;
  for (uint32_t i = 0; mask >> i; i++)
    if ((mask >> i) & 1u) idx[d++] = i;
  return d;
}

static double get_mask(const spx_transform *t, unsigned mask, int *found) {
  uint32_t idx[32] = {0};
  uint32_t d = mask_idx(mask, idx);
  return spx_transform_get(t, idx, d, found);
}

/* A dense table tab[mask] (2^n values) as a transform of the given basis. */
static spx_transform *from_table(const double *tab, unsigned n, spx_basis basis) {
  spx_transform *t = spx_transform_create(n, basis);
  for (unsigned m = 0; m < (1u << n); m++) {
    uint32_t idx[32] = {0};
    uint32_t d = mask_idx(m, idx);
    spx_transform_set(t, idx, d, tab[m], NULL);
  }
  return t;
}

/* ---- 1. shapiq reference files ------------------------------------------------------------ */

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)len + 1);
  if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
    free(buf);
    buf = NULL;
  }
  if (buf) buf[len] = '\0';
  fclose(f);
  return buf;
}

typedef struct {
  unsigned n, max_order;
  double baseline;
  cJSON *root; /* owns the parsed document */
  cJSON *data;
} ref_file;

static int ref_load(const char *path, ref_file *rf) {
  char *text = slurp(path);
  if (text == NULL) return -1;
  rf->root = cJSON_Parse(text);
  free(text);
  if (rf->root == NULL) return -1;
  cJSON *md = cJSON_GetObjectItemCaseSensitive(rf->root, "metadata");
  rf->data = cJSON_GetObjectItemCaseSensitive(rf->root, "data");
  cJSON *n = cJSON_GetObjectItemCaseSensitive(md, "n_players");
  cJSON *o = cJSON_GetObjectItemCaseSensitive(md, "max_order");
  cJSON *b = cJSON_GetObjectItemCaseSensitive(md, "baseline_value");
  if (!cJSON_IsNumber(n) || !cJSON_IsNumber(o) || !cJSON_IsNumber(b) || !cJSON_IsObject(rf->data)) {
    cJSON_Delete(rf->root);
    return -1;
  }
  rf->n = (unsigned)n->valuedouble;
  rf->max_order = (unsigned)o->valuedouble;
  rf->baseline = b->valuedouble;
  return 0;
}

/* "Empty" -> degree 0; "0,5" -> {0, 5}. */
static uint32_t parse_key(const char *key, uint32_t *idx) {
  if (strcmp(key, "Empty") == 0) return 0;
  uint32_t d = 0;
  const char *p = key;
  while (*p) {
    char *end;
    idx[d++] = (uint32_t)strtoul(p, &end, 10);
    p = *end == ',' ? end + 1 : end;
  }
  return d;
}

/* Max |out(T) - ref(T)| over the file's keys; counts keys missing from out. */
static double compare_ref(const spx_transform *out, const ref_file *rf, size_t *keys,
                          size_t *missing) {
  double maxerr = 0.0;
  *keys = *missing = 0;
  const cJSON *item;
  cJSON_ArrayForEach(item, rf->data) {
    uint32_t idx[64];
    uint32_t d = parse_key(item->string, idx);
    int found;
    double got = spx_transform_get(out, idx, d, &found);
    (*keys)++;
    if (!found) (*missing)++;
    double e = fabs(got - item->valuedouble);
    if (e > maxerr) maxerr = e;
  }
  return maxerr;
}

static size_t count_nonempty(const spx_transform *t) {
  size_t c = 0;
  for (size_t i = 0; i < spx_transform_size(t); i++) {
    uint32_t d;
    spx_transform_entry(t, i, NULL, &d, NULL);
    c += d > 0;
  }
  return c;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_shapiq_files(void) {
  char buf[4096];
  if (spx_test_shared("shapiq_california/imputer_Moebius_order8.json", buf, sizeof buf) == NULL)
    return;
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", buf);
  *strrchr(dir, '/') = '\0';

  /* Both games' Moebius transforms and their Fourier forms. */
  const char *games[2] = {"imputer", "tree"};
  spx_transform *moeb[2] = {NULL, NULL}, *four[2] = {NULL, NULL};
  for (int g = 0; g < 2; g++) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s_Moebius_order8.json", dir, games[g]);
    ref_file rf;
    if (!spx_test(ref_load(path, &rf) == 0, "parse %s", path)) return;
    moeb[g] = spx_transform_create(rf.n, SPX_BASIS_MOEBIUS);
    const cJSON *item;
    cJSON_ArrayForEach(item, rf.data) {
      uint32_t idx[64];
      uint32_t d = parse_key(item->string, idx);
      spx_transform_set(moeb[g], idx, d, item->valuedouble, NULL);
    }
    spx_test_int((long long)spx_transform_size(moeb[g]), 256, "%s Moebius file has 2^8 entries",
                 games[g]);
    spx_test_abs(spx_transform_get(moeb[g], NULL, 0, NULL), rf.baseline, 0.0,
                 "%s Moebius: Empty entry = metadata baseline_value", games[g]);
    spx_test(spx_moebius_to_fourier(moeb[g], &four[g], NULL) == SPX_OK, "%s Moebius -> Fourier",
             games[g]);
    cJSON_Delete(rf.root);
  }

  /* Every index file of both games, in name order. */
  DIR *dp = opendir(dir);
  if (!spx_test(dp != NULL, "open %s", dir)) return;
  char *names[256];
  size_t nnames = 0;
  struct dirent *de;
  while ((de = readdir(dp)) != NULL && nnames < 256) {
    const char *nm = de->d_name;
    int ours = strncmp(nm, "imputer_", 8) == 0 || strncmp(nm, "tree_", 5) == 0;
    if (ours && strstr(nm, "_Moebius_") == NULL && strstr(nm, ".json"))
      names[nnames++] = strdup(nm);
  }
  closedir(dp);
  qsort(names, nnames, sizeof *names, cmp_str);
  /* 2 games x (8 orders of BII, FBII, FSII, SII, STII, k-SII + SV + BV) */
  spx_test_int((long long)nnames, 100, "100 index reference files found");

  for (size_t f = 0; f < nnames; f++) {
    char game[64], iname[64];
    unsigned order;
    const char *us = strchr(names[f], '_'), *ord = strstr(names[f], "_order");
    if (!spx_test(us && ord && sscanf(ord, "_order%u.json", &order) == 1, "file name %s parses",
                  names[f]))
      continue;
    snprintf(game, sizeof game, "%.*s", (int)(us - names[f]), names[f]);
    snprintf(iname, sizeof iname, "%.*s", (int)(ord - us - 1), us + 1);
    int g = strcmp(game, "tree") == 0;
    spx_index index;
    if (!spx_test(spx_index_from_name(iname, &index) == SPX_OK, "%s: index name %s known", names[f],
                  iname))
      continue;
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, names[f]);
    ref_file rf;
    if (!spx_test(ref_load(path, &rf) == 0, "parse %s", path)) continue;
    spx_test_int(rf.max_order, order, "%s: metadata max_order matches the name", names[f]);

    for (int route = 0; route < 2; route++) {
      const spx_transform *in = route ? four[g] : moeb[g];
      const char *rname = route ? "from Fourier" : "from Moebius";
      spx_transform *out = NULL;
      spx_error err = {0};
      int rc = route ? spx_transform_to_index(in, index, order, &out, &err)
                     : spx_moebius_to_index(in, index, order, &out, &err);
      if (!spx_test(rc == SPX_OK, "%s %s: conversion runs (%s)", names[f], rname, err.msg))
        continue;
      size_t keys, missing;
      double maxerr = compare_ref(out, &rf, &keys, &missing);
      /* 1e-8 absolute: the reference FSII values come from a regression and carry errors of a
       * few 1e-9 (the values are O(1)); every other index agrees to ~1e-13. */
      spx_test(missing == 0 && maxerr <= 1e-8, "%s %s: %zu values match (max err %.3g)", names[f],
               rname, keys, maxerr);
      spx_test_int((long long)count_nonempty(out), (long long)keys,
                   "%s %s: no interactions beyond the file's", names[f], rname);
      /* Baseline. The tree files' BII, FBII, FSII and STII baselines are those of the game
       * centred at v(∅) = 0 (shapiq computed them on the normalised game), i.e. ours minus
       * m(∅); all other files hold our convention exactly (docs/indices.md). */
      int found;
      double empty = spx_transform_get(out, NULL, 0, &found);
      int centred = g == 1 && (index == SPX_INDEX_BII || index == SPX_INDEX_FBII ||
                               index == SPX_INDEX_FSII || index == SPX_INDEX_STII);
      double want = rf.baseline + (centred ? spx_transform_get(moeb[g], NULL, 0, NULL) : 0.0);
      spx_test(found, "%s %s: empty-set entry present", names[f], rname);
      spx_test_abs(empty, want, 1e-8, "%s %s: empty-set entry = baseline_value%s", names[f], rname,
                   centred ? " + m(∅)" : "");
      spx_transform_destroy(&out);
    }
    cJSON_Delete(rf.root);
  }
  for (size_t f = 0; f < nnames; f++) free(names[f]);
  for (int g = 0; g < 2; g++) {
    spx_transform_destroy(&moeb[g]);
    spx_transform_destroy(&four[g]);
  }
}

/* ---- 2. brute force from the definitions -------------------------------------------------- */

/* Δ_T v(S) = sum_{L ⊆ T} (-1)^{|T|-|L|} v(S ∪ L), for S ∩ T = ∅. */
static double deriv(const double *v, unsigned T, unsigned S) {
  double s = 0.0;
  for (unsigned L = T;; L = (L - 1) & T) {
    s += ((popc(T) - popc(L)) & 1u) ? -v[S | L] : v[S | L];
    if (L == 0) break;
  }
  return s;
}

/* Shapley interaction index (Grabisch-Roubens): weighted discrete derivatives. ∅ = v(∅). */
static void bf_sii(const double *v, unsigned n, double *out) {
  unsigned full = (1u << n) - 1;
  out[0] = v[0];
  for (unsigned T = 1; T <= full; T++) {
    unsigned t = popc(T), rest = full & ~T;
    double s = 0.0;
    for (unsigned S = rest;; S = (S - 1) & rest) {
      unsigned k = popc(S);
      s += gsl_sf_fact(n - k - t) * gsl_sf_fact(k) / gsl_sf_fact(n - t + 1) * deriv(v, T, S);
      if (S == 0) break;
    }
    out[T] = s;
  }
}

/* Banzhaf interaction index: uniform average of discrete derivatives (∅ included: mean of v). */
static void bf_bii(const double *v, unsigned n, double *out) {
  unsigned full = (1u << n) - 1;
  for (unsigned T = 0; T <= full; T++) {
    unsigned rest = full & ~T;
    double s = 0.0;
    for (unsigned S = rest;; S = (S - 1) & rest) {
      s += deriv(v, T, S);
      if (S == 0) break;
    }
    out[T] = ldexp(s, -(int)(n - popc(T)));
  }
}

/* Shapley values by averaging marginal contributions over all n! orders (Heap's algorithm). */
static void bf_sv(const double *v, unsigned n, double *out) {
  unsigned perm[16], c[16] = {0};
  double sum[16] = {0};
  double count = 0;
  for (unsigned i = 0; i < n; i++) perm[i] = i;
  for (;;) {
    unsigned S = 0;
    for (unsigned i = 0; i < n; i++) {
      sum[perm[i]] += v[S | (1u << perm[i])] - v[S];
      S |= 1u << perm[i];
    }
    count++;
    unsigned i = 1;
    while (i < n && c[i] >= i) c[i++] = 0;
    if (i >= n) break;
    unsigned j = (i & 1u) ? c[i] : 0, tmp = perm[j];
    perm[j] = perm[i];
    perm[i] = tmp;
    c[i]++;
  }
  out[0] = v[0];
  for (unsigned i = 0; i < n; i++) out[1u << i] = sum[i] / count;
}

/* Banzhaf values: average marginal contribution over all coalitions of the others. */
static void bf_bv(const double *v, unsigned n, double *out) {
  unsigned full = (1u << n) - 1;
  out[0] = v[0];
  for (unsigned i = 0; i < n; i++) {
    unsigned rest = full & ~(1u << i);
    double s = 0.0;
    for (unsigned S = rest;; S = (S - 1) & rest) {
      s += v[S | (1u << i)] - v[S];
      if (S == 0) break;
    }
    out[1u << i] = ldexp(s, -(int)(n - 1));
  }
}

/* Shapley-Taylor index of order l: Δ_T v(∅) below the top order; at |T| = l the average of
 * Δ_T v(S) with weight l / (n C(n-1, |S|)). */
static void bf_stii(const double *v, unsigned n, unsigned l, double *out) {
  unsigned full = (1u << n) - 1;
  for (unsigned T = 0; T <= full; T++) {
    unsigned t = popc(T);
    if (t > l) continue;
    if (t < l) {
      out[T] = deriv(v, T, 0);
      continue;
    }
    unsigned rest = full & ~T;
    double s = 0.0;
    for (unsigned S = rest;; S = (S - 1) & rest) {
      s += deriv(v, T, S) / gsl_sf_choose(n - 1, popc(S));
      if (S == 0) break;
    }
    out[T] = (double)l / (double)n * s;
  }
}

/* k-SII of order l: sum_{S ⊇ T, |S| <= l} B_{|S|-|T|} SII(S); ∅ = v(∅). Bernoulli numbers with
 * B_1 = -1/2 (standard table values). */
static void bf_ksii(const double *sii, const double *v, unsigned n, unsigned l, double *out) {
  static const double bern[9] = {1.0, -0.5, 1.0 / 6, 0.0, -1.0 / 30, 0.0, 1.0 / 42, 0.0, -1.0 / 30};
  unsigned full = (1u << n) - 1;
  out[0] = v[0];
  for (unsigned T = 1; T <= full; T++) {
    if (popc(T) > l) continue;
    double s = 0.0;
    for (unsigned S = 0; S <= full; S++)
      if ((S & T) == T && popc(S) <= l) s += bern[popc(S) - popc(T)] * sii[S];
    out[T] = s;
  }
}

/* Columns of a degree-l polynomial in the Moebius basis: all T with |T| <= l. */
static unsigned columns(unsigned n, unsigned l, unsigned *cols) {
  unsigned p = 0;
  for (unsigned T = 0; T < (1u << n); T++)
    if (popc(T) <= l) cols[p++] = T;
  return p;
}

/* Faith-Shap of order l: minimise sum_S mu(|S|) (v(S) - sum_{T ⊆ S, |T| <= l} phi(T))^2 over
 * S ≠ ∅, N with the Shapley kernel mu(s) = (n-1) / (C(n,s) s (n-s)), subject to the exact
 * constraints phi(∅) = v(∅) and sum_T phi(T) = v(N). Solved as the KKT system with GSL LU. */
static void bf_fsii(const double *v, unsigned n, unsigned l, double *out) {
  unsigned cols[256], full = (1u << n) - 1;
  unsigned p = columns(n, l, cols), m = p + 2;
  gsl_matrix *K = gsl_matrix_calloc(m, m);
  gsl_vector *rhs = gsl_vector_calloc(m), *sol = gsl_vector_alloc(m);
  for (unsigned S = 1; S < full; S++) {
    unsigned s = popc(S);
    double mu = (double)(n - 1) / (gsl_sf_choose(n, s) * s * (n - s));
    for (unsigned a = 0; a < p; a++) {
      if ((cols[a] & S) != cols[a]) continue;
      *gsl_vector_ptr(rhs, a) += 2.0 * mu * v[S];
      for (unsigned b = 0; b < p; b++)
        if ((cols[b] & S) == cols[b]) *gsl_matrix_ptr(K, a, b) += 2.0 * mu;
    }
  }
  /* constraint rows p (phi(∅) = v(∅)) and p + 1 (sum phi = v(N)); cols[0] is ∅ */
  gsl_matrix_set(K, p, 0, 1.0);
  gsl_matrix_set(K, 0, p, 1.0);
  for (unsigned a = 0; a < p; a++) {
    gsl_matrix_set(K, p + 1, a, 1.0);
    gsl_matrix_set(K, a, p + 1, 1.0);
  }
  gsl_vector_set(rhs, p, v[0]);
  gsl_vector_set(rhs, p + 1, v[full]);
  gsl_permutation *perm = gsl_permutation_alloc(m);
  int sign;
  gsl_linalg_LU_decomp(K, perm, &sign);
  gsl_linalg_LU_solve(K, perm, rhs, sol);
  for (unsigned a = 0; a < p; a++) out[cols[a]] = gsl_vector_get(sol, a);
  gsl_permutation_free(perm);
  gsl_matrix_free(K);
  gsl_vector_free(rhs);
  gsl_vector_free(sol);
}

/* Faith-Banzhaf of order l: unweighted least squares over all 2^n coalitions (GSL SVD). */
static void bf_fbii(const double *v, unsigned n, unsigned l, double *out) {
  unsigned cols[256], rows = 1u << n;
  unsigned p = columns(n, l, cols);
  gsl_matrix *X = gsl_matrix_alloc(rows, p), *cov = gsl_matrix_alloc(p, p);
  gsl_vector *y = gsl_vector_alloc(rows), *c = gsl_vector_alloc(p);
  for (unsigned S = 0; S < rows; S++) {
    gsl_vector_set(y, S, v[S]);
    for (unsigned a = 0; a < p; a++) gsl_matrix_set(X, S, a, (cols[a] & S) == cols[a] ? 1.0 : 0.0);
  }
  gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(rows, p);
  double chisq;
  gsl_multifit_linear(X, y, c, cov, &chisq, w);
  for (unsigned a = 0; a < p; a++) out[cols[a]] = gsl_vector_get(c, a);
  gsl_multifit_linear_free(w);
  gsl_matrix_free(X);
  gsl_matrix_free(cov);
  gsl_vector_free(y);
  gsl_vector_free(c);
}

/* Max |lib(T) - want(T)| over |T| <= l, plus a check that lib stores nothing above degree l.
 * Returns +inf when an entry of nonzero expected value is missing. */
static double compare_dense(const spx_transform *lib, const double *want, unsigned n, unsigned l) {
  double maxerr = 0.0;
  for (unsigned T = 0; T < (1u << n); T++) {
    if (popc(T) > l) continue;
    int found;
    double got = get_mask(lib, T, &found);
    if (!found && T == 0) return INFINITY; /* ∅ must always be stored */
    double e = fabs(got - want[T]);
    if (e > maxerr) maxerr = e;
  }
  if (spx_transform_max_degree(lib) > l) return INFINITY;
  return maxerr;
}

static void test_brute_force(void) {
  gsl_rng *r = spx_rng_stream(2024, 7, 0, 0, 0);
  for (unsigned n = 5; n <= 8; n++) {
    unsigned N = 1u << n;
    double *v = malloc(N * sizeof *v), *mob = malloc(N * sizeof *mob),
           *four = malloc(N * sizeof *four);
    double *sii = malloc(N * sizeof *sii), *want = malloc(N * sizeof *want);
    /* high-entropy game: uniform values plus a larger offset and a linear trend */
    for (unsigned S = 0; S < N; S++) v[S] = 1.7 + 0.3 * popc(S) + gsl_ran_flat(r, -1.0, 1.0);
    /* Moebius and Fourier coefficients from their definitions */
    for (unsigned T = 0; T < N; T++) {
      mob[T] = deriv(v, T, 0);
      double s = 0.0;
      for (unsigned x = 0; x < N; x++) s += (popc(T & x) & 1u) ? -v[x] : v[x];
      four[T] = s / N;
    }
    spx_transform *M = from_table(mob, n, SPX_BASIS_MOEBIUS);
    spx_transform *F = from_table(four, n, SPX_BASIS_FOURIER);

    /* Basis conversions against the definitions. Tolerance: sums of <= 2^n terms of size
     * <= 2^n * |v| in double. */
    spx_transform *M2 = NULL, *F2 = NULL;
    spx_test(spx_fourier_to_moebius(F, &M2, NULL) == SPX_OK, "n=%u Fourier -> Moebius", n);
    spx_test(spx_moebius_to_fourier(M, &F2, NULL) == SPX_OK, "n=%u Moebius -> Fourier", n);
    spx_test(compare_dense(M2, mob, n, n) <= 1e-10, "n=%u Fourier -> Moebius = definition", n);
    spx_test(compare_dense(F2, four, n, n) <= 1e-12, "n=%u Moebius -> Fourier = definition", n);
    spx_transform_destroy(&M2);
    spx_transform_destroy(&F2);

    bf_sii(v, n, sii);
    for (int ix = SPX_INDEX_SII; ix <= SPX_INDEX_KSII; ix++) {
      spx_index index = (spx_index)ix;
      unsigned lmax = (index == SPX_INDEX_SV || index == SPX_INDEX_BV) ? 1 : n;
      for (unsigned l = 1; l <= lmax; l++) {
        for (unsigned T = 0; T < N; T++) want[T] = 0.0;
        /* LS solutions: error ~ condition number x eps; the others are sums of <= 4^n terms */
        double tol = 1e-10;
        switch (index) {
        case SPX_INDEX_SII: memcpy(want, sii, N * sizeof *want); break;
        case SPX_INDEX_BII: bf_bii(v, n, want); break;
        case SPX_INDEX_SV: bf_sv(v, n, want); break;
        case SPX_INDEX_BV: bf_bv(v, n, want); break;
        case SPX_INDEX_STII: bf_stii(v, n, l, want); break;
        case SPX_INDEX_KSII: bf_ksii(sii, v, n, l, want); break;
        case SPX_INDEX_FSII:
          bf_fsii(v, n, l, want);
          tol = 1e-8;
          break;
        case SPX_INDEX_FBII:
          bf_fbii(v, n, l, want);
          tol = 1e-8;
          break;
        default: break;
        }
        for (int route = 0; route < 2; route++) {
          spx_transform *out = NULL;
          int rc = route ? spx_transform_to_index(F, index, l, &out, NULL)
                         : spx_moebius_to_index(M, index, l, &out, NULL);
          double e = rc == SPX_OK ? compare_dense(out, want, n, l) : INFINITY;
          spx_test(e <= tol, "n=%u %s order %u from %s = definition (max err %.3g)", n,
                   spx_index_name(index), l, route ? "Fourier" : "Moebius", e);
          spx_transform_destroy(&out);
        }
      }
    }
    spx_transform_destroy(&M);
    spx_transform_destroy(&F);
    free(v);
    free(mob);
    free(four);
    free(sii);
    free(want);
  }
  gsl_rng_free(r);
}

/* ---- 3. round trips and evaluation -------------------------------------------------------- */

typedef struct {
  uint32_t idx[16];
  uint32_t deg;
  double val;
} term;

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* count random Fourier terms of degree <= dmax over n features (distinct indices, sorted). */
static void random_terms(gsl_rng *r, uint32_t n, uint32_t dmax, term *terms, size_t count) {
  for (size_t k = 0; k < count; k++) {
    term *t = &terms[k];
    t->deg = (uint32_t)gsl_rng_uniform_int(r, dmax + 1);
    for (uint32_t j = 0; j < t->deg; j++) {
      uint32_t f;
      int dup;
      do {
        f = (uint32_t)gsl_rng_uniform_int(r, n);
        dup = 0;
        for (uint32_t i = 0; i < j; i++) dup |= t->idx[i] == f;
      } while (dup);
      t->idx[j] = f;
    }
    qsort(t->idx, t->deg, sizeof *t->idx, cmp_u32);
    t->val = gsl_ran_gaussian(r, 1.0) + (gsl_rng_uniform(r) < 0.5 ? 0.5 : -0.5);
  }
}

/* Direct evaluation of the Fourier sum on one mask. */
static double eval_terms(const term *terms, size_t count, const uint64_t *mask) {
  double s = 0.0;
  for (size_t k = 0; k < count; k++) {
    unsigned par = 0;
    for (uint32_t j = 0; j < terms[k].deg; j++)
      par ^= (unsigned)spx_mask_test(mask, terms[k].idx[j]);
    s += par ? -terms[k].val : terms[k].val;
  }
  return s;
}

/* F -> M -> F on count terms over n features; predictions of both forms on masks vs direct. */
static void round_trip(uint32_t n, uint32_t dmax, size_t count, spx_maskset *masks, gsl_rng *r,
                       const char *label) {
  term *terms = malloc(count * sizeof *terms);
  random_terms(r, n, dmax, terms, count);
  spx_transform *F = spx_transform_create(n, SPX_BASIS_FOURIER), *M = NULL, *F2 = NULL;
  for (size_t k = 0; k < count; k++)
    spx_transform_add(F, terms[k].idx, terms[k].deg, terms[k].val, NULL);
  spx_test(spx_fourier_to_moebius(F, &M, NULL) == SPX_OK &&
               spx_transform_basis(M) == SPX_BASIS_MOEBIUS,
           "%s: Fourier -> Moebius", label);
  spx_test(spx_moebius_to_fourier(M, &F2, NULL) == SPX_OK &&
               spx_transform_basis(F2) == SPX_BASIS_FOURIER,
           "%s: Moebius -> Fourier", label);
  /* round trip: every original coefficient back, nothing else above rounding. Moebius values
   * reach 2^dmax |F| and are summed back with weights 2^-|T|: error ~ 2^dmax * eps * sum|F|. */
  double maxerr = 0.0;
  for (size_t i = 0; i < spx_transform_size(F); i++) {
    const uint32_t *idx;
    uint32_t d;
    double val;
    spx_transform_entry(F, i, &idx, &d, &val);
    double e = fabs(spx_transform_get(F2, idx, d, NULL) - val);
    if (e > maxerr) maxerr = e;
  }
  for (size_t i = 0; i < spx_transform_size(F2); i++) {
    const uint32_t *idx;
    uint32_t d;
    double val;
    spx_transform_entry(F2, i, &idx, &d, &val);
    int found;
    spx_transform_get(F, idx, d, &found);
    if (!found && fabs(val) > maxerr) maxerr = fabs(val);
  }
  spx_test(maxerr <= 1e-11, "%s: Fourier -> Moebius -> Fourier round trip (max err %.3g)", label,
           maxerr);
  double *pf = malloc(masks->count * sizeof *pf), *pm = malloc(masks->count * sizeof *pm);
  spx_test(spx_transform_predict(F2, masks, pf, NULL) == SPX_OK &&
               spx_transform_predict(M, masks, pm, NULL) == SPX_OK,
           "%s: predictions run", label);
  double ef = 0.0, em = 0.0;
  for (size_t i = 0; i < masks->count; i++) {
    double want = eval_terms(terms, count, spx_maskset_row(masks, i));
    if (fabs(pf[i] - want) > ef) ef = fabs(pf[i] - want);
    if (fabs(pm[i] - want) > em) em = fabs(pm[i] - want);
  }
  spx_test(ef <= 1e-10, "%s: round-tripped Fourier predicts the direct sum on %zu masks (%.3g)",
           label, masks->count, ef);
  spx_test(em <= 1e-10, "%s: Moebius form predicts the direct sum on %zu masks (%.3g)", label,
           masks->count, em);
  free(pf);
  free(pm);
  free(terms);
  spx_transform_destroy(&F);
  spx_transform_destroy(&M);
  spx_transform_destroy(&F2);
}

static void test_round_trips(void) {
  gsl_rng *r = spx_rng_stream(2024, 8, 0, 0, 0);
  /* all 4096 masks of n = 12 */
  spx_maskset *all = spx_maskset_create(12, 4096);
  for (unsigned m = 0; m < 4096; m++) spx_maskset_row(all, m)[0] = m;
  round_trip(12, 7, 40, all, r, "n=12, 40 terms of degree <= 7, all masks");
  spx_maskset_destroy(&all);
  /* n = 100000: sparse only; 64 random masks */
  uint32_t n = 100000;
  spx_maskset *rnd = spx_maskset_create(n, 64);
  for (size_t i = 0; i < rnd->count; i++)
    for (uint32_t f = 0; f < n; f++)
      if (gsl_rng_uniform(r) < 0.5) spx_mask_set(spx_maskset_row(rnd, i), f);
  round_trip(n, 10, 300, rnd, r, "n=100000, 300 terms of degree <= 10, random masks");
  spx_maskset_destroy(&rnd);
  gsl_rng_free(r);
}

/* A dense n = 6 game relabelled onto scattered features of n = 100000: each index must be the
 * relabelled index of the small game (checks that nothing depends on n or on contiguity). */
static void test_embedding(void) {
  gsl_rng *r = spx_rng_stream(2024, 9, 0, 0, 0);
  const unsigned n = 6;
  const uint32_t big = 100000, map[6] = {7, 1999, 20000, 54321, 88888, 99999};
  spx_transform *small = spx_transform_create(n, SPX_BASIS_MOEBIUS);
  spx_transform *large = spx_transform_create(big, SPX_BASIS_MOEBIUS);
  for (unsigned T = 0; T < (1u << n); T++) {
    uint32_t idx[8], idx2[8];
    uint32_t d = mask_idx(T, idx);
    for (uint32_t j = 0; j < d; j++) idx2[j] = map[idx[j]];
    double val = gsl_ran_gaussian(r, 1.0);
    spx_transform_set(small, idx, d, val, NULL);
    spx_transform_set(large, idx2, d, val, NULL);
  }
  for (int ix = SPX_INDEX_SII; ix <= SPX_INDEX_KSII; ix++) {
    for (unsigned l = 1; l <= 3; l++) {
      spx_transform *a = NULL, *b = NULL;
      spx_moebius_to_index(small, (spx_index)ix, l, &a, NULL);
      spx_moebius_to_index(large, (spx_index)ix, l, &b, NULL);
      double maxerr = (a && b && spx_transform_size(a) == spx_transform_size(b)) ? 0.0 : INFINITY;
      for (size_t i = 0; a && b && i < spx_transform_size(a); i++) {
        const uint32_t *idx;
        uint32_t d, idx2[8];
        double val;
        spx_transform_entry(a, i, &idx, &d, &val);
        for (uint32_t j = 0; j < d; j++) idx2[j] = map[idx[j]];
        int found;
        double e = fabs(spx_transform_get(b, idx2, d, &found) - val);
        if (!found) e = INFINITY;
        if (e > maxerr) maxerr = e;
      }
      /* same operations in the same order: identical results expected */
      spx_test(maxerr == 0.0, "%s order %u on n=100000 = relabelled n=6 result",
               spx_index_name((spx_index)ix), l);
      spx_transform_destroy(&a);
      spx_transform_destroy(&b);
    }
  }
  spx_transform_destroy(&small);
  spx_transform_destroy(&large);
  gsl_rng_free(r);
}

/* ---- 4. exact small cases, names, errors -------------------------------------------------- */

static void test_exact_and_errors(void) {
  /* One Moebius term a({3,7,9}) = 1.2 on n = 10, computed by hand from the definitions. */
  spx_transform *M = spx_transform_create(10, SPX_BASIS_MOEBIUS), *out = NULL;
  const uint32_t tri[3] = {3, 7, 9}, p37[2] = {3, 7}, s9[1] = {9};
  spx_transform_set(M, tri, 3, 1.2, NULL);
  spx_test(spx_moebius_to_index(M, SPX_INDEX_SII, 2, &out, NULL) == SPX_OK, "SII of one term");
  spx_test_int((long long)spx_transform_size(out), 7,
               "SII order 2 of {3,7,9}: ∅, 3 singletons, 3 pairs");
  spx_test_abs(spx_transform_get(out, s9, 1, NULL), 0.4, 1e-15, "SII({9}) = 1.2/3");
  spx_test_abs(spx_transform_get(out, p37, 2, NULL), 0.6, 1e-15, "SII({3,7}) = 1.2/2");
  spx_test(spx_transform_basis(out) == SPX_BASIS_INDEX, "index result has basis INDEX");
  spx_transform_destroy(&out);
  spx_moebius_to_index(M, SPX_INDEX_BII, 3, &out, NULL);
  spx_test_abs(spx_transform_get(out, NULL, 0, NULL), 0.15, 1e-15, "BII(∅) = 1.2/8 (mean of v)");
  spx_test_abs(spx_transform_get(out, tri, 3, NULL), 1.2, 1e-15, "BII({3,7,9}) = 1.2");
  spx_transform_destroy(&out);
  spx_moebius_to_index(M, SPX_INDEX_BV, 5, &out, NULL);
  spx_test(spx_transform_max_degree(out) == 1, "BV forces order 1");
  spx_test_abs(spx_transform_get(out, s9, 1, NULL), 0.3, 1e-15, "BV(9) = 1.2/4");
  spx_transform_destroy(&out);
  spx_moebius_to_index(M, SPX_INDEX_STII, 2, &out, NULL);
  /* singletons have STII = own Moebius = 0 and are dropped; ∅ stays */
  spx_test_int((long long)spx_transform_size(out), 4, "STII order 2 of {3,7,9}: ∅ and 3 pairs");
  spx_test_abs(spx_transform_get(out, p37, 2, NULL), 0.4, 1e-15, "STII({3,7}) = 1.2/C(3,2)");
  int found = 0;
  spx_transform_get(out, NULL, 0, &found);
  spx_test(found, "∅ is stored even when 0");
  spx_transform_destroy(&out);

  /* names */
  for (int ix = SPX_INDEX_FOURIER; ix <= SPX_INDEX_KSII; ix++) {
    spx_index back = SPX_INDEX_FOURIER;
    spx_test(spx_index_from_name(spx_index_name((spx_index)ix), &back) == SPX_OK &&
                 back == (spx_index)ix,
             "name %s round trip", spx_index_name((spx_index)ix));
  }
  spx_index got;
  spx_test(spx_index_from_name("k-SII", &got) == SPX_OK && got == SPX_INDEX_KSII, "\"k-SII\"");
  spx_test(spx_index_from_name("FSII", &got) == SPX_OK && got == SPX_INDEX_FSII, "\"FSII\"");
  spx_test(spx_index_from_name("shapley", &got) == SPX_EINVAL, "unknown name rejected");
  spx_test(strcmp(spx_index_name((spx_index)99), "unknown") == 0, "out-of-range index name");

  /* errors */
  spx_error err;
  spx_transform *F = spx_transform_create(10, SPX_BASIS_FOURIER);
  out = (spx_transform *)F; /* must be reset to NULL on failure */
  spx_test(spx_moebius_to_index(F, SPX_INDEX_SII, 2, &out, &err) == SPX_EINVAL && out == NULL &&
               strstr(err.msg, "not a Moebius"),
           "moebius_to_index rejects a Fourier input (%s)", err.msg);
  spx_test(spx_moebius_to_index(M, SPX_INDEX_FSII, 0, &out, &err) == SPX_EINVAL &&
               strstr(err.msg, "order"),
           "order 0 rejected (%s)", err.msg);
  spx_test(spx_moebius_to_index(M, SPX_INDEX_FOURIER, 2, &out, &err) == SPX_EINVAL,
           "moebius_to_index rejects a basis target (%s)", err.msg);
  spx_test(spx_fourier_to_moebius(M, &out, &err) == SPX_EINVAL && strstr(err.msg, "Fourier"),
           "fourier_to_moebius rejects a Moebius input (%s)", err.msg);
  spx_test(spx_moebius_to_fourier(F, &out, &err) == SPX_EINVAL,
           "moebius_to_fourier rejects Fourier");
  spx_transform *I = NULL;
  spx_moebius_to_index(M, SPX_INDEX_SII, 1, &I, NULL);
  spx_test(spx_transform_to_index(I, SPX_INDEX_SII, 1, &out, &err) == SPX_EINVAL &&
               strstr(err.msg, "already an interaction index"),
           "an index cannot be converted again (%s)", err.msg);
  spx_test(spx_transform_to_index(M, (spx_index)42, 1, &out, &err) == SPX_EINVAL,
           "unknown index rejected (%s)", err.msg);
  spx_test(spx_transform_to_index(NULL, SPX_INDEX_SII, 1, &out, &err) == SPX_EINVAL,
           "NULL input rejected");
  uint32_t deep[41];
  for (uint32_t i = 0; i < 41; i++) deep[i] = i;
  spx_transform *D = spx_transform_create(64, SPX_BASIS_FOURIER);
  spx_transform_set(D, deep, 41, 1.0, NULL);
  spx_test(spx_fourier_to_moebius(D, &out, &err) == SPX_ERANGE && strstr(err.msg, "degree 41"),
           "degree 41 Fourier -> Moebius refused (%s)", err.msg);
  /* ...but an order-2 index of it only needs C(41, <=2) subsets. BII of a Fourier term chi_K at
   * T ⊆ K, |T| = t < |K|: sum_j C(41-t, j) (-2)^(t+j) 2^-j = (-2)^t (1 - 1)^(41-t) = 0, so every
   * value is cancellation noise; terms reach C(41,20) 2^2 ~ 1e12, long double weights keep the
   * noise near 1e12 * 1e-19. */
  spx_test(spx_transform_to_index(D, SPX_INDEX_BII, 2, &out, &err) == SPX_OK &&
               spx_transform_size(out) <= 1 + 41 + 820,
           "order-2 BII of a degree-41 Fourier term runs");
  double mx = 0.0;
  for (size_t i = 0; out && i < spx_transform_size(out); i++) {
    double val;
    spx_transform_entry(out, i, NULL, NULL, &val);
    if (fabs(val) > mx) mx = fabs(val);
  }
  spx_test(mx <= 1e-6, "BII of a degree-41 Fourier term vanishes below degree 41 (max %.3g)", mx);
  spx_transform_destroy(&out);
  /* constant-only and empty inputs */
  spx_transform *C = spx_transform_create(5, SPX_BASIS_FOURIER), *CM = NULL;
  spx_transform_set(C, NULL, 0, -0.75, NULL);
  spx_test(spx_fourier_to_moebius(C, &CM, NULL) == SPX_OK && spx_transform_size(CM) == 1 &&
               spx_transform_get(CM, NULL, 0, NULL) == -0.75,
           "constant Fourier -> constant Moebius");
  spx_test(spx_moebius_to_index(CM, SPX_INDEX_FBII, 2, &out, NULL) == SPX_OK &&
               spx_transform_size(out) == 1 && spx_transform_get(out, NULL, 0, NULL) == -0.75,
           "FBII of a constant game is its baseline only");
  spx_transform_destroy(&out);
  spx_transform_clear(C);
  spx_test(spx_transform_to_index(C, SPX_INDEX_KSII, 3, &out, NULL) == SPX_OK &&
               spx_transform_size(out) == 1 && spx_transform_get(out, NULL, 0, NULL) == 0.0,
           "index of an empty transform: only ∅ = 0");
  spx_transform_destroy(&out);
  spx_test(spx_fourier_to_moebius(C, &out, NULL) == SPX_OK && spx_transform_size(out) == 0,
           "empty Fourier -> empty Moebius");
  spx_transform_destroy(&out);
  spx_transform_destroy(&CM);
  spx_transform_destroy(&C);
  /* same-basis conversion is a copy */
  spx_transform_set(F, s9, 1, 2.5, NULL);
  spx_test(spx_transform_to_index(F, SPX_INDEX_FOURIER, 0, &out, NULL) == SPX_OK &&
               spx_transform_get(out, s9, 1, NULL) == 2.5 && out != F,
           "Fourier -> Fourier is a copy");
  spx_transform_destroy(&out);
  spx_transform_destroy(&D);
  spx_transform_destroy(&I);
  spx_transform_destroy(&F);
  spx_transform_destroy(&M);
}

int main(void) {
  test_exact_and_errors();
  test_brute_force();
  test_round_trips();
  test_embedding();
  test_shapiq_files();
  return spx_test_summary();
}
