/* grid.c: the experiment grid runner behind the faithfulness, recovery and scaling drivers.
 *
 * Work comes in two kinds of task: the setup of an instance (open the oracle, draw the
 * held-out test masks, evaluate them) and a cell (instance, method, budget, repeat). The
 * coordinator (world rank 0) hands tasks to groups dynamically, a cell only once its
 * instance is set up, and writes every answer to the HDF5 file as it arrives. Unless it is
 * dedicated, the coordinator also leads group 0: it runs its own tasks through the same
 * functions and the same messages as the other groups (handled locally), and serves the
 * other groups between pieces of its oracle work (spx_par_set_poll) and between tasks, so a
 * serial run and a parallel run produce the same file. Every random choice comes from
 * spx_rng_stream with coordinates of the task, never from a rank. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/convert.h"
#include "core/metrics.h"
#include "core/rng.h"
#include "core/memusage.h"
#include "core/timer.h"
#include "io/results.h"
#include "pruning.h"
#include "run.h"

#ifndef SPX_VERSION
#define SPX_VERSION "unknown"
#endif
#ifndef SPX_GIT_COMMIT
#define SPX_GIT_COMMIT "unknown"
#endif

enum { TAG_REQUEST = 11, TAG_TASK = 12, TAG_SETUP_DONE = 13, TAG_CELL_DONE = 14 };
enum { TASK_STOP = 0, TASK_SETUP = 1, TASK_CELL = 2 };
/* Answer (status of a cell, rc of a setup) of a group whose oracle is lost (it could not be
 * reopened after a failure): the task goes back to the queue and the group gets no more. */
enum { ANSWER_RETURNED = -1 };

typedef struct {
  int64_t kind, instance, method, budget, repeat, samples, ntest;
} task_msg;

/* ---- byte buffers (core/jobs.h's writer and reader) ---------------------------------------- */

typedef spx_bytes wbuf;
typedef spx_bytes_reader rbuf;

/* A malloc'd copy of the next n bytes (NULL and bad on shortage or out of memory). */
static void *rdup(rbuf *b, size_t n) {
  void *q = malloc(n ? n : 1);
  if (q == NULL) {
    b->failed = 1;
    return NULL;
  }
  spx_bytes_get(b, q, n);
  if (b->failed) {
    free(q);
    return NULL;
  }
  return q;
}

/* A malloc'd NUL-terminated copy of the next n bytes. */
static char *rstr(rbuf *b, size_t n) {
  char *q = malloc(n + 1);
  if (q == NULL) {
    b->failed = 1;
    return NULL;
  }
  spx_bytes_get(b, q, n);
  q[n] = '\0';
  if (b->failed) {
    free(q);
    return NULL;
  }
  return q;
}

/* ---- shared helpers ----------------------------------------------------------------------- */

/* Stream coordinate of an instance: the oracle's explicand number, and the scaling point in
 * the high bits, so the same explicand draws the same streams whatever explicands.first is. */
static uint64_t stream_instance(const spx_config *cfg, size_t instance) {
  return (uint64_t)spx_config_instance_explicand(cfg, instance) |
         ((uint64_t)spx_config_instance_scaling(cfg, instance) << 40);
}

