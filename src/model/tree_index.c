/* tree_index.c: the exact interaction index of a tree ensemble, one table look-up per (leaf,
 * interaction) (the leaf-rule closed forms of tree_index.h). */
#include "tree_index.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TREE_DEPTH 64      /* recursion depth */
#define MAX_PATH_CONDITIONS 64 /* distinct features on one path */
#define MAX_TABLE_ENTRIES ((size_t)1 << 26)

/* The conditions x_f = b on the way down to a node. */
typedef struct {
  uint32_t f[MAX_PATH_CONDITIONS];
  unsigned char b[MAX_PATH_CONDITIONS];
  unsigned d;
  size_t tree;
} path;

/* The per-shape table g(e, r, kE, kR) of tree_index.h for e + r <= dmax, kE + kR <= tmax. */
typedef struct {
  unsigned dmax, tmax;
  double *g;
} shape_table;

static size_t at(const shape_table *tb, unsigned e, unsigned r, unsigned ke, unsigned kr) {
  size_t D = tb->dmax + 1, T = tb->tmax + 1;
  return (((size_t)e * D + r) * T + ke) * T + kr;
}

static int table_build(shape_table *tb, spx_index index, unsigned order, unsigned dmax,
                       spx_error *err) {
  unsigned tmax = order < dmax ? order : dmax;
  size_t D = (size_t)dmax + 1, T = (size_t)tmax + 1;
  if (D * D * T * T > MAX_TABLE_ENTRIES)
    return spx_error_set(err, SPX_ERANGE,
                         "tree index: paths of %u features at order %u need a table of %zu "
                         "entries (at most %zu)",
                         dmax, order, D * D * T * T, MAX_TABLE_ENTRIES);
  tb->dmax = dmax;
  tb->tmax = tmax;
  tb->g = calloc(D * D * T * T, sizeof *tb->g);
  long double *w = malloc(D * T * sizeof *w);   /* w[s * T + t] */
  long double *binom = malloc(D * D * sizeof *binom); /* C(a, b) at a * D + b */
  if (tb->g == NULL || w == NULL || binom == NULL) {
    free(tb->g);
    free(w);
    free(binom);
    tb->g = NULL;
    return spx_error_set(err, SPX_ENOMEM, "out of memory for the tree index table");
  }
  for (size_t s = 0; s < D; s++)
    for (size_t t = 0; t < T; t++)
      w[s * T + t] = t <= s ? spx_index_weight(index, order, (unsigned)s, (unsigned)t) : 0.0L;
  for (size_t a = 0; a < D; a++)
    for (size_t b = 0; b < D; b++)
      binom[a * D + b] = b > a ? 0.0L : (b == 0 || b == a) ? 1.0L
                                                          : binom[(a - 1) * D + b - 1] +
                                                                binom[(a - 1) * D + b];
  int rc = SPX_OK;
  for (unsigned e = 0; e <= dmax; e++)
    for (unsigned r = 0; e + r <= dmax; r++)
      for (unsigned ke = 0; ke <= e && ke <= tmax; ke++)
        for (unsigned kr = 0; kr <= r && ke + kr <= tmax; kr++) {
          long double g = 0.0L;
          unsigned m = r - kr;
          for (unsigned j = 0; j <= m; j++) {
            long double term = binom[(size_t)m * D + j] * w[(size_t)(e + kr + j) * T + ke + kr];
            g += ((kr + j) & 1u) ? -term : term;
          }
          double v = (double)g;
          if (!isfinite(v) && rc == SPX_OK)
            rc = spx_error_set(err, SPX_ERANGE, "tree index: weight for a path of %u + %u "
                               "features is not finite", e, r);
          tb->g[at(tb, e, r, ke, kr)] = v;
        }
  free(w);
  free(binom);
  if (rc) {
    free(tb->g);
    tb->g = NULL;
  }
  return rc;
}

