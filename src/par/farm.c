/* farm.c: the task farm (farm.h) on par.h's messages; no MPI here. */
#include "farm.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Tags of the farm's messages on the world communicator (par.h: 0 <= tag < 1000). */
enum { FARM_TAG_REQUEST = 41, FARM_TAG_ANSWER = 42, FARM_TAG_TASK = 43, FARM_TAG_STOP = 44 };
/* The header a leader broadcasts to its group before each task. */
enum { GROUP_TASK = 1, GROUP_STOP = 2 };

/* ---- inside a group ----------------------------------------------------------------------- */

/* Leader: the group runs one task; the answer is left in *answer (empty when unusable). */
static void lead_task(spx_par *par, const spx_par_farm *farm, void *work, const void *task,
                      size_t len, spx_bytes *answer) {
  int64_t hdr[2] = {GROUP_TASK, (int64_t)len};
  spx_par_group_bcast(par, hdr, sizeof hdr, NULL);
  spx_par_group_bcast(par, (void *)task, len, NULL);
  memset(answer, 0, sizeof *answer);
  farm->run_task(work, task, len, answer);
  if (answer->failed || answer->len > (size_t)INT_MAX) spx_bytes_free(answer);
}

/* Leader: the other ranks of the group leave the farm. */
static void stop_group(spx_par *par) {
  int64_t hdr[2] = {GROUP_STOP, 0};
  spx_par_group_bcast(par, hdr, sizeof hdr, NULL);
}

/* A rank of a group other than its leader: run the leader's tasks until it stops. */
static int help(spx_par *par, const spx_par_farm *farm, void *work) {
  for (;;) {
    int64_t hdr[2];
    spx_par_group_bcast(par, hdr, sizeof hdr, NULL);
    if (hdr[0] != GROUP_TASK) return SPX_OK;
    void *task = malloc(hdr[1] > 0 ? (size_t)hdr[1] : 1);
    /* This rank cannot take part in its group's broadcast: the group would hang. */
    if (task == NULL) spx_par_abort(par, 3);
    spx_par_group_bcast(par, task, (size_t)hdr[1], NULL);
    spx_bytes answer = {0};
    farm->run_task(work, task, (size_t)hdr[1], &answer);
    spx_bytes_free(&answer);
    free(task);
  }
}

/* A leader other than world rank 0: ask, run, answer, until the coordinator says stop. */
static int lead(spx_par *par, const spx_par_farm *farm, void *work, spx_error *err) {
  int rc = spx_par_send_to_coordinator(par, FARM_TAG_REQUEST, "", 0, err);
  while (rc == SPX_OK) {
    int tag = 0;
    void *task = NULL;
    size_t len = 0;
    rc = spx_par_recv_from_coordinator(par, &tag, &task, &len, err);
    /* Out of memory for the task: the coordinator would wait for ever for this group. */
    if (rc) spx_par_abort(par, 3);
    if (tag != FARM_TAG_TASK) {
      free(task);
      break;
    }
    spx_bytes answer;
    lead_task(par, farm, work, task, len, &answer);
    free(task);
    rc = spx_par_send_to_coordinator(par, FARM_TAG_ANSWER, answer.data, answer.len, err);
    spx_bytes_free(&answer);
  }
  stop_group(par);
  return rc;
}

/* ---- the coordinator ---------------------------------------------------------------------- */

enum { GROUP_RUNNING = 0, GROUP_WAITING = 1, GROUP_STOPPED = 2 };

typedef struct {
  spx_par *par;
  const spx_par_farm *farm;
  void *coord;
  size_t ngroups;
  long own;               /* the coordinator's own group, or -1 when it is dedicated */
  unsigned char *state;   /* per group: GROUP_* (the own group's entry is unused) */
  unsigned char *retired; /* per group: on_answer retired it */
  spx_bytes *in_flight;   /* per group: the task it is running (for on_answer) */
  size_t stopped;         /* groups other than the own one that were told to stop */
  int failed;             /* the farm failed: every group is stopped as it asks */
  spx_error first_failure;
} coordinator;

static void fail(coordinator *s, const spx_error *e) {
  if (s->failed++ == 0) s->first_failure = *e;
}

/* The next task for group g, written to *task: 1, or 0 for a stop (the farm failed, the
 * group retired, next_task is done, or the task cannot be sent) or, with *wait = 1, for
 * "ask again later". */
static int take_task(coordinator *s, size_t g, spx_bytes *task, int *wait) {
  *wait = 0;
  memset(task, 0, sizeof *task);
  if (s->failed || s->retired[g]) return 0;
  spx_farm_next k = s->farm->next_task(s->coord, g, task);
  if (k == SPX_FARM_TASK && (task->failed || task->len > (size_t)INT_MAX)) {
    spx_error e;
    if (task->failed)
      spx_error_set(&e, SPX_ENOMEM, "out of memory writing a task for group %zu", g);
    else
      spx_error_set(&e, SPX_ERANGE, "a task of %zu bytes for group %zu is too large to send",
                    task->len, g);
    fail(s, &e);
    k = SPX_FARM_DONE;
  }
  if (k == SPX_FARM_TASK) return 1;
  spx_bytes_free(task);
  *wait = k == SPX_FARM_WAIT;
  return 0;
}

