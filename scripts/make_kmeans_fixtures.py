#!/usr/bin/env python3
"""Expected K-Means results from scikit-learn for tests/kmeans_fidelity.rs (run by hand).

Writes tests/fixtures/kmeans_expected.json: for iris (4 raw features), USArrests standardised (population
std), the sample customers' numeric features (median-imputed, standardised) and well separated blobs, the
best-of-10 inertia of sklearn KMeans(k, n_init=10, random_state=0) and its labels, for several k.
segscope must reach inertia <= sklearn's x 1.001, and ARI >= 0.99 on the separated blobs.
"""
import json
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn.cluster import KMeans

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "tests", "fixtures")


def std(X):
    s = X.std(0)
    s[s == 0] = 1
    return (X - X.mean(0)) / s


def case(name, X, ks, separated=False):
    out = {"name": name, "x": X.tolist(), "separated": separated, "runs": []}
    for k in ks:
        km = KMeans(n_clusters=k, n_init=10, random_state=0).fit(X)
        out["runs"].append({"k": k, "inertia": float(km.inertia_), "labels": km.labels_.tolist()})
    return out


iris = pd.read_csv(os.path.join(FIX, "iris_named.csv")).iloc[:, :4].to_numpy(float)
usa = std(pd.read_csv(os.path.join(FIX, "USArrests.csv")).iloc[:, 1:].to_numpy(float))
cust = pd.read_csv(os.path.join(ROOT, "assets", "sample_customers.csv"),
                   keep_default_na=False, na_values=["", "NA"])
num = cust.drop(columns=["customer_id", "region", "channel"]).astype(float)
cust_x = std(num.fillna(num.median()).to_numpy(float))
rng = np.random.default_rng(7)
centres = rng.uniform(-20, 20, size=(5, 4))
blobs = np.vstack([c + rng.normal(size=(200, 4)) for c in centres])
cases = [
    case("iris", iris, [2, 3, 4, 5, 8]),
    case("usarrests_std", usa, [2, 3, 4, 6]),
    case("customers_std", cust_x, [3, 5, 8]),
    case("blobs", blobs, [5], separated=True),
]
with open(os.path.join(FIX, "kmeans_expected.json"), "w") as f:
    json.dump({"sklearn_version": sklearn.__version__, "cases": cases}, f)
print("wrote kmeans_expected.json")
