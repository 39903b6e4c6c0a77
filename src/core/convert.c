/* convert.c: Fourier <-> Moebius conversion and interaction indices, computed on the sparse
 * support only (formulas: research/reference-code.md §5; conventions: docs/indices.md).
 *
 * Every conversion here has the same shape: the output coefficient of an interaction T is
 *     out(T) = sum over stored S ⊇ T of w(|S|, |T|) * in(S),
 * with a weight that depends only on the two sizes. So one kernel (apply_weights) walks the
 * stored entries and, for each S, enumerates its subsets T of the sizes that have a nonzero
 * weight; nothing loops over 2^n or over n-bit vectors. The weight tables are computed in long
 * double: a Fourier input is turned into an index in one pass by composing the index weights
 * with the Fourier -> Moebius weights (-2)^|T|, a sum with alternating terms of size up to
 * 3^degree, and the extra precision keeps that cancellation harmless at the degrees used. */
#include "convert.h"

#include <math.h>
#include <stdlib.h>
#include <strings.h>

/* Full subset enumeration (basis conversions) visits 2^degree subsets per entry. */
#define MAX_FULL_DEGREE 40u
/* Weight tables index degrees up to here (binomials and 2^degree stay in long double range). */
#define MAX_TABLE_DEGREE 4096u

static const struct {
  const char *name;
  spx_index index;
} index_names[] = {
    {"fourier", SPX_INDEX_FOURIER}, {"moebius", SPX_INDEX_MOEBIUS}, {"mobius", SPX_INDEX_MOEBIUS},
    {"sii", SPX_INDEX_SII},         {"bii", SPX_INDEX_BII},         {"sv", SPX_INDEX_SV},
    {"bv", SPX_INDEX_BV},           {"fsii", SPX_INDEX_FSII},       {"fbii", SPX_INDEX_FBII},
    {"stii", SPX_INDEX_STII},       {"ksii", SPX_INDEX_KSII},       {"k-sii", SPX_INDEX_KSII},
};
#define N_INDEX_NAMES (sizeof index_names / sizeof index_names[0])

int spx_index_from_name(const char *name, spx_index *out) {
  if (name == NULL || out == NULL) return SPX_EINVAL;
  for (size_t i = 0; i < N_INDEX_NAMES; i++)
    if (strcasecmp(name, index_names[i].name) == 0) {
      *out = index_names[i].index;
      return SPX_OK;
    }
  return SPX_EINVAL;
}

const char *spx_index_name(spx_index index) {
  /* The first name listed for an index is its canonical one. */
  for (size_t i = 0; i < N_INDEX_NAMES; i++)
    if (index_names[i].index == index) return index_names[i].name;
  return "unknown";
}

/* ---- weights ------------------------------------------------------------------------------ */

/* C(n, k) in long double by the multiplicative formula (exact while it fits 64 bits). */
static long double binom(unsigned n, unsigned k) {
  if (k > n) return 0.0L;
  if (k > n - k) k = n - k;
  long double c = 1.0L;
  for (unsigned i = 1; i <= k; i++) c = c * (long double)(n - k + i) / (long double)i;
  return c;
}

/* Bernoulli numbers B_0..B_m with B_1 = -1/2, from sum_{k<=j} C(j+1, k) B_k = 0 (j >= 1). */
static void bernoulli(long double *b, unsigned m) {
  b[0] = 1.0L;
  for (unsigned j = 1; j <= m; j++) {
    long double s = 0.0L;
    for (unsigned k = 0; k < j; k++) s += binom(j + 1, k) * b[k];
    b[j] = -s / (long double)(j + 1);
  }
}

/* Weight of the Moebius coefficient of a set of size s in the index value of a subset of size t
 * (0 <= t <= s, t <= order). The empty-set weights (t = 0) encode the baseline conventions of
 * docs/indices.md. bern holds B_0..B_order (k-SII only). */
