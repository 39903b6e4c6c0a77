#!/usr/bin/python3
"""plot_pruning.py: the pruning figure of a spex-bench result file with [pruning].

  pruning.png   task accuracy against the fraction of components kept (the components each
                method ranks highest, by the rank_by index of its transform): one line per
                method at one budget point (--budget-index, default the largest), mean and
                standard error over explicands (repeats are averaged per explicand first); the
                random-order baseline dashed, the full model dotted
  pruning.csv   the numbers, for every budget point: view (method | random | full), method,
                budget_index, budget_point, fraction, accuracy_mean, accuracy_se, explicands

usage: plot_pruning.py RESULTS.h5 -o OUTDIR [--budget-index K]
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


def column_stats(curves):
    """Mean and standard error per fraction over the rows (explicands) with a value."""
    means, cis, counts = [], [], []
    for j in range(curves.shape[1]):
        mean, ci = sr.mean_ci(curves[:, j])
        means.append(mean)
        cis.append(ci)
        counts.append(int(np.isfinite(curves[:, j]).sum()))
    return np.array(means), np.array(cis), counts


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results")
    ap.add_argument("-o", "--outdir", default="figures")
    ap.add_argument("--budget-index", type=int, default=-1)
    args = ap.parse_args(argv)
    if not os.path.exists(args.results):
        sys.exit("plot_pruning.py: %s: no such file" % args.results)
    res = sr.Results(args.results)
    if res.pruning is None:
        sys.exit("plot_pruning.py: %s has no pruning data (add a [pruning] section to a "
                 "components configuration)" % args.results)
    nb = len(res.budget)
    bidx = args.budget_index if args.budget_index >= 0 else nb - 1
    if not 0 <= bidx < nb:
        sys.exit("plot_pruning.py: --budget-index %d outside 0..%d" % (args.budget_index, nb - 1))
    os.makedirs(args.outdir, exist_ok=True)
    fr = np.asarray(res.pruning["fractions"], dtype=float)
    rows = []
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for m in res.methods:
        if m.pruning_accuracy is None:
            continue
        for b in range(nb):
            mean, ci, cnt = column_stats(sr.pruning_curves(res, m, b))
            for j in range(len(fr)):
                rows.append(["method", m.label, b, res.budget[b], fr[j], mean[j], ci[j], cnt[j]])
            if b == bidx and any(cnt):
                line, = ax.plot(fr, mean, marker="o", label=m.label)
                ax.fill_between(fr, mean - np.nan_to_num(ci), mean + np.nan_to_num(ci), color=line.get_color(), alpha=0.2)
    rnd, full = sr.pruning_references(res)
    if rnd.shape[0] and res.pruning["random_orders"] > 0:
        mean, ci, cnt = column_stats(rnd)
        for j in range(len(fr)):
            rows.append(["random", "random", "", "", fr[j], mean[j], ci[j], cnt[j]])
        line, = ax.plot(fr, mean, linestyle="--", color="grey",
                        label="random order (%d per explicand)" % res.pruning["random_orders"])
        ax.fill_between(fr, mean - np.nan_to_num(ci), mean + np.nan_to_num(ci), color="grey", alpha=0.15)
    if full.size:
        mean, ci = sr.mean_ci(full)
        rows.append(["full", "full model", "", "", 1.0, mean, ci, int(np.isfinite(full).sum())])
        ax.axhline(mean, linestyle=":", color="black", label="full model")
    ax.set_xlabel("fraction of components kept (ranked by %s)" % (res.pruning["rank_by"] or "?"))
    ax.set_ylabel("task accuracy")
    ax.set_title("pruning at budget point %s (mean ± standard error over explicands)"
                 % res.budget[bidx], fontsize=9)
    ax.set_xlim(0, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(os.path.join(args.outdir, "pruning.png"), dpi=120)
    sr.wrote(os.path.join(args.outdir, "pruning.png"))
    plt.close(fig)
    sr.write_csv(os.path.join(args.outdir, "pruning.csv"),
                 ["view", "method", "budget_index", "budget_point", "fraction", "accuracy_mean",
                  "accuracy_se", "explicands"], rows)
    res.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
