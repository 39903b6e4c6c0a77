#!/usr/bin/python3
"""report.py: one self-contained HTML page for a spex-bench result file.

Comparisons are paired (docs/results-format.md, "Paired comparisons"): at each budget point the
methods finished on the most cells are ranked over the cells where all of them finished, each
row with its count; a method finished on fewer explicands is never ranked against them: it gets
its own table, compared with the others on its own cells only. Mean ± standard error over
cells (no ± for a single cell).

Sections: figures (faithfulness; scaling, recovery and pruning when present), the paired
summary, the cells not finished (with reasons), recovery metrics (precision, recall, Kendall
tau, coefficient error) for recovery and scaling runs, the SPEX paper comparison for sentiment
(VADER) files when the published results are found (../shared/data/spectral_explain by
default), and per explicand its features coloured by their Shapley values, a bar chart of its
strongest interactions in the chosen index (signed colour scale), a network of its strongest
pairs and tables of synergistic and redundant pairs. The explaining method defaults to the
most faithful method of the file whose transforms have interactions (paired R^2 at the largest
budget point), the index to fsii of order 2; all index conversions are done by
`spex-bench convert`.

usage: report.py RESULTS.h5 -o REPORT.html [--method LABEL] [--index NAME] [--order K]
                 [--explicands K] [--top K] [--published [DIR]]
"""
import argparse
import base64
import html
import io
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plot_faithfulness  # noqa: E402
import plot_pruning  # noqa: E402
import plot_recovery  # noqa: E402
import plot_scaling  # noqa: E402
import ocr_overlay  # noqa: E402 (ocr oracle: interactions drawn on the line image)
import spexresults as sr  # noqa: E402

INDEX_NAMES = {"sv": "Shapley values", "bv": "Banzhaf values", "sii": "Shapley interaction index",
               "bii": "Banzhaf interaction index", "fsii": "Faith-Shap interaction index",
               "fbii": "Faith-Banzhaf interaction index", "stii": "Shapley-Taylor index",
               "ksii": "k-Shapley interaction index", "moebius": "Moebius coefficients",
               "fourier": "Fourier coefficients"}
CHOICES = ("sv", "bv", "sii", "bii", "fsii", "fbii", "ksii", "stii", "moebius", "fourier")

STYLE = """
body { font-family: sans-serif; max-width: 1150px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em 0; font-size: 88%; }
td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th { background: #f0f0f0; }
td.l, th.l { text-align: left; }
tr.own td { background: #fff4e5; }
caption { caption-side: top; text-align: left; font-size: 90%; padding: 4px 0; color: #444; }
.words span { padding: 1px 2px; margin: 1px; border-radius: 3px; line-height: 1.9; }
.note { background: #f4f7fb; border-left: 4px solid #6a8fc7; padding: 0.5em 1em; font-size: 92%; }
.warn { background: #fff4e5; border-left: 4px solid #e08a00; padding: 0.5em 1em; font-size: 92%; }
pre { background: #f7f7f7; padding: 1em; overflow-x: auto; font-size: 80%; }
img { max-width: 100%; }
img.pix { image-rendering: pixelated; width: 40px; height: 40px; border: 1px solid #bbb;
          margin: 1px; vertical-align: middle; }
"""


def embed(path, alt=None):
    with open(path, "rb") as f:
        data = base64.b64encode(f.read()).decode("ascii")
    return '<img src="data:image/png;base64,%s" alt="%s">' % (
        data, html.escape(alt or os.path.basename(path)))


def fig_tag(fig, alt):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return '<img src="data:image/png;base64,%s" alt="%s">' % (data, html.escape(alt))


