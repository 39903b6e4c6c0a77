/* spex_internal.h: the pieces of SPEX (Kang et al., 2025) shared by its source files:
 * GF(2^m) arithmetic, the shortened binary BCH code that labels the delays, the query design
 * (subsampling matrices, delay rows, masks), the peeling decoder and the optional refit.
 * Not a public API: only src/methods/spex/ and its tests include it. docs/spex.md describes
 * the conventions (field polynomials, delay matrix layout, thresholds). */
#ifndef SPX_SPEX_INTERNAL_H
#define SPX_SPEX_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "../../core/error.h"
#include "../../core/jobs.h"
#include "../../core/transform.h"
#include "spex.h"

/* ---- GF(2^m) (gf2m.c) ------------------------------------------------------------------- */

#define SPX_GF_MMIN SPX_BCH_MMIN
#define SPX_GF_MMAX SPX_BCH_MMAX

/* Elements are integers in [0, 2^m): bit i is the coefficient of x^i in the polynomial basis
 * modulo the primitive polynomial of spx_gf_primitive_poly(m); alpha = x. */
typedef struct spx_gf {
  unsigned m;
  uint32_t order; /* 2^m - 1 */
  uint32_t poly;  /* primitive polynomial, bit i = coefficient of x^i (bit m set) */
  uint32_t *exp;  /* exp[i] = alpha^i for 0 <= i < 2 * order */
  uint32_t *log;  /* log[a] for 1 <= a <= order (log[0] unused) */
} spx_gf;

/* The fixed primitive polynomial used for GF(2^m), SPX_GF_MMIN <= m <= SPX_GF_MMAX, else 0. */
uint32_t spx_gf_primitive_poly(unsigned m);
spx_gf *spx_gf_create(unsigned m, spx_error *err);
void spx_gf_destroy(spx_gf **gf);

static inline uint32_t spx_gf_mul(const spx_gf *f, uint32_t a, uint32_t b) {
  return (a && b) ? f->exp[f->log[a] + f->log[b]] : 0u;
}
static inline uint32_t spx_gf_inv(const spx_gf *f, uint32_t a) { /* a != 0 */
  return f->exp[(f->order - f->log[a]) % f->order];
}

/* Largest polynomial degree handled by the root finder (error locators have degree <= t). */
#define SPX_GF_POLY_MAX 16

/* Roots of poly[0..deg] (poly[deg] != 0, 1 <= deg <= SPX_GF_POLY_MAX) when it splits into
 * distinct linear factors over GF(2^m): returns deg and writes the roots (any order);
 * returns -1 when it does not split that way (repeated roots or irreducible factors). */
int spx_gf_poly_roots(const spx_gf *f, const uint32_t *poly, unsigned deg, uint32_t *roots);

/* ---- shortened binary BCH code (bch.c) -------------------------------------------------- */

#define SPX_BCH_PWORDS 4 /* parity vectors hold up to 256 bits */
#define SPX_BCH_PMAX (64 * SPX_BCH_PWORDS)
#define SPX_CHASE_MAX 32 /* largest Chase depth (least reliable positions considered) */

typedef struct spx_parity {
  uint64_t w[SPX_BCH_PWORDS];
} spx_parity;

static inline int spx_parity_bit(const spx_parity *v, unsigned r) {
  return (int)((v->w[r >> 6] >> (r & 63)) & 1u);
}
static inline void spx_parity_xor(spx_parity *a, const spx_parity *b) {
  for (int i = 0; i < SPX_BCH_PWORDS; i++) a->w[i] ^= b->w[i];
}

/* The parameter search is spx_bch_params of spex.h (shared with the budget rule). */

/* The code shortened to n message bits. Codeword layout (a polynomial of degree < p + n):
 * parity bit r (0 <= r < p) is the coefficient of x^r, message bit i (0 <= i < n) the
 * coefficient of x^(p+i); codewords are the multiples of the generator g(x). */
typedef struct spx_bch {
  spx_gf *gf;
  unsigned m, t;
  uint32_t nc, kc, p;
  size_t n;
  spx_parity *col;  /* col[i] = parity bits of the codeword with message e_i (x^(p+i) mod g) */
  uint32_t *synd;   /* synd[r * t + h] = alpha^((2h+1) r): odd syndromes of parity position r */
} spx_bch;

/* The code of spx_bch_params(n, t) (t <= SPX_BCH_TMAX, p <= SPX_BCH_PMAX). */
spx_bch *spx_bch_create(size_t n, unsigned t, spx_error *err);
/* The code over GF(2^m) for a given m (at least the m of the search, at most SPX_GF_MMAX),
 * shortened to n message bits: small codes over the large fields, for tests. */
spx_bch *spx_bch_create_m(size_t n, unsigned t, unsigned m, spx_error *err);
void spx_bch_destroy(spx_bch **code);

/* Parity bits of the message with ones at k[0..deg) (feature indices < n). */
void spx_bch_encode(const spx_bch *code, const uint32_t *k, unsigned deg, spx_parity *out);

