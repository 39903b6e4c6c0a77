#!/usr/bin/env bash
# tests/cli/analysis.sh: the analysis scripts on small result files made by real runs of the
# quick configs: every figure and table is written, the CSV numbers equal those recomputed
# from the HDF5 datasets, and the HTML report is self-contained and lists each explicand's
# labelled features. Pruning (configs/quick/pruning.toml): plot_pruning.py's figure and CSV
# (numbers recomputed from the file) and the report's pruning section. Digits
# data_attribution: the report draws each listed interaction's training images, and a
# drawn image decodes back to the stored pixels.
. "$(dirname "$0")/../lib/harness.sh"
need_python h5py matplotlib

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
"$BIN" "$tmp/comp.toml" --quiet >/dev/null 2>"$tmp/err"; check "components run" $? "$tmp/err"
run configs/quick/pruning.toml "$tmp/p.h5"; check "quick pruning run" $? "$tmp/err"
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
"$BIN" "$tmp/digits.toml" --quiet >/dev/null 2>"$tmp/err"; check "digits data_attribution run" $? "$tmp/err"

"$PY" analysis/plot_faithfulness.py "$tmp/f.h5" -o "$tmp/fig" >"$tmp/out" 2>"$tmp/err"
check "plot_faithfulness" $? "$tmp/err"
for f in faithfulness_vs_budget.png faithfulness_by_length.png faithfulness.csv; do
  [ -s "$tmp/fig/$f" ]; check "wrote $f" $?
  grep -qx "wrote $tmp/fig/$f" "$tmp/out"; check "plot_faithfulness says it wrote $f" $?
done
"$PY" analysis/plot_scaling.py "$tmp/s.h5" -o "$tmp/fig"; check "plot_scaling" $?
for f in scaling_time.png scaling_r2.png scaling.csv; do [ -s "$tmp/fig/$f" ]; check "wrote $f" $?; done
"$PY" analysis/plot_recovery.py "$tmp/r.h5" -o "$tmp/fig"; check "plot_recovery" $?
for f in recovery_error.png recovery_r2.png recovery.csv; do [ -s "$tmp/fig/$f" ]; check "wrote $f" $?; done

# Paired means (the issue's main check): a sentiment config where faith_banzhaf_2 is skipped on
# the longer reviews (max_gflop) and SPEX at the small budget; the CSV's rows equal a
# brute-force recomputation from the HDF5 datasets.
cat > "$tmp/skip.toml" <<TOML
[experiment]
name = "paired_skip"
kind = "faithfulness"
seed = 3
output = "$tmp/k.h5"
test_masks = 200
repeats = 2
[oracle]
kind = "sentiment"
explicands = { first = 0, count = 4, stride = 3 }
[budget]
samples = [300, 600]
[[method]]
name = "lime"
[[method]]
name = "banzhaf"
[[method]]
name = "faith_banzhaf"
label = "faith_banzhaf_2"
order = 2
max_gflop = 0.002
[[method]]
name = "spex"
label = "spex_soft"
TOML
"$BIN" "$tmp/skip.toml" --quiet >/dev/null 2>"$tmp/err"; check "paired-skip run" $? "$tmp/err"
"$PY" analysis/plot_faithfulness.py "$tmp/k.h5" -o "$tmp/kfig" >/dev/null 2>"$tmp/err"
check "plot_faithfulness on the paired-skip file" $? "$tmp/err"
"$PY" - "$tmp/k.h5" "$tmp/kfig/faithfulness.csv" <<'PY'
import csv, sys
import h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
lines = [l for l in open(sys.argv[2]) if not l.startswith("#")]
assert any(l.startswith("# ") and "common" in l for l in open(sys.argv[2])), "CSV does not say which set"
rows = list(csv.DictReader(lines))
for col in ("method", "budget", "queries_mean", "n_explicands", "r2_mean", "r2_se", "set", "n_cells"):
    assert col in rows[0], col
labels = list(f["results"].keys())
B = f["budget"].shape[0]
n_of = {int(k): int(f["explicands"][k].attrs["n"]) for k in f["explicands"]}
def stats(v):
    v = np.asarray(v, float)
    return v.mean(), (v.std(ddof=1) / np.sqrt(v.size) if v.size > 1 else None), v.size