/* Longest reachable path (distinct conditions) of a tree; -1 on a too deep tree. */
static int path_length(const spx_tree_ensemble *e, size_t base, int32_t node, path *p,
                       unsigned depth, unsigned *best, spx_error *err) {
  size_t k = base + (size_t)node;
  if (e->left[k] < 0) {
    if (p->d > *best) *best = p->d;
    return SPX_OK;
  }
  if (depth >= MAX_TREE_DEPTH)
    return spx_error_set(err, SPX_ERANGE, "tree %zu is deeper than %d", p->tree, MAX_TREE_DEPTH);
  uint32_t f = e->feature[k];
  int32_t child0 = 0.0 < e->threshold[k] ? e->left[k] : e->right[k]; /* where x_f = 0 goes */
  int32_t child1 = 1.0 < e->threshold[k] ? e->left[k] : e->right[k]; /* where x_f = 1 goes */
  if (child0 == child1) return path_length(e, base, child0, p, depth + 1, best, err);
  for (unsigned i = 0; i < p->d; i++)
    if (p->f[i] == f)
      return path_length(e, base, p->b[i] ? child1 : child0, p, depth + 1, best, err);
  if (p->d >= MAX_PATH_CONDITIONS)
    return spx_error_set(err, SPX_ERANGE, "tree %zu has a path with more than %d features",
                         p->tree, MAX_PATH_CONDITIONS);
  p->f[p->d] = f;
  p->b[p->d++] = 0;
  int rc = path_length(e, base, child0, p, depth + 1, best, err);
  p->b[p->d - 1] = 1;
  if (rc == SPX_OK) rc = path_length(e, base, child1, p, depth + 1, best, err);
  p->d--;
  return rc;
}

/* Add c g(e, r, kE, kR) to every K ⊆ E ∪ R with |K| <= tmax. */
static int emit_leaf(const path *p, double c, const shape_table *tb, spx_transform *acc,
                     spx_error *err) {
  if (c == 0.0) return SPX_OK;
  unsigned d = p->d;
  uint32_t f[MAX_PATH_CONDITIONS];
  unsigned char b[MAX_PATH_CONDITIONS];
  for (unsigned i = 0; i < d; i++) { /* sort by feature (insertion sort: d is small) */
    unsigned j = i;
    while (j > 0 && f[j - 1] > p->f[i]) {
      f[j] = f[j - 1];
      b[j] = b[j - 1];
      j--;
    }
    f[j] = p->f[i];
    b[j] = p->b[i];
  }
  unsigned e = 0;
  for (unsigned i = 0; i < d; i++) e += b[i];
  unsigned r = d - e, tlim = d < tb->tmax ? d : tb->tmax;
  unsigned comb[MAX_PATH_CONDITIONS];
  uint32_t idx[MAX_PATH_CONDITIONS];
  for (unsigned t = 0; t <= tlim; t++) {
    for (unsigned i = 0; i < t; i++) comb[i] = i;
    for (;;) {
      unsigned ke = 0;
      for (unsigned i = 0; i < t; i++) {
        idx[i] = f[comb[i]];
        ke += b[comb[i]];
      }
      double g = tb->g[at(tb, e, r, ke, t - ke)];
      if (g != 0.0) {
        int rc = spx_transform_add(acc, idx, t, c * g, err);
        if (rc) return rc;
      }
      int i = (int)t - 1; /* next combination of t positions out of d */
      while (i >= 0 && comb[i] == d - t + (unsigned)i) i--;
      if (i < 0) break;
      comb[i]++;
      for (unsigned j = (unsigned)i + 1; j < t; j++) comb[j] = comb[j - 1] + 1;
    }
  }
  return SPX_OK;
}