def image_tag(pixels, title):
    """A small inline PNG of a [h, w] image with values in [0, 1] (1 = ink)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    px = np.clip(np.asarray(pixels, dtype=float), 0.0, 1.0)
    big = np.kron(px, np.ones((4, 4)))  # 4x upscaled, so viewers do not blur it
    buf = io.BytesIO()
    plt.imsave(buf, big, cmap="gray_r", vmin=0.0, vmax=1.0, format="png")
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    t = html.escape(title)
    return '<img class=pix src="data:image/png;base64,%s" alt="%s" title="%s">' % (data, t, t)


def colour(value, scale):
    """Blue for positive, red for negative attributions, alpha by magnitude."""
    a = 0.0 if scale == 0 else min(1.0, abs(value) / scale)
    rgb = "0,90,255" if value > 0 else "230,40,40"
    return "rgba(%s,%.2f)" % (rgb, 0.85 * a)


def fmt(mean, se=None, digits=4):
    return html.escape(sr.format_mean_se(mean, se, digits))


# -- summary ---------------------------------------------------------------------------------

def summary_tables(res, out):
    table = res.paired()
    out.write("<p class=note>Each budget point ranks the methods that finished on the most "
              "cells, over the cells where <b>all</b> of them finished (<i>cells</i> = (explicand,"
              " repeat) pairs; the count is in every row). R&sup2; is the mean &plusmn; standard "
              "error of the mean over those cells (sd / &radic;cells; no &plusmn; for a single "
              "cell). A method that finished on fewer explicands is not ranked against them: it"
              " is listed below the ranking, compared with the others on its own cells only."
              "</p>\n")
    for b in range(len(res.budget)):
        t = table[table.budget_index == b]
        common = t[t.set == "common"].sort_values("r2_mean", ascending=False)
        if common.empty:
            continue
        out.write("<h3>Budget point %s</h3>\n" % res.budget[b])
        out.write("<table><caption>ranking over the common set: %d cells (%d explicands) where "
                  "all %d methods finished</caption>\n"
                  "<tr><th>rank</th><th class=l>method</th><th>queries</th><th>R&sup2;</th>"
                  "<th>decode s</th><th>oracle s</th><th>cells</th></tr>\n"
                  % (common.n_cells.max(), common.n_explicands.max(), len(common)))
        for k, r in enumerate(common.itertuples(index=False)):
            m = res.method(r.method)
            td = _cell_mean(res, m, b, r.explicands, "time_decode")
            to = _cell_mean(res, m, b, r.explicands, "time_oracle")
            out.write("<tr><td>%d</td><td class=l>%s</td><td>%.0f</td><td>%s</td><td>%.4g</td>"
                      "<td>%.4g</td><td>%d</td></tr>\n"
                      % (k + 1, html.escape(r.method), r.queries_mean, fmt(r.r2_mean, r.r2_se),
                         td, to, r.n_cells))
        out.write("</table>\n")
        for label in t[t.set == "own"].method.unique():
            own = t[(t.set == "own") & (t.method == label)].iloc[0]
            sub = t[(t.set == "subset") & (t.subset_of == label)].sort_values("r2_mean",
                                                                              ascending=False)
            out.write("<table><caption><b>%s finished on fewer explicands</b> (%d cells, %d "
                      "explicands: %s): not ranked above; its own mean is %s. On the %d cells "
                      "where it and every common method finished:</caption>\n"
                      "<tr><th class=l>method</th><th>queries</th><th>R&sup2; on these cells"
                      "</th><th>cells</th></tr>\n"
                      % (html.escape(label), own.n_cells, own.n_explicands,
                         html.escape(", ".join(str(e) for e in own.explicands[:20])),
                         fmt(own.r2_mean, own.r2_se), sub.n_cells.max() if len(sub) else 0))
            for r in sub.itertuples(index=False):
                cls = " class=own" if r.method == label else ""
                out.write("<tr%s><td class=l>%s</td><td>%.0f</td><td>%s</td><td>%d</td></tr>\n"
                          % (cls, html.escape(r.method), r.queries_mean,
                             fmt(r.r2_mean, r.r2_se), r.n_cells))
            out.write("</table>\n")
    return table


def _cell_mean(res, m, b, explicands, what):
    expl = res.instance_explicand()
    sel = np.isin(expl, list(explicands))
    vals = getattr(m, what)[sel, b, :][m.ok()[sel, b, :]]
    return float(vals.mean()) if vals.size else float("nan")


def unfinished_table(res, out):
    rows = []
    for m in res.methods:
        for b in range(len(res.budget)):
            st = m.status[:, b, :]
            if not ((st == 2) | (st == 3) | (st == 0)).any():
                continue
            reasons = set()
            if m.message is not None:
                for msg, s in zip(np.ravel(m.message[:, b, :]), np.ravel(st)):
                    if s in (2, 3):
                        reasons.add(sr._text(msg))
            rows.append((m.label, res.budget[b], int((st == 1).sum()), int((st == 2).sum()),
                         int((st == 3).sum()), int((st == 0).sum()), "; ".join(sorted(reasons))))
    if not rows:
        out.write("<p>Every cell finished.</p>\n")
        return
    out.write("<table><tr><th class=l>method</th><th>budget point</th><th>ok</th><th>skipped"
              "</th><th>failed</th><th>pending</th><th class=l>reasons</th></tr>\n")
    for r in rows:
        out.write("<tr><td class=l>%s</td><td>%s</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td>"
                  "<td class=l>%s</td></tr>\n" % (html.escape(r[0]), r[1], r[2], r[3], r[4], r[5],
                                                  html.escape(r[6][:500])))
    out.write("</table>\n")


def recovery_table(res, out):
    tabs = plot_recovery.tables(res)
    qs = [q for q in ("precision", "recall", "kendall_tau", "coef_error", "r2") if q in tabs]
    out.write("<p>Against the oracle's known coefficients: <i>precision</i> = share of the "
              "recovered interactions that are in the true support, <i>recall</i> = share of "
              "the true support recovered, <i>Kendall tau</i> = rank agreement of the "
              "coefficients, <i>coefficient error</i> = relative L2 error of the coefficients "
              "(0 = exact). Paired like the summary; mean &plusmn; standard error.</p>\n")
    out.write("<table><tr><th class=l>set</th><th class=l>method</th><th>budget point</th>"
              "<th>queries</th>%s<th>cells</th></tr>\n"
              % "".join("<th>%s</th>" % q.replace("_", " ") for q in qs))
    base = tabs[qs[0]]
    for r in base[base.set.isin(["common", "own"])].itertuples(index=False):
        cells = []
        for q in qs:
            t = tabs[q]
            row = t[(t.set == r.set) & (t.method == r.method) & (t.budget_index == r.budget_index)]
            if row.empty:
                cells.append("<td>-</td>")
            else:
                x = row.iloc[0]
                cells.append("<td>%s</td>" % fmt(x[q + "_mean"], x[q + "_se"],
                                                 3 if q != "coef_error" else 3))
        cls = " class=own" if r.set == "own" else ""
        out.write("<tr%s><td class=l>%s</td><td class=l>%s</td><td>%s</td><td>%.0f</td>%s"
                  "<td>%d</td></tr>\n" % (cls, "common" if r.set == "common" else
                                          "own (fewer explicands)", html.escape(r.method),
                                          r.budget, r.queries_mean, "".join(cells), r.n_cells))
    out.write("</table>\n")


def paper_table(header, rows, caption, out):
    out.write("<p class=note>%s</p>\n" % html.escape(caption))
    for view, title in (("budget", "R&sup2; per method at each matching b"),
                        ("band", "R&sup2; by input length at b = %s" %
                         (rows[[r[0] for r in rows].index("band")][4]
                          if any(r[0] == "band" for r in rows) else "?"))):
        sel = [r for r in rows if r[0] == view]
        if not sel:
            continue
        out.write("<h3>%s</h3>\n<table><tr><th class=l>family</th><th>%s</th><th>ours: "
                  "R&sup2;</th><th>ours: cells</th><th>published: R&sup2;</th>"
                  "<th>published: reviews</th><th>published on our reviews</th><th>reviews"
                  "</th></tr>\n" % (title, "b" if view == "budget" else "band"))
        for r in sel:
            ours = fmt(float(r[8]), float(r[9]) if r[9] != "" else None) if r[8] != "" else "-"
            if r[6] == "own":
                ours += " (own set)"
            out.write("<tr><td class=l>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
                      "<td>%s</td><td>%s</td><td>%s</td></tr>\n"
                      % (html.escape(r[1]), r[4] if view == "budget" else r[5], ours, r[7],
                         r[11] or "-", r[10] or "-", r[13] or "-", r[12] or "-"))
        out.write("</table>\n")


# -- interactions ----------------------------------------------------------------------------

def max_degree(m, b):
    """Largest interaction degree stored in m's first finished transform at budget index b."""
    I, _, R = m.status.shape
    for i in range(I):
        for r in range(R):
            if m.status[i, b, r] == 1:
                cell = m.transform(i, b, r)
                if cell is not None:
                    return max((len(k) for k in cell[1]), default=0)
    return -1


