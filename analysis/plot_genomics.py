#!/usr/bin/python3
"""plot_genomics.py: recovery against queries for the genomics study (one result file of
configs/scaling_genomics.toml: instances over n, budget points b).

  genomics_precision.png  precision of the recovered Moebius support vs queries
  genomics_recall.png     recall of the true Moebius support vs queries
  genomics_r2.png         R^2 on the held-out masks vs queries (axis cut at -1)
  genomics.csv            medians per (method, n, budget point): queries, precision, recall,
                          R^2, coefficient error, decode and oracle time, peak memory, cells
  genomics_medians.md     the same as a markdown table, with the first skip reason of every
                          (method, n) that did not run

One line per (method, n): colour = method, line style = n. Medians over the explicands.

usage: plot_genomics.py RESULTS.h5 -o OUTDIR [--title TEXT]
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

STYLES = ["-", "--", ":", "-."]
MARKERS = ["o", "s", "^", "D"]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results")
    ap.add_argument("-o", "--outdir", default="figures")
    ap.add_argument("--title", default="")
    args = ap.parse_args(argv)
    if not os.path.exists(args.results):
        sys.exit("plot_genomics.py: %s: no such file" % args.results)
    os.makedirs(args.outdir, exist_ok=True)
    res = sr.Results(args.results)
    cells = res.cells()
    labels = res.labels()
    colours = sr.method_colours(labels)
    ns = sorted(int(n) for n in set(cells["n"]) if n > 0)
    ok = cells[cells["status"] == "ok"]
    rows, md, skipped = [], [], []
    med = {}
    for label in labels:
        for n in ns:
            sub = cells[(cells["method"] == label) & (cells["n"] == n)]
            good = ok[(ok["method"] == label) & (ok["n"] == n)]
            if good.empty:
                msgs = [m for m in sub["message"] if m]
                skipped.append((label, n, msgs[0] if msgs else "no finished cell"))
                continue
            for b, grp in good.groupby("budget"):
                r = {"method": label, "n": n, "b": int(b),
                     "queries": float(np.median(grp["queries"])),
                     "precision": float(np.median(grp["precision"])),
                     "recall": float(np.median(grp["recall"])),
                     "r2": float(np.median(grp["r2"])),
                     "coef_error": float(np.median(grp["coef_error"])),
                     "time_decode": float(np.median(grp["time_decode"])),
                     "time_oracle": float(np.median(grp["time_oracle"])),
                     "peak_rss_mib": float(np.median(grp["peak_rss_mib"])),
                     "cells": len(grp)}
                rows.append(r)
                med.setdefault((label, n), []).append(r)
    header = ["method", "n", "b", "queries", "precision", "recall", "r2", "coef_error",
              "time_decode", "time_oracle", "peak_rss_mib", "cells"]
    csv_path = os.path.join(args.outdir, "genomics.csv")
    sr.write_csv(csv_path, header, [[r[h] for h in header] for r in rows],
                 comment="medians over explicands of %s" % args.results)

    fig = plt.figure(figsize=(7.5, 4.2))
    for metric, ylabel in (("precision", "precision (Moebius support)"),
                           ("recall", "recall (Moebius support)"), ("r2", "R² (held-out masks)")):
        ax = fig.add_subplot(111)
        for (label, n), rs in sorted(med.items(), key=lambda kv: (labels.index(kv[0][0]), kv[0][1])):
            rs = sorted(rs, key=lambda r: r["queries"])
            k = ns.index(n) % len(STYLES)
            ax.plot([r["queries"] for r in rs], [r[metric] for r in rs], STYLES[k],
                    marker=MARKERS[k], ms=4, color=colours[label], label="%s, n = %d" % (label, n))
        if metric == "r2":  # a first-order fit far below 0 would flatten the rest
            low = min(r["r2"] for rs in med.values() for r in rs)
            ax.set_ylim(max(-1.0, min(-0.05, low - 0.05)), 1.05)
            if low < -1.0:
                ax.text(0.01, 0.01, "values below -1 not shown (see the table)", fontsize=7,
                        transform=ax.transAxes)
        else:
            ax.set_ylim(-0.05, 1.05)
        sr.finish_axes(fig, ax, os.path.join(args.outdir, "genomics_%s.png" % metric),
                       "queries", ylabel, logx=True, title=args.title)

    md_path = os.path.join(args.outdir, "genomics_medians.md")
    with open(md_path, "w") as f:
        f.write("Medians over explicands of `%s`.\n\n" % os.path.basename(args.results))
        f.write("| method | n | b | queries | precision | recall | R² | coef. error | decode s "
                "| oracle s | MiB | cells |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n")
        for r in rows:
            f.write("| %s | %d | %d | %d | %.3f | %.3f | %.4f | %.3g | %.3g | %.3g | %.0f | %d |\n"
                    % (r["method"], r["n"], r["b"], r["queries"], r["precision"], r["recall"],
                       r["r2"], r["coef_error"], r["time_decode"], r["time_oracle"],
                       r["peak_rss_mib"], r["cells"]))
        if skipped:
            f.write("\nNot run (first reason recorded):\n\n")
            for label, n, msg in skipped:
                f.write("- %s at n = %d: %s\n" % (label, n, msg))
    sr.wrote(md_path)
    res.close()


if __name__ == "__main__":
    main()
