/* grid.c: the experiment grid runner behind the faithfulness, recovery and scaling drivers.
 *
 * Work comes in two kinds of task: the setup of an instance (open the oracle, draw the
 * held-out test masks, evaluate them) and a cell (instance, method, budget, repeat). The
 * task farm of src/par/farm.h moves them: the coordinator (world rank 0, grid_coord.c) hands
 * tasks to groups dynamically, a cell only once its instance is set up, and writes every
 * answer to the HDF5 file as it arrives; each group runs its tasks (grid_cell.c). Unless it
 * is dedicated, the coordinator also leads group 0 and runs its own tasks through the same
 * callback as the other groups, so a serial run and a parallel run produce the same file.
 * Every random choice comes from spx_rng_stream with coordinates of the task, never from a
 * rank. */
#include "grid_internal.h"
#include "spx_git_commit.h" /* SPX_GIT_COMMIT, generated (CMakeLists.txt) */

/* Everything after the configuration checks: collective over the world. */
static int run_grid(const spx_config *cfg, spx_par *par, const spx_run_options *opt,
                    spx_error *err) {
  coordinator c;
  int coord = spx_par_is_coordinator(par);
  int rc = SPX_OK, usage = 0;
  if (coord) {
    rc = grid_coordinator_init(&c, cfg, opt, err);
    if (rc == SPX_OK) rc = grid_coordinator_open(&c, par, &usage, err);
    c.started = spx_time_now();
    if (rc == SPX_OK) {
      size_t done = 0;
      for (size_t id = 0; id < c.ninstances * c.per_instance; id++) done += c.cell_state[id] == CELL_FINISHED;
      c.todo_cells = c.ninstances * c.per_instance - done;
      if (!opt->quiet && opt->errout && done)
        fprintf(opt->errout, "resuming %s: %zu of %zu cells already finished\n", cfg->output,
                done, c.ninstances * c.per_instance);
    }
  }
  /* Everyone learns whether the file is ready. */
  int32_t status[2] = {rc, usage};
  spx_par_world_bcast(par, status, sizeof status, err);
  if (status[0]) {
    if (coord) grid_coordinator_free(&c);
    if (!coord) spx_error_set(err, status[0], "the coordinator could not open the result file");
    return status[1] ? SPX_EINVAL : (status[0] == SPX_EINVAL ? SPX_EIO : status[0]);
  }
  worker w;
  grid_worker_init(&w, cfg, par);
  spx_par_farm farm = {grid_next_task, grid_run_task, grid_on_answer};
  spx_error fe = {0};
  if (spx_par_farm_run(par, &farm, coord ? &c : NULL, &w, &fe) && coord) grid_set_fatal(&c, &fe);
  grid_worker_free(&w);
  int32_t final[2] = {SPX_OK, 0};
  if (coord) {
    char end[32];
    grid_now_iso(end, sizeof end);
    spx_results_meta meta = {SPX_VERSION, SPX_GIT_COMMIT, NULL, end, spx_par_world_size(par),
                             (int)cfg->group_size};
    spx_error me = {0};
    if (!c.fatal && spx_results_write_meta(c.res, &meta, &me)) grid_set_fatal(&c, &me);
    if (grid_provenance_end(&c, end, &me) && !c.fatal) grid_set_fatal(&c, &me);
    grid_print_summary(&c, opt->out);
    if (opt->out && c.res) spx_score_summaries(cfg, c.res, opt->out);
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
    grid_coordinator_free(&c);
  }
  spx_par_world_bcast(par, final, sizeof final, NULL);
  if (!coord && final[0]) spx_error_set(err, final[0], "the run failed (see rank 0)");
  return final[0];
}

int spx_run_experiment(const spx_config *cfg, spx_par *par, const spx_run_options *opt,
                       spx_error *err) {
  switch (cfg->kind) {
  case SPX_EXP_FAITHFULNESS: /* the three kinds differ only in what a cell scores */
  case SPX_EXP_RECOVERY:
  case SPX_EXP_SCALING: return run_grid(cfg, par, opt, err);
  case SPX_EXP_RECORD: return spx_run_record(cfg, par, opt, err);
  default:
    return spx_error_set(err, SPX_EINVAL,
                         "%s: experiment.kind = \"%s\" is not available yet in this build",
                         cfg->source, spx_experiment_kind_name(cfg->kind));
  }
}