def expected(b, sel):
    ok = {m: (f["results"][m]["status"][:, b, :] == 1) & sel[:, None] for m in labels}
    ok = {m: v for m, v in ok.items() if v.any()}
    most = max(v.sum() for v in ok.values())
    common = [m for m in ok if ok[m].sum() == most]
    cm = np.logical_and.reduce([ok[m] for m in common])
    out = {}
    for m in common:
        out[("common", "", m)] = stats(f["results"][m]["r2"][:, b, :][cm])
    for p in ok:
        if p in common:
            continue
        out[("own", p, p)] = stats(f["results"][p]["r2"][:, b, :][ok[p]])
        pm = ok[p] & cm
        for m in [p] + common:
            out[("subset", p, m)] = stats(f["results"][m]["r2"][:, b, :][pm])
    return out
I = f["results"][labels[0]]["status"].shape[0]
seen_own = 0
for view in ("budget", "band"):
    got = [r for r in rows if r["view"] == view]
    assert got, view
    keys = set()
    for b in range(B):
        bands = [None] if view == "budget" else sorted({(2 ** int(np.log2(n)), 2 ** (int(np.log2(n)) + 1) - 1) for n in n_of.values()})
        for band in bands:
            if view == "band" and b != B - 1:
                continue
            sel = np.ones(I, bool) if band is None else np.array([band[0] <= n_of[i] <= band[1] for i in range(I)])
            exp = expected(b, sel)
            bl = "" if band is None else "%d-%d" % band
            mine = {(r["set"], r["subset_of"], r["method"]): r for r in got
                    if int(r["budget_index"]) == b and r["band"] == bl}
            assert set(mine) == set(exp), (view, b, bl, sorted(mine), sorted(exp))
            for k, (mean, se, cnt) in exp.items():
                r = mine[k]
                assert abs(float(r["r2_mean"]) - mean) < 1e-6, (k, r, mean)
                assert int(r["n_cells"]) == cnt, (k, r, cnt)
                assert (r["r2_se"] == "") == (se is None), (k, r, se)
                if se is not None:
                    assert abs(float(r["r2_se"]) - se) < 1e-6, (k, r, se)
                seen_own += k[0] == "own"
assert seen_own >= 2, "the config must skip some method on some explicands"
# The issue's example: a skipped method never sits in the common ranking of that budget.
for r in rows:
    if r["set"] == "common":
        m, b = r["method"], int(r["budget_index"])
        assert int(r["n_cells"]) == max(int(x["n_cells"]) for x in rows if x["set"] == "common"
                                        and x["view"] == r["view"] and x["band"] == r["band"]
                                        and int(x["budget_index"]) == b), r
PY
check "faithfulness.csv: paired means, counts and standard errors equal brute force from the HDF5 file" $?
"$PY" analysis/report.py "$tmp/k.h5" -o "$tmp/k.html" >"$tmp/out" 2>"$tmp/err"; check "report of the paired-skip file" $? "$tmp/err"
grep -qx "wrote $tmp/k.html" "$tmp/out"; check "report.py says which file it wrote" $?
"$PY" - "$tmp/k.html" <<'PY'
import re, sys
page = open(sys.argv[1]).read()
# The budget-300 ranking lists only lime and banzhaf (faith_banzhaf_2 and spex_soft finished on
# fewer explicands there) and each of those two gets its own marked table.
at = page.find("<h3>Budget point 300</h3>")
rank = page[at:page.find("</table>", at)]
names = re.findall(r"<tr><td>\d+</td><td class=l>([^<]+)</td>", rank)
assert sorted(names) == ["banzhaf", "lime"], names
assert "faith_banzhaf_2 finished on fewer explicands" in page
assert "spex_soft finished on fewer explicands" in page
assert "standard error" in page
# no "± 0.0000"-style uncertainty on a single cell anywhere
assert not re.search(r"\u00b1 0\.0000<", page)
PY
check "report: skipped methods are never ranked against the common set" $?
"$PY" analysis/report.py "$tmp/k.h5" -o "$tmp/x.html" --method nosuch 2>"$tmp/err"
[ $? != 0 ] && grep -q "the labels are: banzhaf, faith_banzhaf_2, lime, spex_soft" "$tmp/err"
check "report --method with an unknown label lists the labels" $?

