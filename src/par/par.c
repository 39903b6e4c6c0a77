/* par.c: rank layout, the group evaluator and coordinator messages over MPI (par.h). */
#include "par.h"

#include "../core/blas_setup.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mpi.h>

enum { TAG_GROUP_CMD = 7001 };
enum { CMD_EVAL = 1, CMD_RELEASE = 2, CMD_JOBS = 3 };

struct spx_par {
  MPI_Comm world; /* duplicate of the caller's communicator ("world" in par.h) */
  MPI_Comm group; /* MPI_COMM_NULL on a coordinator that is not a worker */
  int wrank, wsize;
  size_t group_size_cfg, ngroups, group_index;
  int grank, gsize;
  spx_par_split split;
  size_t chunk;
  MPI_Win win; /* shared chunk counter (dynamic split, groups of more than one rank) */
  int have_win;
  int64_t base;     /* counter value at the start of the next dynamic evaluation */
  int first_worker; /* world rank of group 0's leader: 0, or 1 with a dedicated coordinator */
  void (*poll)(void *ctx); /* world rank 0: called between pieces of its own evaluations */
  void *poll_ctx;
  const spx_jobs_type *(*job_types)(const char *name); /* resolves job types by name */
  size_t piece; /* current piece size of polled evaluations (adapts to the oracle's cost) */
  int local_failed; /* this rank's own oracle failed in the current evaluation attempt */
};

int spx_par_init(int *argc, char ***argv) {
  spx_blas_setup(); /* one BLAS thread per rank, the right kernels (blas_setup.h) */
  int done = 0;
  MPI_Initialized(&done);
  if (done) return 0;
  int provided;
  return MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
}

int spx_par_finalize(void) {
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  return (init && !fin) ? MPI_Finalize() : 0;
}