static long double moebius_weight(spx_index index, unsigned order, unsigned s, unsigned t,
                                  const long double *bern) {
  long double own = s == t ? 1.0L : 0.0L; /* a set's own Moebius coefficient */
  switch (index) {
  case SPX_INDEX_SII:
  case SPX_INDEX_SV: return t == 0 ? own : 1.0L / (long double)(s - t + 1);
  case SPX_INDEX_BII: return ldexpl(1.0L, -(int)(s - t));
  case SPX_INDEX_BV: return t == 0 ? own : ldexpl(1.0L, -(int)(s - t));
  case SPX_INDEX_STII: return t < order ? own : 1.0L / binom(s, order);
  case SPX_INDEX_FSII: {
    if (s <= order || t == 0) return own;
    long double sign = ((order - t) & 1u) ? -1.0L : 1.0L;
    return sign * (long double)t / (long double)(order + t) * binom(order, t) *
           binom(s - 1, order) / binom(s + order - 1, order + t);
  }
  case SPX_INDEX_FBII: {
    if (s <= order) return own;
    long double sign = ((order - t) & 1u) ? -1.0L : 1.0L;
    return sign * ldexpl(1.0L, -(int)(s - t)) * binom(s - t - 1, order - t);
  }
  case SPX_INDEX_KSII: {
    if (t == 0 || s <= order) return own;
    /* sum over S with T ⊆ S ⊆ R, |S| <= order, of B_{|S|-|T|} / (|R| - |S| + 1) */
    long double w = 0.0L;
    for (unsigned j = 0; j <= order - t; j++)
      w += binom(s - t, j) * bern[j] / (long double)(s - t - j + 1);
    return w;
  }
  case SPX_INDEX_MOEBIUS: return own;
  case SPX_INDEX_FOURIER: break;
  }
  return 0.0L;
}

long double spx_index_weight(spx_index index, unsigned order, unsigned s, unsigned t) {
  if (index == SPX_INDEX_SV || index == SPX_INDEX_BV) order = 1;
  if (t > s || t > order) return 0.0L;
  long double bern[64];
  if (index == SPX_INDEX_KSII) {
    if (order >= 64) return NAN;
    bernoulli(bern, order);
  }
  return moebius_weight(index, order, s, t, bern);
}

/* A weight table: w[s * (tmax + 1) + t] for 0 <= s <= dmax, 0 <= t <= min(s, tmax). */
typedef struct {
  unsigned dmax, tmax;
  double *w;
} wtable;

static int wtable_alloc(wtable *tb, unsigned dmax, unsigned tmax, spx_error *err) {
  tb->dmax = dmax;
  tb->tmax = tmax;
  tb->w = calloc(((size_t)dmax + 1) * ((size_t)tmax + 1), sizeof *tb->w);
  SPX_CHECK_ALLOC(tb->w, err);
  return SPX_OK;
}

static int wtable_store(wtable *tb, unsigned s, unsigned t, long double w, spx_error *err) {
  double d = (double)w;
  if (!isfinite(d))
    return spx_error_set(err, SPX_ERANGE,
                         "conversion weight for sizes (%u, %u) is not finite (degree too large)", s,
                         t);
  tb->w[(size_t)s * (tb->tmax + 1) + t] = d;
  return SPX_OK;
}

/* Index weights for a Moebius input (compose = 0) or a Fourier input (compose = 1), where
 * the Moebius coefficient of S is (-2)^|S| sum_{K ⊇ S} F(K), so the weight of F(K) with
 * |K| = k in the index of T with |T| = t is sum_{s=t..k} C(k - t, s - t) w(s, t) (-2)^s. */
static int index_weights(spx_index index, unsigned order, unsigned dmax, int compose, wtable *tb,
                         spx_error *err) {
  unsigned tmax = order < dmax ? order : dmax;
  int rc = wtable_alloc(tb, dmax, tmax, err);
  if (rc) return rc;
  long double *bern = malloc(((size_t)order + 1) * sizeof *bern);
  long double *wm = malloc(((size_t)dmax + 1) * sizeof *wm);
  if (bern == NULL || wm == NULL) {
    free(bern);
    free(wm);
    return spx_error_set(err, SPX_ENOMEM, "out of memory for conversion weights");
  }
  if (index == SPX_INDEX_KSII) bernoulli(bern, order);
  for (unsigned t = 0; t <= tmax && rc == SPX_OK; t++) {
    for (unsigned s = t; s <= dmax; s++) wm[s] = moebius_weight(index, order, s, t, bern);
    for (unsigned k = t; k <= dmax && rc == SPX_OK; k++) {
      long double w = wm[k];
      if (compose) {
        w = 0.0L;
        long double c = 1.0L; /* C(k - t, s - t), updated along s */
        for (unsigned s = t; s <= k; s++) {
          long double p2 = ldexpl(1.0L, (int)s);
          w += c * wm[s] * ((s & 1u) ? -p2 : p2);
          c = c * (long double)(k - s) / (long double)(s - t + 1);
        }
      }
      rc = wtable_store(tb, k, t, w, err);
    }
  }
  free(bern);
  free(wm);
  if (rc) {
    free(tb->w);
    tb->w = NULL;
  }
  return rc;
}

