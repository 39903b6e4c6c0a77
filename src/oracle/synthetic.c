/* synthetic.c: sparse Fourier or Moebius value functions with a known exact transform.
 *
 * Each explicand e is an independent random function drawn from spx_rng_stream(seed, e, ...):
 * `terms` distinct interactions (degrees uniform in 1..max_degree, or exactly degree_counts),
 * random coefficients, an optional hierarchical closure (every chosen interaction brings its
 * subsets with decaying weights) and optional additive Gaussian noise at a given SNR whose
 * value is a pure function of (seed, explicand, mask). Options and conventions:
 * docs/oracles.md. Evaluation tests only the few bits of each interaction, so n = 100,000
 * costs no more than n = 10. */
#include "synthetic.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>

#include "../core/mask.h"
#include "../core/rng.h"
#include "../core/timer.h"

#define SYN_MAX_DEGREE 64
#define SYN_MAX_HIER_DEGREE 20
#define SYN_MAX_CLOSURE ((size_t)1 << 23)   /* entries a hierarchical closure may create */
#define SYN_MAX_TERMS 10000000LL
#define SYN_EXPAND_LIMIT ((double)(1 << 24)) /* Moebius->Fourier expansion work for Var */
#define SYN_PAIR_LIMIT 1.7e10                /* overlapping-pair work for Var */

/* Stream coordinates: the function and the noise key come from different streams. */
enum { STREAM_FUNCTION = 0x5f11, STREAM_NOISE = 0x401e };

typedef struct {
  spx_transform *truth; /* exact noiseless transform, basis Fourier or Moebius */
  spx_basis basis;
  /* Flattened nonzero entries of truth for fast evaluation. */
  size_t count;
  size_t *off; /* count + 1 offsets into idx */
  uint32_t *idx;
  double *coef;
  /* Evaluation reads the bits of the features in use, in increasing order (a prefetch-
   * friendly sweep over the mask), into a compact mask; cidx are idx renumbered there. */
  size_t nfeat;
  uint32_t *feat; /* sorted distinct features in use */
  uint32_t *cidx;
  int have_variance;
  double variance;
  double noise_sd;
  uint64_t noise_key[4];
  gsl_rng *noise_rng; /* reseeded per mask from a hash of the mask */
  double cost_s;      /* busy wait per mask evaluated (cost_ms), simulating a model */
  int cost_cpu;       /* cost_clock = "cpu": the wait counts this thread's CPU time */
} synth;

static const char *const basis_names[] = {"fourier", "moebius", NULL};
static const char *const dist_names[] = {"uniform", "gaussian", NULL};
static const char *const clock_names[] = {"wall", "cpu", NULL};

/* ---- small helpers ------------------------------------------------------------------------ */

/* C(n, d), saturated at 2^62 (enough to compare with any count we accept). */
static uint64_t binom_sat(uint64_t n, uint64_t d) {
  const uint64_t cap = (uint64_t)1 << 62;
  if (d > n) return 0;
  if (d > n - d) d = n - d;
  unsigned __int128 c = 1;
  for (uint64_t i = 1; i <= d; i++) {
    c = c * (n - d + i) / i; /* exact: c*(n-d+i) = C(n-d+i, i) * i */
    if (c >= cap) return cap;
  }
  return (uint64_t)c;
}

/* ---- exact variance under uniform masks ------------------------------------------------- */

/* Fourier basis (Parseval): Var = sum over nonempty K of F(K)^2. */
static double variance_fourier(const synth *s) {
  double v = 0.0;
  for (size_t e = 0; e < s->count; e++)
    if (s->off[e + 1] > s->off[e]) v += s->coef[e] * s->coef[e];
  return v;
}

/* Moebius basis via the Fourier coefficients: a(S) 1[S ⊆ m] = a(S) 2^-|S| sum_{T ⊆ S}
 * (-1)^|T| (-1)^{|T ∩ m|}, so F(T) = (-1)^|T| sum_{S ⊇ T} a(S) 2^-|S|. */
