#!/usr/bin/env python3
"""echo_scorer.py: a scorer for tests of the text oracle (standard library only).

Speaks the scorer protocol (docs/oracles.md): header line "text", then batches of a count
line and that many JSON string lines. Appends every text it receives to LOG as one JSON
line (ensure_ascii, so the log is plain ASCII) and answers
    number of code points + 1000 * (number of newlines) + 100000 * $SPEX_EXPLICAND + 1e6 * TAG
Usage: echo_scorer.py LOG [TAG]
"""
import json
import os
import sys

log = open(sys.argv[1], "a", encoding="ascii")
tag = int(sys.argv[2]) if len(sys.argv) > 2 else 0
e = int(os.environ.get("SPEX_EXPLICAND", "0"))
header = sys.stdin.buffer.readline()
if not header:
    sys.exit(0)
if header != b"text\n":
    sys.stderr.write("echo_scorer: bad header %r\n" % header)
    sys.exit(2)
for line in sys.stdin.buffer:
    out = []
    for _ in range(int(line)):
        t = json.loads(sys.stdin.buffer.readline().decode("utf-8"))
        log.write(json.dumps(t) + "\n")
        out.append(len(t) + 1000 * t.count("\n") + 100000 * e + 1000000 * tag)
    log.flush()
    sys.stdout.write("".join("%d\n" % v for v in out))
    sys.stdout.flush()
