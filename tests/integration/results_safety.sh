#!/usr/bin/env bash
# tests/integration/results_safety.sh: result files are never left corrupt or unresumable
# (issue #14). A small synthetic grid (6 explicands x spex, lime x spx_b 7, 8: 24 cells).
#  - full disk: the output on a 128 KiB tmpfs (needs root for mount; skipped otherwise), on 1
#    rank and under mpirun -np 2: exit 1 with "no space left on the device", no crash; the
#    file passes h5dump and every ok cell in it is readable with a finite R^2; after the
#    tmpfs is enlarged, --resume completes it and it equals an uninterrupted run (h5diff,
#    times and /meta excluded);
#  - --resume refuses, without writing a byte: an empty file, a text file, an HDF5 file that
#    is not ours, /dev/null, a directory; a damaged file (an ok cell's coefficients removed,
#    a truncated file) naming what is damaged; a file locked by another process;
#  - creation errors name their cause: read-only file system, too long a name;
#  - a run killed at random moments right after its start never leaves a file at the output
#    path that is empty or lacks /config (the file is created under a temporary name);
#  - an I/O error after the disk space was reserved (writes failed by an LD_PRELOAD shim,
#    tests/data/failwrite.c), at 4 points of the file's writes and 2 of its journal's, on 1
#    and 2 ranks: exit 1 with the reason, no crash, and --resume (rebuilding the file from its
#    journal when the failure left it unreadable) gives the uninterrupted result without
#    running a finished cell again; a torn last journal record is dropped.
# About 110 s on the loaded shared machine (25 s of CPU).
. "$(dirname "$0")/../lib/harness.sh"
need_python h5py numpy
mounts=()
on_exit 'for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done'
cd "$tmp" || exit 1
# expect NAME RC FIRST-LINE-FRAGMENT OUTPUT-FILE
expect() {
  if [ "$2" = "$(cat rc)" ] && grep -qF -- "$3" err; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $1: want exit $2 and '$3'"
    echo "  got exit $(cat rc): $(head -3 err)"
  fi
}
sed -e 's/^output = .*/output = "mnt\/r.h5"/' -e 's/^explicands = .*/explicands = { count = 6 }/' \
  -e 's/^spx_b = .*/spx_b = [7, 8]/' "$SRC/tests/data/kill_resume.toml" >c.toml
run() { # run DIR ARGS...: spex-bench in DIR, exit status to DIR/../rc, stderr to err
  local d=$1
  shift
  (cd "$d" && "$@" >../out 2>../err)
  echo $? >rc
}
EXCL=(--exclude-path /meta)
for m in spex lime; do
  for d in time_decode time_oracle peak_rss_mib; do EXCL+=(--exclude-path "/results/$m/$d"); done
done
# cells_ok FILE: every ok cell has a finite R^2 and a readable transform; prints the ok count
cells_ok() {
  "$PY" - "$1" <<'PY'
import sys, h5py, numpy as np
ok = 0
with h5py.File(sys.argv[1], "r") as f:
    for m in f["results"]:
        g = f["results"][m]
        st, r2 = g["status"][...], g["r2"][...]
        for idx in zip(*np.nonzero(st == 1)):
            assert np.isfinite(r2[idx]), (m, idx)
            t = g["transform/%d/%d/%d" % idx]
            assert t["offsets"][-1] == len(t["indices"][...]) and len(t["coefficients"][...]) + 1 == len(t["offsets"])
            ok += 1
print(ok)
PY
}

mkdir -p ref/mnt
run ref "$BIN" ../c.toml --quiet
check "reference run exits 0" "$(cat rc)"