int spx_par_world_rank_now(void) {
  int init = 0, rank = 0;
  MPI_Initialized(&init);
  if (init) MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

/* World rank of the leader of group g. */
static int leader_of(const spx_par *p, size_t g) {
  return p->first_worker + (int)(g * p->group_size_cfg);
}

/* ---- communicators ---------------------------------------------------------------------- */

static MPI_Comm comm_of(spx_par_comm c) { return MPI_Comm_f2c((MPI_Fint)c.handle); }

static spx_par_comm handle_of(MPI_Comm c) {
  spx_par_comm h = {(int64_t)MPI_Comm_c2f(c)};
  return h;
}

spx_par_comm spx_par_comm_world(void) { return handle_of(MPI_COMM_WORLD); }
spx_par_comm spx_par_comm_null(void) { return handle_of(MPI_COMM_NULL); }
int spx_par_comm_is_null(spx_par_comm comm) { return comm_of(comm) == MPI_COMM_NULL; }

int spx_par_comm_split(spx_par_comm comm, int color, spx_par_comm *out, spx_error *err) {
  MPI_Comm parent = comm_of(comm), part = MPI_COMM_NULL;
  int rank;
  MPI_Comm_rank(parent, &rank);
  if (MPI_Comm_split(parent, color < 0 ? MPI_UNDEFINED : color, rank, &part) != MPI_SUCCESS)
    return spx_error_set(err, SPX_EINTERNAL, "MPI_Comm_split failed");
  *out = handle_of(part);
  return SPX_OK;
}

void spx_par_comm_free(spx_par_comm *comm) {
  MPI_Comm c = comm_of(*comm);
  if (c != MPI_COMM_NULL && c != MPI_COMM_WORLD && c != MPI_COMM_SELF) MPI_Comm_free(&c);
  *comm = spx_par_comm_null();
}

/* ---- layout ------------------------------------------------------------------------------ */

int spx_par_create(spx_par_comm comm, size_t group_size, spx_par_split split, size_t chunk,
                   int dedicated_coordinator, spx_par **out, spx_error *err) {
  *out = NULL;
  int init = 0;
  MPI_Initialized(&init);
  if (!init) return spx_error_set(err, SPX_EINTERNAL, "MPI is not initialised (call spx_par_init)");
  if (spx_par_comm_is_null(comm))
    return spx_error_set(err, SPX_EINVAL, "spx_par_create: no communicator (a null handle)");
  spx_par *p = calloc(1, sizeof *p);
  SPX_CHECK_ALLOC(p, err);
  MPI_Comm_dup(comm_of(comm), &p->world);
  MPI_Comm_rank(p->world, &p->wrank);
  MPI_Comm_size(p->world, &p->wsize);
  p->split = split;
  p->chunk = chunk ? chunk : 1;
  p->group = MPI_COMM_NULL;
  p->first_worker = (dedicated_coordinator && p->wsize > 1) ? 1 : 0;
  size_t workers = (size_t)(p->wsize - p->first_worker);
  if (group_size < 1) group_size = 1;
  if (group_size > workers) group_size = workers;
  p->group_size_cfg = group_size;
  p->ngroups = (workers + group_size - 1) / group_size;
  p->piece = 16;
  p->job_types = spx_jobs_lookup;
  int color = MPI_UNDEFINED;
  if (p->wrank >= p->first_worker) {
    p->group_index = (size_t)(p->wrank - p->first_worker) / group_size;
    color = (int)p->group_index;
  }
  MPI_Comm_split(p->world, color, p->wrank, &p->group);
  if (p->group != MPI_COMM_NULL) {
    MPI_Comm_rank(p->group, &p->grank);
    MPI_Comm_size(p->group, &p->gsize);
  }
  /* The groups' windows are created one group after the other: Open MPI 4.1 names a window's
   * shared-memory segment after the communicator's context id, which disjoint groups may
   * share, so windows created at the same time can collide (open-mpi/ompi#7393). */
  for (size_t g = 0; g < p->ngroups; g++) {
    if (p->group != MPI_COMM_NULL && p->group_index == g && p->gsize > 1) {
      int64_t *mem = NULL;
      MPI_Aint size = p->grank == 0 ? (MPI_Aint)sizeof(int64_t) : 0;
      MPI_Win_allocate(size, sizeof(int64_t), MPI_INFO_NULL, p->group, &mem, &p->win);
      if (p->grank == 0) *mem = 0;
      MPI_Barrier(p->group);
      MPI_Win_lock_all(0, p->win);
      p->have_win = 1;
    }
    if (p->wsize > 1) MPI_Barrier(p->world);
  }
  *out = p;
  return SPX_OK;
}

void spx_par_destroy(spx_par **par) {
  if (par == NULL || *par == NULL) return;
  spx_par *p = *par;
  if (p->have_win) {
    MPI_Win_unlock_all(p->win);
    MPI_Win_free(&p->win);
  }
  if (p->group != MPI_COMM_NULL) MPI_Comm_free(&p->group);
  MPI_Comm_free(&p->world);
  free(p);
  *par = NULL;
}

int spx_par_world_rank(const spx_par *par) { return par->wrank; }
int spx_par_world_size(const spx_par *par) { return par->wsize; }
int spx_par_is_coordinator(const spx_par *par) { return par->wrank == 0; }
int spx_par_is_worker(const spx_par *par) { return par->group != MPI_COMM_NULL; }
int spx_par_coordinator_group(const spx_par *par) { return par->first_worker == 0 ? 0 : -1; }

void spx_par_set_poll(spx_par *par, void (*poll)(void *ctx), void *ctx) {
  if (par->wrank != 0) return;
  par->poll = poll;
  par->poll_ctx = ctx;
}
size_t spx_par_ngroups(const spx_par *par) { return par->ngroups; }
size_t spx_par_group(const spx_par *par) { return par->group_index; }
int spx_par_group_rank(const spx_par *par) { return par->grank; }
int spx_par_group_size(const spx_par *par) { return par->gsize; }

/* ---- agreement and broadcasts ----------------------------------------------------------- */

typedef struct {
  int code;
  char msg[SPX_ERRMSG_LEN];
} wire_error;

static int agree(spx_par *p, int rc, const spx_error *local, spx_error *err) {
  if (p->gsize == 1) {
    if (rc && err && local != err) *err = *local;
    return rc;
  }
  int mine = rc ? p->grank : p->gsize, first;
  MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, p->group);
  if (first == p->gsize) return SPX_OK;
  wire_error w;
  memset(&w, 0, sizeof w);
  if (p->grank == first) {
    w.code = rc;
    memcpy(w.msg, local->msg, sizeof w.msg);
    w.msg[sizeof w.msg - 1] = '\0';
  }
  MPI_Bcast(&w, (int)sizeof w, MPI_BYTE, first, p->group);
  if (err) {
    err->code = w.code;
    memcpy(err->msg, w.msg, sizeof err->msg);
  }
  return w.code;
}

