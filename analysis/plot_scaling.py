#!/usr/bin/python3
"""plot_scaling.py: decode time and faithfulness against the number of features.

  scaling_time.png     decode time (s, method only, no oracle time) vs n, log-log, per method
  scaling_r2.png       R^2 vs n per method, at the chosen budget point
  scaling_recall.png   recall of the true support vs n (when the file has recovery scores)
  scaling_memory.png   peak resident memory of the cell's rank vs n (when recorded)
  scaling.csv          the paired means and standard errors plotted (set = common | own)
  scaling_medians.md   a markdown table of medians per (method, n): R^2, recall, decode
                       and oracle time, queries, peak memory, cells ok / skipped (with the
                       first skip reason)

usage: plot_scaling.py RESULTS.h5 -o OUTDIR [--budget-index K] [--title TEXT]
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
    ap.add_argument("--budget-index", type=int, default=-1)
    ap.add_argument("--title", default="")
    args = ap.parse_args(argv)
    if not os.path.exists(args.results):
        sys.exit("plot_scaling.py: %s: no such file" % args.results)
    os.makedirs(args.outdir, exist_ok=True)
    res = sr.Results(args.results)
    ns = res.instance_n()
    sizes = sorted(set(int(n) for n in ns if n > 0))
    nb = len(res.budget)
    bidx = args.budget_index if args.budget_index >= 0 else nb - 1
    rows = []
    extra = {}  # optional per-cell datasets: name -> {label: array}
    for name in ("recall", "precision", "peak_rss_mib"):
        got = {m.label: m._group[name][()] for m in res.methods if name in m._group}
        if got:
            extra[name] = got
    plots = [("time_decode", "scaling_time.png", "decode time (s)", True),
             ("r2", "scaling_r2.png", "faithfulness R$^2$", False)]
    if "recall" in extra:
        plots.append(("recall", "scaling_recall.png", "recall of the true support", False))
    if "peak_rss_mib" in extra:
        plots.append(("peak_rss_mib", "scaling_memory.png", "peak memory of the rank (MiB)",
                      True))
    colours = sr.method_colours(res.labels())
    for what, fname, ylabel, log in plots:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        pts = {}  # (label, kind) -> [(n, mean, se)]
        for n in sizes:
            t = res.paired(metric=what, instances=ns == n)
            t = t[(t.budget_index == bidx) & t.set.isin(["common", "own"])]
            for r in t.itertuples(index=False):
                mean, se = getattr(r, what + "_mean"), getattr(r, what + "_se")
                pts.setdefault((r.method, r.set), []).append((n, mean, se))
                rows.append([what, r.set, r.method, n, res.budget[bidx], r.n_cells,
                             "%.6g" % mean, "" if np.isnan(se) else "%.6g" % se])
        for m in res.methods:
            for kind, style in (("common", "-"), ("own", ":")):
                p = pts.get((m.label, kind))
                if not p:
                    continue
                ax.errorbar([x[0] for x in p], [x[1] for x in p],
                            yerr=[0 if np.isnan(x[2]) else x[2] for x in p], marker="o",
                            capsize=3, linestyle=style, color=colours[m.label],
                            label=m.label + ("" if kind == "common" else " (own set)"))
        sr.finish_axes(fig, ax, os.path.join(args.outdir, fname), "number of features n",
                       ylabel + " at budget point %s, mean ± SE" % res.budget[bidx], logy=log,
                       title=args.title or "paired per n over the cells where the methods all "
                                           "finished (dotted: own, smaller set)")
        plt.close(fig)
    sr.write_csv(os.path.join(args.outdir, "scaling.csv"),
                 ["quantity", "set", "method", "n", "budget_point", "n_cells", "mean", "se"],
                 rows, comment="set common: paired over the cells (per n) where every common "
                               "method finished; own: a method finished on fewer, over its own;"
                               " se = standard error over cells")
    write_medians(res, ns, sizes, bidx, extra, os.path.join(args.outdir, "scaling_medians.md"))
    res.close()
    return 0


def _median(values):
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return float(np.median(v)) if v.size else float("nan")


def _fmt(x, digits=4):
    return "–" if not np.isfinite(x) else ("%.*g" % (digits, x))


def write_medians(res, ns, sizes, bidx, extra, path):
    """Medians over the finished cells of each (method, n) at budget point bidx."""
    head = ["method", "n", "ok / skipped / failed", "R² median", "recall median",
            "decode s median", "oracle s median", "queries", "peak MiB median", "skip reason"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for m in res.methods:
        for n in sizes:
            sel = ns == n
            st = m.status[sel, bidx, :]
            ok = st == 1
            def med(a):
                return _median(a[sel, bidx, :][ok])
            reason = ""
            if m.message is not None and (st == 2).any():
                msg = m.message[sel, bidx, :][st == 2][0]
                reason = sr._text(msg).replace("|", "/")[:90]
            lines.append("| " + " | ".join([
                m.label, str(n), "%d / %d / %d" % (ok.sum(), (st == 2).sum(), (st == 3).sum()),
                _fmt(med(m.r2)),
                _fmt(med(extra["recall"][m.label])) if "recall" in extra else "–",
                _fmt(med(m.time_decode)), _fmt(med(m.time_oracle)),
                _fmt(med(m.queries), 6),
                _fmt(med(extra["peak_rss_mib"][m.label])) if "peak_rss_mib" in extra else "–",
                reason]) + " |")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    sr.wrote(path)


if __name__ == "__main__":
    sys.exit(main())