static int variance_by_expansion(const synth *s, double *out, spx_error *err) {
  spx_transform *f = spx_transform_create(spx_transform_n(s->truth), SPX_BASIS_FOURIER);
  SPX_CHECK_ALLOC(f, err);
  uint32_t sub[SYN_MAX_DEGREE];
  int rc = SPX_OK;
  for (size_t e = 0; e < s->count && rc == SPX_OK; e++) {
    const uint32_t *idx = s->idx + s->off[e];
    uint32_t d = (uint32_t)(s->off[e + 1] - s->off[e]);
    double base = ldexp(s->coef[e], -(int)d);
    for (uint64_t bits = 1; bits < ((uint64_t)1 << d) && rc == SPX_OK; bits++) {
      uint32_t k = 0;
      for (uint32_t j = 0; j < d; j++)
        if (bits >> j & 1) sub[k++] = idx[j];
      rc = spx_transform_add(f, sub, k, (k & 1) ? -base : base, err);
    }
  }
  double v = 0.0;
  size_t size = spx_transform_size(f);
  for (size_t e = 0; e < size && rc == SPX_OK; e++) {
    const uint32_t *idx;
    uint32_t d;
    double c;
    spx_transform_entry(f, e, &idx, &d, &c);
    v += c * c;
  }
  spx_transform_destroy(&f);
  *out = v;
  return rc;
}

typedef struct {
  uint32_t feature;
  uint32_t entry;
} feat_entry;

static int feat_entry_cmp(const void *a, const void *b) {
  const feat_entry *x = a, *y = b;
  if (x->feature != y->feature) return x->feature < y->feature ? -1 : 1;
  return x->entry < y->entry ? -1 : (x->entry > y->entry);
}

/* Moebius basis via covariances of the indicators 1[S ⊆ m]:
 *   Cov(1[S ⊆ m], 1[S' ⊆ m]) = 2^-|S ∪ S'| - 2^-(|S| + |S'|),
 * zero for disjoint S, S'; so only pairs sharing a feature are visited. */
static int variance_by_pairs(const synth *s, double limit, double *out, int *too_costly,
                             spx_error *err) {
  size_t total = s->off[s->count];
  *too_costly = 0;
  feat_entry *fe = malloc((total ? total : 1) * sizeof *fe);
  size_t *stamp = calloc(s->count ? s->count : 1, sizeof *stamp);
  if (fe == NULL || stamp == NULL) {
    free(fe);
    free(stamp);
    return spx_error_set(err, SPX_ENOMEM, "out of memory computing the synthetic variance");
  }
  for (size_t e = 0; e < s->count; e++)
    for (size_t p = s->off[e]; p < s->off[e + 1]; p++)
      fe[p] = (feat_entry){s->idx[p], (uint32_t)e};
  qsort(fe, total, sizeof *fe, feat_entry_cmp);
  /* work estimate: pairs of entries sharing each feature */
  double work = 0.0;
  for (size_t p = 0, q; p < total; p = q) {
    for (q = p; q < total && fe[q].feature == fe[p].feature; q++) continue;
    work += (double)(q - p) * (double)(q - p);
  }
  if (work > limit) {
    *too_costly = 1;
    free(fe);
    free(stamp);
    *out = NAN;
    return SPX_OK;
  }
  double v = 0.0;
  for (size_t i = 0; i < s->count; i++) {
    uint32_t di = (uint32_t)(s->off[i + 1] - s->off[i]);
    const uint32_t *si = s->idx + s->off[i];
    double ai = s->coef[i];
    v += ai * ai * (ldexp(1.0, -(int)di) - ldexp(1.0, -2 * (int)di));
    double cross = 0.0;
    for (uint32_t k = 0; k < di; k++) {
      /* locate the run of feature si[k] by binary search */
      size_t lo = 0, hi = total;
      while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (fe[mid].feature < si[k]) lo = mid + 1;
        else hi = mid;
      }
      for (size_t p = lo; p < total && fe[p].feature == si[k]; p++) {
        size_t j = fe[p].entry;
        if (j <= i || stamp[j] == i + 1) continue;
        stamp[j] = i + 1;
        uint32_t dj = (uint32_t)(s->off[j + 1] - s->off[j]);
        const uint32_t *sj = s->idx + s->off[j];
        uint32_t common = 0;
        for (uint32_t x = 0, y = 0; x < di && y < dj;) {
          if (si[x] == sj[y]) common++, x++, y++;
          else if (si[x] < sj[y]) x++;
          else y++;
        }
        cross += s->coef[j] *
                 (ldexp(1.0, -(int)(di + dj - common)) - ldexp(1.0, -(int)(di + dj)));
      }
    }
    v += 2.0 * ai * cross;
  }
  free(fe);
  free(stamp);
  *out = v;
  return SPX_OK;
}

