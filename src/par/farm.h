/* farm.h: a task farm over the groups of a par object (par.h): world rank 0, the coordinator,
 * hands tasks to the groups one at a time and receives their answers; every group runs each
 * task it gets on all of its ranks (its leader answers). Tasks and answers are bytes: the farm
 * knows nothing of what they mean. Used by the experiment grid (experiments/grid*.c: instance
 * setups and cells) and by `record` (experiments/record.c: one task per explicand).
 *
 * Roles (docs/parallel.md "The task farm"):
 *   - next_task and on_answer run on the coordinator only, always from the thread that called
 *     spx_par_farm_run, never concurrently;
 *   - run_task runs on every rank of a group, collectively (the ranks of a group may talk
 *     through par.h's group functions inside it);
 *   - with a computing coordinator (the default), rank 0 also leads group 0: it runs its own
 *     tasks through run_task like any group, and serves the other groups between tasks and,
 *     through the poll hook (spx_par_set_poll), between pieces of its own oracle work and
 *     method jobs. next_task and on_answer may therefore be called while rank 0's own
 *     run_task is in progress (from inside spx_par_evaluate / spx_par_group_jobs).
 *
 * Retirement: on_answer returning 1 retires the group: it gets a stop and no more tasks (the
 * grid retires a group whose oracle is lost). The farm ends when every group is stopped,
 * whether or not next_task still had work: the caller checks what was done.
 *
 * Messages (world communicator, tags FARM_TAG_*): leader -> coordinator REQUEST (empty, once,
 * "give me work") and ANSWER (the answer bytes); coordinator -> leader TASK (the task bytes)
 * or STOP (empty). Inside a group the leader broadcasts a header {kind, length} and then the
 * task bytes. Nothing here draws random numbers or orders results: which group runs which
 * task never changes an answer as long as run_task is a function of the task bytes. */
#ifndef SPX_PAR_FARM_H
#define SPX_PAR_FARM_H

#include <stddef.h>

#include "core/error.h"
#include "core/jobs.h"
#include "par/par.h"

/* What next_task found for a group. */
typedef enum {
  SPX_FARM_TASK = 0, /* *task holds the group's next task */
  SPX_FARM_WAIT = 1, /* nothing now, but an answer still to come may make work: ask again */
  SPX_FARM_DONE = 2  /* nothing more for this group: it is stopped */
} spx_farm_next;

typedef struct spx_par_farm {
  /* Coordinator: write group `group`'s next task into *task (an empty spx_bytes). A task whose
   * bytes could not be written (task->failed, out of memory) or that is too large for one
   * message (> INT_MAX bytes) is not sent: the farm fails (spx_par_farm_run returns SPX_ENOMEM
   * or SPX_ERANGE) and stops every group as it asks; the task is lost (the caller can tell
   * from the answers it did not get). */
  spx_farm_next (*next_task)(void *coord, size_t group, spx_bytes *task);
  /* Collective (group): run the task (the same bytes on every rank of the group). The leader
   * writes the answer into *answer (an empty spx_bytes); what the other ranks write is
   * dropped. An answer that could not be written or is too large is sent as an empty
   * answer (len 0): on_answer must treat it as malformed. */
  void (*run_task)(void *work, const void *task, size_t task_len, spx_bytes *answer);
  /* Coordinator: group `group`'s answer to `task`. Return 1 to retire the group (no more
   * tasks), else 0. */
  int (*on_answer)(void *coord, size_t group, const void *task, size_t task_len,
                   const void *answer, size_t answer_len);
} spx_par_farm;

/* Collective (world): run the farm until every group is stopped. coord is passed to
 * next_task and on_answer (world rank 0; may be NULL elsewhere), work to run_task (every
 * worker rank; may be NULL on a dedicated coordinator). Returns SPX_OK, or on the coordinator
 * the farm's own first failure (a task that could not be sent or a message that could not be
 * received; the groups were stopped). A worker rank that cannot receive its task (out of
 * memory) ends the job (spx_par_abort): its group and the coordinator would wait for ever.
 * Results already passed to on_answer are never lost. */
int spx_par_farm_run(spx_par *par, const spx_par_farm *farm, void *coord, void *work,
                     spx_error *err);

#endif
