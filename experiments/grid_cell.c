/* grid_cell.c: the cell runner of the grid driver (grid_internal.h). A group runs two kinds of
 * task: the setup of an instance (open the oracle, draw and evaluate the held-out test masks,
 * pruning references) and a cell (open -> method -> score -> answer). The leader runs the
 * method; the other ranks of the group serve its evaluations and jobs (src/par). */
#include "grid_internal.h"

/* ---- shared helpers ----------------------------------------------------------------------- */

/* Stream coordinate of an instance: the oracle's explicand number, and the scaling point in
 * the high bits, so the same explicand draws the same streams whatever explicands.first is. */
uint64_t spx_grid_stream(const spx_config *cfg, size_t instance) {
  return spx_cell_stream(spx_config_instance_explicand(cfg, instance),
                         spx_config_instance_scaling(cfg, instance));
}

void grid_worker_init(worker *w, const spx_config *cfg, spx_par *par) {
  memset(w, 0, sizeof *w);
  w->cfg = cfg;
  w->par = par;
  spx_cell_runner_init(&w->run);
}

void grid_worker_free(worker *w) { spx_cell_runner_free(&w->run); }

typedef struct {
  spx_par *par;
  spx_oracle *oracle;
} eval_ctx;

static int eval_group(void *vctx, const spx_maskset *masks, double *values, spx_error *err) {
  eval_ctx *c = vctx;
  return spx_par_group_eval(c->par, c->oracle, masks, values, err);
}

/* Open the instance's oracle on every rank of the group and agree; the non-leaders then
 * serve the leader's evaluations until it releases them (spx_cell_runner_group_open). Returns
 * 1 on the leader when the oracle is open everywhere, 0 otherwise (a non-leader after
 * serving, or a failure: *rc). */
static int group_open(worker *w, size_t instance, int *rc, spx_error *e) {
  int lead = 0;
  *rc = spx_cell_runner_group_open(&w->run, w->par, w->cfg, instance, &lead, e);
  return lead;
}

/* Collective (group). The leader fills out. */
static void task_setup(worker *w, const task_msg *t, wbuf *out) {
  spx_par *par = w->par;
  int leader = spx_par_group_rank(par) == 0;
  size_t instance = (size_t)t->instance;
  spx_error e = {0};
  int rc;
  if (!group_open(w, instance, &rc, &e)) {
    if (leader && rc) grid_setup_failure(out, instance, &e);
    return;
  }
  spx_oracle *o = w->run.oracle;
  size_t n = o->n;
  const spx_maskset *test = NULL; /* the runner's */
  double *values = NULL;
  spx_array_list arrays = {0};
  eval_ctx ectx = {par, o};
  rc = spx_cell_runner_test_masks(&w->run, w->cfg->seed, spx_grid_stream(w->cfg, instance), n,
                                  w->cfg->test_masks, &test, &e);
  if (rc == SPX_OK) {
    values = malloc(test->count * sizeof *values);
    rc = values ? spx_par_group_eval(par, o, test, values, &e)
                : spx_error_set(&e, SPX_ENOMEM, "out of memory");
  }
  if (rc == SPX_OK) { /* the scorers' instance data (references, images, ...) */
    spx_score_ctx ctx = {w->cfg, instance, spx_grid_stream(w->cfg, instance), o, eval_group,
                         &ectx, NULL, test, values, NULL};
    rc = spx_score_setup(&ctx, &w->run.caches, &arrays, &e);
  }
  spx_par_group_release(par, NULL);
  if (rc && spx_oracle_lost(o)) { /* not the instance's fault: give it back */
    spx_error_prefix(&e, "explicand %zu", spx_config_instance_explicand(w->cfg, instance));
    e.code = ANSWER_RETURNED;
    grid_setup_failure(out, instance, &e);
    spx_cell_runner_free(&w->run);
  } else if (rc) {
    spx_error_prefix(&e, "explicand %zu", spx_config_instance_explicand(w->cfg, instance));
    grid_setup_failure(out, instance, &e);
  } else {
    grid_setup_answer(out, instance, o, test, values, &arrays);
  }
  spx_array_list_free(&arrays);
  free(values);
}

/* Collective (group). The leader fills out. test_values: the instance's (leader only). */
static void task_cell(worker *w, const task_msg *t, const double *test_values, wbuf *out) {
  spx_par *par = w->par;
  const spx_config *cfg = w->cfg;
  int leader = spx_par_group_rank(par) == 0;
  size_t instance = (size_t)t->instance;
  const spx_config_method *m = &cfg->method[t->method];
  spx_error e = {0};
  spx_cell_result rec;
  int rc;
  if (!group_open(w, instance, &rc, &e)) {
    if (rc) { /* the instance was set up elsewhere: this group cannot open its oracle */
      spx_cell_runner_free(&w->run);
      if (leader) {
        spx_cell_init(&rec, t->method, t->instance, t->budget_index, t->repeat, 0, &e);
        rec.status = ANSWER_RETURNED;
        spx_cell_set_message(&rec, e.msg);
        spx_cell_pack(out, &rec);
        spx_cell_free(&rec);
      }
    }
    return;
  }
  spx_oracle *o = w->run.oracle;
  eval_ctx ectx = {par, o};
  spx_jobs_runner jobs = spx_par_jobs_runner(par); /* method jobs over the group's ranks */
  spx_cell_spec spec = {cfg,
                        cfg->seed,
                        instance,
                        spx_grid_stream(cfg, instance),
                        (size_t)t->method,
                        (size_t)t->budget_index,
                        (size_t)t->repeat,
                        m->type,
                        m->label,
                        m->opts,
                        NULL,
                        (size_t)t->samples,
                        cfg->test_masks};
  rc = spx_cell_run(&w->run, &spec, o, eval_group, &ectx, &jobs, test_values, &rec, NULL, &e);
  spx_par_group_release(par, NULL);
  if (rc && rc != SPX_ENOTAPPLICABLE && spx_oracle_lost(o))
    rec.status = ANSWER_RETURNED; /* another group runs it; this one stops */
  spx_cell_pack(out, &rec);
  spx_cell_free(&rec);
}

/* The groups' callback of the task farm (src/par/farm.h), collective over the group: run a
 * setup or a cell; the leader's answer goes to the coordinator. An answer that could not be
 * written or is too large to send is replaced by a failure of the task (grid_answer_fallback). */
void grid_run_task(void *vw, const void *task, size_t task_len, spx_bytes *answer) {
  worker *w = vw;
  int leader = spx_par_group_rank(w->par) == 0;
  rbuf rb = {task, task_len, 0, 0};
  task_msg t;
  spx_bytes_get(&rb, &t, sizeof t);
  if (rb.failed) return; /* cannot happen (the coordinator wrote it); an empty answer is malformed */
  if (t.kind == TASK_SETUP)
    task_setup(w, &t, answer);
  else
    task_cell(w, &t, (const double *)(rb.data + sizeof t), answer);
  if (leader && (answer->failed || answer->len > (size_t)INT_MAX)) grid_answer_fallback(answer, &t);
}
