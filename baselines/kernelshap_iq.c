/* kernelshap_iq.c: KernelSHAP-IQ (Fumagalli et al. 2024; shapiq's `KernelSHAPIQ`) for SII and
 * k-SII, plus the weighted least-squares solver shared with kadd_shap.c.
 *
 * Sampling: spx_baseline_coalitions_sample with shapiq's default size weights for the order (1e8
 * below order and above n - order, 1 / (s (n - s)) between), border trick, `pairing` (default
 * false, as shapiq's class). Routine (shapiq's Regression.kernel_shap_iq_routine): residual
 * r_1 = v - v(∅); for t = 1..order, with columns the interactions T of size t and design
 * X[S, T] = sum_{j=1}^{|S∩T|} C(|S∩T|, j) B_{t-j} (Bernoulli numbers), row weight
 * kernel_t(|S|) * adjustment(S) where kernel_t(s) = 1e8 for s < t or s > n - t and
 * 1 / ((n-2t+1) C(n-2t, s-t)) otherwise: for t <= 2, SII_t = the weighted least-squares fit of
 * r_t; for t > 2 the rows of size < t or > n - t contribute through the exact SII weights
 * (-1)^{t-i} / ((n-t+1) C(n-t, s-i)) and the fit is made with their responses set to 0; then
 * r_{t+1} = r_t - X SII_t. k-SII aggregates the SII values with Bernoulli numbers.
 *
 * The 1e8 weights are taken to their limit: rows with weight 1e8 are fitted first (weighted
 * least squares among themselves, their minimisers form an affine set) and the other rows are
 * fitted within that set (spx_baseline_lex_wls). This is what shapiq's normal equations approach as
 * the weight grows, without their 1e13 condition numbers. With a budget of 2^n the result is
 * the exact SII (checked against shapiq's California values).
 *
 * Output: Moebius transform, a(T) = SII or k-SII for 1 <= |T| <= order, a(∅) = v(∅). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_permutation.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_vector.h>

#include "baselines.h"

#define BIG_M 1e8
#define BLOCK 128

/* ---- the solver ---------------------------------------------------------------------------- */

/* Solve the symmetric positive semidefinite system A x = b (A m x m, destroyed): Cholesky when
 * it succeeds with reciprocal condition number >= 1e-12, else the SVD pseudo-inverse with
 * singular values below 1e-12 times the largest dropped. */
static int spd_solve(gsl_matrix *A, const gsl_vector *b, gsl_vector *x, spx_error *err) {
  size_t m = A->size1;
  if (m == 0) return SPX_OK;
  gsl_matrix *copy = gsl_matrix_alloc(m, m);
  gsl_vector *work = gsl_vector_alloc(3 * m);
  if (!copy || !work) {
    if (copy) gsl_matrix_free(copy);
    if (work) gsl_vector_free(work);
    return spx_error_set(err, SPX_ENOMEM, "out of memory (%zu x %zu system)", m, m);
  }
  gsl_matrix_memcpy(copy, A);
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  int rc = gsl_linalg_cholesky_decomp1(A);
  double rcond = 0.0;
  if (rc == GSL_SUCCESS) rc = gsl_linalg_cholesky_rcond(A, &rcond, work);
  if (rc == GSL_SUCCESS && rcond >= 1e-12) {
    rc = gsl_linalg_cholesky_solve(A, b, x);
  } else {
    gsl_matrix *V = gsl_matrix_alloc(m, m);
    gsl_vector *S = gsl_vector_alloc(m), *w2 = gsl_vector_alloc(m);
    if (!V || !S || !w2) {
      rc = GSL_ENOMEM;
    } else {
      rc = gsl_linalg_SV_decomp(copy, V, S, w2);
      if (rc == GSL_SUCCESS) {
        double top = gsl_vector_get(S, 0);
        for (size_t i = 0; i < m; i++)
          if (!(gsl_vector_get(S, i) > 1e-12 * top)) gsl_vector_set(S, i, 0.0);
        rc = gsl_linalg_SV_solve(copy, V, S, b, x);
      }
    }
    if (V) gsl_matrix_free(V);
    if (S) gsl_vector_free(S);
    if (w2) gsl_vector_free(w2);
  }
  gsl_set_error_handler(old);
  gsl_matrix_free(copy);
  gsl_vector_free(work);
  if (rc != GSL_SUCCESS)
    return spx_error_set(err, SPX_ERANGE, "weighted least squares: solve failed (%s)",
                         gsl_strerror(rc));
  return SPX_OK;
}