/* Var_uniform(f) of the noiseless function. *too_costly when neither route is affordable. */
static int compute_variance(synth *s, int *too_costly, spx_error *err) {
  *too_costly = 0;
  if (s->have_variance) return SPX_OK;
  double v;
  int rc = SPX_OK;
  if (s->basis == SPX_BASIS_FOURIER) {
    v = variance_fourier(s);
  } else {
    double expand = 0.0;
    for (size_t e = 0; e < s->count; e++)
      expand += ldexp(1.0, (int)(s->off[e + 1] - s->off[e]));
    if (expand <= SYN_EXPAND_LIMIT)
      rc = variance_by_expansion(s, &v, err);
    else
      rc = variance_by_pairs(s, SYN_PAIR_LIMIT, &v, too_costly, err);
    if (rc || *too_costly) return rc;
  }
  s->variance = v < 0.0 ? 0.0 : v; /* rounding can leave -1e-17 for a constant function */
  s->have_variance = 1;
  return SPX_OK;
}

/* ---- generation ----------------------------------------------------------------------- */

typedef struct {
  uint64_t n;
  long long terms;
  long long max_degree;
  long long counts[SYN_MAX_DEGREE + 1]; /* counts[d]; all zero when max_degree is used */
  int use_counts;
  int basis;
  int gaussian;
  double lo, hi;
  double constant;
  int hierarchical;
  double decay;
  int has_snr;
  double snr_db;
  uint64_t seed;
  double cost_ms;
  int cost_cpu;
} synth_params;

/* Every key, declared once (defaults shown by `spex-bench --help synthetic`; docs/oracles.md).
 * Defaults that depend on other keys, the lists and the combinations are checked in
 * read_params. */
static const spx_option_decl synth_rows[] = {
    {"n", SPX_DECL_INT, NULL, 1, 4294967295.0, NULL, "features; required", NULL},
    {"degree_counts", SPX_DECL_INT_LIST, NULL, SPX_NOMIN, SPX_NOMAX, NULL,
     "[c1, c2, ...]: exactly c_d >= 0 interactions of degree d (instead of max_degree)", NULL},
    {"max_degree", SPX_DECL_INT, NULL, 1, SYN_MAX_DEGREE, NULL,
     "degrees uniform in 1..max_degree (default min(n, 3)); not with degree_counts", NULL},
    {"terms", SPX_DECL_INT, NULL, 0, (double)SYN_MAX_TERMS, NULL,
     "interactions; required unless degree_counts is given (then their sum)", NULL},
    {"basis", SPX_DECL_CHOICE, "fourier", 0, 0, basis_names, "basis of the sparse function",
     NULL},
    {"distribution", SPX_DECL_CHOICE, "uniform", 0, 0, dist_names,
     "coefficients: random sign times U[magnitude], or standard normal", NULL},
    {"magnitude", SPX_DECL_FLOAT_LIST, "[0.5, 1]", SPX_NOMIN, SPX_NOMAX, NULL,
     "[lo, hi], 0 <= lo <= hi, hi > 0: range of |coefficient| (uniform distribution only)", NULL},
    {"constant", SPX_DECL_FLOAT, "0", SPX_NOMIN, SPX_NOMAX, NULL, "the empty interaction's value",
     NULL},
    {"hierarchical", SPX_DECL_BOOL, "false", 0, 0, NULL,
     "every interaction brings its subsets, weighted decay^(levels down)", NULL},
    {"decay", SPX_DECL_FLOAT, "0.5", SPX_NOMIN, SPX_NOMAX, NULL,
     "in (0, 1]: weight per level of the hierarchical closure (hierarchical only)", NULL},
    {"snr_db", SPX_DECL_FLOAT, NULL, -300, 300, NULL,
     "additive Gaussian noise at this SNR (dB) over uniform masks; absent: noiseless", NULL},
    {"seed", SPX_DECL_INT, "0", 0, 9223372036854775807.0, NULL, "the functions and the noise",
     NULL},
    {"cost_ms", SPX_DECL_FLOAT, "0", 0, 60000, NULL,
     "busy wait per mask evaluated (simulates a model's cost)", NULL},
    {"cost_clock", SPX_DECL_CHOICE, "wall", 0, 0, clock_names,
     "clock of cost_ms: wall time, or this thread's CPU time", NULL},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};

