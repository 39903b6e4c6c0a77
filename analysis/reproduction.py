#!/usr/bin/python3
"""reproduction.py: the SPEX paper's sentiment figure on its own 160 reviews, ours (VADER) beside
the published DistilBERT numbers, from one or more result files (docs/reproduction.md).

The reproduction is run in pieces (configs/reproduction_*.toml, one file per method group and
explicand range, each resumable), so this script reads several result files of the sentiment
oracle on the paper's sentiment.csv and treats their cells as one table, keyed by (method,
review, b). A cell present in several files is taken from the first file that finished it; the
script says how many such duplicates it saw and how far their R^2 differ.

Every comparison is paired. Ours vs published: the published R^2 restricted to exactly the
reviews where our method finished (column published_same), and the mean paired difference
ours - published over those reviews with its standard error; the published mean over every
review of the band or budget the published method ran on is given too (published_all), but it
is over other reviews. Between our methods (the ProxySPEX claim, the ranking): over the reviews
where every compared method finished. Mean +- standard error over reviews (sd / sqrt(n)), none
for one review (the project's one convention, docs/results-format.md).

Writes into OUTDIR:
  reproduction_coverage.csv    per method family and length band: reviews ok / skipped (with the
                               first skip reason) / not run, of the band's 20
  reproduction_by_band.csv     per family, b and band: ours (n, mean, se), published on the same
                               reviews, paired difference, published on all its reviews of the band
  reproduction_by_budget.csv   the same per family and b over all bands
  reproduction_proxyspex.csv   ProxySPEX at b against SPEX soft at b' (paired)
  reproduction_proxyspex_by_band.csv  the same by length band, against SPEX soft at the largest b
  reproduction_ranking.csv     our methods at each b over the reviews where all of them finished
  reproduction_reviews.csv     per review: VADER's saturation on the held-out masks, each
                               family's R^2 at --b
  reproduction_cells.csv       every cell used (family, method, review, b, status, R^2 to 17
                               digits, queries, decode time, skip reason, source file) with each
                               review's held-out statistics: the tables' whole input. It can be
                               given back as an input in place of the result files it came from
                               (result files are not committed; this file is), so a later run
                               adds to the committed cells without re-running them
  reproduction_by_band.png     one panel per method family: R^2 by length band at --b (default 8,
                               or the files' largest b)
  reproduction_by_budget.png   one panel per method family: R^2 by b (4, 6, 8), all bands
  reproduction_tables.md       the tables above as Markdown (docs/reproduction.md quotes them)

usage: reproduction.py RESULTS.h5|CELLS.csv [...] [-o OUTDIR] [--published DIR] [--b 8]
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spexresults as sr  # noqa: E402

BANDS = [(2 ** k, 2 ** (k + 1) - 1) for k in range(3, 11)]  # 8-15 ... 1024-2047 words
BAND_NAMES = ["%d-%d" % b for b in BANDS]
ORDER = ["SPEX soft", "SPEX hard", "ProxySPEX", "LIME", "Banzhaf", "KernelSHAP",
         "Faith-Banzhaf 2", "Faith-Banzhaf 3", "Faith-Shap 2", "Faith-Shap 3"]
LOW = -1.0  # figures: R^2 below this is drawn at the edge as a triangle with its value


def band_of(n):
    for name, (lo, hi) in zip(BAND_NAMES, BANDS):
        if lo <= n <= hi:
            return name
    return "%d" % n


def test_value_stats(res):
    """{review: (n, sd of the held-out test values, share of them with |value| > 0.9)}: how
    saturated VADER's compound score is on random halves of the review."""
    out = {}
    for inst in res.instances:
        key = "explicands/%d" % inst.index
        if key not in res.file or "test_values" not in res.file[key]:
            continue
        g = res.file[key]
        v = g["test_values"][()].astype(float).ravel()
        if v.size:
            out[inst.explicand] = (inst.n, float(v.std()), float(np.mean(np.abs(v) > 0.9)))
    return out


CELL_COLUMNS = ["family", "method", "review", "n", "band", "b", "status", "r2", "queries",
                "time_decode", "message", "file"]
CELLS_MARK = "cells of analysis/reproduction.py"


