#!/usr/bin/env python3
"""Expected gap statistic values for tests/trust_fidelity.rs (run by hand; tests never need Python).

Computes the gap statistic the way R's cluster::clusGap does (Tibshirani, Walther & Hastie 2001), with
numpy/scipy on reference draws and labels that are written to the fixture, so the Rust test can feed the
same draws and labels and compare the arithmetic to 1e-9:

* data: 60 rows x 3 correlated features (three Gaussian blobs), seeded;
* unit draws: B = 10 sets of 60 x 3 uniforms in [0, 1) (numpy default_rng, seeded), mapped into two boxes
  as clusGap does: "original" (range of each centred column) and "scaled_pca" (range of the scores on the
  right singular vectors of the centred data, rotated back), then the column means added back; per box
  coordinate z1 = lo + (hi - lo) * u (R's runif(n, min, max)). Singular vectors take sklearn's sign rule
  (largest-|entry| positive), the rule segscope's PCA uses;
* labels for k = 1..6: k = 1 all zeros, else sklearn KMeans(n_clusters=k, n_init=10, random_state=0);
* W_k = 0.5 * sum over clusters of (sum of pairwise Euclidean distances ** d_power) / n_r, d_power = 1;
  log W_k; E*[log W_k] = mean over sets; s_k = sqrt((1 + 1/B) * var(ddof=1)); gap = E* - log W;
* the chosen k by R's maxSE rules (firstSEmax, Tibs2001SEmax, globalSEmax, firstmax, globalmax), ported
  line by line below.

Writes tests/fixtures/gap_expected.json.
"""
import json
import os

import numpy as np
import scipy
import sklearn
from scipy.spatial.distance import pdist
from sklearn.cluster import KMeans

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "gap_expected.json")
N, D, B, K_MAX, D_POWER = 60, 3, 10, 6, 1.0


def make_data(rng):
    centres = np.array([[0.0, 0.0, 0.0], [5.0, 2.0, 1.0], [1.0, 6.0, -2.0]])
    mix = np.array([[1.0, 0.4, 0.0], [0.0, 0.8, 0.3], [0.0, 0.0, 0.5]])
    labels = np.arange(N) % 3
    return centres[labels] + rng.standard_normal((N, D)) @ mix


def reference_box(x, space):
    mean = x.mean(axis=0)
    xs = x - mean
    rotation = None
    if space == "scaled_pca":
        _, _, vt = np.linalg.svd(xs, full_matrices=False)
        for r in vt:
            if r[np.argmax(np.abs(r))] < 0:
                r *= -1
        rotation = vt.T
        xs = xs @ rotation
    return mean, rotation, xs.min(axis=0), xs.max(axis=0)


def draw(box, u):
    mean, rotation, lo, hi = box
    z1 = lo + (hi - lo) * u
    z = z1 @ rotation.T if rotation is not None else z1
    return z + mean


def labels_for(x):
    out = [np.zeros(len(x), dtype=int)]
    for k in range(2, K_MAX + 1):
        out.append(KMeans(n_clusters=k, n_init=10, random_state=0).fit(x).labels_)
    return out


def w_k(x, labels):
    total = 0.0
    for c in np.unique(labels):
        xs = x[labels == c]
        if len(xs) > 1:
            total += np.sum(pdist(xs) ** D_POWER) / len(xs)
    return 0.5 * total


def max_se(f, se, method, se_factor=1.0):
    """R cluster::maxSE, 1-based result."""
    f = np.asarray(f)
    fse = se_factor * np.asarray(se)
    k = len(f)

    def first_max():
        decr = np.diff(f) <= 0
        return int(np.argmax(decr)) + 1 if decr.any() else k

    def back_off(nc):
        mp = f[: nc - 1] >= f[nc - 1] - fse[nc - 1]
        return int(np.argmax(mp)) + 1 if mp.any() else nc

    if method == "firstmax":
        return first_max()
    if method == "globalmax":
        return int(np.argmax(f)) + 1
    if method == "Tibs2001SEmax":
        mp = f[:-1] >= (f - fse)[1:]
        return int(np.argmax(mp)) + 1 if mp.any() else k
    if method == "firstSEmax":
        return back_off(first_max())
    if method == "globalSEmax":
        return back_off(int(np.argmax(f)) + 1)
    raise ValueError(method)


def main():
    rng = np.random.default_rng(20010411)
    x = make_data(rng)
    unit = rng.random((B, N, D))
    data_labels = labels_for(x)
    log_w = [float(np.log(w_k(x, l))) for l in data_labels]
    cases = {}
    for space in ["original", "scaled_pca"]:
        box = reference_box(x, space)
        draws = [draw(box, u) for u in unit]
        ref_labels = [labels_for(z) for z in draws]
        ref_log_w = np.array(
            [[np.log(w_k(z, l)) for l in ls] for z, ls in zip(draws, ref_labels)]
        )
        e_log_w = ref_log_w.mean(axis=0)
        s_k = np.sqrt((1 + 1 / B) * ref_log_w.var(axis=0, ddof=1))
        gap = e_log_w - np.array(log_w)
        cases[space] = {
            "draws": [z.tolist() for z in draws],
            "reference_labels": [[l.tolist() for l in ls] for ls in ref_labels],
            "e_log_w": e_log_w.tolist(),
            "gap": gap.tolist(),
            "s_k": s_k.tolist(),
            "k": {
                m: max_se(gap, s_k, m)
                for m in ["firstSEmax", "Tibs2001SEmax", "globalSEmax", "firstmax", "globalmax"]
            },
        }
    out = {
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
        "sklearn_version": sklearn.__version__,
        "b": B,
        "k_max": K_MAX,
        "d_power": D_POWER,
        "data": x.tolist(),
        "unit": [u.tolist() for u in unit],
        "data_labels": [l.tolist() for l in data_labels],
        "log_w": log_w,
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    for space, c in cases.items():
        print(space, "gap", np.round(c["gap"], 4), "k", c["k"])


if __name__ == "__main__":
    main()