static int read_params(spx_options *opts, synth_params *p, spx_error *err) {
  memset(p, 0, sizeof *p);
  long long v;
  int rc;
  if (!spx_options_has(opts, "n"))
    return spx_options_fail(opts, "n", SPX_EINVAL, err,
                            "required: the number of features (an integer >= 1)");
  if ((rc = spx_opt_int(opts, "n", &v, err))) return rc;
  p->n = (uint64_t)v;

  /* degree_counts or max_degree */
  long long dc[SYN_MAX_DEGREE];
  size_t ndc = 0;
  int has_counts = spx_options_has(opts, "degree_counts");
  int has_maxdeg = spx_options_has(opts, "max_degree");
  if ((rc = spx_opt_int_list(opts, "degree_counts", dc, SYN_MAX_DEGREE, &ndc, err))) return rc;
  if (has_counts && has_maxdeg)
    return spx_options_fail(opts, "degree_counts", SPX_EINVAL, err,
                            "give either degree_counts or max_degree, not both");
  long long sum = 0;
  if (has_counts) {
    p->use_counts = 1;
    if (ndc == 0)
      return spx_options_fail(opts, "degree_counts", SPX_EINVAL, err,
                              "empty array: give c1, c2, ... (c_d interactions of degree d)");
    for (size_t d = 1; d <= ndc; d++) {
      long long c = dc[d - 1];
      if (c < 0)
        return spx_options_fail(opts, "degree_counts", SPX_EINVAL, err,
                                "count %lld for degree %zu is negative", c, d);
      uint64_t cap = binom_sat(p->n, d);
      if ((uint64_t)c > cap)
        return spx_options_fail(opts, "degree_counts", SPX_ERANGE, err,
                                "%lld interactions of degree %zu asked for, but n = %llu has "
                                "only %llu distinct ones",
                                c, d, (unsigned long long)p->n, (unsigned long long)cap);
      p->counts[d] = c;
      sum += c;
      if (sum > SYN_MAX_TERMS)
        return spx_options_fail(opts, "degree_counts", SPX_ERANGE, err,
                                "%lld interactions in all is more than the limit %lld", sum,
                                SYN_MAX_TERMS);
      if (c > 0) p->max_degree = (long long)d;
    }
  } else {
    if ((rc = spx_opt_int(opts, "max_degree", &p->max_degree, err))) return rc;
    if (!has_maxdeg) p->max_degree = p->n < 3 ? (long long)p->n : 3;
    if ((uint64_t)p->max_degree > p->n)
      return spx_options_fail(opts, "max_degree", SPX_ERANGE, err,
                              "%lld is larger than n = %llu", p->max_degree,
                              (unsigned long long)p->n);
  }

  /* terms */
  int has_terms = spx_options_has(opts, "terms");
  if (!has_terms && !p->use_counts)
    return spx_options_fail(opts, "terms", SPX_EINVAL, err,
                            "required: the number of interactions (or give degree_counts)");
  if ((rc = spx_opt_int(opts, "terms", &p->terms, err))) return rc;
  if (p->use_counts) {
    if (!has_terms) p->terms = sum;
    if (p->terms != sum)
      return spx_options_fail(opts, "terms", SPX_EINVAL, err,
                              "%lld does not match the %lld interactions of degree_counts "
                              "(leave terms out)",
                              p->terms, sum);
  } else {
    uint64_t avail = 0;
    for (long long d = 1; d <= p->max_degree; d++) {
      avail += binom_sat(p->n, (uint64_t)d);
      if (avail > ((uint64_t)1 << 62)) avail = (uint64_t)1 << 62;
    }
    if ((uint64_t)p->terms > avail)
      return spx_options_fail(opts, "terms", SPX_ERANGE, err,
                              "%lld distinct interactions asked for, but n = %llu has only %llu "
                              "of degree 1..%lld",
                              p->terms, (unsigned long long)p->n, (unsigned long long)avail,
                              p->max_degree);
  }

  if ((rc = spx_opt_choice(opts, "basis", &p->basis, err))) return rc;

  /* coefficient law */
  int dist;
  if ((rc = spx_opt_choice(opts, "distribution", &dist, err))) return rc;
  p->gaussian = dist == 1;
  double mag[2];
  size_t nmag = 0;
  int has_mag = spx_options_has(opts, "magnitude");
  if ((rc = spx_opt_double_list(opts, "magnitude", mag, 2, &nmag, err))) return rc;
  if (has_mag && p->gaussian)
    return spx_options_fail(opts, "magnitude", SPX_EINVAL, err,
                            "not used with distribution = \"gaussian\" (standard normal "
                            "coefficients); remove one of the two");
  if (nmag != 2)
    return spx_options_fail(opts, "magnitude", SPX_EINVAL, err,
                            "expected two numbers [lo, hi], got %zu", nmag);
  if (!(mag[0] >= 0.0) || !(mag[0] <= mag[1]) || !(mag[1] > 0.0))
    return spx_options_fail(opts, "magnitude", SPX_ERANGE, err,
                            "[%g, %g] is not a range with 0 <= lo <= hi and hi > 0", mag[0],
                            mag[1]);
  p->lo = mag[0];
  p->hi = mag[1];

  if ((rc = spx_opt_double(opts, "constant", &p->constant, err))) return rc;

  if ((rc = spx_opt_bool(opts, "hierarchical", &p->hierarchical, err))) return rc;
  int has_decay = spx_options_has(opts, "decay");
  if ((rc = spx_opt_double(opts, "decay", &p->decay, err))) return rc;
  if (has_decay && !p->hierarchical)
    return spx_options_fail(opts, "decay", SPX_EINVAL, err,
                            "only used with hierarchical = true");
  if (!(p->decay > 0.0 && p->decay <= 1.0))
    return spx_options_fail(opts, "decay", SPX_ERANGE, err, "%g is not in (0, 1]", p->decay);
  if (p->hierarchical && p->max_degree > SYN_MAX_HIER_DEGREE)
    return spx_options_fail(opts, "hierarchical", SPX_ERANGE, err,
                            "interactions of degree %lld would bring 2^%lld subsets each; "
                            "hierarchical functions allow degree <= %d",
                            p->max_degree, p->max_degree, SYN_MAX_HIER_DEGREE);

  p->has_snr = spx_options_has(opts, "snr_db");
  if ((rc = spx_opt_double(opts, "snr_db", &p->snr_db, err))) return rc;

  if ((rc = spx_opt_int(opts, "seed", &v, err))) return rc;
  p->seed = (uint64_t)v;
  if ((rc = spx_opt_double(opts, "cost_ms", &p->cost_ms, err)) ||
      (rc = spx_opt_choice(opts, "cost_clock", &p->cost_cpu, err)))
    return rc;
  return SPX_OK;
}