def load_cells_csv(path, stats=None):
    """The cells of a reproduction_cells.csv written by this script (write_cells), as load_cells
    reads them from a result file; its per-review statistics go into stats."""
    with open(path) as f:
        first = f.readline()
    if CELLS_MARK not in first:
        sys.exit("reproduction.py: %s is not a reproduction_cells.csv written by this script "
                 "(its first line does not say '%s'); give result files (.h5) or such a file"
                 % (path, CELLS_MARK))
    c = pd.read_csv(path, comment="#", keep_default_na=False, float_precision="round_trip",
                    dtype={"family": str, "method": str, "band": str, "status": str,
                           "message": str, "file": str})
    missing = [k for k in CELL_COLUMNS + ["test_value_sd", "share_saturated"] if k not in c.columns]
    if missing:
        sys.exit("reproduction.py: %s lacks the column(s) %s" % (path, ", ".join(missing)))
    for k in ("r2", "time_decode", "test_value_sd", "share_saturated"):
        # Python's float() reads repr() back exactly (pandas' own parser does not promise it
        # for a column that also holds empty strings)
        c[k] = np.array([float(v) if v != "" else np.nan for v in c[k].astype(str)], float)
    for k in ("review", "n", "b", "queries"):
        c[k] = c[k].astype(int)
    if stats is not None:
        for row in c.drop_duplicates("review").itertuples():
            if np.isfinite(row.test_value_sd):
                stats.setdefault(int(row.review), (int(row.n), float(row.test_value_sd),
                                                   float(row.share_saturated)))
    return c[CELL_COLUMNS]


def write_cells(path, cells, stats, files):
    """Every cell of the combined table, R^2 to 17 significant digits (read back bit for bit),
    with its review's held-out statistics (empty where unknown)."""
    rows = []
    for r in cells.sort_values(["review", "family", "b"]).itertuples():
        st = stats.get(int(r.review))
        rows.append([r.family, r.method, int(r.review), int(r.n), r.band, int(r.b), r.status,
                     "" if not np.isfinite(r.r2) else repr(float(r.r2)), int(r.queries),
                     "" if not np.isfinite(r.time_decode) else repr(float(r.time_decode)),
                     r.message, r.file, repr(st[1]) if st else "", repr(st[2]) if st else ""])
    sr.write_csv(path, CELL_COLUMNS + ["test_value_sd", "share_saturated"], rows,
                 comment="%s: every cell of %s (file = the result file it came from);\n"
                         "give this file back to reproduction.py as an input to add runs to these "
                         "cells." % (CELLS_MARK, ", ".join(os.path.basename(f) for f in files)))


def load_cells(paths, stats=None):
    """One DataFrame of every cell of the files: family, method, review, n, band, b, status,
    r2, queries, time_decode, message, file; and (duplicates, {method: (duplicates, max |dR2|)}). stats
    (a dict) receives test_value_stats of every review. A .csv path is a reproduction_cells.csv
    (load_cells_csv)."""
    frames = []
    for path in paths:
        if not os.path.exists(path):
            sys.exit("reproduction.py: %s: no such file" % path)
        if path.endswith(".csv"):
            frames.append(load_cells_csv(path, stats))
            continue
        res = sr.Results(path)
        ok, why = sr.comparable_to_published(res)
        if not ok:
            sys.exit("reproduction.py: %s: %s" % (path, why))
        if not res.oracle_option("texts_csv").endswith("sentiment.csv"):
            sys.exit("reproduction.py: %s does not run the paper's sentiment.csv (texts_csv = %r):"
                     " its explicands are not the paper's reviews" % (path, res.oracle_option("texts_csv")))
        if res.budget_mode != "spx_b":
            sys.exit("reproduction.py: %s: budget is %s, not spx_b" % (path, res.budget_mode))
        if stats is not None:
            for k, v in test_value_stats(res).items():
                stats.setdefault(k, v)
        c = res.cells()
        names = {m.label: m.name for m in res.methods}
        c = c[c.n > 0].copy()  # instances not set up (never started)
        c["family"] = [sr.our_family(m, names.get(m, m)) for m in c.method]
        c["review"] = c.explicand.astype(int)
        c["b"] = c.budget.astype(int)
        c["band"] = [band_of(int(n)) for n in c.n]
        c["file"] = os.path.basename(path)
        c["message"] = c.message.fillna("").astype(str)
        frames.append(c[CELL_COLUMNS])
        res.close()
    cells = pd.concat(frames, ignore_index=True)
    # one cell per (method, review, b): the first finished one in file order, else the first
    cells["_rank"] = np.where(cells.status == "ok", 0, np.where(cells.status == "skipped", 1, 2))
    cells["_order"] = np.arange(len(cells))
    ok = cells[cells.status == "ok"]
    dup = ok.groupby(["method", "review", "b"]).r2.agg(["count", "min", "max"])
    dup = dup[dup["count"] > 1]
    # per method: how many cells finished in more than one file and how far their R^2 differ
    # (0 when the files ran the same code; a method changed between runs shows here)
    spread = {m: (int(len(d)), float((d["max"] - d["min"]).abs().max()))
              for m, d in dup.groupby(level="method")}
    cells = cells.sort_values(["_rank", "_order"]).drop_duplicates(["method", "review", "b"])
    return cells.drop(columns=["_rank", "_order"]).sort_values(["family", "b", "review"]), len(dup), spread


