#!/usr/bin/python3
"""plot_index_accuracy.py: index-accuracy figures and tables from bench_estimators CSVs.

  <config>_mse.png        MSE (and Precision@10) against budget per method, log-log; the
                          mean over explicands and repetitions, bars = its standard error;
                          MSEs below 1e-10 (exact results) are drawn at 1e-10
  index_accuracy.csv      config, method, budget, runs, mean/sem MSE, mean relative MSE,
                          Precision@5/10, Kendall tau@10, mean decode seconds
  stdout                  markdown tables: MSE per budget per method, and the ProxySHAP paper's
                          aggregate (MSE averaged over the budgets both compared methods ran,
                          then over explicands) as ratios to ProxySHAP, the number of budgets
                          where ProxySHAP is better, and the ratio at the largest common budget
                          below 2^n (at 2^n the exact estimators are exact, ratios meaningless)

usage: plot_index_accuracy.py RUN.csv [RUN.csv ...] -o OUTDIR
"""
import argparse
import csv
import math
import os
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

FLOOR = 1e-10  # MSEs below are drawn at the floor (exact up to rounding, e.g. at budget 2^n)
ORDER = ["proxyshap_msr", "proxyshap_none", "proxyspex", "kernelshap_iq", "shap_iq",
         "svarm_iq", "permutation", "kadd_shap"]


def num(x):
    try:
        return float(x)
    except ValueError:
        return math.nan


def load(paths):
    """The ok rows, each with "point": the position of its budget among the budgets of its
    (config, explicand) (explicands with different n have different budgets; a column of the
    tables is one position, labelled with its budget range)."""
    rows, grid = [], defaultdict(set)
    for p in paths:
        with open(p, newline="") as f:
            for r in csv.DictReader(f):
                r["budget"] = int(r["budget"])
                grid[(r["config"], r["explicand"])].add(r["budget"])
                if r["status"] != "ok":
                    continue
                for k in ("mse", "rel_mse", "precision5", "precision10", "tau10", "time_decode"):
                    r[k] = num(r[k])
                rows.append(r)
    pos = {key: {b: i for i, b in enumerate(sorted(bs))} for key, bs in grid.items()}
    for r in rows:
        r["point"] = pos[(r["config"], r["explicand"])][r["budget"]]
    return rows


def mean(xs):
    xs = [x for x in xs if not math.isnan(x)]
    return sum(xs) / len(xs) if xs else math.nan


def sem(xs):
    xs = [x for x in xs if not math.isnan(x)]
    if len(xs) < 2:
        return 0.0
    m = sum(xs) / len(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1) / len(xs))


def fmt(x):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return "%.2g" % x if x != 0 else "0"


def blabel(rs):
    lo, hi = min(r["budget"] for r in rs), max(r["budget"] for r in rs)
    return str(lo) if lo == hi else "%d-%d" % (lo, hi)