int spx_baseline_lex_wls(size_t N, size_t p, spx_baseline_row_fn row, void *ctx, const double *y,
                   const double *w, const unsigned char *hard, double *beta, spx_error *err) {
  int rc = SPX_OK;
  size_t nb = 0;
  for (size_t r = 0; r < N; r++)
    if (hard[r] && w[r] > 0.0) nb++;
  gsl_matrix *G = gsl_matrix_calloc(p, p);
  gsl_vector *g = gsl_vector_calloc(p);
  gsl_matrix *blk = gsl_matrix_alloc(BLOCK, p);
  gsl_vector *yb = gsl_vector_alloc(BLOCK);
  gsl_matrix *Xh = nb ? gsl_matrix_alloc(nb, p) : NULL;
  gsl_vector *yh = nb ? gsl_vector_alloc(nb) : NULL;
  gsl_matrix *Q = NULL, *R = NULL, *A = NULL, *M1 = NULL, *H = NULL, *GZ = NULL;
  gsl_vector *tau = NULL, *norm = NULL, *c = NULL, *resid = NULL, *bb = NULL, *rv = NULL,
             *h = NULL, *gam = NULL, *tau2 = NULL, *res2 = NULL;
  gsl_permutation *perm = NULL;
  if (!G || !g || !blk || !yb || (nb && (!Xh || !yh))) {
    rc = spx_error_set(err, SPX_ENOMEM, "out of memory for a %zu-column regression", p);
    goto done;
  }
  /* soft rows: normal equations in blocks; hard rows: kept (scaled by sqrt(w)) */
  size_t fill = 0, ih = 0;
  for (size_t r = 0; r <= N; r++) {
    if (r < N && w[r] > 0.0) {
      double sw = sqrt(w[r]);
      if (hard[r]) {
        double *x = gsl_matrix_ptr(Xh, ih, 0);
        row(ctx, r, x);
        for (size_t j = 0; j < p; j++) x[j] *= sw;
        gsl_vector_set(yh, ih, sw * y[r]);
        ih++;
      } else {
        double *x = gsl_matrix_ptr(blk, fill, 0);
        row(ctx, r, x);
        for (size_t j = 0; j < p; j++) x[j] *= sw;
        gsl_vector_set(yb, fill, sw * y[r]);
        fill++;
      }
    }
    if (fill == BLOCK || (r == N && fill > 0)) {
      gsl_matrix_view bv = gsl_matrix_submatrix(blk, 0, 0, fill, p);
      gsl_vector_view yv = gsl_vector_subvector(yb, 0, fill);
      gsl_blas_dsyrk(CblasUpper, CblasTrans, 1.0, &bv.matrix, 1.0, G);
      gsl_blas_dgemv(CblasTrans, 1.0, &bv.matrix, &yv.vector, 1.0, g);
      fill = 0;
    }
  }
  for (size_t a = 0; a < p; a++)
    for (size_t b = 0; b < a; b++) gsl_matrix_set(G, a, b, gsl_matrix_get(G, b, a));

  gsl_vector_view bview = gsl_vector_view_array(beta, p);
  if (nb == 0) {
    rc = spd_solve(G, g, &bview.vector, err);
    goto done;
  }
  /* the hard rows' row space: QR with column pivoting of Xh^T (p x nb) */
  size_t kq = p < nb ? p : nb;
  A = gsl_matrix_alloc(p, nb);
  Q = gsl_matrix_alloc(p, p);
  R = gsl_matrix_alloc(p, nb);
  tau = gsl_vector_alloc(kq);
  norm = gsl_vector_alloc(nb);
  perm = gsl_permutation_alloc(nb);
  if (!A || !Q || !R || !tau || !norm || !perm) {
    rc = spx_error_set(err, SPX_ENOMEM, "out of memory for a %zu-column regression", p);
    goto done;
  }
  gsl_matrix_transpose_memcpy(A, Xh);
  int signum;
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  int grc = gsl_linalg_QRPT_decomp(A, tau, perm, &signum, norm);
  if (grc == GSL_SUCCESS) grc = gsl_linalg_QR_unpack(A, tau, Q, R);
  gsl_set_error_handler(old);
  if (grc != GSL_SUCCESS) {
    rc = spx_error_set(err, SPX_ERANGE, "weighted least squares: QR failed (%s)",
                       gsl_strerror(grc));
    goto done;
  }
  double r00 = kq ? fabs(gsl_matrix_get(R, 0, 0)) : 0.0;
  size_t rank = 0;
  while (rank < kq && fabs(gsl_matrix_get(R, rank, rank)) > 1e-10 * r00) rank++;
  gsl_vector_set_zero(&bview.vector);
  if (rank > 0) {
    /* beta_B = Q1 c, c = argmin || Xh Q1 c - yh || */
    gsl_matrix_view Q1 = gsl_matrix_submatrix(Q, 0, 0, p, rank);
    M1 = gsl_matrix_alloc(nb, rank);
    c = gsl_vector_alloc(rank);
    resid = gsl_vector_alloc(nb);
    tau2 = gsl_vector_alloc(rank);
    if (!M1 || !c || !resid || !tau2) {
      rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
      goto done;
    }
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, Xh, &Q1.matrix, 0.0, M1);
    old = gsl_set_error_handler_off();
    grc = gsl_linalg_QR_decomp(M1, tau2);
    if (grc == GSL_SUCCESS) grc = gsl_linalg_QR_lssolve(M1, tau2, yh, c, resid);
    gsl_set_error_handler(old);
    if (grc != GSL_SUCCESS) {
      rc = spx_error_set(err, SPX_ERANGE, "weighted least squares: constraint solve failed (%s)",
                         gsl_strerror(grc));
      goto done;
    }
    gsl_blas_dgemv(CblasNoTrans, 1.0, &Q1.matrix, c, 0.0, &bview.vector);
  }
  size_t free_dim = p - rank;
  if (free_dim > 0) {
    gsl_matrix_view Z = gsl_matrix_submatrix(Q, 0, rank, p, free_dim);
    GZ = gsl_matrix_alloc(p, free_dim);
    H = gsl_matrix_alloc(free_dim, free_dim);
    rv = gsl_vector_alloc(p);
    h = gsl_vector_alloc(free_dim);
    gam = gsl_vector_alloc(free_dim);
    if (!GZ || !H || !rv || !h || !gam) {
      rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
      goto done;
    }
    /* minimise the soft rows' loss over beta_B + Z gamma */
    gsl_vector_memcpy(rv, g);
    gsl_blas_dsymv(CblasUpper, -1.0, G, &bview.vector, 1.0, rv);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, G, &Z.matrix, 0.0, GZ);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &Z.matrix, GZ, 0.0, H);
    gsl_blas_dgemv(CblasTrans, 1.0, &Z.matrix, rv, 0.0, h);
    rc = spd_solve(H, h, gam, err);
    if (rc) goto done;
    gsl_blas_dgemv(CblasNoTrans, 1.0, &Z.matrix, gam, 1.0, &bview.vector);
  }
