#!/usr/bin/env python3
"""score_client.py: a thin scorer for spex-bench's text oracle that forwards each batch of
masked texts to model_server.py (URL in $SPEX_MODEL_URL, default http://127.0.0.1:8765/score).
Starting it costs no model loading, so one process per explicand and rank is cheap."""
import json
import os
import urllib.request

import spexbench

URL = os.environ.get("SPEX_MODEL_URL", "http://127.0.0.1:8765/score")


def score(texts):
    req = urllib.request.Request(URL, data=json.dumps(texts).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=3600) as r:
        return json.load(r)


spexbench.serve_text(score)
