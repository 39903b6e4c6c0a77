#!/usr/bin/python3
"""plot_recovery.py: recovery against known ground truth (recovery experiments), paired.

  recovery_error.png    relative coefficient error vs queries per method (log scale)
  recovery_r2.png       R^2 vs queries per method
  recovery_support.png  precision, recall of the true support and Kendall tau of the
                        coefficients' ranking vs queries (one panel each)
  recovery.csv          the numbers: quantity, set, subset_of, method, budget_index, budget,
                        queries_mean, n_explicands, n_cells, mean, se

Paired like every analysis script (docs/results-format.md): the methods finished on the most
cells at a budget point are averaged over the cells where all of them finished; a method that
finished on fewer is drawn dotted over its own cells ("own set" in the legend) and its rows in
the CSV say so. Mean ± standard error over cells (none for a single cell).

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

QUANTITIES = (("coef_error", "relative coefficient error"), ("r2", "faithfulness R$^2$"),
              ("precision", "precision of the recovered support"),
              ("recall", "recall of the true support"),
              ("kendall_tau", "Kendall tau of the coefficients"))


def tables(res):
    """{quantity: paired DataFrame} for the quantities the file stores."""
    out = {}
    for q, _ in QUANTITIES:
        if any(m.metric(q) is not None for m in res.methods):
            out[q] = res.paired(metric=q)
    return out


def draw(ax, res, t, q, colours, log=False):
    for m in res.methods:
        for kind, style in (("common", "-"), ("own", ":")):
            d = t[(t.method == m.label) & (t.set == kind)].sort_values("budget_index")
            if d.empty:
                continue
            y = d[q + "_mean"].to_numpy(dtype=float)
            if log:  # exact recovery gives error 0: draw it at 1e-16 on the log axis
                y = np.maximum(y, 1e-16)
            ax.errorbar(d.queries_mean, y, yerr=None if log else np.nan_to_num(d[q + "_se"]),
                        linestyle=style, marker="o", capsize=3, color=colours[m.label],
                        label=m.label + ("" if kind == "common" else " (own set)"))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results")
    ap.add_argument("-o", "--outdir", default="figures")
    args = ap.parse_args(argv)
    if not os.path.exists(args.results):
        sys.exit("plot_recovery.py: %s: no such file" % args.results)
    os.makedirs(args.outdir, exist_ok=True)
    res = sr.Results(args.results)
    colours = sr.method_colours(res.labels())
    tabs = tables(res)
    if "coef_error" not in tabs:
        sys.exit("plot_recovery.py: %s has no recovery scores (coef_error): not a recovery "
                 "or scaling run" % args.results)
    rows = []
    for q, t in tabs.items():
        for r in t.itertuples(index=False):
            rows.append([q, r.set, r.subset_of, r.method, r.budget_index, r.budget,
                         "%.1f" % r.queries_mean, r.n_explicands, r.n_cells,
                         "%.6g" % getattr(r, q + "_mean"),
                         "" if np.isnan(getattr(r, q + "_se")) else "%.6g" % getattr(r, q + "_se")])
    for q, fname, log in (("coef_error", "recovery_error.png", True),
                          ("r2", "recovery_r2.png", False)):
        fig, ax = plt.subplots(figsize=(7, 4.5))
        draw(ax, res, tabs[q], q, colours, log=log)
        label = dict(QUANTITIES)[q] + ("" if log else ", mean ± SE")
        sr.finish_axes(fig, ax, os.path.join(args.outdir, fname), "queries (mean used)", label,
                       logy=log, title="paired over the cells where the methods all finished "
                                       "(dotted: own, smaller set)")
        plt.close(fig)
    support = [q for q in ("precision", "recall", "kendall_tau") if q in tabs]
    if support:
        fig, axes = plt.subplots(1, len(support), figsize=(4.2 * len(support) + 1.5, 4),
                                 squeeze=False)
        for ax, q in zip(axes[0], support):
            draw(ax, res, tabs[q], q, colours)
            sr.log_ticks(ax)
            ax.set_xlabel("queries (mean used)")
            ax.set_title(dict(QUANTITIES)[q] + ", mean ± SE", fontsize=9)
            ax.grid(alpha=0.3)
            ax.set_ylim(-1.05 if q == "kendall_tau" else -0.02, 1.05)
        axes[0][-1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0))
        fig.tight_layout()
        path = os.path.join(args.outdir, "recovery_support.png")
        fig.savefig(path, dpi=120, bbox_inches="tight")
        sr.wrote(path)
        plt.close(fig)
    sr.write_csv(os.path.join(args.outdir, "recovery.csv"),
                 ["quantity", "set", "subset_of", "method", "budget_index", "budget",
                  "queries_mean", "n_explicands", "n_cells", "mean", "se"], rows,
                 comment="paired over the cells where every method of set 'common' finished; "
                         "'own' = a method finished on fewer cells, over its own; se = standard "
                         "error over cells")
    res.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
