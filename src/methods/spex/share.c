/* share.c: SPEX's decoding work as jobs that the ranks of a group can share (core/jobs.h):
 * the normalised WHT of every (group, delay) row ("spex.wht", one job per row) and the first
 * classification pass over every bin ("spex.bins", one job per block of bins). Each job is a
 * pure function of its input bytes, so the bins and the decoded transform do not depend on
 * how many ranks ran them; with no runner both run here through the same code. */
#include <stdlib.h>
#include <string.h>

#include "../../core/mask.h"
#include "../../core/wht.h"
#include "spex_internal.h"

/* ---- spex.wht: input = b (u64), rows (u64), raw samples rows x 2^b --------------------- */

typedef struct {
  unsigned b;
  size_t rows;
  const double *raw;
  spx_wht_plan *plan;
} wht_ctx;

static void wht_close(void *vctx) {
  wht_ctx *c = vctx;
  if (c == NULL) return;
  spx_wht_plan_destroy(&c->plan);
  free(c);
}

static int wht_open(const void *input, size_t len, void **out, spx_error *err) {
  *out = NULL;
  spx_bytes_reader r = {input, len, 0, 0};
  uint64_t b = 0, rows = 0;
  spx_bytes_get(&r, &b, sizeof b);
  spx_bytes_get(&r, &rows, sizeof rows);
  if (r.failed || b > SPX_SPEX_BMAX || rows > len ||
      len - r.at != (rows << b) * sizeof(double))
    return spx_error_set(err, SPX_EINVAL, "spex.wht: malformed job input");
  wht_ctx *c = calloc(1, sizeof *c);
  SPX_CHECK_ALLOC(c, err);
  c->b = (unsigned)b;
  c->rows = (size_t)rows;
  c->raw = spx_bytes_get(&r, NULL, len - r.at);
  c->plan = spx_wht_plan_create(c->b, err);
  if (c->plan == NULL) {
    wht_close(c);
    return err ? err->code : SPX_ENOMEM;
  }
  *out = c;
  return SPX_OK;
}

static int wht_run(void *vctx, size_t job, void *result, size_t size, spx_error *err) {
  wht_ctx *c = vctx;
  size_t nb = (size_t)1 << c->b;
  if (job >= c->rows || size != nb * sizeof(double))
    return spx_error_set(err, SPX_EINVAL, "spex.wht: job %zu of %zu", job, c->rows);
  double *out = result;
  memcpy(out, c->raw + job * nb, nb * sizeof *out);
  spx_wht_execute(c->plan, out);
  double scale = 1.0 / (double)nb;
  for (size_t j = 0; j < nb; j++) out[j] *= scale;
  return SPX_OK;
}

const spx_jobs_type spx_jobs_spex_wht = {
    .name = "spex.wht", .open = wht_open, .run = wht_run, .close = wht_close};

int spx_spex_transform_rows(const spx_spex_design *d, spx_spex_bins *bins, const double *raw,
                            const spx_jobs_runner *jobs, spx_error *err) {
  size_t nb = (size_t)1 << d->b, P1 = (size_t)d->p + 1, rows = (size_t)d->groups * P1;
  uint64_t hdr[2] = {d->b, rows};
  spx_bytes in = {0};
  spx_bytes_put(&in, hdr, sizeof hdr);
  spx_bytes_put(&in, raw, rows * nb * sizeof *raw);
  double *res = malloc(rows * nb * sizeof *res);
  int rc = (res && !in.failed) ? SPX_OK
                               : spx_error_set(err, SPX_ENOMEM, "out of memory for the SPEX rows");
  if (rc == SPX_OK)
    rc = spx_jobs_run(jobs, &spx_jobs_spex_wht, in.data, in.len, rows, nb * sizeof *res, res,
                      err);
  if (rc == SPX_OK)
    for (size_t q = 0; q < rows; q++) {
      size_t c = q / P1, r = q % P1;
      double *U = bins->U + (c << d->b) * P1 + r;
      for (size_t j = 0; j < nb; j++) U[j * P1] = res[q * nb + j];
    }
  free(res);
  spx_bytes_free(&in);
  return rc;
}

/* ---- spex.bins ---------------------------------------------------------------------------- */

/* Bins per job: small enough to balance over a few ranks, large enough that a job is not
 * dominated by its bookkeeping. The results do not depend on it. */
#define BINS_PER_JOB 64

typedef struct {
  uint64_t n, t, b, groups, p;
  spx_spex_decode_opts o;
  double cutoff;
} bins_hdr;

typedef struct {
  bins_hdr h;
  spx_spex_design d; /* code and hash only (what classification uses) */
  double *U; /* a copy: in the input it may be misaligned */
  double *scratch;
} bins_ctx;

static void bins_close(void *vctx) {
  bins_ctx *c = vctx;
  if (c == NULL) return;
  spx_bch_destroy(&c->d.code);
  free(c->d.hash);
  free(c->U);
  free(c->scratch);
  free(c);
}