/* Draw d distinct features in [0, n), sorted. */
static void draw_interaction(gsl_rng *r, uint64_t n, uint32_t d, uint32_t *out) {
  uint32_t k = 0;
  while (k < d) {
    uint32_t f = (uint32_t)(n <= UINT32_MAX ? gsl_rng_uniform_int(r, (unsigned long)n) : 0);
    int dup = 0;
    for (uint32_t j = 0; j < k && !dup; j++) dup = out[j] == f;
    if (!dup) out[k++] = f;
  }
  /* insertion sort: d <= 64 */
  for (uint32_t i = 1; i < d; i++) {
    uint32_t x = out[i], j = i;
    while (j > 0 && out[j - 1] > x) {
      out[j] = out[j - 1];
      j--;
    }
    out[j] = x;
  }
}

static double draw_coefficient(gsl_rng *r, const synth_params *p) {
  if (p->gaussian) return gsl_ran_gaussian(r, 1.0);
  double sign = gsl_rng_uniform(r) < 0.5 ? -1.0 : 1.0;
  return sign * (p->lo + (p->hi - p->lo) * gsl_rng_uniform(r));
}

/* Add S (coefficient c) and, if hierarchical, its nonempty proper subsets to t. */
static int add_with_closure(spx_transform *t, const synth_params *p, const uint32_t *S,
                            uint32_t d, double c, spx_error *err) {
  if (!p->hierarchical) return spx_transform_add(t, S, d, c, err);
  uint32_t sub[SYN_MAX_HIER_DEGREE];
  for (uint64_t bits = 1; bits < ((uint64_t)1 << d); bits++) {
    uint32_t k = 0;
    for (uint32_t j = 0; j < d; j++)
      if (bits >> j & 1) sub[k++] = S[j];
    int rc = spx_transform_add(t, sub, k, c * pow(p->decay, (double)(d - k)), err);
    if (rc) return rc;
  }
  return SPX_OK;
}

