#!/usr/bin/python3
"""plot_faithfulness.py: faithfulness figures of a spex-bench result file, paired.

Every comparison is paired (python/spexbench/results.py, docs/results-format.md): at each
budget point the methods that finished on the most cells are compared on the cells where all
of them finished; a method finished on fewer explicands is drawn in its own, marked panel over
its own cells and never ranked against the others. Means ± standard error over cells (none
for a single cell).

  faithfulness_vs_budget.png  R^2 against queries; left: the common set, right: methods
                              finished on fewer explicands (own sets), each point's count
  faithfulness_by_length.png  R^2 by input-length band (8-15, 16-31, ...) at one budget
                              point (--budget-index, default the largest), paired per band;
                              each bar labelled with its count, own-set bars hatched
  faithfulness.csv            the numbers: one row per (view, set, method, budget point[, band])
                              with method, budget, queries_mean, n_explicands, n_cells, r2_mean,
                              r2_se, set = common | own | subset (docs/results-format.md)
With --published [DIR] (sentiment/VADER files only; default ../shared/data/spectral_explain):
  paper_comparison.png        ours (solid) beside the SPEX paper's DistilBERT results (dashed),
                              one colour per method family
  paper_comparison.csv        ours vs published R^2 per method at each matching b, and by
                              length band at b = 8 (or the largest b)

usage: plot_faithfulness.py RESULTS.h5 -o OUTDIR [--budget-index K] [--published [DIR]]
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

CSV_COMMENT = ("spex-bench faithfulness table. set = common: the methods that finished on the "
               "most cells at that budget point,\nover the cells where all of them finished; "
               "own: a method that finished on fewer cells, over its own cells;\nsubset: that "
               "method and the common ones over the cells where all of them finished (subset_of"
               " names it).\nr2_se = standard error of the mean over cells (sd/sqrt(n_cells)), "
               "empty for one cell. view = budget | band.")
CSV_HEADER = ["view", "set", "subset_of", "method", "budget_index", "budget", "queries_mean",
              "band", "n_explicands", "n_cells", "r2_mean", "r2_se"]


def _num(x, fmt="%.6g"):
    return "" if x is None or (isinstance(x, float) and np.isnan(x)) else fmt % x


def csv_rows(table, view, band=""):
    rows = []
    for r in table.itertuples(index=False):
        rows.append([view, r.set, r.subset_of, r.method, r.budget_index, r.budget,
                     _num(r.queries_mean, "%.1f"), band, r.n_explicands, r.n_cells,
                     _num(r.r2_mean, "%.6f"), _num(r.r2_se, "%.6f")])
    return rows


def band_tables(res, bidx):
    """[(band, paired table at budget index bidx restricted to the band's instances)]."""
    ns = res.instance_n()
    out = []
    for band in sorted({sr.length_band(n) for n in ns if n > 0}):
        sel = np.array([sr.length_band(n) == band for n in ns])
        t = res.paired(instances=sel)
        out.append((band, t[t.budget_index == bidx]))
    return out


def plot_vs_budget(res, table, colours, path):
    common = table[table.set == "common"]
    own = table[table.set == "own"]
    panels = 2 if len(own) else 1
    fig, axes = plt.subplots(1, panels, figsize=(7 + 4.5 * (panels - 1), 4.6), squeeze=False,
                             sharey=True)
    ax = axes[0, 0]
    lo = []
    for label in [m.label for m in res.methods]:
        d = common[common.method == label].sort_values("budget_index")
        if d.empty:
            continue
        se = np.nan_to_num(d.r2_se.to_numpy())
        ax.errorbar(d.queries_mean, d.r2_mean, yerr=se, marker="o", capsize=3,
                    color=colours[label], label=label)
        lo.extend(d.r2_mean.to_numpy())
    counts = (common.groupby("budget_index").n_cells.agg(["min", "max"]) if len(common) else None)
    cap = ""
    if counts is not None:
        cap = ", ".join(("%d" % r["min"]) if r["min"] == r["max"] else "%d-%d" % (r["min"], r["max"])
                        for _, r in counts.iterrows())
    ax.set_title("common set: methods finished on the most cells, paired\n"
                 "cells per budget point: %s" % cap, fontsize=8)
    if len(own):
        ax2 = axes[0, 1]
        for label in [m.label for m in res.methods]:
            d = own[own.method == label].sort_values("budget_index")
            if d.empty:
                continue
            ax2.plot(d.queries_mean, d.r2_mean, marker="s", linestyle=":", color=colours[label],
                     label="%s (own set)" % label)
            for r in d.itertuples():
                ax2.annotate("n=%d" % r.n_cells, (r.queries_mean, r.r2_mean), fontsize=6,
                             textcoords="offset points", xytext=(3, 3), color=colours[label])
            lo.extend(d.r2_mean.to_numpy())
        ax2.set_title("finished on FEWER explicands: each over its own cells\n"
                      "(not comparable with the left panel; see the subset rows of the CSV)",
                      fontsize=8, color="#a00")
        sr.log_ticks(ax2)
        ax2.set_xlabel("queries (mean used)")
        ax2.grid(alpha=0.3, which="both")
        ax2.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    finite = [v for v in lo if np.isfinite(v)]
    bottom = max(-0.5, min(finite) - 0.05) if finite else -0.5
    ax.set_ylim(bottom=bottom, top=1.02)
    off = [v for v in lo if not np.isfinite(v) or v < bottom]
    ylabel = "faithfulness R$^2$ (held-out masks), mean ± SE"
    if off:
        ylabel += "\n(%d point(s) below %.2f not shown; see CSV)" % (len(off), bottom)
    sr.finish_axes(fig, ax, path, "queries (mean used)", ylabel)
    plt.close(fig)


def plot_by_length(res, bands, bidx, colours, path):
    labels = [m.label for m in res.methods
              if any(((t.method == m.label) & t.set.isin(["common", "own"])).any() for _, t in bands)]
    fig, ax = plt.subplots(figsize=(max(7, 1.3 * len(bands) + 3), 4.6))
    width = 0.8 / max(1, len(labels))
    low = 0.0
    seen_own = False
    for j, label in enumerate(labels):
        xs, ys, es, hatch, ns = [], [], [], [], []
        for k, (band, t) in enumerate(bands):
            row = t[(t.method == label) & (t.set.isin(["common", "own"]))]
            if row.empty:
                continue
            r = row.iloc[0]
            xs.append(k + j * width)
            ys.append(r.r2_mean)
            es.append(0.0 if np.isnan(r.r2_se) else r.r2_se)
            hatch.append(r.set == "own")
            ns.append(r.n_cells)
        if not xs:
            continue
        ys = np.array(ys, dtype=float)
        shown = np.maximum(ys, -0.5)
        # A bar cut at -0.5 carries its value as text, not an error bar from the cut.
        es = [0.0 if y < -0.5 else e for y, e in zip(ys, es)]
        low = min(low, float(np.min(shown)))
        bars = ax.bar(xs, shown, width, yerr=es, color=colours[label], label=label,
                      error_kw={"elinewidth": 0.8})
        for bar, h, n, y in zip(bars, hatch, ns, ys):
            if h:
                bar.set_hatch("///")
                bar.set_edgecolor("white")
                seen_own = True
            ax.annotate(("n=%d" % n) + ("" if y >= -0.5 else "\n%.2g" % y),
                        (bar.get_x() + bar.get_width() / 2, max(bar.get_height(), 0)),
                        fontsize=5, ha="center", va="bottom", textcoords="offset points",
                        xytext=(0, 1))
    ax.set_xticks(np.arange(len(bands)) + 0.4 - width / 2)
    ax.set_xticklabels(["%d-%d" % b for b, _ in bands], rotation=30)
    ax.set_ylim(bottom=min(low - 0.05, 0), top=1.12)
    title = ("R$^2$ by input length at budget point %s, paired within each band (n = cells;"
             " bars below -0.5 cut, value printed)" % res.budget[bidx])
    if seen_own:
        title += "\nhatched: finished on fewer explicands in that band, over its own cells"
    ax.grid(alpha=0.3, axis="y")
    sr.finish_axes(fig, ax, path, "input length (features)", "faithfulness R$^2$, mean ± SE",
                   logx=False, title=title)
    plt.close(fig)


# -- the paper comparison ----------------------------------------------------------------------

def load_published(directory):
    """(per-review DataFrame or None, by-budget DataFrame)."""
    import pandas as pd
    by_budget = pd.read_csv(os.path.join(directory, sr.PUBLISHED_FILES[0]))
    per = os.path.join(directory, sr.PUBLISHED_FILES[1])
    return (pd.read_csv(per) if os.path.exists(per) else None), by_budget


def paper_comparison(res, table, directory, outdir):
    """paper_comparison.png and .csv; returns (rows for the report, caption)."""
    per, by_budget = load_published(directory)
    same_reviews = res.oracle_option("texts_csv").endswith("sentiment.csv")
    # Published per (method, b): every review it ran on, and (when our explicands are the
    # paper's reviews) the same reviews as ours.
    pub = {}
    pub_rows = {}
    if per is not None:
        for (name, b), d in per.dropna(subset=["r2"]).groupby(["method", "b"]):
            pub[(name, int(b))] = (d.r2.mean(), len(d), d.samples.mean())
            pub_rows[(name, int(b))] = d

    def same_as_ours(name, b, explicands):
        """(mean, count) of the published R^2 on exactly the reviews of one of our rows."""
        d = pub_rows.get((name, int(b)))
        if d is None or not same_reviews:
            return np.nan, ""
        d = d[d.review_index.isin(list(explicands))]
        return (d.r2.mean() if len(d) else np.nan), len(d)
    families = {}
    for name in sorted({k[0] for k in pub}):
        fam, ours_label = sr.published_family(name)
        families.setdefault(fam, {})["pub"] = name
        families[fam]["ours"] = ours_label
    for m in res.methods:
        fam = sr.our_family(m.label, m.name)
        families.setdefault(fam, {})["ours"] = m.label
    labels = set(res.labels())
    # Drawn: the families we ran (ours and, where published, theirs); the table lists all.
    fams = [f for f in sorted(families) if families[f].get("ours") in labels]
    table_fams = fams + [f for f in sorted(families) if f not in fams and "pub" in families[f]]
    cmap = matplotlib.colormaps["tab10" if len(fams) <= 10 else "tab20"]
    colour = {f: cmap(i % cmap.N) for i, f in enumerate(fams)}
    ours_b = sorted(int(b) for b in res.budget)
    n_ours = len({e for ex in table.explicands for e in ex})  # reviews with compared cells
    rows = []
    fig, ax = plt.subplots(figsize=(8, 5))
    bottom = -0.5
    n_off = 0

    def draw(xs, ys, style, marker, c, label, alpha=1.0):
        ys = np.asarray(ys, dtype=float)
        ax.plot(xs, np.maximum(ys, bottom), style, marker=marker, color=c, label=label,
                alpha=alpha)
        low = [x for x, y in zip(xs, ys) if not y >= bottom]
        if low:
            ax.plot(low, [bottom] * len(low), "v", color=c, markersize=8, alpha=alpha,
                    clip_on=False)
        return len(low)

    for fam in fams:
        info = families[fam]
        label = info["ours"]
        d = table[(table.method == label) & (table.set.isin(["common", "own"]))]
        d = d.sort_values("budget_index")
        style = "-" if (d.set == "common").all() else ":"
        n_off += draw(d.budget, d.r2_mean, style, "o", colour[fam],
                      "%s (ours%s)" % (fam, "" if style == "-" else ", own set"))
        if "pub" in info:
            bs = [b for b in ours_b if (info["pub"], b) in pub]
            if same_reviews and per is not None and len(d):
                # the published numbers on exactly our reviews (dashed), and over every review
                # the published method ran on (dotted, faint): only the first is paired
                sb, sv = [], []
                for r in d.itertuples():
                    m, k = same_as_ours(info["pub"], r.budget, r.explicands)
                    if k:
                        sb.append(int(r.budget))
                        sv.append(m)
                n_off += draw(sb, sv, "--", "x", colour[fam],
                              "%s (published, same reviews)" % fam, alpha=0.9)
                n_off += draw(bs, [pub[(info["pub"], b)][0] for b in bs], ":", ".", colour[fam],
                              "%s (published, all its reviews)" % fam, alpha=0.45)
            else:
                n_off += draw(bs, [pub[(info["pub"], b)][0] for b in bs], "--", "x", colour[fam],
                              "%s (published)" % fam, alpha=0.8)
    for fam in table_fams:
        info = families[fam]
        label = info.get("ours") if info.get("ours") in labels else None
        for b in res.budget:
            d = table[(table.method == label) & (table.budget == b) &
                      (table.set.isin(["common", "own"]))] if label else table.iloc[0:0]
            p = pub.get((info.get("pub"), int(b)))
            if d.empty and p is None:
                continue
            r = d.iloc[0] if len(d) else None
            sm, sn = (same_as_ours(info["pub"], b, r.explicands)
                      if r is not None and p is not None else (np.nan, ""))
            rows.append(["budget", fam, label or "", info.get("pub", ""), int(b), "",
                         r.set if r is not None else "", r.n_cells if r is not None else "",
                         _num(r.r2_mean, "%.4f") if r is not None else "",
                         _num(r.r2_se, "%.4f") if r is not None else "",
                         p[1] if p else "", _num(p[0], "%.4f") if p else "",
                         sn, _num(sm, "%.4f")])
    ax.set_ylim(bottom=bottom - 0.03, top=1.03)
    ax.set_xticks(ours_b)
    caption = ("Ours: VADER (rule-based) on %d review(s) with finished cells %s. Published: %s. Solid = ours "
               "(common set), dotted = ours over its own smaller set, dashed = published%s. %s"
               % (n_ours, ("of the paper's sentiment.csv (the same texts)" if same_reviews
                           else "of the project's data/reviews.csv (other texts)"),
                  sr.PUBLISHED_SETUP,
                  (" on exactly our reviews (paired), faint dotted = published over every review "
                   "it ran on (not paired: other reviews)") if same_reviews and per is not None
                  else " (each method over the reviews it ran on)",
                  ("\u25bc at the bottom edge: %d value(s) below %.1f (numbers in "
                   "paper_comparison.csv)." % (n_off, bottom)) if n_off else ""))
    ax.set_title("SPEX paper comparison: faithfulness by budget b", fontsize=9)
    fig.text(0.01, 0.005, "\n".join(_wrap(caption, 120)), fontsize=6.5, va="bottom")
    fig.subplots_adjust(bottom=0.22)
    ax.set_xlabel("b (budget N(b) = 3 (p+1) 2^b queries)")
    ax.set_ylabel("faithfulness R$^2$")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=6.5, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    path = os.path.join(outdir, "paper_comparison.png")
    fig.savefig(path, dpi=120, bbox_inches="tight")
    sr.wrote(path)
    plt.close(fig)
    # By length band at b = 8 (or the largest b of the file).
    bmax = 8 if 8 in [int(b) for b in res.budget] else int(max(res.budget))
    bidx = res.budget_index(bmax)
    for band, t in band_tables(res, bidx):
        in_band = per[(per.n_words >= band[0]) & (per.n_words <= band[1]) & (per.b == bmax)] \
            if per is not None else None
        for fam in table_fams:
            info = families[fam]
            label = info.get("ours") if info.get("ours") in labels else None
            d = t[(t.method == label) & (t.set.isin(["common", "own"]))] if label else t.iloc[0:0]
            pd_ = (in_band[(in_band.method == info.get("pub"))].dropna(subset=["r2"])
                   if in_band is not None and "pub" in info else None)
            if d.empty and (pd_ is None or pd_.empty):
                continue
            r = d.iloc[0] if len(d) else None
            same = (pd_[pd_.review_index.isin(list(r.explicands))]
                    if pd_ is not None and same_reviews and r is not None else None)
            rows.append(["band", fam, label or "", info.get("pub", ""), bmax,
                         "%d-%d" % band, r.set if r is not None else "",
                         r.n_cells if r is not None else "",
                         _num(r.r2_mean, "%.4f") if r is not None else "",
                         _num(r.r2_se, "%.4f") if r is not None else "",
                         len(pd_) if pd_ is not None else "",
                         _num(pd_.r2.mean(), "%.4f") if pd_ is not None and len(pd_) else "",
                         len(same) if same is not None else "",
                         _num(same.r2.mean(), "%.4f") if same is not None and len(same) else ""])
    header = ["view", "family", "ours_method", "published_method", "b", "band", "ours_set",
              "ours_n", "ours_r2_mean", "ours_r2_se", "published_n", "published_r2_mean",
              "published_same_reviews_n", "published_same_reviews_r2_mean"]
    sr.write_csv(os.path.join(outdir, "paper_comparison.csv"), header, rows,
                 comment="ours vs the SPEX paper (published).\n" + caption +
                 "\npublished_same_reviews: the published numbers on exactly our explicands "
                 "(when ours are the paper's reviews).")
    return header, rows, caption


def _wrap(text, width):
    import textwrap
    return textwrap.wrap(text, width)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results")
    ap.add_argument("-o", "--outdir", default="figures")
    ap.add_argument("--budget-index", type=int, default=-1)
    ap.add_argument("--published", nargs="?", const="", default=None, metavar="DIR",
                    help="compare with the SPEX paper's published sentiment results (directory "
                         "or CSV; default $SPX_SHARED_DATA/spectral_explain, then "
                         "../shared/data/spectral_explain)")
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
    pub_dir = None
    if args.published is not None:
        ok, why = sr.comparable_to_published(res)
        if not ok:
            sys.exit("plot_faithfulness.py: --published refused: %s (%s)" % (why, args.results))
        if res.budget_mode != "spx_b":
            sys.exit("plot_faithfulness.py: --published needs a file whose budget is spx_b (the "
                     "paper's b); %s has %s" % (args.results, res.budget_mode or "none"))
        pub_dir, msg = sr.published_dir(args.published or None)
        if pub_dir is None:
            sys.exit("plot_faithfulness.py: %s" % msg)

    colours = sr.method_colours(res.labels())
    table = res.paired()
    rows = csv_rows(table, "budget")
    plot_vs_budget(res, table, colours, os.path.join(args.outdir, "faithfulness_vs_budget.png"))
    bands = band_tables(res, bidx)
    for band, t in bands:
        rows += csv_rows(t, "band", "%d-%d" % band)
    plot_by_length(res, bands, bidx, colours, os.path.join(args.outdir, "faithfulness_by_length.png"))
    sr.write_csv(os.path.join(args.outdir, "faithfulness.csv"), CSV_HEADER, rows,
                 comment=CSV_COMMENT)
    if pub_dir:
        paper_comparison(res, table, pub_dir, args.outdir)
    res.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
