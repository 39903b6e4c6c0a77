/* par.h: the parallel layer (DESIGN §3.3), the only part of spex-bench that sees MPI.
 *
 * Layout of the ranks. World rank 0 is the coordinator: it hands out work and owns the
 * result file. By default it is also a worker: ranks 0..P-1 form groups of group_size
 * consecutive ranks (the last group may be smaller), so rank 0 leads group 0 and serves the
 * coordinator's messages between pieces of its own work (spx_par_set_poll). With a
 * dedicated coordinator (and P > 1), rank 0 only coordinates and ranks 1..P-1 form the
 * groups. A group runs one task at a time; its rank 0, the leader, runs the method, and all
 * ranks of the group share the oracle work through the evaluator and the method's own
 * independent jobs (spx_par_group_jobs, core/jobs.h).
 *
 * Collectiveness is stated per function: "world" = every rank of the communicator the par
 * object was created on (spx_par_create; MPI_COMM_WORLD in spex-bench), "group" =
 * every rank of the caller's group. Nothing here draws random numbers, so results never
 * depend on the rank layout; values are gathered, never summed, so no floating-point
 * reduction order enters the results. */
#ifndef SPX_PAR_H
#define SPX_PAR_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/jobs.h"
#include "core/mask.h"
#include "oracle/oracle.h"

/* MPI_Init_thread (MPI_THREAD_FUNNELED) unless MPI is already initialised; returns 0 or an
 * MPI error code. spx_par_finalize calls MPI_Finalize once, if MPI is initialised. */
int spx_par_init(int *argc, char ***argv);
int spx_par_finalize(void);
/* Rank in MPI_COMM_WORLD (0 when MPI is not initialised). */
int spx_par_world_rank_now(void);

typedef struct spx_par spx_par;

/* How spx_par_evaluate splits a batch over a group (the configuration's parallel.split). */
typedef enum { SPX_PAR_BLOCK = 0, SPX_PAR_DYNAMIC = 1 } spx_par_split;

/* The communicator a par object is built on, without MPI's types in this header: it holds
 * the communicator's MPI Fortran handle (MPI_Comm_c2f), which par.c turns back into an
 * MPI_Comm. The caller owns the communicator; spx_par_create duplicates it. */
typedef struct {
  int64_t handle;
} spx_par_comm;

/* MPI_COMM_WORLD (MPI must be initialised): what main passes to spx_par_create. */
spx_par_comm spx_par_comm_world(void);
/* Collective (comm): MPI_Comm_split of comm by color (ranks ordered as in comm); a negative
 * color gives no communicator (*out = spx_par_comm_null()). Free with spx_par_comm_free.
 * For tests and embedding: a par object on a part of the ranks. */
int spx_par_comm_split(spx_par_comm comm, int color, spx_par_comm *out, spx_error *err);
spx_par_comm spx_par_comm_null(void);
int spx_par_comm_is_null(spx_par_comm comm);
/* Free a communicator made by spx_par_comm_split (null and world are left alone). */
void spx_par_comm_free(spx_par_comm *comm);

/* Collective (comm): build the layout on a duplicate of comm; "world" below means every rank
 * of comm, and "world rank" a rank in comm. split and chunk configure spx_par_evaluate;
 * dedicated_coordinator keeps world rank 0 out of the groups (ignored with one rank). */
int spx_par_create(spx_par_comm comm, size_t group_size, spx_par_split split, size_t chunk,
                   int dedicated_coordinator, spx_par **out, spx_error *err);
/* Collective (world). */
void spx_par_destroy(spx_par **par);

int spx_par_world_rank(const spx_par *par);
int spx_par_world_size(const spx_par *par);
int spx_par_is_coordinator(const spx_par *par); /* world rank 0 */
int spx_par_is_worker(const spx_par *par);      /* member of a group */
/* The coordinator's own group (0), or -1 when the coordinator is dedicated. */
int spx_par_coordinator_group(const spx_par *par);
size_t spx_par_ngroups(const spx_par *par);
size_t spx_par_group(const spx_par *par);      /* the caller's group (workers only) */
int spx_par_group_rank(const spx_par *par);     /* 0 = leader */
int spx_par_group_size(const spx_par *par);

/* ---- inside a group --------------------------------------------------------------------- */

/* Collective (group): evaluate every mask of masks (the same set on every rank) with this
 * rank's instance of the oracle; on return every rank of the group holds all values. Rows
 * are split in contiguous blocks (SPX_PAR_BLOCK) or handed out in chunks from a shared
 * counter (SPX_PAR_DYNAMIC); an oracle that is not concurrent is evaluated by the leader
 * alone. Any rank's failure is returned on every rank with the message of the lowest
 * failing rank. */
int spx_par_evaluate(spx_par *par, spx_oracle *oracle, const spx_maskset *masks,
                     double *values, spx_error *err);

/* Collective (group): combine each rank's status rc into one: the first failing rank's code
 * and message on every rank, or SPX_OK. */
int spx_par_group_agree(spx_par *par, int rc, spx_error *err);

