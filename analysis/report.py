#!/usr/bin/python3
"""report.py: one self-contained HTML page for a spex-bench result file.

It holds the faithfulness (and, when present, scaling and recovery) figures inline, a summary
table per method and budget (mean R^2 with 95% interval, decode and oracle time, queries, and
how many cells finished, were skipped or failed, with the reasons), and, for oracles whose
features have labels (words of a review, training points, units), each explicand's features
coloured by their first-order attribution (Shapley values of the chosen method's
reconstruction) with its strongest synergistic pairs, strongest redundant pairs and strongest
higher-order interactions listed. When the oracle stores feature images
(data_attribution on digits: the training images), each listed interaction shows its
features' images (for pairs: the two training images side by side), and the explicand's own
image heads its section. A run with [pruning] (components oracle) adds the pruning figure and
a table of task accuracy by fraction of components kept.

usage: report.py RESULTS.h5 -o REPORT.html [--method LABEL] [--explicands K] [--published CSV]
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
import spexresults as sr  # noqa: E402

STYLE = """
body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 90%; }
td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th { background: #f0f0f0; }
td.l, th.l { text-align: left; }
.words span { padding: 1px 2px; margin: 1px; border-radius: 3px; line-height: 1.9; }
pre { background: #f7f7f7; padding: 1em; overflow-x: auto; font-size: 80%; }
img { max-width: 100%; }
img.pix { image-rendering: pixelated; width: 40px; height: 40px; border: 1px solid #bbb;
          margin: 1px; vertical-align: middle; }
"""


def embed(path):
    with open(path, "rb") as f:
        data = base64.b64encode(f.read()).decode("ascii")
    return '<img src="data:image/png;base64,%s" alt="%s">' % (data, html.escape(os.path.basename(path)))


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
    """Red for negative, blue for positive attributions, alpha by magnitude."""
    a = 0.0 if scale == 0 else min(1.0, abs(value) / scale)
    rgb = "0,90,255" if value > 0 else "230,40,40"
    return "rgba(%s,%.2f)" % (rgb, 0.85 * a)


def summary_table(res, out):
    out.write("<table><tr><th class=l>method</th><th>budget point</th><th>queries</th>"
              "<th>R&sup2; mean</th><th>&plusmn; 95%</th><th>decode s</th><th>oracle s</th>"
              "<th>ok</th><th>skipped</th><th>failed</th><th class=l>reasons</th></tr>\n")
    for m in res.methods:
        q = res.mean_queries(m)
        for b in range(len(res.budget)):
            ok = m.ok()[:, b, :]
            mean, ci = sr.mean_ci(np.where(ok, m.r2[:, b, :], np.nan))
            td, _ = sr.mean_ci(np.where(ok, m.time_decode[:, b, :], np.nan))
            to, _ = sr.mean_ci(np.where(ok, m.time_oracle[:, b, :], np.nan))
            st = m.status[:, b, :]
            reasons = set()
            if m.message is not None:
                for msg, s in zip(np.ravel(m.message[:, b, :]), np.ravel(st)):
                    if s in (2, 3):
                        reasons.add(sr._text(msg))
            out.write("<tr><td class=l>%s</td><td>%s</td><td>%.0f</td><td>%.4f</td><td>%.4f</td>"
                      "<td>%.4g</td><td>%.4g</td><td>%d</td><td>%d</td><td>%d</td><td class=l>%s</td></tr>\n"
                      % (html.escape(m.label), res.budget[b], np.nan_to_num(q[b]), mean, ci, td, to,
                         (st == 1).sum(), (st == 2).sum(), (st == 3).sum(),
                         html.escape("; ".join(sorted(reasons))[:400])))
    out.write("</table>\n")


def explicand_section(res, method, inst, out, top=10):
    nb = len(res.budget)
    cell = None
    for b in reversed(range(nb)):
        if method.status[inst.index, b, 0] == 1:
            cell = method.transform(inst.index, b, 0)
            if cell is not None:
                break
    if cell is None:
        return
    basis, terms = cell
    moebius = sr.fourier_to_moebius(terms) if basis == 0 else terms
    sv = sr.shapley_from_moebius(moebius, inst.n)
    labels = inst.labels or ["x%d" % i for i in range(inst.n)]
    scale = np.max(np.abs(sv)) if inst.n else 0
    out.write("<h3>Explicand %d: %s</h3>\n" % (inst.explicand, html.escape(inst.description)))
    images = inst.feature_images
    if inst.explicand_image is not None:
        out.write("<p>explicand image: %s</p>\n"
                  % image_tag(inst.explicand_image, "explicand %d" % inst.explicand))
    out.write("<p>first-order attribution (Shapley values of the %s reconstruction; blue raises, "
              "red lowers the output):</p>\n<p class=words>" % html.escape(method.label))
    for i in range(inst.n):
        out.write('<span style="background:%s" title="%s: %.4g">%s</span> '
                  % (colour(sv[i], scale), html.escape(labels[i]), sv[i], html.escape(labels[i])))
    out.write("</p>\n")
    pairs = [(k, v) for k, v in moebius.items() if len(k) == 2]
    higher = [(k, v) for k, v in moebius.items() if len(k) >= 3]
    tables = [
        ("strongest synergistic pairs (positive Moebius coefficient: together they add more "
         "than apart)", sorted((kv for kv in pairs if kv[1] > 0), key=lambda kv: -kv[1])),
        ("strongest redundant pairs (negative Moebius coefficient: either one does much of "
         "the other's work)", sorted((kv for kv in pairs if kv[1] < 0), key=lambda kv: kv[1])),
        ("strongest interactions of order 3 and more", sorted(higher, key=lambda kv: -abs(kv[1]))),
    ]
    for caption, rows in tables:
        if not rows:
            continue
        out.write("<p>%s:</p>\n" % html.escape(caption))
        out.write("<table><tr><th class=l>interaction (Moebius)</th><th>value</th><th class=l>kind</th>%s</tr>\n"
                  % ("<th class=l>images</th>" if images is not None else ""))
        for key, value in rows[:top]:
            kind = "synergy" if value > 0 else "redundancy"
            pics = ""
            if images is not None:
                pics = "<td class=l>%s</td>" % " ".join(image_tag(images[i], labels[i]) for i in key)
            out.write("<tr><td class=l>%s</td><td>%.4g</td><td class=l>%s</td>%s</tr>\n"
                      % (html.escape(" + ".join(labels[i] for i in key)), value, kind, pics))
        out.write("</table>\n")


def pruning_table(res, out):
    """Task accuracy by fraction kept at the largest budget point: mean and 95% interval over
    explicands, per method, then the random orders and the full model."""
    fr = res.pruning["fractions"]
    b = len(res.budget) - 1
    out.write("<p>Components ranked by the %s value of each method's transform; budget point %s. "
              "Mean &plusmn; 95%% interval over explicands.</p>\n"
              % (html.escape(res.pruning["rank_by"]), res.budget[b]))
    out.write("<table><tr><th class=l>ranking</th>%s</tr>\n"
              % "".join("<th>%.3g</th>" % f for f in fr))

    def row(name, curves):
        cells = []
        for j in range(len(fr)):
            mean, ci = sr.mean_ci(curves[:, j])
            cells.append("<td>%.3f &plusmn; %.3f</td>" % (mean, ci))
        out.write("<tr><td class=l>%s</td>%s</tr>\n" % (html.escape(name), "".join(cells)))

    for m in res.methods:
        if m.pruning_accuracy is not None:
            row(m.label, sr.pruning_curves(res, m, b))
    rnd, full = sr.pruning_references(res)
    if rnd.shape[0] and res.pruning["random_orders"] > 0:
        row("random order", rnd)
    mean, ci = sr.mean_ci(full)
    out.write("<tr><td class=l>full model</td><td colspan=%d>%.3f &plusmn; %.3f</td></tr>\n"
              % (len(fr), mean, ci))
    out.write("</table>\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results")
    ap.add_argument("-o", "--output", default="report.html")
    ap.add_argument("--method", help="method label whose reconstruction explains each explicand")
    ap.add_argument("--explicands", type=int, default=20, help="explicands shown in detail")
    ap.add_argument("--published", help="published_sentiment_by_budget.csv for the figure")
    args = ap.parse_args(argv)
    if not os.path.exists(args.results):
        sys.exit("report.py: %s: no such file" % args.results)
    res = sr.Results(args.results)
    out = io.StringIO()
    out.write("<!DOCTYPE html><html><head><meta charset='utf-8'><title>spex-bench report</title>"
              "<style>%s</style></head><body>\n" % STYLE)
    out.write("<h1>spex-bench report: %s</h1>\n" % html.escape(os.path.basename(args.results)))
    out.write("<p>%d explicands, %d methods, budget points %s (%s). %s</p>\n"
              % (len(res.instances), len(res.methods), list(res.budget), html.escape(res.budget_mode),
                 html.escape(", ".join("%s: %s" % kv for kv in sorted(res.meta.items())))))
    with tempfile.TemporaryDirectory() as tmp:
        pf = [args.results, "-o", tmp] + (["--published", args.published] if args.published else [])
        plot_faithfulness.main(pf)
        figs = ["faithfulness_vs_budget.png", "faithfulness_by_length.png"]
        if len(set(res.instance_n())) > 1:
            plot_scaling.main([args.results, "-o", tmp])
            figs += ["scaling_time.png", "scaling_r2.png"]
        if any(m.coef_error is not None for m in res.methods):
            plot_recovery.main([args.results, "-o", tmp])
            figs += ["recovery_error.png", "recovery_r2.png"]
        if res.pruning is not None:
            plot_pruning.main([args.results, "-o", tmp])
            figs += ["pruning.png"]
        out.write("<h2>Figures</h2>\n")
        for fig in figs:
            out.write("<p>%s</p>\n" % embed(os.path.join(tmp, fig)))
    out.write("<h2>Summary</h2>\n")
    summary_table(res, out)
    if res.pruning is not None:
        out.write("<h2>Pruning</h2>\n")
        pruning_table(res, out)
    chosen = None
    for m in res.methods:
        if (args.method is None and m.ok().any()) or m.label == args.method:
            chosen = m
            break
    if args.method and chosen is None:
        sys.exit("report.py: no method labelled %r in %s" % (args.method, args.results))
    if chosen is not None:
        out.write("<h2>Explicands</h2>\n")
        for inst in res.instances[: args.explicands]:
            explicand_section(res, chosen, inst, out)
    out.write("<h2>Configuration</h2>\n<pre>%s</pre>\n</body></html>\n" % html.escape(res.config))
    res.close()
    with open(args.output, "w") as f:
        f.write(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
