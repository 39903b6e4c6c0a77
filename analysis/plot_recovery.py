#!/usr/bin/python3
"""plot_recovery.py: recovery against known ground truth (recovery experiments).

  recovery_error.png   relative coefficient error vs queries per method (log scale)
  recovery_r2.png      R^2 vs queries per method
  recovery.csv         the numbers

usage: plot_recovery.py RESULTS.h5 -o OUTDIR
"""
import argparse
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
    args = ap.parse_args(argv)
    if not os.path.exists(args.results):
        sys.exit("plot_recovery.py: %s: no such file" % args.results)
    os.makedirs(args.outdir, exist_ok=True)
    res = sr.Results(args.results)
    rows = []
    for what, fname, ylabel, log in (("coef_error", "recovery_error.png",
                                      "relative coefficient error", True),
                                     ("r2", "recovery_r2.png", "faithfulness R$^2$", False)):
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for m in res.methods:
            data = getattr(m, what)
            if data is None:
                continue
            q = res.mean_queries(m)
            ys = []
            for b in range(len(res.budget)):
                mean, ci = sr.mean_ci(np.where(m.ok()[:, b, :], data[:, b, :], np.nan))
                ys.append(mean)
                rows.append([what, m.label, res.budget[b], q[b], mean, ci])
            # Exact recovery gives error 0: draw it at 1e-16 on the log axis.
            ax.plot(q, np.maximum(ys, 1e-16) if log else ys, marker="o", label=m.label)
        sr.finish_axes(fig, ax, os.path.join(args.outdir, fname), "queries (mean used)", ylabel,
                       logy=log)
        plt.close(fig)
    sr.write_csv(os.path.join(args.outdir, "recovery.csv"),
                 ["quantity", "method", "budget_point", "mean_queries", "mean", "ci95"], rows)
    res.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
