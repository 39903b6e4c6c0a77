#!/usr/bin/env bash
# experiments/bench/faults.sh: the fault matrix of docs/reliability.md, measured (issue #14).
# Each fault is injected into a small run on 1 rank and under `mpirun -np 2`; the table says
# how the run ended (exit status, seconds), what the result file holds (cells ok / failed /
# not run, of the total), whether every ok cell is finite and readable, and whether the
# results equal those of a healthy run (after `--resume` where the fault stops the run).
#
# Usage: experiments/bench/faults.sh [BUILD_DIR]   (root needed for the full-disk rows: tmpfs)
# Prints a Markdown table on stdout. About 4 minutes on the shared 2-core machine (run it
# under `nice -n 10`). I/O errors are injected by tests/data/failwrite.c (LD_PRELOAD, built
# here with cc).
set -u
cd "$(dirname "$0")/../.."
SRC=$PWD
BIN=$SRC/${1:-build}/spex-bench
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
MPIRUN=$(command -v mpirun)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_WAIT_POLICY=passive OMP_NUM_THREADS=1
tmp=$(mktemp -d)
mounts=()
cleanup() {
  for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
  [ -f "$tmp/pids" ] && for p in $(cat "$tmp/pids"); do kill -9 "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1
cc -shared -fPIC -O1 -o failwrite.so "$SRC/tests/data/failwrite.c" -ldl || exit 1

# P: a process model (tests/data/faulty_oracle.py), lime and banzhaf, 2 budgets x 2 repeats = 8
# cells, 40 test masks. S: the synthetic grid of tests/integration/results_safety.sh (24 cells).
cat >p.toml <<EOF2
[experiment]
name = "faults"
seed = 3
output = "mnt/r.h5"
test_masks = 40
repeats = 2

[oracle]
kind = "process"
command = "$PY $SRC/tests/data/faulty_oracle.py ok 0"
n = 6
timeout = 3

[budget]
samples = [60, 120]

[[method]]
name = "lime"

[[method]]
name = "banzhaf"
EOF2
sed -e 's/^output = .*/output = "mnt\/r.h5"/' -e 's/^explicands = .*/explicands = { count = 6 }/' \
  -e 's/^spx_b = .*/spx_b = [7, 8]/' "$SRC/tests/data/kill_resume.toml" >s.toml
cat >huge.sh <<'EOF2'
read n
while read c; do
  i=0
  while [ $i -lt $c ]; do read m; case $m in 1*) echo 1e308;; *) echo -1e308;; esac; i=$((i+1)); done
done
EOF2

# summary FILE: "ok/failed/not run of total, finite" from the file
summary() {
  [ -e "$1" ] || { echo "no file | -"; return; }
  "$PY" - "$1" <<'PY' 2>/dev/null || echo "unreadable (h5py cannot open it) | -"
import sys, h5py, numpy as np
ok = failed = pending = total = 0
finite = True
with h5py.File(sys.argv[1], "r") as f:
    for m in f["results"]:
        g = f["results"][m]
        st = g["status"][...]
        total += st.size
        ok += int((st == 1).sum()); failed += int((st == 3).sum()); pending += int((st == 0).sum())
        for idx in zip(*np.nonzero(st == 1)):
            t = g["transform/%d/%d/%d" % idx]
            finite &= bool(np.isfinite(g["r2"][idx])) and bool(np.all(np.isfinite(t["coefficients"][...])))
print("%d / %d / %d of %d | %s" % (ok, failed, pending, total, "yes" if finite else "NO"))
PY
}
same() { # same REF FILE
  local ex=(--exclude-path /meta --exclude-path /config --exclude-path /explicands)
  for m in lime banzhaf spex; do
    for d in time_decode time_oracle peak_rss_mib message; do ex+=(--exclude-path "/results/$m/$d"); done
  done
  h5diff "${ex[@]}" "$1" "$2" >/dev/null 2>&1 && echo yes || echo no
}
launch() { # launch RANKS: the command prefix
  if [ "$1" = 2 ]; then echo "$MPIRUN --oversubscribe -np 2 $BIN"; else echo "$BIN"; fi
}
row() { # row FAULT RANKS RC SECONDS SUMMARY SAME NOTE
  echo "| $1 | $2 | $3 | $4 | $5 | $6 | $7 |"
}

