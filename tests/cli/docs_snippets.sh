#!/bin/bash
# docs_snippets.sh: run the documentation's snippets exactly as printed.
#
# In docs/oracles.md, docs/your-model.md and docs/cluster.md a fenced code block preceded by
#   <!-- doctest: file NAME -->      is written to NAME in the page's working directory,
#   <!-- doctest: same-as PATH -->   must equal the repository file PATH byte for byte,
#   <!-- doctest: run -->            is run with bash (set -euo pipefail),
# in page order, all run blocks of a page in one shell (as a user typing them in order, so a
# venv activated in one block stays active). Each page gets a fresh directory holding links to
# the repository's configs, data, python, oracles, analysis and experiments; the pages share
# one HOME and run in the order given (your-model.md makes the venv ~/spexenv that
# cluster.md uses); `spex-bench` is the built binary and /usr/bin comes first on PATH
# (Debian's python3).
. "$(dirname "$0")/../lib/harness.sh"
: "${SPX_BIN:?set by CTest}"
src=$SRC
need_python numpy sklearn h5py venv
mkdir -p "$tmp/bin" "$tmp/home"
ln -s "$BIN" "$tmp/bin/spex-bench"
pages=("$@")
[ ${#pages[@]} -gt 0 ] || pages=(docs/oracles.md docs/your-model.md docs/cluster.md)
for page in "${pages[@]}"; do
  [ -f "$src/$page" ] || { note_fail "$page not found"; continue; }
  name=$(basename "$page" .md)
  wd="$tmp/$name"
  mkdir -p "$wd"
  for d in configs data python oracles analysis experiments; do ln -s "$src/$d" "$wd/$d"; done
  # the page -> one script; same-as blocks are compared here
  if ! "$PY" - "$src/$page" "$src" "$wd/script.sh" <<'PYEOF'
import re, sys
page, src, out = sys.argv[1:4]
lines = open(page, encoding="utf-8").read().split("\n")
script, i, bad, count = ["set -euo pipefail"], 0, 0, 0
while i < len(lines):
    m = re.match(r"\s*<!-- doctest: (file|same-as|run)\s*(\S*)\s*-->\s*$", lines[i])
    i += 1
    if not m:
        continue
    while i < len(lines) and not lines[i].startswith("```"):
        i += 1
    j = i + 1
    while j < len(lines) and not lines[j].startswith("```"):
        j += 1
    body = "\n".join(lines[i + 1:j]) + "\n"
    i = j + 1
    count += 1
    what, arg = m.group(1), m.group(2)
    if what == "file":
        tag = "SPX_DOC_EOF_%d" % count
        script += ["cat > %s <<'%s'" % (arg, tag), body.rstrip("\n"), tag]
    elif what == "same-as":
        have = open("%s/%s" % (src, arg), encoding="utf-8").read()
        if have != body:
            print("FAIL: %s: the block marked same-as %s differs from the file" % (page, arg))
            bad = 1
        else:
            print("PASS: %s: block %d is exactly %s" % (page.split("/")[-1], count, arg))
    else:
        script += ["echo '--- doctest block %d' >&2" % count, body]
open(out, "w").write("\n".join(script) + "\n")
print("%s: %d marked blocks" % (page.split("/")[-1], count))
sys.exit(bad)
PYEOF
  then note_fail "$page: a same-as block differs"; fi
  if (cd "$wd" && HOME="$tmp/home" PATH="$tmp/bin:/usr/bin:$PATH" bash "$wd/script.sh" >"$wd/out.txt" 2>&1); then
    note_pass "$page: snippets run as printed"
    [ -n "${SPX_DOCS_VERBOSE:-}" ] && cat "$wd/out.txt"
  else
    note_fail "$page: a snippet failed; its output:"; tail -40 "$wd/out.txt"
  fi
done
finish
