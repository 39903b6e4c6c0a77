#!/usr/bin/env python3
"""model_server.py: load a model once and serve it over HTTP to thin scorer clients.

One server per node (or per GPU) holds the weights; every spex-bench scorer process (one per
explicand and rank) is score_client.py, which forwards its batches here. The model is the
bag-of-words classifier of reviews_scorer.py; put your LLM in load_model()/score().
docs/cluster.md shows it in a Slurm job.

Usage: model_server.py [--port 8765]      (prints "ready" on stderr when it listens)
POST /score with a JSON list of texts -> a JSON list of numbers.
"""
import argparse
import csv
import http.server
import json
import os
import sys


def load_model():
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "..", "data", "reviews.csv"), newline="",
              encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    m = make_pipeline(CountVectorizer(), LogisticRegression(C=10.0, max_iter=1000))
    m.fit([r["review"] for r in rows], [r["sentiment"] == "positive" for r in rows])
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8765)
    port = ap.parse_args().port
    model = load_model()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            texts = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            body = json.dumps([float(v) for v in model.decision_function(texts)]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # quiet: stderr is shared with spex-bench
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    sys.stderr.write("model_server: ready on port %d\n" % port)
    sys.stderr.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