int spx_par_group_agree(spx_par *par, int rc, spx_error *err) {
  spx_error local = {0};
  if (rc && err) local = *err;
  return agree(par, rc, &local, err);
}

/* MPI counts are int: move big buffers in pieces. */
static void bcast_bytes(void *buf, size_t len, int root, MPI_Comm comm) {
  char *b = buf;
  while (len > 0) {
    int piece = len > (size_t)INT_MAX ? INT_MAX : (int)len;
    MPI_Bcast(b, piece, MPI_BYTE, root, comm);
    b += piece;
    len -= (size_t)piece;
  }
}

int spx_par_group_bcast(spx_par *par, void *buf, size_t len, spx_error *err) {
  (void)err;
  if (par->gsize > 1) bcast_bytes(buf, len, 0, par->group);
  return SPX_OK;
}

int spx_par_world_bcast(spx_par *par, void *buf, size_t len, spx_error *err) {
  (void)err;
  if (par->wsize > 1) bcast_bytes(buf, len, 0, par->world);
  return SPX_OK;
}

/* ---- the evaluator ------------------------------------------------------------------------- */

/* This rank's share of an evaluation: rows first..first+count-1 into out[0..count). On world
 * rank 0 with a poll hook (a coordinator that also computes), the rows are evaluated in
 * pieces and the hook runs before, between and after them. The piece size adapts so that a
 * piece takes between POLL_MIN and POLL_MAX seconds (one mask when a single mask is slower),
 * which bounds how long the other groups wait for the coordinator. Values do not depend on
 * the pieces: each mask's value is a function of the mask alone. */
#define POLL_MIN 0.025
#define POLL_MAX 0.1

static int eval_pieces(spx_par *p, spx_oracle *o, const spx_maskset *m, size_t first,
                       size_t count, double *out, spx_error *err);

static int eval_local(spx_par *p, spx_oracle *o, const spx_maskset *m, size_t first,
                      size_t count, double *out, spx_error *err) {
  int rc = p->poll == NULL ? spx_oracle_eval(o, m, first, count, out, err)
                           : eval_pieces(p, o, m, first, count, out, err);
  if (rc) p->local_failed = 1;
  return rc;
}

static int eval_pieces(spx_par *p, spx_oracle *o, const spx_maskset *m, size_t first,
                       size_t count, double *out, spx_error *err) {
  p->poll(p->poll_ctx);
  size_t done = 0;
  while (done < count) {
    size_t piece = p->piece < count - done ? p->piece : count - done;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = spx_oracle_eval(o, m, first + done, piece, out + done, err);
    if (rc) return rc;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double dt = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    done += piece;
    if (piece == p->piece) {
      if (dt < POLL_MIN && p->piece < ((size_t)1 << 24)) p->piece *= 2;
      else if (dt > POLL_MAX && p->piece > 1) p->piece /= 2;
    }
    p->poll(p->poll_ctx);
  }
  return SPX_OK;
}

static int evaluate_block(spx_par *p, spx_oracle *o, const spx_maskset *m, double *values,
                          spx_error *err) {
  size_t N = m->count, R = (size_t)p->gsize, r = (size_t)p->grank;
  size_t lo = N * r / R, hi = N * (r + 1) / R;
  spx_error local = {0};
  int rc = eval_local(p, o, m, lo, hi - lo, values + lo, &local);
  rc = agree(p, rc, &local, err);
  if (rc) return rc;
  int *counts = malloc(R * sizeof *counts), *displs = malloc(R * sizeof *displs);
  if (counts == NULL || displs == NULL) {
    free(counts);
    free(displs);
    return spx_error_set(err, SPX_ENOMEM, "out of memory gathering values");
  }
  for (size_t k = 0; k < R; k++) {
    displs[k] = (int)(N * k / R);
    counts[k] = (int)(N * (k + 1) / R) - displs[k];
  }
  MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, values, counts, displs, MPI_DOUBLE,
                 p->group);
  free(counts);
  free(displs);
  return SPX_OK;
}

