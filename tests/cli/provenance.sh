#!/usr/bin/env bash
# tests/cli/provenance.sh: the self-describing result file (issue #12 item 7,
# docs/results-format.md "Provenance"), read back with h5py:
#   - units and description on every dataset, none with the "not described" placeholder;
#   - /meta/runs/0: command line, ranks, start/end time, exit state, versions (spex-bench, HDF5,
#     MPI, GSL, XGBoost, the node package as installed), the resolved options of the oracle
#     and every method (given values and declared defaults), the SHA-256 of the reviews file
#     the config names (against hashlib) and of the built-in default files a config that names
#     none reads (the reviews CSV, the VADER script and package, the tabular oracle's data:
#     against sha256sum);
#   - --resume appends /meta/runs/1 and leaves /meta/runs/0 and /meta start_time unchanged; a
#     killed run leaves its entry "running" and the resume after it appends another;
#   - the two 3-line pandas recipes of docs/results-format.md, run as written, give the
#     long-format table of cells equal to the datasets;
#   - scripts/compare-results ignores exactly the added metadata and still reports a changed
#     value, a changed or added attribute and an added dataset.
. "$(dirname "$0")/../lib/harness.sh"
need_python h5py numpy pandas

# A small reviews file the configuration names: its hash must be in the file.
printf 'review,source,n,sentiment\n"A wonderful, moving film.",t,4,positive\n"Dull and far too long, a waste of time.",t,8,negative\n"Not bad at all, really.",t,5,positive\n' >"$tmp/reviews.csv"
cat >"$tmp/p.toml" <<TOML
[experiment]
name = "provenance"
kind = "faithfulness"
seed = 1
output = "$tmp/p.h5"
test_masks = 50
[oracle]
kind = "sentiment"
texts_csv = "$tmp/reviews.csv"
explicands = { count = 3 }
[budget]
samples = [64]
[[method]]
name = "lime"
[[method]]
name = "spex"
label = "spex_soft"
max_iter = 50
TOML
"$BIN" "$tmp/p.toml" --quiet >"$tmp/out" 2>"$tmp/err"; check "run" $? "$tmp/err"
"$PY" - "$tmp/p.h5" "$tmp/reviews.csv" "$SRC" "$tmp/p.toml" >"$tmp/v" 2>&1 <<'PY'
import hashlib, json, os, sys
import h5py
path, csv, src, cfg = sys.argv[1:5]
f = h5py.File(path, "r")
errs = []
n = 0
def visit(name, obj):
    global n
    if isinstance(obj, h5py.Dataset):
        n += 1
        u, d = obj.attrs.get("units"), obj.attrs.get("description")
        if u is None or d is None:
            errs.append("/%s has no units/description" % name)
        elif d.startswith("not described") or not d:
            errs.append("/%s: %r" % (name, d))
f.visititems(visit)
assert n > 20, n
if f["results/lime/time_decode"].attrs["units"] != "s": errs.append("time_decode units")
if f["results/lime/r2"].attrs["units"] != "1": errs.append("r2 units")
runs = f["meta/runs"]
if list(runs.keys()) != ["0"]: errs.append("runs %s" % list(runs.keys()))
r = runs["0"].attrs
if r["exit_state"] != "ok": errs.append("exit_state %r" % r["exit_state"])
if not (r["start_time"] <= r["end_time"] and r["end_time"].endswith("Z")): errs.append("times")
if r["ranks"] != 1: errs.append("ranks")
if cfg not in r["command_line"] or "--quiet" not in r["command_line"]:
    errs.append("command_line %r" % r["command_line"])
if f["meta"].attrs["start_time"] != r["start_time"]: errs.append("meta start_time")
v = runs["0/versions"].attrs
for k in ("spex_bench", "git_commit", "hdf5", "mpi", "gsl", "xgboost", "node vader-sentiment"):
    if not v.get(k): errs.append("version %s missing" % k)
