"""spexbench.results: read a spex-bench HDF5 result file (layout: docs/results-format.md).

    import spexbench.results as sr
    res = sr.open("results/sentiment.h5")
    cells = res.cells()                 # long format: one row per (method, instance, budget, repeat)
    table = res.paired()                # paired means over the common set of finished cells
    top = res.interactions("spex_soft", explicand=4, budget=8, index="fsii", order=2)
    res.export_shapiq("spex_soft", 4, 8, "review4.json", index="fsii", order=2)

Paired comparisons (docs/results-format.md "Paired comparisons"): at each budget point the
methods that finished (status ok) on the most (instance, repeat) cells form the *common*
group; they are compared on the cells where every one of them finished, so their means are
over the same explicands. A method that finished on fewer cells gets its own rows (set "own"),
and it is compared with the common methods only on the cells where all of them finished (set
"subset", subset_of = that method), so it is only ever ranked on equal terms. Uncertainty is one convention everywhere:
the standard error of the mean over cells, sd (ddof = 1) / sqrt(k); a single cell has none
(NaN, printed without a ±).

Index conversions (Shapley, Banzhaf, FSII, ...) are done by spex-bench itself
(`spex-bench convert`), never re-implemented here: the binary is $SPX_BIN, else
build/spex-bench of this repository, else `spex-bench` on PATH.

Needs numpy, h5py and pandas (Debian: python3-numpy, python3-h5py, python3-pandas).
"""
import builtins
import json
import os
import shutil
import subprocess
import warnings

import h5py
import numpy as np

STATUS = {0: "pending", 1: "ok", 2: "skipped", 3: "failed"}
INDICES = ("fourier", "moebius", "sii", "bii", "sv", "bv", "fsii", "fbii", "stii", "ksii")
# Our index names -> shapiq's (InteractionValues.index).
SHAPIQ_INDEX = {"sii": "SII", "bii": "BII", "sv": "SV", "bv": "BV", "fsii": "FSII",
                "fbii": "FBII", "stii": "STII", "ksii": "k-SII", "moebius": "Moebius",
                "fourier": "Fourier"}
CELL_METRICS = ("r2", "time_decode", "time_oracle", "peak_rss_mib", "coef_error", "precision",
                "recall", "kendall_tau")


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray) and value.shape == ():
        return _text(value[()])
    return str(value)


def mean_se(values):
    """(mean, standard error of the mean, count) of the values; SE is NaN for one value.
    Every value counts (an R^2 of -inf gives a mean of -inf: it is a finished cell)."""
    v = np.asarray(values, dtype=float).ravel()
    v = v[~np.isnan(v)]
    k = int(v.size)
    if k == 0:
        return np.nan, np.nan, 0
    mean = float(v.mean()) if np.all(np.isfinite(v)) else float(np.sum(v))
    if k == 1 or not np.all(np.isfinite(v)):
        return mean, np.nan, k
    return mean, float(v.std(ddof=1) / np.sqrt(k)), k


def format_mean_se(mean, se, digits=4):
    """'0.9123 ± 0.0123', or just '0.9123' when there is no standard error (one cell)."""
    if mean is None or np.isnan(mean):
        return "-"
    text = "%.*f" % (digits, mean)
    if se is not None and np.isfinite(se):
        text += " \u00b1 %.*f" % (digits, se)
    return text


