#!/usr/bin/env bash
# tests/cli/results_py.sh: python/spexbench/results.py and `spex-bench convert` on a real run
# of configs/quick/faithfulness.toml (exact method, Fourier and Moebius bases, n = 10):
# open() gives the long-format cell table equal to the HDF5 datasets; paired() equals a
# recomputation; interactions() in the sv, bv, moebius and sii indices equal brute force over
# all 2^10 coalitions of the stored reconstruction (1e-9), with the file's labels; the
# shapiq export has InteractionValues' fields and the same values; convert's errors name the
# problem and exit 2; an unknown method label lists the labels that exist.
. "$(dirname "$0")/../lib/harness.sh"
need_python h5py pandas
"$BIN" configs/quick/faithfulness.toml --quiet --set "experiment.output=\"$tmp/f.h5\"" \
  >/dev/null 2>"$tmp/err"
check "quick faithfulness run" $? "$tmp/err"

SPX_BIN="$BIN" PYTHONPATH=python "$PY" - "$tmp/f.h5" "$tmp/x.json" <<'PY'
import itertools, json, math, sys
import h5py, numpy as np
from spexbench import results

path, out = sys.argv[1], sys.argv[2]
f = h5py.File(path, "r")
res = results.open(path)
cells = res.cells()
labels = list(f["results"].keys())
I, B, R = f["results"][labels[0]]["r2"].shape
assert len(cells) == len(labels) * I * B * R, len(cells)
for col in ("method", "explicand", "n", "budget", "repeat", "status", "queries", "r2",
            "time_decode", "message"):
    assert col in cells.columns, col
for r in cells.sample(10, random_state=1).itertuples():
    g = f["results"][r.method]
    want = g["r2"][r.instance, r.budget_index, r.repeat]
    assert (np.isnan(want) and np.isnan(r.r2)) or want == r.r2, (r, want)
    assert r.status == results.STATUS[int(g["status"][r.instance, r.budget_index, r.repeat])]
# paired(): with both methods finished everywhere at budget 1, common = everything.
t = res.paired()
assert set(t.set) == {"common"}, t
for r in t.itertuples():
    v = f["results"][r.method]["r2"][:, r.budget_index, :].ravel()
    assert abs(r.r2_mean - v.mean()) < 1e-12 and r.n_cells == v.size
    assert abs(r.r2_se - v.std(ddof=1) / math.sqrt(v.size)) < 1e-12

def value_fn(method, inst, b):
    """v(S) of the stored reconstruction (a sum of its terms, not a conversion)."""
    basis, terms = res.method(method).transform(inst, b, 0)
    def v(S):
        tot = 0.0
        for key, c in terms.items():
            if basis == 0:
                tot += c * (-1) ** len(set(key) & S)
            elif set(key) <= S:
                tot += c
        return tot
    return v

n = int(f["explicands/0"].attrs["n"])
b = 1
players = range(n)
subsets = [frozenset(c) for k in range(n + 1) for c in itertools.combinations(players, k)]
for method in labels:
    v = value_fn(method, 0, b)
    val = {S: v(S) for S in subsets}
    sv = {i: sum(math.factorial(len(S)) * math.factorial(n - len(S) - 1) / math.factorial(n)
                 * (val[S | {i}] - val[S]) for S in subsets if i not in S) for i in players}
    bv = {i: sum(val[S | {i}] - val[S] for S in subsets if i not in S) / 2 ** (n - 1)
          for i in players}
    mob = {T: sum((-1) ** (len(T) - len(S)) * val[S] for S in subsets if S <= T)
           for T in subsets if len(T) == 2}
    sii = {T: sum(math.factorial(len(S)) * math.factorial(n - len(S) - 2) / math.factorial(n - 1)
                  * sum((-1) ** (2 - len(L)) * val[S | L] for L in
                        (frozenset(), frozenset(T) - {max(T)}, frozenset(T) - {min(T)}, T))
                  for S in subsets if not (S & T)) for T in subsets if len(T) == 2}
    for index, want, order in (("sv", sv, 1), ("bv", bv, 1), ("moebius", mob, 2),
                               ("sii", sii, 2)):
        df = res.interactions(method, explicand=0, budget=res.budget[b], index=index,
                              order=order)
        got = {frozenset(k): val_ for k, val_ in zip(df.features, df.value)}
        for key, w in want.items():
            k = key if not isinstance(key, int) else frozenset([key])
            assert abs(got.get(k, 0.0) - w) < 1e-9, (method, index, sorted(k), got.get(k), w)
        assert df.attrs["index"] == index
        names = [x.decode() if isinstance(x, bytes) else x for x in f["explicands/0/labels"][()]]
        for feats, lab in zip(df.features, df.labels):
            assert lab == (" + ".join(names[i] for i in feats) if feats else "(empty set)")
# shapiq export
doc = res.export_shapiq("exact", 0, res.budget[b], out, index="fsii", order=2)
disk = json.load(open(out))
assert disk == doc
meta = disk["metadata"]
for key in ("index", "max_order", "min_order", "n_players", "baseline_value", "estimated",
            "estimation_budget"):
    assert key in meta, key
assert meta["index"] == "FSII" and meta["n_players"] == n and meta["max_order"] == 2
df = res.interactions("exact", 0, res.budget[b], index="fsii", order=2)
assert len(disk["data"]) == len(df)
for feats, value in zip(df.features, df.value):
    key = ",".join(map(str, feats)) if feats else "Empty"
    assert disk["data"][key] == value, key
assert disk["data"]["Empty"] == meta["baseline_value"]
try:
    res.method("nosuch")
    raise SystemExit("no error for an unknown method")
except results.UnknownMethod as e:
    assert "the labels are: exact, exact_moebius" in str(e), str(e)
print("ok")
PY
check "results.py: cells, paired, interactions (sv, bv, moebius, sii vs brute force), shapiq export" $?

echo '{"n": 3}' | "$BIN" convert --index sv >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q 'expected an object with "n"' "$tmp/err"; check "convert: malformed input is exit 2 with the reason" $?
echo 'not json' | "$BIN" convert --index sv >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "not valid JSON" "$tmp/err"; check "convert: invalid JSON" $?
echo '{"n":3,"basis":"fourier","interactions":[]}' | "$BIN" convert --index nope >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "unknown index 'nope'" "$tmp/err"; check "convert: unknown index" $?
echo '{"n":3,"basis":"moebius","interactions":[{"features":[0,5],"value":1}]}' |
  "$BIN" convert --index sii >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "feature 5 is not an integer in 0..2" "$tmp/err"; check "convert: feature out of range" $?
out=$(echo '{"n":3,"basis":"moebius","interactions":[{"features":[],"value":1},{"features":[0,1],"value":2}]}' |
  "$BIN" convert --index sv)
[ "$out" = '{"n":3,"basis":"moebius","index":"sv","order":1,"interactions":[{"features":[],"value":1},{"features":[0],"value":1},{"features":[1],"value":1}]}' ]
check "convert: Shapley values of a Moebius pair split it equally ($out)" $?

finish