# Reports about interactions: --index/--order, synergy defined from the chosen index's sign.
"$PY" analysis/report.py "$tmp/k.h5" -o "$tmp/ki.html" --index sii --order 2 >/dev/null 2>"$tmp/err"
check "report --index sii" $? "$tmp/err"
grep -q "index <b>sii</b> (Shapley interaction index) of order 2" "$tmp/ki.html" &&
  grep -q "strongest redundant pairs (sii &lt; 0" "$tmp/ki.html" &&
  grep -q 'alt="top interactions: explicand' "$tmp/ki.html"
check "report explains with the chosen index and says what synergy/redundancy mean" $?
grep -q "Explained with <b>spex_soft</b> (the most faithful method with interactions" "$tmp/k.html"
check "report defaults to the most faithful interaction method" $?

# The paper comparison: refused on a non-sentiment file; on a small sentiment run of the
# paper's own reviews (when ../shared is there) the published columns equal the published CSV.
"$PY" analysis/plot_faithfulness.py "$tmp/f.h5" -o "$tmp/pfig" --published 2>"$tmp/err" >/dev/null
[ $? != 0 ] && grep -q "refused: the file's oracle is 'synthetic'" "$tmp/err"
check "--published is refused on a synthetic file" $?
pubdir="${SPX_SHARED_DATA:-../shared/data}/spectral_explain"
if [ -f "$pubdir/published_sentiment_per_review.csv" ]; then
  cat > "$tmp/paper.toml" <<TOML
[experiment]
name = "paper_small"
kind = "faithfulness"
output = "$tmp/paper.h5"
test_masks = 200
[oracle]
kind = "sentiment"
texts_csv = "$pubdir/sentiment.csv"
explicands = { first = 0, count = 2, stride = 20 }
[budget]
spx_b = [3, 4]
[[method]]
name = "spex"
label = "spex_soft"
[[method]]
name = "lime"
[[method]]
name = "proxyspex"
TOML
  "$BIN" "$tmp/paper.toml" --quiet >/dev/null 2>"$tmp/err"; check "small paper run" $? "$tmp/err"
  "$PY" analysis/plot_faithfulness.py "$tmp/paper.h5" -o "$tmp/pfig" --published "$pubdir" >"$tmp/out" 2>"$tmp/err"
  check "plot_faithfulness --published" $? "$tmp/err"
  grep -qx "wrote $tmp/pfig/paper_comparison.png" "$tmp/out" && grep -qx "wrote $tmp/pfig/paper_comparison.csv" "$tmp/out"
  check "paper comparison figure and CSV written" $?
  "$PY" - "$tmp/paper.h5" "$tmp/pfig/paper_comparison.csv" "$pubdir/published_sentiment_per_review.csv" <<'PY'
import csv, sys
import h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
rows = list(csv.DictReader(l for l in open(sys.argv[2]) if not l.startswith("#")))
pub = list(csv.DictReader(open(sys.argv[3])))
expl = sorted(int(f["explicands"][k].attrs["explicand"]) for k in f["explicands"])
got = {(r["view"], r["family"], r["b"], r["band"]): r for r in rows}
for fam, ours, name in (("SPEX soft", "spex_soft", "qsft_soft_0"), ("LIME", "lime", "lime_0")):
    for bi, b in enumerate(f["budget"][()]):
        r = got[("budget", fam, str(b), "")]
        vals = [float(p["r2"]) for p in pub if p["method"] == name and int(p["b"]) == b and p["r2"]]
        assert abs(float(r["published_r2_mean"]) - np.mean(vals)) < 5e-5 and int(r["published_n"]) == len(vals), r
        same = [float(p["r2"]) for p in pub if p["method"] == name and int(p["b"]) == b and p["r2"]
                and int(p["review_index"]) in expl]
        assert abs(float(r["published_same_reviews_r2_mean"]) - np.mean(same)) < 5e-5, r
        ok = f["results"][ours]["status"][:, bi, :] == 1
        assert abs(float(r["ours_r2_mean"]) - f["results"][ours]["r2"][:, bi, :][ok].mean()) < 5e-5, r