def load_published(directory):
    per = pd.read_csv(os.path.join(directory, sr.PUBLISHED_FILES[1])).dropna(subset=["r2"])
    per["family"] = [sr.published_family(m)[0] for m in per.method]
    per["band"] = [band_of(int(n)) for n in per.n_words]
    per["review"] = per.review_index.astype(int)
    return per


def ms(values):
    m, se, k = sr.mean_se(values)
    return m, se, k


def fmt(m, se=np.nan, digits=3):
    if m is None or not np.isfinite(m):
        return "" if m is None or np.isnan(m) else "%.3g" % m
    return ("%.*f" % (digits, m)) + ((" ± %.*f" % (digits, se)) if np.isfinite(se) else "")


def compare(ours, pub, family):
    """One row: ours over its finished reviews, published on the same ones (paired), published
    over every review it ran on. ours: the cells (ok) of one family at one b (one band or all);
    pub: the published rows at that b (same band selection)."""
    p = pub[pub.family == family]
    o = ours.set_index("review").r2
    m, se, k = ms(o.to_numpy())
    row = {"ours_n": k, "ours_r2_mean": m, "ours_r2_se": se}
    same = p[p.review.isin(o.index)].set_index("review").r2
    both = o.index.intersection(same.index)
    pm, pse, pk = ms(same.loc[both].to_numpy())
    dm, dse, _ = ms((o.loc[both] - same.loc[both]).to_numpy())
    am, ase, ak = ms(p.r2.to_numpy())
    row.update({"published_same_n": pk, "published_same_r2_mean": pm, "diff_mean": dm,
                "diff_se": dse, "published_all_n": ak, "published_all_r2_mean": am,
                "published_all_r2_se": ase})
    return row


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="+", help="result files (.h5) of the sentiment oracle on the "
                    "paper's sentiment.csv, or reproduction_cells.csv files written by this script")
    ap.add_argument("-o", "--outdir", default="figures/reproduction")
    ap.add_argument("--published", default=None, metavar="DIR",
                    help="directory of the published CSVs (default $SPX_SHARED_DATA/"
                         "spectral_explain, then ../shared/data/spectral_explain)")
    ap.add_argument("--b", type=int, default=None,
                    help="b of the by-band figure (default 8, or the largest b of the files)")
    args = ap.parse_args(argv)
    pub_dir, msg = sr.published_dir(args.published)
    if pub_dir is None:
        sys.exit("reproduction.py: %s" % msg)
    os.makedirs(args.outdir, exist_ok=True)
    stats = {}
    cells, ndup, spread = load_cells(args.results, stats)
    print("read %d cells of %d file(s); %d (method, review, b) finished in more than one file "
          "(the first file's is used)" % (len(cells), len(args.results), ndup))
    for m, (k, d) in sorted(spread.items()):
        print("  %s: %d cells in more than one file, max |R2 difference| %.3g" % (m, k, d))
    pub = load_published(pub_dir)
    fams = [f for f in ORDER if f in set(cells.family)] + \
        sorted(set(cells.family) - set(ORDER))
    bs = sorted(int(b) for b in cells.b.unique())
    if args.b is None:
        args.b = 8 if 8 in bs else bs[-1]
    elif args.b not in bs:
        sys.exit("reproduction.py: --b %d is not a budget point of the files (%s)"
                 % (args.b, ", ".join(str(b) for b in bs)))
    ok = cells[cells.status == "ok"]

    # coverage
    rows = []
    for fam in fams:
        for band in BAND_NAMES:
            c = cells[(cells.family == fam) & (cells.band == band)]
            for b in bs:
                d = c[c.b == b]
                sk = d[d.status == "skipped"]
                rows.append([fam, band, b, int((d.status == "ok").sum()), len(sk),
                             int((~d.status.isin(["ok", "skipped"])).sum()),
                             20 - len(d[d.status.isin(["ok", "skipped"])]),
                             " ".join(sorted(str(r) for r in d[d.status == "ok"].review)),
                             sk.message.iloc[0][:160] if len(sk) else ""])
    sr.write_csv(os.path.join(args.outdir, "reproduction_coverage.csv"),
                 ["family", "band", "b", "ok", "skipped", "pending_or_failed",
                  "not_run_of_20", "reviews_ok", "first_skip_reason"], rows,
                 comment="cells per method family, length band (words) and b; the paper has 20 "
                         "reviews per band. Files: " + ", ".join(args.results))

    # by band and by budget
    head = ["family", "b", "band", "ours_n", "ours_r2_mean", "ours_r2_se", "published_same_n",
            "published_same_r2_mean", "diff_mean", "diff_se", "published_all_n",
            "published_all_r2_mean", "published_all_r2_se"]
    band_rows, budget_rows = [], []
    for fam in fams:
        for b in bs:
            o = ok[(ok.family == fam) & (ok.b == b)]
            p = pub[pub.b == b]
            if len(o):
                budget_rows.append(dict(family=fam, b=b, band="all", **compare(o, p, fam)))
            for band in BAND_NAMES:
                ob = o[o.band == band]
                if len(ob):
                    band_rows.append(dict(family=fam, b=b, band=band,
                                          **compare(ob, p[p.band == band], fam)))
    comment = ("ours: VADER (spex-bench sentiment oracle) on the SPEX paper's reviews; published: "
               + sr.PUBLISHED_SETUP + ".\npublished_same: the published R2 on exactly the reviews "
               "where ours finished; diff = ours - published over those reviews (paired);\n"
               "published_all: every review of the selection the published method ran on. "
               "se = standard error over reviews, empty for one.")

    def out(rows_):
        return [[_num(r[h]) for h in head] for r in rows_]
    sr.write_csv(os.path.join(args.outdir, "reproduction_by_band.csv"), head, out(band_rows),
                 comment=comment)
    sr.write_csv(os.path.join(args.outdir, "reproduction_by_budget.csv"), head, out(budget_rows),
                 comment=comment)

    # ProxySPEX claim: ProxySPEX at b vs SPEX soft at b' over the reviews where both finished
    prox = []
    if "ProxySPEX" in fams and "SPEX soft" in fams:
        nrev = ok.drop_duplicates("review").set_index("review").n
        for r in sr.cross_budget_pairs(ok[ok.family == "ProxySPEX"], ok[ok.family == "SPEX soft"],
                                       "review"):
            prox.append([r["b"], r["x_queries_mean"], r["b2"], r["y_queries_mean"], r["cells"],
                         " ".join(sorted({band_of(int(nrev[e])) for e in r["keys"]},
                                         key=BAND_NAMES.index)),
                         _num(r["x_mean"]), _num(r["x_se"]), _num(r["y_mean"]), _num(r["y_se"]),
                         _num(r["diff_mean"]), _num(r["diff_se"])])
    # the same by length band, against SPEX soft at the largest b (the claim's reference)
    prox_band = []
    if "ProxySPEX" in fams and "SPEX soft" in fams:
        top = bs[-1]
        y = ok[(ok.family == "SPEX soft") & (ok.b == top)]
        for band in BAND_NAMES:
            x = ok[(ok.family == "ProxySPEX") & (ok.band == band)]
            for r in sr.cross_budget_pairs(x, y, "review"):
                prox_band.append([band, r["b"], top, r["cells"], _num(r["diff_mean"]),
                                  _num(r["diff_se"])])
    sr.write_csv(os.path.join(args.outdir, "reproduction_proxyspex_by_band.csv"),
                 ["band", "proxyspex_b", "spex_soft_b", "reviews", "diff_mean", "diff_se"],
                 prox_band, comment="ProxySPEX at b minus SPEX soft at the largest b, paired over "
                                    "the band's reviews where both finished.")
    sr.write_csv(os.path.join(args.outdir, "reproduction_proxyspex.csv"),
                 ["proxyspex_b", "proxyspex_queries_mean", "spex_soft_b", "spex_soft_queries_mean",
                  "reviews", "bands", "proxyspex_r2_mean", "proxyspex_r2_se", "spex_soft_r2_mean",
                  "spex_soft_r2_se", "diff_mean", "diff_se"], prox,
                 comment="ProxySPEX at b against SPEX soft at b' >= b, paired over the reviews "
                         "where both finished (diff = ProxySPEX - SPEX soft).")

    # ranking of ours at each b: the families finished on the most reviews first, paired
    rank = []
    for b in bs:
        o = ok[ok.b == b]
        counts = o.groupby("family").review.nunique().sort_values(ascending=False)
        # nested sets: every family, then dropping the least covered one at a time; a set is
        # listed only when it covers more reviews than the larger one before it
        last = 0
        for keep in range(len(counts), 1, -1):
            fs = list(counts.index[:keep])
            common = set.intersection(*[set(o[o.family == f].review) for f in fs])
            if len(common) <= last:
                continue
            last = len(common)
            for f in sorted(fs, key=lambda f: -o[(o.family == f) & o.review.isin(common)].r2.mean()):
                m, se, k = ms(o[(o.family == f) & o.review.isin(common)].r2)
                rank.append([b, "+".join(fs), len(common), f, _num(m), _num(se)])
    sr.write_csv(os.path.join(args.outdir, "reproduction_ranking.csv"),
                 ["b", "compared_families", "reviews", "family", "r2_mean", "r2_se"], rank,
                 comment="our methods at each b over the reviews where every compared family "
                         "finished (nested comparisons: all families, then without the least "
                         "covered one, ...).")

    # per review: VADER's saturation on the held-out masks beside each family's R2 at b
    rev_rows, sat = [], []
    okb = ok[ok.b == args.b].pivot_table(index="review", columns="family", values="r2")
    pubb = pub[(pub.b == args.b) & (pub.family == "SPEX soft")].set_index("review").r2
    for e in sorted(stats):
        n, sd, share = stats[e]
        r = [e, n, band_of(n), _num(sd), _num(share)]
        r += [_num(okb.at[e, f]) if e in okb.index and f in okb.columns and np.isfinite(okb.at[e, f])
              else "" for f in fams]
        r.append(_num(pubb.get(e, np.nan)))
        rev_rows.append(r)
    sr.write_csv(os.path.join(args.outdir, "reproduction_reviews.csv"),
                 ["review", "n", "band", "test_value_sd", "share_saturated"] +
                 ["r2_b%d %s" % (args.b, f) for f in fams] + ["published_r2_b%d SPEX soft" % args.b],
                 rev_rows, comment="per review: the held-out test values' sd and the share of them "
                 "with |VADER compound| > 0.9 (1000 uniform random masks), and our R2 at b = %d "
                 "(empty: not finished)." % args.b)
    if "SPEX soft" in okb.columns:
        for band in BAND_NAMES:
            es = [e for e in stats if band_of(stats[e][0]) == band and e in okb.index
                  and np.isfinite(okb.at[e, "SPEX soft"])]
            if es:
                sat.append([band, len(es), np.mean([stats[e][2] for e in es]),
                            np.mean([okb.at[e, "SPEX soft"] for e in es]),
                            np.mean([pubb.get(e, np.nan) for e in es]),
                            spearman([stats[e][2] for e in es],
                                     [okb.at[e, "SPEX soft"] for e in es])])
    write_cells(os.path.join(args.outdir, "reproduction_cells.csv"), cells, stats, args.results)
    write_markdown(os.path.join(args.outdir, "reproduction_tables.md"), fams, bs, args.b,
                   cells, band_rows, budget_rows, prox, rank, args.results, sat, stats, okb,
                   prox_band)
    plot_panels(pd.DataFrame(band_rows), fams, args.b, cells, pub,
                os.path.join(args.outdir, "reproduction_by_band.png"))
    plot_budget(pd.DataFrame(budget_rows), fams, pub,
                os.path.join(args.outdir, "reproduction_by_budget.png"))
    return 0


