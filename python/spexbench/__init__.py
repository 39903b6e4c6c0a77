"""spexbench: Python helpers for spex-bench.

serve(fn)       run the `process` oracle protocol around fn(masks) -> values, masks a NumPy
                boolean array of shape (count, n) (True = feature kept); docs/oracles.md.
serve_text(fn)  run the `text` oracle's scorer protocol around fn(texts) -> values.
explicand()     the explicand number spex-bench asked for (env SPEX_EXPLICAND, default 0).
results         reading result files (import spexbench.results; needs h5py and pandas).

A worked example is docs/your-model.md.
"""

from .serve import ProtocolError, decode_packed, encode_packed, explicand, serve, serve_text

__all__ = ["serve", "serve_text", "explicand", "decode_packed", "encode_packed", "ProtocolError"]
__version__ = "0.1.0"
