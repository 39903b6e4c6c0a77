/* tree_fourier.c: tree ensembles on 0/1 features, their evaluation, and the exact Fourier
 * transform of a tree ensemble (ProxySPEX's "Fourier extraction from gradient boosted trees",
 * unrolled from the per-split recursion into a per-leaf sum, see tree_fourier.h). */
#include "tree_fourier.h"

#include <stdlib.h>
#include <string.h>

#include "../core/mask.h"

/* Deepest tree accepted (recursion depth) and most distinct conditions on one path (each leaf
 * enumerates 2^d subsets). */
#define MAX_TREE_DEPTH 64
#define MAX_PATH_CONDITIONS 24

spx_tree_ensemble *spx_tree_ensemble_create(uint32_t n, size_t ntrees, size_t nnodes) {
  spx_tree_ensemble *e = calloc(1, sizeof *e);
  if (e == NULL) return NULL;
  e->n = n;
  e->ntrees = ntrees;
  e->nnodes = nnodes;
  size_t m = nnodes ? nnodes : 1;
  e->tree_start = calloc(ntrees + 1, sizeof *e->tree_start);
  e->left = malloc(m * sizeof *e->left);
  e->right = malloc(m * sizeof *e->right);
  e->feature = malloc(m * sizeof *e->feature);
  e->threshold = malloc(m * sizeof *e->threshold);
  e->leaf = malloc(m * sizeof *e->leaf);
  if (!e->tree_start || !e->left || !e->right || !e->feature || !e->threshold || !e->leaf)
    spx_tree_ensemble_destroy(&e);
  return e;
}

void spx_tree_ensemble_destroy(spx_tree_ensemble **e) {
  if (e == NULL || *e == NULL) return;
  free((*e)->tree_start);
  free((*e)->left);
  free((*e)->right);
  free((*e)->feature);
  free((*e)->threshold);
  free((*e)->leaf);
  free(*e);
  *e = NULL;
}

/* Depth-first check of one tree; seen[] counts visits. */
static int validate_node(const spx_tree_ensemble *e, size_t base, size_t count, int32_t node,
                         unsigned depth, unsigned max_depth, unsigned char *seen, size_t tree,
                         spx_error *err) {
  if (node < 0 || (size_t)node >= count)
    return spx_error_set(err, SPX_EINVAL, "tree %zu: child %d out of range (%zu nodes)", tree,
                         (int)node, count);
  if (seen[node]++)
    return spx_error_set(err, SPX_EINVAL, "tree %zu: node %d reached twice", tree, (int)node);
  size_t k = base + (size_t)node;
  if (e->left[k] < 0 && e->right[k] < 0) return SPX_OK;
  if (e->left[k] < 0 || e->right[k] < 0)
    return spx_error_set(err, SPX_EINVAL, "tree %zu: node %d has one child", tree, (int)node);
  if (e->feature[k] >= e->n)
    return spx_error_set(err, SPX_EINVAL, "tree %zu: node %d splits on feature %u >= n = %u",
                         tree, (int)node, e->feature[k], e->n);
  unsigned limit = max_depth ? max_depth : MAX_TREE_DEPTH;
  if (depth + 1 > limit)
    return spx_error_set(err, SPX_ERANGE, "tree %zu is deeper than %u", tree, limit);
  int rc = validate_node(e, base, count, e->left[k], depth + 1, max_depth, seen, tree, err);
  if (rc == SPX_OK)
    rc = validate_node(e, base, count, e->right[k], depth + 1, max_depth, seen, tree, err);
  return rc;
}

int spx_tree_ensemble_validate(const spx_tree_ensemble *e, unsigned max_depth, spx_error *err) {
  if (e->tree_start[0] != 0 || e->tree_start[e->ntrees] != e->nnodes)
    return spx_error_set(err, SPX_EINVAL, "tree offsets do not cover the %zu nodes", e->nnodes);
  size_t biggest = 0;
  for (size_t t = 0; t < e->ntrees; t++) {
    if (e->tree_start[t + 1] <= e->tree_start[t])
      return spx_error_set(err, SPX_EINVAL, "tree %zu has no nodes", t);
    size_t c = e->tree_start[t + 1] - e->tree_start[t];
    if (c > biggest) biggest = c;
  }
  unsigned char *seen = malloc(biggest ? biggest : 1);
  SPX_CHECK_ALLOC(seen, err);
  int rc = SPX_OK;
  for (size_t t = 0; t < e->ntrees && rc == SPX_OK; t++) {
    size_t base = e->tree_start[t], count = e->tree_start[t + 1] - base;
    memset(seen, 0, count);
    rc = validate_node(e, base, count, 0, 0, max_depth, seen, t, err);
    for (size_t i = 0; i < count && rc == SPX_OK; i++)
      if (!seen[i]) rc = spx_error_set(err, SPX_EINVAL, "tree %zu: node %zu unreachable", t, i);
  }
  free(seen);
  return rc;
}

double spx_tree_ensemble_predict(const spx_tree_ensemble *e, const uint64_t *mask) {
  double sum = 0.0;
  for (size_t t = 0; t < e->ntrees; t++) {
    size_t base = e->tree_start[t];
    size_t k = base;
    while (e->left[k] >= 0) {
      double x = spx_mask_test(mask, e->feature[k]) ? 1.0 : 0.0;
      k = base + (size_t)(x < e->threshold[k] ? e->left[k] : e->right[k]);
    }
    sum += e->leaf[k];
  }
  return e->base_score + sum;
}

