#!/usr/bin/env bash
# tests/cli/numeric_guard.sh: huge but finite answers (+-1e308) never give an `ok` cell with a
# non-finite number, and `explain` refuses instead of printing -nan (issue #14). A shell model
# answers 1e308 when feature 0 is kept, -1e308 otherwise (tests/data/huge_model.sh).
. "$(dirname "$0")/../lib/harness.sh"
need_python h5py numpy
cd "$tmp" || exit 1
"$BIN" explain --oracle process --command "sh $SRC/tests/data/huge_model.sh" --n 6 --method lime --budget 100 >ex.out 2>ex.err
rc=$?
grep -q "method lime: the coefficient of {} is NaN (not a finite number); the answers reach |f| = 1e+308" ex.err
st=$?
check "explain on huge answers fails (rc $rc) with the reason [$(head -1 ex.err)]" "$([ $rc != 0 ] && [ $st = 0 ] && echo 0 || echo 1)"
! grep -qi nan ex.out
st=$?
check "explain prints no nan [$(grep -i -m1 nan ex.out)]" $st

cat >c.toml <<EOF2
[experiment]
name = "huge"
seed = 1
output = "huge.h5"
test_masks = 30

[oracle]
kind = "process"
command = "sh $SRC/tests/data/huge_model.sh"
n = 6

[budget]
samples = [64]

[[method]]
name = "lime"

[[method]]
name = "banzhaf"

[[method]]
name = "faith_banzhaf"

[[method]]
name = "spex"

[[method]]
name = "faith_shap"
EOF2
"$BIN" c.toml --quiet >run.out 2>run.err
rc=$?
check "a grid on huge answers exits 1 (got $rc) [$(tail -1 run.err)]" "$([ $rc = 1 ] && echo 0 || echo 1)"
"$PY" - huge.h5 >cells.out 2>&1 <<'PY'
import sys, h5py, numpy as np
bad = []
with h5py.File(sys.argv[1], "r") as f:
    for m in f["results"]:
        g = f["results"][m]
        st = g["status"][...]
        for idx in zip(*np.nonzero(st == 1)):
            if not np.isfinite(g["r2"][idx]):
                bad.append("%s r2" % m)
            t = g["transform/%d/%d/%d" % idx]
            if not np.all(np.isfinite(t["coefficients"][...])):
                bad.append("%s coefficients" % m)
        for m2 in ("lime", "banzhaf", "faith_banzhaf"):
            if m == m2 and not np.all(st == 3):
                bad.append("%s not failed" % m)
            if m == m2 and "not a finite number" not in g["message"][...].ravel()[0].decode():
                bad.append("%s message" % m)
print(" ".join(bad) if bad else "clean")
PY
grep -qx clean cells.out
st=$?
check "no ok cell carries a non-finite number; lime, banzhaf, faith_banzhaf failed with the reason [$(cat cells.out)]" $st

finish
