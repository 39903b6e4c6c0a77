#!/usr/bin/env bash
# tests/integration/retries.sh: failed oracle batches are retried on a reopened oracle
# (issue #14; docs/parallel.md "Failures"). A process model (tests/data/faulty_oracle.py)
# that answers LIMIT masks and then misbehaves (NaN answer, or the process dies) is restarted
# by the retry, so on 1 and on 2 ranks every cell a fresh model can finish is ok and the file
# equals the one of a healthy model. With retries = 0 the cells fail with the full reason and
# --resume runs them again to the same file. A model answering 1e308 never gives an ok cell
# with a non-finite number.
. "$(dirname "$0")/../lib/harness.sh"
. "$SRC/tests/lib/fault_model.sh"
need_python h5py numpy
cd "$tmp" || exit 1
# test masks 40, budgets 60, 120 and 2 repeats: 40 + 2 x (60 + 120) = 400 answers in all, every
# batch at most 120.
fault_model_config name=retries seed=3 output=r.h5 test_masks=40 repeats=2 timeout=5 \
  retry_backoff=0.05 'samples=[60, 120]' >r.toml
same() { # same A B: /results equal up to timings (the model's command differs in /explicands)
  h5diff --exclude-path /lime/time_decode --exclude-path /lime/time_oracle \
    --exclude-path /lime/peak_rss_mib "$1" "$2" /results /results >diff.txt 2>&1
}

"$BIN" r.toml --quiet --set experiment.output=ok.h5 >out.txt 2>err.txt
r=$?; check "healthy model: exit 0 ($(tail -1 err.txt))" $r

# One fault per process after 150 answers: a retry on a fresh process finishes the batch.
for mode in nan crash; do
  "$BIN" r.toml --quiet --set experiment.output=$mode.h5 --set "$(fault_model_set $mode 150)" >out.txt 2>err.txt
  r=$?; check "$mode, 1 rank: exit 0 after retries ($(tail -1 err.txt))" $r
  same ok.h5 $mode.h5
  r=$?; check "$mode, 1 rank: same results as the healthy model ($(head -3 diff.txt))" $r
  if [ -n "$MPIRUN" ]; then
    timeout 120 "$MPIRUN" -np 2 --oversubscribe "$BIN" r.toml --quiet --set experiment.output=${mode}2.h5 \
      --set "$(fault_model_set $mode 150)" >out.txt 2>err.txt
    r=$?; check "$mode, 2 ranks: exit 0 after retries ($(tail -1 err.txt))" $r
    same ok.h5 ${mode}2.h5
    r=$?; check "$mode, 2 ranks: same results as the healthy model ($(head -3 diff.txt))" $r
  fi
done

# retries = 0: the faults are final, named in the file and in the summary; --resume redoes them.
"$BIN" r.toml --quiet --set experiment.output=nr.h5 --set oracle.retries=0 --set "$(fault_model_set nan 200)" >out.txt 2>err.txt
rc=$?
[ $rc = 1 ] && grep -q "cells\? failed (status and message are in nr.h5; --resume runs them again)" err.txt
r=$?; check "retries = 0: exit 1 with the failed count (rc $rc: $(tail -1 err.txt))" $r
grep -q "^failed cells" out.txt && grep -q "the answer 'nan' is not a finite number" out.txt
r=$?; check "retries = 0: the summary names the failed cells and why ($(grep -A1 '^failed' out.txt | tail -1))" $r
"$BIN" r.toml --quiet --resume --set experiment.output=nr.h5 --set oracle.retries=0 --set "$(fault_model_set nan 200)" >out.txt 2>err.txt
r=$?; check "retries = 0: --resume runs the failed cells again, exit 0 ($(tail -1 err.txt))" $r
same ok.h5 nr.h5
r=$?; check "retries = 0: after --resume the same results as the healthy model ($(head -3 diff.txt))" $r

# A model answering 1e308: huge but finite answers; no ok cell may carry a non-finite number.
cat >huge.py <<'EOF'
import sys
sys.stdin.readline()
while True:
    line = sys.stdin.readline()
    if not line:
        sys.exit(0)
    count = int(line)
    for i in range(count):
        m = sys.stdin.readline().strip()
        sys.stdout.write("%r\n" % (1e308 if m.count("1") % 2 else -1e308))
    sys.stdout.flush()
EOF
cat >h.toml <<EOF
[experiment]
name = "huge"
seed = 1
output = "h.h5"
test_masks = 40

[oracle]
kind = "process"
command = "$PY $tmp/huge.py"
n = 6

[budget]
samples = [64, 128]

[[method]]
name = "lime"
[[method]]
name = "banzhaf"
[[method]]
name = "faith_banzhaf"
order = 2
[[method]]
name = "exact"
EOF
"$BIN" h.toml --quiet >out.txt 2>err.txt
rc=$?
"$PY" - h.h5 <<'PY' >huge.txt 2>&1
import sys, h5py, numpy as np
bad = []
with h5py.File(sys.argv[1], "r") as f:
    for m in f["results"]:
        g = f["results"][m]
        st = g["status"][...].ravel()
        r2 = g["r2"][...].ravel()
        for k, s in enumerate(st):
            if s != 1:
                continue
            if not np.isfinite(r2[k]):
                bad.append("%s cell %d: R2 %r" % (m, k, r2[k]))
        def walk(name, obj):
            if name.endswith("coefficients") and not np.all(np.isfinite(obj[...])):
                bad.append("%s/%s" % (m, name))
        g["transform"].visititems(walk) if "transform" in g else None
print("\n".join(bad) if bad else "clean")
sys.exit(1 if bad else 0)
PY
r=$?; check "1e308 answers: no ok cell with a non-finite R2 or coefficient (exit $rc; $(head -2 huge.txt))" $r
finish
