#!/usr/bin/env python3
"""Expected PCA values from scikit-learn for tests/pca_fidelity.rs (run by hand; tests never need Python).

Writes tests/fixtures/pca_expected.json with, per case, sklearn PCA's explained_variance_,
explained_variance_ratio_, components_ (sign: largest-|loading| entry positive, sklearn's svd_flip on Vt)
and the first 5 rows of scores, for all min(n, d) components:

* iris (4 raw features) and USArrests (standardised with population std, as segscope's standard scaler),
  with the default solver; their inputs are stored inline (``x``).
* generated cases, fitted with ``svd_solver="full"`` (LAPACK's SVD of the centred data, the exact
  reference), whose inputs are written to ``tests/fixtures/pca_<name>.csv`` (header ``x0..``, values with 6
  significant digits, read back with numpy's correctly rounded parser, as Rust's, so Python and Rust
  decompose the same f64s) and
  named by ``x_csv``:
  - ``wide_40x1000``, ``wide_30x200``: n < d, 6 latent directions of decreasing strength plus noise; the
    last eigenvalue is ~0 (centred data of n rows has rank n - 1);
  - ``rank4_25x80``: integer data of exact rank 4 (n < d), so 21 eigenvalues are ~0;
  - ``tall_1000x30``: n > d, 5 latent directions plus noise;
  - ``tall_onehot_400x12``: n > d, 8 numeric columns and a 4-level one-hot block (its columns sum to 1, so
    one eigenvalue is ~0).

Only the first ``STORE`` components (and their scores) are stored, each with ``separated``: whether its
eigenvalue is at least 1e-6 of the largest and at least 1e-4 of the largest away from its neighbours, i.e.
whether the direction is determined well enough to compare to 1e-9.
"""
import json
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn.decomposition import PCA

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "tests", "fixtures")
STORE = 10


def signed(components):
    comps = components.copy()
    for r in comps:
        if r[np.argmax(np.abs(r))] < 0:
            r *= -1
    return comps


def separated(ev):
    top = ev[0]
    out = []
    for i, v in enumerate(ev):
        gaps = [abs(v - ev[j]) for j in (i - 1, i + 1) if 0 <= j < len(ev)]
        out.append(bool(top > 0 and v >= 1e-6 * top and min(gaps) >= 1e-4 * top))
    return out


def case(name, X, solver="auto", csv=None):
    p = PCA(svd_solver=solver).fit(X)
    comps = signed(p.components_)[:STORE]
    scores = (X - p.mean_) @ comps.T
    out = {"name": name, "solver": solver, "n_rows": X.shape[0], "n_features": X.shape[1]}
    if csv is None:
        out["x"] = X.tolist()
    else:
        out["x_csv"] = csv
    out.update(
        {
            "explained_variance": p.explained_variance_.tolist(),
            "explained_variance_ratio": p.explained_variance_ratio_.tolist(),
            "separated": separated(p.explained_variance_)[:STORE],
            "components": comps.tolist(),
            "scores_head": scores[:5].tolist(),
        }
    )
    return out


def stored(name, X):
    """Writes X with 6 significant digits and returns (file name, the matrix as read back)."""
    file = f"pca_{name}.csv"
    path = os.path.join(FIX, file)
    cols = [f"x{j}" for j in range(X.shape[1])]
    pd.DataFrame(X, columns=cols).to_csv(path, index=False, float_format="%.6g")
    back = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
    return file, back


def latent(rng, n, d, strengths, noise):
    z = rng.normal(size=(n, len(strengths))) * np.asarray(strengths)
    w = rng.normal(size=(len(strengths), d))
    return z @ w + noise * rng.normal(size=(n, d)) + rng.normal(size=d) * 3.0


def generated():
    rng = np.random.default_rng(20240610)
    cases = []
    x = latent(rng, 40, 1000, [12, 9, 7, 5, 3, 2], 0.5)
    cases.append(("wide_40x1000", x))
    x = latent(rng, 30, 200, [10, 6, 4, 3, 2, 1.5], 0.3)
    cases.append(("wide_30x200", x))
    z = rng.integers(-5, 6, size=(25, 4))
    w = rng.integers(-3, 4, size=(4, 80))
    cases.append(("rank4_25x80", (z @ w).astype(np.float64)))
    x = latent(rng, 1000, 30, [6, 4, 3, 2, 1.5], 0.4)
    cases.append(("tall_1000x30", x))
    num = latent(rng, 400, 8, [3, 2, 1], 0.5)
    level = rng.integers(0, 4, size=400)
    onehot = np.eye(4)[level]
    cases.append(("tall_onehot_400x12", np.hstack([num, onehot])))
    out = []
    for name, x in cases:
        file, back = stored(name, x)
        out.append(case(name, back, solver="full", csv=file))
    return out


iris = pd.read_csv(os.path.join(FIX, "iris_named.csv")).iloc[:, :4].to_numpy(float)
usa = pd.read_csv(os.path.join(FIX, "USArrests.csv")).iloc[:, 1:].to_numpy(float)
usa = (usa - usa.mean(0)) / usa.std(0)
cases = [case("iris", iris), case("usarrests_std", usa)] + generated()
out = {"sklearn_version": sklearn.__version__, "numpy_version": np.__version__, "cases": cases}
with open(os.path.join(FIX, "pca_expected.json"), "w") as f:
    json.dump(out, f, indent=1)
print("wrote", os.path.join(FIX, "pca_expected.json"))
for c in cases:
    ev = c["explained_variance"]
    print(f"{c['name']}: {c['n_rows']} x {c['n_features']}, ev[0] {ev[0]:.4g}, ev[-1] {ev[-1]:.3g}, "
          f"separated {sum(c['separated'])}/{len(c['separated'])}")