/* The held-out test masks of an instance: uniform over {0,1}^n. */
int spx_grid_test_masks(const spx_config *cfg, size_t instance, size_t n, spx_maskset **out,
                        spx_error *err) {
  *out = NULL;
  spx_maskset *m = spx_maskset_create(n, cfg->test_masks);
  SPX_CHECK_ALLOC(m, err);
  gsl_rng *rng = spx_rng_stream(cfg->seed, stream_instance(cfg, instance),
                                spx_hash_string("test"), 0, 0);
  if (rng == NULL) {
    spx_maskset_destroy(&m);
    return spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  uint64_t last = (n % 64) ? (((uint64_t)1 << (n % 64)) - 1) : ~(uint64_t)0;
  for (size_t i = 0; i < m->count; i++) {
    uint64_t *row = spx_maskset_row(m, i);
    for (size_t w = 0; w < m->words; w++) row[w] = spx_rng_u64(rng);
    row[m->words - 1] &= last;
  }
  gsl_rng_free(rng);
  *out = m;
  return SPX_OK;
}

gsl_rng *spx_grid_cell_rng(const spx_config *cfg, size_t instance, const spx_config_method *m,
                          size_t samples, size_t repeat) {
  return spx_rng_stream(cfg->seed, stream_instance(cfg, instance), spx_hash_string(m->type->name),
                        (uint64_t)samples, (uint64_t)repeat);
}

/* ---- workers -------------------------------------------------------------------------------- */

typedef struct {
  const spx_config *cfg;
  spx_par *par;
  spx_oracle *oracle; /* cached for oracle_instance */
  size_t oracle_instance;
  spx_maskset *test; /* cached test masks of test_instance (leader) */
  size_t test_instance;
} worker;

static int worker_oracle(worker *w, size_t instance, spx_error *err) {
  if (w->oracle && w->oracle_instance == instance) return SPX_OK;
  spx_oracle_destroy(&w->oracle);
  spx_options *opts = spx_config_oracle_options(w->cfg, instance, err);
  if (opts == NULL) return err->code;
  int rc = spx_oracle_open_type(w->cfg->oracle, opts,
                                spx_config_instance_explicand(w->cfg, instance), &w->oracle, err);
  spx_options_destroy(&opts);
  if (rc == SPX_OK) w->oracle_instance = instance;
  return rc;
}

typedef struct {
  spx_par *par;
  spx_oracle *oracle;
} eval_ctx;

static int eval_group(void *vctx, const spx_maskset *masks, double *values, spx_error *err) {
  eval_ctx *c = vctx;
  return spx_par_group_eval(c->par, c->oracle, masks, values, err);
}

/* Setup answer: header, description, labels (NUL-separated), test masks, values, message,
 * then the pruning references (prune_len doubles) and the feature images (n images of
 * img_h x img_w, and one more for the explicand when img_expl). */
typedef struct {
  int64_t instance, rc, n, ntest, desc_len, labels_len, msg_len;
  int64_t prune_len, img_h, img_w, img_expl;
} setup_hdr;

/* The pruning references of an instance (leader, oracle open): out[0] = the full model's
 * accuracy, out[1 + p F + j] = accuracy of random order p at fraction j. */
static int prune_references(worker *w, size_t instance, double *out, spx_error *err) {
  const spx_config *cfg = w->cfg;
  size_t n = w->oracle->n, F = cfg->nprune;
  uint32_t *order = malloc((n ? n : 1) * sizeof *order);
  SPX_CHECK_ALLOC(order, err);
  for (size_t i = 0; i < n; i++) order[i] = (uint32_t)i;
  const double one = 1.0;
  int rc = spx_pruning_curve(w->oracle, order, n, &one, 1, out, err);
  for (size_t p = 0; rc == SPX_OK && p < cfg->prune_random; p++) {
    rc = spx_pruning_random_order(cfg->seed, stream_instance(cfg, instance), p, n, order, err);
    if (rc == SPX_OK)
      rc = spx_pruning_curve(w->oracle, order, n, cfg->prune_fractions, F, out + 1 + p * F, err);
  }
  free(order);
  return rc;
}

static void setup_failure(wbuf *out, size_t instance, const spx_error *e) {
  setup_hdr h = {(int64_t)instance, e->code ? e->code : SPX_EINTERNAL, 0, 0, 0, 0,
                 (int64_t)strlen(e->msg), 0, 0, 0, 0};
  spx_bytes_put(out, &h, sizeof h);
  spx_bytes_put(out, e->msg, strlen(e->msg));
}

/* Collective (group). The leader fills out. */
static void task_setup(worker *w, const task_msg *t, wbuf *out) {
  spx_par *par = w->par;
  int leader = spx_par_group_rank(par) == 0;
  spx_error e = {0};
  int rc = worker_oracle(w, (size_t)t->instance, &e);
  rc = spx_par_group_agree(par, rc, &e);
  if (rc) {
    if (leader) setup_failure(out, (size_t)t->instance, &e);
    return;
  }
  if (!leader) {
    spx_par_group_serve(par, w->oracle, &e);
    return;
  }
  size_t n = w->oracle->n;
  spx_maskset *test = NULL;
  double *values = NULL;
  rc = spx_grid_test_masks(w->cfg, (size_t)t->instance, n, &test, &e);
  if (rc == SPX_OK) {
    values = malloc(test->count * sizeof *values);
    rc = values ? spx_par_group_eval(par, w->oracle, test, values, &e)
                : spx_error_set(&e, SPX_ENOMEM, "out of memory");
  }
  spx_par_group_release(par, NULL);
  if (rc && spx_oracle_lost(w->oracle)) { /* not the instance's fault: give it back */
    spx_error_prefix(&e, "explicand %zu", spx_config_instance_explicand(w->cfg, (size_t)t->instance));
    e.code = ANSWER_RETURNED;
    setup_failure(out, (size_t)t->instance, &e);
    free(values);
    spx_maskset_destroy(&test);
    spx_oracle_destroy(&w->oracle);
    return;
  }
  size_t prune_len = w->cfg->nprune ? 1 + w->cfg->prune_random * w->cfg->nprune : 0;
  double *prune = NULL;
  if (rc == SPX_OK && prune_len) {
    prune = malloc(prune_len * sizeof *prune);
    rc = prune ? prune_references(w, (size_t)t->instance, prune, &e)
               : spx_error_set(&e, SPX_ENOMEM, "out of memory");
    if (rc) spx_error_prefix(&e, "pruning references");
  }
  size_t img_h = 0, img_w = 0;
  const double *img_feat = NULL, *img_expl = NULL;
  if (rc == SPX_OK) spx_oracle_images(w->oracle, &img_h, &img_w, &img_feat, &img_expl);
  if (rc) {
    spx_error_prefix(&e, "explicand %zu", spx_config_instance_explicand(w->cfg, (size_t)t->instance));
    setup_failure(out, (size_t)t->instance, &e);
  } else {
    const char *desc = w->oracle->explicand ? w->oracle->explicand : "";
    size_t labels_len = 0;
    char buf[32];
    for (size_t i = 0; i < n; i++) labels_len += strlen(spx_oracle_label(w->oracle, i, buf, sizeof buf)) + 1;
    setup_hdr h = {t->instance, 0, (int64_t)n, (int64_t)test->count, (int64_t)strlen(desc),
                   (int64_t)labels_len, 0, (int64_t)prune_len, (int64_t)(img_feat ? img_h : 0),
                   (int64_t)(img_feat ? img_w : 0), img_feat && img_expl};
    spx_bytes_put(out, &h, sizeof h);
    spx_bytes_put(out, desc, strlen(desc));
    for (size_t i = 0; i < n; i++) {
      const char *l = spx_oracle_label(w->oracle, i, buf, sizeof buf);
      spx_bytes_put(out, l, strlen(l) + 1);
    }
    spx_bytes_put(out, test->bits, test->count * test->words * sizeof *test->bits);
    spx_bytes_put(out, values, test->count * sizeof *values);
    spx_bytes_put(out, prune, prune_len * sizeof *prune);
    if (img_feat) spx_bytes_put(out, img_feat, n * img_h * img_w * sizeof *img_feat);
    if (img_feat && img_expl) spx_bytes_put(out, img_expl, img_h * img_w * sizeof *img_expl);
  }
  free(prune);
  free(values);
  spx_maskset_destroy(&test);
}

/* Cell answer: header, four doubles, transform arrays, message. */
typedef struct {
  int64_t method, instance, budget, repeat, status, queries, basis, n, nterms, nindices, msg_len;
  double r2, time_decode, time_oracle, coef_error, precision, recall, kendall_tau;
  double peak_rss_mib;
} cell_hdr;

static void cell_answer(wbuf *out, cell_hdr *h, const char *msg, const spx_transform *t) {
  size_t nterms = 0, nindices = 0;
  size_t *order = NULL;
  if (t) {
    nterms = spx_transform_size(t);
    order = malloc((nterms ? nterms : 1) * sizeof *order);
    if (order == NULL || spx_transform_sorted(t, order, NULL) != SPX_OK) {
      free(order);
      order = NULL;
      t = NULL;
      nterms = 0;
      h->status = SPX_CELL_FAILED;
      msg = "out of memory storing the transform";
    } else {
      for (size_t k = 0; k < nterms; k++) {
        const uint32_t *idx;
        uint32_t d;
        double v;
        spx_transform_entry(t, order[k], &idx, &d, &v);
        nindices += d;
      }
    }
  }
  h->nterms = (int64_t)nterms;
  h->nindices = (int64_t)nindices;
  h->msg_len = msg ? (int64_t)strlen(msg) : 0;
  spx_bytes_put(out, h, sizeof *h);
  if (t) {
    uint64_t off = 0;
    spx_bytes_put(out, &off, sizeof off);
    for (size_t k = 0; k < nterms; k++) {
      const uint32_t *idx;
      uint32_t d;
      double v;
      spx_transform_entry(t, order[k], &idx, &d, &v);
      off += d;
      spx_bytes_put(out, &off, sizeof off);
    }
    for (size_t k = 0; k < nterms; k++) {
      const uint32_t *idx;
      uint32_t d;
      double v;
      spx_transform_entry(t, order[k], &idx, &d, &v);
      spx_bytes_put(out, idx, d * sizeof *idx);
    }
    for (size_t k = 0; k < nterms; k++) {
      const uint32_t *idx;
      uint32_t d;
      double v;
      spx_transform_entry(t, order[k], &idx, &d, &v);
      spx_bytes_put(out, &v, sizeof v);
    }
  }
  if (msg) spx_bytes_put(out, msg, strlen(msg));
  free(order);
}

/* Recovery scores against the oracle's truth (docs/configuration.md): the estimate is
 * converted to the truth's basis when they differ, and its entries below 1e-12 times its
 * largest |coefficient| are dropped as rounding noise (an exact solver leaves ~1e-17 values
 * on the whole support, which would otherwise count as found interactions). */
static int recovery_scores(const spx_transform *est, const spx_transform *truth, cell_hdr *h,
                           spx_error *err) {
  if (truth == NULL) return spx_error_set(err, SPX_EINVAL, "the oracle has no known truth");
  spx_transform *conv = NULL;
  int rc = SPX_OK;
  if (spx_transform_basis(est) == spx_transform_basis(truth)) {
    conv = spx_transform_clone(est);
    if (conv == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory");
  } else {
    if (spx_transform_basis(truth) == SPX_BASIS_FOURIER && spx_transform_basis(est) == SPX_BASIS_MOEBIUS)
      rc = spx_moebius_to_fourier(est, &conv, err);
    else if (spx_transform_basis(truth) == SPX_BASIS_MOEBIUS && spx_transform_basis(est) == SPX_BASIS_FOURIER)
      rc = spx_fourier_to_moebius(est, &conv, err);
    else
      rc = spx_error_set(err, SPX_EINVAL, "cannot compare an interaction index with the truth");
    if (rc) return rc;
  }
  double big = 0.0;
  for (size_t k = 0; k < spx_transform_size(conv); k++) {
    const uint32_t *idx;
    uint32_t d;
    double v;
    spx_transform_entry(conv, k, &idx, &d, &v);
    if (fabs(v) > big) big = fabs(v);
  }
  rc = spx_transform_prune(conv, 1e-12 * big, 1, err);
  if (rc) {
    spx_transform_destroy(&conv);
    return rc;
  }
  est = conv;
  spx_coef_error ce;
  spx_support_score ss;
  double tau = NAN;
  rc = spx_coefficient_error(est, truth, 0, &ce, err);
  if (rc == SPX_OK) rc = spx_support_recovery(est, truth, 0, &ss, err);
  if (rc == SPX_OK) rc = spx_transform_kendall_tau(est, truth, 0, &tau, NULL, err);
  if (rc == SPX_OK) {
    h->coef_error = ce.rel_l2;
    h->precision = ss.precision;
    h->recall = ss.recall;
    h->kendall_tau = tau;
  }
  spx_transform_destroy(&conv);
  return rc;
}

/* Pruning of an ok cell (docs/configuration.md "[pruning]"): rank the components by the
 * transform and measure the task accuracy at each fraction kept. */
static int cell_pruning(worker *w, const spx_transform *tr, size_t n, uint32_t *order,
                        double *acc, spx_error *err) {
  const spx_config *cfg = w->cfg;
  double *scores = malloc((n ? n : 1) * sizeof *scores);
  SPX_CHECK_ALLOC(scores, err);
  int rc = spx_pruning_scores(tr, (spx_prune_rank)cfg->prune_rank_by, n, scores, err);
  if (rc == SPX_OK) rc = spx_pruning_order(scores, n, order, err);
  if (rc == SPX_OK)
    rc = spx_pruning_curve(w->oracle, order, n, cfg->prune_fractions, cfg->nprune, acc, err);
  free(scores);
  return rc;
}

/* The pruning block of an ok cell's answer: count (F), F accuracies, n ranked components. */
static void cell_answer_pruning(wbuf *out, const double *acc, size_t F, const uint32_t *order,
                                size_t n) {
  int64_t count = (int64_t)F;
  spx_bytes_put(out, &count, sizeof count);
  spx_bytes_put(out, acc, F * sizeof *acc);
  spx_bytes_put(out, order, n * sizeof *order);
}

/* The numerical guard (issue #14): a cell is ok only when every number it stores is finite. */
static int finite_transform(const spx_transform *t, spx_error *err) {
  for (size_t k = 0; k < spx_transform_size(t); k++) {
    const uint32_t *idx;
    uint32_t d;
    double v;
    spx_transform_entry(t, k, &idx, &d, &v);
    if (!isfinite(v))
      return spx_error_set(err, SPX_ERANGE, "the method returned a non-finite coefficient (%g, "
                           "of an interaction of order %u)", v, d);
  }
  return SPX_OK;
}

static int finite_scores(const double *pred, size_t count, double r2, spx_error *err) {
  for (size_t i = 0; i < count; i++)
    if (!isfinite(pred[i]))
      return spx_error_set(err, SPX_ERANGE, "the transform predicts %g for test mask %zu",
                           pred[i], i);
  if (!isfinite(r2))
    return spx_error_set(err, SPX_ERANGE, "R2 on the test masks is %g (constant test values?)",
                         r2);
  return SPX_OK;
}

/* Collective (group). The leader fills out. test_values: the instance's (leader only). */
static void task_cell(worker *w, const task_msg *t, const double *test_values, wbuf *out) {
  spx_par *par = w->par;
  const spx_config *cfg = w->cfg;
  int leader = spx_par_group_rank(par) == 0;
  const spx_config_method *m = &cfg->method[t->method];
  cell_hdr h;
  memset(&h, 0, sizeof h);
  h.method = t->method;
  h.instance = t->instance;
  h.budget = t->budget;
  h.repeat = t->repeat;
  h.r2 = h.time_decode = h.time_oracle = h.peak_rss_mib = NAN;
  h.coef_error = h.precision = h.recall = h.kendall_tau = NAN;
  spx_error e = {0};
  int rc = worker_oracle(w, (size_t)t->instance, &e);
  rc = spx_par_group_agree(par, rc, &e);
  if (rc) { /* the instance was set up elsewhere: this group cannot open its oracle */
    spx_oracle_destroy(&w->oracle);
    if (leader) {
      h.status = ANSWER_RETURNED;
      cell_answer(out, &h, e.msg, NULL);
    }
    return;
  }
  if (!leader) {
    spx_par_group_serve(par, w->oracle, &e);
    return;
  }
  size_t n = w->oracle->n;
  spx_peak_rss_reset(); /* the cell's peak: the method, its scoring and pruning */
  gsl_rng *rng = spx_grid_cell_rng(cfg, (size_t)t->instance, m, (size_t)t->samples,
                                  (size_t)t->repeat);
  spx_options *opts = spx_options_clone(m->opts);
  spx_transform *tr = NULL;
  double *prune_acc = NULL;
  uint32_t *prune_order = NULL;
  spx_method_stats stats;
  memset(&stats, 0, sizeof stats);
  eval_ctx ctx = {par, w->oracle};
  spx_jobs_runner jobs = spx_par_jobs_runner(par); /* method jobs over the group's ranks */
  if (rng == NULL || opts == NULL)
    rc = spx_error_set(&e, SPX_ENOMEM, "out of memory");
  else
    rc = spx_method_run_jobs(m->type, n, (size_t)t->samples, opts, rng, eval_group, &ctx,
                             &jobs, &tr, &stats, &e);
  spx_par_group_release(par, NULL);
  gsl_rng_free(rng);
  spx_options_destroy(&opts);
  h.queries = (int64_t)stats.queries;
  h.time_decode = stats.time_decode;
  h.time_oracle = stats.time_oracle;
  h.n = (int64_t)n;
  if (rc == SPX_ENOTAPPLICABLE) {
    h.status = SPX_CELL_SKIPPED;
  } else if (rc == SPX_OK) {
    /* Score on the held-out set. */
    if (w->test == NULL || w->test_instance != (size_t)t->instance) {
      spx_maskset_destroy(&w->test);
      rc = spx_grid_test_masks(cfg, (size_t)t->instance, n, &w->test, &e);
      w->test_instance = (size_t)t->instance;
    }
    double *pred = rc ? NULL : malloc(w->test->count * sizeof *pred);
    if (rc == SPX_OK && pred == NULL) rc = spx_error_set(&e, SPX_ENOMEM, "out of memory");
    if (rc == SPX_OK) rc = finite_transform(tr, &e);
    if (rc == SPX_OK) rc = spx_transform_predict(tr, w->test, pred, &e);
    if (rc == SPX_OK) h.r2 = spx_r2(test_values, pred, w->test->count);
    if (rc == SPX_OK) rc = finite_scores(pred, w->test->count, h.r2, &e);
    /* recovery: against the truth (required); scaling: when the oracle knows it */
    if (rc == SPX_OK && (cfg->kind == SPX_EXP_RECOVERY ||
                         (cfg->kind == SPX_EXP_SCALING && spx_oracle_truth(w->oracle))))
      rc = recovery_scores(tr, spx_oracle_truth(w->oracle), &h, &e);
    if (rc == SPX_OK && cfg->nprune) {
      prune_acc = malloc(cfg->nprune * sizeof *prune_acc);
      prune_order = malloc((n ? n : 1) * sizeof *prune_order);
      rc = prune_acc && prune_order ? cell_pruning(w, tr, n, prune_order, prune_acc, &e)
                                    : spx_error_set(&e, SPX_ENOMEM, "out of memory");
    }
    if (rc == SPX_OK) {
      h.status = SPX_CELL_OK;
      h.basis = spx_transform_basis(tr);
    } else {
      spx_error_prefix(&e, "scoring %s", m->label);
      h.status = SPX_CELL_FAILED;
    }
    free(pred);
  } else if (spx_oracle_lost(w->oracle)) {
    h.status = ANSWER_RETURNED; /* another group runs it; this one stops */
  } else {
    h.status = SPX_CELL_FAILED;
  }
  h.peak_rss_mib = spx_peak_rss_mib();
  cell_answer(out, &h, h.status == SPX_CELL_OK ? NULL : e.msg,
              h.status == SPX_CELL_OK ? tr : NULL);
  if (h.status == SPX_CELL_OK && cfg->nprune)
    cell_answer_pruning(out, prune_acc, cfg->nprune, prune_order, n);
  free(prune_acc);
  free(prune_order);
  spx_transform_destroy(&tr);
}

/* ---- the coordinator ------------------------------------------------------------------------ */

enum { INST_PENDING = 0, INST_RUNNING = 1, INST_READY = 2, INST_FAILED = 3 };

typedef struct {
  const spx_config *cfg;
  const spx_run_options *opt;
  spx_results *res;
  size_t I, M, B, R, T, per_instance;
  /* per cell, indexed ((i * M + m) * B + b) * R + r */
  unsigned char *cell_state; /* 0 todo, 1 running, 2 finished */
  int *status;
  double *r2, *tdec;
  uint64_t *queries;
  /* per instance */
  unsigned char *inst;
  double *test_values; /* I x T */
  uint64_t *budget;    /* I x B */
  size_t *next;        /* first position in order of the instance that may still be todo */
  size_t *order;       /* per_instance cells of an instance, the largest budgets first */
  size_t scan;         /* first instance that may still have work */
  unsigned char *waiting; /* per group: its leader waits for a task */
  unsigned char *retired; /* per group: its oracle is lost, it gets no more tasks */
  size_t groups_lost;
  spx_error first_lost; /* why the first group stopped */
  size_t todo_cells, done_cells, failed;
  size_t nfail_shown;
  char fail_lines[5][SPX_ERRMSG_LEN + 96]; /* the first failed cells, for the summary */
  double t0;
  int fatal;
  spx_error fatal_err;
} coordinator;

static size_t cell_id(const coordinator *c, size_t i, size_t m, size_t b, size_t r) {
  return ((i * c->M + m) * c->B + b) * c->R + r;
}

/* The next task for a group: 1 with *t filled, 0 when nothing can be handed out now. */
static int next_task(coordinator *c, task_msg *t) {
  while (c->scan < c->I && c->inst[c->scan] != INST_PENDING && c->inst[c->scan] != INST_RUNNING &&
         c->next[c->scan] >= c->per_instance)
    c->scan++;
  for (size_t i = c->scan; i < c->I; i++) {
    if (c->inst[i] == INST_PENDING) {
      c->inst[i] = INST_RUNNING;
      memset(t, 0, sizeof *t);
      t->kind = TASK_SETUP;
      t->instance = (int64_t)i;
      return 1;
    }
    if (c->inst[i] != INST_READY) continue;
    size_t base = i * c->per_instance;
    while (c->next[i] < c->per_instance && c->cell_state[base + c->order[c->next[i]]] != 0)
      c->next[i]++;
    if (c->next[i] >= c->per_instance) continue;
    size_t k = c->order[c->next[i]++];
    c->cell_state[base + k] = 1;
    t->kind = TASK_CELL;
    t->instance = (int64_t)i;
    t->method = (int64_t)(k / (c->B * c->R));
    t->budget = (int64_t)((k / c->R) % c->B);
    t->repeat = (int64_t)(k % c->R);
    t->samples = (int64_t)c->budget[i * c->B + (size_t)t->budget];
    t->ntest = (int64_t)c->T;
    return 1;
  }
  return 0;
}

static int work_left(const coordinator *c) { return c->done_cells < c->todo_cells; }

static void set_fatal(coordinator *c, const spx_error *e) {
  if (c->fatal) return;
  c->fatal = 1;
  c->fatal_err = *e;
}

static void progress(coordinator *c, size_t i, size_t m, size_t b, size_t r, int status,
                     double r2) {
  if (c->opt->quiet || c->opt->errout == NULL) return;
  double el = spx_time_now() - c->t0;
  double eta = c->done_cells ? el / (double)c->done_cells * (double)(c->todo_cells - c->done_cells) : 0;
  static const char *const names[] = {"pending", "ok", "skipped", "failed"};
  fprintf(c->opt->errout, "[%zu/%zu] %3.0f%% elapsed %.1fs ETA %.1fs | %s budget %zu explicand %zu repeat %zu: %s",
          c->done_cells, c->todo_cells,
          c->todo_cells ? 100.0 * (double)c->done_cells / (double)c->todo_cells : 100.0, el, eta,
          c->cfg->method[m].label, (size_t)c->budget[i * c->B + b],
          spx_config_instance_explicand(c->cfg, i), r, names[status & 3]);
  if (status == SPX_CELL_OK) fprintf(c->opt->errout, " R2 = %.4f", r2);
  fputc('\n', c->opt->errout);
  fflush(c->opt->errout);
}

/* Record a finished cell (in memory and in the file). */
static void finish_cell(coordinator *c, size_t i, size_t m, size_t b, size_t r,
                        const spx_cell_result *cell) {
  size_t id = cell_id(c, i, m, b, r);
  c->cell_state[id] = 2;
  c->status[id] = cell->status;
  c->r2[id] = cell->r2;
  c->tdec[id] = cell->time_decode;
  c->queries[id] = cell->queries;
  if (cell->status == SPX_CELL_FAILED) {
    c->failed++;
    if (c->nfail_shown < sizeof c->fail_lines / sizeof c->fail_lines[0])
      snprintf(c->fail_lines[c->nfail_shown++], sizeof c->fail_lines[0],
               "%s budget %zu explicand %zu repeat %zu: %s", c->cfg->method[m].label,
               (size_t)c->budget[i * c->B + b], spx_config_instance_explicand(c->cfg, i), r,
               cell->message ? cell->message : "");
  }
  c->done_cells++;
  spx_error e = {0};
  if (!c->fatal && (spx_results_write_cell(c->res, m, i, b, r, cell, &e) ||
                    spx_results_flush(c->res, &e)))
    set_fatal(c, &e);
  progress(c, i, m, b, r, cell->status, cell->r2);
}

/* A group's oracle is lost: its task goes back to the queue (the caller puts it back), the
 * group is told to stop and the run goes on with the others. */
static void group_lost(coordinator *c, size_t g, const char *why) {
  if (c->groups_lost++ == 0) spx_error_set(&c->first_lost, SPX_EORACLE, "%s", why);
  if (g != (size_t)-1) c->retired[g] = 1;
  if (c->opt->errout) {
    fprintf(c->opt->errout, "spex-bench: group %zu stops (its oracle could not be reopened after "
            "a failure; its task goes to another group): %s\n", g, why);
    fflush(c->opt->errout);
  }
}

/* Put a handed-out task back in the queue. */
static void requeue(coordinator *c, size_t i) {
  c->next[i] = 0;
  if (i < c->scan) c->scan = i;
}

static int handle_setup(coordinator *c, size_t g, const void *buf, size_t len) {
  rbuf rb = {buf, len, 0, 0};
  setup_hdr h;
  spx_bytes_get(&rb, &h, sizeof h);
  if (rb.failed || h.instance < 0 || (size_t)h.instance >= c->I) {
    spx_error e;
    spx_error_set(&e, SPX_EINTERNAL, "malformed setup answer");
    set_fatal(c, &e);
    return 0;
  }
  size_t i = (size_t)h.instance;
  spx_error e = {0};
  int rc = (int)h.rc;
  char *msg = NULL;
  if (rc == ANSWER_RETURNED) {
    msg = rstr(&rb, (size_t)h.msg_len);
    c->inst[i] = INST_PENDING;
    requeue(c, i);
    group_lost(c, g, msg ? msg : "");
    free(msg);
    return 1;
  }
  if (rc) {
    msg = rstr(&rb, (size_t)h.msg_len);
    spx_error_set(&e, rc, "%s", msg ? msg : "setup failed");
  } else {
    size_t n = (size_t)h.n, T = (size_t)h.ntest, W = spx_mask_words(n);
    char *desc = rstr(&rb, (size_t)h.desc_len);
    char *labels = rdup(&rb, (size_t)h.labels_len);
    uint64_t *masks = rdup(&rb, T * W * sizeof *masks);
    double *values = rdup(&rb, T * sizeof *values);
    const char **lab = malloc((n ? n : 1) * sizeof *lab);
    size_t F = c->cfg->nprune, plen = F ? 1 + c->cfg->prune_random * F : 0;
    size_t ih = (size_t)h.img_h, iw = (size_t)h.img_w;
    double *prune = (size_t)h.prune_len == plen ? rdup(&rb, plen * sizeof *prune) : NULL;
    double *ifeat = ih && iw ? rdup(&rb, n * ih * iw * sizeof *ifeat) : NULL;
    double *iexpl = ih && iw && h.img_expl ? rdup(&rb, ih * iw * sizeof *iexpl) : NULL;
    uint64_t *kept = malloc((F ? F : 1) * sizeof *kept);
    for (size_t j = 0; kept && j < F; j++) kept[j] = spx_pruning_kept(c->cfg->prune_fractions[j], n);
    if (rb.failed || lab == NULL || T != c->T || prune == NULL || kept == NULL) {
      rc = spx_error_set(&e, SPX_EINTERNAL, "malformed setup answer for instance %zu", i);
    } else {
      size_t at = 0;
      for (size_t k = 0; k < n; k++) {
        lab[k] = labels + at;
        at += strlen(labels + at) + 1;
      }
      for (size_t b = 0; rc == SPX_OK && b < c->B; b++) {
        size_t s;
        rc = spx_config_budget(c->cfg, n, b, &s, &e);
        c->budget[i * c->B + b] = s;
      }
      if (rc == SPX_OK) {
        spx_instance_data d = {n, spx_config_instance_explicand(c->cfg, i), desc, lab, T,
                               masks, values, c->budget + i * c->B, kept,
                               plen ? prune[0] : NAN, plen ? prune + 1 : NULL, ih, iw, ifeat,
                               iexpl};
        spx_error we = {0};
        if (!c->fatal && (spx_results_write_instance(c->res, i, &d, &we) ||
                          spx_results_flush(c->res, &we)))
          set_fatal(c, &we);
        memcpy(c->test_values + i * c->T, values, T * sizeof *values);
      }
    }
    free(desc);
    free(labels);
    free(masks);
    free(values);
    free(lab);
    free(prune);
    free(ifeat);
    free(iexpl);
    free(kept);
  }
  if (rc == SPX_OK) {
    c->inst[i] = INST_READY;
  } else {
    /* Every open cell of the instance fails with the setup's message. */
    c->inst[i] = INST_FAILED;
    spx_error_prefix(&e, "setup of explicand %zu failed", spx_config_instance_explicand(c->cfg, i));
    for (size_t k = 0; k < c->per_instance; k++) {
      size_t id = i * c->per_instance + k;
      if (c->cell_state[id] != 0) continue;
      spx_cell_result cell;
      memset(&cell, 0, sizeof cell);
      cell.status = SPX_CELL_FAILED;
      cell.message = e.msg;
      cell.r2 = cell.time_decode = cell.time_oracle = cell.peak_rss_mib = NAN;
      cell.coef_error = cell.precision = cell.recall = cell.kendall_tau = NAN;
      size_t m = k / (c->B * c->R), b = (k / c->R) % c->B, r = k % c->R;
      finish_cell(c, i, m, b, r, &cell);
    }
    c->next[i] = c->per_instance;
  }
  free(msg);
  return 0;
}

static int handle_cell(coordinator *c, size_t g, const void *buf, size_t len) {
  rbuf rb = {buf, len, 0, 0};
  cell_hdr h;
  spx_bytes_get(&rb, &h, sizeof h);
  if (rb.failed || h.instance < 0 || (size_t)h.instance >= c->I || h.method < 0 ||
      (size_t)h.method >= c->M || h.budget < 0 || (size_t)h.budget >= c->B || h.repeat < 0 ||
      (size_t)h.repeat >= c->R) {
    spx_error e;
    spx_error_set(&e, SPX_EINTERNAL, "malformed cell answer");
    set_fatal(c, &e);
    return 0;
  }
  if (h.status == ANSWER_RETURNED) {
    char *why = rstr(&rb, (size_t)h.msg_len);
    size_t i = (size_t)h.instance;
    c->cell_state[cell_id(c, i, (size_t)h.method, (size_t)h.budget, (size_t)h.repeat)] = 0;
    requeue(c, i);
    group_lost(c, g, why ? why : "");
    free(why);
    return 1;
  }
  spx_cell_result cell;
  memset(&cell, 0, sizeof cell);
  cell.status = (int)h.status;
  cell.r2 = h.r2;
  cell.time_decode = h.time_decode;
  cell.time_oracle = h.time_oracle;
  cell.peak_rss_mib = h.peak_rss_mib;
  cell.coef_error = h.coef_error;
  cell.precision = h.precision;
  cell.recall = h.recall;
  cell.kendall_tau = h.kendall_tau;
  cell.queries = (uint64_t)h.queries;
  uint64_t *offsets = NULL;
  uint32_t *indices = NULL;
  double *coefs = NULL;
  if (h.status == SPX_CELL_OK) {
    offsets = rdup(&rb, ((size_t)h.nterms + 1) * sizeof *offsets);
    indices = rdup(&rb, (size_t)h.nindices * sizeof *indices);
    coefs = rdup(&rb, (size_t)h.nterms * sizeof *coefs);
    cell.has_transform = 1;
    cell.basis = (int)h.basis;
    cell.n = (uint32_t)h.n;
    cell.nterms = (size_t)h.nterms;
    cell.offsets = offsets;
    cell.indices = indices;
    cell.coefficients = coefs;
  }
  char *msg = rstr(&rb, (size_t)h.msg_len);
  cell.message = msg;
  double *prune_acc = NULL;
  uint32_t *prune_order = NULL;
  if (h.status == SPX_CELL_OK && c->cfg->nprune) {
    int64_t count = 0;
    spx_bytes_get(&rb, &count, sizeof count);
    if ((size_t)count != c->cfg->nprune) rb.failed = 1;
    prune_acc = rb.failed ? NULL : rdup(&rb, c->cfg->nprune * sizeof *prune_acc);
    prune_order = rb.failed ? NULL : rdup(&rb, (size_t)h.n * sizeof *prune_order);
    cell.prune_accuracy = prune_acc;
    cell.prune_order = prune_order;
  }
  if (rb.failed) {
    memset(&cell, 0, sizeof cell);
    cell.status = SPX_CELL_FAILED;
    cell.r2 = cell.time_decode = cell.time_oracle = cell.peak_rss_mib = NAN;
    cell.coef_error = cell.precision = cell.recall = cell.kendall_tau = NAN;
    cell.message = "malformed answer from a worker (out of memory?)";
  }
  finish_cell(c, (size_t)h.instance, (size_t)h.method, (size_t)h.budget, (size_t)h.repeat, &cell);
  free(offsets);
  free(indices);
  free(coefs);
  free(msg);
  free(prune_acc);
  free(prune_order);
  return 0;
}

/* ---- the output file ------------------------------------------------------------------------ */

static void now_iso(char *buf, size_t len) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int file_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

/* Create the directory of path if it is missing (one level). */
static int make_parent(const char *path, spx_error *err) {
  const char *slash = strrchr(path, '/');
  if (slash == NULL || slash == path) return SPX_OK;
  size_t len = (size_t)(slash - path);
  char *dir = malloc(len + 1);
  SPX_CHECK_ALLOC(dir, err);
  memcpy(dir, path, len);
  dir[len] = '\0';
  int rc = SPX_OK;
  if (!file_exists(dir) && mkdir(dir, 0777) != 0 && errno != EEXIST)
    rc = spx_error_set(err, SPX_EIO, "%s: cannot create the output directory %s: %s", path, dir,
                       strerror(errno));
  free(dir);
  return rc;
}

static int coordinator_open(coordinator *c, spx_par *par, int *usage, spx_error *err) {
  const spx_config *cfg = c->cfg;
  const char **labels = malloc(c->M * sizeof *labels), **names = malloc(c->M * sizeof *names);
  if (labels == NULL || names == NULL) {
    free(labels);
    free(names);
    return spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  for (size_t m = 0; m < c->M; m++) {
    labels[m] = cfg->method[m].label;
    names[m] = cfg->method[m].type->name;
  }
  spx_results_layout L = {cfg->resolved, c->I, c->B, c->R, c->M, labels, names,
                          cfg->budget_mode == SPX_BUDGET_SPEX_B, cfg->budget,
                          cfg->kind == SPX_EXP_RECOVERY || cfg->kind == SPX_EXP_SCALING,
                          cfg->nprune, cfg->prune_fractions,
                          spx_prune_rank_names[cfg->prune_rank_by], cfg->prune_random};
  int rc = SPX_OK;
  int exists = file_exists(cfg->output);
  if (exists && !c->opt->resume) {
    *usage = 1;
    rc = spx_error_set(err, SPX_EINVAL,
                       "%s: the output file exists; pass --resume to continue it, or remove it "
                       "(or --set experiment.output=...)",
                       cfg->output);
  } else if (exists) {
    rc = spx_results_open(cfg->output, &L, &c->res, err);
    if (rc == SPX_EINVAL) *usage = 1;
  } else {
    rc = make_parent(cfg->output, err);
    if (rc == SPX_OK) rc = spx_results_create(cfg->output, &L, &c->res, err);
  }
  free(labels);
  free(names);
  if (rc) return rc;
  char start[32];
  now_iso(start, sizeof start);
  spx_results_meta meta = {SPX_VERSION, SPX_GIT_COMMIT, start, NULL,
                           spx_par_world_size(par), (int)cfg->group_size};
  rc = spx_results_write_meta(c->res, &meta, err);
  if (rc || !exists) return rc;
  /* Resume: instances already set up, cells already finished (ok or skipped). */
  for (size_t i = 0; rc == SPX_OK && i < c->I; i++) {
    if (!spx_results_has_instance(c->res, i)) continue;
    size_t n;
    rc = spx_results_read_instance(c->res, i, &n, c->test_values + i * c->T, c->T, err);
    for (size_t b = 0; rc == SPX_OK && b < c->B; b++) {
      size_t s;
      rc = spx_config_budget(cfg, n, b, &s, err);
      c->budget[i * c->B + b] = s;
    }
    if (rc == SPX_OK) c->inst[i] = INST_READY;
  }
  size_t cells = c->I * c->B * c->R;
  int *st = malloc((cells ? cells : 1) * sizeof *st);
  double *r2 = malloc((cells ? cells : 1) * sizeof *r2), *td = malloc((cells ? cells : 1) * sizeof *td);
  uint64_t *q = malloc((cells ? cells : 1) * sizeof *q);
  if (rc == SPX_OK && (!st || !r2 || !td || !q)) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  for (size_t m = 0; rc == SPX_OK && m < c->M; m++) {
    rc = spx_results_read_cells(c->res, m, st, r2, td, q, err);
    for (size_t i = 0; rc == SPX_OK && i < c->I; i++)
      for (size_t b = 0; b < c->B; b++)
        for (size_t r = 0; r < c->R; r++) {
          size_t k = (i * c->B + b) * c->R + r, id = cell_id(c, i, m, b, r);
          if (c->inst[i] != INST_READY || (st[k] != SPX_CELL_OK && st[k] != SPX_CELL_SKIPPED))
            continue;
          c->cell_state[id] = 2;
          c->status[id] = st[k];
          c->r2[id] = r2[k];
          c->tdec[id] = td[k];
          c->queries[id] = q[k];
        }
  }
  free(st);
  free(r2);
  free(td);
  free(q);
  return rc;
}

/* ---- summary ------------------------------------------------------------------------------ */

static void print_summary(const coordinator *c, FILE *out) {
  if (out == NULL) return;
  const spx_config *cfg = c->cfg;
  fprintf(out, "\n%s (%s): %zu explicand%s x %zu repeat%s, results in %s\n", cfg->name,
          spx_experiment_kind_name(cfg->kind), c->I, c->I == 1 ? "" : "s", c->R,
          c->R == 1 ? "" : "s", cfg->output);
  fprintf(out, "%-20s %-12s %6s %21s %14s %12s %8s %7s\n", "method", "budget", "cells",
          "R2 (mean +- s.e.)", "decode s (mean)", "queries", "skipped", "failed");
  for (size_t m = 0; m < c->M; m++) {
    for (size_t b = 0; b < c->B; b++) {
      size_t ok = 0, skipped = 0, failed = 0;
      double sum = 0, sum2 = 0, tsum = 0, qsum = 0;
      size_t finite = 0;
      for (size_t i = 0; i < c->I; i++)
        for (size_t r = 0; r < c->R; r++) {
          size_t id = cell_id(c, i, m, b, r);
          if (c->cell_state[id] != 2) continue;
          if (c->status[id] == SPX_CELL_SKIPPED) skipped++;
          if (c->status[id] == SPX_CELL_FAILED) failed++;
          if (c->status[id] != SPX_CELL_OK) continue;
          ok++;
          tsum += c->tdec[id];
          qsum += (double)c->queries[id];
          if (isfinite(c->r2[id])) {
            finite++;
            sum += c->r2[id];
            sum2 += c->r2[id] * c->r2[id];
          }
        }
      char budget[32], r2[48] = "-";
      if (cfg->budget_mode == SPX_BUDGET_SPEX_B)
        snprintf(budget, sizeof budget, "b=%lld", cfg->budget[b]);
      else
        snprintf(budget, sizeof budget, "%lld", cfg->budget[b]);
      if (finite) {
        double mean = sum / (double)finite;
        double var = finite > 1 ? (sum2 - (double)finite * mean * mean) / (double)(finite - 1) : 0;
        double se = finite > 1 && var > 0 ? sqrt(var / (double)finite) : 0;
        snprintf(r2, sizeof r2, "%.4f +- %.4f", mean, se);
      }
      fprintf(out, "%-20s %-12s %6zu %21s %14.4g %12.0f %8zu %7zu\n", cfg->method[m].label,
              budget, ok, r2, ok ? tsum / (double)ok : NAN, ok ? qsum / (double)ok : NAN,
              skipped, failed);
    }
  }
  if (c->failed) {
    fprintf(out, "failed cells (%zu", c->failed);
    if (c->failed > c->nfail_shown) fprintf(out, ", the first %zu shown", c->nfail_shown);
    fprintf(out, "):\n");
    for (size_t k = 0; k < c->nfail_shown; k++) fprintf(out, "  %s\n", c->fail_lines[k]);
  }
  if (c->groups_lost && c->todo_cells > c->done_cells)
    fprintf(out, "not run: %zu cell%s (every group's oracle was lost)\n",
            c->todo_cells - c->done_cells, c->todo_cells - c->done_cells == 1 ? "" : "s");
  fflush(out);
}

/* One row of the pruning table: the means, "-" where no cell contributed. */
static void prune_row(FILE *out, const double *sum, const size_t *cnt, size_t F) {
  for (size_t j = 0; j < F; j++) {
    if (cnt[j])
      fprintf(out, " %8.4f", sum[j] / (double)cnt[j]);
    else
      fprintf(out, " %8s", "-");
  }
  fputc('\n', out);
}

/* The pruning table: mean task accuracy at each fraction kept, per method and budget (finished
 * ok cells), then the random orders and the full model (set-up instances), read back from
 * the file, which holds every cell of this and earlier runs. */
static void print_pruning(const coordinator *c, FILE *out) {
  const spx_config *cfg = c->cfg;
  size_t F = cfg->nprune, P = cfg->prune_random, cells = c->I * c->B * c->R;
  double *acc = malloc((cells ? cells : 1) * F * sizeof *acc);
  double *rnd = malloc((P ? P : 1) * F * sizeof *rnd), *sum = calloc(F, sizeof *sum);
  size_t *cnt = calloc(F, sizeof *cnt);
  if (!acc || !rnd || !sum || !cnt) {
    fprintf(out, "(pruning table: out of memory)\n");
    goto done;
  }
  fprintf(out, "\npruning: task accuracy (mean over finished cells) by fraction of components "
               "kept, ranked by %s\n%-20s %-12s",
          spx_prune_rank_names[cfg->prune_rank_by], "method", "budget");
  for (size_t j = 0; j < F; j++) fprintf(out, " %8.3g", cfg->prune_fractions[j]);
  fputc('\n', out);
  for (size_t m = 0; m < c->M; m++) {
    spx_error e = {0};
    if (spx_results_read_pruning(c->res, m, acc, &e)) {
      fprintf(out, "(pruning table: %s)\n", e.msg);
      goto done;
    }
    for (size_t b = 0; b < c->B; b++) {
      memset(sum, 0, F * sizeof *sum);
      memset(cnt, 0, F * sizeof *cnt);
      for (size_t i = 0; i < c->I; i++)
        for (size_t r = 0; r < c->R; r++) {
          size_t id = cell_id(c, i, m, b, r), k = (i * c->B + b) * c->R + r;
          if (c->cell_state[id] != 2 || c->status[id] != SPX_CELL_OK) continue;
          for (size_t j = 0; j < F; j++)
            if (isfinite(acc[k * F + j])) sum[j] += acc[k * F + j], cnt[j]++;
        }
      char budget[32];
      snprintf(budget, sizeof budget, cfg->budget_mode == SPX_BUDGET_SPEX_B ? "b=%lld" : "%lld",
               cfg->budget[b]);
      fprintf(out, "%-20s %-12s", cfg->method[m].label, budget);
      prune_row(out, sum, cnt, F);
    }
  }
  memset(sum, 0, F * sizeof *sum);
  memset(cnt, 0, F * sizeof *cnt);
  double fsum = 0;
  size_t fcnt = 0;
  for (size_t i = 0; i < c->I; i++) {
    double full;
    if (c->inst[i] != INST_READY || spx_results_read_pruning_instance(c->res, i, &full, rnd, NULL))
      continue;
    if (isfinite(full)) fsum += full, fcnt++;
    for (size_t p = 0; p < P; p++)
      for (size_t j = 0; j < F; j++)
        if (isfinite(rnd[p * F + j])) sum[j] += rnd[p * F + j], cnt[j]++;
  }
  char what[32];
  snprintf(what, sizeof what, "(%zu orders)", P);
  fprintf(out, "%-20s %-12s", "random", what);
  prune_row(out, sum, cnt, F);
  fprintf(out, "%-20s %-12s %8.4f\n", "full model", "", fcnt ? fsum / (double)fcnt : NAN);
done:
  free(acc);
  free(rnd);
  free(sum);
  free(cnt);
  fflush(out);
}

/* ---- the run ------------------------------------------------------------------------------ */

static int coordinator_init(coordinator *c, const spx_config *cfg, const spx_run_options *opt,
                            size_t ngroups, spx_error *err) {
  memset(c, 0, sizeof *c);
  c->cfg = cfg;
  c->opt = opt;
  c->I = spx_config_instances(cfg);
  c->M = cfg->nmethod;
  c->B = cfg->nbudget;
  c->R = cfg->repeats;
  c->T = cfg->test_masks;
  c->per_instance = c->M * c->B * c->R;
  size_t cells = c->I * c->per_instance;
  size_t nc = cells ? cells : 1, ni = c->I ? c->I : 1;
  c->cell_state = calloc(nc, 1);
  c->status = calloc(nc, sizeof *c->status);
  c->r2 = calloc(nc, sizeof *c->r2);
  c->tdec = calloc(nc, sizeof *c->tdec);
  c->queries = calloc(nc, sizeof *c->queries);
  c->inst = calloc(ni, 1);
  c->test_values = calloc(ni * (c->T ? c->T : 1), sizeof *c->test_values);
  c->budget = calloc(ni * (c->B ? c->B : 1), sizeof *c->budget);
  c->next = calloc(ni, sizeof *c->next);
  c->waiting = calloc(ngroups ? ngroups : 1, 1);
  c->retired = calloc(ngroups ? ngroups : 1, 1);
  c->order = calloc(c->per_instance ? c->per_instance : 1, sizeof *c->order);
  size_t *bsort = calloc(c->B ? c->B : 1, sizeof *bsort);
  if (!c->cell_state || !c->status || !c->r2 || !c->tdec || !c->queries || !c->inst ||
      !c->test_values || !c->budget || !c->next || !c->waiting || !c->retired || !c->order ||
      !bsort) {
    free(bsort);
    return spx_error_set(err, SPX_ENOMEM, "out of memory for the experiment grid");
  }
  /* Hand out the cells of an instance largest budget first (budget values are b or sample
   * counts, both increasing with the queries): the last cells of a run are then the short
   * ones, and the ranks finish closer together. The order does not change any result. */
  for (size_t b = 0; b < c->B; b++) {
    size_t at = b;
    while (at > 0 && cfg->budget[bsort[at - 1]] < cfg->budget[b]) {
      bsort[at] = bsort[at - 1];
      at--;
    }
    bsort[at] = b;
  }
  size_t p = 0;
  for (size_t bi = 0; bi < c->B; bi++)
    for (size_t m = 0; m < c->M; m++)
      for (size_t r = 0; r < c->R; r++) c->order[p++] = (m * c->B + bsort[bi]) * c->R + r;
  free(bsort);
  return SPX_OK;
}

static void coordinator_free(coordinator *c) {
  spx_results_close(&c->res);
  free(c->cell_state);
  free(c->status);
  free(c->r2);
  free(c->tdec);
  free(c->queries);
  free(c->inst);
  free(c->test_values);
  free(c->budget);
  free(c->next);
  free(c->waiting);
  free(c->retired);
  free(c->order);
}

/* The task message sent to a group: the header, then the test values for a cell. */
static void task_message(const coordinator *c, const task_msg *t, wbuf *out) {
  spx_bytes_put(out, t, sizeof *t);
  if (t->kind == TASK_CELL)
    spx_bytes_put(out, c->test_values + (size_t)t->instance * c->T, c->T * sizeof(double));
}

/* Record group g's answer; 1 when the group's oracle is lost (it must stop). */
static int dispatch_answer(coordinator *c, size_t g, int tag, const void *buf, size_t len) {
  if (tag == TAG_SETUP_DONE) return handle_setup(c, g, buf, len);
  if (tag == TAG_CELL_DONE) return handle_cell(c, g, buf, len);
  return 0;
}

/* ---- the ranks' loops ------------------------------------------------------------------------- */

/* The answer when the real one could not be packed or is too large to send: the coordinator
 * must get an answer for every task. */
static void answer_fallback(wbuf *out, const task_msg *t) {
  free(out->data);
  memset(out, 0, sizeof *out);
  spx_error big;
  spx_error_set(&big, SPX_ENOMEM, "the answer is too large to send (or out of memory)");
  if (t->kind == TASK_SETUP) {
    setup_failure(out, (size_t)t->instance, &big);
  } else {
    cell_hdr h;
    memset(&h, 0, sizeof h);
    h.method = t->method;
    h.instance = t->instance;
    h.budget = t->budget;
    h.repeat = t->repeat;
    h.status = SPX_CELL_FAILED;
    h.r2 = h.time_decode = h.time_oracle = h.peak_rss_mib = NAN;
    h.coef_error = h.precision = h.recall = h.kendall_tau = NAN;
    cell_answer(out, &h, big.msg, NULL);
  }
}

/* Collective (group): the leader's task message (buf, len on the leader; ignored elsewhere)
 * goes to the whole group, which runs it. Returns 0 for a stop (or an unreadable message),
 * else 1 with the answer in *out and its tag in *tag on the leader. */
static int group_task(worker *w, const void *buf, size_t len, wbuf *out, int *tag) {
  spx_par *par = w->par;
  int leader = spx_par_group_rank(par) == 0;
  uint64_t size = len; /* its size first, then the bytes */
  spx_par_group_bcast(par, &size, sizeof size, NULL);
  void *mine = NULL;
  if (!leader) {
    mine = malloc(size ? size : 1);
    if (mine == NULL) return 0; /* cannot happen for these sizes; the group would hang */
    buf = mine;
  }
  spx_par_group_bcast(par, (void *)buf, size, NULL);
  rbuf rb = {buf, size, 0, 0};
  task_msg t;
  spx_bytes_get(&rb, &t, sizeof t);
  if (rb.failed || t.kind == TASK_STOP) {
    free(mine);
    return 0;
  }
  memset(out, 0, sizeof *out);
  if (t.kind == TASK_SETUP)
    task_setup(w, &t, out);
  else
    task_cell(w, &t, (const double *)(rb.data + sizeof t), out);
  if (leader && (out->failed || out->len > (size_t)INT_MAX)) answer_fallback(out, &t);
  *tag = t.kind == TASK_SETUP ? TAG_SETUP_DONE : TAG_CELL_DONE;
  free(mine);
  return 1;
}

/* A rank other than world rank 0: take tasks from the coordinator until told to stop. */
static void run_worker(worker *w) {
  spx_par *par = w->par;
  int leader = spx_par_group_rank(par) == 0;
  if (leader) spx_par_send_to_coordinator(par, TAG_REQUEST, "", 0, NULL);
  for (;;) {
    void *buf = NULL;
    size_t len = 0;
    spx_error e = {0};
    int tag;
    if (leader && spx_par_recv_from_coordinator(par, &tag, &buf, &len, &e)) return;
    wbuf out = {0};
    int more = group_task(w, buf, len, &out, &tag);
    free(buf);
    if (!more) return;
    if (leader) spx_par_send_to_coordinator(par, tag, out.data, out.len, NULL);
    free(out.data);
  }
}

/* The coordinator's service of the other groups: what run_rank0 and the poll hook call. */
typedef struct {
  coordinator *c;
  spx_par *par;
  size_t G;     /* groups */
  long own;     /* the coordinator's own group, or -1 */
  size_t stopped; /* other groups told to stop */
} service;

/* Non-blocking: take every message that has arrived (answers are written and flushed at
 * once), then give each waiting group a task, or a stop when nothing is left. */
static void serve(void *vs) {
  service *s = vs;
  coordinator *c = s->c;
  for (;;) {
    size_t g;
    int tag, got;
    void *buf = NULL;
    size_t len;
    spx_error e = {0};
    if (spx_par_try_recv_from_groups(s->par, &got, &g, &tag, &buf, &len, &e)) {
      set_fatal(c, &e);
      break;
    }
    if (!got) break;
    if (g < s->G && (long)g != s->own) {
      dispatch_answer(c, g, tag, buf, len);
      c->waiting[g] = 1;
    }
    free(buf);
  }
  for (size_t k = 0; k < s->G; k++) {
    if (!c->waiting[k]) continue;
    task_msg t;
    memset(&t, 0, sizeof t);
    int have = !c->fatal && !c->retired[k] && next_task(c, &t);
    if (!have && !c->fatal && !c->retired[k] && work_left(c))
      continue; /* wait for a setup to finish */
    wbuf out = {0};
    if (!have) t.kind = TASK_STOP;
    task_message(c, &t, &out);
    if (out.failed) { /* a stop always fits */
      spx_error e;
      spx_error_set(&e, SPX_ENOMEM, "out of memory packing a task");
      set_fatal(c, &e);
      if (have) c->cell_state[cell_id(c, (size_t)t.instance, (size_t)t.method, (size_t)t.budget,
                                      (size_t)t.repeat)] = 0;
      have = 0;
      t.kind = TASK_STOP;
      free(out.data);
      memset(&out, 0, sizeof out);
      task_message(c, &t, &out);
    }
    spx_par_send_to_group(s->par, k, TAG_TASK, out.data, out.len, NULL);
    free(out.data);
    if (!have) s->stopped++;
    c->waiting[k] = 0;
  }
}

/* World rank 0: coordinate, and (unless the coordinator is dedicated) lead group 0 through
 * its own tasks, serving the other groups between pieces of its oracle work (the poll hook)
 * and between tasks. With one rank this is the whole serial run. */
static void run_rank0(coordinator *c, worker *w, spx_par *par) {
  service s = {c, par, spx_par_ngroups(par), spx_par_coordinator_group(par), 0};
  size_t others = s.G - (s.own >= 0 ? 1 : 0);
  int own = s.own >= 0;
  if (own && others) spx_par_set_poll(par, serve, &s);
  while (own || s.stopped < others) {
    serve(&s);
    if (!own) {
      spx_par_nap();
      continue;
    }
    task_msg t;
    memset(&t, 0, sizeof t);
    int have = !c->fatal && next_task(c, &t);
    if (!have && !c->fatal && work_left(c)) { /* wait for another group's setup */
      spx_par_nap();
      continue;
    }
    if (!have) t.kind = TASK_STOP;
    wbuf msg = {0};
    task_message(c, &t, &msg);
    if (msg.failed) {
      spx_error e;
      spx_error_set(&e, SPX_ENOMEM, "out of memory packing a task");
      set_fatal(c, &e);
      if (have) c->cell_state[cell_id(c, (size_t)t.instance, (size_t)t.method, (size_t)t.budget,
                                      (size_t)t.repeat)] = 0;
      free(msg.data);
      memset(&msg, 0, sizeof msg);
      t.kind = TASK_STOP;
      task_message(c, &t, &msg);
    }
    wbuf out = {0};
    int tag = 0;
    if (!group_task(w, msg.data, msg.len, &out, &tag))
      own = 0;
    else if (dispatch_answer(c, (size_t)s.own, tag, out.data, out.len))
      own = 0; /* this group's oracle is lost: only serve the others from now on */
    free(msg.data);
    free(out.data);
  }
  spx_par_set_poll(par, NULL, NULL);
}

/* Everything after the configuration checks: collective over the world. */
static int run_grid(const spx_config *cfg, spx_par *par, const spx_run_options *opt,
                    spx_error *err) {
  coordinator c;
  int coord = spx_par_is_coordinator(par);
  int rc = SPX_OK, usage = 0;
  if (coord) {
    rc = coordinator_init(&c, cfg, opt, spx_par_ngroups(par), err);
    if (rc == SPX_OK) rc = coordinator_open(&c, par, &usage, err);
    c.t0 = spx_time_now();
    if (rc == SPX_OK) {
      size_t done = 0;
      for (size_t id = 0; id < c.I * c.per_instance; id++) done += c.cell_state[id] == 2;
      c.todo_cells = c.I * c.per_instance - done;
      if (!opt->quiet && opt->errout && done)
        fprintf(opt->errout, "resuming %s: %zu of %zu cells already finished\n", cfg->output,
                done, c.I * c.per_instance);
    }
  }
  /* Everyone learns whether the file is ready. */
  int32_t status[2] = {rc, usage};
  spx_par_world_bcast(par, status, sizeof status, err);
  if (status[0]) {
    if (coord) coordinator_free(&c);
    if (!coord) spx_error_set(err, status[0], "the coordinator could not open the result file");
    return status[1] ? SPX_EINVAL : (status[0] == SPX_EINVAL ? SPX_EIO : status[0]);
  }
  worker w = {cfg, par, NULL, 0, NULL, 0};
  if (coord)
    run_rank0(&c, &w, par);
  else
    run_worker(&w);
  spx_oracle_destroy(&w.oracle);
  spx_maskset_destroy(&w.test);
  int32_t final[2] = {SPX_OK, 0};
  if (coord) {
    char end[32];
    now_iso(end, sizeof end);
    spx_results_meta meta = {SPX_VERSION, SPX_GIT_COMMIT, NULL, end, spx_par_world_size(par),
                             (int)cfg->group_size};
    spx_error me = {0};
    if (!c.fatal && spx_results_write_meta(c.res, &meta, &me)) set_fatal(&c, &me);
    print_summary(&c, opt->out);
    if (cfg->nprune && opt->out && c.res) print_pruning(&c, opt->out);
    size_t unrun = c.todo_cells - c.done_cells;
    if (c.fatal) {
      *err = c.fatal_err;
      final[0] = c.fatal_err.code ? c.fatal_err.code : SPX_EINTERNAL;
    } else if (unrun) {
      final[0] = SPX_EORACLE;
      spx_error_set(err, SPX_EORACLE, "%zu cell%s not run: every group's oracle was lost (the "
                    "first: %s)%s; --resume runs %s", unrun, unrun == 1 ? "" : "s",
                    c.first_lost.msg, c.failed ? "; other cells failed" : "",
                    c.failed ? "them and the failed ones" : "them");
    } else if (c.failed) {
      final[0] = SPX_EORACLE;
      spx_error_set(err, SPX_EORACLE, "%zu cell%s failed (status and message are in %s; "
                    "--resume runs them again)", c.failed, c.failed == 1 ? "" : "s",
                    cfg->output);
    }
    coordinator_free(&c);
  }
  spx_par_world_bcast(par, final, sizeof final, NULL);
  if (!coord && final[0]) spx_error_set(err, final[0], "the run failed (see rank 0)");
  return final[0];
}

/* The public drivers: run_grid for a configuration of the expected kind. */
static int run_kind(const spx_config *cfg, spx_experiment_kind want, const char *fn,
                    spx_par *par, const spx_run_options *opt, spx_error *err) {
  if (cfg->kind != want)
    return spx_error_set(err, SPX_EINVAL, "%s: the configuration is of kind %s", fn,
                         spx_experiment_kind_name(cfg->kind));
  return run_grid(cfg, par, opt, err);
}

int spx_run_faithfulness(const spx_config *cfg, spx_par *par, const spx_run_options *opt,
                         spx_error *err) {
  return run_kind(cfg, SPX_EXP_FAITHFULNESS, "spx_run_faithfulness", par, opt, err);
}

int spx_run_recovery(const spx_config *cfg, spx_par *par, const spx_run_options *opt,
                     spx_error *err) {
  return run_kind(cfg, SPX_EXP_RECOVERY, "spx_run_recovery", par, opt, err);
}

int spx_run_scaling(const spx_config *cfg, spx_par *par, const spx_run_options *opt,
                    spx_error *err) {
  return run_kind(cfg, SPX_EXP_SCALING, "spx_run_scaling", par, opt, err);
}

int spx_run_experiment(const spx_config *cfg, spx_par *par, const spx_run_options *opt,
                       spx_error *err) {
  switch (cfg->kind) {
  case SPX_EXP_FAITHFULNESS: return spx_run_faithfulness(cfg, par, opt, err);
  case SPX_EXP_RECOVERY: return spx_run_recovery(cfg, par, opt, err);
  case SPX_EXP_SCALING: return spx_run_scaling(cfg, par, opt, err);
  case SPX_EXP_RECORD: return spx_run_record(cfg, par, opt, err);
  default:
    return spx_error_set(err, SPX_EINVAL,
                         "%s: experiment.kind = \"%s\" is not available yet in this build",
                         cfg->source, spx_experiment_kind_name(cfg->kind));
  }
}
