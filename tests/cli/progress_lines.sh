#!/usr/bin/env bash
# tests/cli/progress_lines.sh: every console line of a grid run says what its budget number is
# (issue #15, names), in the words of the summary: with spx_b budgets the progress lines read
# "budget b=B (Q queries)", Q the cell's query count as stored in /explicands/<i>/budget (it
# depends on n: a scaling run over two n), and the summary "budget b=B:"; with samples budgets
# both read "budget N samples", and so does the summary's list of failed cells (a model
# answering +-1e308 makes lime's cells fail). No line may print a bare "budget N".
. "$(dirname "$0")/../lib/harness.sh"
need_python h5py numpy
cd "$tmp" || exit 1

cat >b.toml <<EOF2
[experiment]
name = "progress_b"
kind = "scaling"
seed = 3
output = "b.h5"
test_masks = 50
repeats = 2
[oracle]
kind = "synthetic"
terms = 6
explicands = { count = 2 }
[scaling]
n = [8, 16]
[budget]
spx_b = [4, 5]
[[method]]
name = "lime"
[[method]]
name = "banzhaf"
EOF2
"$BIN" b.toml >b.out 2>b.err
check "spx_b run exits 0" $? b.err

# The (b, queries) pair of every progress line against the file: each instance gives
# methods x repeats cells per budget point.
"$PY" - b.err b.h5 >b.py 2>&1 <<'PY'
import re, sys, h5py
lines = [l for l in open(sys.argv[1]) if " ETA " in l]
pat = re.compile(r"\| (\S+) budget b=(\d+) \((\d+) queries\) explicand (\d+) repeat (\d+): (ok|skipped|failed)")
got = []
for l in lines:
    m = pat.search(l)
    if not m:
        sys.exit("progress line not in the form 'budget b=B (Q queries)': %r" % l)
    got.append((int(m.group(2)), int(m.group(3))))
f = h5py.File(sys.argv[2], "r")
want = []
for name in f["explicands"]:
    q = f["explicands/%s/budget" % name][()]
    for b, p in enumerate([4, 5]):
        want += [(p, int(q[b]))] * (2 * 2)  # 2 methods x 2 repeats
if sorted(got) != sorted(want):
    sys.exit("progress (b, queries) %s\n != file %s" % (sorted(got), sorted(want)))
if len(set(q for _, q in got)) < 3:
    sys.exit("expected query counts that differ with n: %s" % sorted(set(got)))
print("%d progress lines match the file" % len(got))
PY
check "spx_b progress lines: budget b=B (Q queries), Q from the file" $? b.py
grep -q "^budget b=4: " b.out && grep -q "^budget b=5: " b.out
check "spx_b summary blocks read 'budget b=B:'" $? b.out

cat >s.toml <<EOF2
[experiment]
name = "progress_s"
seed = 1
output = "s.h5"
test_masks = 30
[oracle]
kind = "process"
command = "sh $SRC/tests/data/huge_model.sh"
n = 6
[budget]
samples = [64, 80]
[[method]]
name = "lime"
EOF2
"$BIN" s.toml >s.out 2>s.err
st=$?
[ $st = 1 ]
check "samples run with failing cells exits 1 (got $st)" $? s.err
n=$(grep -c "| lime budget [0-9]* samples explicand 0 repeat 0: failed" s.err)
check_eq "samples progress lines read 'budget N samples'" 2 "$n"
grep -A3 "^failed cells" s.out >fail.txt
grep -q "^  lime budget 64 samples explicand 0 repeat 0: " fail.txt &&
  grep -q "^  lime budget 80 samples explicand 0 repeat 0: " fail.txt
check "failed-cell lines read 'budget N samples'" $? fail.txt
cat b.err b.out s.err s.out >all.txt
! grep -E "budget [0-9]+ (explicand|repeat)" all.txt >bare.txt
check "no line prints a bare 'budget N'" $? bare.txt
finish
