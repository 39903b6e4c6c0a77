"""serve.py: the model side of spex-bench's line protocols (docs/oracles.md).

serve(fn) speaks the `process` oracle protocol: spex-bench writes a header line "n" (plain
masks) or "n packed" (bit-packed masks in hex), then batches: a line with the count c followed
by c mask lines; we answer c lines, one number each, and flush. serve_text(fn) speaks the
`text` oracle's scorer protocol: a header line "text", then batches of a count line and c lines
each holding one JSON string; one number per text back.

Both handle the dry run of `spex-bench check` (the model is started and its stdin closed
before any header: we exit quietly), write nothing but answers on stdout, and report errors
on stderr with a non-zero exit status, which spex-bench shows together with the batch number.
"""

import json
import math
import os
import sys
import traceback

import numpy as np

__all__ = ["serve", "serve_text", "explicand", "decode_packed", "encode_packed", "ProtocolError"]


class ProtocolError(Exception):
    """The input does not follow the protocol (a bad header, count or mask line)."""


def explicand(default=0):
    """The explicand number spex-bench passes in the environment (SPEX_EXPLICAND)."""
    v = os.environ.get("SPEX_EXPLICAND")
    return int(v) if v not in (None, "") else default


def decode_packed(lines, n):
    """Masks from packed lines (bytes or str of hex): a (len(lines), n) boolean array.

    Each line is the hex text of the mask's 64-bit words w_0 .. w_{W-1} (W = ceil(n / 64)),
    each word as its 8 bytes in little-endian order, so the line is 16 W hex digits and
    feature i is bit (i % 8) of byte i // 8 (the mask as bytes, least significant bit first).
    """
    words = (n + 63) // 64
    raw = b"".join(bytes.fromhex(l.decode() if isinstance(l, bytes) else l) for l in lines)
    if len(raw) != 8 * words * len(lines):
        raise ProtocolError("a packed mask line must hold %d hex digits for n = %d" % (16 * words, n))
    bits = np.unpackbits(np.frombuffer(raw, dtype=np.uint8), bitorder="little")
    return bits.reshape(len(lines), 64 * words)[:, :n].astype(bool)


def encode_packed(masks):
    """The packed hex lines (str, without newline) of a (count, n) boolean array."""
    masks = np.asarray(masks, dtype=bool)
    count, n = masks.shape
    words = (n + 63) // 64
    padded = np.zeros((count, 64 * words), dtype=bool)
    padded[:, :n] = masks
    packed = np.packbits(padded, axis=1, bitorder="little")
    return [row.tobytes().hex() for row in packed]


def _fail(name, msg):
    sys.stderr.write("%s: %s\n" % (name, msg))
    sys.stderr.flush()
    sys.exit(2)


def _answers(values, count, name):
    """The answer text for one batch, or exit with a message."""
    try:
        v = np.asarray(values, dtype=float).reshape(-1)
    except (TypeError, ValueError) as e:
        _fail(name, "the function must return %d numbers: %s" % (count, e))
    if v.shape[0] != count:
        _fail(name, "the function returned %d values for a batch of %d" % (v.shape[0], count))
    bad = np.flatnonzero(~np.isfinite(v))
    if bad.size:
        _fail(name, "the function returned %r for item %d of the batch (answers must be "
              "finite numbers)" % (v[bad[0]], bad[0]))
    # repr gives the shortest text that reads back to the same double
    return "".join(repr(float(x)) + "\n" for x in v).encode()


def _count(line, name):
    text = line.decode("ascii", "replace").strip()
    try:
        c = int(text)
    except ValueError:
        c = -1
    if c < 0:
        raise ProtocolError("expected a batch count, got %r" % text[:60])
    return c


def _run(loop, name):
    try:
        loop()
    except ProtocolError as e:
        _fail(name, str(e))
    except BrokenPipeError:
        # spex-bench went away (it closes our pipes after an error of its own): nothing to say
        try:
            sys.stdout = None
        finally:
            os._exit(1)
    except KeyboardInterrupt:
        os._exit(130)
    except Exception:  # the user's function failed: its traceback helps more than anything
        sys.stderr.write("%s: the model function raised an exception:\n" % name)
        traceback.print_exc(file=sys.stderr)
        sys.stderr.flush()
        sys.exit(1)


