/* farm_main.c: the task farm (src/par/farm.h) alone, on any number of ranks
 * (tests/mpi/farm_ranks.sh runs 1, 2 and 3). For group sizes 1 and 2, a computing and a
 * dedicated coordinator, and with or without a group that retires after its first answer,
 * it checks that every task is answered exactly once by the group it was given to, with the
 * right bytes (tasks and answers of different lengths); that tasks held back (WAIT) until an
 * earlier answer arrives are handed out afterwards; that every rank of a group runs every
 * task of its group (method jobs shared over the group); that a retired group gets no more
 * tasks (and with one group, that the farm then ends with the rest undone); and that a
 * computing coordinator answers the other groups while its own task runs (poll hook); that a
 * task that cannot be written makes the farm fail and stop every group, losing no answer of
 * the tasks handed out before it; and that a null communicator is refused. With
 * 3 ranks it also runs the farm on a communicator of 2 of them (spx_par_comm_split), the
 * third rank staying out. Exit 0 when every check passes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "par/farm.h"
#include "par/par.h"
#include "testing.h"

#include <mpi.h>

enum { NTASKS = 24, FIRST_HELD = 4 /* tasks >= this wait for task 0's answer */ };

/* ---- a method-like job: sleeps, returns the group rank that ran it ----------------------- */

typedef struct {
  int64_t micros;
  int grank;
} nap_ctx;

static int world_to_group_rank[64]; /* world rank -> group rank, set per farm run */

static int nap_open(const void *input, size_t len, void **ctx, spx_error *err) {
  nap_ctx *c = malloc(sizeof *c);
  SPX_CHECK_ALLOC(c, err);
  c->micros = 0;
  memcpy(&c->micros, input, len < sizeof c->micros ? len : sizeof c->micros);
  int wr = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &wr);
  c->grank = world_to_group_rank[wr & 63];
  *ctx = c;
  return SPX_OK;
}

static int nap_run(void *vctx, size_t job, void *result, size_t size, spx_error *err) {
  nap_ctx *c = vctx;
  (void)job;
  if (size != sizeof(int64_t)) return spx_error_set(err, SPX_EINVAL, "bad result size");
  struct timespec t = {c->micros / 1000000, (long)(c->micros % 1000000) * 1000L};
  nanosleep(&t, NULL);
  int64_t r = c->grank;
  memcpy(result, &r, sizeof r);
  return SPX_OK;
}

static void nap_close(void *ctx) { free(ctx); }

static const spx_jobs_type nap_jobs = {"test.farm_nap", nap_open, nap_run, nap_close};

static const spx_jobs_type *lookup(const char *name) {
  return strcmp(name, nap_jobs.name) == 0 ? &nap_jobs : spx_jobs_lookup(name);
}

/* ---- the coordinator's side ------------------------------------------------------------ */

typedef struct {
  size_t ngroups;
  long retire;   /* group retired after its first answer, or -1 */
  long own;      /* the coordinator's own group, or -1 */
  long unwritable; /* task whose bytes "cannot be written" (task->failed), or -1 */
  size_t next;   /* next task to hand out */
  int given_to[NTASKS];
  int answers[NTASKS];
  int bad_answer, wrong_group, asked_after_retire, retired_groups[8];
  int waits; /* WAIT returned while task 0 was unanswered */
  int own_busy;
  int answered_during_own; /* answers from other groups while the own task ran */
  size_t leader_tasks[8];  /* answers per group */
} coord_state;

static void put_task(size_t k, spx_bytes *task) {
  int64_t k64 = (int64_t)k;
  spx_bytes_put(task, &k64, sizeof k64);
  for (size_t i = 0; i < k; i++) {
    unsigned char b = (unsigned char)(k * 7 + i);
    spx_bytes_put(task, &b, 1);
  }
}

static spx_farm_next next_task(void *vc, size_t group, spx_bytes *task) {
  coord_state *c = vc;
  if (group < 8 && c->retired_groups[group]) c->asked_after_retire++;
  if (c->next >= NTASKS) return SPX_FARM_DONE;
  if (c->next >= FIRST_HELD && c->answers[0] == 0) {
    c->waits++;
    return SPX_FARM_WAIT;
  }
  size_t k = c->next++;
  c->given_to[k] = (int)group;
  put_task(k, task);
  if ((long)k == c->unwritable) task->failed = 1; /* as if out of memory */
  return SPX_FARM_TASK;
}

