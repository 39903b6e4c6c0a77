#!/usr/bin/python3
"""plot_scaling.py: decode time and faithfulness against the number of features.

  scaling_time.png   decode time (s, method only, no oracle time) vs n, log-log, per method
  scaling_r2.png     R^2 vs n per method, at each budget point (line style)
  scaling.csv        the numbers

usage: plot_scaling.py RESULTS.h5 -o OUTDIR [--budget-index K]
"""
import argparse
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spexresults as sr  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results")
    ap.add_argument("-o", "--outdir", default="figures")
    ap.add_argument("--budget-index", type=int, default=-1)
    args = ap.parse_args(argv)
    if not os.path.exists(args.results):
        sys.exit("plot_scaling.py: %s: no such file" % args.results)
    os.makedirs(args.outdir, exist_ok=True)
    res = sr.Results(args.results)
    ns = res.instance_n()
    sizes = sorted(set(ns))
    nb = len(res.budget)
    bidx = args.budget_index if args.budget_index >= 0 else nb - 1
    rows = []
    for what, fname, ylabel, log in (("time_decode", "scaling_time.png", "decode time (s)", True),
                                     ("r2", "scaling_r2.png", "faithfulness R$^2$", False)):
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for m in res.methods:
            data = getattr(m, what)
            ys, cis = [], []
            for n in sizes:
                sel = ns == n
                mean, ci = sr.mean_ci(np.where(m.ok()[sel, bidx, :], data[sel, bidx, :], np.nan))
                ys.append(mean)
                cis.append(ci)
                rows.append([what, m.label, n, res.budget[bidx], mean, ci])
            ax.errorbar(sizes, ys, yerr=cis, marker="o", capsize=3, label=m.label)
        ax.set_xscale("log")
        if log:
            ax.set_yscale("log")
        ax.set_xlabel("number of features n")
        ax.set_ylabel(ylabel + " at budget point %s" % res.budget[bidx])
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(os.path.join(args.outdir, fname), dpi=120)
        plt.close(fig)
    with open(os.path.join(args.outdir, "scaling.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["quantity", "method", "n", "budget_point", "mean", "ci95"])
        w.writerows(rows)
    res.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