done:
  if (G) gsl_matrix_free(G);
  if (g) gsl_vector_free(g);
  if (blk) gsl_matrix_free(blk);
  if (yb) gsl_vector_free(yb);
  if (Xh) gsl_matrix_free(Xh);
  if (yh) gsl_vector_free(yh);
  if (A) gsl_matrix_free(A);
  if (Q) gsl_matrix_free(Q);
  if (R) gsl_matrix_free(R);
  if (M1) gsl_matrix_free(M1);
  if (H) gsl_matrix_free(H);
  if (GZ) gsl_matrix_free(GZ);
  if (tau) gsl_vector_free(tau);
  if (norm) gsl_vector_free(norm);
  if (c) gsl_vector_free(c);
  if (resid) gsl_vector_free(resid);
  if (bb) gsl_vector_free(bb);
  if (rv) gsl_vector_free(rv);
  if (h) gsl_vector_free(h);
  if (gam) gsl_vector_free(gam);
  if (tau2) gsl_vector_free(tau2);
  if (res2) gsl_vector_free(res2);
  if (perm) gsl_permutation_free(perm);
  return rc;
}

/* ---- shared option handling and state of the regression estimators ------------------------ */

static const char *const kiq_names[] = {"sii", "k-sii", "ksii", NULL};
const spx_option_decl spx_baseline_kadd_rows[] = {
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spx_baseline_order_rows},
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spx_baseline_pairing_rows},
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spx_baseline_limit_rows},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};
static const spx_option_decl kiq_options[] = {
    {"index", SPX_DECL_CHOICE, "k-sii", 0, 0, kiq_names, "interaction index estimated", NULL},
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spx_baseline_kadd_rows},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};
static const spx_baseline_ix kiq_ids[] = {SPX_BASELINE_IX_SII, SPX_BASELINE_IX_KSII, SPX_BASELINE_IX_KSII};

/* The regression estimators' options: spx_baseline_read_sampling's and the resource limits
 * (index: SII when !with_index). */