def choose_method(res, table):
    """(method, why): the most faithful method with interactions (degree >= 2), by paired
    R^2 at the largest budget point where one is in the common set."""
    for b in reversed(range(len(res.budget))):
        t = table[(table.budget_index == b) & (table.set == "common")]
        t = t.sort_values("r2_mean", ascending=False)
        for r in t.itertuples(index=False):
            if max_degree(res.method(r.method), b) >= 2:
                return res.method(r.method), (
                    "the most faithful method with interactions in this file: paired R&sup2; %s "
                    "at budget point %s over %d cells" % (fmt(r.r2_mean, r.r2_se), r.budget,
                                                           r.n_cells))
    for m in res.methods:
        if m.ok().any():
            return m, "no method with interactions finished; the first that finished"
    return None, ""


def explicand_cells(res, method):
    """[(instance, budget index)] of each set-up instance's largest finished budget point."""
    cells = []
    for inst in res.instances:
        for b in reversed(range(len(res.budget))):
            if method.status[inst.index, b, 0] == 1 and method.transform(inst.index, b, 0):
                cells.append((inst, b))
                break
    return cells


def bar_plot(df, labels_of, index, order, title):
    """Horizontal bars of the top interactions, coloured by a signed (diverging) scale."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm
    d = df[df.degree > 0].head(15).iloc[::-1]
    if d.empty:
        return ""
    vmax = float(np.max(np.abs(d.value))) or 1.0
    norm = TwoSlopeNorm(vmin=-vmax, vcenter=0.0, vmax=vmax)
    cmap = matplotlib.colormaps["RdBu"]
    fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(d) + 1.1))
    ax.barh(np.arange(len(d)), d.value, color=[cmap(norm(v)) for v in d.value],
            edgecolor="#555", linewidth=0.4)
    ax.set_yticks(np.arange(len(d)))
    ax.set_yticklabels([_short(s) for s in d.labels], fontsize=7)
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_xlabel("%s (order %d): red lowers, blue raises the output; pairs: red = redundant, "
                  "blue = synergistic" % (index, order), fontsize=7)
    ax.set_title(title, fontsize=8)
    sm = matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap)
    fig.colorbar(sm, ax=ax, fraction=0.03, pad=0.01)
    ax.grid(alpha=0.3, axis="x")
    tag = fig_tag(fig, "top interactions: " + title)
    plt.close(fig)
    return tag


def _short(s, width=38):
    return s if len(s) <= width else s[: width - 1] + "\u2026"


def network_plot(df, names, index, title, top=12):
    """Features on a circle, the strongest pairs as edges (blue synergy, red redundancy, width
    by |value|), node colour by the index's first-order value."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm
    pairs = df[df.degree == 2].head(top)
    if pairs.empty:
        return ""
    nodes = sorted({i for f in pairs.features for i in f})
    first = {f[0]: v for f, v in zip(df.features, df.value) if len(f) == 1}
    ang = np.linspace(0, 2 * np.pi, len(nodes), endpoint=False)
    pos = {i: (np.cos(a), np.sin(a)) for i, a in zip(nodes, ang)}
    fig, ax = plt.subplots(figsize=(5.8, 5.2))
    wmax = float(np.max(np.abs(pairs.value))) or 1.0
    for f, v in zip(pairs.features, pairs.value):
        (x0, y0), (x1, y1) = pos[f[0]], pos[f[1]]
        ax.plot([x0, x1], [y0, y1], color="#1f5fbf" if v > 0 else "#d62728",
                linewidth=0.8 + 5 * abs(v) / wmax, alpha=0.75, zorder=1)
    fv = np.array([first.get(i, 0.0) for i in nodes])
    vmax = float(np.max(np.abs(fv))) or 1.0
    norm = TwoSlopeNorm(vmin=-vmax, vcenter=0.0, vmax=vmax)
    ax.scatter([pos[i][0] for i in nodes], [pos[i][1] for i in nodes], s=260,
               c=[matplotlib.colormaps["RdBu"](norm(v)) for v in fv], edgecolors="#333",
               zorder=2)
    for i in nodes:
        x, y = pos[i]
        ax.annotate(_short(names[i], 18), (x * 1.16, y * 1.16), ha="center", va="center",
                    fontsize=7)
    ax.set_xlim(-1.5, 1.5)
    ax.set_ylim(-1.4, 1.4)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title + "\nedges: blue = synergy (%s > 0), red = redundancy (< 0), width = "
                 "|value|; nodes: first-order value" % index, fontsize=7)
    tag = fig_tag(fig, "network of the strongest pairs: " + title)
    plt.close(fig)
    return tag


