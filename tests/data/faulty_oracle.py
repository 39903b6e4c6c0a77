#!/usr/bin/env python3
"""faulty_oracle.py: a process-oracle model that answers correctly for its first LIMIT masks
and then misbehaves (tests/integration/process_faults.sh).

Usage: faulty_oracle.py MODE LIMIT
MODE: crash (exit with status 3), hang (stop answering), garbage (answer "abc"),
      nan (answer "nan"), extra (an extra line after the batch), short (exit after half a
      batch), ok (never misbehave).
The model is f(m) = 1 + x0 - 2 x1 x2 (x_i = 1 if feature i is kept)."""
import sys
import time

mode, limit = sys.argv[1], int(sys.argv[2])
answered = 0
first = sys.stdin.readline()
if not first:  # opened and closed without a batch (the dry run)
    sys.exit(0)
n = int(first)
while True:
    line = sys.stdin.readline()
    if not line:
        sys.exit(0)
    count = int(line)
    out = []
    for _ in range(count):
        m = sys.stdin.readline().strip()
        x = [c == "1" for c in m]
        v = 1.0 + x[0] - 2.0 * (x[1] and x[2])
        if answered >= limit and mode != "ok":
            if mode == "crash":
                sys.stdout.write("".join(out)); sys.stdout.flush()
                sys.exit(3)
            if mode == "hang":
                sys.stdout.write("".join(out)); sys.stdout.flush()
                time.sleep(3600)
            if mode == "garbage":
                out.append("abc\n")
            elif mode == "nan":
                out.append("nan\n")
            elif mode == "short":
                sys.stdout.write("".join(out)); sys.stdout.flush()
                sys.exit(0)
            else:
                out.append("%r\n" % v)
        else:
            out.append("%r\n" % v)
        answered += 1
    if answered > limit and mode == "extra":
        out.append("7\n")
    sys.stdout.write("".join(out))
    sys.stdout.flush()