echo "| fault | ranks | exit | s | cells ok / failed / not run | ok cells finite | results as healthy | note |"
echo "|---|---|---|---|---|---|---|---|"
for ranks in 1 2; do
  [ "$ranks" = 2 ] && [ -z "$MPIRUN" ] && continue
  L=$(launch $ranks)
  # references
  for c in p s; do
    rm -rf ref$c$ranks && mkdir -p ref$c$ranks/mnt
    (cd ref$c$ranks && timeout 300 $L ../$c.toml --quiet >/dev/null 2>&1)
  done
  # model faults on the process config: mode limit label
  while read -r mode limit label; do
    d=$mode$ranks
    rm -rf "$d" && mkdir -p "$d/mnt"
    t0=$(date +%s.%N)
    (cd "$d" && timeout 300 $L ../p.toml --quiet \
      --set "oracle.command=$PY $SRC/tests/data/faulty_oracle.py $mode $limit" </dev/null >out 2>err)
    rc=$?
    s=$(echo "$(date +%s.%N) - $t0" | bc)
    row "$label" $ranks $rc "$(printf %.1f "$s")" "$(summary "$d/mnt/r.h5")" "$(same refp$ranks/mnt/r.h5 "$d/mnt/r.h5")" "$(grep -m1 -o 'spex-bench: .\{0,90\}' "$d/err")"
  done <<'EOF2'