# ---- full disk --------------------------------------------------------------------------------
for ranks in 1 2; do
  [ "$ranks" = 2 ] && [ -z "$MPIRUN" ] && continue
  d=full$ranks
  mkdir -p "$d/mnt"
  if ! mount -t tmpfs -o size=128k tmpfs "$d/mnt" 2>/dev/null; then
    echo "SKIP: full disk (cannot mount a tmpfs: not root?)"
    break
  fi
  mounts+=("$tmp/$d/mnt")
  launch=("$BIN")
  [ "$ranks" = 2 ] && launch=("$MPIRUN" --oversubscribe -np 2 "$BIN")
  run "$d" timeout 120 "${launch[@]}" ../c.toml --quiet
  expect "$ranks rank(s): full disk ends the run cleanly" 1 "no space left on the device" 
  crash=$(grep -m1 -iE "segmentation|signal|HDF5-DIAG" err)
  check "$ranks rank(s): no crash, no HDF5 dump [$crash]" "$([ -z "$crash" ] && echo 0 || echo 1)"
  h5dump -H "$d/mnt/r.h5" >/dev/null 2>&1
  check "$ranks rank(s): the file after the full disk passes h5dump" $?
  ok=$(cells_ok "$d/mnt/r.h5" 2>&1)
  [ "$ok" -ge 1 ] 2>/dev/null && [ "$ok" -lt 24 ]
  check "$ranks rank(s): the finished cells are readable ($ok ok cells of 24)" $?
  mount -o remount,size=8m "$d/mnt"
  run "$d" timeout 120 "${launch[@]}" ../c.toml --quiet --resume
  check "$ranks rank(s): --resume after freeing space exits 0 [$(head -1 err)]" "$(cat rc)"
  h5diff "${EXCL[@]}" ref/mnt/r.h5 "$d/mnt/r.h5" >diff.out 2>&1
  st=$?
  check "$ranks rank(s): resumed file equals the uninterrupted run [$(tail -1 diff.out)]" $st
  [ -z "$(ls -A "$d/mnt" | grep -v '^r.h5$')" ]
  st=$?
  check "$ranks rank(s): no temporary file left [$(ls -A "$d/mnt")]" $st
done

# ---- --resume refuses without writing ---------------------------------------------------------
mkdir -p bad/mnt
: >bad/mnt/r.h5
run bad "$BIN" ../c.toml --quiet --resume
expect "empty file" 2 "mnt/r.h5: the file is empty (left by a run killed while creating it?)"
[ ! -s bad/mnt/r.h5 ]
check "empty file left empty" $?
echo "some text" >bad/mnt/r.h5
sum=$(md5sum <bad/mnt/r.h5)
run bad "$BIN" ../c.toml --quiet --resume
expect "text file" 2 "mnt/r.h5: not a spex-bench result file (not an HDF5 file); it was left unchanged"
[ "$sum" = "$(md5sum <bad/mnt/r.h5)" ]
check "text file unchanged" $?
"$PY" -c "import h5py; h5py.File('bad/mnt/r.h5', 'w')['x'] = 1"
sum=$(md5sum <bad/mnt/r.h5)
run bad "$BIN" ../c.toml --quiet --resume
expect "foreign HDF5 file" 2 "mnt/r.h5: not a spex-bench result file (no /config); it was left unchanged"
[ "$sum" = "$(md5sum <bad/mnt/r.h5)" ]
check "foreign HDF5 file unchanged" $?
run bad "$BIN" ../c.toml --quiet --resume --set experiment.output=/dev/null
expect "/dev/null" 2 "/dev/null: is not a regular file"
run bad "$BIN" ../c.toml --quiet --resume --set experiment.output=/tmp
expect "a directory" 2 "/tmp: is a directory, not a result file"

# damaged: an ok cell's coefficients removed; a truncated file
cp ref/mnt/r.h5 bad/mnt/r.h5
"$PY" -c "import h5py; del h5py.File('bad/mnt/r.h5', 'a')['results/lime/transform/3/1/0/coefficients']"
sum=$(md5sum <bad/mnt/r.h5)
run bad "$BIN" ../c.toml --quiet --resume
expect "missing coefficients" 1 "mnt/r.h5: damaged: results/lime/transform/3/1/0/coefficients cannot be read"
[ "$sum" = "$(md5sum <bad/mnt/r.h5)" ]
check "damaged file unchanged" $?
cp ref/mnt/r.h5 bad/mnt/r.h5
truncate -s 100000 bad/mnt/r.h5
run bad "$BIN" ../c.toml --quiet --resume
expect "truncated file" 1 "mnt/r.h5: damaged: the file is truncated"