class Method:
    """One /results/<label> group: arrays indexed [instance, budget, repeat]."""

    def __init__(self, label, group):
        self.label = label
        self.name = _text(group.attrs.get("method", label))
        self.r2 = group["r2"][()]
        self.time_decode = group["time_decode"][()]
        self.time_oracle = group["time_oracle"][()]
        self.peak_rss_mib = group["peak_rss_mib"][()] if "peak_rss_mib" in group else None
        self.queries = group["queries"][()].astype(float)
        self.status = group["status"][()].astype(int)
        self.message = group["message"][()] if "message" in group else None
        self.coef_error = group["coef_error"][()] if "coef_error" in group else None
        self.precision = group["precision"][()] if "precision" in group else None
        self.recall = group["recall"][()] if "recall" in group else None
        self.kendall_tau = group["kendall_tau"][()] if "kendall_tau" in group else None
        # [instance, budget, repeat, fraction] task accuracy of the pruned model, or None
        self.pruning_accuracy = group["pruning_accuracy"][()] if "pruning_accuracy" in group else None
        self._group = group

    def ok(self):
        return self.status == 1

    def metric(self, name):
        """The [I, B, R] array of a cell metric (r2, time_decode, ...), or None."""
        return getattr(self, name, None)

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
        basis = _text(g.attrs.get("basis", "fourier")).lower()
        if basis not in ("fourier", "moebius"):
            raise ValueError("%s: transform basis %r cannot be converted" % (g.name, basis))
        return (1 if basis == "moebius" else 0), terms


class Instance:
    def __init__(self, index, group):
        self.index = index
        self.n = int(group.attrs["n"])
        self.explicand = int(group.attrs.get("explicand", index))
        self.description = _text(group.attrs.get("description", ""))
        self.labels = [_text(x) for x in group["labels"][()]] if "labels" in group else None
        self.budget_queries = group["budget"][()] if "budget" in group else None
        self.pruning_full = float(group["pruning_full"][()]) if "pruning_full" in group else None
        self.pruning_random = group["pruning_random"][()] if "pruning_random" in group else None
        self.pruning_kept = group["pruning_kept"][()] if "pruning_kept" in group else None
        self.feature_images = group["feature_images"][()] if "feature_images" in group else None
        self.explicand_image = group["explicand_image"][()] if "explicand_image" in group else None


class UnknownMethod(KeyError):
    """A method label that is not in the file; the message lists the labels that are."""

    def __str__(self):
        return self.args[0]