def serve(fn, stdin=None, stdout=None):
    """Answer spex-bench's `process` oracle protocol with fn until stdin ends.

    fn(masks) gets a NumPy boolean array of shape (count, n), row j a mask (True = feature
    kept), and returns count numbers (a sequence or array). Both mask formats (`format =
    "plain"` and `"packed"`) arrive as the same array. The explicand number is explicand().
    Returns when spex-bench closes stdin (also at once, for the dry run of `spex-bench
    check`, which starts the model and closes its input without a header).
    """
    inp = stdin if stdin is not None else sys.stdin.buffer
    out = stdout if stdout is not None else sys.stdout.buffer
    name = "spexbench.serve"

    def loop():
        header = inp.readline()
        if not header:
            return  # dry run: started and closed before any question
        parts = header.decode("ascii", "replace").split()
        if len(parts) not in (1, 2) or not parts[0].isdigit() or int(parts[0]) < 1:
            raise ProtocolError("expected a header line 'n' or 'n packed', got %r" % header[:60])
        n = int(parts[0])
        fmt = parts[1] if len(parts) == 2 else "plain"
        if fmt not in ("plain", "packed"):
            raise ProtocolError("unknown mask format %r in the header (known: plain, packed)" % fmt)
        width = n if fmt == "plain" else 16 * ((n + 63) // 64)
        batch = 0
        while True:
            line = inp.readline()
            if not line:
                return
            c = _count(line, name)
            batch += 1
            # every mask line has the same length: read the whole batch at once
            raw = inp.read(c * (width + 1)) if c else b""
            if len(raw) != c * (width + 1) or (c and raw[-1:] != b"\n"):
                rows = raw.split(b"\n")
                j = next((k for k, r in enumerate(rows) if len(r.rstrip(b"\r")) != width), len(rows) - 1)
                got = len(rows[j].rstrip(b"\r")) if j < len(rows) else 0
                raise ProtocolError("batch %d, mask %d: expected %d characters, got %d%s" % (
                    batch, j + 1, width, got, " (input ended)" if len(raw) < c * (width + 1) else ""))
            block = np.frombuffer(raw, dtype=np.uint8).reshape(c, width + 1)
            if c and not (block[:, width] == 10).all():
                j = int(np.flatnonzero(block[:, width] != 10)[0])
                raise ProtocolError("batch %d, mask %d: expected %d characters, got more" % (
                    batch, j + 1, width))
            if fmt == "plain":
                masks = block[:, :n] == ord("1")
            else:
                packed = np.frombuffer(bytes.fromhex(raw.decode("ascii")), dtype=np.uint8)
                masks = np.unpackbits(packed.reshape(c, width // 2), axis=1,
                                      bitorder="little")[:, :n].astype(bool)
            out.write(_answers(fn(masks) if c else [], c, name))
            out.flush()

    _run(loop, name)


def serve_text(fn, stdin=None, stdout=None):
    """Answer the `text` oracle's scorer protocol with fn until stdin ends.

    fn(texts) gets a list of str (the masked texts of one batch, any Unicode, newlines kept)
    and returns one number per text. The protocol: a header line "text", then per batch a
    line with the count c and c lines each holding one JSON string; we answer c numbers.
    """
    inp = stdin if stdin is not None else sys.stdin.buffer
    out = stdout if stdout is not None else sys.stdout.buffer
    name = "spexbench.serve_text"

    def loop():
        header = inp.readline()
        if not header:
            return  # dry run
        if header.strip() != b"text":
            raise ProtocolError("expected the header line 'text', got %r (is this command "
                                "meant for the process oracle? use serve there)" % header[:60])
        batch = 0
        while True:
            line = inp.readline()
            if not line:
                return
            c = _count(line, name)
            batch += 1
            texts = []
            for j in range(c):
                r = inp.readline()
                try:
                    t = json.loads(r.decode("utf-8"))
                except (UnicodeDecodeError, ValueError) as e:
                    raise ProtocolError("batch %d, text %d: not a JSON string line (%s)%s" % (
                        batch, j + 1, e, " (input ended)" if not r else ""))
                if not isinstance(t, str):
                    raise ProtocolError("batch %d, text %d: expected a JSON string" % (batch, j + 1))
                texts.append(t)
            out.write(_answers(fn(texts) if c else [], c, name))
            out.flush()

    _run(loop, name)
