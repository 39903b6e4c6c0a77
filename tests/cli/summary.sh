#!/usr/bin/env bash
# tests/cli/summary.sh: the paired console summary printed at the end of a grid run
# (experiments/grid_summary.c). On a sentiment config where faith_banzhaf_2 is skipped on the
# longer reviews (max_gflop) and SPEX below its minimum budget, every printed row (common,
# own, paired-on-X's-cells, no-finished-cell) is parsed and its counts, means and standard
# errors are checked against a brute-force recomputation from the HDF5 datasets (h5py); a
# method finished on fewer cells must never sit among the common rows; a one-cell row has no
# "+-". A recovery run with three methods checks coefficient error, precision, recall and
# Kendall tau the same way.
. "$(dirname "$0")/../lib/harness.sh"
need_python h5py numpy

cat > "$tmp/skip.toml" <<TOML
[experiment]
name = "summary_skip"
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
cat > "$tmp/rec.toml" <<TOML
[experiment]
name = "summary_recovery"
kind = "recovery"
seed = 5
output = "$tmp/r.h5"
test_masks = 200
[oracle]
kind = "synthetic"
n = 8
terms = 6
basis = "moebius"
hierarchical = true
explicands = { count = 4 }
[budget]
spx_b = [3, 4]
[[method]]
name = "exact"
basis = "moebius"
[[method]]
name = "spex"
label = "spex_soft"
[[method]]
name = "lime"
TOML

"$BIN" "$tmp/skip.toml" --quiet >"$tmp/k.txt" 2>"$tmp/err"; check "skip run" $? "$tmp/err"
# The same with one repeat: faith_banzhaf_2 then finishes a single cell at 300 samples.
"$BIN" "$tmp/skip.toml" --quiet --set experiment.repeats=1 --set "experiment.output=\"$tmp/k1.h5\"" \
  >"$tmp/k1.txt" 2>"$tmp/err"; check "skip run, one repeat" $? "$tmp/err"
"$BIN" "$tmp/rec.toml" --quiet >"$tmp/r.txt" 2>"$tmp/err"; check "recovery run" $? "$tmp/err"

cat > "$tmp/verify.py" <<'PY'
"""verify.py FILE.h5 SUMMARY.txt [expect ...]: the printed summary against the datasets."""
import re, sys
import h5py, numpy as np

path, text = sys.argv[1], open(sys.argv[2]).read()
expect = set(sys.argv[3:])
f = h5py.File(path, "r")
labels = [l.decode() if isinstance(l, bytes) else l for l in f["results"].keys()]
# keep the configuration's order: /results keys are sorted by HDF5; the summary's rows are in
# config order, which the test does not depend on.
B = f["budget"].shape[0]
mode = f["budget"].attrs["mode"]
mode = mode.decode() if isinstance(mode, bytes) else mode
status = {m: f["results"][m]["status"][()].astype(int) for m in labels}
METRICS = {"R2": ("r2", 4, "f"), "decode s": ("time_decode", 4, "g"), "queries": ("queries", 0, "f"),
           "coef error": ("coef_error", 4, "f"), "precision": ("precision", 3, "f"),
           "recall": ("recall", 3, "f"), "Kendall tau": ("kendall_tau", 3, "f")}
errors = []
nchecked = 0


def err(msg):
    errors.append(msg)


def brute(values, mask):
    """mean, se (None for < 2 values), as the convention says: NaN dropped."""
    v = values[mask].astype(float)
    v = v[~np.isnan(v)]
    if v.size == 0:
        return None, None
    if not np.all(np.isfinite(v)):
        return float(np.sum(v)), None
    mean = float(np.mean(v))
    if v.size < 2:
        return mean, None
    return mean, float(np.std(v, ddof=1) / np.sqrt(v.size))


