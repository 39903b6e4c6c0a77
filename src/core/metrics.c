/* metrics.c: transform prediction on mask sets and the scores that compare a transform with
 * held-out values (R²) or with a true transform (support recovery, coefficient error,
 * Kendall tau-b). */
#include "metrics.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- prediction ------------------------------------------------------------------------- */

/* The nonzero entries of a transform rewritten over the distinct features they use:
 * entry e uses columns col[start[e] .. start[e + 1]) and has value val[e]. */
typedef struct {
  size_t nfeat;      /* distinct features used */
  uint32_t *feat;    /* their indices, ascending */
  size_t nent;       /* nonzero entries */
  size_t *start;     /* nent + 1 offsets into col */
  uint32_t *col;     /* feature positions (into feat) */
  double *val;       /* nent values */
} compact_terms;

static void compact_free(compact_terms *c) {
  free(c->feat);
  free(c->start);
  free(c->col);
  free(c->val);
}

static int compact_build(const spx_transform *t, compact_terms *c, spx_error *err) {
  memset(c, 0, sizeof *c);
  uint32_t n = spx_transform_n(t);
  size_t size = spx_transform_size(t), total = 0;
  for (size_t e = 0; e < size; e++) {
    uint32_t deg;
    double v;
    spx_transform_entry(t, e, NULL, &deg, &v);
    if (v != 0.0) {
      c->nent++;
      total += deg;
    }
  }
  /* pos[f] = column of feature f + 1 (0 = unused); n words is fine: n <= ~10^5 here and the
   * transform itself is O(n) already when it uses many features. */
  uint32_t *pos = calloc(n ? n : 1, sizeof *pos);
  c->start = malloc((c->nent + 1) * sizeof *c->start);
  c->col = malloc((total ? total : 1) * sizeof *c->col);
  c->val = malloc((c->nent ? c->nent : 1) * sizeof *c->val);
  if (pos == NULL || c->start == NULL || c->col == NULL || c->val == NULL) {
    free(pos);
    compact_free(c);
    return spx_error_set(err, SPX_ENOMEM, "out of memory predicting %zu terms", c->nent);
  }
  for (size_t e = 0; e < size; e++) {
    const uint32_t *idx;
    uint32_t deg;
    double v;
    spx_transform_entry(t, e, &idx, &deg, &v);
    if (v == 0.0) continue;
    for (uint32_t j = 0; j < deg; j++) pos[idx[j]] = 1;
  }
  for (uint32_t f = 0; f < n; f++) c->nfeat += pos[f];
  c->feat = malloc((c->nfeat ? c->nfeat : 1) * sizeof *c->feat);
  if (c->feat == NULL) {
    free(pos);
    compact_free(c);
    return spx_error_set(err, SPX_ENOMEM, "out of memory predicting %zu terms", c->nent);
  }
  size_t k = 0;
  for (uint32_t f = 0; f < n; f++)
    if (pos[f]) {
      c->feat[k] = f;
      pos[f] = (uint32_t)k++;
    }
  size_t at = 0, ent = 0;
  for (size_t e = 0; e < size; e++) {
    const uint32_t *idx;
    uint32_t deg;
    double v;
    spx_transform_entry(t, e, &idx, &deg, &v);
    if (v == 0.0) continue;
    c->start[ent] = at;
    c->val[ent++] = v;
    for (uint32_t j = 0; j < deg; j++) c->col[at++] = pos[idx[j]];
  }
  c->start[ent] = at;
  free(pos);
  return SPX_OK;
}

