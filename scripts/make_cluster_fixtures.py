#!/usr/bin/env python3
"""Write tests/fixtures/metrics_expected.json: reference cluster metrics from scikit-learn.

Each case stores X (rows), one or more labelings and sklearn's silhouette_score, silhouette_samples,
davies_bouldin_score and calinski_harabasz_score (null where sklearn raises), plus adjusted_rand_score
between pairs of labelings. tests/metrics_fidelity.rs checks segscope::metrics against it to 1e-9.

Silhouette and Davies-Bouldin are also computed with direct distances (scipy cdist, no
||x||^2+||y||^2-2xy expansion) as `silhouette_direct` / `davies_bouldin_direct`. sklearn's expansion
turns a zero distance into ~1e-7 (e.g. a singleton segment's distance to its own centroid), which moves
its Davies-Bouldin by ~1e-8 on the `singletons` case; the Rust test requires 1e-9 agreement with the
direct value and accepts a difference from sklearn only up to that documented rounding gap.

Run from the repository root: python3 scripts/make_cluster_fixtures.py
"""
import json
import os
import sys

import numpy as np
import pandas as pd
import scipy
import sklearn
from scipy.spatial.distance import cdist
from sklearn.cluster import KMeans
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_samples,
    silhouette_score,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "metrics_expected.json")


def direct_silhouette(X, labels):
    """Silhouette from exact pairwise distances (reference for precision checks)."""
    _, codes = np.unique(labels, return_inverse=True)
    D = cdist(X, X)
    k = codes.max() + 1
    freqs = np.bincount(codes)
    sums = np.stack([D[:, codes == c].sum(axis=1) for c in range(k)], axis=1)
    own = sums[np.arange(len(codes)), codes]
    with np.errstate(divide="ignore", invalid="ignore"):
        a = own / (freqs[codes] - 1)
        means = sums / freqs
        means[np.arange(len(codes)), codes] = np.inf
        b = means.min(axis=1)
        s = np.nan_to_num((b - a) / np.maximum(a, b))
    return s


def direct_davies_bouldin(X, labels):
    """sklearn's Davies-Bouldin with direct distances (its expansion gives ~1e-7 for a zero distance)."""
    _, codes = np.unique(labels, return_inverse=True)
    k = codes.max() + 1
    centroids = np.stack([X[codes == c].mean(axis=0) for c in range(k)])
    intra = np.array([cdist(X[codes == c], centroids[c : c + 1]).mean() for c in range(k)])
    cd = cdist(centroids, centroids)
    if np.all(np.isclose(intra, 0)) or np.all(np.isclose(cd, 0)):
        return 0.0
    cd[cd == 0] = np.inf
    return float(np.mean(np.max((intra[:, None] + intra) / cd, axis=1)))


def maybe(f, *args):
    try:
        return float(f(*args))
    except ValueError:
        return None


def labeling(X, name, labels):
    labels = [int(v) for v in labels]
    entry = {"name": name, "labels": labels}
    entry["silhouette_score"] = maybe(silhouette_score, X, labels)
    if entry["silhouette_score"] is not None:
        entry["silhouette_samples"] = [float(v) for v in silhouette_samples(X, labels)]
        direct = direct_silhouette(X, np.asarray(labels))
        entry["silhouette_direct"] = float(direct.mean())
        entry["silhouette_direct_samples"] = [float(v) for v in direct]
    else:
        entry["silhouette_samples"] = None
    entry["davies_bouldin_score"] = maybe(davies_bouldin_score, X, labels)
    if entry["davies_bouldin_score"] is not None:
        entry["davies_bouldin_direct"] = direct_davies_bouldin(X, np.asarray(labels))
    entry["calinski_harabasz_score"] = maybe(calinski_harabasz_score, X, labels)
    return entry


def case(name, X, labelings):
    X = np.asarray(X, dtype=np.float64)
    entries = [labeling(X, n, l) for n, l in labelings]
    ari = []
    for i in range(len(entries)):
        for j in range(len(entries)):
            if i != j:
                ari.append(
                    {
                        "a": entries[i]["name"],
                        "b": entries[j]["name"],
                        "value": float(
                            adjusted_rand_score(entries[i]["labels"], entries[j]["labels"])
                        ),
                    }
                )
    return {"name": name, "x": X.tolist(), "labelings": entries, "ari": ari}