int spx_baseline_reg_configure(size_t n, spx_options *opts, int with_index, void *cfg,
                               spx_error *err) {
  spx_baseline_cfg *c = cfg;
  spx_baseline_ix index = SPX_BASELINE_IX_SII;
  int rc = spx_baseline_read_sampling(opts, n, with_index ? kiq_ids : NULL, &index, &c->order,
                                      &c->pairing, err);
  c->index = (int)index;
  return rc ? rc : spx_baseline_read_memory(opts, &c->limits, err);
}

int spx_baseline_reg_applicable(size_t n, size_t budget, const void *cfg, int with_index,
                                char *why, size_t whylen) {
  const spx_baseline_cfg *c = cfg;
  unsigned order = c->order;
  spx_baseline_limits limits = c->limits;
  if (!spx_baseline_coalitions_applicable(n, budget, why, whylen)) return 0;
  size_t rows = spx_baseline_exhaustive(n, budget) ? (size_t)1 << n : budget;
  /* the largest single fit: the top order's columns (kernelshap_iq) or all orders (kadd) */
  double p = with_index ? spx_baseline_choose(n, order) : spx_baseline_num_columns(n, 0, order);
  double bytes = 8.0 * (4.0 * p * p + (double)BLOCK * p) + (double)rows * 48.0;
  double flops = (double)rows * p * p + 6.0 * p * p * p;
  if (bytes > limits.bytes) {
    snprintf(why, whylen,
             "%.0f regression columns need about %.3g GiB of working memory, above the limit "
             "memory_gib = %.3g",
             p, bytes / 1073741824.0, limits.bytes / 1073741824.0);
    return 0;
  }
  if (flops > limits.flops) {
    snprintf(why, whylen,
             "%.0f regression columns and %zu coalitions need about %.3g GFLOP to fit, above "
             "the limit max_gflop = %.3g",
             p, rows, flops / 1e9, limits.flops / 1e9);
    return 0;
  }
  return 1;
}

