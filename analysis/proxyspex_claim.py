#!/usr/bin/python3
"""proxyspex_claim.py: the ProxySPEX paper's claim (SPEX-level faithfulness with about ten times
fewer queries) measured in result files of any oracle: ProxySPEX at each budget point b against
SPEX at every b' >= b, paired over the cells (instance, repeat) where both finished.

configs/proxyspex_claim.toml runs the two methods at b = 4, 6, 8; docs/reproduction.md shows the
tables for VADER (analysis/reproduction.py, by length band too) and the other real models.
Mean +- standard error over cells (sd / sqrt(n)), none for one cell (docs/results-format.md).

Writes OUTDIR/proxyspex_claim.csv (one row per file and pair of budgets) and
OUTDIR/proxyspex_claim.md (the same as Markdown tables, one per file), and prints the tables.

usage: proxyspex_claim.py RESULTS.h5 [...] [-o OUTDIR] [--spex LABEL] [--proxyspex LABEL]
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spexresults as sr  # noqa: E402


def pick(res, given, name, prefer):
    """The label of the compared method: given, else `prefer` if the file has it, else the
    first method registered as `name`."""
    labels = [m.label for m in res.methods]
    if given is not None:
        if given not in labels:
            sys.exit("proxyspex_claim.py: %s has no method '%s' (it has: %s)"
                     % (res.path, given, ", ".join(labels)))
        return given
    if prefer in labels:
        return prefer
    for m in res.methods:
        if m.name == name:
            return m.label
    sys.exit("proxyspex_claim.py: %s has no %s method (it has: %s); give --%s LABEL"
             % (res.path, name, ", ".join(labels), name))


def fmt(m, se):
    if not np.isfinite(m):
        return "%.3g" % m
    return "%.3f" % m + (" ± %.3f" % se if np.isfinite(se) else "")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="+", help="result files (.h5) with SPEX and ProxySPEX")
    ap.add_argument("-o", "--outdir", default="figures/proxyspex_claim")
    ap.add_argument("--spex", default=None, metavar="LABEL",
                    help="the SPEX method (default spex_soft, else the first 'spex')")
    ap.add_argument("--proxyspex", default=None, metavar="LABEL",
                    help="the ProxySPEX method (default the first 'proxyspex')")
    args = ap.parse_args(argv)
    os.makedirs(args.outdir, exist_ok=True)
    rows, md = [], []
    for path in args.results:
        if not os.path.exists(path):
            sys.exit("proxyspex_claim.py: %s: no such file" % path)
        res = sr.Results(path)
        spex = pick(res, args.spex, "spex", "spex_soft")
        prox = pick(res, args.proxyspex, "proxyspex", "proxyspex")
        if res.budget_mode != "spx_b":
            sys.exit("proxyspex_claim.py: %s: budget is %s, not spx_b (the claim compares b "
                     "with b')" % (path, res.budget_mode))
        c = res.cells()
        c = c[c.status == "ok"].copy()
        c["b"] = c.budget.astype(int)
        oracle = res.oracle_kind()
        ns = sorted({int(n) for n in c.n})
        pairs = sr.cross_budget_pairs(c[c.method == prox], c[c.method == spex],
                                      ["instance", "repeat"])
        name = os.path.basename(path)
        md += ["", "%s (oracle %s, n = %s): %s at b against %s at b' (paired over the cells "
               "where both finished)" % (name, oracle or "?", ", ".join(str(n) for n in ns)
                                         if len(ns) <= 4 else "%d-%d" % (ns[0], ns[-1]), prox,
                                         spex), "",
               "| %s b (queries) | %s b' (queries) | queries ratio | cells | %s R² | %s R² | "
               "difference |" % (prox, spex, prox, spex), "|---:|---:|---:|---:|---:|---:|---:|"]
        for r in pairs:
            ratio = r["y_queries_mean"] / r["x_queries_mean"] if r["x_queries_mean"] else np.nan
            rows.append([name, oracle, prox, r["b"], r["x_queries_mean"], spex, r["b2"],
                         r["y_queries_mean"], r["cells"]] +
                        ["" if not np.isfinite(v) else "%.6g" % v for v in
                         (r["x_mean"], r["x_se"], r["y_mean"], r["y_se"], r["diff_mean"],
                          r["diff_se"])])
            md.append("| %d (%s) | %d (%s) | %.1fx | %d | %s | %s | %s |" % (
                r["b"], "{:,}".format(r["x_queries_mean"]), r["b2"],
                "{:,}".format(r["y_queries_mean"]), ratio, r["cells"],
                fmt(r["x_mean"], r["x_se"]), fmt(r["y_mean"], r["y_se"]),
                fmt(r["diff_mean"], r["diff_se"])))
        if not pairs:
            md.append("| (no cell where both finished) | | | | | | |")
        res.close()
    sr.write_csv(os.path.join(args.outdir, "proxyspex_claim.csv"),
                 ["file", "oracle", "proxyspex", "proxyspex_b", "proxyspex_queries_mean", "spex",
                  "spex_b", "spex_queries_mean", "cells", "proxyspex_r2_mean", "proxyspex_r2_se",
                  "spex_r2_mean", "spex_r2_se", "diff_mean", "diff_se"], rows,
                 comment="ProxySPEX at b against SPEX at b' >= b, paired over the (instance, "
                         "repeat) cells where both finished; diff = ProxySPEX - SPEX; se = "
                         "standard error over cells, empty for one.")
    text = "\n".join(md).strip("\n") + "\n"
    mdpath = os.path.join(args.outdir, "proxyspex_claim.md")
    with open(mdpath, "w") as f:
        f.write(text)
    sr.wrote(mdpath)
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