# locked: a process holding a lock on the file (as HDF5 does), and a second spex-bench run
cp ref/mnt/r.h5 bad/mnt/r.h5
"$PY" -c "
import fcntl, time
f = open('bad/mnt/r.h5', 'rb'); fcntl.flock(f, fcntl.LOCK_EX); open('bad/locked', 'w').close(); time.sleep(4)" &
holder=$!
for _ in $(seq 50); do [ -e bad/locked ] && break; sleep 0.1; done
run bad "$BIN" ../c.toml --quiet --resume
expect "flock held by another process" 1 "mnt/r.h5: the file is locked by another process"
wait $holder
rm -f bad/mnt/r.h5
# the first run is made long (16 explicands at spx_b 11) and stopped once the second is refused
(cd bad && exec env HDF5_USE_FILE_LOCKING=FALSE "$BIN" ../c.toml --quiet \
  --set 'oracle.explicands.count=16' --set 'budget.spx_b=[11]' >first.out 2>&1) &
first=$!
for _ in $(seq 200); do [ -e bad/mnt/r.h5 ] && break; sleep 0.05; done
(cd bad && HDF5_USE_FILE_LOCKING=FALSE "$BIN" ../c.toml --quiet --resume \
  --set 'oracle.explicands.count=16' --set 'budget.spx_b=[11]' >../out 2>../err)
echo $? >rc
kill -0 $first 2>/dev/null
st=$?
expect "second run while the first writes (HDF5 locking off)" 1 "mnt/r.h5: the file is locked by another process"
check "the first run was still running meanwhile" $st
kill $first 2>/dev/null
wait $first 2>/dev/null

# ---- an I/O error after the space was reserved: the journal keeps every finished cell ----------
# tests/data/failwrite.c, preloaded, fails every write to */r.h5 with EIO after K successful
# ones (some of the K land in the middle of one of HDF5's metadata flushes, which leaves the
# file unreadable). For every K: exit 1 with the message, no crash, r.h5 and its journal
# r.h5.journal and nothing else in the directory. Then
#  (a) a copy of the directory whose r.h5 is cut to 4 KiB (so that --resume must rebuild it
#      from the journal): --resume says it rebuilt the file from N cell records, N is at least
#      the number of finished cells in the file when it is readable (and at least 1 from
#      K = 40 on: the first cell is written by then), the resume runs exactly
#      the 24 - N other cells, and the file equals the uninterrupted run's (compare-results);
#      the damaged file is kept as r.h5.damaged and the journal is gone;
#  (b) the directory itself: --resume (rebuilding when the file is unreadable) exits 0 and
#      the file equals the uninterrupted run's.
# Then write errors of the journal itself (SPX_FAIL_WRITE_NAME=/r.h5.journal): exit 1 naming
# the journal, the file readable, --resume completes it; a journal whose last record is torn
# (cut by 5 bytes): that record is dropped and its cell run again; a file without a journal
# (closed cleanly) gets one holding its finished cells before a resume writes to it; and K = 60
# under mpirun -np 2.
# SPX_SAFETY_POINTS="25 40 60 100 150 200 300 400" runs the wider sweep of docs/reliability.md.
CC=${CC:-cc}
CMP="$SRC/scripts/compare-results"
progress_count() { grep -c '^\[[0-9]*/[0-9]*\]' "$1"; }
# finished FILE: number of cells that are not pending ("-1" when unreadable)
finished() {
  "$PY" - "$1" <<'PY' 2>/dev/null || echo -1
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    print(sum(int((f["results"][m]["status"][...] != 0).sum()) for m in f["results"]))
PY
}
# fail_run DIR K NAME [LAUNCH...]: the run with writes to *NAME failing after K
fail_run() {
  local d=$1 k=$2 name=$3
  shift 3
  rm -rf "$d"
  mkdir -p "$d/mnt"
  run "$d" env LD_PRELOAD="$tmp/failwrite.so" SPX_FAIL_WRITE_NAME="$name" SPX_FAIL_WRITE_AFTER=$k \
    "$@" ../c.toml --quiet
}
if ldd "$BIN" 2>/dev/null | grep -q libasan; then
  echo "SKIP: write errors (LD_PRELOAD does not mix with a sanitizer build)"
elif ! "$CC" -shared -fPIC -O1 -o failwrite.so "$SRC/tests/data/failwrite.c" -ldl 2>cc.err; then
  echo "SKIP: write errors (cannot build the preload library: $(head -1 cc.err))"