int spx_transform_predict(const spx_transform *t, const spx_maskset *masks, double *out,
                          spx_error *err) {
  spx_basis basis = spx_transform_basis(t);
  if (basis == SPX_BASIS_INDEX)
    return spx_error_set(err, SPX_EINVAL, "an interaction index cannot be evaluated on masks");
  if (masks->n != spx_transform_n(t))
    return spx_error_set(err, SPX_EINVAL, "transform has n = %u but masks have n = %zu",
                         spx_transform_n(t), masks->n);
  for (size_t r = 0; r < masks->count; r++) out[r] = 0.0;
  if (masks->count == 0) return SPX_OK;
  compact_terms c;
  int rc = compact_build(t, &c, err);
  if (rc) return rc;
  /* bits[f] bit r = whether mask (base + r) keeps feature feat[f], for a block of 64. */
  uint64_t *bits = malloc((c.nfeat ? c.nfeat : 1) * sizeof *bits);
  if (bits == NULL) {
    compact_free(&c);
    return spx_error_set(err, SPX_ENOMEM, "out of memory predicting %zu masks", masks->count);
  }
  const int fourier = basis == SPX_BASIS_FOURIER;
  for (size_t base = 0; base < masks->count; base += 64) {
    size_t cnt = masks->count - base < 64 ? masks->count - base : 64;
    uint64_t all = cnt == 64 ? ~(uint64_t)0 : ((uint64_t)1 << cnt) - 1;
    memset(bits, 0, c.nfeat * sizeof *bits);
    for (size_t r = 0; r < cnt && c.nfeat > 0; r++) {
      const uint64_t *m = spx_maskset_row(masks, base + r);
      for (size_t f = 0; f < c.nfeat; f++)
        bits[f] |= (uint64_t)spx_mask_test(m, c.feat[f]) << r;
    }
    double *o = out + base;
    for (size_t e = 0; e < c.nent; e++) {
      const double v = c.val[e];
      if (fourier) {
        uint64_t odd = 0; /* bit r: |K ∩ kept(mask r)| is odd */
        for (size_t j = c.start[e]; j < c.start[e + 1]; j++) odd ^= bits[c.col[j]];
        for (size_t r = 0; r < cnt; r++) o[r] += v * (double)(1 - 2 * (int)((odd >> r) & 1));
      } else {
        uint64_t in = all; /* bit r: S ⊆ kept(mask r) */
        for (size_t j = c.start[e]; j < c.start[e + 1] && in; j++) in &= bits[c.col[j]];
        while (in) {
          o[__builtin_ctzll(in)] += v;
          in &= in - 1;
        }
      }
    }
  }
  free(bits);
  compact_free(&c);
  return SPX_OK;
}

double spx_r2(const double *y, const double *yhat, size_t count) {
  if (count == 0) return NAN;
  double mean = 0.0;
  for (size_t i = 0; i < count; i++) mean += y[i];
  mean /= (double)count;
  double ss_res = 0.0, ss_tot = 0.0;
  for (size_t i = 0; i < count; i++) {
    ss_res += (y[i] - yhat[i]) * (y[i] - yhat[i]);
    ss_tot += (y[i] - mean) * (y[i] - mean);
  }
  if (ss_tot == 0.0) return ss_res == 0.0 ? 1.0 : -INFINITY;
  return 1.0 - ss_res / ss_tot;
}

/* ---- comparing two transforms ----------------------------------------------------------- */

static int check_pair(const spx_transform *a, const spx_transform *b, spx_error *err) {
  if (spx_transform_n(a) != spx_transform_n(b))
    return spx_error_set(err, SPX_EINVAL, "comparing transforms of n = %u and n = %u",
                         spx_transform_n(a), spx_transform_n(b));
  if (spx_transform_basis(a) != spx_transform_basis(b))
    return spx_error_set(err, SPX_EINVAL,
                         "comparing transforms in different bases (%d and %d): convert first",
                         (int)spx_transform_basis(a), (int)spx_transform_basis(b));
  return SPX_OK;
}

/* The ranked support of t (see metrics.h), at most k entries: entry numbers into *out. */
static int ranked_support(const spx_transform *t, size_t k, size_t **out, size_t *len,
                          spx_error *err) {
  size_t size = spx_transform_size(t);
  *len = 0;
  *out = malloc((size ? size : 1) * sizeof **out);
  SPX_CHECK_ALLOC(*out, err);
  int rc = spx_transform_sorted(t, *out, err);
  if (rc) {
    free(*out);
    *out = NULL;
    return rc;
  }
  for (size_t i = 0; i < size && *len < k; i++) {
    uint32_t deg;
    double v;
    spx_transform_entry(t, (*out)[i], NULL, &deg, &v);
    if (deg > 0 && v != 0.0) (*out)[(*len)++] = (*out)[i];
  }
  return SPX_OK;
}