static int evaluate_dynamic(spx_par *p, spx_oracle *o, const spx_maskset *m, double *values,
                            spx_error *err) {
  int64_t N = (int64_t)m->count, chunk = (int64_t)p->chunk;
  size_t nchunks_max = (size_t)((N + chunk - 1) / chunk);
  int64_t *mine = malloc((nchunks_max ? nchunks_max : 1) * sizeof *mine);
  spx_error local = {0};
  int rc = mine ? SPX_OK : spx_error_set(&local, SPX_ENOMEM, "out of memory");
  int nmine = 0;
  /* Every rank fetches until it sees the end; on failure it keeps fetching without
   * evaluating, so the counter always advances by (chunks + ranks) * chunk. */
  for (;;) {
    int64_t inc = chunk, old;
    MPI_Fetch_and_op(&inc, &old, MPI_INT64_T, 0, 0, MPI_SUM, p->win);
    MPI_Win_flush(0, p->win);
    int64_t start = old - p->base;
    if (start >= N) break;
    if (rc) continue;
    int64_t len = N - start < chunk ? N - start : chunk;
    rc = eval_local(p, o, m, (size_t)start, (size_t)len, values + start, &local);
    if (rc == SPX_OK) mine[nmine++] = start;
  }
  p->base += ((N + chunk - 1) / chunk + p->gsize) * chunk;
  rc = agree(p, rc, &local, err);
  if (rc) {
    free(mine);
    return rc;
  }
  /* Gather: chunk starts of every rank, then their values packed in the same order. */
  int R = p->gsize;
  int *nchunks = malloc((size_t)R * sizeof *nchunks), *displs = malloc((size_t)R * sizeof *displs);
  int *vcounts = malloc((size_t)R * sizeof *vcounts), *vdispls = malloc((size_t)R * sizeof *vdispls);
  int64_t *starts = malloc((nchunks_max ? nchunks_max : 1) * sizeof *starts);
  double *packed = malloc((N ? (size_t)N : 1) * sizeof *packed);
  double *all = malloc((N ? (size_t)N : 1) * sizeof *all);
  int ok = nchunks && displs && vcounts && vdispls && starts && packed && all;
  int okall;
  MPI_Allreduce(&ok, &okall, 1, MPI_INT, MPI_MIN, p->group);
  if (okall) {
    MPI_Allgather(&nmine, 1, MPI_INT, nchunks, 1, MPI_INT, p->group);
    int total = 0;
    for (int k = 0; k < R; k++) {
      displs[k] = total;
      total += nchunks[k];
    }
    MPI_Allgatherv(mine, nmine, MPI_INT64_T, starts, nchunks, displs, MPI_INT64_T, p->group);
    int npacked = 0;
    for (int k = 0; k < nmine; k++) {
      int64_t len = N - mine[k] < chunk ? N - mine[k] : chunk;
      memcpy(packed + npacked, values + mine[k], (size_t)len * sizeof *packed);
      npacked += (int)len;
    }
    int vtotal = 0;
    for (int k = 0; k < R; k++) {
      int cnt = 0;
      for (int c = displs[k]; c < displs[k] + nchunks[k]; c++)
        cnt += (int)(N - starts[c] < chunk ? N - starts[c] : chunk);
      vdispls[k] = vtotal;
      vcounts[k] = cnt;
      vtotal += cnt;
    }
    MPI_Allgatherv(packed, npacked, MPI_DOUBLE, all, vcounts, vdispls, MPI_DOUBLE, p->group);
    size_t at = 0;
    for (int c = 0; c < total; c++) {
      int64_t len = N - starts[c] < chunk ? N - starts[c] : chunk;
      memcpy(values + starts[c], all + at, (size_t)len * sizeof *values);
      at += (size_t)len;
    }
  }
  free(nchunks);
  free(displs);
  free(vcounts);
  free(vdispls);
  free(starts);
  free(packed);
  free(all);
  free(mine);
  return okall ? SPX_OK : spx_error_set(err, SPX_ENOMEM, "out of memory gathering values");
}