else
  unreadable=0
  npoints=0
  for K in ${SPX_SAFETY_POINTS:-25 40 100 300}; do
    d=werr$K
    fail_run "$d" $K /r.h5 "$BIN"
    npoints=$((npoints + 1))
    expect "write error after $K writes: exit 1 and the reason" 1 \
      "mnt/r.h5: writing the result file failed (Input/output error) while trying to"
    grep -qF "Every cell finished before is kept in its journal mnt/r.h5.journal" err
    check "write error after $K writes: the message names the journal" $?
    crash=$(grep -m1 -iE "segmentation|signal|HDF5-DIAG" err)
    check "write error after $K writes: no crash, no HDF5 dump [$crash]" "$([ -z "$crash" ] && echo 0 || echo 1)"
    [ "$(ls -A "$d/mnt" | tr '\n' ' ')" = "r.h5 r.h5.journal " ]
    st=$?
    check "write error after $K writes: r.h5 and r.h5.journal in the directory [$(ls -A "$d/mnt" | tr '\n' ' ')]" $st
    before=$(finished "$d/mnt/r.h5")
    [ "$before" = -1 ] && unreadable=$((unreadable + 1))
    # (a) forced rebuild from the journal
    rm -rf "$d.t" && cp -a "$d" "$d.t"
    truncate -s 4096 "$d.t/mnt/r.h5"
    (cd "$d.t" && "$BIN" ../c.toml --resume >../out 2>../err)
    echo $? >rc
    n=$(grep -o 'rebuilt from its journal ([0-9]* explicands and [0-9]* cell records' err | grep -o '[0-9]* cell' | grep -o '[0-9]*')
    ran=$(progress_count err)
    check "write error after $K writes: --resume of the cut file exits 0 [$(grep -m1 spex-bench: err)]" "$(cat rc)"
    [ -n "$n" ] && [ "$n" -ge "$before" ] && { [ "$n" -ge 1 ] || [ $K -lt 40 ]; } && [ "$ran" = $((24 - n)) ]
    check "write error after $K writes: rebuilt from $n cell records (file had $before finished), the resume ran the other $ran" $?
    "$CMP" ref/mnt/r.h5 "$d.t/mnt/r.h5" >diff.out 2>&1
    check "write error after $K writes: rebuilt and resumed file equals the uninterrupted run [$(tail -1 diff.out)]" $?
    [ "$(ls -A "$d.t/mnt" | tr '\n' ' ')" = "r.h5 r.h5.damaged " ]
    st=$?
    check "write error after $K writes: damaged file kept as r.h5.damaged, journal removed [$(ls -A "$d.t/mnt" | tr '\n' ' ')]" $st
    # (b) --resume on the file as the failure left it
    (cd "$d" && "$BIN" ../c.toml --resume >../out 2>../err)
    echo $? >rc
    check "write error after $K writes (file $([ "$before" = -1 ] && echo unreadable || echo "readable, $before finished")): --resume exits 0 [$(grep -m1 spex-bench: err)]" "$(cat rc)"
    if [ "$before" = -1 ]; then
      grep -q "rebuilt from its journal" err
      check "write error after $K writes: the unreadable file was rebuilt from the journal" $?
    fi
    "$CMP" ref/mnt/r.h5 "$d/mnt/r.h5" >diff.out 2>&1
    check "write error after $K writes: resumed file equals the uninterrupted run [$(tail -1 diff.out)]" $?
    [ ! -e "$d/mnt/r.h5.journal" ]
    check "write error after $K writes: journal removed after the complete run" $?
  done
  echo "write errors: the file was left unreadable at $unreadable of $npoints failure points; every one resumed to the uninterrupted result"

  # the journal's own write fails after K records
  for K in 1 17; do
    d=jerr$K
    fail_run "$d" $K /r.h5.journal "$BIN"
    expect "journal write error after $K records: exit 1, naming the journal" 1 \
      "mnt/r.h5: writing its journal failed (mnt/r.h5.journal: cannot write the journal: Input/output error)"
    crash=$(grep -m1 -iE "segmentation|signal|HDF5-DIAG" err)
    check "journal write error after $K records: no crash [$crash]" "$([ -z "$crash" ] && echo 0 || echo 1)"
    before=$(finished "$d/mnt/r.h5")
    [ "$before" -ge 0 ]
    check "journal write error after $K records: the file is readable ($before finished cells)" $?
    (cd "$d" && "$BIN" ../c.toml --resume >../out 2>../err)
    echo $? >rc
    ran=$(progress_count err)
    check "journal write error after $K records: --resume exits 0 and runs the $((24 - before)) other cells (ran $ran) [$(grep -m1 spex-bench: err)]" \
      "$([ "$(cat rc)" = 0 ] && [ "$ran" = $((24 - before)) ] && echo 0 || echo 1)"
    "$CMP" ref/mnt/r.h5 "$d/mnt/r.h5" >diff.out 2>&1
    check "journal write error after $K records: resumed file equals the uninterrupted run [$(tail -1 diff.out)]" $?
  done

  # a damaged file whose journal is damaged in its header: refused (exit 1) naming both,
  # neither file changed, no temporary file left
  d=badj
  fail_run "$d" 200 /r.h5 "$BIN"
  truncate -s 4096 "$d/mnt/r.h5"
  "$PY" -c "