int spx_support_recovery(const spx_transform *est, const spx_transform *truth, size_t k,
                         spx_support_score *out, spx_error *err) {
  memset(out, 0, sizeof *out);
  int rc = check_pair(est, truth, err);
  if (rc) return rc;
  size_t *tord = NULL, *eord = NULL, tlen, elen;
  rc = ranked_support(truth, k ? k : SIZE_MAX, &tord, &tlen, err);
  if (rc) return rc;
  if (k == 0) k = tlen;
  rc = ranked_support(est, k, &eord, &elen, err);
  spx_transform *tset = NULL;
  if (rc == SPX_OK) {
    tset = spx_transform_create(spx_transform_n(truth), spx_transform_basis(truth));
    if (tset == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory scoring recovery");
  }
  for (size_t i = 0; rc == SPX_OK && i < tlen; i++) {
    const uint32_t *idx;
    uint32_t deg;
    spx_transform_entry(truth, tord[i], &idx, &deg, NULL);
    rc = spx_transform_set(tset, idx, deg, 1.0, err);
  }
  size_t hits = 0;
  for (size_t i = 0; rc == SPX_OK && i < elen; i++) {
    const uint32_t *idx;
    uint32_t deg;
    int found;
    spx_transform_entry(est, eord[i], &idx, &deg, NULL);
    spx_transform_get(tset, idx, deg, &found);
    hits += (size_t)found;
  }
  if (rc == SPX_OK) {
    out->k = k;
    out->n_est = elen;
    out->n_truth = tlen;
    out->hits = hits;
    out->precision = elen ? (double)hits / (double)elen : (tlen ? 0.0 : 1.0);
    out->recall = tlen ? (double)hits / (double)tlen : 1.0;
  }
  spx_transform_destroy(&tset);
  free(tord);
  free(eord);
  return rc;
}

/* Calls fn(a value, b value) once for each interaction in the union of the nonzero entries
 * of a and b (the empty one only if include_empty). */
typedef void (*pair_fn)(double va, double vb, void *ctx);

static void for_each_union(const spx_transform *a, const spx_transform *b, int include_empty,
                           pair_fn fn, void *ctx) {
  for (size_t e = 0; e < spx_transform_size(a); e++) {
    const uint32_t *idx;
    uint32_t deg;
    double v;
    spx_transform_entry(a, e, &idx, &deg, &v);
    if (v == 0.0 || (deg == 0 && !include_empty)) continue;
    fn(v, spx_transform_get(b, idx, deg, NULL), ctx);
  }
  for (size_t e = 0; e < spx_transform_size(b); e++) {
    const uint32_t *idx;
    uint32_t deg;
    double v;
    spx_transform_entry(b, e, &idx, &deg, &v);
    if (v == 0.0 || (deg == 0 && !include_empty)) continue;
    if (spx_transform_get(a, idx, deg, NULL) != 0.0) continue; /* counted above */
    fn(0.0, v, ctx);
  }
}

static void coef_acc(double est, double truth, void *ctx) {
  spx_coef_error *c = ctx;
  double d = fabs(est - truth);
  c->count++;
  c->sse += d * d;
  c->truth_ss += truth * truth;
  if (d > c->max_abs) c->max_abs = d;
}

int spx_coefficient_error(const spx_transform *est, const spx_transform *truth,
                          int include_empty, spx_coef_error *out, spx_error *err) {
  memset(out, 0, sizeof *out);
  int rc = check_pair(est, truth, err);
  if (rc) return rc;
  for_each_union(est, truth, include_empty, coef_acc, out);
  if (out->truth_ss > 0.0)
    out->rel_l2 = sqrt(out->sse / out->truth_ss);
  else
    out->rel_l2 = out->sse > 0.0 ? INFINITY : 0.0;
  return SPX_OK;
}

/* ---- Kendall tau-b ---------------------------------------------------------------------- */

typedef struct {
  double x, y;
} xy_pair;

static int xy_cmp(const void *pa, const void *pb) {
  const xy_pair *a = pa, *b = pb;
  if (a->x != b->x) return a->x < b->x ? -1 : 1;
  if (a->y != b->y) return a->y < b->y ? -1 : 1;
  return 0;
}

/* Stable bottom-up merge sort of y[0..m) ascending; returns the number of inversions (pairs
 * i < j with y[i] > y[j]). tmp has m slots. */
static uint64_t sort_count_inversions(double *y, double *tmp, size_t m) {
  uint64_t inv = 0;
  double *src = y, *dst = tmp;
  for (size_t width = 1; width < m; width *= 2) {
    for (size_t lo = 0; lo < m; lo += 2 * width) {
      size_t mid = lo + width < m ? lo + width : m;
      size_t hi = lo + 2 * width < m ? lo + 2 * width : m;
      size_t i = lo, j = mid, o = lo;
      while (i < mid && j < hi) {
        if (src[j] < src[i]) {
          inv += mid - i; /* src[j] jumps over every remaining left element */
          dst[o++] = src[j++];
        } else {
          dst[o++] = src[i++];
        }
      }
      while (i < mid) dst[o++] = src[i++];
      while (j < hi) dst[o++] = src[j++];
    }
    double *swap = src;
    src = dst;
    dst = swap;
  }
  if (src != y) memcpy(y, src, m * sizeof *y);
  return inv;
}

/* Sum over runs of equal consecutive values of len (len - 1) / 2. */
static uint64_t tied_pairs_sorted(const double *v, size_t m) {
  uint64_t s = 0;
  for (size_t i = 0; i < m;) {
    size_t j = i + 1;
    while (j < m && v[j] == v[i]) j++;
    s += (uint64_t)(j - i) * (j - i - 1) / 2;
    i = j;
  }
  return s;
}

int spx_kendall_tau_b(const double *x, const double *y, size_t m, double *tau, spx_error *err) {
  *tau = NAN;
  for (size_t i = 0; i < m; i++)
    if (isnan(x[i]) || isnan(y[i]))
      return spx_error_set(err, SPX_EINVAL, "Kendall tau: value %zu is NaN", i);
  if (m < 2) return SPX_OK;
  xy_pair *p = malloc(m * sizeof *p);
  double *buf = malloc(2 * m * sizeof *buf);
  if (p == NULL || buf == NULL) {
    free(p);
    free(buf);
    return spx_error_set(err, SPX_ENOMEM, "out of memory for Kendall tau of %zu values", m);
  }
  for (size_t i = 0; i < m; i++) p[i] = (xy_pair){x[i], y[i]};
  qsort(p, m, sizeof *p, xy_cmp);
  uint64_t tx = 0, txy = 0; /* pairs tied in x; tied in both */
  for (size_t i = 0; i < m;) {
    size_t j = i + 1, k = i;
    while (j < m && p[j].x == p[i].x) j++;
    tx += (uint64_t)(j - i) * (j - i - 1) / 2;
    while (k < j) { /* runs of equal y inside the x run (sorted by y there) */
      size_t l = k + 1;
      while (l < j && p[l].y == p[k].y) l++;
      txy += (uint64_t)(l - k) * (l - k - 1) / 2;
      k = l;
    }
    i = j;
  }
  double *ys = buf, *tmp = buf + m;
  for (size_t i = 0; i < m; i++) ys[i] = p[i].y;
  /* In (x, y) order an inversion in y is a pair with x strictly smaller and y strictly
   * larger: exactly the discordant pairs. */
  uint64_t disc = sort_count_inversions(ys, tmp, m);
  uint64_t ty = tied_pairs_sorted(ys, m);
  uint64_t pairs = (uint64_t)m * (m - 1) / 2;
  free(p);
  free(buf);
  /* C + D + tx + ty - txy = pairs, so C - D = pairs - tx - ty + txy - 2 D. */
  double num = (double)pairs - (double)tx - (double)ty + (double)txy - 2.0 * (double)disc;
  double den = sqrt((double)(pairs - tx) * (double)(pairs - ty));
  *tau = den > 0.0 ? num / den : NAN;
  return SPX_OK;
}

typedef struct {
  double *x, *y;
  size_t m;
} xy_collect;

static void collect_acc(double va, double vb, void *ctx) {
  xy_collect *c = ctx;
  c->x[c->m] = va;
  c->y[c->m++] = vb;
}

int spx_transform_kendall_tau(const spx_transform *a, const spx_transform *b,
                              int include_empty, double *tau, size_t *count, spx_error *err) {
  *tau = NAN;
  if (count) *count = 0;
  int rc = check_pair(a, b, err);
  if (rc) return rc;
  size_t cap = spx_transform_size(a) + spx_transform_size(b);
  xy_collect c = {malloc((cap ? cap : 1) * sizeof(double)),
                  malloc((cap ? cap : 1) * sizeof(double)), 0};
  if (c.x == NULL || c.y == NULL) {
    free(c.x);
    free(c.y);
    return spx_error_set(err, SPX_ENOMEM, "out of memory for Kendall tau of %zu values", cap);
  }
  for_each_union(a, b, include_empty, collect_acc, &c);
  if (count) *count = c.m;
  rc = spx_kendall_tau_b(c.x, c.y, c.m, tau, err);
  free(c.x);
  free(c.y);
  return rc;
}