def explicand_section(res, method, inst, b, df, sv, index, order, out, top=10):
    labels = inst.labels or ["x%d" % i for i in range(inst.n)]
    out.write("<h3>Explicand %d: %s</h3>\n" % (inst.explicand, html.escape(inst.description)))
    out.write("<p>%s at budget point %s (n = %d features).</p>\n"
              % (html.escape(method.label), res.budget[b], inst.n))
    images = inst.feature_images
    if inst.explicand_image is not None:
        out.write("<p>explicand image: %s</p>\n"
                  % image_tag(inst.explicand_image, "explicand %d" % inst.explicand))
    if ocr_overlay.is_region_image(images, inst.explicand_image):
        ranked = sorted(zip(df.features, df.value), key=lambda kv: -abs(kv[1]))
        fig = ocr_overlay.interactions_figure(
            inst.explicand_image, images, ranked, labels,
            "explicand %d, %s, top %s interactions" % (inst.explicand, method.label, index))
        out.write("<p>%s</p>\n" % fig_tag(fig, "top interactions on the image"))
        import matplotlib.pyplot as plt
        plt.close(fig)
    sv_vals = np.zeros(inst.n)
    for f, v in zip(sv.features, sv.value):
        if len(f) == 1:
            sv_vals[f[0]] = v
    scale = np.max(np.abs(sv_vals)) if inst.n else 0
    out.write("<p>Features coloured by their Shapley value (of the %s reconstruction; blue "
              "raises, red lowers the output):</p>\n<p class=words>" % html.escape(method.label))
    for i in range(inst.n):
        out.write('<span style="background:%s" title="%s: %.4g">%s</span> '
                  % (colour(sv_vals[i], scale), html.escape(labels[i]), sv_vals[i],
                     html.escape(labels[i])))
    out.write("</p>\n")
    title = "explicand %d, %s, %s order %d" % (inst.explicand, method.label, index, order)
    out.write("<p>%s</p>\n" % bar_plot(df, labels, index, order, title))
    net = network_plot(df, labels, index, title)
    if net:
        out.write("<p>%s</p>\n" % net)
    pairs = [(f, v) for f, v in zip(df.features, df.value) if len(f) == 2]
    higher = [(f, v) for f, v in zip(df.features, df.value) if len(f) >= 3]
    tables = [
        ("strongest synergistic pairs (%s > 0: together they add more than apart)" % index,
         sorted((kv for kv in pairs if kv[1] > 0), key=lambda kv: -kv[1]), "synergy"),
        ("strongest redundant pairs (%s < 0: together they add less than apart; either does "
         "part of the other's work)" % index,
         sorted((kv for kv in pairs if kv[1] < 0), key=lambda kv: kv[1]), "redundancy"),
        ("strongest interactions of order 3 and more", sorted(higher, key=lambda kv: -abs(kv[1])),
         None),
    ]
    for caption, rows, kind in tables:
        if not rows:
            continue
        out.write("<p>%s:</p>\n" % html.escape(caption))
        out.write("<table><tr><th class=l>interaction (%s)</th><th>value</th><th class=l>kind"
                  "</th>%s</tr>\n" % (html.escape(index),
                                      "<th class=l>images</th>" if images is not None else ""))
        for key, value in rows[:top]:
            k = kind or ("synergy" if value > 0 else "redundancy")
            pics = ""
            if images is not None:
                pics = "<td class=l>%s</td>" % " ".join(image_tag(images[i], labels[i]) for i in key)
            out.write("<tr><td class=l>%s</td><td>%.4g</td><td class=l>%s</td>%s</tr>\n"
                      % (html.escape(" + ".join(labels[i] for i in key)), value, k, pics))
        out.write("</table>\n")