p = '$d/mnt/r.h5.journal'; b = bytearray(open(p, 'rb').read()); b[30] ^= 1; open(p, 'wb').write(b)"
  sum=$(cat "$d/mnt/r.h5" "$d/mnt/r.h5.journal" | md5sum)
  run "$d" "$BIN" ../c.toml --quiet --resume
  expect "damaged file, damaged journal: refused naming both" 1 \
    "mnt/r.h5: damaged: the file is truncated (shorter than its HDF5 superblock says); rebuilding it from its journal mnt/r.h5.journal failed: mnt/r.h5.journal: not a spex-bench journal"
  [ "$sum" = "$(cat "$d/mnt/r.h5" "$d/mnt/r.h5.journal" | md5sum)" ] && [ "$(ls -A "$d/mnt" | tr '\n' ' ')" = "r.h5 r.h5.journal " ]
  check "damaged file, damaged journal: both unchanged, nothing else left [$(ls -A "$d/mnt" | tr '\n' ' ')]" $?

  # the journal's device full (ENOSPC from its writes)
  d=jfull
  rm -rf "$d" && mkdir -p "$d/mnt"
  run "$d" env LD_PRELOAD="$tmp/failwrite.so" SPX_FAIL_WRITE_NAME=/r.h5.journal SPX_FAIL_WRITE_AFTER=9 \
    SPX_FAIL_WRITE_ERRNO=28 "$BIN" ../c.toml --quiet
  expect "journal device full: exit 1 and the reason" 1 \
    "mnt/r.h5: no space left on the device for its journal mnt/r.h5.journal"
  before=$(finished "$d/mnt/r.h5")
  (cd "$d" && "$BIN" ../c.toml --resume >../out 2>../err)
  echo $? >rc
  ran=$(progress_count err)
  check "journal device full: file readable ($before finished), --resume runs the other $ran and exits 0 [$(grep -m1 spex-bench: err)]" \
    "$([ "$before" -ge 1 ] && [ "$(cat rc)" = 0 ] && [ "$ran" = $((24 - before)) ] && echo 0 || echo 1)"
  "$CMP" ref/mnt/r.h5 "$d/mnt/r.h5" >diff.out 2>&1
  check "journal device full: resumed file equals the uninterrupted run [$(tail -1 diff.out)]" $?

  # a torn last journal record: dropped, its cell run again
  d=torn
  fail_run "$d" 150 /r.h5 "$BIN"
  truncate -s 4096 "$d/mnt/r.h5"
  size=$(stat -c %s "$d/mnt/r.h5.journal")
  truncate -s $((size - 5)) "$d/mnt/r.h5.journal"
  (cd "$d" && "$BIN" ../c.toml --resume >../out 2>../err)
  echo $? >rc
  n=$(grep -o 'rebuilt from its journal ([0-9]* explicands and [0-9]* cell records' err | grep -o '[0-9]* cell' | grep -o '[0-9]*')
  ran=$(progress_count err)
  grep -q "a torn last record dropped" err
  st=$?
  check "torn last journal record: dropped and said so, resume exits 0, runs the other $ran of 24 [$(grep -m1 spex-bench: err)]" \
    "$([ $st = 0 ] && [ "$(cat rc)" = 0 ] && [ -n "$n" ] && [ "$ran" = $((24 - n)) ] && echo 0 || echo 1)"
  "$CMP" ref/mnt/r.h5 "$d/mnt/r.h5" >diff.out 2>&1
  check "torn last journal record: resumed file equals the uninterrupted run [$(tail -1 diff.out)]" $?

  # a file closed cleanly has no journal: --resume first copies its finished cells into a new
  # one (read back from the file). Here: the uninterrupted file with 12 of its 24 cells set
  # back to pending, resumed with the writes failing after 30; then the file is cut and
  # resumed: rebuilt from at least the 12 copied cells, the other cells run, equal to ref.
  d=seeded
  rm -rf "$d" && mkdir -p "$d/mnt" && cp ref/mnt/r.h5 "$d/mnt/r.h5"
  "$PY" -c "