def close(printed, exact, digits, kind):
    if exact is None:
        return False
    if not np.isfinite(exact):
        return printed == exact or (np.isnan(printed) and np.isnan(exact))
    if kind == "g":
        return abs(printed - exact) <= 0.51 * 10 ** (np.floor(np.log10(abs(exact) or 1)) - digits + 1) + 1e-15
    return abs(printed - exact) <= 0.51 * 10 ** (-digits) + 1e-12


# Split the text into budget blocks and sections.
blocks = re.split(r"\n(?=budget )", text)[1:]
if len(blocks) != B:
    err("%d budget blocks printed, file has %d" % (len(blocks), B))
for b, block in enumerate(blocks):
    lines = block.splitlines()
    head = lines[0]
    want = ("b=%d" % f["budget"][b]) if mode == "spx_b" else ("%d samples" % f["budget"][b])
    if not head.startswith("budget %s:" % want):
        err("block %d header %r, expected budget %s" % (b, head, want))
    cols = lines[1].split()
    if cols[:2] != ["method", "cells"]:
        err("header row %r" % lines[1])
    names = re.findall(r"Kendall tau|coef error|decode s|\S+", lines[1])[2:-2]
    # brute force: pending cells of any method are out for all
    done = np.logical_and.reduce([status[m][:, b, :] != 0 for m in labels])
    ok = {m: (status[m][:, b, :] == 1) & done for m in labels}
    cnt = {m: int(ok[m].sum()) for m in labels}
    most = max(cnt.values())
    common = [m for m in labels if cnt[m] == most and most > 0]
    cmask = np.logical_and.reduce([ok[m] for m in common]) if common else None
    section, owner = "common", None
    seen = {"common": set(), "own": set(), "none": set()}
    for line in lines[2:]:
        if line.startswith("  -- ") and "own set" in line:
            section, owner = "own", line.split()[1]
            continue
        if line.startswith("  -- on "):
            section, owner = "paired", re.match(r"  -- on (\S+)'s cells", line).group(1)
            continue
        if line.startswith("  -- no finished cell"):
            section, owner = "none", None
            continue
        mrow = re.match(r"^  (\S+)( \(own\))?\s+(\d+)\s+(.*?)\s*$", line)
        if not mrow:
            continue
        label, cells, rest = mrow.group(1), int(mrow.group(3)), mrow.group(4)
        toks = rest.split()
        vals = []
        k = 0
        while k < len(toks):
            if k + 2 < len(toks) and toks[k + 1] == "+-":
                vals.append((toks[k], toks[k + 2]))
                k += 3
            else:
                vals.append((toks[k], None))
                k += 1
        if section == "common":
            mask = cmask
            seen["common"].add(label)
        elif section == "own":
            mask = ok[label]
            seen["own"].add(label)
            if label != owner:
                err("own row %s under %s's heading" % (label, owner))
        elif section == "paired":
            mask = ok[owner] & cmask
            if label not in common and label != owner:
                err("paired row %s is neither %s nor a common method" % (label, owner))
        else:
            seen["none"].add(label)
            mask = np.zeros_like(done)
        if mask is None or cells != int(mask.sum()):
            err("b%d %s %s: %d cells printed, %s expected" % (b, section, label, cells,
                                                             None if mask is None else int(mask.sum())))
            continue
        if section in ("common", "own", "none"):
            if len(vals) != len(names) + 2:
                err("b%d %s %s: %d values for %d columns" % (b, section, label, len(vals), len(names)))
                continue
            sk, fl = int(vals[-2][0]), int(vals[-1][0])
            st = status[label][:, b, :]
            if sk != int((st == 2).sum()) or fl != int((st == 3).sum()):
                err("b%d %s: skipped/failed %d/%d, file %d/%d" % (b, label, sk, fl,
                                                                  (st == 2).sum(), (st == 3).sum()))
            vals = vals[:-2]
        for name, (m_txt, se_txt) in zip(names, vals):
            ds, digits, kind = METRICS[name]
            exact_mean, exact_se = brute(f["results"][label][ds][()][:, b, :], mask)
            if m_txt == "-":
                if exact_mean is not None:
                    err("b%d %s %s %s: '-' printed, %r expected" % (b, section, label, name, exact_mean))
                continue
            nchecked += 1
            if not close(float(m_txt), exact_mean, digits, kind):
                err("b%d %s %s %s: mean %s, brute force %r" % (b, section, label, name, m_txt, exact_mean))
            if cells == 1 and se_txt is not None:
                err("b%d %s %s %s: a single cell printed with +-" % (b, section, label, name))
            if METRICS[name][2] == "f" and name not in ("queries",) and exact_se is not None:
                if se_txt is None or not close(float(se_txt), exact_se, digits, "f"):
                    err("b%d %s %s %s: s.e. %s, brute force %r" % (b, section, label, name, se_txt, exact_se))
            if exact_se is None and se_txt is not None:
                err("b%d %s %s %s: +- %s printed where there is no s.e." % (b, section, label, name, se_txt))
    if seen["common"] != set(common):
        err("b%d: common rows %s, expected %s" % (b, sorted(seen["common"]), sorted(common)))
    partial = {m for m in labels if 0 < cnt[m] < most}
    if seen["own"] != partial:
        err("b%d: own rows %s, expected %s" % (b, sorted(seen["own"]), sorted(partial)))
    if seen["none"] != {m for m in labels if cnt[m] == 0}:
        err("b%d: no-cell rows %s" % (b, sorted(seen["none"])))
    for e in expect:
        kind, b_e, lab = e.split(":")
        if int(b_e) == b and lab not in seen[kind]:
            err("b%d: expected %s among the %s rows" % (b, lab, kind))
