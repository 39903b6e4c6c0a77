#!/usr/bin/env bash
# tests/cli/explain.sh: `spex-bench explain` end to end: synthetic + exact, the process
# oracle with the example Python model, JSON contents checked numerically, and the usage
# errors with their exit status 2.
. "$(dirname "$0")/../lib/harness.sh"

# 1. synthetic + exact: the recovered Moebius transform equals the oracle's ground truth, and
#    R^2 on held-out masks is 1.
expect_status "synthetic exact json" 0 "$BIN" explain --oracle synthetic --n 10 --terms 6 --max_degree 3 \
  --basis moebius --seed 4 --method exact --index moebius --test-masks 300 --json "$tmp/a.json"
"$PY" - "$tmp/a.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["n"] == 10 and d["method"] == "exact" and d["queries"] == 1024, d
assert d["index"] == "moebius"
assert abs(d["r2"] - 1.0) < 1e-12, d["r2"]
inter = d["interactions"]
assert any(i["features"] == [] for i in inter), "empty set listed"
nonzero = [i for i in inter if abs(i["value"]) > 1e-9 and i["features"]]
assert 1 <= len(nonzero) <= 6, nonzero
for k in ("budget", "time_decode_s", "time_oracle_s", "order"):
    assert k in d, k
PY
check "synthetic exact json contents" $?

# 2. the readable table, with an index and its order
expect_status "table output" 0 "$BIN" explain --oracle synthetic --n 8 --terms 4 --max_degree 2 --seed 2 \
  --method exact --index fsii --order 2 --top 5
grep -q "index fsii of order 2" "$tmp/out"
check "table names the index" $?
[ "$(grep -cE '^ +[0-9]+ ' "$tmp/out")" -le 5 ]
check "--top limits the table" $?

# 3. the process oracle with the example model: exact recovery of its documented terms
expect_status "process exact" 0 "$BIN" explain --oracle process --command "$PY experiments/example_oracle.py" \
  --n 10 --method exact --index moebius --json "$tmp/p.json"
"$PY" - "$tmp/p.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["n"] == 10 and d["queries"] == 1024
vals = {tuple(i["features"]): i["value"] for i in d["interactions"]}
assert len([v for v in vals.values() if abs(v) > 1e-9]) >= 2, vals
PY
check "process exact json" $?

# 4. usage errors: exit status 2 and a message naming the problem
expect_status "no arguments" 2 "$BIN"
expect_status "unknown option" 2 "$BIN" --frobnicate
expect_status "missing config file" 2 "$BIN" no-such-config.toml
expect_status "missing --method" 2 "$BIN" explain --oracle synthetic --n 5
grep -q -- "--method" "$tmp/err"; check "names --method" $?
expect_status "unknown oracle" 2 "$BIN" explain --oracle nope --method exact
grep -q "unknown oracle kind 'nope'" "$tmp/err"; check "names the oracle" $?
expect_status "unknown method" 2 "$BIN" explain --oracle synthetic --n 5 --terms 3 --method nope --budget 10
grep -q "unknown method 'nope'" "$tmp/err"; check "names the method" $?
expect_status "bad index" 2 "$BIN" explain --oracle synthetic --n 5 --terms 3 --method exact --index shap
grep -q "unknown index 'shap'" "$tmp/err"; check "names the index" $?
expect_status "bad budget" 2 "$BIN" explain --oracle synthetic --n 5 --terms 3 --method exact --budget -3
expect_status "unknown option" 2 "$BIN" explain --oracle synthetic --n 5 --terms 3 --method exact --colour red
grep -q "colour: unknown key" "$tmp/err"; check "names the unknown key" $?
expect_status "bad option value" 2 "$BIN" explain --oracle synthetic --n five --terms 3 --method exact
grep -q -- "--n: n: expected an integer" "$tmp/err"; check "names the bad value" $?
expect_status "exact too large" 2 "$BIN" explain --oracle synthetic --n 40 --terms 3 --method exact
expect_status "budget required" 2 "$BIN" explain --oracle synthetic --n 5 --terms 3 --method spex
expect_status "help" 0 "$BIN" explain --help
grep -q "usage: spex-bench explain" "$tmp/out"; check "help text" $?
expect_status "version" 0 "$BIN" --version
expect_status "failing process is a run-time error" 1 "$BIN" explain --oracle process --command "exit 3" \
  --n 4 --method exact

# Option tables: --help TOPIC prints the declared rows; explain routes --KEY by them (tabular
# declares its keys, so --kernel_width reaches lime and --trees the oracle).
expect_status "help topic method" 0 "$BIN" --help faith_banzhaf
grep -q "penalty_grid" "$tmp/out" && grep -q "\[0.1, 1, 10\]" "$tmp/out"; check "help lists rows with defaults" $?
expect_status "help topic section" 0 "$BIN" --help experiment
grep -q "test_masks" "$tmp/out"; check "help lists the driver section" $?
expect_status "help topic oracle" 0 "$BIN" --help tabular
grep -q "trees" "$tmp/out"; check "help lists the oracle keys" $?
expect_status "help topic oracle.process" 0 "$BIN" --help oracle.process
grep -q "format" "$tmp/out" && grep -q "retry_backoff" "$tmp/out"; check "oracle.NAME lists its keys and the common ones" $?
expect_status "help topic method.kadd_shap" 0 "$BIN" --help method.kadd_shap
grep -q "pairing *boolean *false" "$tmp/out"; check "method.NAME lists its rows" $?
expect_status "help unknown topic" 2 "$BIN" --help nosuch
grep -q "unknown topic 'nosuch'" "$tmp/err"; check "unknown topic named" $?
expect_status "routing by tables" 0 "$BIN" explain --oracle tabular --features 6 --trees 20 --method lime \
  --budget 200 --kernel_width 3 --top 2
expect_status "routing: a key of neither" 2 "$BIN" explain --oracle tabular --features 6 --method lime \
  --budget 200 --colour 3
grep -q "colour: unknown key for method lime" "$tmp/err"; check "unknown key named for the method" $?

# Routing for every oracle (#15): the process oracle declares its keys, so the method's keys
# (spex --decoder, lime --penalty, proxyspex --hpo) reach the method; a key of neither is
# refused naming it.
PROC=(explain --oracle process --command "$PY experiments/example_oracle.py" --n 10 --top 2)
expect_status "process + spex --decoder" 0 "$BIN" "${PROC[@]}" --method spex --budget 3000 --decoder hard
grep -q "method spex" "$tmp/out"; check "process + spex ran" $?
expect_status "process + lime --penalty" 0 "$BIN" "${PROC[@]}" --method lime --budget 300 --penalty 0.1
expect_status "process + proxyspex --hpo" 0 "$BIN" "${PROC[@]}" --method proxyspex --budget 300 --hpo fast
expect_status "process + a bad method value" 2 "$BIN" "${PROC[@]}" --method proxyspex --budget 300 --hpo none
grep -q "method proxyspex: --hpo: hpo: 'none'" "$tmp/err"; check "bad value named by the method" $?
expect_status "process + a key of neither" 2 "$BIN" "${PROC[@]}" --method lime --budget 300 --colour 3
grep -q "colour: unknown key for method lime" "$tmp/err" && grep -q "not a key of oracle process" "$tmp/err"
check "key of neither named" $?

finish
