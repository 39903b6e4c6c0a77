#!/usr/bin/env bash
# tests/integration/kill_resume.sh: SIGKILL a run at random moments (5 times on 1 rank and 5
# times under `mpirun -np 2`), check after every kill that the result file opens cleanly and
# its finished cells are consistent, then --resume to completion and compare with an
# uninterrupted run: everything must agree except /meta, the timing datasets and the
# `output =` line of /config (scripts/compare-results; docs/results-format.md "Resume").
# Set SPX_KILL_SEED to replay a sequence of delays.
. "$(dirname "$0")/../lib/harness.sh"
need_python h5py numpy
CFG="$SRC/tests/data/kill_resume.toml"
need_cmd h5diff h5dump
cd "$tmp" || exit 1
seed=${SPX_KILL_SEED:-$$}
RANDOM=$seed
echo "kill delays from seed $seed (SPX_KILL_SEED=$seed replays them)"

# The file opens, and every cell marked finished has consistent data (ok: a finite queries
# count and an R^2; skipped/failed: a message). Prints "finished/total" cells.
inspect() {
  "$PY" - "$1" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    done = total = 0
    for label, g in f["results"].items():
        st = g["status"][...]
        total += st.size
        fin = st > 0
        done += int(fin.sum())
        ok = st == 1
        assert np.all(np.isfinite(g["r2"][...][ok])), label
        assert np.all(g["queries"][...][ok] > 0), label
        msg = g["message"][...]
        assert all(len(m) > 0 for m in msg[(st == 2) | (st == 3)]), label
        assert not np.any(st == 3), "failed cell in " + label
    print("%d/%d" % (done, total))
PY
}

# alive SID: number of live (not zombie) processes in session SID.
alive() { ps -e -o sid=,stat= | awk -v s="$1" '$1 == s && $2 !~ /^Z/' | wc -l; }

# run_killed LOG DELAY CMD...: start CMD in its own session, SIGKILL the whole session after
# DELAY seconds (if it is still running). Returns 0 when it killed the run, 1 when the run
# had ended by itself; then its exit status is in run_rc.
run_rc=
run_killed() {
  local log=$1 delay=$2
  shift 2
  setsid "$@" >"$log" 2>&1 &
  local pid=$!
  sleep "$delay"
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL -- "-$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    # every process of the session (mpirun's ranks included) must be gone; zombies waiting
    # for a parent that does not reap them do not count
    for _ in $(seq 25); do [ "$(alive "$pid")" = 0 ] && break; sleep 0.2; done
    if [ "$(alive "$pid")" != 0 ]; then
      echo "FAIL: processes left after SIGKILL:"; ps -e -o pid=,sid=,stat=,args= | awk -v s="$pid" '$2 == s'
      pkill -KILL -s "$pid"; fail=$((fail + 1))
    fi
    return 0
  fi
  wait "$pid"
  run_rc=$?
  return 1 # finished before the kill
}

# compare NAME: run.h5 equals ref.h5 except /meta, the timings and /config's `output =` line
# (the files have different names).
compare() {
  "$SRC/scripts/compare-results" ref.h5 run.h5 >diff.txt 2>&1
  local st=$?
  check "$1: resumed file = uninterrupted file except /meta, timings, output path ($(head -4 diff.txt))" $st
}

# scenario NAME KILLS RUNNER...: a reference run, then runs with --resume on run.h5 killed at
# random moments until KILLS kills happened; whenever a run gets to the end before its kill,
# its file is compared with the reference and a fresh chain starts. Finally one --resume
# completes the last chain, which is compared too.
scenario() {
  local name=$1 kills=$2
  shift 2
  mkdir -p "$name" && cd "$name" || return
  if ! "$@" "$BIN" "$CFG" --quiet --set experiment.output=ref.h5 >ref.log 2>&1; then
    echo "FAIL: $name: reference run failed"; cat ref.log; fail=$((fail + 1)); cd ..; return
  fi
  local k=0 attempt delay state st
  for ((attempt = 0; k < kills && attempt < 4 * kills; attempt++)); do
    # delays 0.3 .. 2.2 s: from MPI start-up (about 1 s) to well inside the grid
    delay=$(awk -v r=$((RANDOM % 20)) 'BEGIN { printf "%.1f", 0.3 + r / 10 }')
    if run_killed "kill$attempt.log" "$delay" "$@" "$BIN" "$CFG" --quiet --resume \
        --set experiment.output=run.h5; then
      k=$((k + 1))
      if [ -e run.h5 ]; then
        h5dump -H run.h5 >/dev/null 2>h5dump.err
        st=$?
        check "$name: h5dump -H after a kill at ${delay}s ($(head -c 200 h5dump.err))" $st
        state=$(inspect run.h5 2>inspect.err)
        st=$?
        check "$name: file consistent after a kill at ${delay}s ($(tail -1 inspect.err))" $st
        echo "$name: killed at ${delay}s: $state cells finished"
      else
        echo "$name: killed at ${delay}s: no file yet"
      fi
    else
      check "$name: run finished before its kill at ${delay}s exits 0 (exit $run_rc: $(tail -1 kill$attempt.log))" "$run_rc"
      compare "$name (completed chain)"
      echo "$name: run finished before its kill at ${delay}s; compared, starting a fresh file"
      rm -f run.h5
    fi
  done
  [ "$k" -ge "$kills" ]
  check "$name: $kills runs were interrupted (got $k)" $?
  "$@" "$BIN" "$CFG" --quiet --resume --set experiment.output=run.h5 >final.log 2>&1
  st=$?
  check "$name: final --resume exits 0 ($(tail -1 final.log))" $st
  compare "$name"
  cd ..
}

scenario serial 5 env
if [ -n "$MPIRUN" ]; then
  scenario mpi2 5 "$MPIRUN" -np 2 --oversubscribe
else
  echo "SKIP: mpirun not found"
fi
finish
