#!/usr/bin/env bash
# tests/cli/proxyshap.sh: ProxySHAP through the grid and through explain.
#  - configs/proxyshap_quick.toml runs (exit 0), every proxyshap cell is ok with the budget's
#    queries, and at the full budget 2^10 the two MSR-corrected variants (the paper's proxy and
#    the fast search) give the same result (both exact there);
#  - explain --index X reaches proxyshap's `index` option: at the full budget the SII, BII and
#    STII it prints equal the exact method's index (1e-8) -- without the pass-through proxyshap
#    would compute SII and explain would convert it again, which fails the BII and STII checks;
#  - the option table: `--help proxyshap` and `--help proxyspex` list the keys with defaults,
#    a bad value is refused naming the key (exit 2).
. "$(dirname "$0")/../lib/harness.sh"
need_python h5py numpy

# 1. the grid
"$BIN" configs/proxyshap_quick.toml --quiet --set "experiment.output=\"$tmp/q.h5\"" \
  >"$tmp/out" 2>"$tmp/err"
check "proxyshap_quick runs" $? "$tmp/err"
if "$PY" -c "import h5py" 2>/dev/null; then
  "$PY" - "$tmp/q.h5" >"$tmp/pyerr" 2>&1 <<'PY'
import sys
import h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
labels = sorted(f["results"].keys())
assert labels == ["proxyshap_bii_none", "proxyshap_fast", "proxyshap_sii", "proxyspex"], labels
for lab in labels:
    g = f["results"][lab]
    st = g["status"][()]
    assert st.shape[1] == 3, st.shape  # three budgets
    assert (st == st.flat[0]).all(), (lab, st)  # all the same status
    q = g["queries"][()]
    assert (q[:, :, 0] == np.array([64, 256, 1024])[None, :]).all(), (lab, q)
    assert np.isfinite(g["r2"][()]).all(), lab
a = f["results"]["proxyshap_sii"]["r2"][()][:, 2, 0]
b = f["results"]["proxyshap_fast"]["r2"][()][:, 2, 0]
assert np.allclose(a, b, rtol=1e-8, atol=1e-8), (a, b)  # both exact at 2^10
PY
  check "proxyshap_quick cells" $? "$tmp/pyerr"
else
  echo "SKIP: python3-h5py missing (scripts/setup installs it)"
fi

# 2. explain --index reaches proxyshap
for idx in sii bii stii; do
  "$BIN" explain --oracle soum --n 8 --terms 30 --method proxyshap --budget 256 --index $idx \
    --order 2 --json "$tmp/p_$idx.json" >/dev/null 2>"$tmp/err"
  check "explain proxyshap --index $idx" $? "$tmp/err"
  "$BIN" explain --oracle soum --n 8 --terms 30 --method exact --index $idx --order 2 \
    --json "$tmp/e_$idx.json" >/dev/null 2>"$tmp/err"
  check "explain exact --index $idx" $? "$tmp/err"
  "$PY" - "$tmp/p_$idx.json" "$tmp/e_$idx.json" $idx >"$tmp/pyerr" 2>&1 <<'PY'
import json, sys
p, e, idx = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
assert p["index"] == idx and p["method"] == "proxyshap", (p["index"], p["method"])
pv = {tuple(i["features"]): i["value"] for i in p["interactions"]}
ev = {tuple(i["features"]): i["value"] for i in e["interactions"]}
keys = set(pv) | set(ev)
worst = max(abs(pv.get(k, 0.0) - ev.get(k, 0.0)) for k in keys)
scale = max(abs(v) for v in ev.values())
assert worst <= 1e-8 * max(1.0, scale), (idx, worst)
PY
  check "proxyshap $idx at the full budget = exact $idx" $? "$tmp/pyerr"
done

# 3. option tables
"$BIN" --help proxyshap >"$tmp/h" 2>&1
check "--help proxyshap" $?
grep -qE '^ +trees +integer.* 100 ' "$tmp/h" && grep -qE '^ +index +.* sii ' "$tmp/h"
check "--help proxyshap lists trees (default 100) and index (default sii)" $? "$tmp/h"
"$BIN" --help proxyspex >"$tmp/h" 2>&1
grep -qE '^ +search_rows +integer' "$tmp/h" && grep -qE '^ +fast_eta +number.* 0\.1 ' "$tmp/h"
check "--help proxyspex lists search_rows and fast_eta (default 0.1)" $? "$tmp/h"
"$BIN" explain --oracle soum --n 6 --method proxyshap --budget 64 --trees 0 >"$tmp/out" 2>"$tmp/err"
st=$?
[ "$st" = 2 ] && grep -q "trees" "$tmp/err"
check "proxyshap trees = 0 refused naming the key (exit $st)" $? "$tmp/err"
"$BIN" explain --oracle soum --n 6 --method proxyspex --budget 64 --fast_eta 2 >"$tmp/out" 2>"$tmp/err"
st=$?
[ "$st" = 2 ] && grep -q "fast_eta" "$tmp/err"
check "proxyspex fast_eta = 2 refused naming the key (exit $st)" $? "$tmp/err"

finish
