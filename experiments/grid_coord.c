/* grid_coord.c: the coordinator of the grid driver (grid_internal.h): the task queue (a cell
 * only once its instance is set up, the largest budgets first) and recording every answer in
 * the result file as it arrives. These are the coordinator's two callbacks of the task farm
 * (src/par/farm.h: grid_next_task, grid_on_answer), which hands the tasks to the groups and
 * brings their answers back (also from the poll hook while rank 0 computes). */
#include "grid_internal.h"

size_t grid_cell_id(const coordinator *c, size_t i, size_t m, size_t b, size_t r) {
  return ((i * c->nmethods + m) * c->nbudgets + b) * c->nrepeats + r;
}

/* The next task for a group: 1 with *t filled, 0 when nothing can be handed out now. */
static int next_task(coordinator *c, task_msg *t) {
  while (c->first_open < c->ninstances && c->instance_state[c->first_open] != INST_PENDING &&
         c->instance_state[c->first_open] != INST_RUNNING &&
         c->next_position[c->first_open] >= c->per_instance)
    c->first_open++;
  for (size_t i = c->first_open; i < c->ninstances; i++) {
    if (c->instance_state[i] == INST_PENDING) {
      c->instance_state[i] = INST_RUNNING;
      memset(t, 0, sizeof *t);
      t->kind = TASK_SETUP;
      t->instance = (int64_t)i;
      return 1;
    }
    if (c->instance_state[i] != INST_READY) continue;
    size_t base = i * c->per_instance;
    while (c->next_position[i] < c->per_instance &&
           c->cell_state[base + c->order[c->next_position[i]]] != CELL_TODO)
      c->next_position[i]++;
    if (c->next_position[i] >= c->per_instance) continue;
    size_t k = c->order[c->next_position[i]++];
    c->cell_state[base + k] = CELL_RUNNING;
    t->kind = TASK_CELL;
    t->instance = (int64_t)i;
    t->method = (int64_t)(k / (c->nbudgets * c->nrepeats));
    t->budget_index = (int64_t)((k / c->nrepeats) % c->nbudgets);
    t->repeat = (int64_t)(k % c->nrepeats);
    t->samples = (int64_t)c->samples[i * c->nbudgets + (size_t)t->budget_index];
    t->ntest = (int64_t)c->ntest;
    return 1;
  }
  return 0;
}

static int work_left(const coordinator *c) { return c->done_cells < c->todo_cells; }

void grid_set_fatal(coordinator *c, const spx_error *e) {
  if (c->fatal) return;
  c->fatal = 1;
  c->fatal_err = *e;
}

static void progress(coordinator *c, size_t i, size_t m, size_t b, size_t r, int status,
                     double r2) {
  if (c->opt->quiet || c->opt->errout == NULL) return;
  double el = spx_time_now() - c->started;
  double eta = c->done_cells ? el / (double)c->done_cells * (double)(c->todo_cells - c->done_cells) : 0;
  static const char *const names[] = {"pending", "ok", "skipped", "failed"};
  char budget[64];
  grid_budget_words(c->cfg, b, (size_t)c->samples[i * c->nbudgets + b], budget, sizeof budget);
  fprintf(c->opt->errout, "[%zu/%zu] %3.0f%% elapsed %.1fs ETA %.1fs | %s budget %s explicand %zu repeat %zu: %s",
          c->done_cells, c->todo_cells,
          c->todo_cells ? 100.0 * (double)c->done_cells / (double)c->todo_cells : 100.0, el, eta,
          c->cfg->method[m].label, budget, spx_config_instance_explicand(c->cfg, i), r,
          names[status & 3]);
  if (status == SPX_CELL_OK) fprintf(c->opt->errout, " R2 = %.4f", r2);
  fputc('\n', c->opt->errout);
  fflush(c->opt->errout);
}