def method_key(m):
    return (ORDER.index(m) if m in ORDER else len(ORDER), m)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv", nargs="+")
    ap.add_argument("-o", "--outdir", default="figures")
    args = ap.parse_args(argv)
    for p in args.csv:
        if not os.path.exists(p):
            sys.exit("plot_index_accuracy.py: %s: no such file" % p)
    os.makedirs(args.outdir, exist_ok=True)
    rows = load(args.csv)
    if not rows:
        sys.exit("plot_index_accuracy.py: no ok rows in the input")
    # cell[(config, method, budget)] = rows
    cell = defaultdict(list)
    for r in rows:
        cell[(r["config"], r["method"], r["point"])].append(r)
    configs = sorted({r["config"] for r in rows})
    out_csv = os.path.join(args.outdir, "index_accuracy.csv")
    with open(out_csv, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["config", "method", "index", "order", "budget_point", "budgets", "runs", "mse", "mse_sem",
                    "rel_mse", "precision5", "precision10", "tau10", "time_decode"])
        for (c, m, b), rs in sorted(cell.items(), key=lambda kv: (kv[0][0], method_key(kv[0][1]), kv[0][2])):
            w.writerow([c, m, rs[0]["index"], rs[0]["order"], b, blabel(rs), len(rs),
                        "%.6g" % mean([r["mse"] for r in rs]), "%.3g" % sem([r["mse"] for r in rs]),
                        "%.6g" % mean([r["rel_mse"] for r in rs]),
                        "%.4g" % mean([r["precision5"] for r in rs]),
                        "%.4g" % mean([r["precision10"] for r in rs]),
                        "%.4g" % mean([r["tau10"] for r in rs]),
                        "%.4g" % mean([r["time_decode"] for r in rs])])
    for c in configs:
        methods = sorted({m for (cc, m, _) in cell if cc == c}, key=method_key)
        budgets = sorted({b for (cc, _, b) in cell if cc == c})  # budget points
        at = {b: [r for (cc, _, bb), rs in cell.items() if cc == c and bb == b for r in rs]
              for b in budgets}
        xval = {b: math.exp(mean([math.log(r["budget"]) for r in at[b]])) for b in budgets}
        some = next(r for r in rows if r["config"] == c)
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
        for m in methods:
            bs = [b for b in budgets if (c, m, b) in cell]
            ys = [mean([r["mse"] for r in cell[(c, m, b)]]) for b in bs]
            es = [sem([r["mse"] for r in cell[(c, m, b)]]) for b in bs]
            ps = [mean([r["precision10"] for r in cell[(c, m, b)]]) for b in bs]
            ys_plot = [max(y, FLOOR) for y in ys]
            style = "-" if m.startswith("proxyshap") else "--" if m == "proxyspex" else ":"
            xs = [xval[b] for b in bs]
            axes[0].errorbar(xs, ys_plot, yerr=es, label=m, linestyle=style, marker="o", ms=3,
                             capsize=2)
            axes[1].plot(xs, ps, label=m, linestyle=style, marker="o", ms=3)
        axes[0].set_xscale("log")
        axes[0].set_yscale("log")
        axes[0].set_xlabel("budget (model evaluations)")
        axes[0].set_ylabel("MSE of %s order %s (floor %g = exact)" % (some["index"], some["order"], FLOOR))
        axes[0].set_title("%s (n = %s)" % (c, some["n"]))
        axes[1].set_xscale("log")
        axes[1].set_ylim(-0.02, 1.02)
        axes[1].set_xlabel("budget (model evaluations)")
        axes[1].set_ylabel("Precision@10")
        axes[0].legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(os.path.join(args.outdir, "%s_mse.png" % c), dpi=80)
        plt.close(fig)

        # table 1: MSE per budget
        print("\n### %s: MSE of %s order %s (mean over explicands and repetitions)\n"
              % (c, some["index"], some["order"]))
        print("| method \\ budget | " + " | ".join(blabel(at[b]) for b in budgets) + " |")
        print("|---|" + "---|" * len(budgets))
        for m in methods:
            print("| %s | " % m + " | ".join(
                fmt(mean([r["mse"] for r in cell[(c, m, b)]])) if (c, m, b) in cell else "–"
                for b in budgets) + " |")
        # table 2: the paper's aggregate over budgets common to the pair
        print("\n%s: MSE averaged over the budgets both ran, ratio to ProxySHAP (> 1: ProxySHAP "
              "better); wins = budgets where ProxySHAP's MSE is lower\n" % c)
        print("| ratio | vs proxyshap_msr | wins | at the largest common budget < 2^n | vs proxyshap_none | wins | at the largest common budget < 2^n |")
        print("|---|---|---|---|---|---|---|")
        for other in [m for m in methods if not m.startswith("proxyshap")]:
            cells = []
            for ps in ("proxyshap_msr", "proxyshap_none"):
                common = [b for b in budgets if (c, other, b) in cell and (c, ps, b) in cell]
                if not common:
                    cells += ["–", "–", "–"]
                    continue
                # per explicand: mean over budgets, then mean over explicands (the paper's order)
                def agg(meth):
                    per = defaultdict(list)
                    for b in common:
                        for r in cell[(c, meth, b)]:
                            per[r["explicand"]].append(r["mse"])
                    return mean([mean(v) for v in per.values()])
                a, p = agg(other), agg(ps)
                wins = sum(1 for b in common
                           if mean([r["mse"] for r in cell[(c, ps, b)]])
                           < mean([r["mse"] for r in cell[(c, other, b)]]))
                below = [b for b in common
                         if all(r["budget"] < 2 ** int(r["n"]) for r in cell[(c, ps, b)])]
                last = below[-1] if below else common[-1]
                la = mean([r["mse"] for r in cell[(c, other, last)]])
                lp = mean([r["mse"] for r in cell[(c, ps, last)]])
                cells += [fmt(a / p) if p > 0 else ("inf" if a > 0 else "1"),
                          "%d/%d" % (wins, len(common)),
                          "%s (%s)" % (fmt(la / lp) if lp > 0 else ("inf" if la > 0 else "1"),
                                       blabel(cell[(c, ps, last)]))]
            print("| %s / ProxySHAP | %s |" % (other, " | ".join(cells)))
    print("\nwrote %s and %d figures in %s" % (out_csv, len(configs), args.outdir), file=sys.stderr)


if __name__ == "__main__":
    main()
