/* grid_cell.c: the cell runner of the grid driver (grid_internal.h). A group runs two kinds of
 * task: the setup of an instance (open the oracle, draw and evaluate the held-out test masks,
 * pruning references) and a cell (open -> method -> score -> answer). The leader runs the
 * method; the other ranks of the group serve its evaluations and jobs (src/par). */
#include "grid_internal.h"

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
  spx_maskset_fill_random(m, rng);
  gsl_rng_free(rng);
  *out = m;
  return SPX_OK;
}

gsl_rng *spx_grid_cell_rng(const spx_config *cfg, size_t instance, const spx_config_method *m,
                          size_t samples, size_t repeat) {
  return spx_rng_stream(cfg->seed, stream_instance(cfg, instance), spx_hash_string(m->type->name),
                        (uint64_t)samples, (uint64_t)repeat);
}

static int worker_oracle(worker *w, size_t instance, spx_error *err) {
  if (w->oracle && w->oracle_instance == instance) return SPX_OK;
  spx_oracle_destroy(&w->oracle);
  spx_options *opts = spx_config_oracle_options(w->cfg, instance, err);
  if (opts == NULL) return err->code;
  int rc = spx_oracle_open(w->cfg->oracle, opts,
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

/* Collective (group). The leader fills out. */
static void task_setup(worker *w, const task_msg *t, wbuf *out) {
  spx_par *par = w->par;
  int leader = spx_par_group_rank(par) == 0;
  spx_error e = {0};
  int rc = worker_oracle(w, (size_t)t->instance, &e);
  rc = spx_par_group_agree(par, rc, &e);
  if (rc) {
    if (leader) grid_setup_failure(out, (size_t)t->instance, &e);
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
    grid_setup_failure(out, (size_t)t->instance, &e);
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
    grid_setup_failure(out, (size_t)t->instance, &e);
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
      grid_cell_answer(out, &h, e.msg, NULL);
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
  grid_cell_answer(out, &h, h.status == SPX_CELL_OK ? NULL : e.msg,
              h.status == SPX_CELL_OK ? tr : NULL);
  if (h.status == SPX_CELL_OK && cfg->nprune)
    grid_cell_answer_pruning(out, prune_acc, cfg->nprune, prune_order, n);
  free(prune_acc);
  free(prune_order);
  spx_transform_destroy(&tr);
}

/* Collective (group): the leader's task message (buf, len on the leader; ignored elsewhere)
 * goes to the whole group, which runs it. Returns 0 for a stop (or an unreadable message),
 * else 1 with the answer in *out and its tag in *tag on the leader. */
int grid_group_task(worker *w, const void *buf, size_t len, wbuf *out, int *tag) {
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
  if (leader && (out->failed || out->len > (size_t)INT_MAX)) grid_answer_fallback(out, &t);
  *tag = t.kind == TASK_SETUP ? TAG_SETUP_DONE : TAG_CELL_DONE;
  free(mine);
  return 1;
}

/* A rank other than world rank 0: take tasks from the coordinator until told to stop. */
void grid_run_worker(worker *w) {
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
    int more = grid_group_task(w, buf, len, &out, &tag);
    free(buf);
    if (!more) return;
    if (leader) spx_par_send_to_coordinator(par, tag, out.data, out.len, NULL);
    free(out.data);
  }
}
