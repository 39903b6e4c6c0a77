/* genomics.c: a genomics-style synthetic oracle: a phenotype from sparse epistasis among many
 * SNPs, with its exact transform.
 *
 * One genetic architecture per seed: `causal` of the n SNPs carry additive effects, and
 * `epistasis` = [c2, c3, ...] interactions of order 2, 3, ... are drawn among the causal SNPs
 * (most SNPs are null). Each SNP i has a minor allele frequency p_i ~ U[maf]; effects are
 * Gaussian. The phenotype of a genotype x (minor-allele dosages 0, 1, 2) is
 *   G(x) = sum_i beta_i x_i + sum_T gamma_T prod_{i in T} x_i.
 * Explicand e is individual e, with dosages drawn under Hardy-Weinberg equilibrium. A mask
 * keeps the individual's dosage at the kept SNPs and puts the others at the baseline (the
 * population mean 2 p_i, or 0 = homozygous for the major allele): v(S) = G(x*_S, b_rest).
 * v is sparse in the Moebius basis: a term over T contributes c_T prod_{U} (x*_i - b_i)
 * prod_{T\U} b_i to every subset U of T, which is the truth. Optional noise at heritability
 * h2 (the genetic share of the variance over uniform masks) is a pure function of (seed,
 * explicand, mask). Evaluation reads only the causal SNPs' bits: cost per mask O(terms), not
 * O(n), without noise (the noise hashes the whole mask). Options: gen_rows below and
 * docs/genomics.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "../core/convert.h"
#include "../core/mask.h"
#include "../core/rng.h"
#include "oracle.h"

#define GEN_MAX_ORDER 6         /* epistasis orders 2..GEN_MAX_ORDER */
#define GEN_MAX_CAUSAL 1000000  /* causal SNPs */
#define GEN_MAX_EPI 1000000     /* epistatic interactions of one order */

/* Streams: the architecture (shared by every explicand), the individual, the noise key. */
enum { STREAM_ARCH = 0x6e0a, STREAM_PERSON = 0x6e0b, STREAM_NOISE = 0x6e0c };

typedef struct {
  size_t ncausal;
  uint32_t *snp;  /* causal SNPs, sorted */
  double *base;   /* baseline dosage b_i */
  double *dose;   /* the individual's dosage x*_i */
  size_t nterms;  /* additive terms first (one per causal SNP), then epistatic ones */
  size_t *off;    /* nterms + 1 offsets into member */
  uint32_t *member; /* positions in snp[] (not SNP numbers) */
  double *coef;
  double mean;    /* constant added to every value: the intercept */
  spx_transform *truth; /* Moebius */
  double var_g, noise_sd;
  uint64_t noise_key[4];
  gsl_rng *noise_rng;
  uint64_t *bits; /* scratch: the causal SNPs' mask bits */
} genomics;

typedef struct {
  uint64_t n, seed;
  long long causal;
  long long epi[GEN_MAX_ORDER + 1]; /* epi[d]: interactions of order d */
  int max_order;
  double maf_lo, maf_hi, additive_sd, epistasis_sd, h2, intercept;
  int baseline_mean;
} gen_params;

static const char *const baseline_names[] = {"mean", "reference", NULL};

/* Every key, declared once (defaults shown by `spex-bench --help genomics`). The list keys and
 * the defaults that depend on other keys are checked in read_params. */