static int evaluate_once(spx_par *par, spx_oracle *oracle, const spx_maskset *masks,
                         double *values, spx_error *err) {
  if (par->gsize <= 1) return eval_local(par, oracle, masks, 0, masks->count, values, err);
  if (masks->count > (size_t)INT_MAX / 2)
    return spx_error_set(err, SPX_ERANGE, "a batch of %zu masks is too large to share",
                         masks->count);
  /* All ranks must take the same path: the leader's oracle decides concurrency. */
  int concurrent = oracle->concurrent;
  MPI_Bcast(&concurrent, 1, MPI_INT, 0, par->group);
  if (!concurrent) {
    spx_error local = {0};
    int rc = par->grank == 0 ? eval_local(par, oracle, masks, 0, masks->count, values, &local)
                             : SPX_OK;
    rc = agree(par, rc, &local, err);
    if (rc == SPX_OK) bcast_bytes(values, masks->count * sizeof *values, 0, par->group);
    return rc;
  }
  if (par->split == SPX_PAR_DYNAMIC) return evaluate_dynamic(par, oracle, masks, values, err);
  return evaluate_block(par, oracle, masks, values, err);
}

/* Sleep for the back-off before a retry; world rank 0 keeps serving (the poll hook). */
static void backoff(spx_par *p, double seconds) {
  struct timespec t0, t1, nap = {0, 10000000}; /* 10 ms */
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (;;) {
    if (p->poll) p->poll(p->poll_ctx);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if ((double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec) >= seconds)
      return;
    nanosleep(&nap, NULL);
  }
}

/* Failed batches (docs/parallel.md "Failures"): a failure the oracle may not repeat
 * (spx_oracle_retryable) is retried up to oracle->retries times after a back-off, each time
 * with the failing ranks' oracles reopened; after the last failure they are reopened once
 * more, so the next batch starts on a fresh oracle. When a reopen fails, every oracle of the
 * group is marked lost (spx_oracle_lost): the group can no longer answer, and the caller
 * stops giving it work. Every rank of the group takes the same path (the outcome of each
 * attempt and of each reopen is agreed). */
int spx_par_evaluate(spx_par *par, spx_oracle *oracle, const spx_maskset *masks,
                     double *values, spx_error *err) {
  unsigned retries = oracle ? oracle->retries : 0;
  for (unsigned attempt = 0;; attempt++) {
    par->local_failed = 0;
    int rc = evaluate_once(par, oracle, masks, values, err);
    if (rc == SPX_OK) return SPX_OK;
    if (oracle == NULL || !spx_oracle_retryable(rc) || oracle->lost) return rc;
    int last = attempt >= retries;
    if (!last) backoff(par, oracle->retry_backoff * (double)(1u << (attempt < 20 ? attempt : 20)));
    spx_error re = {0};
    int rrc = par->local_failed ? spx_oracle_reopen(oracle, &re) : SPX_OK;
    rrc = agree(par, rrc, &re, &re);
    if (rrc) {
      oracle->lost = 1; /* on every rank: the group cannot evaluate without the lost one */
      if (err) {
        char why[SPX_ERRMSG_LEN];
        snprintf(why, sizeof why, "%s", re.msg);
        spx_error_prefix(err, "after %u retr%s", attempt, attempt == 1 ? "y" : "ies");
        size_t len = strlen(err->msg);
        snprintf(err->msg + len, sizeof err->msg - len, "; then %s", why);
      }
      return rc;
    }
    if (last) {
      if (attempt) spx_error_prefix(err, "failed again after %u retr%s on a reopened oracle",
                                    attempt, attempt == 1 ? "y" : "ies");
      return rc;
    }
  }
}

/* ---- polled receives ------------------------------------------------------------------------- */

