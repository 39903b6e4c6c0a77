#!/usr/bin/env python3
"""breast_cancer_model.py: your own model behind spex-bench (docs/your-model.md).

A gradient-boosted classifier (scikit-learn) trained on the Wisconsin breast-cancer data that
Debian's python3-sklearn ships (569 tumours, 30 features), with a fixed seed so every process
trains the same model. Explicand e is held-out tumour e. A mask keeps some of the 30
features; a removed feature is set to its mean over the training set. The value is the
model's log-odds of "benign" (the decision function), so interactions among features show up
as they are in the trees (depth 3: up to third order).

Usage: breast_cancer_model.py E        serve explicand E (spex-bench passes {e})
       breast_cancer_model.py --labels K   print the labels file for K explicands (JSON)
"""
import json
import sys

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.model_selection import train_test_split

import spexbench

data = load_breast_cancer()
X_train, X_test, y_train, y_test = train_test_split(
    data.data, data.target, test_size=0.25, random_state=0, stratify=data.target)

if sys.argv[1:2] == ["--labels"]:          # one label list per explicand: the feature names
    names = [str(s) for s in data.feature_names]
    print(json.dumps([names] * int(sys.argv[2])))
    sys.exit(0)

model = GradientBoostingClassifier(n_estimators=100, max_depth=3, random_state=0)
model.fit(X_train, y_train)
x = X_test[int(sys.argv[1])]                # the explicand: {e} on the command line
baseline = X_train.mean(axis=0)             # what a removed feature becomes


def f(masks):                               # masks: (count, 30) booleans, True = kept
    rows = np.where(masks, x, baseline)
    return model.decision_function(rows)


spexbench.serve(f)
