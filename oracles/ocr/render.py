#!/usr/bin/env python3
"""render.py: draw one line of text as a grey image for spex-bench's ocr oracle.

Usage: python3 render.py --font FONT.ttf [--size 32] [--height 48] [--margin 8] TEXTFILE OUTFILE

TEXTFILE holds the line (UTF-8; a trailing newline is dropped). The line is drawn black (0)
on white (255), one character at a time at integer pen positions (FreeType through Pillow's
basic layout: no kerning, no shaping, so the same fonts and Pillow give the same bytes), with
the font's ascent + descent centred vertically in `height` rows and `margin` blank columns on
the left; the width is rounded up to a multiple of 8 (the recogniser's time step is 8 columns).
Character i owns the columns [x0_i, x1_i) between its pen position and the next one: these
are the vertical strips of unit = "char".

OUTFILE (text, read by src/oracle/ocr.c and oracles/ocr/ocr_server.js):
    spex-ocr-image 1
    size W H
    chars K
    K lines "codepoint x0 x1"
    pixels
    H lines of W integers 0..255
Exit status: 0, or 2 with a message on stderr (3 when Pillow is missing, 4 for the font).
"""
import argparse
import math
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--font", required=True)
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--height", type=int, default=48)
    ap.add_argument("--margin", type=int, default=8)
    ap.add_argument("textfile")
    ap.add_argument("outfile")
    a = ap.parse_args()
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError as e:
        sys.stderr.write("render.py: Pillow is not installed for %s (%s); install Debian's "
                         "python3-pil (scripts/setup does) or set the oracle's python key\n"
                         % (sys.executable, e))
        return 3
    try:
        font = ImageFont.truetype(a.font, a.size, layout_engine=ImageFont.Layout.BASIC)
    except OSError as e:
        sys.stderr.write("render.py: cannot load the font %s: %s; install Debian's "
                         "fonts-dejavu-core (scripts/setup does) or set the oracle's font key\n"
                         % (a.font, e))
        return 4
    with open(a.textfile, encoding="utf-8") as f:
        text = f.read()
    if text.endswith("\n"):
        text = text[:-1]
    if not text or "\n" in text:
        sys.stderr.write("render.py: %s must hold exactly one non-empty line\n" % a.textfile)
        return 2
    ascent, descent = font.getmetrics()
    if ascent + descent > a.height:
        sys.stderr.write("render.py: font size %d is too tall (%d rows) for height %d\n"
                         % (a.size, ascent + descent, a.height))
        return 2
    pen = [a.margin]
    for ch in text:
        pen.append(pen[-1] + int(round(font.getlength(ch))))
    width = int(math.ceil((pen[-1] + a.margin) / 8.0)) * 8
    img = Image.new("L", (width, a.height), 255)
    draw = ImageDraw.Draw(img)
    top = (a.height - ascent - descent) // 2
    for i, ch in enumerate(text):
        draw.text((pen[i], top), ch, font=font, fill=0)
    px = img.tobytes()
    out = ["spex-ocr-image 1", "size %d %d" % (width, a.height), "chars %d" % len(text)]
    for i, ch in enumerate(text):
        out.append("%d %d %d" % (ord(ch), pen[i], pen[i + 1]))
    out.append("pixels")
    for y in range(a.height):
        out.append(" ".join(str(b) for b in px[y * width:(y + 1) * width]))
    with open(a.outfile, "w", encoding="ascii") as f:
        f.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
