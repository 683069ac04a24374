#!/usr/bin/env python3
"""Writes tests/fixtures/linkage_expected.json: scipy linkage matrices, flat cuts and leaf orders.

Data sets: iris (4 features, raw), USArrests standardised (z-score, population std) and a random 300x5 set
(numpy default_rng(42), standard normal). For each of single/complete/average/ward: `linkage(X, method)`
(Euclidean), `fcluster(Z, k, 'maxclust')` for k = 2..6, `fcluster(Z, h, 'distance')` for heights halfway
between consecutive merge heights near the top of the tree, and `leaves_list(Z)`.

Run from the repository root: python3 scripts/make_linkage_fixtures.py
"""
import csv
import json
import os

import numpy as np
import scipy
from scipy.cluster.hierarchy import fcluster, leaves_list, linkage

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "tests", "fixtures")


def load_iris():
    with open(os.path.join(FIX, "iris_named.csv")) as f:
        rows = list(csv.reader(f))
    return np.array([[float(v) for v in r[:4]] for r in rows[1:]])


def load_usarrests():
    with open(os.path.join(FIX, "USArrests.csv")) as f:
        rows = list(csv.reader(f))
    x = np.array([[float(v) for v in r[1:]] for r in rows[1:]])
    return (x - x.mean(axis=0)) / x.std(axis=0)


def main():
    sets = {
        "iris": load_iris(),
        "usarrests": load_usarrests(),
        "random": np.random.default_rng(42).standard_normal((300, 5)),
    }
    out = {
        "versions": {"scipy": scipy.__version__, "numpy": np.__version__},
        "datasets": {},
    }
    for name, x in sets.items():
        entry = {"x": x.tolist(), "methods": {}}
        for method in ["single", "complete", "average", "ward"]:
            z = linkage(x, method=method)
            h = z[:, 2]
            maxclust = {str(k): fcluster(z, k, "maxclust").tolist() for k in range(2, 7)}
            # heights strictly between distinct merge heights near the top (2..7 clusters)
            cuts = []
            for i in range(2, 8):
                lo, hi = h[-i], h[-i + 1]
                if hi - lo > 1e-6:
                    t = 0.5 * (lo + hi)
                    cuts.append({"height": t, "labels": fcluster(z, t, "distance").tolist()})
            entry["methods"][method] = {
                "linkage": z.tolist(),
                "maxclust": maxclust,
                "distance": cuts,
                "leaves": leaves_list(z).tolist(),
            }
        out["datasets"][name] = entry
    with open(os.path.join(FIX, "linkage_expected.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