/* Answer: k, k*k, sum of the task's payload bytes, group size, jobs run on group rank 1. */
static int on_answer(void *vc, size_t group, const void *task, size_t task_len,
                     const void *answer, size_t len) {
  coord_state *c = vc;
  int64_t k, a[5];
  if (task_len < sizeof k || len != sizeof a) {
    c->bad_answer++;
    return 0;
  }
  memcpy(&k, task, sizeof k);
  memcpy(a, answer, sizeof a);
  int64_t sum = 0;
  for (int64_t i = 0; i < k; i++) sum += (unsigned char)(k * 7 + i);
  if (k < 0 || k >= NTASKS || a[0] != k || a[1] != k * k || a[2] != sum ||
      (size_t)task_len != sizeof k + (size_t)k) {
    c->bad_answer++;
    return 0;
  }
  if (a[3] > 1 && a[4] == 0) c->bad_answer++; /* the helper ran none of the jobs */
  if (c->given_to[k] != (int)group) c->wrong_group++;
  c->answers[k]++;
  if (group < 8) c->leader_tasks[group]++;
  if (c->own_busy && (long)group != c->own) c->answered_during_own++;
  if ((long)group == c->retire) {
    c->retired_groups[group] = 1;
    return 1;
  }
  return 0;
}

/* ---- the groups' side --------------------------------------------------------------------- */

typedef struct {
  spx_par *par;
  coord_state *coord; /* world rank 0 only: to flag its own task as running */
  size_t tasks_run;   /* tasks this rank took part in */
} work_state;

static void run_task(void *vw, const void *task, size_t len, spx_bytes *answer) {
  work_state *w = vw;
  spx_par *par = w->par;
  w->tasks_run++;
  if (spx_par_group_rank(par) != 0) { /* serve the leader's jobs, as in a cell */
    spx_error e = {0};
    spx_par_group_serve(par, NULL, &e);
    return;
  }
  int64_t k;
  memcpy(&k, task, sizeof k);
  int64_t sum = 0;
  for (size_t i = sizeof k; i < len; i++) sum += ((const unsigned char *)task)[i];
  /* The coordinator's own tasks are long (it must serve the others meanwhile), and task 0
   * is the longest (the others run out of tasks that do not wait for it). */
  int world0 = spx_par_world_rank(par) == 0;
  int64_t micros = k == 0 ? 30000 : world0 ? 4000 : 500;
  size_t njobs = k == 0 ? 20 : world0 ? 12 : 4;
  int64_t ranks[20];
  spx_error e = {0};
  if (w->coord) w->coord->own_busy = 1;
  int rc = spx_par_group_jobs(par, &nap_jobs, &micros, sizeof micros, njobs, sizeof(int64_t),
                              ranks, &e);
  if (w->coord) w->coord->own_busy = 0;
  spx_par_group_release(par, NULL);
  int64_t on_helper = 0;
  for (size_t j = 0; rc == SPX_OK && j < njobs; j++) on_helper += ranks[j] == 1;
  int64_t a[5] = {k, rc == SPX_OK ? k * k : -1, sum, spx_par_group_size(par), on_helper};
  spx_bytes_put(answer, a, sizeof a);
}