/* Hard decoding of the received word [message = 0 | parity = bits]: on success returns the
 * number of corrected errors (<= t) and writes the message support (sorted) into k[0..*deg);
 * on failure returns -1. k needs room for t entries. */
int spx_bch_decode_hard(const spx_bch *code, const spx_parity *bits, uint32_t *k,
                        unsigned *deg);

/* Chase candidate selection: the reference's rule (fewest corrected errors, ties: cheapest
 * pattern) or the maximum-likelihood rule (smallest summed reliability of the parity bits
 * where the candidate codeword disagrees with the hard decision; ties: fewer errors, then
 * cheapest pattern). */
enum { SPX_CHASE_ERRORS = 0, SPX_CHASE_METRIC = 1 };

/* Chase soft decoding: soft[r] (r < p) is a soft parity value (negative means bit 1, the
 * magnitude is the reliability). Tries the hard decision first; if that fails, flips subsets
 * of the depth least reliable positions, cheapest (smallest summed reliability) first, up to
 * depth (depth+1)/2 patterns including the empty one, and returns the successful decode
 * chosen by select (or -1). depth <= SPX_CHASE_MAX. */
int spx_bch_decode_soft(const spx_bch *code, const double *soft, unsigned depth, int select,
                        uint32_t *k, unsigned *deg);

/* ---- query design (design.c) ------------------------------------------------------------ */

#define SPX_SPEX_BMAX 20
#define SPX_SPEX_CMAX 16

/* Budget -> (b, t) as shapiq's Sparse._set_transform_budget (reference-code.md §1.6) with C
 * groups: b = the largest b with C (p+1) 2^b <= budget (capped at SPX_SPEX_BMAX); while
 * b <= 2 and t > 2, lower t. *t is in/out. SPX_ENOTAPPLICABLE (message) when even t = 2
 * leaves b <= 2, SPX_ERANGE when n is too large for the code. */
int spx_spex_budget(size_t n, size_t budget, unsigned groups, unsigned *t, unsigned *b,
                    spx_error *err);


typedef struct spx_spex_design {
  size_t n, words; /* features, words per mask */
  unsigned b, groups;
  uint32_t p;       /* parity bits: p + 1 delays */
  spx_bch *code;    /* owned */
  uint32_t *hash;   /* groups x n: hash[c * n + i] = row i of M_c (bit h = column h) */
  uint64_t *cols;   /* groups x b x words: column h of M_c as a packed mask */
  uint64_t *delays; /* (p+1) x words: delay row r (row 0 is zero; bit i = parity bit r-1 of
                       col[i]) */
} spx_spex_design;

/* Draws the groups random n x b binary matrices from rng (one gsl_rng_uniform_int(rng, 2^b)
 * per row, group by group) and builds the code and the delay rows. */
spx_spex_design *spx_spex_design_create(size_t n, unsigned t, unsigned b, unsigned groups,
                                        gsl_rng *rng, spx_error *err);
void spx_spex_design_destroy(spx_spex_design **d);

/* Bin of k in group c: M_c^T k mod 2 as a b-bit integer. */
static inline uint32_t spx_spex_hash(const spx_spex_design *d, unsigned c, const uint32_t *k,
                                     unsigned deg) {
  const uint32_t *h = d->hash + (size_t)c * d->n;
  uint32_t j = 0;
  for (unsigned i = 0; i < deg; i++) j ^= h[k[i]];
  return j;
}

/* The 2^b masks of design row q = c (p+1) + r, written to out (2^b x words): mask z is
 * (M_c l + D[r]) mod 2 where l_h = bit h of z. Each mask is one XOR of a column into an
 * earlier mask. */
void spx_spex_design_masks(const spx_spex_design *d, size_t q, uint64_t *out);
/* Masks z0 .. z0 + count - 1 of design row q (count a power of two, z0 a multiple of count):
 * part of a row, for rounds smaller than one row (n = 10^6: a row at b = 10 is 128 MB). */
void spx_spex_design_masks_range(const spx_spex_design *d, size_t q, size_t z0, size_t count,
                                 uint64_t *out);

/* ---- decoding (decode.c) ---------------------------------------------------------------- */

enum { SPX_SPEX_HARD = 0, SPX_SPEX_SOFT = 1 };

typedef struct spx_spex_decode_opts {
  int decoder;          /* SPX_SPEX_HARD or SPX_SPEX_SOFT */
  unsigned chase_depth; /* soft decoder only */
  int chase_select;     /* SPX_CHASE_ERRORS or SPX_CHASE_METRIC */
  unsigned max_iter;    /* peeling rounds */
  double res_cutoff;    /* singleton iff residual energy / bin energy < res_cutoff */
  double zero_tol;      /* zeroton iff bin energy per delay <= zero_tol * scale */
  int trap_exit;        /* stop after 15 rounds without a new distinct k */
} spx_spex_decode_opts;

typedef struct spx_spex_decode_info {
  unsigned iterations;    /* peeling rounds run */
  size_t decodes;         /* bins sent to singleton identification */
  size_t singletons;      /* accepted singleton detections (all rounds) */
  size_t distinct;        /* distinct k peeled */
  double scale;           /* the energy scale the thresholds are relative to */
} spx_spex_decode_info;