def main():
    cases = []

    iris = pd.read_csv(os.path.join(ROOT, "tests", "fixtures", "iris_named.csv"))
    Xi = iris.drop(columns=["target"]).to_numpy(dtype=np.float64)
    km = KMeans(n_clusters=3, random_state=0, n_init=10).fit_predict(Xi)
    cases.append(case("iris", Xi, [("target", iris["target"]), ("kmeans3", km)]))

    rng = np.random.default_rng(20240601)
    centers = rng.normal(scale=5.0, size=(5, 3))
    sizes = [25, 20, 13, 1, 1]
    lab = np.repeat(np.arange(5), sizes)
    Xs = centers[lab] + rng.normal(size=(60, 3))
    perm = rng.permutation(60)
    Xs, lab = Xs[perm], lab[perm]
    # arbitrary, non-contiguous ids
    ids = np.array([17, 3, 250, 8, 42])
    cases.append(case("singletons", Xs, [("blobs", ids[lab]), ("random3", rng.integers(0, 3, 60))]))

    Xn = rng.normal(size=(12, 2))
    lab_n1 = np.concatenate([np.arange(11), [4]])
    cases.append(case("k_n_minus_1", Xn, [("n_minus_1", lab_n1), ("halves", np.repeat([0, 1], 6))]))

    base = rng.integers(0, 4, size=(10, 3)).astype(float)
    Xd = np.concatenate([base, base, base[:5], np.full((5, 3), 2.0)])
    lab_d = np.concatenate([np.arange(10) % 3, np.arange(10) % 3, np.arange(5) % 3, [3] * 5])
    cases.append(case("duplicates", Xd, [("mod3", lab_d), ("random2", rng.integers(0, 2, len(Xd)))]))

    Xr = rng.normal(size=(500, 7))
    cases.append(
        case(
            "random",
            Xr,
            [
                ("random6", rng.integers(0, 6, 500) * 3 + 1),
                ("random6b", rng.integers(0, 6, 500)),
                ("kmeans6", KMeans(n_clusters=6, random_state=0, n_init=4).fit_predict(Xr)),
            ],
        )
    )

    Xc = np.full((8, 2), 1.5)
    cases.append(case("all_identical", Xc, [("two", [0, 0, 0, 0, 1, 1, 1, 1])]))

    # two clusters sharing a centroid (DB: centroid distance 0 -> inf) and a third apart
    Xz = np.array([[-1.0, 0], [1, 0], [0, -2], [0, 2], [10, 10], [11, 10], [10, 11]])
    cases.append(case("shared_centroid", Xz, [("three", [0, 0, 1, 1, 2, 2, 2])]))

    # ARI special cases (labels only)
    ari_pairs = []
    pairs = [
        ([0, 0, 1, 1], [1, 1, 0, 0]),
        ([0, 0, 1, 2], [0, 0, 1, 1]),
        ([0, 0, 0, 0], [0, 1, 2, 3]),
        ([0, 0, 1, 1], [0, 1, 0, 1]),
        ([0, 1, 2, 3], [0, 1, 2, 3]),
        ([5, 5, 5], [9, 9, 9]),
        ([0], [0]),
        ([0, 1, 2, 3], [0, 0, 0, 0]),
        (list(rng.integers(0, 7, 1000)), list(rng.integers(0, 4, 1000))),
    ]
    for a, b in pairs:
        a = [int(v) for v in a]
        b = [int(v) for v in b]
        ari_pairs.append({"a": a, "b": b, "value": float(adjusted_rand_score(a, b))})

    doc = {
        "generator": "scripts/make_cluster_fixtures.py",
        "versions": {
            "python": sys.version.split()[0],
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "pandas": pd.__version__,
            "scikit-learn": sklearn.__version__,
        },
        "cases": cases,
        "ari_pairs": ari_pairs,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")

    # report the gap between sklearn's expanded distances and direct distances
    gap = 0.0
    for c in cases:
        for l in c["labelings"]:
            if l.get("silhouette_direct") is not None:
                gap = max(gap, abs(l["silhouette_direct"] - l["silhouette_score"]))
                gap = max(
                    gap,
                    max(
                        abs(p - q)
                        for p, q in zip(l["silhouette_samples"], l["silhouette_direct_samples"])
                    ),
                )
    db_gap = max(
        abs(l["davies_bouldin_direct"] - l["davies_bouldin_score"])
        for c in cases
        for l in c["labelings"]
        if l.get("davies_bouldin_direct") is not None
    )
    print(f"wrote {OUT}; max |sklearn - direct|: silhouette {gap:.3g}, davies_bouldin {db_gap:.3g}")


if __name__ == "__main__":
    main()