nan 150 one NaN answer (after 150 answers)
crash 150 model process exits (after 150 answers)
hang 150 model hangs (time-out 3 s)
garbage 150 garbage answer line
EOF2
  # huge answers
  d=huge$ranks
  rm -rf "$d" && mkdir -p "$d/mnt"
  t0=$(date +%s.%N)
  (cd "$d" && timeout 300 $L ../p.toml --quiet --set "oracle.command=sh $tmp/huge.sh" >out 2>err)
  rc=$?
  s=$(echo "$(date +%s.%N) - $t0" | bc)
  row "answers of +-1e308" $ranks $rc "$(printf %.1f "$s")" "$(summary "$d/mnt/r.h5")" "n/a" "$(grep -m1 -o 'spex-bench: .\{0,90\}' "$d/err")"
  # a companion process that ignores SIGTERM
  d=comp$ranks
  rm -rf "$d" && mkdir -p "$d/mnt"
  t0=$(date +%s.%N)
  (cd "$d" && timeout 120 $L ../p.toml --quiet --set "oracle.command=(trap '' TERM; exec sleep 1000) & echo \$! >>$tmp/pids; exec $PY $SRC/tests/data/faulty_oracle.py ok 0" >out 2>err)
  rc=$?
  s=$(echo "$(date +%s.%N) - $t0" | bc)
  left=0
  for p in $(cat "$tmp/pids" 2>/dev/null); do
    st=$(awk '{sub(/.*\) /, ""); print $1}' "/proc/$p/stat" 2>/dev/null)
    [ -n "$st" ] && [ "$st" != Z ] && left=$((left + 1))
  done
  rm -f "$tmp/pids"
  row "model leaves a SIGTERM-ignoring child" $ranks $rc "$(printf %.1f "$s")" "$(summary "$d/mnt/r.h5")" "$(same refp$ranks/mnt/r.h5 "$d/mnt/r.h5")" "$left processes left behind"
  # SIGKILL of the whole run after 1 s, then --resume
  d=kill$ranks
  rm -rf "$d" && mkdir -p "$d/mnt"
  (cd "$d" && exec setsid $L ../s.toml --quiet >out 2>err) &
  pid=$!
  sleep 1
  kill -9 -- "-$pid" 2>/dev/null
  wait $pid 2>/dev/null
  # mpirun's ranks run in process groups of their own but in its session: kill them too and
  # wait until none is left (a rank still alive holds the file's lock)
  for _ in $(seq 100); do
    left=$(ps -e -o pid=,sid= | awk -v s="$pid" '$2 == s {print $1}')
    [ -z "$left" ] && break
    kill -9 $left 2>/dev/null
    sleep 0.1
  done
  before=$(summary "$d/mnt/r.h5")
  t0=$(date +%s.%N)
  (cd "$d" && timeout 300 $L ../s.toml --quiet --resume >out 2>err)
  rc=$?
  s=$(echo "$(date +%s.%N) - $t0" | bc)
  row "SIGKILL of the run after 1 s, then --resume" $ranks "$rc (resume)" "$(printf %.1f "$s")" "$(summary "$d/mnt/r.h5")" "$(same refs$ranks/mnt/r.h5 "$d/mnt/r.h5")" "after the kill: ${before%% |*}"
  # an I/O error writing the result file after K writes (some land in an HDF5 metadata flush),
  # then --resume (which rebuilds a file the failure left unreadable from its journal)
  for K in 40 100 300; do
    d=werr$K.$ranks
    rm -rf "$d" && mkdir -p "$d/mnt"
    t0=$(date +%s.%N)
    (cd "$d" && env LD_PRELOAD="$tmp/failwrite.so" SPX_FAIL_WRITE_NAME=/r.h5 SPX_FAIL_WRITE_AFTER=$K \
      timeout 300 $L ../s.toml --quiet >out 2>err)
    rc=$?
    s=$(echo "$(date +%s.%N) - $t0" | bc)
    crash=$(grep -c -iE "segmentation|HDF5-DIAG" "$d/err")
    row "I/O error on the result file after $K writes" $ranks $rc "$(printf %.1f "$s")" "$(summary "$d/mnt/r.h5")" "-" "$crash crash lines; left: $(ls -A "$d/mnt" | tr '\n' ' ')"
    (cd "$d" && timeout 300 $L ../s.toml --quiet --resume >out 2>err)
    rc=$?
    row "... then --resume" $ranks "$rc (resume)" "-" "$(summary "$d/mnt/r.h5")" "$(same refs$ranks/mnt/r.h5 "$d/mnt/r.h5")" "$(grep -m1 -o 'rebuilt from its journal ([^)]*)' "$d/err" || echo 'file readable: no rebuild')"
  done
  # an I/O error writing the journal after 5 records, then --resume
  d=jerr$ranks
  rm -rf "$d" && mkdir -p "$d/mnt"
  t0=$(date +%s.%N)
  (cd "$d" && env LD_PRELOAD="$tmp/failwrite.so" SPX_FAIL_WRITE_NAME=/r.h5.journal SPX_FAIL_WRITE_AFTER=5 \
    timeout 300 $L ../s.toml --quiet >out 2>err)
  rc=$?
  s=$(echo "$(date +%s.%N) - $t0" | bc)
  row "I/O error on the journal after 5 records" $ranks $rc "$(printf %.1f "$s")" "$(summary "$d/mnt/r.h5")" "-" "$(grep -m1 -o 'writing its journal failed' "$d/err")"
  (cd "$d" && timeout 300 $L ../s.toml --quiet --resume >out 2>err)
  rc=$?
  row "... then --resume" $ranks "$rc (resume)" "-" "$(summary "$d/mnt/r.h5")" "$(same refs$ranks/mnt/r.h5 "$d/mnt/r.h5")" ""
  # full disk, then --resume after enlarging
  d=disk$ranks
  rm -rf "$d" && mkdir -p "$d/mnt"
  if mount -t tmpfs -o size=128k tmpfs "$d/mnt" 2>/dev/null; then
    mounts+=("$tmp/$d/mnt")
    t0=$(date +%s.%N)
    (cd "$d" && timeout 300 $L ../s.toml --quiet >out 2>err)
    rc=$?
    s=$(echo "$(date +%s.%N) - $t0" | bc)
    crash=$(grep -c -iE "segmentation|HDF5-DIAG" "$d/err")
    row "disk full (128 KiB tmpfs)" $ranks $rc "$(printf %.1f "$s")" "$(summary "$d/mnt/r.h5")" "-" "$crash crash lines; $(grep -m1 -o 'no space left on the device' "$d/err")"
    mount -o remount,size=8m "$d/mnt"
    (cd "$d" && timeout 300 $L ../s.toml --quiet --resume >out 2>err)
    rc=$?
    row "... then --resume with space" $ranks "$rc (resume)" "-" "$(summary "$d/mnt/r.h5")" "$(same refs$ranks/mnt/r.h5 "$d/mnt/r.h5")" ""
  fi
done
