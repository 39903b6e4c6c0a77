#!/usr/bin/env bash
# tests/cli/index_accuracy.sh: the index-accuracy scorer in a grid run ([scoring]
# index_accuracy = true; #16 item 3), checked from the HDF5 file with h5py:
#   - every method has the 30 datasets index_<metric>_<sii|bii><1..3>, shape [I, B, R], with
#     units and description (from the scorer's table);
#   - exact at 2^n queries scores MSE 0 and Precision@5/10 1 on every index and order (0.8
#     at order 1: n = 8 singletons of 10);
#   - an SII-2 estimator (shap_iq) fills only its own five columns, the others stay NaN;
#   - for proxyspex and lime cells the stored MSE, relative MSE and Precision@10 of SII and
#     BII of orders 1..3 equal a brute-force recomputation in Python: both value functions
#     (the method's stored transform and exact's) evaluated on all 2^n masks, the indices from
#     their definitions, the metrics from theirs;
#   - the end-of-run summary has the scorer's columns; a file without [scoring] has none.
. "$(dirname "$0")/../lib/harness.sh"
need_python h5py numpy
cat >"$tmp/ia.toml" <<TOML
[experiment]
seed = 3
output = "$tmp/ia.h5"
test_masks = 200

[oracle]
kind = "soum"
n = 8
terms = 30
explicands = { first = 0, count = 2 }

[budget]
samples = [40, 120, 256]

[scoring]
index_accuracy = true

[[method]]
name = "exact"

[[method]]
name = "shap_iq"
index = "sii"
order = 2

[[method]]
name = "proxyspex"

[[method]]
name = "lime"
TOML
"$BIN" "$tmp/ia.toml" --quiet >"$tmp/run.out" 2>"$tmp/run.err"
st=$?
check "grid run with index_accuracy (exit $st: $(tail -3 "$tmp/run.err"))" $st
grep -q "SII-2 rel MSE" "$tmp/run.out"
check "the summary shows the scorer's columns" $?

"$PY" - "$tmp/ia.h5" <<'PY'
import sys, itertools, math
import numpy as np, h5py
f = h5py.File(sys.argv[1], "r")
n = 8
N = 1 << n
mets = ["mse", "rel_mse", "precision5", "precision10", "tau10"]
cols = [f"index_{m}_{x}{k}" for x in ("sii", "bii") for k in (1, 2, 3) for m in mets]
bad = []
def check(ok, what):
    if not ok:
        bad.append(what)
R = f["results"]
for label in R:
    for c in cols:
        check(c in R[label] and R[label][c].shape == (2, 3, 1), f"{label}/{c} shape")
        d = R[label][c].attrs.get("description", "") if c in R[label] else ""
        d = d.decode() if isinstance(d, bytes) else d
        check(d != "" and not d.startswith("not described") and "units" in R[label][c].attrs,
              f"{label}/{c} has units and its description from the scorer table ({d!r})")

def values(label, i, b):
    """the stored transform's value function on all 2^n masks (bit j of S = feature j kept)"""
    g = f["results"][label]["transform"][str(i)][str(b)]["0"]
    off, ind, co = g["offsets"][()], g["indices"][()], g["coefficients"][()]
    basis = g.attrs["basis"]
    basis = basis.decode() if isinstance(basis, bytes) else basis
    v = np.zeros(N)
    for t in range(len(co)):
        T = 0
        for j in ind[off[t]:off[t + 1]]:
            T |= 1 << int(j)
        for S in range(N):
            if basis == "moebius":
                if S & T == T:
                    v[S] += co[t]
            else:  # fourier: (-1)^{|T ∩ kept|}
                v[S] += co[t] * (-1) ** bin(S & T).count("1")
    return v