assert any(r["view"] == "band" for r in rows)
assert "DistilBERT" in open(sys.argv[2]).read() and "VADER" in open(sys.argv[2]).read()
PY
  check "paper_comparison.csv: ours and published (all and same reviews) equal the files" $?
  "$PY" analysis/report.py "$tmp/paper.h5" -o "$tmp/paper.html" >/dev/null 2>"$tmp/err"
  grep -q "The SPEX paper's numbers beside ours" "$tmp/paper.html"; check "report has the paper table" $?
  # reproduction.py: two files of the paper's reviews (review 20 in both) read as one table;
  # its numbers recomputed from the HDF5 files and the published CSV.
  sed -e "s#$tmp/paper.h5#$tmp/paper2.h5#" -e 's/first = 0, count = 2/first = 20, count = 2/' \
    "$tmp/paper.toml" >"$tmp/paper2.toml"
  "$BIN" "$tmp/paper2.toml" --quiet >/dev/null 2>"$tmp/err"; check "second small paper run" $? "$tmp/err"
  "$PY" analysis/reproduction.py "$tmp/paper.h5" "$tmp/paper2.h5" -o "$tmp/rep" --published "$pubdir" >"$tmp/out" 2>"$tmp/err"
  check "reproduction.py" $? "$tmp/err"
  for f in coverage.csv by_band.csv by_budget.csv proxyspex.csv proxyspex_by_band.csv ranking.csv reviews.csv cells.csv tables.md by_band.png by_budget.png; do
    grep -qx "wrote $tmp/rep/reproduction_$f" "$tmp/out" || echo "missing: $f"
  done >"$tmp/v"
  [ ! -s "$tmp/v" ]; check "reproduction.py wrote and named every file" $? "$tmp/v"
  grep -q "^read .*; 6 (method, review, b) finished in more than one file" "$tmp/out"
  check "reproduction.py counts the cells present in both files" $? "$tmp/out"
  # review 20 at 2 budgets for spex_soft and lime: the same code in both files, so 0 difference
  grep -qx "  spex_soft: 2 cells in more than one file, max |R2 difference| 0" "$tmp/out" &&
    grep -qx "  lime: 2 cells in more than one file, max |R2 difference| 0" "$tmp/out"
  check "reproduction.py reports the duplicates' R2 difference per method" $? "$tmp/out"
  "$PY" - "$tmp/paper.h5" "$tmp/paper2.h5" "$tmp/rep" "$pubdir/published_sentiment_per_review.csv" >"$tmp/v" 2>&1 <<'PY'
import csv, sys
import h5py, numpy as np
a, b2, rep, pubf = sys.argv[1:5]
cells = {}  # (label, review, b) -> r2, first file first
for path in (a, b2):
    f = h5py.File(path, "r")
    inst = {int(k): int(f["explicands"][k].attrs["explicand"]) for k in f["explicands"]}
    for label in ("spex_soft", "lime", "proxyspex"):
        g = f["results"][label]
        for i, e in inst.items():
            for bi, b in enumerate(f["budget"][()]):
                if g["status"][i, bi, 0] == 1:
                    cells.setdefault((label, e, int(b)), float(g["r2"][i, bi, 0]))
pub = {(p["method"], int(p["review_index"]), int(p["b"])): float(p["r2"])
       for p in csv.DictReader(open(pubf)) if p["r2"]}