class Results:
    """An open result file. Use open(path)."""

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

    # -- basic access ---------------------------------------------------------------------

    def close(self):
        self.file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def labels(self):
        return [m.label for m in self.methods]

    def method(self, label):
        for m in self.methods:
            if m.label == label:
                return m
        raise UnknownMethod("no method labelled %r in %s; the labels are: %s"
                            % (label, self.path, ", ".join(self.labels()) or "(none)"))

    def n_instances(self):
        """I, the instances axis of the cell arrays (set-up or not)."""
        if self.methods:
            return self.methods[0].status.shape[0]
        return len(self.instances)

    def instance_n(self):
        """n of each instance index 0 .. I-1 (-1 for an instance not set up yet)."""
        n = np.full(self.n_instances(), -1, dtype=np.int64)
        for inst in self.instances:
            n[inst.index] = inst.n
        return n

    def instance_explicand(self):
        """Oracle explicand number of each instance index (-1 when not set up)."""
        e = np.full(self.n_instances(), -1, dtype=np.int64)
        for inst in self.instances:
            e[inst.index] = inst.explicand
        return e

    def oracle_kind(self):
        """The [oracle] kind of the stored configuration ('' if not found)."""
        section = None
        for line in self.config.splitlines():
            s = line.strip()
            if s.startswith("["):
                section = s.strip("[]").strip()
            elif section == "oracle" and s.startswith("kind"):
                return s.split("=", 1)[1].strip().strip("'\"")
        return ""

    def oracle_option(self, key):
        """A top-level key of the stored [oracle] table as text ('' if absent)."""
        section = None
        for line in self.config.splitlines():
            s = line.strip()
            if s.startswith("["):
                section = s.strip("[]").strip()
            elif section == "oracle" and "=" in s and s.split("=", 1)[0].strip() == key:
                return s.split("=", 1)[1].strip().strip("'\"")
        return ""

    def mean_queries(self, method):
        """Mean queries per budget point over finished cells."""
        q = np.where(method.ok(), method.queries, np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmean(q, axis=(0, 2))

    def budget_index(self, budget):
        """Index of a budget point given by value (spx_b or samples); a negative int counts
        from the end like Python indices when given as budget_index(-1)."""
        hits = np.nonzero(self.budget == budget)[0]
        if hits.size == 0:
            raise ValueError("budget %r is not a budget point of %s (%s: %s)"
                             % (budget, self.path, self.budget_mode,
                                ", ".join(str(b) for b in self.budget)))
        return int(hits[0])

    def instance_of(self, explicand, instance=None):
        """The Instance of an oracle explicand number (instance= picks among scaling points)."""
        if instance is not None:
            found = [inst for inst in self.instances if inst.index == instance]
            if not found:
                raise ValueError("instance %r of %s is not set up" % (instance, self.path))
            return found[0]
        found = [inst for inst in self.instances if inst.explicand == explicand]
        if not found:
            raise ValueError("explicand %r is not in %s (explicands: %s)"
                             % (explicand, self.path,
                                ", ".join(str(i.explicand) for i in self.instances)))
        if len(found) > 1:
            raise ValueError("explicand %r has %d instances in %s (scaling points); pass "
                             "instance= one of %s" % (explicand, len(found), self.path,
                                                      [i.index for i in found]))
        return found[0]

    # -- long format ------------------------------------------------------------------------

    def cells(self):
        """pandas DataFrame, one row per (method, instance, budget point, repeat): method,
        method_name, instance, explicand, n, budget_index, budget, repeat, status (text),
        queries, message and every stored cell metric (r2, time_decode, time_oracle,
        peak_rss_mib, coef_error, precision, recall, kendall_tau)."""
        import pandas as pd
        frames = []
        inst_expl = self.instance_explicand()
        inst_n = self.instance_n()
        for m in self.methods:
            I, B, R = m.status.shape
            ii, bb, rr = np.meshgrid(np.arange(I), np.arange(B), np.arange(R), indexing="ij")
            d = {"method": m.label, "method_name": m.name,
                 "instance": ii.ravel(),
                 "explicand": inst_expl[ii.ravel()],
                 "n": inst_n[ii.ravel()],
                 "budget_index": bb.ravel(), "budget": self.budget[bb.ravel()],
                 "repeat": rr.ravel(),
                 "status": [STATUS.get(int(s), str(s)) for s in m.status.ravel()],
                 "queries": m.queries.ravel().astype(np.int64)}
            for name in CELL_METRICS:
                arr = m.metric(name)
                d[name] = arr.ravel() if arr is not None else np.full(ii.size, np.nan)
            d["message"] = ([_text(x) for x in m.message.ravel()] if m.message is not None
                            else [""] * ii.size)
            frames.append(pd.DataFrame(d))
        if not frames:
            return pd.DataFrame(columns=["method", "method_name", "instance", "explicand", "n",
                                         "budget_index", "budget", "repeat", "status",
                                         "queries"] + list(CELL_METRICS) + ["message"])
        return pd.concat(frames, ignore_index=True)

    # -- paired comparisons -----------------------------------------------------------------

    def paired_sets(self, b, methods=None, instances=None):
        """(common_labels, common_mask [I, R], partial {label: mask [I, R]}) at budget index b.
        methods: labels compared (default all); instances: boolean [I] restricting the cells
        (e.g. one length band). A method with no finished cell there is left out."""
        ms = [self.method(x) for x in methods] if methods is not None else list(self.methods)
        I = self.n_instances()
        sel = np.ones(I, bool) if instances is None else np.asarray(instances, bool)
        masks = {}
        for m in ms:
            ok = m.ok()[:, b, :] & sel[:, None]
            if ok.any():
                masks[m.label] = ok
        if not masks:
            return [], None, {}
        most = max(int(v.sum()) for v in masks.values())
        common = [label for label, v in masks.items() if int(v.sum()) == most]
        cmask = np.logical_and.reduce([masks[label] for label in common])
        partial = {label: v for label, v in masks.items() if label not in common}
        return common, cmask, partial

    def paired(self, metric="r2", methods=None, instances=None):
        """pandas DataFrame of paired means, one row per (set, method, budget point):
        set ('common' | 'own' | 'subset'), subset_of (the method whose finished cells define
        an 'own'/'subset' row; '' for common), method, budget_index, budget, queries_mean,
        n_cells, n_explicands, <metric>_mean, <metric>_se, explicands (tuple of the oracle
        explicand numbers averaged over). 'common': the methods finished on
        the most cells, over the cells where all of them finished. 'own': a method finished on
        fewer cells, over its own cells. 'subset': that method and the common ones on the cells
        where all of them finished (a paired comparison on its explicands)."""
        import pandas as pd
        rows = []
        expl = self.instance_explicand()
        for b in range(len(self.budget)):
            common, cmask, partial = self.paired_sets(b, methods, instances)
            groups = [("common", "", common, cmask)]
            for label, pmask in partial.items():
                groups.append(("own", label, [label], pmask))
                groups.append(("subset", label, [label] + common, pmask & cmask))
            for kind, of, labels, mask in groups:
                if mask is None:
                    continue
                for label in labels:
                    m = self.method(label)
                    arr = m.metric(metric)
                    if arr is None:
                        continue
                    cell_mask = mask & m.ok()[:, b, :]
                    vals = arr[:, b, :][cell_mask]
                    q = m.queries[:, b, :][cell_mask]
                    mean, se, k = mean_se(vals)
                    rows.append({"set": kind, "subset_of": of, "method": label,
                                 "budget_index": b, "budget": self.budget[b],
                                 "queries_mean": float(q.mean()) if q.size else np.nan,
                                 "n_cells": int(cell_mask.sum()),
                                 "n_explicands": int(cell_mask.any(axis=1).sum()),
                                 "explicands": tuple(int(e) for e in
                                                     expl[cell_mask.any(axis=1)]),
                                 metric + "_mean": mean, metric + "_se": se})
        cols = ["set", "subset_of", "method", "budget_index", "budget", "queries_mean",
                "n_cells", "n_explicands", metric + "_mean", metric + "_se", "explicands"]
        return pd.DataFrame(rows, columns=cols)

    # -- interactions (conversions by spex-bench) -------------------------------------------

    def transform_json(self, method, explicand, budget, repeat=0, instance=None,
                       budget_index=None):
        """The stored transform of one finished cell as spex-bench convert's input dict."""
        m = self.method(method)
        inst = self.instance_of(explicand, instance)
        b = budget_index if budget_index is not None else self.budget_index(budget)
        if m.status[inst.index, b, repeat] != 1:
            raise ValueError("%s: cell (explicand %d, budget %s, repeat %d) of %s is %s, not ok"
                             % (self.path, inst.explicand, self.budget[b], repeat, method,
                                STATUS.get(int(m.status[inst.index, b, repeat]), "?")))
        cell = m.transform(inst.index, b, repeat)
        if cell is None:
            raise ValueError("%s: %s stores no transform for explicand %d at budget %s"
                             % (self.path, method, inst.explicand, self.budget[b]))
        basis, terms = cell
        return {"n": inst.n, "basis": "moebius" if basis == 1 else "fourier",
                "interactions": [{"features": list(k), "value": v} for k, v in terms.items()]}

    def interactions(self, method, explicand, budget, index="moebius", order=2, repeat=0,
                     instance=None, budget_index=None, top=None):
        """pandas DataFrame of one cell's interactions in the requested index (converted by
        `spex-bench convert`), sorted by |value| descending: features (tuple), labels (the
        features' labels joined by ' + '; '(empty set)' for the baseline), degree, value.
        index: fourier, moebius, sii, bii, sv, bv, fsii, fbii, stii, ksii; order as in
        `spex-bench explain` (sv and bv use 1)."""
        import pandas as pd
        inst = self.instance_of(explicand, instance)
        t = self.transform_json(method, explicand, budget, repeat, instance, budget_index)
        out = convert([t], index=index, order=order, top=top)[0]
        names = inst.labels or ["x%d" % i for i in range(inst.n)]
        rows = []
        for it in out["interactions"]:
            feats = tuple(int(i) for i in it["features"])
            rows.append({"features": feats,
                         "labels": " + ".join(names[i] for i in feats) if feats else "(empty set)",
                         "degree": len(feats), "value": float(it["value"])})
        df = pd.DataFrame(rows, columns=["features", "labels", "degree", "value"])
        df.attrs.update({"index": out["index"], "order": int(out["order"]), "n": inst.n,
                         "method": method, "explicand": inst.explicand,
                         "budget": self.budget[budget_index if budget_index is not None
                                               else self.budget_index(budget)]})
        return df

    def export_shapiq(self, method, explicand, budget, path, index="fsii", order=2, repeat=0,
                      instance=None, budget_index=None):
        """Write one cell's explanation as a shapiq InteractionValues JSON file
        (InteractionValues.from_json_file reads it): metadata index, max_order, min_order,
        n_players, baseline_value (the index's empty-set value), estimated, estimation_budget;
        data = values by coalition ("Empty", "0", "0,3", ...). Returns the dict written."""
        df = self.interactions(method, explicand, budget, index=index, order=order,
                               repeat=repeat, instance=instance, budget_index=budget_index)
        inst = self.instance_of(explicand, instance)
        m = self.method(method)
        b = budget_index if budget_index is not None else self.budget_index(budget)
        data, baseline = {}, 0.0
        for feats, value in zip(df["features"], df["value"]):
            key = ",".join(str(i) for i in feats) if feats else "Empty"
            data[key] = value
            if not feats:
                baseline = value
        max_order = int(df["degree"].max()) if len(df) else 0
        doc = {"object_name": "InteractionValues", "data_type": "interaction_values",
               "version": self.meta.get("version", ""),
               "created_from": "spex-bench %s: %s, method %s, explicand %d, budget %s, repeat %d"
                               % (self.meta.get("version", ""), os.path.basename(self.path),
                                  method, inst.explicand, self.budget[b], repeat),
               "description": inst.description or None,
               "parameters": {"labels": inst.labels or [], "spex_index": df.attrs["index"],
                              "order": df.attrs["order"]},
               "timestamp": self.meta.get("end_time", ""),
               "metadata": {"n_players": inst.n, "index": SHAPIQ_INDEX[df.attrs["index"]],
                            "max_order": max_order, "min_order": 0, "estimated": True,
                            "estimation_budget": int(m.queries[inst.index, b, repeat]),
                            "baseline_value": baseline},
               "data": data}
        with builtins.open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2, ensure_ascii=False)
        return doc