/* Non-blocking service of the other groups: take every message that has arrived (an answer
 * goes to on_answer at once), then give each waiting group a task, or a stop. */
static void serve(void *vs) {
  coordinator *s = vs;
  for (;;) {
    int got = 0, tag = 0;
    size_t g = 0, len = 0;
    void *buf = NULL;
    spx_error e = {0};
    if (spx_par_try_recv_from_groups(s->par, &got, &g, &tag, &buf, &len, &e)) {
      fail(s, &e);
      break;
    }
    if (!got) break;
    if (g < s->ngroups && (long)g != s->own && s->state[g] == GROUP_RUNNING) {
      if (tag == FARM_TAG_ANSWER &&
          s->farm->on_answer(s->coord, g, s->in_flight[g].data, s->in_flight[g].len, buf, len))
        s->retired[g] = 1;
      spx_bytes_free(&s->in_flight[g]);
      s->state[g] = GROUP_WAITING;
    }
    free(buf);
  }
  for (size_t g = 0; g < s->ngroups; g++) {
    if (s->state[g] != GROUP_WAITING) continue;
    spx_bytes task;
    int wait;
    if (take_task(s, g, &task, &wait)) {
      spx_error e = {0};
      if (spx_par_send_to_group(s->par, g, FARM_TAG_TASK, task.data, task.len, &e) == SPX_OK) {
        s->in_flight[g] = task;
        s->state[g] = GROUP_RUNNING;
        continue;
      }
      fail(s, &e);
      spx_bytes_free(&task);
    } else if (wait) {
      continue;
    }
    spx_par_send_to_group(s->par, g, FARM_TAG_STOP, "", 0, NULL);
    s->state[g] = GROUP_STOPPED;
    s->stopped++;
  }
}

/* World rank 0: coordinate, and lead the own group (unless dedicated) through its tasks,
 * serving the others between tasks and from the poll hook. With one rank this is the whole
 * run. */
static int coordinate(spx_par *par, const spx_par_farm *farm, void *coord, void *work,
                      spx_error *err) {
  coordinator s;
  memset(&s, 0, sizeof s);
  s.par = par;
  s.farm = farm;
  s.coord = coord;
  s.ngroups = spx_par_ngroups(par);
  s.own = spx_par_coordinator_group(par);
  size_t G = s.ngroups ? s.ngroups : 1;
  s.state = calloc(G, 1);
  s.retired = calloc(G, 1);
  s.in_flight = calloc(G, sizeof *s.in_flight);
  int own_active = s.own >= 0;
  size_t others = s.ngroups - (own_active ? 1 : 0);
  if (s.state == NULL || s.retired == NULL || s.in_flight == NULL) {
    /* Nothing was handed out yet: stop everyone (a group's first message is its request). */
    spx_error e;
    spx_error_set(&e, SPX_ENOMEM, "out of memory for the task farm's %zu groups", s.ngroups);
    fail(&s, &e);
    for (size_t g = 0; g < s.ngroups; g++) {
      if ((long)g == s.own) continue;
      size_t from, len;
      int tag;
      void *buf = NULL;
      if (spx_par_recv_from_groups(par, &from, &tag, &buf, &len, &e) == SPX_OK)
        spx_par_send_to_group(par, from, FARM_TAG_STOP, "", 0, NULL);
      free(buf);
    }
    if (own_active) stop_group(par);
    own_active = 0;
    others = 0;
  }
  if (own_active && others) spx_par_set_poll(par, serve, &s);
  while (own_active || s.stopped < others) {
    serve(&s);
    if (!own_active) {
      spx_par_nap();
      continue;
    }
    spx_bytes task;
    int wait;
    if (!take_task(&s, (size_t)s.own, &task, &wait)) {
      if (wait) {
        spx_par_nap();
        continue;
      }
      stop_group(par);
      own_active = 0;
      continue;
    }
    spx_bytes answer;
    lead_task(par, farm, work, task.data, task.len, &answer);
    if (farm->on_answer(coord, (size_t)s.own, task.data, task.len, answer.data, answer.len))
      s.retired[s.own] = 1;
    spx_bytes_free(&task);
    spx_bytes_free(&answer);
  }
  spx_par_set_poll(par, NULL, NULL);
  for (size_t g = 0; s.in_flight && g < s.ngroups; g++) spx_bytes_free(&s.in_flight[g]);
  free(s.state);
  free(s.retired);
  free(s.in_flight);
  if (s.failed && err) *err = s.first_failure;
  return s.failed ? (s.first_failure.code ? s.first_failure.code : SPX_EINTERNAL) : SPX_OK;
}

int spx_par_farm_run(spx_par *par, const spx_par_farm *farm, void *coord, void *work,
                     spx_error *err) {
  if (spx_par_is_coordinator(par)) return coordinate(par, farm, coord, work, err);
  if (!spx_par_is_worker(par)) return SPX_OK;
  if (spx_par_group_rank(par) == 0) return lead(par, farm, work, err);
  return help(par, farm, work);
}
