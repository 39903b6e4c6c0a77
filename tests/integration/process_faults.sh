#!/usr/bin/env bash
# tests/integration/process_faults.sh: a process oracle that misbehaves after 500 answers
# (tests/data/faulty_oracle.py: crash, hang past a 2 s time-out, garbage, NaN, extra output,
# short batch), run through `spex-bench CONFIG` with retries = 0: the run exits 1 with one
# summary line, the cells finished before a fault keep their results (status ok, finite R^2)
# and the others are marked failed with a message naming the fault. The cells of an
# explicand are run largest budget first (docs/benchmarks-mpi.md) and a failed cell's rank
# goes on with a fresh model process (docs/reliability.md), so on 1 rank: 800 fails (50 test
# masks + 800 > 500), 400 is ok on the new process (450), 200 fails (650), 100 is ok on the
# next one: statuses [1 3 1 3] in budget order 100, 200, 400, 800. A fault during the set-up
# of the explicand (the test masks) fails all its cells. Under `mpirun -np 2` a hanging model
# ends the whole job with status 1 (timeout 60 catches a hang of the job itself); which of the
# smaller cells fail then depends on which rank gets them, but 800 fails on any process.
. "$(dirname "$0")/../lib/harness.sh"
. "$SRC/tests/lib/fault_model.sh"
need_python h5py numpy
cd "$tmp" || exit 1
# retries = 0: each fault is final here (the retries are tests/integration/retries.sh). The
# budgets run 800, 400, 200, 100; each cell alone fits in 500 answers but 800.
fault_model_config output=pf.h5 timeout=2 retries=0 'samples=[100, 200, 400, 800]' >pf.toml

# cells STATUSES SUBSTRING: /results/lime/status equals STATUSES (e.g. "1 3 1 3"; x = ok or
# failed), every ok cell has a finite R^2, every failed cell a message containing SUBSTRING,
# and at least one cell is failed unless STATUSES is all ok.
cells() {
  "$PY" - pf.h5 "$1" "$2" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    g = f["results/lime"]
    st = g["status"][...].ravel().tolist()
    want = sys.argv[2].split()
    assert len(st) == len(want), (st, want)
    for s, w in zip(st, want):
        assert (s in (1, 3)) if w == "x" else s == int(w), (st, want)
    assert 3 in st or all(w == "1" for w in want), st
    r2 = g["r2"][...].ravel()
    msg = [m.decode() for m in g["message"][...].ravel()]
    for s, r, m in zip(st, r2, msg):
        if s == 1:
            assert np.isfinite(r), r
        if s == 3:
            assert sys.argv[3] in m, (sys.argv[3], m)
PY
}

# mode LIMIT STATUSES SUBSTRING [RUNNER...]
fault() {
  local mode=$1 limit=$2 want=$3 text=$4
  shift 4
  rm -f pf.h5
  timeout 60 "$@" "$BIN" pf.toml --quiet \
    --set "$(fault_model_set "$mode" "$limit")" >out.txt 2>err.txt
  local rc=$?
  [ "$rc" = 1 ]
  check "$mode ${*:-serial}: exit status $rc (want 1; 124 = hang)" $?
  [ "$(grep -c '^spex-bench: .* cells\? failed (status and message are in pf.h5; --resume runs them again)$' err.txt)" = 1 ]
  local st=$?
  check "$mode ${*:-serial}: one summary line ($(grep spex-bench err.txt | head -3))" $st
  cells "$want" "$text" 2>cells.err
  st=$?
  check "$mode ${*:-serial}: finished cells kept, failed cells explained ($(tail -1 cells.err))" $st
}

fault crash 500 "1 3 1 3" "the process closed its output"
fault hang 500 "1 3 1 3" "no answer within the time-out"
fault garbage 500 "1 3 1 3" "expected a number, got 'abc'"
fault nan 500 "1 3 1 3" "the answer 'nan' is not a finite number"
fault extra 500 "1 3 1 3" "extra output after the last"
fault short 500 "1 3 1 3" "the process closed its output"
fault crash 10 "3 3 3 3" "setup of explicand 0 failed"
if [ -n "$MPIRUN" ]; then
  fault hang 500 "x x x 3" "no answer within the time-out" "$MPIRUN" -np 2 --oversubscribe
  fault crash 10 "3 3 3 3" "setup of explicand 0 failed" "$MPIRUN" -np 2 --oversubscribe
else
  echo "SKIP (part): mpirun not found"
fi
# the well-behaved model: exit 0, all cells ok
rm -f pf.h5
"$BIN" pf.toml --quiet >out.txt 2>err.txt
st=$?
check "ok model: exit 0 ($(head -2 err.txt))" $st
cells "1 1 1 1" "" 2>cells.err
st=$?
check "ok model: all cells ok ($(tail -1 cells.err))" $st
finish
