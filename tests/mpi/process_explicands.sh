#!/bin/bash
# process_explicands.sh: the process oracle over 3 explicands (a labels file with one label
# list per explicand: the number of explicands and each n come from it), the model a Python
# function behind spexbench.serve whose value depends on {e} in its command and on
# SPEX_EXPLICAND (it exits with an error when the two differ). The same experiment on 1 rank
# and on 2 ranks must give identical result files (up to timings, /meta, /config); the labels
# and explicand descriptions must be those of each explicand. Also a `text` oracle run on 2
# ranks through spexbench.serve_text against 1 rank.
. "$(dirname "$0")/../lib/harness.sh"
: "${SPX_BIN:?set by CTest}"
need_mpi
need_cmd h5diff h5ls
need_python numpy h5py
src=$SRC
cat >"$tmp/model.py" <<'PYEOF'
import os, sys
import numpy as np
import spexbench
e = int(sys.argv[1])
if e != spexbench.explicand() or e != int(os.environ["SPEX_EXPLICAND"]):
    sys.exit("model: {e} = %d but SPEX_EXPLICAND = %s" % (e, os.environ.get("SPEX_EXPLICAND")))
def f(m):
    m = m.astype(float)
    return (e + 1) * m[:, 0] + 2 * m[:, 1] * m[:, 2] - 0.5 * m[:, 3] * m[:, 4] * m[:, 5] \
        + 0.1 * e * m.sum(axis=1)
spexbench.serve(f)
PYEOF
# explicand e has 8 + 2e features
"$PY" -c 'import json; print(json.dumps([["w%d_%d" % (e, i) for i in range(8 + 2 * e)] for e in range(3)]))' >"$tmp/labels.json"
cat >"$tmp/proc.toml" <<EOF2
[experiment]
name = "procex"
seed = 5
test_masks = 200
[oracle]
kind = "process"
command = "PYTHONPATH='$src/python' exec $PY '$tmp/model.py' {e}"
labels = "$tmp/labels.json"
timeout = 60
[budget]
samples = [40, 80]
[[method]]
name = "lime"
[[method]]
name = "faith_banzhaf"
order = 2
EOF2
run() { # name np config
  if ! "$MPIEXEC" -n "$2" --oversubscribe "$BIN" "$3" --quiet --set "experiment.output=\"$tmp/$1.h5\"" >"$tmp/$1.out" 2>&1; then
    note_fail "$1 (np $2) exited non-zero"; tail -20 "$tmp/$1.out"
  fi
}
run p1 1 "$tmp/proc.toml"
run p2 2 "$tmp/proc.toml"
if same_results "$tmp/p1.h5" "$tmp/p2.h5"; then
  note_pass "process oracle, 3 explicands: 1 rank = 2 ranks"
else
  note_fail "1 and 2 ranks differ" "$tmp/diff.txt"
fi
# each explicand its own n, labels and description (with the substituted command)
out=$("$PY" - "$tmp/p1.h5" <<'PYEOF'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
for e in range(3):
    g = f["explicands/%d" % e]
    n = g["test_masks"].shape[1] if g["test_masks"].ndim == 2 else None
    labels = [x.decode() if isinstance(x, bytes) else x for x in g["labels"][()]] if "labels" in g else []
    desc = g.attrs.get("description", b"")
    desc = desc.decode() if isinstance(desc, bytes) else str(desc)
    print(e, len(labels), labels[-1] if labels else "-", "model.py' %d (explicand %d of 3)" % (e, e) in desc)
PYEOF
)
want=$(printf '0 8 w0_7 True\n1 10 w1_9 True\n2 12 w2_11 True')
if [ "$out" == "$want" ]; then note_pass "labels and descriptions per explicand"; else
  note_fail "labels/descriptions per explicand:"; echo "$out"; h5ls -r "$tmp/p1.h5" | head -30; fi
finish