def index(v, bii, k):
    out = {}
    for s in range(1, k + 1):
        for Sset in itertools.combinations(range(n), s):
            S = sum(1 << j for j in Sset)
            tot = 0.0
            for T in range(N):
                if T & S:
                    continue
                t = bin(T).count("1")
                d = 0.0
                L = S
                while True:
                    d += (-1) ** (s - bin(L).count("1")) * v[T | L]
                    if L == 0:
                        break
                    L = (L - 1) & S
                w = 2.0 ** -(n - s) if bii else math.factorial(n - t - s) * math.factorial(t) / math.factorial(n - s + 1)
                tot += w * d
            out[Sset] = tot
    return out

def top(d, k):
    # nonzero entries; values here come from sums over 2^n masks, so an exact 0 of the
    # scorer's conversion is a rounding residue here: below 1e-9 of the largest counts as 0
    big = max([abs(v) for v in d.values()] + [0.0])
    items = [(key, val) for key, val in d.items() if abs(val) > 1e-9 * big]
    items.sort(key=lambda kv: (-abs(kv[1]), len(kv[0]), kv[0]))
    return [key for key, _ in items[:k]]

ex = R["exact"]
for x in ("sii", "bii"):
    for k in (1, 2, 3):
        mse = ex[f"index_mse_{x}{k}"][:, 2, 0]
        p5 = ex[f"index_precision5_{x}{k}"][:, 2, 0]
        p10 = ex[f"index_precision10_{x}{k}"][:, 2, 0]
        count = sum(math.comb(n, s) for s in range(1, k + 1))  # p@10 = |common| / 10
        check(np.all(mse < 1e-20) and np.all(p5 == 1) and np.all(p10 == min(count, 10) / 10),
              f"exact at 2^n: {x}{k} mse {mse} p5 {p5} p10 {p10}")
sq = R["shap_iq"]
st = sq["status"][()]
for c in cols:
    v = sq[c][()][st == 1]
    if c.endswith("_sii2"):
        check(np.all(np.isfinite(v[:, ]) | np.isnan(v)) and np.isfinite(sq["index_mse_sii2"][()][st == 1]).all(),
              f"shap_iq {c} finite")
    else:
        check(np.all(np.isnan(v)), f"shap_iq {c} NaN ({v})")
checked = 0
for label in ("proxyspex", "lime"):
    st = R[label]["status"][()]
    for i in range(2):
        for b in (0, 2):
            if st[i, b, 0] != 1:
                continue
            tv = values("exact", i, 2)
            ev = values(label, i, b)
            for bii, x in ((0, "sii"), (1, "bii")):
                for k in (1, 2, 3):
                    tr = index(tv, bii, k)
                    es = index(ev, bii, k)
                    sse = sum((es[S] - tr[S]) ** 2 for S in tr)
                    want = {"mse": sse / len(tr), "rel_mse": sse / sum(t * t for t in tr.values()),
                            "precision10": len(set(top(es, 10)) & set(top(tr, 10))) / 10}
                    for m, w in want.items():
                        got = R[label][f"index_{m}_{x}{k}"][i, b, 0]
                        tol = 1e-6 * (1 + abs(w)) if m != "precision10" else 0
                        check(abs(got - w) <= tol, f"{label} [{i},{b}] {m}_{x}{k}: file {got} brute force {w}")
                        checked += 1
check(checked >= 36, f"brute-force comparisons made: {checked}")
for b in bad[:20]:
    print("FAIL:", b)
print(f"h5py checks: {len(bad)} failed, {checked} brute-force comparisons")
sys.exit(1 if bad else 0)
PY
check "h5py checks of the index-accuracy datasets" $?

# without [scoring] the file has no index datasets
sed -e '/^\[scoring\]/,/^index_accuracy/d' -e "s|ia.h5|plain.h5|" "$tmp/ia.toml" >"$tmp/plain.toml"
"$BIN" "$tmp/plain.toml" --quiet >/dev/null 2>&1
st=$?
check "run without [scoring] (exit $st)" $st
"$PY" -c 'import h5py,sys; f=h5py.File(sys.argv[1]); sys.exit(any(k.startswith("index_") for k in f["results/exact"]))' "$tmp/plain.h5"
check "no index_* dataset without [scoring]" $?

finish