rows = list(csv.DictReader(l for l in open(rep + "/reproduction_by_budget.csv") if not l.startswith("#")))
errs = []
for fam, label, name in (("SPEX soft", "spex_soft", "qsft_soft_0"), ("LIME", "lime", "lime_0")):
    for b in (3, 4):
        revs = sorted(e for (l, e, bb) in cells if l == label and bb == b)
        r = [x for x in rows if x["family"] == fam and x["b"] == str(b)]
        if revs != [0, 20, 40] or len(r) != 1:
            errs.append("%s b=%d: reviews %s, rows %d" % (fam, b, revs, len(r)))
            continue
        r = r[0]
        ours = np.array([cells[(label, e, b)] for e in revs])
        theirs = np.array([pub[(name, e, b)] for e in revs])
        allp = [v for (m, e, bb), v in pub.items() if m == name and bb == b]
        want = {"ours_n": 3, "ours_r2_mean": ours.mean(), "ours_r2_se": ours.std(ddof=1) / 3 ** 0.5,
                "published_same_n": 3, "published_same_r2_mean": theirs.mean(),
                "diff_mean": (ours - theirs).mean(),
                "diff_se": (ours - theirs).std(ddof=1) / 3 ** 0.5,
                "published_all_n": len(allp), "published_all_r2_mean": np.mean(allp)}
        for k, v in want.items():
            if abs(float(r[k]) - v) > 1e-4 * max(1, abs(v)):
                errs.append("%s b=%d %s: %s != %s" % (fam, b, k, r[k], v))
cov = [x for x in csv.DictReader(l for l in open(rep + "/reproduction_coverage.csv") if not l.startswith("#"))
       if x["family"] == "SPEX soft" and x["b"] == "3"]
got = {x["band"]: (x["ok"], x["not_run_of_20"]) for x in cov}
if got.get("8-15") != ("1", "19") or got.get("16-31") != ("1", "19") or got.get("32-63") != ("1", "19") \
        or got.get("64-127") != ("0", "20"):
    errs.append("coverage %r" % got)
# ProxySPEX at b minus SPEX soft at the largest b (4), per band, paired
band = {0: "8-15", 20: "16-31", 40: "32-63"}
pb = [x for x in csv.DictReader(l for l in open(rep + "/reproduction_proxyspex_by_band.csv") if not l.startswith("#"))]
for name in band.values():
    for b in (3, 4):
        es = [e for e in band if band[e] == name]
        d = np.array([cells[("proxyspex", e, b)] - cells[("spex_soft", e, 4)] for e in es])
        r = [x for x in pb if x["band"] == name and x["proxyspex_b"] == str(b)]
        if len(r) != 1 or r[0]["reviews"] != "1" or r[0]["spex_soft_b"] != "4" \
                or abs(float(r[0]["diff_mean"]) - d.mean()) > 1e-5 * max(1, abs(d.mean())):
            errs.append("proxyspex_by_band %s b=%d: %r, want %g" % (name, b, r, d.mean()))