/* Record a finished cell (in memory and in the file). */
static void finish_cell(coordinator *c, size_t i, size_t m, size_t b, size_t r,
                        const spx_cell_result *cell) {
  size_t id = grid_cell_id(c, i, m, b, r);
  c->cell_state[id] = CELL_FINISHED;
  c->status[id] = cell->status;
  c->r2[id] = grid_record_r2(cell);
  c->time_decode[id] = cell->time_decode;
  c->queries[id] = cell->queries;
  if (cell->status == SPX_CELL_FAILED) {
    c->failed++;
    if (c->nfail_shown < sizeof c->fail_lines / sizeof c->fail_lines[0]) {
      char budget[64];
      grid_budget_words(c->cfg, b, (size_t)c->samples[i * c->nbudgets + b], budget,
                        sizeof budget);
      snprintf(c->fail_lines[c->nfail_shown++], sizeof c->fail_lines[0],
               "%s budget %s explicand %zu repeat %zu: %s", c->cfg->method[m].label, budget,
               spx_config_instance_explicand(c->cfg, i), r, cell->message ? cell->message : "");
    }
  }
  c->done_cells++;
  spx_error e = {0};
  if (!c->fatal && (spx_results_write_cell(c->res, m, i, b, r, cell, &e) ||
                    spx_results_flush(c->res, &e)))
    grid_set_fatal(c, &e);
  progress(c, i, m, b, r, cell->status, grid_record_r2(cell));
}

/* A group's oracle is lost: its task goes back to the queue (the caller puts it back), the
 * group retires (the farm tells it to stop) and the run goes on with the others. */
static void group_lost(coordinator *c, size_t g, const char *why) {
  if (c->groups_lost++ == 0) spx_error_set(&c->first_lost, SPX_EORACLE, "%s", why);
  if (c->opt->errout) {
    fprintf(c->opt->errout, "spex-bench: group %zu stops (its oracle could not be reopened after "
            "a failure; its task goes to another group): %s\n", g, why);
    fflush(c->opt->errout);
  }
}

/* Put a handed-out task back in the queue. */
static void requeue(coordinator *c, size_t i) {
  c->next_position[i] = 0;
  if (i < c->first_open) c->first_open = i;
}

static int handle_setup(coordinator *c, size_t g, const void *buf, size_t len) {
  rbuf rb = {buf, len, 0, 0};
  setup_hdr h;
  spx_bytes_get(&rb, &h, sizeof h);
  if (rb.failed || h.instance < 0 || (size_t)h.instance >= c->ninstances) {
    spx_error e;
    spx_error_set(&e, SPX_EINTERNAL, "malformed setup answer");
    grid_set_fatal(c, &e);
    return 0;
  }
  size_t i = (size_t)h.instance;
  spx_error e = {0};
  int rc = (int)h.rc;
  char *msg = NULL;
  if (rc == ANSWER_RETURNED) {
    msg = grid_rstr(&rb, (size_t)h.msg_len);
    c->instance_state[i] = INST_PENDING;
    requeue(c, i);
    group_lost(c, g, msg ? msg : "");
    free(msg);
    return 1;
  }
  if (rc) {
    msg = grid_rstr(&rb, (size_t)h.msg_len);
    spx_error_set(&e, rc, "%s", msg ? msg : "setup failed");
  } else {
    size_t n = (size_t)h.n, T = (size_t)h.ntest;
    setup_parts p;
    if (grid_setup_parts(&rb, &h, &p) != SPX_OK || T != c->ntest) {
      rc = spx_error_set(&e, SPX_EINTERNAL, "malformed setup answer for instance %zu", i);
    } else {
      for (size_t b = 0; rc == SPX_OK && b < c->nbudgets; b++) {
        size_t s;
        rc = spx_config_budget_queries(c->cfg, n, b, &s, &e);
        c->samples[i * c->nbudgets + b] = s;
      }
      if (rc == SPX_OK) {
        spx_instance_data d = {n, spx_config_instance_explicand(c->cfg, i), p.desc, p.label, T,
                               p.masks, p.values, c->samples + i * c->nbudgets, &p.arrays};
        spx_error we = {0};
        if (!c->fatal && (spx_results_write_instance(c->res, i, &d, &we) ||
                          spx_results_flush(c->res, &we)))
          grid_set_fatal(c, &we);
        memcpy(c->test_values + i * c->ntest, p.values, T * sizeof *p.values);
      }
    }
    grid_setup_parts_free(&p);
  }
  if (rc == SPX_OK) {
    c->instance_state[i] = INST_READY;
  } else {
    /* Every open cell of the instance fails with the setup's message. */
    c->instance_state[i] = INST_FAILED;
    spx_error_prefix(&e, "setup of explicand %zu failed", spx_config_instance_explicand(c->cfg, i));
    for (size_t k = 0; k < c->per_instance; k++) {
      size_t id = i * c->per_instance + k;
      if (c->cell_state[id] != CELL_TODO) continue;
      size_t m = k / (c->nbudgets * c->nrepeats), b = (k / c->nrepeats) % c->nbudgets, r = k % c->nrepeats;
      spx_cell_result cell;
      spx_error ie = {0};
      spx_cell_init(&cell, (int64_t)m, (int64_t)i, (int64_t)b, (int64_t)r, 0, &ie);
      cell.status = SPX_CELL_FAILED;
      spx_cell_set_message(&cell, e.msg);
      finish_cell(c, i, m, b, r, &cell);
      spx_cell_free(&cell);
    }
    c->next_position[i] = c->per_instance;
  }
  free(msg);
  return 0;
}