def _md_mean(m, se, n):
    if n == 0 or m is None or not np.isfinite(m):
        return "–" if n == 0 else ("%.3g" % m)
    return fmt(m, se) + " (%d)" % n


def spearman(x, y):
    """Spearman's rank correlation, ties given their average rank (so the order of the inputs
    does not matter); NaN for fewer than 3 pairs or when either side is constant."""
    rx = pd.Series(np.asarray(x, float)).rank(method="average").to_numpy()
    ry = pd.Series(np.asarray(y, float)).rank(method="average").to_numpy()
    if len(rx) < 3 or np.ptp(rx) == 0 or np.ptp(ry) == 0:
        return np.nan
    return float(np.corrcoef(rx, ry)[0, 1])


def write_markdown(path, fams, bs, b, cells, band_rows, budget_rows, prox, rank, files,
                   sat=(), stats=None, okb=None, prox_band=()):
    L = ["<!-- written by analysis/reproduction.py from %s -->" % ", ".join(
        os.path.basename(f) for f in files), ""]
    L += ["#### Coverage at b = %d: reviews finished (ok) / skipped by the method, of 20 per band" % b,
          "", "| family | " + " | ".join(BAND_NAMES) + " | all |",
          "|---|" + "---:|" * (len(BAND_NAMES) + 1)]
    for fam in fams:
        c = cells[(cells.family == fam) & (cells.b == b)]
        row = []
        for band in BAND_NAMES + ["all"]:
            d = c if band == "all" else c[c.band == band]
            k, sk = int((d.status == "ok").sum()), int((d.status == "skipped").sum())
            row.append(("%d" % k) + (" / %d skip" % sk if sk else ""))
        L.append("| %s | %s |" % (fam, " | ".join(row)))
    head = ("| family | %s | ours R² (reviews) | published, same reviews | ours − published "
            "(paired) | published, all its reviews |")
    L += ["", "#### R² by budget, all bands", "", head % "b", "|---|---:|---:|---:|---:|---:|"]
    for r in budget_rows:
        L.append("| %s | %d | %s | %s | %s | %s |" % (
            r["family"], r["b"], _md_mean(r["ours_r2_mean"], r["ours_r2_se"], r["ours_n"]),
            _md_mean(r["published_same_r2_mean"], np.nan, r["published_same_n"]),
            fmt(r["diff_mean"], r["diff_se"]) if r["published_same_n"] else "",
            _md_mean(r["published_all_r2_mean"], np.nan, r["published_all_n"])))
    L += ["", "#### R² by input length (words) at b = %d" % b, "", head % "band",
          "|---|---|---:|---:|---:|---:|"]
    for r in band_rows:
        if r["b"] != b:
            continue
        L.append("| %s | %s | %s | %s | %s | %s |" % (
            r["family"], r["band"], _md_mean(r["ours_r2_mean"], r["ours_r2_se"], r["ours_n"]),
            _md_mean(r["published_same_r2_mean"], np.nan, r["published_same_n"]),
            fmt(r["diff_mean"], r["diff_se"]) if r["published_same_n"] else "",
            _md_mean(r["published_all_r2_mean"], np.nan, r["published_all_n"])))
    if prox:
        L += ["", "#### ProxySPEX at b against SPEX soft at b' (paired over the reviews where both "
              "finished)", "", "| ProxySPEX b (queries) | SPEX soft b' (queries) | reviews | bands "
              "| ProxySPEX R² | SPEX soft R² | difference |", "|---:|---:|---:|---|---:|---:|---:|"]
        for p in prox:
            f = [float(x) if x != "" else np.nan for x in p[6:]]
            L.append("| %d (%s) | %d (%s) | %d | %s | %s | %s | %s |" % (
                p[0], "{:,}".format(p[1]), p[2], "{:,}".format(p[3]), p[4], p[5],
                fmt(f[0], f[1]), fmt(f[2], f[3]), fmt(f[4], f[5])))
    if prox_band:
        pbs = sorted({r[1] for r in prox_band})
        top = prox_band[0][2]
        L += ["", "#### ProxySPEX at b minus SPEX soft at b' = %d, by length band (paired)" % top,
              "", "| band | reviews | " + " | ".join("ProxySPEX b = %d" % x for x in pbs) + " |",
              "|---|---:|" + "---:|" * len(pbs)]
        for band in BAND_NAMES:
            rs = {r[1]: r for r in prox_band if r[0] == band}
            if rs:
                L.append("| %s | %s | %s |" % (band, "/".join(sorted({str(r[3]) for r in rs.values()})),
                         " | ".join(fmt(float(rs[x][4]), float(rs[x][5]) if rs[x][5] else np.nan)
                                    if x in rs else "" for x in pbs)))
    rk = [r for r in rank if r[0] == b]
    if rk:
        L += ["", "#### Our methods at b = %d, paired (nested: every family over the reviews "
              "where all finished, then without the least covered family, ...)" % b, "",
              "| compared families | reviews | ranking (R², mean ± SE) |", "|---|---:|---|"]
        groups = {}
        for r in rk:
            groups.setdefault((r[1], r[2]), []).append(r)
        for (fs, k), rs in groups.items():
            L.append("| %s | %d | %s |" % (fs.replace("+", ", "), k, "; ".join(
                "%s %s" % (r[3], fmt(float(r[4]), float(r[5]) if r[5] else np.nan)) for r in rs)))
    if sat:
        es = [e for e in stats if e in okb.index and "SPEX soft" in okb.columns
              and np.isfinite(okb.at[e, "SPEX soft"])]
        rho = spearman([stats[e][2] for e in es], [okb.at[e, "SPEX soft"] for e in es])
        L += ["", "#### VADER's saturation and SPEX soft's R² at b = %d, per band" % b, "",
              "Share of the 1000 held-out masks with \\|VADER compound\\| > 0.9 (the "
              "normalisation saturated), mean over the band's reviews where SPEX soft finished. "
              "Spearman correlation between a review's share and its SPEX soft R² over those %d "
              "reviews: %.2f." % (len(es), rho), "",
              "| band | reviews | share saturated | ours SPEX soft R² | published SPEX soft R², "
              "same reviews | Spearman(share, R²) within the band |",
              "|---|---:|---:|---:|---:|---:|"]
        for band, k, share, r2, p, rb in sat:
            L.append("| %s | %d | %.2f | %.3f | %.3f | %s |" % (
                band, k, share, r2, p, "%.2f" % rb if np.isfinite(rb) else "–"))
    with open(path, "w") as f:
        f.write("\n".join(L) + "\n")
    sr.wrote(path)


