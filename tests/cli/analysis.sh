#!/usr/bin/env bash
# tests/cli/analysis.sh: the analysis scripts on small result files made by real runs of the
# quick configs: every figure and table is written, the CSV numbers equal those recomputed
# from the HDF5 datasets, and the HTML report is self-contained and lists each explicand's
# labelled features. Pruning (configs/quick/pruning.toml): plot_pruning.py's figure and CSV
# (numbers recomputed from the file) and the report's pruning section. Digits
# data_attribution: the report draws each listed interaction's training images, and a
# drawn image decodes back to the stored pixels.
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
run configs/quick/pruning.toml "$tmp/p.h5"; check "quick pruning run ($(head -c 200 "$tmp/err"))" $?
# Data attribution on digits: the oracle stores the training images.
cat > "$tmp/digits.toml" <<TOML
[experiment]
name = "analysis_digits"
kind = "faithfulness"
output = "$tmp/d.h5"
test_masks = 100
[oracle]
kind = "data_attribution"
dataset = "digits"
n = 10
explicands = { count = 2 }
[budget]
samples = [1024]
[[method]]
name = "exact"
TOML
"$BIN" "$tmp/digits.toml" --quiet >/dev/null 2>"$tmp/err"; check "digits data_attribution run ($(head -c 200 "$tmp/err"))" $?

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

# Pruning: figure, CSV equal to the file's numbers, report section; a clear error without data.
"$PY" analysis/plot_pruning.py "$tmp/p.h5" -o "$tmp/fig"; check "plot_pruning" $?
for f in pruning.png pruning.csv; do [ -s "$tmp/fig/$f" ]; check "wrote $f" $?; done
"$PY" - "$tmp/p.h5" "$tmp/fig/pruning.csv" <<'PY'
import csv, sys
import h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
fr = f["pruning/fractions"][()]
rows = list(csv.DictReader(open(sys.argv[2])))
methods = [r for r in rows if r["view"] == "method"]
assert len(methods) == len(f["results"]) * len(f["budget"]) * len(fr), len(methods)
for r in methods:
    g = f["results"][r["method"]]
    b, j = int(r["budget_index"]), list(fr).index(float(r["fraction"]))
    per = []
    for i in range(g["status"].shape[0]):
        ok = g["status"][i, b, :] == 1
        if ok.any():
            per.append(g["pruning_accuracy"][i, b, :, j][ok].mean())
    want = np.mean(per) if per else float("nan")
    got = float(r["accuracy_mean"])
    assert (np.isnan(want) and np.isnan(got)) or abs(got - want) < 1e-12, (r, want)
rnd = [r for r in rows if r["view"] == "random"]
ex = sorted(f["explicands"].keys(), key=int)
for r in rnd:
    j = list(fr).index(float(r["fraction"]))
    want = np.mean([f["explicands"][e]["pruning_random"][:, j].mean() for e in ex])
    assert abs(float(r["accuracy_mean"]) - want) < 1e-12, (r, want)
full = [r for r in rows if r["view"] == "full"]
assert len(full) == 1
want = np.mean([f["explicands"][e]["pruning_full"][()] for e in ex])
assert abs(float(full[0]["accuracy_mean"]) - want) < 1e-12
PY
check "pruning.csv equals the HDF5 numbers" $?
"$PY" analysis/plot_pruning.py "$tmp/f.h5" -o "$tmp/fig" 2>"$tmp/err"
[ $? != 0 ] && grep -q "has no pruning data" "$tmp/err"; check "plot_pruning without pruning data is a clear error" $?
"$PY" analysis/report.py "$tmp/p.h5" -o "$tmp/prune.html" 2>/dev/null; check "report of a pruning run" $?
grep -q "<h2>Pruning</h2>" "$tmp/prune.html" && grep -q "random order" "$tmp/prune.html"
check "report has the pruning section and table" $?
[ "$(grep -o 'data:image/png;base64' "$tmp/prune.html" | wc -l)" -ge 3 ]; check "report embeds the pruning figure" $?

# Digits data attribution: training images beside the listed interactions.
"$PY" analysis/report.py "$tmp/d.h5" -o "$tmp/digits.html" 2>/dev/null; check "report of a digits run" $?
grep -q '<img class=pix src="data:image/png;base64,[^"]*" alt="explicand 0"' "$tmp/digits.html"
check "report shows the explicand's image" $?
grep -Eq '<tr><td class=l>train[0-9]+:[0-9] \+ train[0-9]+:[0-9]</td>.*(<img class=pix[^>]*alt="train[0-9]+:[0-9]"[^>]*>.*){2}</td></tr>' "$tmp/digits.html"
check "report draws a pair's two training images beside it" $?
"$PY" - "$tmp/digits.html" <<'PY'
import re, sys
page = open(sys.argv[1]).read()
def rows(caption):
    at = page.find(caption)
    if at < 0:
        return None
    table = page[at:page.find("</table>", at)]
    return [float(v) for v in re.findall(r"</td><td>([-+0-9.e]+)</td><td class=l>", table)]
syn, red = rows("strongest synergistic pairs"), rows("strongest redundant pairs")
assert syn or red, "no pair table"
assert syn is None or (all(v > 0 for v in syn) and syn == sorted(syn, reverse=True)), syn
assert red is None or (all(v < 0 for v in red) and red == sorted(red)), red
PY
check "report separates synergistic (positive, strongest first) and redundant pairs" $?
"$PY" - "$tmp/d.h5" "$tmp/digits.html" <<'PY'
import base64, io, re, sys
import h5py, numpy as np
import matplotlib.image as mpimg
f = h5py.File(sys.argv[1], "r")
imgs = f["explicands/0/feature_images"][()]
assert imgs.shape == (10, 8, 8) and imgs.min() >= 0 and imgs.max() <= 1, imgs.shape
page = open(sys.argv[2]).read()
found = re.findall(r'<img class=pix src="data:image/png;base64,([^"]*)" alt="train(\d+):\d"', page)
assert found, "no training images"
for data, k in found[:5]:
    px = mpimg.imread(io.BytesIO(base64.b64decode(data)), format="png")
    grey = px[::4, ::4, 0]  # 4x upscaled, gray_r: ink 1 is black
    # 8-bit PNG and a 256-entry colour map: within 2/255.
    assert np.abs((1 - grey) - imgs[int(k)]).max() < 0.01, k
PY
check "a drawn training image decodes to the stored pixels" $?

"$PY" analysis/report.py "$tmp/c.h5" -o "$tmp/report.html"; check "report" $?
grep -q "data:image/png;base64" "$tmp/report.html"; check "report embeds its figures" $?
! grep -q 'src="[^d]' "$tmp/report.html"; check "report has no external references" $?
grep -q "unit3" "$tmp/report.html"; check "report lists labelled features" $?
grep -q "Explicand 1" "$tmp/report.html"; check "report has a section per explicand" $?
"$PY" analysis/report.py "$tmp/nope.h5" -o "$tmp/x.html" 2>"$tmp/err"
[ $? != 0 ] && grep -q "no such file" "$tmp/err"; check "missing file is a clear error" $?

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