if not v.get("mpi", "").startswith("Open MPI"): errs.append("mpi %r" % v.get("mpi"))
if h5py.version.hdf5_version.split(".")[:2] != v["hdf5"].split(".")[:2]:
    pass  # h5py may bundle another HDF5; the format is checked below
if len(v["hdf5"].split(".")) != 3: errs.append("hdf5 %r" % v["hdf5"])
pj = os.path.join(src, "oracles/node/node_modules/vader-sentiment/package.json")
if os.path.exists(pj):
    want = json.load(open(pj))["version"]
    if not v["node vader-sentiment"].startswith(want + " "):
        errs.append("node %r, installed %s" % (v["node vader-sentiment"], want))
o = runs["0/options"].attrs
if "texts_csv = \"%s\"" % csv not in o["oracle"]: errs.append("oracle options %r" % o["oracle"])
if "retries = 2" not in o["oracle"]: errs.append("oracle defaults missing: %r" % o["oracle"])
s = o["method.spex_soft"]
if "max_iter = 50" not in s or "t = 5" not in s or "decoder = \"soft\"" not in s:
    errs.append("spex options (given 50, defaults t = 5, decoder soft): %r" % s)
if "method.lime" not in o: errs.append("lime options missing")
ins = runs["0/inputs"]
found = [ins[k].attrs for k in ins if ins[k].attrs["path"] == csv]
if len(found) != 1:
    errs.append("inputs %r" % [dict(ins[k].attrs) for k in ins])
else:
    want = hashlib.sha256(open(csv, "rb").read()).hexdigest()
    if found[0]["sha256"] != want or found[0]["size_bytes"] != os.path.getsize(csv):
        errs.append("sha256 %s != %s" % (found[0]["sha256"], want))
    if found[0]["option"] != "oracle.texts_csv": errs.append("option %r" % found[0]["option"])
print("\n".join(errs) if errs else "%d datasets described" % n)
sys.exit(1 if errs else 0)
PY
check "units, descriptions, versions, options, input hash, command line" $? "$tmp/v"
cp "$tmp/p.h5" "$tmp/first.h5"

# --resume on the finished file appends an entry; nothing of the first changes.
"$BIN" "$tmp/p.toml" --quiet --resume >"$tmp/out" 2>"$tmp/err"; check "resume run" $? "$tmp/err"
"$PY" - "$tmp/first.h5" "$tmp/p.h5" >"$tmp/v" 2>&1 <<'PY'
import sys
import h5py
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
errs = []
if sorted(b["meta/runs"].keys()) != ["0", "1"]: errs.append("runs %s" % list(b["meta/runs"].keys()))
def same(name, obj):
    o = b["meta/runs/0/" + name] if name else b["meta/runs/0"]
    for k, v in obj.attrs.items():
        if o.attrs.get(k) != v: errs.append("runs/0/%s %s: %r -> %r" % (name, k, v, o.attrs.get(k)))
same("", a["meta/runs/0"])
a["meta/runs/0"].visititems(same)
if a["meta"].attrs["start_time"] != b["meta"].attrs["start_time"]: errs.append("/meta start_time rewritten")
if b["meta"].attrs["runs"] != 2: errs.append("runs counter")
r1 = b["meta/runs/1"].attrs
if r1["exit_state"] != "ok" or "--resume" not in r1["command_line"]: errs.append("runs/1 %r" % dict(r1))
print("\n".join(errs) or "ok")
sys.exit(1 if errs else 0)
PY
check "--resume appends /meta/runs/1, /meta/runs/0 and start_time unchanged" $? "$tmp/v"

