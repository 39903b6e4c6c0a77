#!/usr/bin/env bash
# tests/cli/check_plan.sh: `spex-bench check` lists exactly the cells a run records as skipped
# (same method, budget point and instance, with the method's reason), and shows every method's
# resolved options with their declared defaults.
. "$(dirname "$0")/../lib/harness.sh"
need_python h5py numpy
# n grows with the explicand's scaling point; faith_shap of order 3 without penalty needs more
# masks than the smaller budget has at the larger n, exact needs 2^n masks: a mix of cells
# that run and cells that are skipped.
cat >"$tmp/c.toml" <<TOML
[experiment]
name = "check_plan"
kind = "scaling"
seed = 3
output = "$tmp/plan.h5"
test_masks = 50
[oracle]
kind = "synthetic"
terms = 4
max_degree = 2
explicands = { first = 0, count = 2 }
[scaling]
n = [6, 9, 12]
[budget]
samples = [120, 600]
[[method]]
name = "faith_shap"
order = 3
[[method]]
name = "exact"
[[method]]
name = "lime"
TOML
"$BIN" check "$tmp/c.toml" >"$tmp/plan.txt" 2>"$tmp/err"
st=$?
check "check exits 0 ($(head -c 300 "$tmp/err"))" $st
grep -q "^  faith_shap .*order = 3, penalty = 0, penalty_grid = \[0.1, 1, 10\], memory_gib = 2" "$tmp/plan.txt"
check "resolved options with defaults" $?
"$BIN" "$tmp/c.toml" --quiet >/dev/null 2>"$tmp/err"
st=$?
check "run exits 0 ($(head -c 300 "$tmp/err"))" $st
"$PY" - "$tmp/plan.txt" "$tmp/plan.h5" <<'PY'
import re, sys
import h5py
plan = open(sys.argv[1]).read()
listed = set()
m = re.search(r"^skipped +(\d+) of (\d+) cells", plan, re.M)
assert m, plan
for line in plan.splitlines():
    g = re.match(r"^  (\S+) at samples = (\d+) \(\d+ queries\), instances? ([\d,]+): (.+)$", line)
    if g:
        for i in g.group(3).split(","):
            listed.add((g.group(1), int(g.group(2)), int(i)))
with h5py.File(sys.argv[2], "r") as f:
    budgets = [120, 600]
    recorded = set()
    for label in f["results"]:
        st = f["results"][label]["status"][()]
        for i in range(st.shape[0]):
            for b in range(st.shape[1]):
                if (st[i, b, :] == 2).all():
                    recorded.add((label, budgets[b], i))
                else:
                    assert not (st[i, b, :] == 2).any()
assert listed == recorded, (sorted(listed), sorted(recorded))
assert int(m.group(1)) == len(recorded), (m.group(1), len(recorded))
assert len(recorded) > 0 and len(recorded) < int(m.group(2)), len(recorded)
PY
check "check's skipped cells = the run's skipped cells" $?
# [oracle] explicands = N passes the number of inputs to the process oracle; every input is
# used (one process per explicand, each told its number through {e}).
cat >"$tmp/p.toml" <<TOML
[experiment]
name = "process_count"
output = "$tmp/p.h5"
test_masks = 20
[oracle]
kind = "process"
command = "python3 experiments/example_oracle.py # input {e}"
n = 6
explicands = 3
[budget]
samples = [64]
[[method]]
name = "exact"
TOML
"$BIN" "$tmp/p.toml" --quiet >/dev/null 2>"$tmp/err"
st=$?
check "process explicands = 3 runs ($(head -c 300 "$tmp/err"))" $st
"$PY" -c "import h5py,sys; f=h5py.File(sys.argv[1],'r'); assert sorted(f['explicands'].keys())==['0','1','2'], list(f['explicands'].keys()); assert (f['results/exact/status'][()]==1).all()" "$tmp/p.h5"
check "three explicands, every cell ok" $?
sed -i 's/^kind = "process"/kind = "synthetic"\nterms = 2/; /^command/d' "$tmp/p.toml"
"$BIN" check "$tmp/p.toml" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "oracle.explicands: an integer is the number of inputs" "$tmp/err"
st=$?
check "an integer explicands for synthetic is refused ($(head -c 200 "$tmp/err"))" $st

finish
