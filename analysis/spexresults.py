"""spexresults.py: what the analysis scripts share on top of the spexbench package.

The file reader, the paired comparison and the index conversions live in
python/spexbench/results.py (layout: docs/results-format.md); this module adds the figure and
CSV helpers, the length bands and the published (SPEX paper) results. One uncertainty
convention everywhere: the standard error of the mean over cells (mean_se), none for one cell.
Needs Debian's python3-h5py, numpy, pandas and matplotlib.
"""
import csv
import os
import sys
import warnings

import numpy as np

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(_HERE, "..", "python"))
from spexbench import results as _results  # noqa: E402
from spexbench.results import (STATUS, Instance, Method, Results, UnknownMethod,  # noqa: E402,F401
                               _text, convert, format_mean_se, mean_se)

open_results = _results.open


def wrote(path):
    """Say which file a script wrote (every analysis script does, one line per file)."""
    print("wrote %s" % path)


def method_colours(labels):
    """One colour per method label, stable across the figures of one file (tab10, then tab20)."""
    import matplotlib
    cmap = matplotlib.colormaps["tab10" if len(labels) <= 10 else "tab20"]
    return {label: cmap(i % cmap.N) for i, label in enumerate(labels)}


def log_ticks(ax, values=None):
    """Log x axis labelled with plain numbers: ticks at the data's x values when there are few
    (values, or the plotted lines' x), else the usual decades; no minor labels."""
    from matplotlib.ticker import FuncFormatter, NullFormatter
    ax.set_xscale("log")
    if values is None:
        values = sorted({float(x) for line in ax.get_lines() for x in line.get_xdata()
                         if np.isfinite(x) and x > 0})
    if 0 < len(values) <= 8:
        span = max(np.log(max(values) / min(values)), np.log(4.0))
        kept = []
        for v in sorted(values):  # drop ticks closer than 14% of the axis to the previous one
            if not kept or np.log(v / kept[-1]) > 0.14 * span:
                kept.append(v)
        ax.set_xticks(kept)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: "%.0f" % v if v >= 100 else "%g" % v))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.margins(x=0.08)


def finish_axes(fig, ax, path, xlabel, ylabel, logx=True, logy=False, title=""):
    """Label, grid and legend (outside the axes, right) one plot, save it as PNG (120 dpi),
    say so and clear the figure."""
    if logx:
        log_ticks(ax)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3, which="both")
    if title:
        ax.set_title(title, fontsize=9)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    fig.tight_layout()
    fig.savefig(path, dpi=120, bbox_inches="tight")
    fig.clf()
    wrote(path)


def write_csv(path, header, rows, comment=None):
    """A CSV file with one header row (after '# ' comment lines, if given); says so."""
    with open(path, "w", newline="") as f:
        if comment:
            for line in comment.splitlines():
                f.write("# %s\n" % line)
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    wrote(path)


