#!/usr/bin/env bash
# tests/cli/bench_estimators.sh: experiments/bench/bench_estimators on the California game
# (configs/estimators_california.toml, 3 budgets 9, 48, 256): a CSV row per method and budget,
# the exact estimators' MSE ~ 0 at budget 2^8 = 256, permutation's > 0, ProxySPEX capped,
# plot_index_accuracy.py's figure/CSV/tables, and usage errors.
. "$(dirname "$0")/../lib/harness.sh"
BENCH=$(dirname "$BIN")/bench_estimators
[ -f "$SRC/../shared/data/shapiq_california/imputer_Moebius_order8.json" ] ||
  skip "../shared/data/shapiq_california is absent"
"$BENCH" configs/estimators_california.toml --points 3 --cap proxyspex=48 --out "$tmp/c.csv" 2>"$tmp/err"
check "bench_estimators runs (exit 0)" $?
rows=$(awk -F, 'NR > 1' "$tmp/c.csv" | wc -l)
[ "$rows" = 24 ]; check "24 rows (8 methods x 3 budgets), got $rows" $?
for m in kernelshap_iq shap_iq svarm_iq proxyshap_msr; do
  awk -F, -v m=$m '$4 == m && $7 == 256 && $10 == "ok" && $11 < 1e-20 {f = 1} END {exit !f}' "$tmp/c.csv"
  check "$m exact at budget 256 (MSE < 1e-20)" $?
done
awk -F, '$4 == "permutation" && $7 == 256 && $10 == "ok" && $11 > 1e-8 {f = 1} END {exit !f}' "$tmp/c.csv"
check "permutation is not exact at 256" $?
awk -F, '$4 == "proxyspex" && $7 == 256 && $10 == "skipped" && /above --cap proxyspex=48/ {f = 1} END {exit !f}' "$tmp/c.csv"
check "proxyspex skipped above its cap" $?
awk -F, '$4 == "permutation" && $7 == 9 && $10 == "skipped" && /one permutation/ {f = 1} END {exit !f}' "$tmp/c.csv"
check "permutation skipped below one permutation's budget" $?
if has_python matplotlib; then
  "$PY" analysis/plot_index_accuracy.py "$tmp/c.csv" -o "$tmp/fig" >"$tmp/tables.md" 2>/dev/null
  check "plot_index_accuracy.py runs" $?
  [ -s "$tmp/fig/estimators_california_mse.png" ] && [ -s "$tmp/fig/index_accuracy.csv" ]
  check "figure and CSV written" $?
  grep -q "proxyspex / ProxySHAP" "$tmp/tables.md"; check "ratio table printed" $?
fi
"$BENCH" configs/estimators_california.toml --bogus 1 >/dev/null 2>&1
[ $? = 2 ]; check "unknown option: exit 2" $?
"$BENCH" configs/estimators_california.toml --index magic >/dev/null 2>&1
[ $? = 2 ]; check "unknown index: exit 2" $?
"$BENCH" /nonexistent.toml 2>"$tmp/err" >/dev/null
[ $? = 1 ] && grep -q "nonexistent" "$tmp/err"; check "missing config: exit 1 naming the file" $?
finish