def open(path):  # noqa: A001 (the package's entry point is results.open)
    """Open a result file; raises FileNotFoundError with the path when it does not exist."""
    if not os.path.exists(path):
        raise FileNotFoundError("%s: no such file" % path)
    return Results(path)


def spex_bench_binary():
    """$SPX_BIN, else build/spex-bench of this repository, else spex-bench on PATH."""
    env = os.environ.get("SPX_BIN")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    local = os.path.join(here, "..", "..", "build", "spex-bench")
    if os.path.exists(local):
        return os.path.normpath(local)
    found = shutil.which("spex-bench")
    if found:
        return found
    raise FileNotFoundError("spex-bench not found: set SPX_BIN, build the repository "
                            "(scripts/build) or put spex-bench on PATH")


def convert(transforms, index="moebius", order=2, top=None):
    """Convert transforms (dicts {"n", "basis", "interactions"}) with `spex-bench convert`;
    returns its list of {"n", "basis", "index", "order", "interactions"}."""
    if index not in INDICES:
        raise ValueError("unknown index %r (one of %s)" % (index, ", ".join(INDICES)))
    cmd = [spex_bench_binary(), "convert", "--index", index, "--order", str(int(order))]
    if top is not None:
        cmd += ["--top", str(int(top))]
    p = subprocess.run(cmd, input=json.dumps(list(transforms)), capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("%s failed (exit %d): %s" % (" ".join(cmd), p.returncode,
                                                        p.stderr.strip()))
    return json.loads(p.stdout)
