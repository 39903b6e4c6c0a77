#!/usr/bin/env bash
# tests/cli/explain_grid.sh: `explain` runs the grid's own cell runner with the grid's random
# streams (#12 item 6): for every ok cell of a small faithfulness run (explicands 2 and 3, so
# the explicand number differs from the instance number; two repeats; sampling methods whose
# R^2 is below 1 and depends on the draws), `explain` with the configuration's seed,
# explicand, method, budget (the cell's query count from /explicands/<i>/budget) and
# test_masks prints and writes the very R^2 stored in the file (compared as exact doubles)
# for repeat 0, the repeat explain reproduces. A different seed gives another R^2 (the check
# can fail).
. "$(dirname "$0")/../lib/harness.sh"
need_python h5py numpy
cat >"$tmp/grid.toml" <<TOML
[experiment]
name = "explain_grid"
seed = 7
output = "$tmp/grid.h5"
test_masks = 300
repeats = 2

[oracle]
kind = "synthetic"
n = 12
terms = 20
max_degree = 3
explicands = { first = 2, count = 2 }

[budget]
samples = [150, 400]

[[method]]
name = "lime"

[[method]]
name = "faith_banzhaf"
order = 2

[[method]]
name = "proxyspex"
TOML
"$BIN" "$tmp/grid.toml" --quiet >"$tmp/run.log" 2>&1
st=$?
check "grid run (exit $st: $(tail -3 "$tmp/run.log"))" $st

# (label, extra explain flags, instance, budget index) of every cell, from the file
"$PY" - "$tmp/grid.h5" >"$tmp/cells" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
extra = {"lime": "", "faith_banzhaf": "--order 2", "proxyspex": ""}
for label in f["results"]:
    st = f["results"][label]["status"][()]
    for i in range(st.shape[0]):
        e = int(f["explicands"][str(i)].attrs["explicand"])
        for b in range(st.shape[1]):
            if st[i, b, 0] != 1:
                continue
            q = int(f["explicands"][str(i)]["budget"][b])
            r2 = float(f["results"][label]["r2"][i, b, 0])
            print(label, e, q, repr(r2), extra[label])
PY
st=$?
ncells=$(wc -l <"$tmp/cells")
[ $st = 0 ] && [ "$ncells" -ge 10 ]
check "read the cells of the file ($ncells ok cells, want >= 10)" $?
while read -r label e q r2 extra; do
  # shellcheck disable=SC2086
  "$BIN" explain --oracle synthetic --n 12 --terms 20 --max_degree 3 --method "$label" $extra \
    --explicand "$e" --budget "$q" --seed 7 --test-masks 300 --json "$tmp/e.json" \
    >"$tmp/e.out" 2>"$tmp/e.err"
  st=$?
  check "explain $label explicand $e budget $q (exit $st: $(head -c 300 "$tmp/e.err"))" $st
  "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); want=float(sys.argv[2]); sys.exit(0 if d["r2"] == want else 1)' \
    "$tmp/e.json" "$r2"
  check "explain $label explicand $e budget $q: R2 $(grep -o 'R^2[^:]*: [-0-9.e]*' "$tmp/e.out") == grid $r2 (JSON, exact)" $?
  printed=$(sed -n 's/^faithfulness R^2 on 300 held-out masks: //p' "$tmp/e.out")
  want=$("$PY" -c 'import sys; print("%.6f" % float(sys.argv[1]))' "$r2")
  [ "$printed" = "$want" ]
  check "explain $label explicand $e budget $q: printed R2 '$printed' == '$want'" $?
done <"$tmp/cells"

# the check can fail: another seed draws other masks and another R^2
read -r label e q r2 extra <"$tmp/cells"
# shellcheck disable=SC2086
"$BIN" explain --oracle synthetic --n 12 --terms 20 --max_degree 3 --method "$label" $extra \
  --explicand "$e" --budget "$q" --seed 8 --test-masks 300 --json "$tmp/o.json" >/dev/null 2>&1
"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["r2"] != float(sys.argv[2]) else 1)' \
  "$tmp/o.json" "$r2"
check "another seed gives another R2 than the grid's" $?

finish
