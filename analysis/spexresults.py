"""spexresults.py: read a spex-bench HDF5 result file (layout: docs/results-format.md).

Used by the plot_*.py scripts and report.py; needs Debian's python3-h5py and numpy.
"""
import itertools
import warnings

import h5py
import numpy as np

STATUS = {0: "pending", 1: "ok", 2: "skipped", 3: "failed"}


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray) and value.shape == ():
        return _text(value[()])
    return str(value)


class Method:
    """One method entry: arrays indexed [instance, budget, repeat]."""

    def __init__(self, label, group):
        self.label = label
        self.name = _text(group.attrs.get("method", label))
        self.r2 = group["r2"][()]
        self.time_decode = group["time_decode"][()]
        self.time_oracle = group["time_oracle"][()]
        self.queries = group["queries"][()].astype(float)
        self.status = group["status"][()].astype(int)
        self.message = group["message"][()] if "message" in group else None
        self.coef_error = group["coef_error"][()] if "coef_error" in group else None
        # [instance, budget, repeat, fraction] task accuracy of the pruned model, or None
        self.pruning_accuracy = group["pruning_accuracy"][()] if "pruning_accuracy" in group else None
        self._group = group

    def ok(self):
        return self.status == 1

    def transform(self, instance, budget, repeat=0):
        """(basis, {tuple(features): coefficient}) of one cell, or None; basis 0 = Fourier,
        1 = Moebius."""
        path = "transform/%d/%d/%d" % (instance, budget, repeat)
        if path not in self._group:
            return None
        g = self._group[path]
        offsets = g["offsets"][()]
        indices = g["indices"][()]
        coefs = g["coefficients"][()]
        terms = {}
        for t in range(len(coefs)):
            key = tuple(int(i) for i in indices[offsets[t]:offsets[t + 1]])
            terms[key] = float(coefs[t])
        basis = _text(g.attrs.get("basis", "fourier"))
        return (1 if basis.lower().startswith("m") or basis == "1" else 0), terms


class Instance:
    def __init__(self, index, group):
        self.index = index
        self.n = int(group.attrs["n"])
        self.explicand = int(group.attrs.get("explicand", index))
        self.description = _text(group.attrs.get("description", ""))
        self.labels = [_text(x) for x in group["labels"][()]] if "labels" in group else None
        self.budget_queries = group["budget"][()] if "budget" in group else None
        # Pruning references (None without [pruning]): the full model's task accuracy and the
        # random orders' accuracies [orders, fractions].
        self.pruning_full = float(group["pruning_full"][()]) if "pruning_full" in group else None
        self.pruning_random = group["pruning_random"][()] if "pruning_random" in group else None
        self.pruning_kept = group["pruning_kept"][()] if "pruning_kept" in group else None
        # Feature images [n, h, w] in [0, 1] and the explicand's own [h, w], or None.
        self.feature_images = group["feature_images"][()] if "feature_images" in group else None
        self.explicand_image = group["explicand_image"][()] if "explicand_image" in group else None


class Results:
    def __init__(self, path):
        self.path = path
        self.file = h5py.File(path, "r")
        f = self.file
        self.config = _text(f["config"][()]) if "config" in f else ""
        self.meta = {k: _text(v) for k, v in f["meta"].attrs.items()} if "meta" in f else {}
        self.budget = f["budget"][()] if "budget" in f else np.array([])
        self.budget_mode = _text(f["budget"].attrs.get("mode", "")) if "budget" in f else ""
        self.instances = []
        if "explicands" in f:
            keys = sorted(f["explicands"].keys(), key=int)
            self.instances = [Instance(int(k), f["explicands"][k]) for k in keys]
        # Pruning experiment ([pruning]): fractions [F], rank_by, random_orders; or None.
        self.pruning = None
        if "pruning" in f:
            g = f["pruning"]
            self.pruning = {"fractions": g["fractions"][()],
                            "rank_by": _text(g.attrs.get("rank_by", "")),
                            "random_orders": int(g.attrs.get("random_orders", 0))}
        self.methods = []
        if "results" in f:
            for label in f["results"].keys():
                self.methods.append(Method(label, f["results"][label]))

    def close(self):
        self.file.close()

    def instance_n(self):
        return np.array([inst.n for inst in self.instances])

    def mean_queries(self, method):
        """Mean queries per budget point over finished cells."""
        q = np.where(method.ok(), method.queries, np.nan)
        with np.errstate(all="ignore"):
            return np.nanmean(q, axis=(0, 2))


def finish_axes(fig, ax, path, xlabel, ylabel, logx=True, logy=False, title=""):
    """Label, grid and legend one plot, save it as PNG at path (120 dpi) and close it."""
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3, which="both")
    if title:
        ax.set_title(title)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    fig.clf()


def write_csv(path, header, rows):
    """A CSV file with one header row."""
    import csv
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def mean_ci(values):
    """Mean and 95% normal interval half-width of the finite entries."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return np.nan, np.nan
    if v.size == 1:
        return float(v[0]), 0.0
    return float(v.mean()), float(1.96 * v.std(ddof=1) / np.sqrt(v.size))


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


def length_band(n):
    """Power-of-two band [2^k, 2^(k+1) - 1] containing n, as a label."""
    k = int(np.floor(np.log2(max(n, 1))))
    return (2 ** k, 2 ** (k + 1) - 1)


def fourier_to_moebius(terms):
    """Moebius coefficients a(T) = (-2)^|T| sum_{K >= T} F(K) of a sparse Fourier dict."""
    out = {}
    for key, value in terms.items():
        for r in range(len(key) + 1):
            for sub in itertools.combinations(key, r):
                out[sub] = out.get(sub, 0.0) + value * (-2.0) ** r
    return {k: v for k, v in out.items() if v != 0.0}


def shapley_from_moebius(moebius, n):
    """Shapley values SV_i = sum_{S containing i} a(S) / |S|."""
    sv = np.zeros(n)
    for key, value in moebius.items():
        for i in key:
            sv[i] += value / len(key)
    return sv


# Published method names (spectral-explain result files) -> ours (name, order option).
PUBLISHED_NAMES = {
    "qsft_soft_0": "spex (soft)",
    "qsft_hard_0": "spex (hard)",
    "lime_0": "lime",
    "banzhaf_0": "banzhaf",
    "shapley_0": "kernelshap",
}


def published_label(name):
    if name in PUBLISHED_NAMES:
        return PUBLISHED_NAMES[name]
    for prefix, ours in (("faith_shapley_", "faith_shap"), ("linear_", "faith_banzhaf"),
                         ("shapley_taylor_", "shapley_taylor")):
        if name.startswith(prefix):
            return "%s order %s" % (ours, name[len(prefix):])
    return name
