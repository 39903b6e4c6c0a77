#!/usr/bin/python3
"""plot_faithfulness.py: faithfulness figures of a spex-bench result file.

  faithfulness_vs_budget.png   R^2 against queries per method (mean, 95% interval over
                               explicands and repeats); --published CSV adds the SPEX
                               paper's curves (dashed) beside ours
  faithfulness_by_length.png   R^2 by input-length band (8-15, 16-31, ...) at one budget
                               point (--budget-index, default the largest), the SPEX
                               paper's figure
  faithfulness.csv             the numbers behind both figures

usage: plot_faithfulness.py RESULTS.h5 -o OUTDIR [--budget-index K] [--published CSV]
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
    ap.add_argument("--published", help="published_sentiment_by_budget.csv to plot beside ours")
    args = ap.parse_args(argv)
    if not os.path.exists(args.results):
        sys.exit("plot_faithfulness.py: %s: no such file" % args.results)
    os.makedirs(args.outdir, exist_ok=True)
    res = sr.Results(args.results)
    if not res.methods:
        sys.exit("plot_faithfulness.py: %s has no /results" % args.results)
    nb = len(res.budget)
    bidx = args.budget_index if args.budget_index >= 0 else nb - 1
    if not 0 <= bidx < nb:
        sys.exit("plot_faithfulness.py: --budget-index %d outside 0..%d" % (args.budget_index, nb - 1))

    rows = []
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for m in res.methods:
        q = res.mean_queries(m)
        means, cis = [], []
        for b in range(nb):
            mean, ci = sr.mean_ci(np.where(m.ok()[:, b, :], m.r2[:, b, :], np.nan))
            means.append(mean)
            cis.append(ci)
            rows.append(["budget", m.label, b, res.budget[b], q[b], "", mean, ci])
        means, cis = np.array(means), np.array(cis)
        line, = ax.plot(q, means, marker="o", label=m.label)
        ax.fill_between(q, means - cis, means + cis, color=line.get_color(), alpha=0.2)
    if args.published:
        with open(args.published) as f:
            pub = {}
            for r in csv.DictReader(f):
                pub.setdefault(r["method"], []).append((float(r["mean_samples"]), float(r["r2_mean"])))
        for name, pts in sorted(pub.items()):
            pts.sort()
            ax.plot([p[0] for p in pts], [p[1] for p in pts], linestyle="--", alpha=0.6,
                    label="published: " + sr.published_label(name))
    ax.set_xscale("log")
    ax.set_xlabel("queries (mean used)")
    ax.set_ylabel("faithfulness R$^2$ (held-out masks)")
    ax.set_ylim(bottom=max(-0.5, ax.get_ylim()[0]), top=1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(os.path.join(args.outdir, "faithfulness_vs_budget.png"), dpi=120)
    plt.close(fig)

    # By input-length band at one budget.
    ns = res.instance_n()
    bands = sorted({sr.length_band(n) for n in ns})
    fig, ax = plt.subplots(figsize=(7, 4.5))
    width = 0.8 / max(1, len(res.methods))
    for j, m in enumerate(res.methods):
        means, cis = [], []
        for band in bands:
            sel = np.array([sr.length_band(n) == band for n in ns])
            vals = np.where(m.ok()[sel, bidx, :], m.r2[sel, bidx, :], np.nan)
            mean, ci = sr.mean_ci(vals)
            means.append(mean)
            cis.append(ci)
            rows.append(["band", m.label, bidx, res.budget[bidx], "", "%d-%d" % band, mean, ci])
        x = np.arange(len(bands)) + j * width
        ax.bar(x, np.nan_to_num(means), width, yerr=np.nan_to_num(cis), label=m.label)
    ax.set_xticks(np.arange(len(bands)) + 0.4 - width / 2)
    ax.set_xticklabels(["%d-%d" % b for b in bands], rotation=30)
    ax.set_xlabel("input length (features)")
    ax.set_ylabel("faithfulness R$^2$ at budget point %s" % res.budget[bidx])
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(args.outdir, "faithfulness_by_length.png"), dpi=120)
    plt.close(fig)

    sr.write_csv(os.path.join(args.outdir, "faithfulness.csv"),
                 ["view", "method", "budget_index", "budget_point", "mean_queries", "band",
                  "r2_mean", "r2_ci95"], rows)
    res.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