# Built-in default data: a config that names no reviews file reads the source tree's
# data/reviews.csv; the run's inputs list it (origin "default", the resolved path) with the hash
# sha256sum gives, and the VADER script and package files it runs; the tabular oracle's
# scikit-learn data file (data_dir's default folder) likewise.
sed -e "s#$tmp/p.h5#$tmp/d.h5#" -e '/^texts_csv/d' -e 's/count = 3/count = 1/' "$tmp/p.toml" >"$tmp/d.toml"
cat >"$tmp/t.toml" <<TOML
[experiment]
name = "provenance_tabular"
kind = "faithfulness"
seed = 1
output = "$tmp/t.h5"
test_masks = 20
[oracle]
kind = "tabular"
features = 4
trees = 3
depth = 2
explicands = { count = 1 }
[budget]
samples = [32]
[[method]]
name = "lime"
TOML
"$BIN" "$tmp/d.toml" --quiet >"$tmp/out" 2>"$tmp/err"; check "run on the default reviews file" $? "$tmp/err"
"$BIN" "$tmp/t.toml" --quiet >"$tmp/out" 2>"$tmp/err"; check "run of the tabular oracle" $? "$tmp/err"
csv_default="$SRC/data/reviews.csv"
bc=/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv
"$PY" - "$tmp/d.h5" "$csv_default" "$(sha256sum "$csv_default" | cut -d' ' -f1)" \
  "$tmp/t.h5" "$bc" "$(sha256sum "$bc" | cut -d' ' -f1)" "$SRC" >"$tmp/v" 2>&1 <<'PY'
import os, sys
import h5py
d5, csv, csv_hash, t5, bc, bc_hash, src = sys.argv[1:8]
errs = []
def inputs(path):
    ins = h5py.File(path, "r")["meta/runs/0/inputs"]
    return [dict(ins[k].attrs) for k in ins]
def one(path, want_path, want_hash, option):
    rows = inputs(path)
    hit = [r for r in rows if r["path"] == want_path]
    if len(hit) != 1:
        errs.append("%s: %s not among the inputs %r" % (path, want_path, rows))
        return rows
    r = hit[0]
    if r.get("sha256") != want_hash: errs.append("%s sha256 %r != sha256sum %s" % (want_path, r.get("sha256"), want_hash))
    if r.get("size_bytes") != os.path.getsize(want_path): errs.append("%s size %r" % (want_path, r.get("size_bytes")))
    if r.get("option") != option or r.get("origin") != "default": errs.append("%s: %r" % (want_path, r))
    return rows
rows = one(d5, csv, csv_hash, "oracle.texts_csv")
paths = [r["path"] for r in rows]
for rel in ("oracles/node/vader_server.js", "oracles/node/node_modules/vader-sentiment/package.json"):
    if os.path.exists(os.path.join(src, rel)) and os.path.join(src, rel) not in paths:
        errs.append("%s not among the inputs %r" % (rel, paths))
if not any(p.endswith(".bundle.js") or p.endswith("vaderSentiment.js") for p in paths):
    errs.append("the package's main file is not among the inputs %r" % paths)
if os.path.exists(bc):
    one(t5, bc, bc_hash, "oracle.data_dir")
print("\n".join(errs) or "ok")
sys.exit(1 if errs else 0)
PY
check "default data files (reviews CSV, VADER files, tabular data) hashed with their resolved paths" $? "$tmp/v"

# A killed run leaves its entry "running"; the resume after it appends its own.
sed -e "s#$tmp/p.h5#$tmp/kill.h5#" -e 's/samples = \[64\]/samples = [64, 128, 256, 512, 1024]/' \
  -e 's/test_masks = 50/test_masks = 400/' "$tmp/p.toml" >"$tmp/kill.toml"
"$BIN" "$tmp/kill.toml" >"$tmp/kout" 2>"$tmp/kerr" &
pid=$!
for _ in $(seq 1 200); do grep -q '^\[1/' "$tmp/kerr" 2>/dev/null && break; sleep 0.05; done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
if grep -q '^\[30/30\]' "$tmp/kerr"; then
  echo "NOTE: the run finished before it was killed; the killed-run check is skipped"
else
  "$BIN" "$tmp/kill.toml" --quiet --resume >"$tmp/out" 2>"$tmp/err"; check "resume after kill" $? "$tmp/err"
  "$PY" - "$tmp/kill.h5" >"$tmp/v" 2>&1 <<'PY'