/* Bin observations: U[((c << b) + j) (p+1) + r] = 2^-b sum_l y_{c,r}(l) (-1)^<j,l>. */
typedef struct spx_spex_bins {
  size_t count;        /* groups * 2^b * (p+1) doubles */
  double *U;
  double sum, sumsq;   /* of all samples, for the relative thresholds */
  size_t samples;
} spx_spex_bins;

spx_spex_bins *spx_spex_bins_create(const spx_spex_design *d, spx_error *err);
void spx_spex_bins_destroy(spx_spex_bins **bins);

/* Add one row's samples (count values) to the sums the relative thresholds use. */
void spx_spex_bins_count(spx_spex_bins *bins, const double *values, size_t count);
/* Store the values of design row q (2^b samples in mask order): normalised WHT into the bins
 * (and spx_spex_bins_count).
 * work has 2^b doubles; plan is a WHT plan of size 2^b. */
struct spx_wht_plan;
void spx_spex_bins_add_row(const spx_spex_design *d, spx_spex_bins *bins, size_t q,
                           const double *values, const struct spx_wht_plan *plan,
                           double *work);

/* One bin's classification. */
enum { SPX_SPEX_ZEROTON = 0, SPX_SPEX_MULTITON = 1, SPX_SPEX_SINGLETON = 2 };
typedef struct spx_spex_bin_result {
  int32_t status;  /* SPX_SPEX_ZEROTON / MULTITON / SINGLETON */
  uint32_t deg;    /* singleton: |k| */
  double rho;      /* singleton: the coefficient estimate */
  uint32_t k[SPX_BCH_TMAX];
  uint32_t pad;
} spx_spex_bin_result;
/* The zeroton cutoff on a bin's energy over its p+1 delays: relative to the variance of the
 * samples (written to *scale when scale is not NULL), with a rounding floor. */
double spx_spex_cutoff(const spx_spex_bins *bins, const spx_spex_decode_opts *o,
                       const spx_spex_design *d, double *scale);
/* Classify bin j of group c from its vector u (p+1 values): zeroton when its energy is at
 * most cutoff, else a singleton when identification succeeds (k, deg, rho), else a
 * multiton. scratch has room for 2 (p+1) doubles. Uses d->code, d->hash and d->p only. */
void spx_spex_classify(const spx_spex_design *d, const spx_spex_decode_opts *o, unsigned c,
                       uint32_t j, const double *u, double cutoff, double *scratch,
                       spx_spex_bin_result *r);
/* Peeling decoder: consumes (modifies) bins->U, adds every peeled value to out (Fourier
 * basis; a k peeled in several rounds accumulates). rng orders the groups. first (may be
 * NULL): the classification of every bin of the untouched bins (index c 2^b + j), used
 * for the first round instead of classifying again (spx_spex_first_pass). */
int spx_spex_peel(const spx_spex_design *d, spx_spex_bins *bins, const spx_spex_decode_opts *o,
                  const spx_spex_bin_result *first, gsl_rng *rng, spx_transform *out,
                  spx_spex_decode_info *info, spx_error *err);

/* ---- work shared over ranks (share.c) --------------------------------------------------- */
/* Rows of raw samples (rows x 2^b, design row order) -> bins->U: each row's normalised WHT is
 * one job of "spex.wht" (core/jobs.h; jobs NULL: this rank). Does not touch sum / sumsq. */
int spx_spex_transform_rows(const spx_spex_design *d, spx_spex_bins *bins, const double *raw,
                            const spx_jobs_runner *jobs, spx_error *err);
/* The first decoding pass over every bin of the untouched bins, in jobs of "spex.bins" (blocks
 * of bins); *out (malloc'd, groups x 2^b results) feeds spx_spex_peel. */
int spx_spex_first_pass(const spx_spex_design *d, const spx_spex_bins *bins,
                        const spx_spex_decode_opts *o, const spx_jobs_runner *jobs,
                        spx_spex_bin_result **out, spx_error *err);

/* ---- refinement (refine.c) -------------------------------------------------------------- */

enum { SPX_REFINE_NONE = 0, SPX_REFINE_RIDGE = 1, SPX_REFINE_LASSO = 2 };

typedef struct spx_spex_refine_opts {
  int kind;         /* SPX_REFINE_RIDGE or SPX_REFINE_LASSO */
  unsigned folds;   /* cross-validation folds over design rows */
  double alpha;     /* > 0: use this penalty, no cross-validation */
  unsigned max_sweeps;
  double tol;       /* stop when the largest coefficient change < tol * scale */
} spx_spex_refine_opts;

/* Refit the support of tf plus the constant and all first-order terms by penalised least
 * squares on every queried sample, using the original bins (orig, untouched by peeling):
 * by Parseval the sample residual of row (c,r) is 2^b times the bin-domain residual.
 * Replaces tf's coefficients. *alpha_out = the chosen penalty. */
int spx_spex_refine(const spx_spex_design *d, const spx_spex_bins *orig,
                    const spx_spex_refine_opts *o, gsl_rng *rng, spx_transform *tf,
                    double *alpha_out, spx_error *err);

#endif