static int bins_open(const void *input, size_t len, void **out, spx_error *err) {
  *out = NULL;
  spx_bytes_reader r = {input, len, 0, 0};
  bins_hdr h;
  spx_bytes_get(&r, &h, sizeof h);
  if (r.failed || h.n == 0 || h.n > len || h.b > SPX_SPEX_BMAX || h.groups == 0 ||
      h.groups > SPX_SPEX_CMAX || h.t == 0 || h.t > SPX_BCH_TMAX)
    return spx_error_set(err, SPX_EINVAL, "spex.bins: malformed job input");
  bins_ctx *c = calloc(1, sizeof *c);
  SPX_CHECK_ALLOC(c, err);
  c->h = h;
  c->d.n = (size_t)h.n;
  c->d.words = spx_mask_words(c->d.n);
  c->d.b = (unsigned)h.b;
  c->d.groups = (unsigned)h.groups;
  c->d.code = spx_bch_create(c->d.n, (unsigned)h.t, err);
  if (c->d.code == NULL) {
    bins_close(c);
    return err ? err->code : SPX_ENOMEM;
  }
  c->d.p = c->d.code->p;
  size_t P1 = (size_t)c->d.p + 1, nhash = (size_t)h.groups * c->d.n;
  size_t nU = ((size_t)h.groups << h.b) * P1;
  c->d.hash = malloc(nhash * sizeof *c->d.hash);
  c->scratch = malloc(2 * P1 * sizeof *c->scratch);
  c->U = malloc(nU * sizeof *c->U);
  if (c->d.hash == NULL || c->scratch == NULL || c->U == NULL) {
    bins_close(c);
    return spx_error_set(err, SPX_ENOMEM, "out of memory for the SPEX bins job");
  }
  spx_bytes_get(&r, c->d.hash, nhash * sizeof *c->d.hash);
  spx_bytes_get(&r, c->U, nU * sizeof *c->U);
  if (r.failed || r.at != len || c->d.p != h.p) {
    bins_close(c);
    return spx_error_set(err, SPX_EINVAL, "spex.bins: malformed job input");
  }
  *out = c;
  return SPX_OK;
}

static int bins_run(void *vctx, size_t job, void *result, size_t size, spx_error *err) {
  bins_ctx *c = vctx;
  size_t nb = (size_t)1 << c->d.b, total = (size_t)c->d.groups * nb, P1 = (size_t)c->d.p + 1;
  size_t first = job * BINS_PER_JOB;
  if (first >= total || size != BINS_PER_JOB * sizeof(spx_spex_bin_result))
    return spx_error_set(err, SPX_EINVAL, "spex.bins: job %zu", job);
  spx_spex_bin_result *out = result;
  memset(out, 0, size);
  for (size_t i = first; i < total && i < first + BINS_PER_JOB; i++) {
    unsigned g = (unsigned)(i / nb);
    uint32_t j = (uint32_t)(i % nb);
    spx_spex_classify(&c->d, &c->h.o, g, j, c->U + i * P1, c->h.cutoff, c->scratch,
                      &out[i - first]);
  }
  return SPX_OK;
}

const spx_jobs_type spx_jobs_spex_bins = {
    .name = "spex.bins", .open = bins_open, .run = bins_run, .close = bins_close};

int spx_spex_first_pass(const spx_spex_design *d, const spx_spex_bins *bins,
                        const spx_spex_decode_opts *o, const spx_jobs_runner *jobs,
                        spx_spex_bin_result **out, spx_error *err) {
  *out = NULL;
  size_t total = (size_t)d->groups << d->b;
  size_t njobs = (total + BINS_PER_JOB - 1) / BINS_PER_JOB;
  bins_hdr h;
  memset(&h, 0, sizeof h);
  h.n = d->n;
  h.t = d->code->t;
  h.b = d->b;
  h.groups = d->groups;
  h.p = d->p;
  h.o.decoder = o->decoder; /* field by field: no padding bytes go into the input */
  h.o.chase_depth = o->chase_depth;
  h.o.chase_select = o->chase_select;
  h.o.max_iter = o->max_iter;
  h.o.res_cutoff = o->res_cutoff;
  h.o.zero_tol = o->zero_tol;
  h.o.trap_exit = o->trap_exit;
  h.cutoff = spx_spex_cutoff(bins, o, d, NULL);
  spx_bytes in = {0};
  spx_bytes_put(&in, &h, sizeof h);
  spx_bytes_put(&in, d->hash, (size_t)d->groups * d->n * sizeof *d->hash);
  spx_bytes_put(&in, bins->U, bins->count * sizeof *bins->U);
  spx_spex_bin_result *res = malloc(njobs * BINS_PER_JOB * sizeof *res);
  int rc = (res && !in.failed) ? SPX_OK
                               : spx_error_set(err, SPX_ENOMEM, "out of memory for the SPEX bins");
  if (rc == SPX_OK)
    rc = spx_jobs_run(jobs, &spx_jobs_spex_bins, in.data, in.len, njobs,
                      BINS_PER_JOB * sizeof *res, res, err);
  spx_bytes_free(&in);
  if (rc) {
    free(res);
    return rc;
  }
  *out = res;
  return SPX_OK;
}