/* ---- the kernel --------------------------------------------------------------------------- */

/* dst(T) += w(|S|, |T|) * src(S) for every stored S and every T ⊆ S with |T| <= tb->tmax and a
 * nonzero weight. Subsets of a sorted S are enumerated as index combinations, so they come out
 * sorted. */
static int apply_weights(const spx_transform *src, const wtable *tb, spx_transform *dst,
                         spx_error *err) {
  unsigned dmax = tb->dmax;
  uint32_t *comb = malloc(((size_t)dmax + 1) * sizeof *comb);
  uint32_t *sub = malloc(((size_t)dmax + 1) * sizeof *sub);
  if (comb == NULL || sub == NULL) {
    free(comb);
    free(sub);
    return spx_error_set(err, SPX_ENOMEM, "out of memory for subset enumeration");
  }
  int rc = SPX_OK;
  size_t size = spx_transform_size(src);
  for (size_t e = 0; e < size && rc == SPX_OK; e++) {
    const uint32_t *idx;
    uint32_t d;
    double v;
    spx_transform_entry(src, e, &idx, &d, &v);
    if (v == 0.0) continue;
    unsigned tlim = d < tb->tmax ? d : tb->tmax;
    const double *row = tb->w + (size_t)d * (tb->tmax + 1);
    for (unsigned t = 0; t <= tlim && rc == SPX_OK; t++) {
      if (row[t] == 0.0) continue;
      double add = row[t] * v;
      for (unsigned i = 0; i < t; i++) comb[i] = i;
      for (;;) {
        for (unsigned i = 0; i < t; i++) sub[i] = idx[comb[i]];
        rc = spx_transform_add(dst, sub, t, add, err);
        if (rc) break;
        /* next combination of t positions out of d */
        int i = (int)t - 1;
        while (i >= 0 && comb[i] == d - t + (unsigned)i) i--;
        if (i < 0) break;
        comb[i]++;
        for (unsigned j = (unsigned)i + 1; j < t; j++) comb[j] = comb[j - 1] + 1;
      }
    }
  }
  free(comb);
  free(sub);
  return rc;
}

/* ---- public conversions ------------------------------------------------------------------- */

static int check_input(const spx_transform *in, spx_transform **out, spx_error *err) {
  if (in == NULL || out == NULL)
    return spx_error_set(err, SPX_EINVAL, "conversion: NULL transform or output handle");
  *out = NULL;
  return SPX_OK;
}

/* Run the kernel into a fresh transform of the given basis; drop exact zeros (the constant
 * term too unless keep_empty, in which case it is always present). */
static int convert(const spx_transform *in, const wtable *tb, spx_basis basis, int keep_empty,
                   spx_transform **out, spx_error *err) {
  spx_transform *t = spx_transform_create(spx_transform_n(in), basis);
  SPX_CHECK_ALLOC(t, err);
  static const uint32_t none[1] = {0};
  int rc = keep_empty ? spx_transform_add(t, none, 0, 0.0, err) : SPX_OK;
  if (rc == SPX_OK) rc = apply_weights(in, tb, t, err);
  if (rc == SPX_OK) rc = spx_transform_prune(t, 0.0, keep_empty, err);
  if (rc) {
    spx_transform_destroy(&t);
    return rc;
  }
  *out = t;
  return SPX_OK;
}

