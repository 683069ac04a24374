#!/usr/bin/env python3
"""Expected t-SNE quality from scikit-learn for tests/tsne_fidelity.rs (run by hand; tests never need Python).

Writes tests/fixtures/tsne_expected.json. Datasets, stored in the JSON as prepared matrices:

* ``iris``: sklearn's bundled iris (150 x 4), StandardScaler (population std, as `--scale standard`);
* ``wine``: sklearn's bundled wine (178 x 13), StandardScaler;
* ``sample``: assets/sample_customers.csv prepared as segscope's CLI does by default: the numeric columns
  that are not ID-like (``NUMERIC`` below; ``customer_id`` is an ID, ``region``/``channel`` are text),
  missing values replaced by the column median, then StandardScaler (3000 x 7). The test checks that
  `segscope prepare` gives the same matrix.

Stored per dataset:

* ``x``: the prepared matrix;
* ``sklearn_trustworthiness``: ``trustworthiness(x, TSNE(n_components=2, init="pca", random_state=0,
  perplexity=30).fit_transform(x), n_neighbors=10)`` -- the bar the test holds segscope's map to (ours must
  be >= this - 0.01);
* ``embedding`` and ``trustworthiness_of_embedding``: that sklearn map and sklearn's trustworthiness of it
  (k = 10 and k = 5), so the test checks segscope's trustworthiness function on the same pair to 1e-12.

Floats are written with repr (shortest round trip), so Rust reads the same f64s.
"""
import json
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn.datasets import load_iris, load_wine
from sklearn.manifold import TSNE, trustworthiness
from sklearn.preprocessing import StandardScaler

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "tsne_expected.json")
SAMPLE = os.path.join(ROOT, "assets", "sample_customers.csv")
NUMERIC = ["age", "tenure_months", "orders_12m", "avg_order_value", "days_since_last_order",
           "total_spent", "email_open_rate"]


def sample():
    d = pd.read_csv(SAMPLE)[NUMERIC]
    d = d.fillna(d.median())
    return d.to_numpy(dtype=float)


def main():
    datasets = {
        "iris": load_iris().data,
        "wine": load_wine().data,
        "sample": sample(),
    }
    out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "perplexity": 30, "k": 10,
           "sample_columns": NUMERIC, "datasets": {}}
    for name, raw in datasets.items():
        x = StandardScaler().fit_transform(raw)
        y = TSNE(n_components=2, init="pca", random_state=0, perplexity=30).fit_transform(x)
        y = y.astype(float)
        t = trustworthiness(x, y, n_neighbors=10)
        out["datasets"][name] = {
            "x": x.tolist(),
            "sklearn_trustworthiness": float(t),
            "embedding": y.tolist(),
            "trustworthiness_of_embedding": {"10": float(t),
                                             "5": float(trustworthiness(x, y, n_neighbors=5))},
        }
        print(f"{name}: {x.shape}, sklearn trustworthiness(k=10) = {t:.6f}")
    with open(OUT, "w") as f:
        json.dump(out, f, allow_nan=False)


if __name__ == "__main__":
    main()
