/* exact.c: the exhaustive "exact" method. It asks for all 2^n masks (mask i = the binary
 * representation of i, bit j = feature j kept), in rounds of at most 2^16 masks so the mask
 * sets stay small, keeps the 2^n values, and returns the exact Moebius transform (in-place
 * fast subset-sum inversion) or the exact Fourier transform (fast Walsh-Hadamard transform
 * divided by 2^n). Used as ground truth at small n.
 *
 * Options: max_n (default 20, at most 26), basis = "moebius" | "fourier" (default moebius),
 * tolerance (drop |coefficient| <= tolerance; default 0 keeps every nonzero; the empty set is
 * always kept). Budget 0 means unlimited; a nonzero budget below 2^n makes it inapplicable. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/wht.h"
#include "method.h"

enum {
  EXACT_HARD_MAX_N = 26,    /* 2^26 doubles = 512 MiB of values */
  EXACT_ROUND_LOG2 = 16,    /* at most 2^16 masks per round */
  EXACT_WHT_MAX_LOG2 = 24   /* largest size spx_wht plans */
};

static const char *const exact_bases[] = {"moebius", "fourier", NULL};
static const spx_option_decl exact_rows[] = {
    {"max_n", SPX_DECL_INT, "20", 0, 26, NULL,
     "largest n to enumerate (2^n values in memory; at most 26)", NULL},
    {"basis", SPX_DECL_CHOICE, "moebius", 0, 0, exact_bases, "basis of the transform", NULL},
    {"tolerance", SPX_DECL_FLOAT, "0", 0, SPX_NOMAX, NULL,
     "coefficients with |value| <= tolerance are dropped", NULL},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};

typedef struct {
  size_t n;
  size_t total;        /* 2^n */
  int fourier;         /* basis choice: 0 Moebius, 1 Fourier */
  double tolerance;
  double *values;      /* 2^n values, then the coefficients in place */
  size_t next;         /* first mask not yet handed out */
  size_t received;     /* values received so far */
  spx_maskset *round;  /* the masks of the current round */
  spx_wht_plan *plan;  /* Fourier only, for min(n, 24) bits */
} exact_state;

typedef struct {
  long long max_n;
  int fourier; /* basis: 0 Moebius, 1 Fourier */
  double tolerance;
} exact_cfg;

static int exact_configure(size_t n, spx_options *opts, void *cfg, spx_error *err) {
  (void)n;
  exact_cfg *c = cfg;
  int basis = 0;
  int rc = spx_opt_int(opts, "max_n", &c->max_n, err);
  if (rc == SPX_OK) rc = spx_opt_choice(opts, "basis", &basis, err);
  if (rc == SPX_OK) rc = spx_opt_double(opts, "tolerance", &c->tolerance, err);
  c->fourier = basis == 1;
  return rc;
}

static int exact_applicable(size_t n, size_t budget, const void *cfg, char *why,
                            size_t whylen) {
  const exact_cfg *c = cfg;
  if (n > EXACT_HARD_MAX_N) {
    snprintf(why, whylen,
             "n = %zu is above the hard limit of %d features (all 2^n values are held in "
             "memory)",
             n, EXACT_HARD_MAX_N);
    return 0;
  }
  if ((long long)n > c->max_n) {
    snprintf(why, whylen, "n = %zu is above max_n = %lld (raise max_n, at most %d, to enumerate "
             "all 2^%zu masks)", n, c->max_n, EXACT_HARD_MAX_N, n);
    return 0;
  }
  size_t total = (size_t)1 << n;
  if (budget != 0 && budget < total) {
    snprintf(why, whylen, "budget %zu is below the 2^%zu = %zu masks of exhaustive enumeration",
             budget, n, total);
    return 0;
  }
  return 1;
}

static void exact_destroy(void *state) {
  exact_state *s = state;
  if (s == NULL) return;
  free(s->values);
  spx_maskset_destroy(&s->round);
  spx_wht_plan_destroy(&s->plan);
  free(s);
}

static int exact_begin(size_t n, size_t budget, const void *cfg, gsl_rng *rng, void **state,
                       spx_error *err) {
  (void)rng; /* deterministic */
  *state = NULL;
  const exact_cfg *c = cfg;
  char why[256];
  if (!exact_applicable(n, budget, cfg, why, sizeof why))
    return spx_error_set(err, SPX_ENOTAPPLICABLE, "%s", why);

  exact_state *s = calloc(1, sizeof *s);
  SPX_CHECK_ALLOC(s, err);
  s->n = n;
  s->total = (size_t)1 << n;
  s->fourier = c->fourier;
  s->tolerance = c->tolerance;
  s->values = malloc(s->total * sizeof *s->values);
  size_t per_round = s->total < ((size_t)1 << EXACT_ROUND_LOG2) ? s->total
                                                                : (size_t)1 << EXACT_ROUND_LOG2;
  s->round = spx_maskset_create(n, per_round);
  if (s->values == NULL || s->round == NULL) {
    exact_destroy(s);
    return spx_error_set(err, SPX_ENOMEM, "out of memory for the 2^%zu values of n = %zu", n, n);
  }
  if (s->fourier && n > 0) {
    unsigned lg = n < EXACT_WHT_MAX_LOG2 ? (unsigned)n : EXACT_WHT_MAX_LOG2;
    s->plan = spx_wht_plan_create(lg, err);
    if (s->plan == NULL) {
      exact_destroy(s);
      return err ? err->code : SPX_ENOMEM;
    }
  }
  *state = s;
  return SPX_OK;
}

