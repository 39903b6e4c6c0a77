#!/usr/bin/env bash
# tests/cli/analysis.sh: the analysis scripts on small result files made by real runs of the
# quick configs: every figure and table is written, the CSV numbers equal those recomputed
# from the HDF5 datasets, and the HTML report is self-contained and lists each explicand's
# labelled features.
set -u
BIN=${SPX_BIN:-build/spex-bench}
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() {
  if [ "$2" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi
}
if ! "$PY" -c "import h5py, matplotlib" 2>/dev/null; then
  echo "SKIP: python3-h5py / python3-matplotlib missing (scripts/setup installs them)"
  echo "0 passed, 0 failed"
  exit 0
fi

run() { "$BIN" "$1" --quiet --set "experiment.output=\"$2\"" >/dev/null 2>"$tmp/err"; }
run configs/quick/faithfulness.toml "$tmp/f.h5"; check "quick faithfulness run" $?
run configs/quick/scaling.toml "$tmp/s.h5"; check "quick scaling run" $?
run configs/quick/recovery.toml "$tmp/r.h5"; check "quick recovery run" $?
# A labelled oracle for the report's per-explicand section.
cat > "$tmp/comp.toml" <<TOML
[experiment]
name = "analysis_components"
kind = "faithfulness"
output = "$tmp/c.h5"
test_masks = 200
[oracle]
kind = "components"
hidden = 8
epochs = 3
cache = false
explicands = { count = 2 }
[budget]
samples = [256, 512]
[[method]]
name = "exact"
TOML
"$BIN" "$tmp/comp.toml" --quiet >/dev/null 2>"$tmp/err"; check "components run ($(head -c 200 "$tmp/err"))" $?

"$PY" analysis/plot_faithfulness.py "$tmp/f.h5" -o "$tmp/fig" \
  --published "${SPX_SHARED_DATA:-../shared/data}/spectral_explain/published_sentiment_by_budget.csv" 2>"$tmp/err" ||
  "$PY" analysis/plot_faithfulness.py "$tmp/f.h5" -o "$tmp/fig"
check "plot_faithfulness" $?
for f in faithfulness_vs_budget.png faithfulness_by_length.png faithfulness.csv; do
  [ -s "$tmp/fig/$f" ]; check "wrote $f" $?
done
"$PY" analysis/plot_scaling.py "$tmp/s.h5" -o "$tmp/fig"; check "plot_scaling" $?
for f in scaling_time.png scaling_r2.png scaling.csv; do [ -s "$tmp/fig/$f" ]; check "wrote $f" $?; done
"$PY" analysis/plot_recovery.py "$tmp/r.h5" -o "$tmp/fig"; check "plot_recovery" $?
for f in recovery_error.png recovery_r2.png recovery.csv; do [ -s "$tmp/fig/$f" ]; check "wrote $f" $?; done

# Numbers: the CSV's mean R^2 per (method, budget) equals the mean over finished cells.
"$PY" - "$tmp/f.h5" "$tmp/fig/faithfulness.csv" <<'PY'
import csv, sys
import h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
rows = [r for r in csv.DictReader(open(sys.argv[2])) if r["view"] == "budget"]
assert rows, "no rows"
for r in rows:
    g = f["results"][r["method"]]
    b = int(r["budget_index"])
    ok = g["status"][:, b, :] == 1
    vals = g["r2"][:, b, :][ok]
    want = vals.mean() if vals.size else float("nan")
    got = float(r["r2_mean"])
    assert (np.isnan(want) and np.isnan(got)) or abs(got - want) < 1e-9, (r, want)
PY
check "faithfulness.csv equals the HDF5 means" $?

"$PY" analysis/report.py "$tmp/c.h5" -o "$tmp/report.html"; check "report" $?
grep -q "data:image/png;base64" "$tmp/report.html"; check "report embeds its figures" $?
! grep -q 'src="[^d]' "$tmp/report.html"; check "report has no external references" $?
grep -q "unit3" "$tmp/report.html"; check "report lists labelled features" $?
grep -q "Explicand 1" "$tmp/report.html"; check "report has a section per explicand" $?
"$PY" analysis/report.py "$tmp/nope.h5" -o "$tmp/x.html" 2>"$tmp/err"
[ $? != 0 ] && grep -q "no such file" "$tmp/err"; check "missing file is a clear error" $?

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