print("\n".join(errs) or "ok")
sys.exit(1 if errs else 0)
PY
  check "reproduction.py: ours (merged, paired), published on the same reviews and on all, coverage, ProxySPEX by band = files" $? "$tmp/v"
  # reproduction_cells.csv given back as input: the same tables from it alone, and from the
  # first file's cells plus the second result file (how a later run adds to committed cells)
  grep -qx "wrote $tmp/rep/reproduction_cells.csv" "$tmp/out"; check "reproduction.py wrote the cells" $? "$tmp/out"
  "$PY" analysis/reproduction.py "$tmp/rep/reproduction_cells.csv" -o "$tmp/repc" --published "$pubdir" >/dev/null 2>"$tmp/err"
  check "reproduction.py reads its cells CSV" $? "$tmp/err"
  "$PY" analysis/reproduction.py "$tmp/paper.h5" -o "$tmp/rep1" --published "$pubdir" >/dev/null 2>"$tmp/err" &&
    "$PY" analysis/reproduction.py "$tmp/rep1/reproduction_cells.csv" "$tmp/paper2.h5" -o "$tmp/repm" \
      --published "$pubdir" >/dev/null 2>"$tmp/err"
  check "reproduction.py: cells CSV of one file + the other result file" $? "$tmp/err"
  for d in repc repm; do
    for f in coverage.csv by_band.csv by_budget.csv proxyspex.csv ranking.csv reviews.csv cells.csv; do
      # the same rows; the comment lines name the inputs and differ
      cmp -s <(grep -v '^#' "$tmp/rep/reproduction_$f") <(grep -v '^#' "$tmp/$d/reproduction_$f") ||
        echo "$d/reproduction_$f differs"
    done
  done >"$tmp/v"
  [ ! -s "$tmp/v" ]; check "tables from the cells CSV = tables from the result files" $? "$tmp/v"
  # a skipped cell (empty R²) in the CSV: every value still reads back to the last digit
  awk -F, 'BEGIN { OFS = "," } /^#/ || $1 == "family" { print; next }
    !done && $7 == "ok" { $7 = "skipped"; $8 = ""; $11 = "above the limit"; done = 1 } { print }' \
    "$tmp/rep/reproduction_cells.csv" >"$tmp/skip.csv"
  "$PY" analysis/reproduction.py "$tmp/skip.csv" -o "$tmp/reps" --published "$pubdir" >/dev/null 2>"$tmp/err" &&
    cmp -s <(grep -v '^#' "$tmp/skip.csv") <(grep -v '^#' "$tmp/reps/reproduction_cells.csv")
  check "a cells CSV with a skipped cell reads back value for value" $? "$tmp/err"
  printf 'family,method\n' >"$tmp/bad.csv"
  "$PY" analysis/reproduction.py "$tmp/bad.csv" -o "$tmp/repb" --published "$pubdir" >/dev/null 2>"$tmp/err"
  [ $? != 0 ] && grep -q "bad.csv is not a reproduction_cells.csv" "$tmp/err"
  check "reproduction.py refuses a CSV it did not write" $? "$tmp/err"
  # proxyspex_claim.py on the small paper run: ProxySPEX at b vs SPEX soft at b' >= b, paired
  # over the instances, recomputed from the HDF5 file
  "$PY" analysis/proxyspex_claim.py "$tmp/paper.h5" -o "$tmp/claim" >"$tmp/out" 2>"$tmp/err"
  check "proxyspex_claim.py" $? "$tmp/err"
  grep -qx "wrote $tmp/claim/proxyspex_claim.csv" "$tmp/out" && grep -qx "wrote $tmp/claim/proxyspex_claim.md" "$tmp/out"
  check "proxyspex_claim.py names the files it wrote" $? "$tmp/out"
  "$PY" - "$tmp/paper.h5" "$tmp/claim/proxyspex_claim.csv" >"$tmp/v" 2>&1 <<'PY'
import csv, sys
import h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
budget = [int(b) for b in f["budget"][()]]
def r2(label, bi):
    g = f["results"][label]
    return {i: float(g["r2"][i, bi, 0]) for i in range(g["status"].shape[0]) if g["status"][i, bi, 0] == 1}
rows = list(csv.DictReader(l for l in open(sys.argv[2]) if not l.startswith("#")))
errs, want = [], 0
for bi, b in enumerate(budget):
    for bj, b2 in enumerate(budget):
        if b2 < b:
            continue
        x, y = r2("proxyspex", bi), r2("spex_soft", bj)
        both = sorted(set(x) & set(y))
        d = np.array([x[i] - y[i] for i in both])
        r = [r for r in rows if r["proxyspex_b"] == str(b) and r["spex_b"] == str(b2)]
        want += 1
        if len(r) != 1 or r[0]["cells"] != str(len(both)) or \
                abs(float(r[0]["diff_mean"]) - d.mean()) > 1e-5 * max(1, abs(d.mean())) or \
                abs(float(r[0]["diff_se"]) - d.std(ddof=1) / len(d) ** 0.5) > 1e-5:
            errs.append("b=%d b'=%d: %r, want %d cells, diff %g" % (b, b2, r, len(both), d.mean()))
if len(rows) != want:
    errs.append("%d rows, want %d" % (len(rows), want))
print("\n".join(errs) or "ok")
sys.exit(1 if errs else 0)
PY
  check "proxyspex_claim.py: paired differences across budgets = the HDF5 file" $? "$tmp/v"
  "$PY" analysis/proxyspex_claim.py "$tmp/paper.h5" -o "$tmp/claim2" --proxyspex nosuch >/dev/null 2>"$tmp/err"
  [ $? != 0 ] && grep -q "has no method 'nosuch' (it has: lime, proxyspex, spex_soft)" "$tmp/err"
  check "proxyspex_claim.py: an unknown label is refused with the labels that exist" $? "$tmp/err"
  # the saturation table's Spearman correlation: ties at their average rank, whatever the order
  "$PY" - >"$tmp/v" 2>&1 <<'PY'
