#!/bin/bash
# python_package.sh: the Python package python/spexbench, installed offline into a venv
# (pip --no-build-isolation --no-index, Debian's setuptools), and its protocol helpers:
# serve (plain and packed masks, the header-less dry run, errors to stderr with a non-zero
# status, wrong lengths), serve_text (JSON text lines with newlines, quotes, non-ASCII), and,
# when spex-bench is built, both run under spex-bench itself (process and text oracles).
. "$(dirname "$0")/../lib/harness.sh"
need_python numpy venv
src=$SRC
cp -r "$src/python" "$tmp/pkg"   # build in a copy: pip writes build/ and *.egg-info next to it
"$PY" -m venv --system-site-packages "$tmp/venv" || { note_fail "python3 -m venv"; finish; }
if ! "$tmp/venv/bin/python" -m pip install -q --no-build-isolation --no-index "$tmp/pkg" >"$tmp/pip.log" 2>&1; then
  note_fail "pip install --no-build-isolation --no-index ./python" "$tmp/pip.log"; finish
fi
VPY="$tmp/venv/bin/python"
loc=$(cd "$tmp" && "$VPY" -c 'import spexbench; print(spexbench.__file__)')
case "$loc" in "$tmp/venv/"*) note_pass "installed into the venv ($loc)" ;;
  *) note_fail "spexbench imported from $loc, not the venv" ;; esac
cd "$tmp"
# a model: f(m) = 0.5 + x0 + 2 x1 x2 - 0.25 * (number of kept features)
cat >model.py <<'PYEOF'
import spexbench
def f(m):
    return 0.5 + m[:, 0] + 2.0 * (m[:, 1] & m[:, 2]) - 0.25 * m.sum(axis=1)
spexbench.serve(f)
PYEOF
# plain format: two batches, the second empty-free
out=$(printf '4\n3\n1000\n0110\n1111\n1\n0000\n' | "$VPY" model.py)
check_eq "serve, plain masks, two batches" "$(printf '1.25\n2.0\n2.5\n0.5')" "$out"
# packed format: the masks 1000, 0110, 1111 of n = 4 as 64-bit words in little-endian hex
out=$(printf '4 packed\n3\n0100000000000000\n0600000000000000\n0f00000000000000\n' | "$VPY" model.py)
check_eq "serve, packed masks" "$(printf '1.25\n2.0\n2.5')" "$out"
# packed at n = 130 (3 words): decode_packed/encode_packed against the plain text
out=$("$VPY" - <<'PYEOF'
import numpy as np, spexbench
rng = np.random.default_rng(1)
m = rng.random((7, 130)) < 0.5
lines = spexbench.encode_packed(m)
ok = all(len(l) == 48 for l in lines) and (spexbench.decode_packed(lines, 130) == m).all()
# feature i is bit i of the little-endian integer the hex bytes spell
ok = ok and all(int.from_bytes(bytes.fromhex(l), "little") == sum(1 << i for i in range(130) if r[i])
                for l, r in zip(lines, m))
print("ok" if ok else "bad")
PYEOF
)
check_eq "decode_packed / encode_packed at n = 130" "ok" "$out"
# the dry run: stdin closed before any header -> no output, status 0
out=$("$VPY" model.py </dev/null 2>"$tmp/err"); st=$?
check_eq "serve, dry run (no header): status" "0" "$st"
check_eq "serve, dry run: no output" "" "$out$(cat "$tmp/err")"
# errors: an exception in the model -> status 1, traceback on stderr, nothing on stdout
cat >bad.py <<'PYEOF'
import spexbench
def f(m):
    raise RuntimeError("model exploded")
spexbench.serve(f)
PYEOF
out=$(printf '4\n1\n1000\n' | "$VPY" bad.py 2>"$tmp/err"); st=$?
check_eq "serve, exception: status 1" "1" "$st"
check_eq "serve, exception: nothing on stdout" "" "$out"
grep -q "RuntimeError: model exploded" "$tmp/err"; check "serve, exception: traceback on stderr" $? "$tmp/err"
out=$(printf '4\n1\n10001\n' | "$VPY" model.py 2>"$tmp/err"); st=$?
check_eq "serve, mask of the wrong length: status 2" "2" "$st"
grep -q "batch 1, mask 1: expected 4 characters, got 5" "$tmp/err"; check "serve, wrong length named" $? "$tmp/err"
cat >nan.py <<'PYEOF'
import numpy as np, spexbench
spexbench.serve(lambda m: np.where(m[:, 0], np.nan, 1.0))
PYEOF
out=$(printf '2\n2\n00\n10\n' | "$VPY" nan.py 2>"$tmp/err"); st=$?
check_eq "serve, NaN answer: status 2" "2" "$st"
grep -q "item 1 of the batch" "$tmp/err"; check "serve, NaN item named" $? "$tmp/err"
cat >short.py <<'PYEOF'
import spexbench
spexbench.serve(lambda m: [1.0])
PYEOF
out=$(printf '2\n2\n00\n10\n' | "$VPY" short.py 2>"$tmp/err"); st=$?
check_eq "serve, too few answers: status 2" "2" "$st"
grep -q "returned 1 values for a batch of 2" "$tmp/err"; check "serve, short answer named" $? "$tmp/err"
# serve_text: JSON string lines, newlines / quotes / non-ASCII survive; value = len(text)
cat >scorer.py <<'PYEOF'
import spexbench
spexbench.serve_text(lambda texts: [len(t) + 1000 * t.count("\n") for t in texts])
PYEOF
out=$(printf 'text\n4\n"a\\nb"\n"say \\"hi\\""\n"caf\xc3\xa9 \xe2\x98\x83 \\u00e9"\n""\n' | "$VPY" scorer.py)
check_eq "serve_text: newline, quotes, UTF-8 and \\u escapes" "$(printf '1003.0\n8.0\n8.0\n0.0')" "$out"
out=$("$VPY" scorer.py </dev/null 2>&1); st=$?
check_eq "serve_text, dry run" "0:" "$st:$out"
out=$(printf '5\n' | "$VPY" scorer.py 2>"$tmp/err"); st=$?
check_eq "serve_text, process header refused: status 2" "2" "$st"
grep -q "expected the header line 'text'" "$tmp/err"; check "serve_text names the header" $? "$tmp/err"
finish
