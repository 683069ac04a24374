#!/usr/bin/env python3
"""Expected PCA values from scikit-learn for tests/pca_fidelity.rs (run by hand; tests never need Python).

Writes tests/fixtures/pca_expected.json: for iris (4 raw features) and USArrests (standardised with
population std, as segscope's standard scaler), sklearn PCA's explained_variance_, explained_variance_ratio_,
components_ (sign: largest-|loading| entry positive, sklearn's svd_flip on Vt) and the first 5 rows of scores.
"""
import json
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn.decomposition import PCA

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "tests", "fixtures")


def case(name, X):
    p = PCA().fit(X)
    comps = p.components_.copy()
    for r in comps:
        if r[np.argmax(np.abs(r))] < 0:
            r *= -1
    scores = (X - p.mean_) @ comps.T
    return {
        "name": name,
        "x": X.tolist(),
        "explained_variance": p.explained_variance_.tolist(),
        "explained_variance_ratio": p.explained_variance_ratio_.tolist(),
        "components": comps.tolist(),
        "scores_head": scores[:5].tolist(),
    }


iris = pd.read_csv(os.path.join(FIX, "iris_named.csv")).iloc[:, :4].to_numpy(float)
usa = pd.read_csv(os.path.join(FIX, "USArrests.csv")).iloc[:, 1:].to_numpy(float)
usa = (usa - usa.mean(0)) / usa.std(0)
out = {"sklearn_version": sklearn.__version__, "cases": [case("iris", iris), case("usarrests_std", usa)]}
with open(os.path.join(FIX, "pca_expected.json"), "w") as f:
    json.dump(out, f, indent=1)
print("wrote", os.path.join(FIX, "pca_expected.json"))