def read_csv(path):
    """Rows (dicts) of a CSV written by write_csv, skipping its '# ' comment lines."""
    with open(path, newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def mean_ci(values):
    """Kept for older scripts: (mean, standard error) of the non-NaN values; the project's one
    convention is the standard error (NaN for a single value), not a 95% interval."""
    mean, se, _ = mean_se(values)
    return mean, se


def pruning_curves(res, method, budget):
    """Per-explicand pruning curves of a method at one budget index: [explicands, fractions],
    the mean over the finished (ok) repeats of each explicand; NaN where none finished."""
    acc = method.pruning_accuracy[:, budget, :, :]
    ok = method.ok()[:, budget, :]
    vals = np.where(ok[:, :, None], acc, np.nan)
    with warnings.catch_warnings():  # an explicand without finished cells gives NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(vals, axis=1)


def pruning_references(res):
    """(random [explicands, fractions] = mean over the random orders, full [explicands]) of
    the set-up explicands."""
    F = len(res.pruning["fractions"])
    rnd, full = [], []
    for inst in res.instances:
        if inst.pruning_full is None:
            continue
        full.append(inst.pruning_full)
        r = inst.pruning_random
        rnd.append(r.mean(axis=0) if r is not None and r.size else np.full(F, np.nan))
    return np.array(rnd).reshape(-1, F), np.array(full)


def cross_budget_pairs(x, y, key):
    """The ProxySPEX claim's comparison: method X at each budget b against method Y at every
    budget b' >= b, paired over the keys (e.g. review, or instance and repeat) where both
    finished. x, y: DataFrames of finished cells with columns b, queries, r2 and the key
    column(s). Returns dicts with b, x_queries_mean, b2, y_queries_mean, cells, keys (the
    common index), x_mean, x_se, y_mean, y_se, diff_mean, diff_se (diff = X - Y)."""
    out = []
    for b in sorted(int(v) for v in x.b.unique()):
        xs = x[x.b == b].set_index(key)
        for b2 in sorted(int(v) for v in y.b.unique()):
            if b2 < b:
                continue
            ys = y[y.b == b2].set_index(key)
            both = xs.index.intersection(ys.index)
            if not len(both):
                continue
            xm, xse, k = mean_se(xs.r2.loc[both])
            ym, yse, _ = mean_se(ys.r2.loc[both])
            dm, dse, _ = mean_se((xs.r2.loc[both] - ys.r2.loc[both]).to_numpy())
            out.append(dict(b=b, x_queries_mean=int(xs.queries.loc[both].mean()), b2=b2,
                            y_queries_mean=int(ys.queries.loc[both].mean()), cells=k, keys=both,
                            x_mean=xm, x_se=xse, y_mean=ym, y_se=yse, diff_mean=dm,
                            diff_se=dse))
    return out


def length_band(n):
    """Power-of-two band [2^k, 2^(k+1) - 1] containing n, as a label."""
    k = int(np.floor(np.log2(max(n, 1))))
    return (2 ** k, 2 ** (k + 1) - 1)


# -- the SPEX paper's published sentiment results (../shared/data/spectral_explain) ----------

PUBLISHED_FILES = ("published_sentiment_by_budget.csv", "published_sentiment_per_review.csv")
# What the published numbers are, for captions and tables.
PUBLISHED_SETUP = ("DistilBERT sentiment classifier on the SPEX paper's 160 reviews "
                   "(sentiment.csv, 20 per length band 8-15 ... 1024-2047 words)")


def published_dir(explicit=None):
    """The directory holding the published CSVs: explicit (a directory or one of the files),
    else $SPX_SHARED_DATA/spectral_explain, else ../shared/data/spectral_explain relative to
    the repository. Returns (directory or None, message saying where it looked)."""
    repo = os.path.normpath(os.path.join(_HERE, ".."))
    cands = []
    if explicit:
        cands.append(explicit if os.path.isdir(explicit) else os.path.dirname(explicit) or ".")
    if os.environ.get("SPX_SHARED_DATA"):
        cands.append(os.path.join(os.environ["SPX_SHARED_DATA"], "spectral_explain"))
    cands.append(os.path.join(repo, "..", "shared", "data", "spectral_explain"))
    for d in cands:
        if os.path.exists(os.path.join(d, PUBLISHED_FILES[0])):
            return os.path.normpath(d), ""
    return None, ("published SPEX results not found (looked for %s in %s); pass --published DIR "
                  "or set SPX_SHARED_DATA to the directory holding spectral_explain/"
                  % (PUBLISHED_FILES[0], ", ".join(os.path.normpath(c) for c in cands)))


# Published method names (spectral-explain result files) -> (family, our label, order).
# A family is what ours and theirs share one colour for.
def published_family(name):
    """(family, our method label it corresponds to) of a published method name, e.g.
    qsft_soft_0 -> ("SPEX soft", "spex_soft"), linear_2 -> ("Faith-Banzhaf 2",
    "faith_banzhaf_2"), faith_shapley_3 -> ("Faith-Shap 3", "faith_shap_3")."""
    fixed = {"qsft_soft_0": ("SPEX soft", "spex_soft"), "qsft_hard_0": ("SPEX hard", "spex_hard"),
             "lime_0": ("LIME", "lime"), "banzhaf_0": ("Banzhaf", "banzhaf"),
             "shapley_0": ("KernelSHAP", "kernelshap")}
    if name in fixed:
        return fixed[name]
    for prefix, fam, ours in (("linear_", "Faith-Banzhaf", "faith_banzhaf_"),
                              ("faith_shapley_", "Faith-Shap", "faith_shap_"),
                              ("shapley_taylor_", "Shapley-Taylor", "shapley_taylor_")):
        if name.startswith(prefix):
            k = name[len(prefix):]
            if k == "1" and prefix == "linear_":
                return ("Faith-Banzhaf 1", "faith_banzhaf_1")
            return ("%s %s" % (fam, k), ours + k)
    return (name, name)


def published_label(name):
    return published_family(name)[0]


def our_family(label, name):
    """Family of one of our methods (label, registry name) in the published naming."""
    fixed = {"spex_soft": "SPEX soft", "spex_hard": "SPEX hard", "lime": "LIME",
             "banzhaf": "Banzhaf", "kernelshap": "KernelSHAP", "proxyspex": "ProxySPEX"}
    if label in fixed:
        return fixed[label]
    for prefix, fam in (("faith_banzhaf_", "Faith-Banzhaf"), ("faith_shap_", "Faith-Shap"),
                        ("shapley_taylor_", "Shapley-Taylor")):
        if label.startswith(prefix):
            return "%s %s" % (fam, label[len(prefix):])
    if name == "spex":
        return "SPEX"
    return label


def comparable_to_published(res):
    """(True, '') when the file's oracle is the VADER sentiment oracle the published
    comparison is meant for, else (False, why)."""
    kind = res.oracle_kind()
    if kind in ("sentiment",) or (kind == "text" and "vader" in res.config.lower()):
        return True, ""
    return False, ("the file's oracle is %r, not the sentiment (VADER) oracle: the SPEX paper's "
                   "published sentiment numbers are not comparable" % (kind or "unknown"))