if nchecked < 10:
    err("only %d values checked" % nchecked)
if errors:
    print("\n".join(errors[:20]))
    sys.exit(1)
print("%d values checked" % nchecked)
PY

# The config is built so that at 300 samples faith_banzhaf_2 (skipped on longer reviews) and
# spex_soft (below its minimum budget on longer reviews) are own rows; at 600 spex_soft is
# common and faith_banzhaf_2 has no finished cell.
"$PY" "$tmp/verify.py" "$tmp/k.h5" "$tmp/k.txt" own:0:faith_banzhaf_2 own:0:spex_soft \
  common:0:lime common:1:spex_soft none:1:faith_banzhaf_2 >"$tmp/v" 2>&1
check "skip run: summary rows equal the brute-force paired means" $? "$tmp/v"
"$PY" "$tmp/verify.py" "$tmp/k1.h5" "$tmp/k1.txt" own:0:faith_banzhaf_2 >"$tmp/v" 2>&1
check "one repeat: summary rows equal the brute force (single cells without +-)" $? "$tmp/v"
grep -E '^  faith_banzhaf_2 \(own\) +1 ' "$tmp/k1.txt" | grep -q -- '+-'
[ $? = 1 ]; check "one repeat: the one-cell own row has no +-" $?
grep -E '^  faith_banzhaf_2 \(own\) +1 ' "$tmp/k1.txt" >/dev/null; check "one repeat: the one-cell own row is printed" $?
"$PY" "$tmp/verify.py" "$tmp/r.h5" "$tmp/r.txt" common:1:exact >"$tmp/v" 2>&1
check "recovery: summary rows (with coef error, precision, recall, Kendall tau) equal the brute force" $? "$tmp/v"
for h in "coef error" precision recall "Kendall tau"; do
  grep -E "^  method .*$h" "$tmp/r.txt" >/dev/null; check "recovery summary has a '$h' column" $?
done
grep -q "Kendall tau" "$tmp/k.txt"; [ $? = 1 ]; check "faithfulness summary has no recovery columns" $?
grep -q "standard error of the mean" "$tmp/k.txt"; check "the summary states its uncertainty convention" $?

finish
