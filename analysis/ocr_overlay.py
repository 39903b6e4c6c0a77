#!/usr/bin/env python3
"""ocr_overlay.py: draw a method's top interactions on the explicand's image (ocr oracle).

For oracles whose features are regions of one picture (the `ocr` oracle's patches or
character strips: results files carry feature_images = one 0/1 map per feature and the
explicand_image), each of the top interactions is drawn as its own row: the line in grey with
the interaction's regions tinted blue (positive value: the regions together raise the
log-probability of the correct text) or red (negative), and its label and value beside it.
report.py calls interactions_figure() for wide explicand images; the command line writes one
PNG per explicand:

    python3 analysis/ocr_overlay.py results/ocr.h5 --method spex_soft --index moebius \\
        --order 3 --top 6 [--min-degree 2] -o figures/ocr
"""
import argparse
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def is_region_image(feature_images, explicand_image):
    """True for pictures of regions of one wide image (the ocr oracle), not of square digits."""
    if feature_images is None or explicand_image is None:
        return False
    h, w = np.shape(explicand_image)
    return w >= 2 * h and np.shape(feature_images)[1:] == (h, w)


def interactions_figure(image, feature_images, interactions, labels, title, top=6):
    """A matplotlib Figure: one row per interaction, [(features tuple, value)] in the order
    given (the first `top`), the empty interaction skipped."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows = [(f, v) for f, v in interactions if len(f) > 0][:top]
    img = np.clip(np.asarray(image, dtype=float), 0.0, 1.0)
    h, w = img.shape
    scale = max((abs(v) for _, v in rows), default=1.0) or 1.0
    k = max(len(rows), 1)
    width = max(4.0, 0.03 * w + 1.5)
    fig, axes = plt.subplots(k, 1, figsize=(width, (width - 1.5) * h / w * k * 1.25 + 0.5),
                             squeeze=False)
    for ax, (f, v) in zip(axes[:, 0], rows):
        rgb = np.repeat((1.0 - 0.75 * img)[:, :, None], 3, axis=2)  # ink dark grey
        region = np.zeros((h, w))
        for i in f:
            region = np.maximum(region, np.asarray(feature_images[i], dtype=float))
        tint = np.array([0.15, 0.35, 0.95]) if v > 0 else np.array([0.9, 0.15, 0.1])
        a = 0.25 + 0.45 * abs(v) / scale
        rgb = rgb * (1 - a * region[:, :, None]) + a * region[:, :, None] * tint
        ax.imshow(rgb, interpolation="nearest", aspect="equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_ylabel("%+.3g" % v, rotation=0, ha="right", va="center", fontsize=8)
        ax.set_title(" + ".join(labels[i] for i in f), fontsize=7, loc="left", pad=2)
    for ax in axes[len(rows):, 0]:
        ax.axis("off")
    fig.suptitle(title, fontsize=8)
    fig.tight_layout()
    return fig


def main(argv=None):
    import spexresults as sr  # noqa: F401 (puts python/ on the path)
    import spexbench.results as results
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results")
    ap.add_argument("--method", required=True)
    ap.add_argument("--index", default="moebius",
                    help="moebius (default: a(S) > 0 means keeping S raises the value), fsii, ...")
    ap.add_argument("--min-degree", type=int, default=1, help="draw interactions of this order "
                    "and above (2: pairs and higher only)")
    ap.add_argument("--order", type=int, default=3)
    ap.add_argument("--top", type=int, default=6)
    ap.add_argument("--budget", type=int, default=-1, help="budget index (default: the last)")
    ap.add_argument("-o", "--output", default="figures/ocr", help="prefix of the PNG files")
    args = ap.parse_args(argv)
    res = results.open(args.results)
    os.makedirs(os.path.dirname(args.output) or ".", exist_ok=True)
    for inst in res.instances:
        if not is_region_image(inst.feature_images, inst.explicand_image):
            continue
        b = args.budget if args.budget >= 0 else len(res.budget) + args.budget
        try:
            t = res.transform_json(args.method, inst.explicand, None, instance=inst.index,
                                   budget_index=b)
        except Exception as e:  # noqa: BLE001 (an unfinished cell: say so, go on)
            print("explicand %d: no transform (%s)" % (inst.explicand, e))
            continue
        conv = results.convert([t], index=args.index, order=args.order)[0]
        items = sorted(((tuple(it["features"]), float(it["value"])) for it in conv["interactions"]),
                       key=lambda kv: -abs(kv[1]))
        items = [kv for kv in items if len(kv[0]) >= args.min_degree]
        labels = inst.labels or ["x%d" % i for i in range(inst.n)]
        m = re.search(r'"(.*)"', inst.description)
        title = "line %d %s: %s, %s (order <= %d%s), budget point %s" % (
            inst.explicand, '"%s"' % m.group(1) if m else "", args.method, args.index, args.order,
            ", degree >= %d" % args.min_degree if args.min_degree > 1 else "", res.budget[b])
        fig = interactions_figure(inst.explicand_image, inst.feature_images, items, labels,
                                  title, args.top)
        path = "%s_%d.png" % (args.output, inst.explicand)
        fig.savefig(path, dpi=110, bbox_inches="tight")
        print("wrote", path)


if __name__ == "__main__":
    main()