import h5py
with h5py.File('$d/mnt/r.h5', 'a') as f:
    for m in f['results']:
        s = f['results'][m]['status']; a = s[...]; a[3:] = 0; s[...] = a
"
  (cd "$d" && env LD_PRELOAD="$tmp/failwrite.so" SPX_FAIL_WRITE_NAME=/r.h5 SPX_FAIL_WRITE_AFTER=30 \
    "$BIN" ../c.toml --resume --quiet >../out 2>../err)
  echo $? >rc
  expect "resume without a journal, write error: exit 1 naming the journal" 1 \
    "Every cell finished before is kept in its journal mnt/r.h5.journal"
  truncate -s 4096 "$d/mnt/r.h5"
  (cd "$d" && "$BIN" ../c.toml --resume >../out 2>../err)
  echo $? >rc
  n=$(grep -o 'rebuilt from its journal ([0-9]* explicands and [0-9]* cell records' err | grep -o '[0-9]* cell' | grep -o '[0-9]*')
  ran=$(progress_count err)
  check "resume without a journal: the journal started from the file's 12 cells (rebuilt from $n, ran $ran) [$(grep -m1 spex-bench: err)]" \
    "$([ "$(cat rc)" = 0 ] && [ -n "$n" ] && [ "$n" -ge 12 ] && [ "$ran" = $((24 - n)) ] && echo 0 || echo 1)"
  "$CMP" ref/mnt/r.h5 "$d/mnt/r.h5" >diff.out 2>&1
  check "resume without a journal: rebuilt and resumed file equals the uninterrupted run [$(tail -1 diff.out)]" $?

  # arrays with units and descriptions (configs/quick/pruning.toml: per-explicand pruning
  # references, per-cell pruning orders): a rebuild straight from the journal (writes failing
  # after 60) and one from a journal started from the file (half its cells set back to
  # pending, writes failing after 10) both give the uninterrupted file, attributes included
  # (the units and descriptions are also rewritten at the end of every run by provenance.c,
  # so this checks the result, not the journal's copy of them)
  sed 's/^output = .*/output = "mnt\/r.h5"/' "$SRC/configs/quick/pruning.toml" >p.toml
  mkdir -p pref/mnt
  (cd pref && "$BIN" ../p.toml --quiet >/dev/null 2>&1)
  for how in direct seeded; do
    d=prune$how
    rm -rf "$d" && mkdir -p "$d/mnt"
    if [ $how = direct ]; then
      (cd "$d" && env LD_PRELOAD="$tmp/failwrite.so" SPX_FAIL_WRITE_NAME=/r.h5 SPX_FAIL_WRITE_AFTER=60 \
        "$BIN" ../p.toml --quiet >../out 2>../err)
    else
      cp pref/mnt/r.h5 "$d/mnt/r.h5"
      "$PY" -c "
import h5py
with h5py.File('$d/mnt/r.h5', 'a') as f:
    for m in f['results']:
        s = f['results'][m]['status']; a = s[...]; a[1:] = 0; s[...] = a