static int walk(const spx_tree_ensemble *e, size_t base, int32_t node, path *p,
                const shape_table *tb, spx_transform *acc, spx_error *err) {
  size_t k = base + (size_t)node;
  if (e->left[k] < 0) return emit_leaf(p, e->leaf[k], tb, acc, err);
  uint32_t f = e->feature[k];
  int32_t child0 = 0.0 < e->threshold[k] ? e->left[k] : e->right[k];
  int32_t child1 = 1.0 < e->threshold[k] ? e->left[k] : e->right[k];
  if (child0 == child1) return walk(e, base, child0, p, tb, acc, err);
  for (unsigned i = 0; i < p->d; i++)
    if (p->f[i] == f) return walk(e, base, p->b[i] ? child1 : child0, p, tb, acc, err);
  p->f[p->d] = f;
  p->b[p->d++] = 0;
  int rc = walk(e, base, child0, p, tb, acc, err);
  p->b[p->d - 1] = 1;
  if (rc == SPX_OK) rc = walk(e, base, child1, p, tb, acc, err);
  p->d--;
  return rc;
}

static int check_index(spx_index index, unsigned *order, spx_error *err) {
  if (index == SPX_INDEX_FOURIER || index == SPX_INDEX_MOEBIUS || index < SPX_INDEX_FOURIER ||
      index > SPX_INDEX_KSII)
    return spx_error_set(err, SPX_EINVAL, "tree index: %s is not an interaction index",
                         spx_index_name(index));
  if (index == SPX_INDEX_SV || index == SPX_INDEX_BV) *order = 1;
  if (*order == 0)
    return spx_error_set(err, SPX_EINVAL, "tree index %s: order must be at least 1",
                         spx_index_name(index));
  if (index == SPX_INDEX_KSII && *order >= 64)
    return spx_error_set(err, SPX_ERANGE, "tree index k-SII: order %u is above 63", *order);
  return SPX_OK;
}

int spx_tree_index_add(const spx_tree_ensemble *e, size_t first, size_t last, spx_index index,
                       unsigned order, spx_transform *acc, spx_error *err) {
  if (spx_transform_n(acc) != e->n)
    return spx_error_set(err, SPX_EINVAL, "transform has n = %u, ensemble n = %u",
                         spx_transform_n(acc), e->n);
  if (last > e->ntrees || first > last)
    return spx_error_set(err, SPX_EINVAL, "tree range [%zu, %zu) outside 0..%zu", first, last,
                         e->ntrees);
  int rc = check_index(index, &order, err);
  if (rc) return rc;
  path *p = malloc(sizeof *p);
  SPX_CHECK_ALLOC(p, err);
  unsigned dmax = 0;
  for (size_t t = first; t < last && rc == SPX_OK; t++) {
    p->d = 0;
    p->tree = t;
    rc = path_length(e, e->tree_start[t], 0, p, 0, &dmax, err);
  }
  shape_table tb = {0, 0, NULL};
  if (rc == SPX_OK) rc = table_build(&tb, index, order, dmax, err);
  for (size_t t = first; t < last && rc == SPX_OK; t++) {
    p->d = 0;
    p->tree = t;
    rc = walk(e, e->tree_start[t], 0, p, &tb, acc, err);
  }
  free(tb.g);
  free(p);
  return rc;
}

int spx_tree_ensemble_index(const spx_tree_ensemble *e, spx_index index, unsigned order,
                            spx_transform **out, spx_error *err) {
  *out = NULL;
  spx_transform *t = spx_transform_create(e->n, SPX_BASIS_INDEX);
  SPX_CHECK_ALLOC(t, err);
  uint32_t none[1] = {0};
  /* a constant has a(∅) = base score; every index's weight w(0, 0) is 1 */
  int rc = spx_transform_add(t, none, 0, e->base_score, err);
  if (rc == SPX_OK) rc = spx_tree_index_add(e, 0, e->ntrees, index, order, t, err);
  if (rc == SPX_OK) rc = spx_transform_prune(t, 0.0, 1, err);
  if (rc) {
    spx_transform_destroy(&t);
    return rc;
  }
  *out = t;
  return SPX_OK;
}