import sys
import h5py
f = h5py.File(sys.argv[1], "r")
r = f["meta/runs"]
ok = sorted(r.keys()) == ["0", "1"] and r["0"].attrs["exit_state"] == "running" \
    and r["0"].attrs["end_time"] == "" and r["1"].attrs["exit_state"] == "ok"
print({k: dict(r[k].attrs) for k in r})
sys.exit(0 if ok else 1)
PY
  check "killed run: entry 0 stays 'running', the resume is entry 1 'ok'" $? "$tmp/v"
fi

# The pandas recipes of docs/results-format.md, exactly as written there (path replaced).
doc="$SRC/docs/results-format.md"
for tag in recipe-h5py recipe-spexbench; do
  awk -v t="<!-- $tag -->" '$0 == t {on = 1; next} on && /^```python/ {inb = 1; next}
       inb && /^```/ {exit} inb {print}' "$doc" | sed "s#results/sentiment.h5#$tmp/first.h5#" >"$tmp/$tag.py"
  [ "$(grep -c . "$tmp/$tag.py")" -le 3 ]; check "$tag: at most 3 lines in the docs" $?
  cat >>"$tmp/$tag.py" <<PY
import h5py as _h5, numpy as _np
_f = _h5.File("$tmp/first.h5", "r")
_tab = cells
_rows = 0
for _m, _g in _f["results"].items():
    _I, _B, _R = _g["r2"].shape
    _rows += _I * _B * _R
assert len(_tab) == _rows, (len(_tab), _rows)
_col_b = "budget_index"
for _, _row in _tab.iterrows():
    _g = _f["results"][_row["method"]]
    _i, _b, _r = int(_row["instance"]), int(_row[_col_b]), int(_row["repeat"])
    _want = _g["r2"][_i, _b, _r]
    assert (_np.isnan(_want) and _np.isnan(_row["r2"])) or _want == _row["r2"], (_row, _want)
    assert int(_g["queries"][_i, _b, _r]) == int(_row["queries"])
print(len(_tab), "rows")
PY
  (cd "$tmp" && PYTHONPATH="$SRC/python" SPX_BIN="$BIN" "$PY" "$tmp/$tag.py") >"$tmp/v" 2>&1
  check "$tag: the docs recipe gives the cells table equal to the datasets" $? "$tmp/v"
done

# compare-results: the added metadata is not a difference, everything else still is.
cp "$tmp/first.h5" "$tmp/c.h5"
"$PY" - "$tmp/c.h5" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "a")
for name in list(f["meta"].keys()): del f["meta"][name]
for d in ("results/lime/r2", "results/lime/queries", "config"):
    del f[d].attrs["units"]; del f[d].attrs["description"]
PY
"$SRC/scripts/compare-results" "$tmp/c.h5" "$tmp/first.h5" >"$tmp/v" 2>&1
check "compare-results: a file without the new metadata equals one with it" $? "$tmp/v"
mutate() { # mutate NAME PYTHON: a copy of first.h5 changed by PYTHON must differ
  cp "$tmp/first.h5" "$tmp/m.h5"
  "$PY" -c "import h5py, numpy as np; f = h5py.File('$tmp/m.h5', 'a'); $2"
  "$SRC/scripts/compare-results" "$tmp/first.h5" "$tmp/m.h5" >"$tmp/v" 2>&1
  [ $? = 1 ]; check "compare-results reports $1" $? "$tmp/v"
}
mutate "a changed r2 value" "d = f['results/lime/r2']; x = d[()]; x.flat[0] = np.nextafter(x.flat[0], 2); d[...] = x"
mutate "a changed existing attribute" "f['explicands/0'].attrs['n'] = 99"
mutate "an added attribute other than units/description" "f['results/lime/r2'].attrs['note'] = 'x'"
mutate "an added dataset outside /meta" "f['results/lime'].create_dataset('extra', data=[1])"
mutate "a removed dataset" "del f['results/lime/message']"

finish