def interactions_section(res, method, why, index, order, count, out):
    cells = explicand_cells(res, method)[:count]
    if not cells:
        out.write("<p>%s has no finished transform to explain.</p>\n" % html.escape(method.label))
        return
    out.write("<p class=note>Explained with <b>%s</b> (%s), index <b>%s</b> (%s) of order %d, "
              "converted from the stored transform by <code>spex-bench convert</code>. "
              "<b>Synergy</b> here means a pair whose %s value is positive (the two features "
              "together move the output up by more than their separate effects); "
              "<b>redundancy</b> a negative value (together less than apart). The sign is that "
              "of the chosen index: another index can rank or even sign a pair differently "
              "(change it with --index / --order).</p>\n"
              % (html.escape(method.label), why, html.escape(index),
                 html.escape(INDEX_NAMES.get(index, index)), order, html.escape(index)))
    ts = [res.transform_json(method.label, inst.explicand, None, instance=inst.index,
                             budget_index=b) for inst, b in cells]
    conv = sr.convert(ts, index=index, order=order)
    shap = sr.convert(ts, index="sv", order=1)
    import pandas as pd
    for (inst, b), c, s in zip(cells, conv, shap):
        names = inst.labels or ["x%d" % i for i in range(inst.n)]

        def frame(x):
            rows = [(tuple(it["features"]), float(it["value"])) for it in x["interactions"]]
            return pd.DataFrame({"features": [r[0] for r in rows],
                                 "labels": [" + ".join(names[i] for i in r[0]) for r in rows],
                                 "degree": [len(r[0]) for r in rows],
                                 "value": [r[1] for r in rows]})
        explicand_section(res, method, inst, b, frame(c), frame(s), index, int(c["order"]), out)