/* The conditions x_f = b collected on the way down to a node. */
typedef struct {
  uint32_t f[MAX_PATH_CONDITIONS];
  unsigned char b[MAX_PATH_CONDITIONS];
  unsigned d;
  size_t tree;
} path;

/* Emit the coefficients of one leaf: v 2^-d prod_{j in S} (-1)^{b_j} for every S. */
static int emit_leaf(const path *p, double v, spx_transform *acc, spx_error *err) {
  if (v == 0.0) return SPX_OK;
  /* sort the conditions by feature (insertion sort: d is small) */
  uint32_t f[MAX_PATH_CONDITIONS];
  unsigned char b[MAX_PATH_CONDITIONS];
  unsigned d = p->d;
  for (unsigned i = 0; i < d; i++) {
    unsigned j = i;
    while (j > 0 && f[j - 1] > p->f[i]) {
      f[j] = f[j - 1];
      b[j] = b[j - 1];
      j--;
    }
    f[j] = p->f[i];
    b[j] = p->b[i];
  }
  double scale = v;
  for (unsigned i = 0; i < d; i++) scale *= 0.5;
  uint32_t idx[MAX_PATH_CONDITIONS] = {0};
  for (uint32_t s = 0; s < ((uint32_t)1 << d); s++) {
    uint32_t deg = 0;
    unsigned neg = 0;
    for (unsigned i = 0; i < d; i++)
      if (s >> i & 1u) {
        idx[deg++] = f[i];
        neg ^= b[i];
      }
    int rc = spx_transform_add(acc, idx, deg, neg ? -scale : scale, err);
    if (rc) return rc;
  }
  return SPX_OK;
}

static int walk(const spx_tree_ensemble *e, size_t base, int32_t node, path *p, unsigned depth,
                spx_transform *acc, spx_error *err) {
  size_t k = base + (size_t)node;
  if (e->left[k] < 0) return emit_leaf(p, e->leaf[k], acc, err);
  if (depth >= MAX_TREE_DEPTH)
    return spx_error_set(err, SPX_ERANGE, "tree %zu is deeper than %d", p->tree, MAX_TREE_DEPTH);
  uint32_t f = e->feature[k];
  int32_t child0 = 0.0 < e->threshold[k] ? e->left[k] : e->right[k]; /* where x_f = 0 goes */
  int32_t child1 = 1.0 < e->threshold[k] ? e->left[k] : e->right[k]; /* where x_f = 1 goes */
  if (child0 == child1) return walk(e, base, child0, p, depth + 1, acc, err);
  for (unsigned i = 0; i < p->d; i++) /* feature already fixed on this path */
    if (p->f[i] == f) return walk(e, base, p->b[i] ? child1 : child0, p, depth + 1, acc, err);
  if (p->d >= MAX_PATH_CONDITIONS)
    return spx_error_set(err, SPX_ERANGE, "tree %zu has a path with more than %d features",
                         p->tree, MAX_PATH_CONDITIONS);
  p->f[p->d] = f;
  p->b[p->d] = 0;
  p->d++;
  int rc = walk(e, base, child0, p, depth + 1, acc, err);
  if (rc == SPX_OK) {
    p->b[p->d - 1] = 1;
    rc = walk(e, base, child1, p, depth + 1, acc, err);
  }
  p->d--;
  return rc;
}

int spx_tree_fourier_add(const spx_tree_ensemble *e, size_t first, size_t last,
                         spx_transform *acc, spx_error *err) {
  if (spx_transform_n(acc) != e->n)
    return spx_error_set(err, SPX_EINVAL, "transform has n = %u, ensemble n = %u",
                         spx_transform_n(acc), e->n);
  if (last > e->ntrees || first > last)
    return spx_error_set(err, SPX_EINVAL, "tree range [%zu, %zu) outside 0..%zu", first, last,
                         e->ntrees);
  path p;
  for (size_t t = first; t < last; t++) {
    p.d = 0;
    p.tree = t;
    int rc = walk(e, e->tree_start[t], 0, &p, 0, acc, err);
    if (rc) return rc;
  }
  return SPX_OK;
}

int spx_tree_ensemble_fourier(const spx_tree_ensemble *e, spx_transform **out, spx_error *err) {
  *out = NULL;
  spx_transform *sum = spx_transform_create(e->n, SPX_BASIS_FOURIER);
  spx_transform *chunk = spx_transform_create(e->n, SPX_BASIS_FOURIER);
  int rc = (sum && chunk) ? SPX_OK : spx_error_set(err, SPX_ENOMEM, "out of memory");
  uint32_t none[1] = {0};
  if (rc == SPX_OK) rc = spx_transform_add(sum, none, 0, e->base_score, err);
  for (size_t t = 0; t < e->ntrees && rc == SPX_OK; t += SPX_TREE_FOURIER_CHUNK) {
    size_t last = t + SPX_TREE_FOURIER_CHUNK < e->ntrees ? t + SPX_TREE_FOURIER_CHUNK : e->ntrees;
    spx_transform_clear(chunk);
    rc = spx_tree_fourier_add(e, t, last, chunk, err);
    if (rc == SPX_OK) rc = spx_transform_merge(sum, chunk, 1.0, err);
  }
  if (rc == SPX_OK) rc = spx_transform_prune(sum, 0.0, 1, err);
  spx_transform_destroy(&chunk);
  if (rc) {
    spx_transform_destroy(&sum);
    return rc;
  }
  *out = sum;
  return SPX_OK;
}
