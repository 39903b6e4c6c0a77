#!/usr/bin/env python3
"""reviews_scorer.py: a text model of your own as the scorer of spex-bench's `text` oracle.

A bag-of-words logistic regression (scikit-learn) trained on the 40 labelled reviews of
data/reviews.csv; the score of a text is its log-odds of "positive". spexbench.serve_text
does the scorer protocol (docs/oracles.md): it calls score() with each batch of masked texts.
Words the model never saw (such as the mask token "[UNK]") carry no weight. An LLM scorer has
the same shape: see docs/your-model.md.
"""
import csv
import os

from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import spexbench

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "..", "data", "reviews.csv"), newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
model = make_pipeline(CountVectorizer(), LogisticRegression(C=10.0, max_iter=1000))
model.fit([r["review"] for r in rows], [r["sentiment"] == "positive" for r in rows])


def score(texts):                           # a batch of masked texts -> one number each
    return model.decision_function(texts)


spexbench.serve_text(score)