/* Collective (group): broadcast len bytes from the leader. */
int spx_par_group_bcast(spx_par *par, void *buf, size_t len, spx_error *err);

/* Leader-driven evaluation: while the leader runs a method, the other ranks of the group sit
 * in spx_par_group_serve; each spx_par_group_eval on the leader sends them the masks and
 * evaluates collectively; spx_par_group_release ends their serve loop. With a group of one
 * rank, group_eval is spx_par_evaluate and release does nothing. */
int spx_par_group_eval(spx_par *par, spx_oracle *oracle, const spx_maskset *masks,
                       double *values, spx_error *err);
int spx_par_group_serve(spx_par *par, spx_oracle *oracle, spx_error *err);
int spx_par_group_release(spx_par *par, spx_error *err);

/* Collective (group): the start of every task that uses an oracle. Each rank opens its own
 * oracle with open(ctx, err) (NULL on failure, with err set) and the outcome is agreed; then
 * the ranks other than the leader serve the leader (spx_par_group_serve) with their oracle
 * until it calls spx_par_group_release. Returns, on the leader, SPX_OK with *lead = 1: it
 * drives the work (spx_par_group_eval, spx_par_group_jobs) and must end with
 * spx_par_group_release; on the other ranks, serve's status with *lead = 0 once released.
 * When any rank could not open, every rank returns that failure (the lowest failing rank's
 * code and message) with *lead = 0 and nobody serves. The oracles stay the caller's. */
int spx_par_group_open(spx_par *par, spx_oracle *(*open)(void *ctx, spx_error *err), void *ctx,
                       int *lead, spx_error *err);

/* Leader (the others in spx_par_group_serve), or the single rank of a one-rank group: run a
 * batch of method jobs (core/jobs.h) over the group. The other ranks look the job type up by
 * name (spx_jobs_lookup), open it on a copy of the input and run jobs j with j mod (group
 * size) = their group rank; the leader does the same for its share, then gathers every
 * result in job order. A failure anywhere is returned with the lowest failing rank's
 * message. On world rank 0 the poll hook runs between jobs. */
int spx_par_group_jobs(spx_par *par, const spx_jobs_type *type, const void *input, size_t len,
                       size_t njobs, size_t result_size, void *results, spx_error *err);
/* Call on every rank of a group before its first batch: how the other ranks find job types
 * by name (default: spx_jobs_lookup, the methods' registry). Tests use their own tables. */
void spx_par_set_job_types(spx_par *par, const spx_jobs_type *(*lookup)(const char *name));
/* A runner (core/jobs.h) whose batches go through spx_par_group_jobs; valid while par is. */
spx_jobs_runner spx_par_jobs_runner(spx_par *par);

/* World rank 0 only (ignored elsewhere): poll(ctx) is called before, between and after
 * pieces of this rank's own oracle evaluations in spx_par_evaluate, about every 25-100 ms of
 * oracle time (or every mask when one mask takes longer). The coordinator uses it to answer
 * the other groups while it computes. NULL removes the hook. */
void spx_par_set_poll(spx_par *par, void (*poll)(void *ctx), void *ctx);

/* ---- between the coordinator and the group leaders ------------------------------------- */

/* Point-to-point byte messages with a tag (0 <= tag < 1000). The coordinator addresses a
 * group by its number; leaders always talk to the coordinator. Receives wait by polling
 * with short sleeps, so idle ranks leave the cores to the working ones. *buf is malloc'd
 * (free it), *len its size. */
int spx_par_send_to_group(spx_par *par, size_t group, int tag, const void *buf, size_t len,
                          spx_error *err);
int spx_par_send_to_coordinator(spx_par *par, int tag, const void *buf, size_t len,
                                spx_error *err);
/* Coordinator: the next message from any leader; *group is the sender's group. */
int spx_par_recv_from_groups(spx_par *par, size_t *group, int *tag, void **buf, size_t *len,
                             spx_error *err);
/* Coordinator: the next message from any leader if one has arrived (*got = 1), else *got = 0
 * at once. */
int spx_par_try_recv_from_groups(spx_par *par, int *got, size_t *group, int *tag, void **buf,
                                 size_t *len, spx_error *err);
/* End the whole job (MPI_Abort on the par's communicator) with exit code `code`: for a rank
 * that cannot follow its group's protocol (out of memory for a broadcast), which would
 * otherwise leave the others waiting for ever. */
void spx_par_abort(spx_par *par, int code);
/* Sleep briefly (50 us) while waiting for messages. */
void spx_par_nap(void);
/* Leader: the next message from the coordinator. */
int spx_par_recv_from_coordinator(spx_par *par, int *tag, void **buf, size_t *len,
                                  spx_error *err);

/* Collective (world): broadcast len bytes from world rank 0 / agree on a status from world
 * rank 0 (used before the groups start: configuration checks). */
int spx_par_world_bcast(spx_par *par, void *buf, size_t len, spx_error *err);

/* The MPI library's version string (MPI_Get_library_version; its first line), for the result
 * file's provenance. Callable before MPI_Init. */
void spx_par_library_version(char *buf, size_t len);

#endif