import sys
sys.path.insert(0, "analysis")
from reproduction import spearman
import numpy as np
x, y = [0.0, 0.0, 0.0, 0.1, 0.2], [1.0, 0.9, 1.0, 0.8, 0.7]
# average ranks x 2, 2, 2, 4, 5 and y 4.5, 3, 4.5, 2, 1: Pearson of the ranks by hand
rx, ry = np.array([2, 2, 2, 4, 5.0]), np.array([4.5, 3, 4.5, 2, 1])
want = np.corrcoef(rx, ry)[0, 1]
got = [spearman(x, y), spearman(x[::-1], y[::-1]), spearman([x[i] for i in (2, 0, 4, 1, 3)], [y[i] for i in (2, 0, 4, 1, 3)])]
bad = [g for g in got if abs(g - want) > 1e-12]
bad += ["constant side not NaN"] if np.isfinite(spearman([0, 0, 0], [1, 2, 3])) else []
print(bad or "ok", want, got)
sys.exit(1 if bad else 0)
PY
  check "reproduction.py's Spearman: average ranks for ties, independent of order, NaN when constant" $? "$tmp/v"
  "$PY" analysis/reproduction.py "$tmp/f.h5" -o "$tmp/rep2" --published "$pubdir" >/dev/null 2>"$tmp/err"
  [ $? != 0 ] && grep -q "not comparable" "$tmp/err"; check "reproduction.py refuses a synthetic file" $? "$tmp/err"
else
  echo "note: $pubdir absent, paper comparison numbers not checked"
  "$PY" analysis/plot_faithfulness.py "$tmp/k.h5" -o "$tmp/pfig" --published "$tmp/none" 2>"$tmp/err" >/dev/null
  [ $? != 0 ]; check "missing published files are an error" $?
fi

# Recovery metrics (precision, recall, Kendall tau, coefficient error): figure, CSV = HDF5.
cat > "$tmp/rec.toml" <<TOML
[experiment]
name = "analysis_recovery"
kind = "recovery"
seed = 4
output = "$tmp/rec.h5"
test_masks = 200
[oracle]
kind = "synthetic"
n = 12
terms = 8
max_degree = 2
explicands = { count = 3 }
[budget]
spx_b = [3, 4]
[[method]]
name = "spex"
[[method]]
name = "lime"
TOML
"$BIN" "$tmp/rec.toml" --quiet >/dev/null 2>"$tmp/err"; check "recovery run" $? "$tmp/err"
"$PY" analysis/plot_recovery.py "$tmp/rec.h5" -o "$tmp/rfig" >"$tmp/out" 2>"$tmp/err"; check "plot_recovery" $? "$tmp/err"
grep -qx "wrote $tmp/rfig/recovery_support.png" "$tmp/out"; check "recovery_support.png written" $?
"$PY" - "$tmp/rec.h5" "$tmp/rfig/recovery.csv" <<'PY'
import csv, sys
import h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
rows = list(csv.DictReader(l for l in open(sys.argv[2]) if not l.startswith("#")))
seen = set()
for r in rows:
    if r["set"] != "common":
        continue
    b = int(r["budget_index"])
    labels = list(f["results"].keys())
    ok = {m: f["results"][m]["status"][:, b, :] == 1 for m in labels}
    most = max(v.sum() for v in ok.values())
    cm = np.logical_and.reduce([v for v in ok.values() if v.sum() == most])
    vals = f["results"][r["method"]][r["quantity"]][:, b, :][cm]
    assert abs(float(r["mean"]) - vals.mean()) < 1e-5 * max(1, abs(vals.mean())), (r, vals.mean())
    seen.add(r["quantity"])
assert {"precision", "recall", "kendall_tau", "coef_error", "r2"} <= seen, seen
PY
check "recovery.csv: precision, recall, Kendall tau, coefficient error equal the HDF5 means" $?
"$PY" analysis/report.py "$tmp/rec.h5" -o "$tmp/rec.html" >/dev/null 2>"$tmp/err"
grep -q "<h2>Recovery</h2>" "$tmp/rec.html" && grep -q "<th>kendall tau</th>" "$tmp/rec.html"
check "report has the recovery table" $?

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

finish