int spx_baseline_reg_begin(size_t n, size_t budget, const void *cfg, gsl_rng *rng, void **state,
                           spx_error *err) {
  *state = NULL;
  const spx_baseline_cfg *c = cfg;
  spx_baseline_reg_state *s = calloc(1, sizeof *s);
  if (s == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory");
  int pairing = c->pairing;
  s->index = (spx_baseline_ix)c->index;
  s->order = c->order;
  int rc = SPX_OK;
  s->base.n = n;
  s->base.budget = budget;
  if (rc == SPX_OK)
    rc = spx_baseline_coalitions_sample_default(n, budget, s->order, pairing, rng, &s->co, err);
  if (rc) {
    spx_baseline_reg_destroy(s);
    return rc;
  }
  s->base.masks = s->co.masks;
  *state = s;
  return SPX_OK;
}

void spx_baseline_reg_destroy(void *state) {
  spx_baseline_reg_state *s = state;
  if (s == NULL) return;
  s->base.masks = NULL;
  spx_baseline_state_free(&s->base);
  spx_baseline_coalitions_free(&s->co);
  free(s);
}

/* ---- KernelSHAP-IQ ------------------------------------------------------------------------- */

typedef struct {
  const spx_baseline_ilist *l;
  size_t first, count; /* columns of the current order */
  unsigned t;
  const spx_maskset *masks;
  const double *gamma; /* gamma[i] = design value at |S∩T| = i */
} kiq_rows;

static void kiq_row(void *ctx, size_t r, double *x) {
  const kiq_rows *k = ctx;
  const uint64_t *S = spx_maskset_row(k->masks, r);
  for (size_t j = 0; j < k->count; j++) {
    unsigned i = spx_baseline_intersect(S, spx_baseline_ilist_at(k->l, k->first + j), k->t, NULL);
    x[j] = k->gamma[i];
  }
}

static int kiq_finish(void *state, spx_transform **out, spx_error *err) {
  spx_baseline_reg_state *s = state;
  *out = NULL;
  if (s->base.stage != 2) return spx_error_set(err, SPX_EINVAL, "finish before the values");
  size_t n = s->base.n, N = s->co.masks->count, words = s->co.masks->words;
  unsigned K = s->order;
  spx_baseline_ilist l;
  int rc = spx_baseline_ilist_init(&l, n, 1, K, err);
  if (rc) return rc;
  double v0 = s->base.values[0];
  double *res = malloc((N ? N : 1) * sizeof *res), *yfit = malloc((N ? N : 1) * sizeof *yfit);
  double *w = malloc((N ? N : 1) * sizeof *w), *sii = calloc(l.p ? l.p : 1, sizeof *sii);
  double *x = malloc((l.p ? l.p : 1) * sizeof *x), *val = NULL;
  unsigned *size = malloc((N ? N : 1) * sizeof *size);
  unsigned char *hard = malloc(N ? N : 1);
  double bern[66], gamma[65];
  if (!res || !yfit || !w || !sii || !x || !size || !hard || K > 64) {
    rc = spx_error_set(err, SPX_ENOMEM, "out of memory for %zu interactions", l.p);
    goto done;
  }
  spx_baseline_bernoulli(K, bern);
  for (size_t r = 0; r < N; r++) {
    res[r] = s->base.values[r] - v0;
    size[r] = (unsigned)spx_mask_popcount(spx_maskset_row(s->co.masks, r), words);
  }
  for (unsigned t = 1; t <= K && rc == SPX_OK; t++) {
    size_t first = l.d.offset[t], count = l.d.offset[t + 1] - first;
    for (unsigned i = 0; i <= t; i++) {
      gamma[i] = 0.0;
      for (unsigned j = 1; j <= i; j++) gamma[i] += spx_baseline_choose(i, j) * bern[t - j];
    }
    for (size_t r = 0; r < N; r++) {
      size_t sz = size[r];
      hard[r] = sz < t || sz + t > n;
      /* the hard rows' common factor 1e8 is left out: the solver takes its limit */
      w[r] = hard[r] ? exp(s->co.ln_adjust[r])
                     : exp(-log((double)(n - 2 * t + 1)) -
                           gsl_sf_lnchoose((unsigned)(n - 2 * t), (unsigned)(sz - t)) +
                           s->co.ln_adjust[r]);
      yfit[r] = (t > 2 && hard[r]) ? 0.0 : res[r];
    }
    kiq_rows ctx = {.l = &l, .first = first, .count = count, .t = t, .masks = s->co.masks,
                    .gamma = gamma};
    rc = spx_baseline_lex_wls(N, count, kiq_row, &ctx, yfit, w, hard, sii + first, err);
    if (rc) break;
    if (t > 2) /* the border coalitions through the exact SII weights */
      for (size_t r = 0; r < N; r++) {
        if (!hard[r] || res[r] == 0.0) continue;
        const uint64_t *S = spx_maskset_row(s->co.masks, r);
        for (size_t j = 0; j < count; j++) {
          unsigned i = spx_baseline_intersect(S, spx_baseline_ilist_at(&l, first + j), t, NULL);
          double wt = exp(-log((double)(n - t + 1)) -
                          gsl_sf_lnchoose((unsigned)(n - t), (unsigned)(size[r] - i)));
          sii[first + j] += (((t - i) & 1) ? -wt : wt) * res[r];
        }
      }
    for (size_t r = 0; r < N; r++) {
      kiq_row(&ctx, r, x);
      double f = 0.0;
      for (size_t j = 0; j < count; j++) f += x[j] * sii[first + j];
      res[r] -= f;
    }
  }
  if (rc) goto done;
  if (s->index == SPX_BASELINE_IX_KSII) {
    val = malloc((l.p ? l.p : 1) * sizeof *val);
    if (val == NULL) {
      rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
      goto done;
    }
    rc = spx_baseline_ksii_from_sii(&l, sii, val, err);
    if (rc) goto done;
  }
  for (size_t j = 0; j < l.p; j++)
    if (!isfinite(val ? val[j] : sii[j])) {
      rc = spx_error_set(err, SPX_ERANGE, "kernelshap_iq: non-finite estimate (interaction %zu)",
                         j);
      goto done;
    }
  rc = spx_baseline_ilist_transform(&l, val ? val : sii, v0, out, err);
done:
  free(res);
  free(yfit);
  free(w);
  free(sii);
  free(x);
  free(val);
  free(size);
  free(hard);
  spx_baseline_ilist_free(&l);
  return rc;
}

static int kiq_configure(size_t n, spx_options *opts, void *cfg, spx_error *err) {
  return spx_baseline_reg_configure(n, opts, 1, cfg, err);
}

static int kiq_applicable(size_t n, size_t budget, const void *cfg, char *why, size_t whylen) {
  return spx_baseline_reg_applicable(n, budget, cfg, 1, why, whylen);
}

const spx_method_type spx_method_kernelshap_iq = {
    .name = "kernelshap_iq",
    .summary = "KernelSHAP-IQ: SII or k-SII by shapiq's order-by-order kernel regression",
    .options = kiq_options,
    .cfg_size = sizeof(spx_baseline_cfg),
    .configure = kiq_configure,
    .estimates = spx_baseline_estimates,
    .applicable = kiq_applicable,
    .begin = spx_baseline_reg_begin,
    .step = spx_baseline_step,
    .finish = kiq_finish,
    .destroy = spx_baseline_reg_destroy};