static int poll_recv(MPI_Comm comm, int source, int tag, int *from, int *got_tag, void **buf,
                     size_t *len, spx_error *err) {
  MPI_Status st;
  int flag = 0;
  struct timespec nap = {0, 50000}; /* 50 us */
  for (long spins = 0;; spins++) {
    MPI_Iprobe(source, tag, comm, &flag, &st);
    if (flag) break;
    if (spins > 100) nanosleep(&nap, NULL);
  }
  int count;
  MPI_Get_count(&st, MPI_BYTE, &count);
  void *b = malloc(count > 0 ? (size_t)count : 1);
  if (b == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory receiving %d bytes", count);
  MPI_Recv(b, count, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, comm, MPI_STATUS_IGNORE);
  if (from) *from = st.MPI_SOURCE;
  if (got_tag) *got_tag = st.MPI_TAG;
  *buf = b;
  *len = (size_t)count;
  return SPX_OK;
}

static int send_bytes(MPI_Comm comm, int dest, int tag, const void *buf, size_t len,
                      spx_error *err) {
  if (len > (size_t)INT_MAX)
    return spx_error_set(err, SPX_ERANGE, "message of %zu bytes is too large", len);
  MPI_Send(buf, (int)len, MPI_BYTE, dest, tag, comm);
  return SPX_OK;
}

int spx_par_send_to_group(spx_par *par, size_t group, int tag, const void *buf, size_t len,
                          spx_error *err) {
  return send_bytes(par->world, leader_of(par, group), tag, buf, len, err);
}

int spx_par_send_to_coordinator(spx_par *par, int tag, const void *buf, size_t len,
                                spx_error *err) {
  return send_bytes(par->world, 0, tag, buf, len, err);
}

static size_t group_of(const spx_par *p, int wrank) {
  return wrank < p->first_worker ? (size_t)-1
                                 : (size_t)(wrank - p->first_worker) / p->group_size_cfg;
}

int spx_par_recv_from_groups(spx_par *par, size_t *group, int *tag, void **buf, size_t *len,
                             spx_error *err) {
  int from = -1; /* set by poll_recv on success (gcc -O3 cannot see it) */
  int rc = poll_recv(par->world, MPI_ANY_SOURCE, MPI_ANY_TAG, &from, tag, buf, len, err);
  if (rc == SPX_OK) *group = group_of(par, from);
  return rc;
}

int spx_par_try_recv_from_groups(spx_par *par, int *got, size_t *group, int *tag, void **buf,
                                 size_t *len, spx_error *err) {
  *got = 0;
  if (par->wsize == 1) return SPX_OK;
  MPI_Status st;
  int flag = 0;
  MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, par->world, &flag, &st);
  if (!flag) return SPX_OK;
  int count;
  MPI_Get_count(&st, MPI_BYTE, &count);
  void *b = malloc(count > 0 ? (size_t)count : 1);
  if (b == NULL) return spx_error_set(err, SPX_ENOMEM, "out of memory receiving %d bytes", count);
  MPI_Recv(b, count, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, par->world, MPI_STATUS_IGNORE);
  *got = 1;
  *group = group_of(par, st.MPI_SOURCE);
  *tag = st.MPI_TAG;
  *buf = b;
  *len = (size_t)count;
  return SPX_OK;
}

void spx_par_abort(spx_par *par, int code) { MPI_Abort(par->world, code); }

void spx_par_nap(void) {
  struct timespec nap = {0, 50000}; /* 50 us */
  nanosleep(&nap, NULL);
}

int spx_par_recv_from_coordinator(spx_par *par, int *tag, void **buf, size_t *len,
                                  spx_error *err) {
  return poll_recv(par->world, 0, MPI_ANY_TAG, NULL, tag, buf, len, err);
}

/* ---- leader-driven evaluation ------------------------------------------------------------- */

/* CMD_EVAL: n features, count masks. CMD_JOBS: n = length of the job type's name, count =
 * jobs, len = input bytes, size = result bytes per job. */
typedef struct {
  int64_t cmd, n, count, len, size;
} group_cmd;

int spx_par_group_eval(spx_par *par, spx_oracle *oracle, const spx_maskset *masks,
                       double *values, spx_error *err) {
  if (par->gsize <= 1) return spx_par_evaluate(par, oracle, masks, values, err);
  group_cmd c = {CMD_EVAL, (int64_t)masks->n, (int64_t)masks->count, 0, 0};
  for (int r = 1; r < par->gsize; r++)
    MPI_Send(&c, (int)sizeof c, MPI_BYTE, r, TAG_GROUP_CMD, par->group);
  bcast_bytes(masks->bits, masks->count * masks->words * sizeof *masks->bits, 0, par->group);
  return spx_par_evaluate(par, oracle, masks, values, err);
}