static const spx_option_decl gen_rows[] = {
    {"n", SPX_DECL_INT, NULL, 2, 4294967295.0, NULL, "SNPs (features); required", NULL},
    {"causal", SPX_DECL_INT, NULL, 1, GEN_MAX_CAUSAL, NULL,
     "SNPs with additive effects (default min(n, 40))", NULL},
    {"epistasis", SPX_DECL_INT_LIST, "[20, 5]", SPX_NOMIN, SPX_NOMAX, NULL,
     "interactions of order 2, 3, ... (up to 6) among the causal SNPs, each count in "
     "[0, 1000000] and at most half the possible subsets (the default is lowered to that)",
     NULL},
    {"maf", SPX_DECL_FLOAT_LIST, "[0.05, 0.5]", SPX_NOMIN, SPX_NOMAX, NULL,
     "[lo, hi], 0 < lo <= hi <= 0.5: minor allele frequencies U[lo, hi]", NULL},
    {"additive_sd", SPX_DECL_FLOAT, "1", 0, 1e6, NULL, "sd of the additive effects", NULL},
    {"epistasis_sd", SPX_DECL_FLOAT, "0.5", 0, 1e6, NULL, "sd of the epistatic effects", NULL},
    {"h2", SPX_DECL_FLOAT, "1", 1e-6, 1.0, NULL, "heritability over masks; 1 = noiseless", NULL},
    {"intercept", SPX_DECL_FLOAT, "0", SPX_NOMIN, SPX_NOMAX, NULL, "constant of the phenotype",
     NULL},
    {"baseline", SPX_DECL_CHOICE, "mean", 0, 0, baseline_names,
     "dosage of a masked SNP: the population mean 2 p_i, or 0 (reference)", NULL},
    {"seed", SPX_DECL_INT, "0", 0, 9223372036854775807.0, NULL,
     "the architecture, the individuals and the noise", NULL},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};

static int read_params(spx_options *opts, gen_params *p, spx_error *err) {
  memset(p, 0, sizeof *p);
  long long v;
  int rc;
  if (!spx_options_has(opts, "n"))
    return spx_options_fail(opts, "n", SPX_EINVAL, err, "required: the number of SNPs (>= 2)");
  if ((rc = spx_opt_int(opts, "n", &v, err))) return rc;
  p->n = (uint64_t)v;
  int has_causal = spx_options_has(opts, "causal");
  if ((rc = spx_opt_int(opts, "causal", &p->causal, err))) return rc;
  if (!has_causal) p->causal = p->n < 40 ? (long long)p->n : 40;
  if ((uint64_t)p->causal > p->n)
    return spx_options_fail(opts, "causal", SPX_ERANGE, err, "%lld causal SNPs but n = %llu",
                            p->causal, (unsigned long long)p->n);
  long long epi[GEN_MAX_ORDER - 1];
  size_t nepi = 0;
  int has_epi = spx_options_has(opts, "epistasis");
  if ((rc = spx_opt_int_list(opts, "epistasis", epi, GEN_MAX_ORDER - 1, &nepi, err))) return rc;
  p->max_order = 1;
  for (size_t i = 0; i < nepi; i++) {
    int d = (int)i + 2;
    long long c = epi[i];
    /* distinct subsets of the causal SNPs of size d available */
    double avail = 1.0;
    for (int j = 0; j < d; j++) avail = avail * (double)(p->causal - j) / (double)(j + 1);
    if (c < 0 || c > GEN_MAX_EPI)
      return spx_options_fail(opts, "epistasis", SPX_ERANGE, err,
                              "count %lld for order %d is out of range [0, %d]", c, d, GEN_MAX_EPI);
    if (!has_epi && (double)c > avail / 2) c = (long long)(avail / 2);
    if ((double)c > avail / 2)
      return spx_options_fail(opts, "epistasis", SPX_ERANGE, err,
                              "%lld interactions of order %d among %lld causal SNPs: at most "
                              "half of the %.0f possible ones may be asked for",
                              c, d, p->causal, avail);
    p->epi[d] = c;
    if (c > 0) p->max_order = d;
  }
  double maf[2];
  size_t nmaf = 0;
  if ((rc = spx_opt_double_list(opts, "maf", maf, 2, &nmaf, err))) return rc;
  if (nmaf != 2 || !(maf[0] > 0.0) || !(maf[0] <= maf[1]) || !(maf[1] <= 0.5))
    return spx_options_fail(opts, "maf", SPX_ERANGE, err,
                            "expected [lo, hi] with 0 < lo <= hi <= 0.5");
  p->maf_lo = maf[0];
  p->maf_hi = maf[1];
  int b;
  if ((rc = spx_opt_double(opts, "additive_sd", &p->additive_sd, err)) ||
      (rc = spx_opt_double(opts, "epistasis_sd", &p->epistasis_sd, err)) ||
      (rc = spx_opt_double(opts, "h2", &p->h2, err)) ||
      (rc = spx_opt_double(opts, "intercept", &p->intercept, err)) ||
      (rc = spx_opt_choice(opts, "baseline", &b, err)) ||
      (rc = spx_opt_int(opts, "seed", &v, err)))
    return rc;
  p->baseline_mean = b == 0;
  p->seed = (uint64_t)v;
  return SPX_OK;
}