static int handle_cell(coordinator *c, size_t g, const void *buf, size_t len) {
  rbuf rb = {buf, len, 0, 0};
  spx_cell_result cell;
  spx_error ue = {0};
  int rc = spx_cell_unpack(&rb, &cell, &ue);
  if (cell.instance < 0 || (size_t)cell.instance >= c->ninstances || cell.method < 0 ||
      (size_t)cell.method >= c->nmethods || cell.budget_index < 0 ||
      (size_t)cell.budget_index >= c->nbudgets ||
      cell.repeat < 0 || (size_t)cell.repeat >= c->nrepeats) {
    spx_cell_free(&cell);
    spx_error e;
    spx_error_set(&e, SPX_EINTERNAL, "malformed cell answer");
    grid_set_fatal(c, &e);
    return 0;
  }
  size_t i = (size_t)cell.instance, m = (size_t)cell.method, b = (size_t)cell.budget_index,
         r = (size_t)cell.repeat;
  if (rc == SPX_OK && cell.status == ANSWER_RETURNED) {
    c->cell_state[grid_cell_id(c, i, m, b, r)] = CELL_TODO;
    requeue(c, i);
    group_lost(c, g, cell.message ? cell.message : "");
    spx_cell_free(&cell);
    return 1;
  }
  if (rc) { /* the coordinates are known but the rest is not readable */
    spx_cell_free(&cell);
    spx_cell_init(&cell, (int64_t)m, (int64_t)i, (int64_t)b, (int64_t)r, 0, &ue);
    cell.status = SPX_CELL_FAILED;
    spx_cell_set_message(&cell, "malformed answer from a worker (out of memory?)");
  }
  finish_cell(c, i, m, b, r, &cell);
  spx_cell_free(&cell);
  return 0;
}

/* ---- the run ------------------------------------------------------------------------------ */