int spx_par_group_open(spx_par *par, spx_oracle *(*open)(void *ctx, spx_error *err), void *ctx,
                       int *lead, spx_error *err) {
  *lead = 0;
  spx_error local = {0};
  spx_oracle *oracle = open(ctx, &local);
  int rc = oracle ? SPX_OK : (local.code ? local.code : SPX_EINTERNAL);
  rc = agree(par, rc, &local, err);
  if (rc) return rc;
  if (par->grank != 0) return spx_par_group_serve(par, oracle, err);
  *lead = 1;
  return SPX_OK;
}

int spx_par_group_release(spx_par *par, spx_error *err) {
  (void)err;
  if (par->gsize <= 1) return SPX_OK;
  group_cmd c = {CMD_RELEASE, 0, 0, 0, 0};
  for (int r = 1; r < par->gsize; r++)
    MPI_Send(&c, (int)sizeof c, MPI_BYTE, r, TAG_GROUP_CMD, par->group);
  return SPX_OK;
}

/* ---- method jobs ------------------------------------------------------------------------- */

/* Number of jobs of a batch of njobs that group rank r runs. */
static size_t jobs_of(size_t njobs, size_t r, size_t G) {
  return r < njobs ? (njobs - r + G - 1) / G : 0;
}

/* Collective (group): this rank's share, then the gather to the leader (results: leader
 * only). type NULL (not found here) fails this rank with a message naming name. */
static int jobs_share(spx_par *p, const spx_jobs_type *type, const char *name,
                      const void *input, size_t len, size_t njobs, size_t rsize,
                      void *results, spx_error *err) {
  size_t G = (size_t)p->gsize, r = (size_t)p->grank;
  size_t mine = jobs_of(njobs, r, G);
  unsigned char *buf = malloc(mine * rsize > 0 ? mine * rsize : 1);
  spx_error local = {0};
  int rc = SPX_OK;
  if (buf == NULL)
    rc = spx_error_set(&local, SPX_ENOMEM, "out of memory for %zu job results", mine);
  else if (type == NULL)
    rc = spx_error_set(&local, SPX_EINTERNAL, "rank %d: unknown job type '%s'", p->wrank, name);
  else
    rc = spx_jobs_run_share(type, input, len, njobs, r, G, rsize, buf,
                            p->wrank == 0 ? p->poll : NULL, p->poll_ctx, &local);
  rc = agree(p, rc, &local, err);
  if (rc) {
    free(buf);
    return rc;
  }
  if (G == 1) {
    memcpy(results, buf, njobs * rsize);
    free(buf);
    return SPX_OK;
  }
  int *counts = NULL, *displs = NULL;
  unsigned char *all = NULL;
  int ok = 1;
  if (r == 0) {
    counts = malloc(G * sizeof *counts);
    displs = malloc(G * sizeof *displs);
    all = malloc(njobs * rsize > 0 ? njobs * rsize : 1);
    ok = counts && displs && all;
  }
  int okall = ok;
  MPI_Bcast(&okall, 1, MPI_INT, 0, p->group);
  if (okall) {
    if (r == 0) {
      int at = 0;
      for (size_t k = 0; k < G; k++) {
        counts[k] = (int)(jobs_of(njobs, k, G) * rsize);
        displs[k] = at;
        at += counts[k];
      }
    }
    MPI_Gatherv(buf, (int)(mine * rsize), MPI_BYTE, all, counts, displs, MPI_BYTE, 0, p->group);
    if (r == 0) /* rank k's i-th result is job k + i G */
      for (size_t k = 0; k < G; k++)
        for (size_t i = 0; i < jobs_of(njobs, k, G); i++)
          memcpy((unsigned char *)results + (k + i * G) * rsize,
                 all + (size_t)displs[k] + i * rsize, rsize);
  }
  free(counts);
  free(displs);
  free(all);
  free(buf);
  return okall ? SPX_OK : spx_error_set(err, SPX_ENOMEM, "out of memory gathering job results");
}

