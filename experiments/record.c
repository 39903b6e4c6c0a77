/* record.c: the record driver. Runs every query an experiment grid needs against the live
 * oracle and stores the answers, one recording (io/recording.h) per explicand, so that the
 * same configuration replays with `[oracle] kind = "recorded"` without the model
 * (docs/recordings.md).
 *
 * For each explicand, through the cell runner (cell_runner.h) as a grid task: open the oracle
 * on the group (spx_cell_runner_group_open), the held-out test masks
 * (spx_cell_runner_test_masks), then every (method, budget, repeat) cell's masks, found by
 * running the method through its step() rounds exactly as a run does (spx_cell_plan: the same
 * random streams), feeding back the values of each round and stopping when step() says done
 * (finish(), the decode, is skipped). Masks already in the recording are
 * not evaluated again; the missing ones are evaluated once each, in chunks, and appended
 * (each append is flushed and committed), so an interrupted record loses at most one chunk
 * and a re-run continues where it stopped.
 *
 * Parallel layout: one task of the task farm (src/par/farm.h) per explicand: world rank 0
 * hands the explicands to the groups as they ask (each recording file is written by the one
 * group that got its explicand), the group shares the oracle work, and the leader's report
 * comes back as the task's answer, which rank 0 prints (between pieces of its own work when
 * it computes). Which group records an explicand does not change the file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cell_runner.h"
#include "core/paths.h"
#include "core/timer.h"
#include "io/recording.h"
#include "par/farm.h"
#include "run.h"

/* ---- one explicand -------------------------------------------------------------------------- */

typedef struct {
  const spx_config *cfg;
  spx_par *par;
  spx_oracle *oracle;
  spx_recording *rec;
  size_t requested, added; /* masks asked for (with repeats), rows appended */
  size_t chunk;            /* masks per evaluation chunk (adapts to ~10 s) */
} recorder;

typedef struct {
  const uint64_t *m;
  size_t words, row;
} mask_ref;

static int cmp_mask(const void *a, const void *b) {
  const mask_ref *x = a, *y = b;
  for (size_t w = 0; w < x->words; w++)
    if (x->m[w] != y->m[w]) return x->m[w] < y->m[w] ? -1 : 1;
  return x->row < y->row ? -1 : (x->row > y->row);
}

/* Evaluation callback of the method loop (leader): values from the recording; the missing
 * masks, each once, evaluated by the group in chunks, each chunk appended at once. */