static int generate(const synth_params *p, size_t explicand, spx_transform *truth,
                    spx_options *opts, spx_error *err) {
  gsl_rng *r = spx_rng_stream(p->seed, explicand, STREAM_FUNCTION, 0, 0);
  SPX_CHECK_ALLOC(r, err);
  spx_transform *chosen = spx_transform_create((uint32_t)p->n, SPX_BASIS_INDEX);
  uint32_t *degs = malloc((p->terms ? (size_t)p->terms : 1) * sizeof *degs);
  uint32_t **sets = calloc(p->terms ? (size_t)p->terms : 1, sizeof *sets);
  double *coefs = malloc((p->terms ? (size_t)p->terms : 1) * sizeof *coefs);
  int rc = SPX_OK;
  if (chosen == NULL || degs == NULL || sets == NULL || coefs == NULL)
    rc = spx_error_set(err, SPX_ENOMEM, "out of memory generating a synthetic function");

  /* Degrees: exactly counts[d] of degree d, or uniform over the degrees not yet exhausted. */
  uint64_t cap[SYN_MAX_DEGREE + 1] = {0}, used[SYN_MAX_DEGREE + 1] = {0};
  for (long long d = 1; d <= p->max_degree; d++) cap[d] = binom_sat(p->n, (uint64_t)d);
  long long t = 0;
  if (rc == SPX_OK && p->use_counts) {
    for (long long d = 1; d <= p->max_degree; d++)
      for (long long c = 0; c < p->counts[d]; c++) degs[t++] = (uint32_t)d;
  }
  size_t closure = 0;
  for (t = 0; rc == SPX_OK && t < p->terms; t++) {
    if (!p->use_counts) {
      unsigned long open_degrees = 0;
      for (long long d = 1; d <= p->max_degree; d++) open_degrees += used[d] < cap[d];
      unsigned long pick = gsl_rng_uniform_int(r, open_degrees);
      for (long long d = 1; d <= p->max_degree; d++)
        if (used[d] < cap[d] && pick-- == 0) {
          degs[t] = (uint32_t)d;
          break;
        }
    }
    uint32_t d = degs[t];
    used[d]++;
    uint32_t S[SYN_MAX_DEGREE];
    int found = 1;
    while (found) {
      draw_interaction(r, p->n, d, S);
      spx_transform_get(chosen, S, d, &found);
    }
    rc = spx_transform_set(chosen, S, d, 1.0, err);
    if (rc) break;
    sets[t] = malloc(d * sizeof *S);
    if (sets[t] == NULL) {
      rc = spx_error_set(err, SPX_ENOMEM, "out of memory generating a synthetic function");
      break;
    }
    memcpy(sets[t], S, d * sizeof *S);
    coefs[t] = draw_coefficient(r, p);
    if (p->hierarchical) {
      closure += ((size_t)1 << d) - 1;
      if (closure > SYN_MAX_CLOSURE)
        rc = spx_options_fail(opts, "hierarchical", SPX_ERANGE, err,
                              "the closure of %lld interactions would hold more than %zu "
                              "subsets; lower terms or the degrees",
                              p->terms, SYN_MAX_CLOSURE);
    }
  }
  const uint32_t none = 0; /* the empty interaction (degree 0) */
  if (rc == SPX_OK && p->constant != 0.0) rc = spx_transform_add(truth, &none, 0, p->constant, err);
  for (t = 0; rc == SPX_OK && t < p->terms; t++)
    rc = add_with_closure(truth, p, sets[t], degs[t], coefs[t], err);

  if (sets)
    for (t = 0; t < p->terms; t++) free(sets[t]);
  free(sets);
  free(degs);
  free(coefs);
  spx_transform_destroy(&chosen);
  gsl_rng_free(r);
  return rc;
}