static int u32_cmp(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

static void gen_free(genomics *g) {
  if (g == NULL) return;
  free(g->snp);
  free(g->base);
  free(g->dose);
  free(g->off);
  free(g->member);
  free(g->coef);
  free(g->bits);
  spx_transform_destroy(&g->truth);
  if (g->noise_rng) gsl_rng_free(g->noise_rng);
  free(g);
}

/* d distinct positions in [0, count), sorted. */
static void draw_subset(gsl_rng *r, size_t count, int d, uint32_t *out) {
  for (int k = 0; k < d;) {
    uint32_t x = (uint32_t)gsl_rng_uniform_int(r, (unsigned long)count);
    int dup = 0;
    for (int j = 0; j < k; j++) dup |= out[j] == x;
    if (!dup) out[k++] = x;
  }
  qsort(out, (size_t)d, sizeof *out, u32_cmp);
}

/* The architecture (causal SNPs, frequencies, terms, effects) from the seed alone. */
static int draw_architecture(const gen_params *p, genomics *g, double *maf, spx_error *err) {
  gsl_rng *r = spx_rng_stream(p->seed, 0, STREAM_ARCH, 0, 0);
  SPX_CHECK_ALLOC(r, err);
  size_t C = (size_t)p->causal;
  int rc = SPX_OK;
  /* causal SNPs: distinct, by rejection into a hash-free sorted set (C << n typically; for
   * C close to n a selection sweep) */
  if ((double)C * 4 > (double)p->n) {
    size_t need = C;
    for (uint64_t i = 0, k = 0; i < p->n && k < C; i++)
      if (gsl_rng_uniform(r) * (double)(p->n - i) < (double)need) g->snp[k++] = (uint32_t)i, need--;
  } else {
    spx_transform *seen = spx_transform_create((uint32_t)p->n, SPX_BASIS_INDEX);
    if (seen == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory for the SNPs");
    for (size_t k = 0; rc == SPX_OK && k < C;) {
      uint32_t s = (uint32_t)gsl_rng_uniform_int(r, (unsigned long)p->n);
      int found;
      spx_transform_get(seen, &s, 1, &found);
      if (found) continue;
      rc = spx_transform_set(seen, &s, 1, 1.0, err);
      g->snp[k++] = s;
    }
    spx_transform_destroy(&seen);
    qsort(g->snp, C, sizeof *g->snp, u32_cmp);
  }
  for (size_t i = 0; rc == SPX_OK && i < C; i++)
    maf[i] = p->maf_lo + (p->maf_hi - p->maf_lo) * gsl_rng_uniform(r);
  /* additive terms, then each order's interactions (distinct subsets of the causal SNPs) */
  size_t t = 0, at = 0;
  g->off[0] = 0;
  for (size_t i = 0; rc == SPX_OK && i < C; i++, t++) {
    g->member[at++] = (uint32_t)i;
    g->coef[t] = gsl_ran_gaussian(r, p->additive_sd);
    g->off[t + 1] = at;
  }
  spx_transform *chosen = spx_transform_create((uint32_t)C, SPX_BASIS_INDEX);
  if (chosen == NULL && rc == SPX_OK) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  for (int d = 2; rc == SPX_OK && d <= p->max_order; d++)
    for (long long c = 0; rc == SPX_OK && c < p->epi[d];) {
      uint32_t S[GEN_MAX_ORDER];
      draw_subset(r, C, d, S);
      int found;
      spx_transform_get(chosen, S, (uint32_t)d, &found);
      if (found) continue;
      rc = spx_transform_set(chosen, S, (uint32_t)d, 1.0, err);
      memcpy(g->member + at, S, (size_t)d * sizeof *S);
      at += (size_t)d;
      g->coef[t] = gsl_ran_gaussian(r, p->epistasis_sd);
      g->off[++t] = at;
      c++;
    }
  g->nterms = t;
  spx_transform_destroy(&chosen);
  gsl_rng_free(r);
  return rc;
}

/* The Moebius truth: each term c prod_{i in T} (b_i + [i in S] d_i) expanded over U of T. */
static int build_truth(genomics *g, uint64_t n, spx_error *err) {
  g->truth = spx_transform_create((uint32_t)n, SPX_BASIS_MOEBIUS);
  SPX_CHECK_ALLOC(g->truth, err);
  const uint32_t none = 0;
  int rc = g->mean != 0.0 ? spx_transform_add(g->truth, &none, 0, g->mean, err) : SPX_OK;
  for (size_t e = 0; rc == SPX_OK && e < g->nterms; e++) {
    const uint32_t *T = g->member + g->off[e];
    unsigned d = (unsigned)(g->off[e + 1] - g->off[e]);
    for (uint32_t u = 0; rc == SPX_OK && u < (1u << d); u++) {
      double c = g->coef[e];
      uint32_t idx[GEN_MAX_ORDER];
      uint32_t k = 0;
      for (unsigned j = 0; j < d; j++) {
        uint32_t pos = T[j];
        if ((u >> j) & 1u) {
          c *= g->dose[pos] - g->base[pos];
          idx[k++] = g->snp[pos];
        } else {
          c *= g->base[pos];
        }
      }
      if (c != 0.0) rc = spx_transform_add(g->truth, k ? idx : &none, k, c, err);
    }
  }
  if (rc == SPX_OK) rc = spx_transform_prune(g->truth, 0.0, 1, err);
  return rc;
}

static int gen_open(spx_oracle *o, spx_options *opts, size_t explicand, spx_error *err) {
  gen_params p;
  int rc = read_params(opts, &p, err);
  if (rc) return rc;
  genomics *g = calloc(1, sizeof *g);
  SPX_CHECK_ALLOC(g, err);
  size_t C = (size_t)p.causal, nterms = C, nmember = C;
  for (int d = 2; d <= p.max_order; d++) {
    nterms += (size_t)p.epi[d];
    nmember += (size_t)p.epi[d] * (size_t)d;
  }
  g->ncausal = C;
  g->snp = malloc(C * sizeof *g->snp);
  g->base = malloc(C * sizeof *g->base);
  g->dose = malloc(C * sizeof *g->dose);
  g->off = malloc((nterms + 1) * sizeof *g->off);
  g->member = malloc(nmember * sizeof *g->member);
  g->coef = malloc(nterms * sizeof *g->coef);
  g->bits = malloc((C / 64 + 1) * sizeof *g->bits);
  double *maf = malloc(C * sizeof *maf);
  if (!g->snp || !g->base || !g->dose || !g->off || !g->member || !g->coef || !g->bits || !maf)
    rc = spx_error_set(err, SPX_ENOMEM, "out of memory for the genomics oracle (%zu SNPs)", C);
  if (rc == SPX_OK) rc = draw_architecture(&p, g, maf, err);
  size_t carried = 0;
  if (rc == SPX_OK) { /* the individual: Hardy-Weinberg dosages at the causal SNPs */
    gsl_rng *r = spx_rng_stream(p.seed, explicand, STREAM_PERSON, 0, 0);
    if (r == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
    for (size_t i = 0; rc == SPX_OK && i < C; i++) {
      g->dose[i] = (double)((gsl_rng_uniform(r) < maf[i]) + (gsl_rng_uniform(r) < maf[i]));
      g->base[i] = p.baseline_mean ? 2.0 * maf[i] : 0.0;
      carried += g->dose[i] > 0;
    }
    if (r) gsl_rng_free(r);
  }
  free(maf);
  g->mean = p.intercept;
  if (rc == SPX_OK) rc = build_truth(g, p.n, err);
  if (rc == SPX_OK) { /* genetic variance over uniform masks (Parseval on the Fourier form) */
    spx_transform *f = NULL;
    rc = spx_moebius_to_fourier(g->truth, &f, err);
    for (size_t e = 0; rc == SPX_OK && e < spx_transform_size(f); e++) {
      const uint32_t *idx;
      uint32_t d;
      double c;
      spx_transform_entry(f, e, &idx, &d, &c);
      if (d > 0) g->var_g += c * c;
    }
    spx_transform_destroy(&f);
  }
  if (rc == SPX_OK && p.h2 < 1.0) {
    g->noise_sd = sqrt(g->var_g * (1.0 - p.h2) / p.h2);
    gsl_rng *k = spx_rng_stream(p.seed, explicand, STREAM_NOISE, 0, 0);
    g->noise_rng = gsl_rng_alloc(spx_rng_pcg64());
    if (k == NULL || g->noise_rng == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
    for (int i = 0; rc == SPX_OK && i < 4; i++) g->noise_key[i] = spx_rng_u64(k);
    if (k) gsl_rng_free(k);
  }
  if (rc) {
    gen_free(g);
    return rc;
  }
  o->state = g;
  o->n = (size_t)p.n;
  o->concurrent = 1;
  char desc[320];
  snprintf(desc, sizeof desc,
           "genomics individual #%zu (seed %llu): n = %llu SNPs, %zu causal (%zu carried), "
           "%zu epistatic interactions, h2 = %g, baseline %s; truth %zu Moebius terms",
           explicand, (unsigned long long)p.seed, (unsigned long long)p.n, C, carried,
           g->nterms - C, p.h2, baseline_names[p.baseline_mean ? 0 : 1],
           spx_transform_size(g->truth));
  return spx_oracle_set_explicand(o, desc, err);
}

static int gen_explicands(spx_options *opts, size_t *count, spx_error *err) {
  (void)opts;
  (void)err;
  *count = (size_t)1 << 48; /* any individual */
  return SPX_OK;
}

/* Noise for one mask: a Gaussian from a generator seeded by a hash of the whole mask and the
 * (seed, explicand) key, so it does not depend on batching or ranks. */
static double noise_for(genomics *g, const uint64_t *m, size_t words) {
  uint64_t h[2];
  spx_mask_hash128(m, words, g->noise_key[0], g->noise_key[1], h);
  spx_rng_pcg64_seed(g->noise_rng, h[0], h[1], g->noise_key[2], g->noise_key[3]);
  return gsl_ran_gaussian_ziggurat(g->noise_rng, g->noise_sd);
}

static int gen_eval(spx_oracle *o, const spx_maskset *masks, size_t first, size_t count,
                    double *out, spx_error *err) {
  (void)err;
  genomics *g = o->state;
  size_t C = g->ncausal;
  for (size_t r = 0; r < count; r++) {
    const uint64_t *m = spx_maskset_row(masks, first + r);
    memset(g->bits, 0, (C / 64 + 1) * sizeof *g->bits);
    for (size_t i = 0; i < C; i++) /* the causal SNPs in increasing order */
      g->bits[i >> 6] |= ((m[g->snp[i] >> 6] >> (g->snp[i] & 63)) & 1u) << (i & 63);
    double y = g->mean;
    for (size_t e = 0; e < g->nterms; e++) {
      double prod = g->coef[e];
      for (size_t q = g->off[e]; q < g->off[e + 1]; q++) {
        uint32_t i = g->member[q];
        prod *= ((g->bits[i >> 6] >> (i & 63)) & 1u) ? g->dose[i] : g->base[i];
      }
      y += prod;
    }
    if (g->noise_sd > 0.0) y += noise_for(g, m, masks->words);
    out[r] = y;
  }
  return SPX_OK;
}

static const spx_transform *gen_truth(const spx_oracle *o) {
  return ((const genomics *)o->state)->truth;
}

static void gen_close(spx_oracle *o) {
  gen_free(o->state);
  o->state = NULL;
}

const spx_oracle_type spx_oracle_genomics = {
    .name = "genomics",
    .summary = "phenotype from sparse additive and epistatic SNP effects; individuals as "
               "explicands, known Moebius truth, optional noise at heritability h2",
    .open = gen_open,
    .explicands = gen_explicands,
    .eval = gen_eval,
    .truth = gen_truth,
    .close = gen_close,
    .options = gen_rows,
};
