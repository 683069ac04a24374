#!/usr/bin/env python3
"""Expected DBSCAN / OPTICS values from scikit-learn for tests/density_fidelity.rs (run by hand; tests never
need Python).

Writes tests/fixtures/density_expected.json. Datasets, each standardised with StandardScaler (population
std, as segscope's `--scale standard`), stored in the JSON as prepared matrices:

* ``iris``: sklearn's bundled iris (150 x 4; many tied distances: the measurements have one decimal);
* ``wine``: sklearn's bundled wine (178 x 13);
* ``blobs``: make_blobs(400, centers=4, n_features=2, cluster_std=0.7, random_state=3) plus 40 rows of
  uniform noise over the blobs' bounding box (RandomState(0)), 440 x 2.

Stored per dataset:

* ``dbscan``: for several (eps, min_samples), ``DBSCAN(eps, min_samples).fit(X)`` labels_ and
  core_sample_indices_;
* ``optics``: for several (min_samples, max_eps, xi, min_cluster_size), ``OPTICS(...)`` with
  cluster_method="xi": ordering_, reachability_, core_distances_, predecessor_, labels_ (xi) and
  cluster_hierarchy_, plus ``cluster_optics_dbscan`` labels at two eps values;
* ``kdistance``: for one min_samples, ``NearestNeighbors(n_neighbors=min_samples).kneighbors(X)[0][:, -1]``
  sorted ascending.

Infinite values (reachability of seed points, core distances above max_eps) are written as null, since
JSON has no inf. Floats are written with repr (shortest round trip), so Rust reads the same f64s.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.cluster import DBSCAN, OPTICS, cluster_optics_dbscan
from sklearn.datasets import load_iris, load_wine, make_blobs
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "density_expected.json")


def blobs():
    x, _ = make_blobs(n_samples=400, centers=4, n_features=2, cluster_std=0.7, random_state=3)
    rng = np.random.RandomState(0)
    noise = rng.uniform(x.min(0), x.max(0), size=(40, 2))
    return np.vstack([x, noise])


def finite_or_none(v):
    return [float(a) if np.isfinite(a) else None for a in v]


DATASETS = {
    "iris": (
        load_iris().data,
        [(0.5, 5), (0.8, 5), (1.0, 10), (0.5, 3), (0.3, 1)],
        # (min_samples, max_eps, xi, min_cluster_size, dbscan cut eps values)
        [(5, np.inf, 0.05, None, (0.5, 0.8)), (10, np.inf, 0.1, None, (0.6, 1.0)),
         (5, 1.0, 0.05, 10, (0.5, 1.0))],
        5,
    ),
    "wine": (
        load_wine().data,
        [(2.0, 5), (2.3, 3), (2.5, 10)],
        [(5, np.inf, 0.05, None, (2.0, 2.3)), (10, np.inf, 0.02, 10, (2.3, 2.6)),
         (4, 3.0, 0.05, 8, (2.0, 3.0))],
        5,
    ),
    "blobs": (
        blobs(),
        [(0.15, 5), (0.2, 10), (0.3, 3), (0.5, 5)],
        [(10, np.inf, 0.1, None, (0.2, 0.3)), (5, np.inf, 0.05, 20, (0.15, 0.5)),
         (8, 0.5, 0.05, 20, (0.2, 0.5))],
        10,
    ),
}


def main():
    out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "datasets": {}}
    for name, (raw, dbscan_cases, optics_cases, k) in DATASETS.items():
        x = StandardScaler().fit_transform(raw)
        entry = {"x": x.tolist(), "dbscan": [], "optics": [], "kdistance": None}
        for eps, ms in dbscan_cases:
            db = DBSCAN(eps=eps, min_samples=ms).fit(x)
            entry["dbscan"].append({
                "eps": eps,
                "min_samples": ms,
                "labels": db.labels_.tolist(),
                "core_sample_indices": db.core_sample_indices_.tolist(),
            })
            print(f"{name} DBSCAN eps={eps} ms={ms}: {db.labels_.max() + 1} clusters, "
                  f"{(db.labels_ == -1).sum()} noise")
        for ms, max_eps, xi, mcs, cut_eps in optics_cases:
            op = OPTICS(min_samples=ms, max_eps=max_eps, xi=xi, min_cluster_size=mcs,
                        cluster_method="xi").fit(x)
            cuts = []
            for e in cut_eps:
                labels = cluster_optics_dbscan(reachability=op.reachability_,
                                               core_distances=op.core_distances_,
                                               ordering=op.ordering_, eps=e)
                cuts.append({"eps": e, "labels": labels.tolist()})
            entry["optics"].append({
                "min_samples": ms,
                "max_eps": None if np.isinf(max_eps) else max_eps,
                "xi": xi,
                "min_cluster_size": mcs,
                "ordering": op.ordering_.tolist(),
                "reachability": finite_or_none(op.reachability_),
                "core_distances": finite_or_none(op.core_distances_),
                "predecessor": op.predecessor_.tolist(),
                "xi_labels": op.labels_.tolist(),
                "xi_clusters": op.cluster_hierarchy_.tolist(),
                "cuts": cuts,
            })
            print(f"{name} OPTICS ms={ms} max_eps={max_eps} xi={xi} mcs={mcs}: "
                  f"{op.labels_.max() + 1} xi clusters, {(op.labels_ == -1).sum()} noise, "
                  f"{len(op.cluster_hierarchy_)} in the hierarchy")
        dist = NearestNeighbors(n_neighbors=k).fit(x).kneighbors(x)[0][:, -1]
        entry["kdistance"] = {"min_samples": k, "distances": np.sort(dist).tolist()}
        out["datasets"][name] = entry
    with open(OUT, "w") as f:
        json.dump(out, f, allow_nan=False)
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