static int u32_cmp(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* Flatten the nonzero entries of s->truth for evaluation. */
static int flatten(synth *s, spx_error *err) {
  size_t size = spx_transform_size(s->truth), total = 0, count = 0;
  for (size_t e = 0; e < size; e++) {
    const uint32_t *idx;
    uint32_t d;
    double c;
    spx_transform_entry(s->truth, e, &idx, &d, &c);
    if (c != 0.0) total += d, count++;
  }
  s->off = malloc((count + 1) * sizeof *s->off);
  s->idx = malloc((total ? total : 1) * sizeof *s->idx);
  s->coef = malloc((count ? count : 1) * sizeof *s->coef);
  if (s->off == NULL || s->idx == NULL || s->coef == NULL)
    return spx_error_set(err, SPX_ENOMEM, "out of memory flattening a synthetic function");
  s->off[0] = 0;
  for (size_t e = 0; e < size; e++) {
    const uint32_t *idx;
    uint32_t d;
    double c;
    spx_transform_entry(s->truth, e, &idx, &d, &c);
    if (c == 0.0) continue;
    if (d > 0) memcpy(s->idx + s->off[s->count], idx, d * sizeof *idx);
    s->coef[s->count] = c;
    s->off[s->count + 1] = s->off[s->count] + d;
    s->count++;
  }
  /* distinct features in use, and the compact numbering */
  s->feat = malloc((total ? total : 1) * sizeof *s->feat);
  s->cidx = malloc((total ? total : 1) * sizeof *s->cidx);
  if (s->feat == NULL || s->cidx == NULL)
    return spx_error_set(err, SPX_ENOMEM, "out of memory flattening a synthetic function");
  if (total) memcpy(s->feat, s->idx, total * sizeof *s->feat);
  qsort(s->feat, total, sizeof *s->feat, u32_cmp);
  for (size_t i = 0; i < total; i++)
    if (s->nfeat == 0 || s->feat[s->nfeat - 1] != s->feat[i]) s->feat[s->nfeat++] = s->feat[i];
  for (size_t p = 0; p < total; p++) {
    size_t lo = 0, hi = s->nfeat;
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (s->feat[mid] < s->idx[p]) lo = mid + 1;
      else hi = mid;
    }
    s->cidx[p] = (uint32_t)lo;
  }
  return SPX_OK;
}

static void synth_free(synth *s) {
  if (s == NULL) return;
  spx_transform_destroy(&s->truth);
  free(s->off);
  free(s->idx);
  free(s->coef);
  free(s->feat);
  free(s->cidx);
  if (s->noise_rng) gsl_rng_free(s->noise_rng);
  free(s);
}

/* ---- oracle table ------------------------------------------------------------------------ */

