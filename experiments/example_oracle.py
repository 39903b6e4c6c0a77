#!/usr/bin/env python3
"""example_oracle.py: a small external model for spex-bench's `process` oracle.

Protocol (docs/oracles.md): spex-bench writes one line holding n, then for each batch a line
holding the count followed by that many lines of n characters '0'/'1' (character i is
feature i, '1' = kept). We answer one line per mask holding a decimal number, and flush after
every batch. spex-bench closes our stdin when it is done; we then exit with status 0.

Usage:   spex-bench explain --oracle process --command "python3 experiments/example_oracle.py" --n 8 ...
Options: --delay SECONDS   sleep this long before answering each batch (to try time-outs)

The model only looks at features 0..5 (n must be at least 6; other features have no effect):

    f(m) = 0.25 + 1.0*x0 - 0.5*x1 + 2.0*x2*x3 - 1.5*x1*x4*x5        (x_i = 1 if kept)

Exact Moebius coefficients, f(m) = sum over S subset of kept(m) of a(S):
    a({})      =  0.25
    a({0})     =  1.0
    a({1})     = -0.5
    a({2,3})   =  2.0
    a({1,4,5}) = -1.5
    (every other a(S) is 0)

Exact Fourier coefficients, f(m) = sum over K of F(K) * (-1)^{|K intersect kept(m)|}
(from x_i = (1 - (-1)^{x_i}) / 2):
    F({})      =  0.8125
    F({0})     = -0.5
    F({1})     =  0.4375
    F({2})     = -0.5       F({3})   = -0.5       F({2,3}) = 0.5
    F({4})     =  0.1875    F({5})   =  0.1875
    F({1,4})   = -0.1875    F({1,5}) = -0.1875    F({4,5}) = -0.1875
    F({1,4,5}) =  0.1875
    (every other F(K) is 0)

Only the Python 3 standard library is used.
"""

import argparse
import sys
import time

MOEBIUS = {
    (): 0.25,
    (0,): 1.0,
    (1,): -0.5,
    (2, 3): 2.0,
    (1, 4, 5): -1.5,
}


def value(mask):
    """f(mask) for a string of '0'/'1' characters."""
    return sum(a for s, a in MOEBIUS.items() if all(mask[i] == "1" for i in s))


def fail(message):
    sys.stderr.write("example_oracle.py: %s\n" % message)
    sys.exit(2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--delay", type=float, default=0.0,
                        help="seconds to sleep before answering each batch")
    args = parser.parse_args()

    stdin = sys.stdin
    header = stdin.readline()
    if not header:
        return 0
    n = int(header)
    if n < 6:
        fail("this model needs n >= 6 features, got %d" % n)
    out = sys.stdout
    while True:
        line = stdin.readline()
        if not line:          # spex-bench closed our stdin: we are done
            return 0
        count = int(line)
        answers = []
        for _ in range(count):
            mask = stdin.readline().rstrip("\n")
            if len(mask) != n or mask.strip("01"):
                fail("malformed mask line %r" % mask[:80])
            answers.append(repr(value(mask)))
        if args.delay > 0:
            time.sleep(args.delay)
        out.write("\n".join(answers) + "\n" if answers else "")
        out.flush()


if __name__ == "__main__":
    sys.exit(main())
