#!/usr/bin/env python3
"""Reference inertias from scikit-learn for the Hartigan-Wong test in tests/kmeans_fidelity.rs (run by hand).

Writes tests/fixtures/kmeans_refine_expected.json: for each real data set the fixtures already use (iris raw,
USArrests standardised, the sample customers' numeric features median-imputed and standardised, the
separated blobs of make_kmeans_fixtures.py) plus scikit-learn's bundled wine and breast cancer tables (raw
and standardised; population std as StandardScaler), and for each k = 2..8:

* ``best50``: the inertia of KMeans(k, n_init=50, random_state=0) (sklearn's best of 50 restarts);
* ``mean20``: the mean inertia of KMeans(k, n_init=10, random_state=s) over s = 0..19 (sklearn's default
  restarts, for the report only).

segscope at its default restarts (10) with the Hartigan-Wong pass must reach, over 20 seeds, a mean inertia
<= best50 x 1.0005.
"""
import json
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn.cluster import KMeans
from sklearn.datasets import load_breast_cancer, load_wine

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "tests", "fixtures")
KS = range(2, 9)


def std(X):
    s = X.std(0)
    s[s == 0] = 1
    return (X - X.mean(0)) / s


def case(name, X):
    runs = []
    for k in KS:
        best = KMeans(n_clusters=k, n_init=50, random_state=0).fit(X).inertia_
        mean = np.mean([KMeans(n_clusters=k, n_init=10, random_state=s).fit(X).inertia_ for s in range(20)])
        runs.append({"k": k, "best50": float(best), "mean20": float(mean)})
        print(f"{name} k={k}: best50 {best:.10g} mean20 {mean:.10g} ({mean / best - 1:+.3%})")
    return {"name": name, "x": X.tolist(), "runs": runs}


iris = pd.read_csv(os.path.join(FIX, "iris_named.csv")).iloc[:, :4].to_numpy(float)
usa = std(pd.read_csv(os.path.join(FIX, "USArrests.csv")).iloc[:, 1:].to_numpy(float))
cust = pd.read_csv(os.path.join(ROOT, "assets", "sample_customers.csv"),
                   keep_default_na=False, na_values=["", "NA"])
num = cust.drop(columns=["customer_id", "region", "channel"]).astype(float)
cust_x = std(num.fillna(num.median()).to_numpy(float))
rng = np.random.default_rng(7)
centres = rng.uniform(-20, 20, size=(5, 4))
blobs = np.vstack([c + rng.normal(size=(200, 4)) for c in centres])
wine = load_wine().data.astype(float)
cancer = load_breast_cancer().data.astype(float)
cases = [
    case("iris", iris),
    case("usarrests_std", usa),
    case("customers_std", cust_x),
    case("blobs", blobs),
    case("wine", wine),
    case("wine_std", std(wine)),
    case("breast_cancer", cancer),
    case("breast_cancer_std", std(cancer)),
]
with open(os.path.join(FIX, "kmeans_refine_expected.json"), "w") as f:
    json.dump({"sklearn_version": sklearn.__version__, "cases": cases}, f)
print("wrote kmeans_refine_expected.json")