static int synth_open(spx_oracle *o, spx_options *opts, size_t explicand, spx_error *err) {
  synth_params p;
  int rc = read_params(opts, &p, err);
  if (rc) return rc;
  synth *s = calloc(1, sizeof *s);
  SPX_CHECK_ALLOC(s, err);
  s->basis = p.basis == 1 ? SPX_BASIS_MOEBIUS : SPX_BASIS_FOURIER;
  s->truth = spx_transform_create((uint32_t)p.n, s->basis);
  if (s->truth == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  if (rc == SPX_OK) rc = generate(&p, explicand, s->truth, opts, err);
  if (rc == SPX_OK) rc = flatten(s, err);
  if (rc == SPX_OK && p.has_snr) {
    int too_costly = 0;
    rc = compute_variance(s, &too_costly, err);
    if (rc == SPX_OK && too_costly)
      rc = spx_options_fail(opts, "snr_db", SPX_ERANGE, err,
                            "the exact variance of this Moebius function (%zu interactions of "
                            "degree up to %lld) is too costly to compute; lower the degrees",
                            s->count, p.max_degree);
    if (rc == SPX_OK) {
      s->noise_sd = sqrt(s->variance / pow(10.0, p.snr_db / 10.0));
      gsl_rng *k = spx_rng_stream(p.seed, explicand, STREAM_NOISE, 0, 0);
      s->noise_rng = gsl_rng_alloc(spx_rng_pcg64());
      if (k == NULL || s->noise_rng == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
      for (int i = 0; rc == SPX_OK && i < 4; i++) s->noise_key[i] = spx_rng_u64(k);
      if (k) gsl_rng_free(k);
    }
  }
  if (rc) {
    synth_free(s);
    return rc;
  }
  s->cost_s = p.cost_ms * 1e-3;
  s->cost_cpu = p.cost_cpu;
  o->state = s;
  o->n = (size_t)p.n;
  o->concurrent = 1;
  char desc[256];
  snprintf(desc, sizeof desc, "synthetic %s function #%zu (seed %llu): %lld interactions%s, n = %llu",
           basis_names[p.basis], explicand, (unsigned long long)p.seed, p.terms,
           p.hierarchical ? " with hierarchical closure" : "", (unsigned long long)p.n);
  return spx_oracle_set_explicand(o, desc, err);
}

static int synth_explicands(spx_options *opts, size_t *count, spx_error *err) {
  (void)opts;
  (void)err;
  *count = (size_t)1 << 48; /* any explicand number gives its own function */
  return SPX_OK;
}

/* Noise value for one mask: a Gaussian drawn from a generator seeded by a hash of the mask
 * words and the (seed, explicand) key, so it does not depend on batching or ranks. */
static double noise_for(synth *s, const uint64_t *m, size_t words) {
  uint64_t h[2];
  spx_mask_hash128(m, words, s->noise_key[0], s->noise_key[1], h);
  spx_rng_pcg64_seed(s->noise_rng, h[0], h[1], s->noise_key[2], s->noise_key[3]);
  return gsl_ran_gaussian_ziggurat(s->noise_rng, s->noise_sd);
}

/* Simulated model cost: spin (never sleep), so the core is busy as with a real model, until
 * `seconds` have passed on the monotonic clock (wall) or on this thread's CPU clock (cpu:
 * time the thread is descheduled does not count, as for a compute-bound model sharing cores). */
static void spin(int cpu, double seconds) {
  if (!cpu) {
    double until = spx_time_now() + seconds;
    while (spx_time_now() < until) {
    }
    return;
  }
  struct timespec t0, t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
  do {
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  } while ((double)(t.tv_sec - t0.tv_sec) + 1e-9 * (double)(t.tv_nsec - t0.tv_nsec) < seconds);
}

static int synth_eval(spx_oracle *o, const spx_maskset *masks, size_t first, size_t count,
                      double *out, spx_error *err) {
  synth *s = o->state;
  const int fourier = s->basis == SPX_BASIS_FOURIER;
  size_t cwords = s->nfeat / 64 + 1;
  uint64_t *c = malloc(cwords * sizeof *c);
  SPX_CHECK_ALLOC(c, err);
  for (size_t r = 0; r < count; r++) {
    const uint64_t *m = spx_maskset_row(masks, first + r);
    memset(c, 0, cwords * sizeof *c);
    for (size_t f = 0; f < s->nfeat; f++)
      c[f >> 6] |= ((m[s->feat[f] >> 6] >> (s->feat[f] & 63)) & 1) << (f & 63);
    double y = 0.0;
    for (size_t e = 0; e < s->count; e++) {
      const uint32_t *idx = s->cidx + s->off[e];
      size_t d = s->off[e + 1] - s->off[e];
      if (fourier) {
        uint64_t par = 0;
        for (size_t j = 0; j < d; j++) par ^= c[idx[j] >> 6] >> (idx[j] & 63);
        y += (double)(1 - 2 * (int)(par & 1)) * s->coef[e];
      } else {
        uint64_t all = 1;
        for (size_t j = 0; j < d; j++) all &= c[idx[j] >> 6] >> (idx[j] & 63);
        y += (double)(all & 1) * s->coef[e];
      }
    }
    if (s->noise_sd > 0.0) y += noise_for(s, m, masks->words);
    out[r] = y;
  }
  free(c);
  if (s->cost_s > 0.0) spin(s->cost_cpu, s->cost_s * (double)count);
  return SPX_OK;
}

static const spx_transform *synth_truth(const spx_oracle *o) {
  return ((const synth *)o->state)->truth;
}

static void synth_close(spx_oracle *o) {
  synth_free(o->state);
  o->state = NULL;
}

const spx_oracle_type spx_oracle_synthetic = {
    .name = "synthetic",
    .summary = "random sparse Fourier or Moebius function with known truth (optional noise)",
    .open = synth_open,
    .explicands = synth_explicands,
    .eval = synth_eval,
    .truth = synth_truth,
    .close = synth_close,
    .options = synth_rows,
};

double spx_synthetic_variance(spx_oracle *o) {
  while (o && o->type != &spx_oracle_synthetic) o = o->inner;
  if (o == NULL || o->state == NULL) return NAN;
  synth *s = o->state;
  int too_costly = 0;
  if (compute_variance(s, &too_costly, NULL) || too_costly) return NAN;
  return s->variance;
}

double spx_synthetic_noise_sd(const spx_oracle *o) {
  while (o && o->type != &spx_oracle_synthetic) o = o->inner;
  if (o == NULL || o->state == NULL) return NAN;
  return ((const synth *)o->state)->noise_sd;
}