static int exact_step(void *state, const double *values, const spx_maskset **next, int *done,
                      spx_error *err) {
  exact_state *s = state;
  *next = NULL;
  *done = 0;
  if (values != NULL) { /* the answers to the round handed out last */
    size_t count = s->round->count;
    for (size_t i = 0; i < count; i++) {
      if (!isfinite(values[i]))
        return spx_error_set(err, SPX_EINVAL, "the value of mask %zu (of 2^%zu) is %g",
                             s->received + i, s->n, values[i]);
      s->values[s->received + i] = values[i];
    }
    s->received += count;
  }
  if (s->received != s->next)
    return spx_error_set(err, SPX_EINTERNAL, "step called without the last round's values");
  if (s->next == s->total) {
    *done = 1;
    return SPX_OK;
  }
  size_t count = s->total - s->next;
  if (count > ((size_t)1 << EXACT_ROUND_LOG2)) count = (size_t)1 << EXACT_ROUND_LOG2;
  int rc = spx_maskset_resize(s->round, count, err);
  if (rc) return rc;
  for (size_t i = 0; i < count && s->round->words > 0; i++)
    spx_maskset_row(s->round, i)[0] = (uint64_t)(s->next + i); /* n <= 26 < 64: one word */
  s->next += count;
  *next = s->round;
  return SPX_OK;
}

/* One differencing pass for feature bit h (x[j + h] -= x[j]), and two fused passes for the
 * bits h and 2h (the same operations in the same order, one sweep over memory). */
static void moebius_pass(double *restrict x, size_t len, size_t h) {
  for (size_t i = 0; i < len; i += 2 * h)
    for (size_t j = i; j < i + h; j++) x[j + h] -= x[j];
}

static void moebius_pass2(double *restrict x, size_t len, size_t h) {
  for (size_t i = 0; i < len; i += 4 * h)
    for (size_t j = i; j < i + h; j++) {
      double a = x[j], b = x[j + h] - a, c = x[j + 2 * h] - a, d = x[j + 3 * h] - x[j + 2 * h];
      x[j + h] = b;
      x[j + 2 * h] = c;
      x[j + 3 * h] = d - b;
    }
}

/* a(S) = sum_{T ⊆ S} (-1)^{|S \ T|} f(T), in place: one differencing pass per feature. The
 * low 13 bits are done block by block (64 KiB blocks stay in cache), the rest two at a time;
 * about twice as fast as n plain passes at n = 25. */
static void moebius_inplace(double *x, size_t n) {
  size_t total = (size_t)1 << n, block = (size_t)1 << (n < 13 ? n : 13);
  for (size_t b = 0; b < total; b += block)
    for (size_t h = 1; h < block; h <<= 1) moebius_pass(x + b, block, h);
  size_t h = block;
  for (; 4 * h <= total; h *= 4) moebius_pass2(x, total, h);
  if (h < total) moebius_pass(x, total, h);
}

/* F(K) = 2^-n sum_m f(m) (-1)^{|K ∩ m|}: WHT of 2^min(n,24) blocks, butterflies across the
 * remaining high bits, then the scaling. */
static void fourier_inplace(double *x, size_t n, const spx_wht_plan *plan) {
  size_t total = (size_t)1 << n;
  if (n == 0) return;
  size_t block = (size_t)1 << spx_wht_plan_log2n(plan);
  for (size_t b = 0; b < total; b += block) spx_wht_execute(plan, x + b);
  for (size_t h = block; h < total; h <<= 1)
    for (size_t i = 0; i < total; i += 2 * h)
      for (size_t j = i; j < i + h; j++) {
        double a = x[j], c = x[j + h];
        x[j] = a + c;
        x[j + h] = a - c;
      }
  double scale = ldexp(1.0, -(int)n); /* exact */
  for (size_t i = 0; i < total; i++) x[i] *= scale;
}

static int exact_finish(void *state, spx_transform **out, spx_error *err) {
  exact_state *s = state;
  *out = NULL;
  if (s->received != s->total)
    return spx_error_set(err, SPX_EINTERNAL, "finish after %zu of %zu values",
                         s->received, s->total);
  if (s->fourier)
    fourier_inplace(s->values, s->n, s->plan);
  else
    moebius_inplace(s->values, s->n);
  spx_transform *t =
      spx_transform_create((uint32_t)s->n, s->fourier ? SPX_BASIS_FOURIER : SPX_BASIS_MOEBIUS);
  SPX_CHECK_ALLOC(t, err);
  uint32_t idx[EXACT_HARD_MAX_N];
  for (size_t i = 0; i < s->total; i++) {
    double v = s->values[i];
    if (i != 0 && !(fabs(v) > s->tolerance)) continue;
    uint32_t deg = 0;
    for (uint64_t b = i; b; b &= b - 1) idx[deg++] = (uint32_t)__builtin_ctzll(b);
    int rc = spx_transform_set(t, idx, deg, v, err);
    if (rc) {
      spx_transform_destroy(&t);
      return rc;
    }
  }
  *out = t;
  return SPX_OK;
}

const spx_method_type spx_method_exact = {
    .name = "exact",
    .summary = "exhaustive: all 2^n masks, exact Moebius or Fourier transform (n <= max_n)",
    .options = exact_rows,
    .cfg_size = sizeof(exact_cfg),
    .configure = exact_configure,
    .applicable = exact_applicable,
    .begin = exact_begin,
    .step = exact_step,
    .finish = exact_finish,
    .destroy = exact_destroy,
};
