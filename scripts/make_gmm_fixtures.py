#!/usr/bin/env python3
"""Expected Gaussian-mixture values from scikit-learn for tests/gmm_fidelity.rs (run by hand; tests never
need Python).

Writes tests/fixtures/gmm_expected.json. Datasets: iris (4 raw features of tests/fixtures/iris_named.csv) and
a generated 3-blob set (600 x 3, sklearn make_blobs, random_state=7). For k = 2, 3, 4 and covariance types
full, diag and spherical:

* initial labels = KMeans(k, n_init=10, random_state=0).labels_ (stored, so Rust starts from the same ones);
* initial parameters from the one-hot labels with sklearn's own `_estimate_gaussian_parameters` and
  `_compute_precision_cholesky` (weights = nk / n, as `_initialize`), passed as weights_init, means_init,
  precisions_init;
* GaussianMixture(k, covariance_type, max_iter=100, tol=1e-3, reg_covar=1e-6).fit(X).

Stored: score (mean log-likelihood per sample), bic, aic, n_parameters, weights, means, n_iter, converged,
lower_bound, predict_proba of the first 5 rows, and predicted labels.
"""
import json
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.mixture import GaussianMixture
from sklearn.mixture._gaussian_mixture import (
    _compute_precision_cholesky,
    _estimate_gaussian_parameters,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "tests", "fixtures")
REG = 1e-6


def precisions_from_cholesky(pc, cov_type):
    if cov_type == "full":
        return np.array([c @ c.T for c in pc])
    return pc**2


def case(name, X, k, cov_type):
    n = X.shape[0]
    labels = KMeans(n_clusters=k, n_init=10, random_state=0).fit(X).labels_
    resp = np.zeros((n, k))
    resp[np.arange(n), labels] = 1.0
    w, m, c = _estimate_gaussian_parameters(X, resp, REG, cov_type)
    w = w / n
    pc = _compute_precision_cholesky(c, cov_type)
    gm = GaussianMixture(
        n_components=k,
        covariance_type=cov_type,
        max_iter=100,
        tol=1e-3,
        reg_covar=REG,
        init_params="random",
        weights_init=w / w.sum(),
        means_init=m,
        precisions_init=precisions_from_cholesky(pc, cov_type),
        random_state=0,
    ).fit(X)
    score = gm.score(X)
    return {
        "name": name,
        "k": k,
        "covariance": cov_type,
        "init_labels": labels.tolist(),
        "score": score,
        "bic": gm.bic(X),
        "aic": gm.aic(X),
        "n_parameters": int(gm._n_parameters()),
        "weights": gm.weights_.tolist(),
        "means": gm.means_.tolist(),
        "n_iter": int(gm.n_iter_),
        "converged": bool(gm.converged_),
        "lower_bound": float(gm.lower_bound_),
        "proba_head": gm.predict_proba(X[:5]).tolist(),
        "labels": gm.predict(X).tolist(),
    }


def main():
    iris = pd.read_csv(os.path.join(FIX, "iris_named.csv")).iloc[:, :4].to_numpy(dtype=float)
    blobs, _ = make_blobs(n_samples=600, n_features=3, centers=3, cluster_std=[1.0, 1.5, 0.7], random_state=7)
    data = {"iris": iris, "blobs": blobs}
    cases = []
    for name, X in data.items():
        for k in (2, 3, 4):
            for cov_type in ("full", "diag", "spherical"):
                cases.append(case(name, X, k, cov_type))
    out = {
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "data": {name: X.tolist() for name, X in data.items()},
        "cases": cases,
    }
    with open(os.path.join(FIX, "gmm_expected.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