/* One farm run on comm; checks on world rank 0 of comm. */
static void farm_case(spx_par_comm comm, size_t group_size, int dedicated, int retire_last,
                      long unwritable) {
  spx_par *par = NULL;
  spx_error e = {0};
  if (spx_par_create(comm, group_size, SPX_PAR_BLOCK, 1, dedicated, &par, &e)) {
    spx_test(0, "spx_par_create: %s", e.msg);
    return;
  }
  spx_par_set_job_types(par, lookup);
  int P = spx_par_world_size(par), me = spx_par_world_rank(par);
  size_t G = spx_par_ngroups(par);
  /* world rank -> group rank, for the jobs' reports (the same table on every rank) */
  int wr = -1, gr = spx_par_is_worker(par) ? spx_par_group_rank(par) : -1;
  MPI_Comm_rank(MPI_COMM_WORLD, &wr);
  int all_gr[64], all_wr[64];
  MPI_Comm c = MPI_Comm_f2c((MPI_Fint)comm.handle);
  MPI_Allgather(&gr, 1, MPI_INT, all_gr, 1, MPI_INT, c);
  MPI_Allgather(&wr, 1, MPI_INT, all_wr, 1, MPI_INT, c);
  for (int r = 0; r < P && r < 64; r++) world_to_group_rank[all_wr[r] & 63] = all_gr[r];

  coord_state cs;
  memset(&cs, 0, sizeof cs);
  cs.ngroups = G;
  cs.own = spx_par_coordinator_group(par);
  cs.retire = retire_last ? (long)G - 1 : -1;
  cs.unwritable = unwritable;
  work_state ws = {par, me == 0 ? &cs : NULL, 0};
  spx_par_farm farm = {next_task, run_task, on_answer};
  int rc = spx_par_farm_run(par, &farm, me == 0 ? &cs : NULL, &ws, &e);

  /* every rank's (group, group rank, tasks run) to world rank 0 */
  int64_t mine[3] = {spx_par_is_worker(par) ? (int64_t)spx_par_group(par) : -1, gr,
                     (int64_t)ws.tasks_run};
  int64_t all[3 * 64];
  MPI_Gather(mine, 3, MPI_INT64_T, all, 3, MPI_INT64_T, 0, c);
  if (me == 0) {
    char what[96];
    snprintf(what, sizeof what, "%d rank%s, group size %zu, %s coordinator%s%s", P,
             P == 1 ? "" : "s", group_size, dedicated ? "dedicated" : "computing",
             retire_last ? ", last group retires" : "",
             unwritable >= 0 ? ", a task cannot be written" : "");
    if (unwritable >= 0) { /* the farm fails, stops every group, loses no answer */
      int total = 0, once = 1;
      for (int k = 0; k < NTASKS; k++) total += cs.answers[k];
      for (int k = 0; k < NTASKS; k++) once &= cs.answers[k] == (k < unwritable ? 1 : 0);
      spx_test(rc == SPX_ENOMEM && strstr(e.msg, "out of memory writing a task") != NULL,
               "%s: the farm returns the failure (%d: %s)", what, rc, e.msg);
      spx_test(once, "%s: the tasks handed out before it answered once, none after (%d)",
               what, total);
      spx_par_destroy(&par);
      return;
    }
    spx_test_int(rc, SPX_OK, "%s: the farm ends without failure", what);
    int once = 1, total = 0;
    for (int k = 0; k < NTASKS; k++) total += cs.answers[k];
    for (int k = 0; k < NTASKS; k++) once &= cs.answers[k] <= 1;
    int everyone_retired = retire_last && G == 1;
    if (everyone_retired)
      spx_test(total == 1, "%s: the only group retired after one answer: farm ends (%d answers)",
               what, total);
    else
      spx_test(total == NTASKS && once, "%s: every task answered exactly once (%d)", what, total);
    spx_test(cs.bad_answer == 0, "%s: answers carry the right bytes (%d bad)", what,
             cs.bad_answer);
    spx_test(cs.wrong_group == 0, "%s: each answer from the group given the task", what);
    spx_test(cs.asked_after_retire == 0, "%s: a retired group gets no more tasks", what);
    if (retire_last && G > 1)
      spx_test(cs.leader_tasks[G - 1] == 1, "%s: the retired group answered once (%zu)", what,
               cs.leader_tasks[G - 1]);
    if (!everyone_retired)
      spx_test(cs.waits > 0 || G == 1 || (retire_last && G == 2),
               "%s: held tasks waited for task 0 (%d waits)", what,
               cs.waits);
    /* every rank of a group ran each of its group's tasks */
    int same = 1;
    for (int r = 0; r < P; r++) {
      int64_t g = all[3 * r], n = all[3 * r + 2];
      if (g < 0) {
        same &= n == 0;
        continue;
      }
      same &= (size_t)n == cs.leader_tasks[g];
    }
    spx_test(same, "%s: every rank of a group took part in each of its tasks", what);
    if (cs.own >= 0 && G > 1 && !retire_last)
      spx_test(cs.answered_during_own > 0,
               "%s: the coordinator answered other groups during its own task (%d)", what,
               cs.answered_during_own);
  }
  spx_par_destroy(&par);
}

int main(int argc, char **argv) {
  if (spx_par_init(&argc, &argv) != 0) return 1;
  int size, rank;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (size > 64) return 1;
  for (size_t gs = 1; gs <= 2; gs++)
    for (int ded = 0; ded <= 1; ded++)
      for (int retire = 0; retire <= 1; retire++)
        farm_case(spx_par_comm_world(), gs, ded, retire, -1);
  /* A task that cannot be written (task 5, so the held tasks are involved too). */
  for (int ded = 0; ded <= 1; ded++) farm_case(spx_par_comm_world(), 1, ded, 0, 5);
  /* No communicator: refused. */
  {
    spx_par *none = NULL;
    spx_error e = {0};
    int rc = spx_par_create(spx_par_comm_null(), 1, SPX_PAR_BLOCK, 1, 0, &none, &e);
    spx_test(rc == SPX_EINVAL && none == NULL, "spx_par_create refuses a null communicator");
  }
  /* A farm on the first two ranks only: the others stay out of it. */
  if (size >= 3) {
    spx_par_comm two;
    spx_error e = {0};
    if (spx_par_comm_split(spx_par_comm_world(), rank < 2 ? 0 : -1, &two, &e) == SPX_OK) {
      if (!spx_par_comm_is_null(two)) {
        farm_case(two, 1, 0, 0, -1);
        farm_case(two, 1, 1, 0, -1);
      }
      spx_par_comm_free(&two);
    } else {
      spx_test(0, "spx_par_comm_split: %s", e.msg);
    }
  }
  int failed = rank == 0 ? spx_test_summary() : 0;
  MPI_Bcast(&failed, 1, MPI_INT, 0, MPI_COMM_WORLD);
  spx_par_finalize();
  return failed;
}