# -- main --------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results")
    ap.add_argument("-o", "--output", default="report.html")
    ap.add_argument("--method", help="method label whose reconstruction explains each explicand "
                                     "(default: the most faithful method with interactions)")
    ap.add_argument("--index", default="fsii", choices=CHOICES,
                    help="interaction index of the explanations (default fsii)")
    ap.add_argument("--order", type=int, default=2, help="order of the index (default 2; sv, "
                                                         "bv: 1)")
    ap.add_argument("--explicands", type=int, default=20, help="explicands shown in detail")
    ap.add_argument("--published", nargs="?", const="", default=None, metavar="DIR",
                    help="compare with the SPEX paper's published sentiment results (default "
                         "location ../shared/data/spectral_explain; automatic for sentiment files)")
    args = ap.parse_args(argv)
    if not os.path.exists(args.results):
        sys.exit("report.py: %s: no such file" % args.results)
    if args.order < 1:
        sys.exit("report.py: --order must be >= 1")
    res = sr.Results(args.results)
    chosen = None
    if args.method:
        try:
            chosen = res.method(args.method)
        except sr.UnknownMethod as e:
            sys.exit("report.py: %s" % e)
    comparable, why_not = sr.comparable_to_published(res)
    pub_dir, pub_msg = None, ""
    if args.published is not None and not comparable:
        sys.exit("report.py: --published refused: %s (%s)" % (why_not, args.results))
    if comparable and res.budget_mode == "spx_b":
        pub_dir, pub_msg = sr.published_dir(args.published or None)
        if pub_dir is None:
            if args.published is not None:
                sys.exit("report.py: %s" % pub_msg)
            print("report.py: note: %s" % pub_msg, file=sys.stderr)

    out = io.StringIO()
    out.write("<!DOCTYPE html><html><head><meta charset='utf-8'><title>spex-bench report: %s"
              "</title><style>%s</style></head><body>\n"
              % (html.escape(os.path.basename(args.results)), STYLE))
    out.write("<h1>spex-bench report: %s</h1>\n" % html.escape(os.path.basename(args.results)))
    out.write("<p>Oracle <b>%s</b>, %d explicands, %d methods, budget points %s (%s). %s</p>\n"
              % (html.escape(res.oracle_kind() or "?"), len(res.instances), len(res.methods),
                 ", ".join(str(b) for b in res.budget), html.escape(res.budget_mode),
                 html.escape(", ".join("%s: %s" % kv for kv in sorted(res.meta.items())))))
    paper = None
    with tempfile.TemporaryDirectory() as tmp:
        import contextlib
        quiet = contextlib.redirect_stdout(io.StringIO())
        with quiet:
            pf = [args.results, "-o", tmp] + (["--published", pub_dir] if pub_dir else [])
            plot_faithfulness.main(pf)
        figs = [("faithfulness_vs_budget.png", "Faithfulness against queries, paired"),
                ("faithfulness_by_length.png", "Faithfulness by input length, paired per band")]
        ns = res.instance_n()
        with quiet:
            if len(set(int(n) for n in ns if n > 0)) > 1 and res.config.find("[scaling]") >= 0:
                plot_scaling.main([args.results, "-o", tmp])
                figs += [("scaling_time.png", "Decode time against n"),
                         ("scaling_r2.png", "Faithfulness against n")]
            if any(m.coef_error is not None for m in res.methods):
                plot_recovery.main([args.results, "-o", tmp])
                figs += [("recovery_error.png", "Coefficient error"),
                         ("recovery_support.png", "Precision, recall, Kendall tau"),
                         ("recovery_r2.png", "Faithfulness (recovery run)")]
            if res.pruning is not None:
                plot_pruning.main([args.results, "-o", tmp])
                figs += [("pruning.png", "Pruning")]
        out.write("<h2>Figures</h2>\n")
        for fig, caption in figs:
            path = os.path.join(tmp, fig)
            if os.path.exists(path):
                out.write("<h3>%s</h3>\n<p>%s</p>\n" % (html.escape(caption), embed(path)))
        if pub_dir:
            with quiet:
                paper = plot_faithfulness.paper_comparison(res, res.paired(), pub_dir, tmp)
            out.write("<h3>Comparison with the SPEX paper</h3>\n<p>%s</p>\n"
                      % embed(os.path.join(tmp, "paper_comparison.png")))
    out.write("<h2>Summary (paired)</h2>\n")
    table = summary_tables(res, out)
    out.write("<h2>Cells not finished</h2>\n")
    unfinished_table(res, out)
    if any(m.coef_error is not None for m in res.methods):
        out.write("<h2>Recovery</h2>\n")
        recovery_table(res, out)
    if paper is not None:
        out.write("<h2>The SPEX paper's numbers beside ours</h2>\n")
        paper_table(paper[0], paper[1], paper[2], out)
    elif comparable and pub_msg:
        out.write("<p class=warn>No comparison with the SPEX paper: %s</p>\n" % html.escape(pub_msg))
    if res.pruning is not None:
        out.write("<h2>Pruning</h2>\n")
        pruning_table(res, out)
    why = "chosen with --method"
    if chosen is None:
        chosen, why = choose_method(res, table)
    if chosen is not None:
        out.write("<h2>Explicands</h2>\n")
        order = 1 if args.index in ("sv", "bv") else args.order
        interactions_section(res, chosen, why, args.index, order, args.explicands, out)
    out.write("<h2>Configuration</h2>\n<pre>%s</pre>\n</body></html>\n" % html.escape(res.config))
    res.close()
    with open(args.output, "w") as f:
        f.write(out.getvalue())
    sr.wrote(args.output)
    return 0