/* Fourier <-> Moebius: all subsets of each stored set. */
static int basis_change(const spx_transform *in, spx_basis from, spx_transform **out,
                        spx_error *err) {
  int rc = check_input(in, out, err);
  if (rc) return rc;
  const char *what = from == SPX_BASIS_FOURIER ? "Fourier -> Moebius" : "Moebius -> Fourier";
  if (spx_transform_basis(in) != from)
    return spx_error_set(err, SPX_EINVAL, "%s: the input transform is not in the %s basis", what,
                         from == SPX_BASIS_FOURIER ? "Fourier" : "Moebius");
  unsigned dmax = spx_transform_max_degree(in);
  if (dmax > MAX_FULL_DEGREE)
    return spx_error_set(err, SPX_ERANGE,
                         "%s: an interaction of degree %u has 2^%u subsets (at most degree %u "
                         "is supported)",
                         what, dmax, dmax, MAX_FULL_DEGREE);
  wtable tb;
  rc = wtable_alloc(&tb, dmax, dmax, err);
  if (rc) return rc;
  for (unsigned s = 0; s <= dmax; s++)
    for (unsigned t = 0; t <= s; t++) {
      /* F -> M: a(T) = (-2)^|T| sum_{K ⊇ T} F(K);
       * M -> F: F(K) = (-1)^|K| sum_{T ⊇ K} a(T) / 2^|T| */
      double w = from == SPX_BASIS_FOURIER ? ldexp(1.0, (int)t) : ldexp(1.0, -(int)s);
      tb.w[(size_t)s * (dmax + 1) + t] = (t & 1u) ? -w : w;
    }
  rc = convert(in, &tb, from == SPX_BASIS_FOURIER ? SPX_BASIS_MOEBIUS : SPX_BASIS_FOURIER, 0, out,
               err);
  free(tb.w);
  return rc;
}

int spx_fourier_to_moebius(const spx_transform *fourier, spx_transform **out, spx_error *err) {
  return basis_change(fourier, SPX_BASIS_FOURIER, out, err);
}

int spx_moebius_to_fourier(const spx_transform *moebius, spx_transform **out, spx_error *err) {
  return basis_change(moebius, SPX_BASIS_MOEBIUS, out, err);
}

/* An index of the given order from a Fourier or Moebius input (one pass, no intermediate). */
static int to_index(const spx_transform *in, spx_index index, unsigned order, spx_transform **out,
                    spx_error *err) {
  if (index == SPX_INDEX_SV || index == SPX_INDEX_BV) order = 1;
  if (order == 0)
    return spx_error_set(err, SPX_EINVAL, "index %s: order must be at least 1",
                         spx_index_name(index));
  unsigned dmax = spx_transform_max_degree(in);
  if (dmax > MAX_TABLE_DEGREE)
    return spx_error_set(err, SPX_ERANGE, "index %s: interaction degree %u exceeds %u",
                         spx_index_name(index), dmax, MAX_TABLE_DEGREE);
  wtable tb;
  int rc =
      index_weights(index, order, dmax, spx_transform_basis(in) == SPX_BASIS_FOURIER, &tb, err);
  if (rc) return rc;
  rc = convert(in, &tb, SPX_BASIS_INDEX, 1, out, err);
  free(tb.w);
  return rc;
}

static int valid_index(spx_index index) {
  return index >= SPX_INDEX_FOURIER && index <= SPX_INDEX_KSII;
}

int spx_moebius_to_index(const spx_transform *moebius, spx_index index, unsigned order,
                         spx_transform **out, spx_error *err) {
  int rc = check_input(moebius, out, err);
  if (rc) return rc;
  if (spx_transform_basis(moebius) != SPX_BASIS_MOEBIUS)
    return spx_error_set(err, SPX_EINVAL, "Moebius -> index: the input is not a Moebius transform");
  if (!valid_index(index) || index == SPX_INDEX_FOURIER || index == SPX_INDEX_MOEBIUS)
    return spx_error_set(err, SPX_EINVAL,
                         "Moebius -> index: %d is not an interaction index (use "
                         "spx_transform_to_index for a basis)",
                         (int)index);
  return to_index(moebius, index, order, out, err);
}

int spx_transform_to_index(const spx_transform *t, spx_index index, unsigned order,
                           spx_transform **out, spx_error *err) {
  int rc = check_input(t, out, err);
  if (rc) return rc;
  spx_basis basis = spx_transform_basis(t);
  if (basis == SPX_BASIS_INDEX)
    return spx_error_set(err, SPX_EINVAL,
                         "conversion to %s: the input is already an interaction index, which "
                         "cannot be converted (convert its Fourier or Moebius transform)",
                         valid_index(index) ? spx_index_name(index) : "?");
  if (!valid_index(index))
    return spx_error_set(err, SPX_EINVAL, "conversion: unknown index %d", (int)index);
  if (index == SPX_INDEX_FOURIER || index == SPX_INDEX_MOEBIUS) {
    spx_basis want = index == SPX_INDEX_FOURIER ? SPX_BASIS_FOURIER : SPX_BASIS_MOEBIUS;
    if (basis == want) {
      *out = spx_transform_clone(t);
      SPX_CHECK_ALLOC(*out, err);
      return SPX_OK;
    }
    return basis_change(t, basis, out, err);
  }
  return to_index(t, index, order, out, err);
}