def _num(x):
    if isinstance(x, (int, np.integer)):
        return "%d" % x
    if isinstance(x, str):
        return x
    return "" if x is None or not np.isfinite(x) else "%.6g" % x


def _clip(ax, xs, ys, style, colour, label, marker, alpha=1.0, lw=1.6, value_dy=None):
    """A line with values below LOW drawn at LOW as a triangle; value_dy (points): print such
    values that far above the edge (None: not printed; the CSV has them)."""
    ys = np.asarray(ys, dtype=float)
    ax.plot(xs, np.maximum(ys, LOW), style, color=colour, marker=marker, label=label,
            alpha=alpha, lw=lw, markersize=4)
    for x, y in zip(xs, ys):
        if y < LOW:
            ax.plot([x], [LOW], "v", color=colour, markersize=6, alpha=alpha, clip_on=False)
            if value_dy is not None:
                ax.annotate("%.3g" % y, (x, LOW), fontsize=5.5, color=colour, ha="center",
                            va="bottom", xytext=(0, value_dy), textcoords="offset points")


def _grid(nf):
    cols = 4 if nf > 6 else 3
    rows = int(np.ceil(nf / cols))
    return rows, cols


def plot_panels(t, fams, b, cells, pub, path):
    t = t[t.b == b] if len(t) else t
    fams = [f for f in fams if len(t) and (t.family == f).any()]
    if not fams:
        return
    rows, cols = _grid(len(fams))
    fig, axes = plt.subplots(rows, cols, figsize=(3.3 * cols, 2.7 * rows + 1.0), sharey=True,
                             squeeze=False)
    xs_all = np.arange(len(BAND_NAMES))
    for ax, fam in zip(axes.ravel(), fams):
        d = t[t.family == fam].set_index("band").reindex(BAND_NAMES)
        have = ~d.ours_n.isna()
        x = xs_all[have.to_numpy()]
        _clip(ax, x, d.ours_r2_mean[have], "-", "C0", "ours (VADER)", "o", value_dy=16)
        for xi, n, y in zip(x, d.ours_n[have], d.ours_r2_mean[have]):
            if y >= LOW:
                ax.annotate("%d" % n, (xi, y), fontsize=6, color="C0", xytext=(2, 3),
                            textcoords="offset points")
        ps = d.published_same_r2_mean[have]
        if ps.notna().any():
            _clip(ax, x[ps.notna().to_numpy()], ps.dropna(), "--", "C3",
                  "published, same reviews", "x", value_dy=4)
        pa = d.published_all_r2_mean
        if pa.notna().any():
            _clip(ax, xs_all[pa.notna().to_numpy()], pa.dropna(), ":", "0.45",
                  "published, all reviews of band", ".", alpha=0.9, lw=1.2)
        elif not (pub.family == fam).any():
            ax.text(0.5, 0.05, "not in the paper", transform=ax.transAxes, fontsize=7,
                    ha="center", color="0.4")
        c = cells[(cells.family == fam) & (cells.b == b)]
        sk = c[c.status == "skipped"].groupby("band").review.nunique()
        for band, k in sk.items():
            if band in BAND_NAMES:
                ax.annotate("%d\nskip" % k, (BAND_NAMES.index(band), -0.35), fontsize=5.5,
                            color="#a00", ha="center", xytext=(0, 2), textcoords="offset points")
        ax.set_title(fam, fontsize=9)
        ax.set_xticks(xs_all)
        ax.set_xticklabels(BAND_NAMES, rotation=60, fontsize=6)
        ax.set_ylim(LOW - 0.08, 1.12)
        ax.axhline(0, color="0.8", lw=0.6)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(fams):]:
        ax.axis("off")
    for ax in axes[:, 0]:
        ax.set_ylabel("faithfulness R$^2$")
    h, lab = axes[0, 0].get_legend_handles_labels()
    fig.legend(h, lab, loc="upper center", ncol=3, fontsize=8, bbox_to_anchor=(0.5, 1.0))
    fig.text(0.01, 0.002, "\n".join(_wrap(
        "R$^2$ at b = %d by review length (words). Blue: ours, the VADER sentiment oracle, mean "
        "over the reviews of the band where our method finished (count above each point; the "
        "paper has 20 per band). Red dashed: published DistilBERT R$^2$ on exactly those reviews. "
        "Grey dotted: published, all reviews of the band it ran on. Values below %.0f are drawn "
        "at the bottom edge (\u25bc; ours and published-same values printed, all in the CSV). 'skip': reviews where our method skipped "
        "itself (above its work limit, or fewer samples than unknowns; the reasons are in the "
        "file and reproduction_coverage.csv)." % (b, LOW), 150)), fontsize=6.5, va="bottom")
    fig.tight_layout(rect=(0, 0.07, 1, 0.95))
    fig.savefig(path, dpi=120)
    plt.close(fig)
    sr.wrote(path)