static int record_eval(void *vctx, const spx_maskset *masks, double *values, spx_error *err) {
  recorder *r = vctx;
  size_t N = masks->count, nmiss = 0;
  r->requested += N;
  mask_ref *miss = malloc((N ? N : 1) * sizeof *miss);
  size_t *uniq_of = malloc((N ? N : 1) * sizeof *uniq_of);
  spx_maskset *uniq = spx_maskset_create(masks->n, 0);
  double *uvals = NULL;
  int rc = (miss && uniq_of && uniq) ? SPX_OK : spx_error_set(err, SPX_ENOMEM, "out of memory");
  for (size_t i = 0; rc == SPX_OK && i < N; i++) {
    int found;
    spx_recording_lookup(r->rec, spx_maskset_row(masks, i), &values[i], &found);
    if (!found) miss[nmiss++] = (mask_ref){spx_maskset_row(masks, i), masks->words, i};
  }
  if (rc == SPX_OK && nmiss) {
    qsort(miss, nmiss, sizeof *miss, cmp_mask);
    for (size_t k = 0; rc == SPX_OK && k < nmiss; k++) {
      if (k == 0 || cmp_mask(&(mask_ref){miss[k - 1].m, masks->words, 0},
                             &(mask_ref){miss[k].m, masks->words, 0}) != 0)
        rc = spx_maskset_append(uniq, miss[k].m, err);
      uniq_of[k] = uniq->count - 1;
    }
    uvals = rc ? NULL : malloc(uniq->count * sizeof *uvals);
    if (rc == SPX_OK && uvals == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
    for (size_t at = 0; rc == SPX_OK && at < uniq->count;) {
      size_t len = uniq->count - at < r->chunk ? uniq->count - at : r->chunk;
      spx_maskset view = *uniq;
      view.bits = spx_maskset_row(uniq, at);
      view.count = view.capacity = len;
      double t0 = spx_time_now();
      rc = spx_par_group_eval(r->par, r->oracle, &view, uvals + at, err);
      if (rc == SPX_OK) rc = spx_recording_append(r->rec, &view, 0, len, uvals + at, err);
      if (rc == SPX_OK) r->added += len;
      double dt = spx_time_now() - t0;
      if (len == r->chunk && dt < 10.0 && r->chunk < ((size_t)1 << 16)) r->chunk *= 2;
      at += len;
    }
    for (size_t k = 0; rc == SPX_OK && k < nmiss; k++) values[miss[k].row] = uvals[uniq_of[k]];
  }
  free(miss);
  free(uniq_of);
  free(uvals);
  spx_maskset_destroy(&uniq);
  return rc;
}

/* The masks of one cell: the cell runner's method rounds (spx_cell_plan, the streams of a
 * grid cell), each round's values through record_eval, without the final decode. */
static int record_cell(recorder *r, size_t instance, size_t m, size_t budget_index,
                       size_t samples, size_t repeat, int *skipped, spx_error *err) {
  const spx_config *cfg = r->cfg;
  const spx_config_method *cm = &cfg->method[m];
  spx_cell_spec spec = {cfg,      cfg->seed, instance, spx_grid_stream(cfg, instance),
                        m,        budget_index, repeat, cm->type,
                        cm->label, cm->opts, NULL,    samples,
                        0};
  int rc = spx_cell_plan(&spec, r->oracle->n, record_eval, r, skipped, err);
  if (rc) spx_error_prefix(err, "%s, %zu queries, repeat %zu", cm->label, samples, repeat);
  return rc;
}

/* The recording file of an explicand: the pattern with "{e}" replaced. */
static void recording_path(const spx_config *cfg, size_t explicand, char *out, size_t len) {
  const char *p = strstr(cfg->recording, "{e}");
  if (p == NULL)
    snprintf(out, len, "%s", cfg->recording);
  else
    snprintf(out, len, "%.*s%zu%s", (int)(p - cfg->recording), cfg->recording, explicand, p + 3);
}

typedef struct {
  int64_t instance, rc, requested, added, total, skipped, path_len, msg_len;
} report_hdr;

/* Collective (group): record explicand `instance`; the leader writes its report into *out,
 * the other ranks serve the leader's evaluations. The oracle is opened by the cell runner's
 * open step (cell_runner.h), as for a grid task, on every rank of the group. */
static void record_instance(const spx_config *cfg, spx_par *par, size_t instance,
                            spx_bytes *out) {
  size_t e = spx_config_instance_explicand(cfg, instance);
  recorder r = {cfg, par, NULL, NULL, 0, 0, 64};
  spx_error err = {0};
  char path[4096];
  recording_path(cfg, e, path, sizeof path);
  int64_t skipped = 0;
  spx_cell_runner run;
  spx_cell_runner_init(&run);
  int lead = 0;
  int rc = spx_cell_runner_group_open(&run, par, cfg, instance, &lead, &err);
  if (rc == SPX_OK && !lead) {
    spx_cell_runner_free(&run);
    return;
  }
  char *ident = NULL; /* the identity of the model the recording must hold (#14) */
  if (rc == SPX_OK) {
    r.oracle = run.oracle;
    ident = spx_recording_identity(cfg->oracle->name, run.oracle_opts);
    size_t n = r.oracle->n;
    if (access(path, F_OK) == 0) {
      rc = spx_recording_open(path, 1, &r.rec, &err);
      if (rc == SPX_OK && spx_recording_n(r.rec) != n)
        rc = spx_error_set(&err, SPX_EINVAL,
                           "%s: the recording has n = %zu but the oracle has n = %zu (another "
                           "configuration? remove it or change experiment.recording)",
                           path, spx_recording_n(r.rec), n);
    } else {
      rc = spx_make_parent_dirs(path, &err);
      if (rc == SPX_OK)
        rc = spx_recording_create(path, n, cfg->oracle->name, spx_oracle_explicand_of(r.oracle),
                                  spx_oracle_labels(r.oracle), 0, &r.rec, &err);
    }
    if (rc == SPX_OK) /* the same model's answers only (#14, fault) */
      rc = ident ? spx_recording_check_identity(r.rec, ident, &err)
                 : spx_error_set(&err, SPX_ENOMEM, "out of memory");
    const spx_maskset *test = NULL;
    double *values = NULL;
    if (rc == SPX_OK)
      rc = spx_cell_runner_test_masks(&run, cfg->seed, spx_grid_stream(cfg, instance), n,
                                      cfg->test_masks, &test, &err);
    if (rc == SPX_OK) {
      values = malloc((test->count ? test->count : 1) * sizeof *values);
      rc = values ? record_eval(&r, test, values, &err)
                  : spx_error_set(&err, SPX_ENOMEM, "out of memory");
      if (rc) spx_error_prefix(&err, "test masks");
    }
    free(values);
    for (size_t m = 0; rc == SPX_OK && m < cfg->nmethod; m++)
      for (size_t b = 0; rc == SPX_OK && b < cfg->nbudget_points; b++) {
        size_t samples;
        rc = spx_config_budget_queries(cfg, n, b, &samples, &err);
        for (size_t rep = 0; rc == SPX_OK && rep < cfg->repeats; rep++) {
          int sk;
          rc = record_cell(&r, instance, m, b, samples, rep, &sk, &err);
          skipped += sk;
        }
      }
    spx_par_group_release(par, NULL);
  }
  if (rc) spx_error_prefix(&err, "explicand %zu (%s)", e, path);
  report_hdr h = {(int64_t)instance, rc,
                  (int64_t)r.requested, (int64_t)r.added,
                  r.rec ? (int64_t)spx_recording_count(r.rec) : 0, skipped,
                  (int64_t)strlen(path), rc ? (int64_t)strlen(err.msg) : 0};
  spx_recording_close(&r.rec);
  spx_cell_runner_free(&run); /* the oracle r.oracle */
  free(ident);
  spx_bytes_put(out, &h, sizeof h);
  spx_bytes_put(out, path, (size_t)h.path_len);
  spx_bytes_put(out, err.msg, (size_t)h.msg_len);
}

/* ---- world rank 0: the reports ----------------------------------------------------------- */

typedef struct {
  const spx_config *cfg;
  const spx_run_options *opt;
  size_t ninstances, handed_out, received, failed;
  double t0;
  spx_error first_failure;
} reports;

static void handle_report(reports *s, const void *buf, size_t len) {
  report_hdr h;
  s->received++;
  if (buf == NULL || len < sizeof h) {
    if (s->failed++ == 0) spx_error_set(&s->first_failure, SPX_EINTERNAL, "malformed report");
    return;
  }
  memcpy(&h, buf, sizeof h);
  const char *text = (const char *)buf + sizeof h;
  if (len < sizeof h + (size_t)h.path_len + (size_t)h.msg_len) h.path_len = h.msg_len = 0;
  if (h.rc) {
    if (s->failed++ == 0)
      spx_error_set(&s->first_failure, (int)h.rc, "%.*s", (int)h.msg_len, text + h.path_len);
  }
  FILE *o = s->opt->errout;
  if (o == NULL || (s->opt->quiet && h.rc == 0)) return;
  size_t e = h.instance >= 0 && (size_t)h.instance < s->ninstances
                 ? spx_config_instance_explicand(s->cfg, (size_t)h.instance)
                 : 0;
  fprintf(o, "[%zu/%zu] elapsed %.1fs | explicand %zu: ", s->received, s->ninstances,
          spx_time_now() - s->t0, e);
  if (h.rc)
    fprintf(o, "failed: %.*s\n", (int)h.msg_len, text + h.path_len);
  else
    fprintf(o, "%lld queries, %lld new masks recorded, %lld in %.*s%s\n", (long long)h.requested,
            (long long)h.added, (long long)h.total, (int)h.path_len, text,
            h.skipped ? " (some cells not applicable: no queries)" : "");
  fflush(o);
}

/* ---- the task farm (src/par/farm.h): one task per explicand ----------------------------- */

static spx_farm_next next_explicand(void *vs, size_t group, spx_bytes *task) {
  reports *s = vs;
  (void)group;
  if (s->handed_out >= s->ninstances) return SPX_FARM_DONE;
  int64_t instance = (int64_t)s->handed_out++;
  spx_bytes_put(task, &instance, sizeof instance);
  return SPX_FARM_TASK;
}

typedef struct {
  const spx_config *cfg;
  spx_par *par;
} record_worker;

static void run_explicand(void *vw, const void *task, size_t len, spx_bytes *answer) {
  record_worker *w = vw;
  int64_t instance;
  if (len != sizeof instance) return; /* cannot happen; an empty report is malformed */
  memcpy(&instance, task, sizeof instance);
  record_instance(w->cfg, w->par, (size_t)instance, answer);
}

static int on_report(void *vs, size_t group, const void *task, size_t task_len,
                     const void *answer, size_t len) {
  (void)group;
  (void)task;
  (void)task_len;
  handle_report(vs, answer, len);
  return 0;
}

int spx_run_record(const spx_config *cfg, spx_par *par, const spx_run_options *opt,
                   spx_error *err) {
  size_t ninstances = spx_config_instances(cfg);
  if (cfg->nscaling)
    return spx_error_set(err, SPX_EINVAL,
                         "%s: record: a scaling sweep cannot be recorded (the recorded oracle "
                         "has no n); record each n as its own faithfulness configuration",
                         cfg->source);
  if (cfg->explicand_count > 1 && strstr(cfg->recording, "{e}") == NULL)
    return spx_error_set(err, SPX_EINVAL,
                         "%s: experiment.recording: \"%s\" must contain {e} (the explicand "
                         "number): %zu explicands are recorded, one file each",
                         cfg->source, cfg->recording, cfg->explicand_count);
  int coordinator = spx_par_is_coordinator(par);
  reports s = {cfg, opt, ninstances, 0, 0, 0, spx_time_now(), {0}};
  if (coordinator && !opt->quiet && opt->errout)
    fprintf(opt->errout, "recording %zu explicand%s to %s\n", ninstances,
            ninstances == 1 ? "" : "s",
            cfg->recording);
  record_worker w = {cfg, par};
  spx_par_farm farm = {next_explicand, run_explicand, on_report};
  spx_error fe = {0};
  int frc = spx_par_farm_run(par, &farm, coordinator ? &s : NULL, &w, &fe);
  int32_t final = SPX_OK;
  if (coordinator) {
    if (frc) {
      final = frc;
      *err = fe;
    } else if (s.failed || s.received < ninstances) {
      final = SPX_EORACLE;
      spx_error_set(err, SPX_EORACLE, "%zu of %zu explicand%s failed; the first: %s",
                    s.failed + (ninstances - s.received), ninstances, ninstances == 1 ? "" : "s",
                    s.first_failure.msg);
    } else if (opt->out) {
      fprintf(opt->out, "%s: recorded %zu explicand%s in %s (%.1f s)\n", cfg->name, ninstances,
              ninstances == 1 ? "" : "s", cfg->recording, spx_time_now() - s.t0);
      fflush(opt->out);
    }
  }
  spx_par_world_bcast(par, &final, sizeof final, NULL);
  if (!coordinator && final) spx_error_set(err, final, "the recording failed (see rank 0)");
  return final;
}
