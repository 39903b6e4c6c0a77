#!/usr/bin/env bash
# tests/cli/check_estimate.sh: `spex-bench check`'s estimate (experiments/probe.c).
#   - the query count equals the plan's "queries at most" line, and, exactly, the sum over
#     the cells that do run of their instance's budget (read back from the HDF5 file after
#     running the configuration) plus the test masks of every instance; the queries the
#     methods really asked for never exceed it (sentiment with skipped cells, samples budgets;
#     the quick scaling config, spx_b budgets whose query counts depend on n);
#   - without --probe it gives no time and says how to get one;
#   - with --probe every number is labelled an estimate, and the oracle time equals the sum of
#     the printed per-instance costs when every instance is probed.
. "$(dirname "$0")/../lib/harness.sh"
need_python h5py numpy

cat >"$tmp/skip.toml" <<TOML
[experiment]
name = "estimate_skip"
kind = "faithfulness"
seed = 3
output = "$tmp/k.h5"
test_masks = 150
repeats = 2
[oracle]
kind = "sentiment"
explicands = { first = 0, count = 3, stride = 3 }
[budget]
samples = [300, 600]
[[method]]
name = "lime"
[[method]]
name = "faith_banzhaf"
label = "faith_banzhaf_2"
order = 2
max_gflop = 0.002
[[method]]
name = "spex"
label = "spex_soft"
TOML
sed -e 's#^output = .*#output = "'"$tmp"'/s.h5"#' configs/quick/scaling.toml >"$tmp/scaling.toml"

cat >"$tmp/verify.py" <<'PY'
"""verify.py CHECK_OUTPUT FILE.h5: the estimate's query count against the plan and the file."""
import re, sys
import h5py, numpy as np
text = open(sys.argv[1]).read()
f = h5py.File(sys.argv[2], "r")
m = re.search(r"^estimate +queries: (\d+) in all = (\d+) by the cells that run .* \+ (\d+) held-out", text, re.M)
plan = re.search(r"^queries +at most (\d+) ", text, re.M)
errs = []
if not m or not plan:
    print("no estimate / plan line"); sys.exit(1)
total, cells, tests = map(int, m.groups())
if int(plan.group(1)) != total: errs.append("plan %s != estimate %d" % (plan.group(1), total))
if cells + tests != total: errs.append("parts do not add up")
T = f["explicands/0/test_masks"].shape[0]
I = len(f["explicands"])
want_cells = 0
asked = 0
for label, g in f["results"].items():
    st = g["status"][()]
    q = g["queries"][()]
    for i in range(st.shape[0]):
        budget = f["explicands/%d/budget" % i][()]
        for b in range(st.shape[1]):
            for r in range(st.shape[2]):
                if st[i, b, r] == 0:
                    errs.append("pending cell")
                if st[i, b, r] != 2:  # ok or failed: a cell that runs
                    want_cells += int(budget[b])
                    asked += int(q[i, b, r])
if cells != want_cells: errs.append("cells' queries %d, file says %d" % (cells, want_cells))
if tests != T * I: errs.append("test masks %d != %d x %d" % (tests, T, I))
if asked > cells: errs.append("methods asked %d > estimate %d" % (asked, cells))
print("\n".join(errs) or "estimate %d = %d + %d; methods asked %d" % (total, cells, tests, asked))
sys.exit(1 if errs else 0)
PY

for cfg in skip scaling; do
  "$BIN" check "$tmp/$cfg.toml" >"$tmp/$cfg.check" 2>"$tmp/err"; check "$cfg: check exits 0" $? "$tmp/err"
  "$BIN" "$tmp/$cfg.toml" --quiet >/dev/null 2>"$tmp/err"; check "$cfg: run" $? "$tmp/err"
  h5="$tmp/s.h5"; [ $cfg = skip ] && h5="$tmp/k.h5"
  "$PY" "$tmp/verify.py" "$tmp/$cfg.check" "$h5" >"$tmp/v" 2>&1
  check "$cfg: estimated queries = plan = brute force over the file's cells that run + test masks" $? "$tmp/v"
done
grep -q "skipped cells left out" "$tmp/skip.check"; check "the estimate says skipped cells are left out" $?
grep -qE "^ +time: not estimated; .*--probe" "$tmp/skip.check"; check "without --probe: no time, says how to get one" $?
grep -q "ESTIMATE" "$tmp/skip.check"; [ $? = 1 ]; check "without --probe: no time estimate printed" $?

# --probe on three instances of three different n: all are probed, so the time is the sum of
# the printed per-instance costs (3 significant digits each).
"$BIN" check "$tmp/skip.toml" --probe >"$tmp/probe.out" 2>"$tmp/err"; check "check --probe exits 0" $? "$tmp/err"
"$PY" - "$tmp/probe.out" >"$tmp/v" 2>&1 <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rows = re.findall(r"instance \d+ \(explicand \d+, n = \d+; (\d+) queries in at least (\d+) batches\): "
                  r"([0-9.e+-]+) ms per query, ([0-9.e+-]+) ms per batch", text)
m = re.search(r"oracle time: ESTIMATE about ([0-9.e+-]+) s", text)
errs = []
if len(rows) != 3: errs.append("%d probed instances, 3 expected" % len(rows))
if not m: errs.append("no ESTIMATE time line")
if "oracle cost (ESTIMATE" not in text: errs.append("costs not labelled as an estimate")
if "not included" not in text: errs.append("does not say the methods' computation is left out")
if not errs:
    want = sum(int(q) * float(c) / 1e3 + int(b) * float(o) / 1e3 for q, b, c, o in rows)
    got = float(m.group(1))
    if not (abs(got - want) <= 0.02 * want + 1e-3):
        errs.append("time %g, sum of the printed costs %g" % (got, want))
    qs = sum(int(q) for q, _, _, _ in rows)
    tot = int(re.search(r"queries: (\d+) in all", text).group(1))
    if qs != tot: errs.append("per-instance queries sum %d != total %d" % (qs, tot))
print("\n".join(errs) or "ok")
sys.exit(1 if errs else 0)
PY
check "--probe: labelled estimate, time = sum of the printed per-instance costs" $? "$tmp/v"

finish