def plot_budget(t, fams, pub, path):
    fams = [f for f in fams if len(t) and (t.family == f).any()]
    if not fams:
        return
    rows, cols = _grid(len(fams))
    fig, axes = plt.subplots(rows, cols, figsize=(3.3 * cols, 2.5 * rows + 1.0), sharey=True,
                             squeeze=False)
    for ax, fam in zip(axes.ravel(), fams):
        d = t[t.family == fam].sort_values("b")
        _clip(ax, d.b, d.ours_r2_mean, "-", "C0", "ours (VADER), its reviews", "o", value_dy=13)
        for b, n, y in zip(d.b, d.ours_n, d.ours_r2_mean):
            if y >= LOW:
                ax.annotate("%d" % n, (b, y), fontsize=6, color="C0", xytext=(2, 3),
                            textcoords="offset points")
        ps = d.dropna(subset=["published_same_r2_mean"])
        if len(ps):
            _clip(ax, ps.b, ps.published_same_r2_mean, "--", "C3", "published, same reviews", "x",
                  value_dy=4)
        p = pub[pub.family == fam].groupby("b").r2.mean()
        if len(p):
            _clip(ax, p.index, p.values, ":", "0.45", "published, all its reviews", ".",
                  alpha=0.9, lw=1.2)
        else:
            ax.text(0.5, 0.05, "not in the paper", transform=ax.transAxes, fontsize=7,
                    ha="center", color="0.4")
        ax.set_title(fam, fontsize=9)
        ax.set_xticks([3, 4, 5, 6, 7, 8])
        ax.set_ylim(LOW - 0.08, 1.08)
        ax.axhline(0, color="0.8", lw=0.6)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(fams):]:
        ax.axis("off")
    for ax in axes[-1, :]:
        ax.set_xlabel("b (N(b) = 3 (p+1) 2$^b$ queries)", fontsize=7)
    for ax in axes[:, 0]:
        ax.set_ylabel("faithfulness R$^2$")
    h, lab = axes[0, 0].get_legend_handles_labels()
    fig.legend(h, lab, loc="upper center", ncol=3, fontsize=8, bbox_to_anchor=(0.5, 1.0))
    fig.text(0.01, 0.002, "\n".join(_wrap(
        "R$^2$ by budget b over all bands. Blue: ours (VADER), mean over the reviews where our "
        "method finished at that b (count above each point; methods differ in coverage, so "
        "compare each blue line with the red one of its own panel, not across panels). Red "
        "dashed: published DistilBERT on exactly those reviews. Grey dotted: published over "
        "every review it ran on (160, or 60/40 for Faith-*; b = 3 ... 8). Values below %.0f at "
        "the bottom edge (\u25bc; ours and published-same values printed, all in the CSV)." % LOW, 150)), fontsize=6.5, va="bottom")
    fig.tight_layout(rect=(0, 0.07, 1, 0.95))
    fig.savefig(path, dpi=120)
    plt.close(fig)
    sr.wrote(path)


def _wrap(text, width):
    import textwrap
    return textwrap.wrap(text, width)


if __name__ == "__main__":
    sys.exit(main())