def pruning_table(res, out):
    """Task accuracy by fraction kept at the largest budget point: mean and standard error
    over explicands, per method, then the random orders and the full model."""
    fr = res.pruning["fractions"]
    b = len(res.budget) - 1
    out.write("<p>Components ranked by the %s value of each method's transform; budget point %s. "
              "Mean &plusmn; standard error over explicands.</p>\n"
              % (html.escape(res.pruning["rank_by"]), res.budget[b]))
    out.write("<table><tr><th class=l>ranking</th>%s</tr>\n"
              % "".join("<th>%.3g</th>" % f for f in fr))

    def row(name, curves):
        cells = []
        for j in range(len(fr)):
            mean, se, _ = sr.mean_se(curves[:, j])
            cells.append("<td>%s</td>" % fmt(mean, se, 3))
        out.write("<tr><td class=l>%s</td>%s</tr>\n" % (html.escape(name), "".join(cells)))

    for m in res.methods:
        if m.pruning_accuracy is not None:
            row(m.label, sr.pruning_curves(res, m, b))
    rnd, full = sr.pruning_references(res)
    if rnd.shape[0] and res.pruning["random_orders"] > 0:
        row("random order", rnd)
    mean, se, _ = sr.mean_se(full)
    out.write("<tr><td class=l>full model</td><td colspan=%d>%s</td></tr>\n"
              % (len(fr), fmt(mean, se, 3)))
    out.write("</table>\n")


if __name__ == "__main__":
    sys.exit(main())