"
      (cd "$d" && env LD_PRELOAD="$tmp/failwrite.so" SPX_FAIL_WRITE_NAME=/r.h5 SPX_FAIL_WRITE_AFTER=10 \
        "$BIN" ../p.toml --quiet --resume >../out 2>../err)
    fi
    echo $? >rc
    expect "pruning ($how): the write error ends the run" 1 "writing the result file failed (Input/output error)"
    truncate -s 4096 "$d/mnt/r.h5"
    (cd "$d" && "$BIN" ../p.toml --quiet --resume >../out 2>../err)
    st=$?
    grep -q "rebuilt from its journal" err
    g=$?
    check "pruning ($how): --resume rebuilds the cut file and exits 0 [$(grep -m1 spex-bench: err)]" \
      "$([ $st = 0 ] && [ $g = 0 ] && echo 0 || echo 1)"
    "$CMP" pref/mnt/r.h5 "$d/mnt/r.h5" >diff.out 2>&1
    check "pruning ($how): equals the uninterrupted run [$(tail -1 diff.out)]" $?
    h5diff pref/mnt/r.h5 "$d/mnt/r.h5" /explicands /explicands >diff.out 2>&1
    check "pruning ($how): /explicands identical, attributes included [$(tail -1 diff.out)]" $?
  done

  # two ranks (only rank 0 writes the file and its journal)
  if [ -n "$MPIRUN" ]; then
    for K in 60; do
      d=werr2r$K
      fail_run "$d" $K /r.h5 timeout 120 "$MPIRUN" --oversubscribe -np 2 "$BIN"
      expect "2 ranks: write error after $K writes: exit 1 and the reason" 1 \
        "mnt/r.h5: writing the result file failed (Input/output error) while trying to"
      crash=$(grep -m1 -iE "segmentation|signal|HDF5-DIAG" err)
      check "2 ranks: write error after $K writes: no crash [$crash]" "$([ -z "$crash" ] && echo 0 || echo 1)"
      truncate -s 4096 "$d/mnt/r.h5"
      (cd "$d" && timeout 120 "$MPIRUN" --oversubscribe -np 2 "$BIN" ../c.toml --resume >../out 2>../err)
      echo $? >rc
      grep -q "rebuilt from its journal" err
      st=$?
      check "2 ranks: write error after $K writes: --resume of the cut file rebuilds it and exits 0 [$(grep -m1 spex-bench: err)]" \
        "$([ $st = 0 ] && [ "$(cat rc)" = 0 ] && echo 0 || echo 1)"
      "$CMP" ref/mnt/r.h5 "$d/mnt/r.h5" >diff.out 2>&1
      check "2 ranks: write error after $K writes: resumed file equals the uninterrupted run [$(tail -1 diff.out)]" $?
    done
  fi
fi

# ---- creation errors --------------------------------------------------------------------------
mkdir -p ro/mnt
if mount -t tmpfs -o size=1m,ro tmpfs ro/mnt 2>/dev/null; then
  mounts+=("$tmp/ro/mnt")
  run ro "$BIN" ../c.toml --quiet
  expect "read-only file system" 1 "mnt/r.h5: cannot create the result file: mnt is on a read-only file system"
fi
long=$(printf 'x%.0s' $(seq 300))
run bad "$BIN" ../c.toml --quiet --set "experiment.output=$long.h5"
expect "too long a name" 1 "cannot create the result file: the path is too long"
# missing directories above the result file are created, every level (src/core/paths.c)
small=(--quiet --set 'oracle.explicands={count = 1}' --set 'budget.spx_b=[4]')
mkdir -p nest
run nest "$BIN" ../c.toml "${small[@]}" --set 'experiment.output="a/b/c/r.h5"'
[ "$(cat rc)" = 0 ] && [ -s nest/a/b/c/r.h5 ]
check "result file in three missing directories: created, exit 0 [$(head -1 err)]" $?
mkdir -p infile && : >infile/a # a file where a directory is needed
run infile "$BIN" ../c.toml "${small[@]}" --set 'experiment.output="a/b/r.h5"'
expect "a file where a directory is needed" 1 "a/b/r.h5: cannot create the directory a/b: Not a directory"

# ---- killed right after the start: never an empty or headless file at the output path ----------
mkdir -p kill/mnt
bad_kill=0
for delay in 0.02 0.05 0.08 0.1 0.12 0.15 0.2 0.3; do
  rm -f kill/mnt/r.h5 kill/mnt/.r.h5.tmp-*
  (cd kill && exec setsid "$BIN" ../c.toml --quiet >/dev/null 2>&1) &
  pid=$!
  sleep "$delay"
  kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  if [ -e kill/mnt/r.h5 ] && ! h5dump -d /config kill/mnt/r.h5 >/dev/null 2>&1; then
    bad_kill=$((bad_kill + 1))
    echo "  killed after $delay s: kill/mnt/r.h5 exists without a readable /config"
  fi
done
check "a kill right after the start leaves no blocking file" "$bad_kill"

finish