int spx_par_group_jobs(spx_par *par, const spx_jobs_type *type, const void *input, size_t len,
                       size_t njobs, size_t result_size, void *results, spx_error *err) {
  if (njobs == 0) return SPX_OK;
  if (par->gsize <= 1 || njobs == 1) /* no one to share with: run here (with the poll hook) */
    return spx_jobs_run_share(type, input, len, njobs, 0, 1, result_size, results,
                              par->wrank == 0 ? par->poll : NULL, par->poll_ctx, err);
  if (njobs > (size_t)INT_MAX / (result_size ? result_size : 1) || len > (size_t)INT_MAX)
    return spx_error_set(err, SPX_ERANGE, "%s: %zu jobs of %zu result bytes (input %zu bytes) "
                         "are too large to share", type->name, njobs, result_size, len);
  size_t nlen = strlen(type->name);
  group_cmd c = {CMD_JOBS, (int64_t)nlen, (int64_t)njobs, (int64_t)len, (int64_t)result_size};
  for (int r = 1; r < par->gsize; r++)
    MPI_Send(&c, (int)sizeof c, MPI_BYTE, r, TAG_GROUP_CMD, par->group);
  bcast_bytes((void *)type->name, nlen, 0, par->group);
  bcast_bytes((void *)input, len, 0, par->group);
  return jobs_share(par, type, type->name, input, len, njobs, result_size, results, err);
}

/* A helper's side of spx_par_group_jobs. */
static void serve_jobs(spx_par *par, const group_cmd *c) {
  char *name = malloc((size_t)c->n + 1);
  void *input = malloc(c->len ? (size_t)c->len : 1);
  /* Out of memory here would desynchronise the group: it is fatal. */
  if (name == NULL || input == NULL) MPI_Abort(par->world, 3);
  bcast_bytes(name, (size_t)c->n, 0, par->group);
  name[c->n] = '\0';
  bcast_bytes(input, (size_t)c->len, 0, par->group);
  spx_error local = {0};
  jobs_share(par, par->job_types(name), name, input, (size_t)c->len, (size_t)c->count,
             (size_t)c->size, NULL, &local); /* the leader reports failures */
  free(name);
  free(input);
}

void spx_par_set_job_types(spx_par *par, const spx_jobs_type *(*lookup)(const char *name)) {
  par->job_types = lookup ? lookup : spx_jobs_lookup;
}

static int runner_run(void *ctx, const spx_jobs_type *type, const void *input, size_t len,
                      size_t njobs, size_t result_size, void *results, spx_error *err) {
  return spx_par_group_jobs(ctx, type, input, len, njobs, result_size, results, err);
}

spx_jobs_runner spx_par_jobs_runner(spx_par *par) {
  spx_jobs_runner r = {runner_run, par};
  return r;
}

int spx_par_group_serve(spx_par *par, spx_oracle *oracle, spx_error *err) {
  for (;;) {
    void *buf;
    size_t len;
    int rc = poll_recv(par->group, 0, TAG_GROUP_CMD, NULL, NULL, &buf, &len, err);
    if (rc) return rc;
    group_cmd c;
    memcpy(&c, buf, sizeof c);
    free(buf);
    if (c.cmd == CMD_RELEASE) return SPX_OK;
    if (c.cmd == CMD_JOBS) {
      serve_jobs(par, &c);
      continue;
    }
    spx_maskset *m = spx_maskset_create((size_t)c.n, (size_t)c.count);
    double *values = malloc((c.count ? (size_t)c.count : 1) * sizeof *values);
    /* Out of memory here would desynchronise the group: it is fatal. */
    if (m == NULL || values == NULL) MPI_Abort(par->world, 3);
    bcast_bytes(m->bits, m->count * m->words * sizeof *m->bits, 0, par->group);
    spx_error local = {0};
    spx_par_evaluate(par, oracle, m, values, &local); /* the leader reports failures */
    spx_maskset_destroy(&m);
    free(values);
  }
}

void spx_par_library_version(char *buf, size_t len) {
  char v[MPI_MAX_LIBRARY_VERSION_STRING];
  int n = 0;
  if (len == 0) return;
  if (MPI_Get_library_version(v, &n) != MPI_SUCCESS || n <= 0) {
    snprintf(buf, len, "unknown");
    return;
  }
  v[n < MPI_MAX_LIBRARY_VERSION_STRING ? n : MPI_MAX_LIBRARY_VERSION_STRING - 1] = '\0';
  v[strcspn(v, "\n")] = '\0';
  snprintf(buf, len, "%s", v);
}