int grid_coordinator_init(coordinator *c, const spx_config *cfg, const spx_run_options *opt,
                          spx_error *err) {
  memset(c, 0, sizeof *c);
  c->cfg = cfg;
  c->opt = opt;
  c->ninstances = spx_config_instances(cfg);
  c->nmethods = cfg->nmethod;
  c->nbudgets = cfg->nbudget_points;
  c->nrepeats = cfg->repeats;
  c->ntest = cfg->test_masks;
  c->per_instance = c->nmethods * c->nbudgets * c->nrepeats;
  size_t cells = c->ninstances * c->per_instance;
  size_t nc = cells ? cells : 1, ni = c->ninstances ? c->ninstances : 1;
  c->cell_state = calloc(nc, 1);
  c->status = calloc(nc, sizeof *c->status);
  c->r2 = calloc(nc, sizeof *c->r2);
  c->time_decode = calloc(nc, sizeof *c->time_decode);
  c->queries = calloc(nc, sizeof *c->queries);
  c->instance_state = calloc(ni, 1);
  c->test_values = calloc(ni * (c->ntest ? c->ntest : 1), sizeof *c->test_values);
  c->samples = calloc(ni * (c->nbudgets ? c->nbudgets : 1), sizeof *c->samples);
  c->next_position = calloc(ni, sizeof *c->next_position);
  c->order = calloc(c->per_instance ? c->per_instance : 1, sizeof *c->order);
  size_t *bsort = calloc(c->nbudgets ? c->nbudgets : 1, sizeof *bsort);
  if (!c->cell_state || !c->status || !c->r2 || !c->time_decode || !c->queries || !c->instance_state ||
      !c->test_values || !c->samples || !c->next_position || !c->order || !bsort) {
    free(bsort);
    return spx_error_set(err, SPX_ENOMEM, "out of memory for the experiment grid");
  }
  /* Hand out the cells of an instance largest budget first (the configuration's budget
   * values are b or sample counts, both increasing with the queries): the last cells of a run are then the short
   * ones, and the ranks finish closer together. The order does not change any result. */
  for (size_t b = 0; b < c->nbudgets; b++) {
    size_t at = b;
    while (at > 0 && cfg->budget_points[bsort[at - 1]] < cfg->budget_points[b]) {
      bsort[at] = bsort[at - 1];
      at--;
    }
    bsort[at] = b;
  }
  size_t p = 0;
  for (size_t bi = 0; bi < c->nbudgets; bi++)
    for (size_t m = 0; m < c->nmethods; m++)
      for (size_t r = 0; r < c->nrepeats; r++) c->order[p++] = (m * c->nbudgets + bsort[bi]) * c->nrepeats + r;
  free(bsort);
  return SPX_OK;
}

void grid_coordinator_free(coordinator *c) {
  spx_results_close(&c->res);
  free(c->cell_state);
  free(c->status);
  free(c->r2);
  free(c->time_decode);
  free(c->queries);
  free(c->instance_state);
  free(c->test_values);
  free(c->samples);
  free(c->next_position);
  free(c->order);
}

/* The task message sent to a group: the header, then the test values for a cell. */
static void task_message(const coordinator *c, const task_msg *t, wbuf *out) {
  spx_bytes_put(out, t, sizeof *t);
  if (t->kind == TASK_CELL)
    spx_bytes_put(out, c->test_values + (size_t)t->instance * c->ntest, c->ntest * sizeof(double));
}

/* ---- the coordinator's side of the task farm (src/par/farm.h) ----------------------------- */

spx_farm_next grid_next_task(void *vc, size_t group, spx_bytes *task) {
  coordinator *c = vc;
  (void)group; /* every group can run every task */
  if (c->fatal) return SPX_FARM_DONE;
  task_msg t;
  memset(&t, 0, sizeof t);
  if (!next_task(c, &t)) /* WAIT: a setup is running, its cells come next */
    return work_left(c) ? SPX_FARM_WAIT : SPX_FARM_DONE;
  task_message(c, &t, task);
  if (task->failed) { /* the run cannot go on: the task goes back, every group stops */
    spx_error e;
    spx_error_set(&e, SPX_ENOMEM, "out of memory writing a task");
    grid_set_fatal(c, &e);
    if (t.kind == TASK_SETUP) {
      c->instance_state[t.instance] = INST_PENDING;
    } else {
      c->cell_state[grid_cell_id(c, (size_t)t.instance, (size_t)t.method,
                                 (size_t)t.budget_index, (size_t)t.repeat)] = CELL_TODO;
    }
    requeue(c, (size_t)t.instance);
    return SPX_FARM_DONE;
  }
  return SPX_FARM_TASK;
}

int grid_on_answer(void *vc, size_t group, const void *task, size_t task_len,
                   const void *answer, size_t answer_len) {
  coordinator *c = vc;
  task_msg t;
  if (task_len < sizeof t) return 0; /* cannot happen: the farm returns our own bytes */
  memcpy(&t, task, sizeof t);
  if (t.kind == TASK_SETUP) return handle_setup(c, group, answer, answer_len);
  return handle_cell(c, group, answer, answer_len);
}
