#!/usr/bin/env python3
"""Peer timings for segscope's engine benchmark (src/bin/bench_engine.rs).

Usage:
    python3 scripts/peers.py CASE FILE [ARGS]

CASE is one of:

* ``kmeans FILE K``      sklearn ``KMeans(K, n_init=1, algorithm="lloyd", random_state=0)``, best of 3.
* ``sweep FILE KMIN KMAX`` the seed guide's loop: for k in KMIN..=KMAX, ``KMeans(k, n_init=10,
  random_state=0).fit(X)`` then ``silhouette_score``, ``davies_bouldin_score`` and
  ``calinski_harabasz_score`` of its labels; one run (tens of seconds).
* ``silhouette FILE``    sklearn ``silhouette_score(X, labels)`` (file has a ``label`` column); best of 2.
* ``ward FILE``          fastcluster ``linkage_vector(X, method="ward")`` (best of 2) and scipy
  ``linkage(X, "ward")`` (one run: it takes tens of seconds). Writes each peer's merge heights, one per line, to ``FILE.fastcluster_heights.txt`` and
  ``FILE.scipy_heights.txt`` so the Rust side can compare them with its own.
* ``gmm FILE K``         sklearn ``GaussianMixture(K, covariance_type="full", random_state=0)``, best of 3.
* ``dbscan FILE EPS MIN_SAMPLES`` sklearn ``DBSCAN(eps, min_samples)`` (k-d tree, n_jobs=None), one run;
  writes its labels, one per line, to ``FILE.sklearn_labels.txt``.
* ``pca FILE K``         sklearn ``PCA(K, random_state=0)`` with its default solver, best of 3; when the smaller
  side is at most 1,000 also ``PCA(K, svd_solver="full")`` once, untimed, as the exact reference.

The CSV (columns ``x0..``, optional ``label``) is read with pandas using round-trip float parsing, so the
peer sees exactly the f64 values segscope clustered; reading is not timed. Every result is printed as a
``key=value`` line: ``peer_seconds`` (wall, the timed figure), ``peer_cpu_seconds`` (process CPU, all
threads), case-specific fidelity figures, the library versions and the thread counts the peers used
(threadpoolctl: OpenMP for sklearn's KMeans, BLAS for numpy/scipy; fastcluster and scipy's linkage are
single-threaded C++).
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd


def load(path: str) -> tuple[np.ndarray, np.ndarray | None]:
    df = pd.read_csv(path, float_precision="round_trip")
    labels = None
    if "label" in df.columns:
        labels = df["label"].to_numpy()
        df = df.drop(columns=["label"])
    return np.ascontiguousarray(df.to_numpy(dtype=np.float64)), labels


def threads() -> None:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        print("peer_threads=unknown (threadpoolctl missing)")
        return
    seen = {}
    for info in threadpool_info():
        seen[info.get("internal_api", info.get("user_api"))] = info.get("num_threads")
    print("peer_threads=" + " ".join(f"{k}:{v}" for k, v in sorted(seen.items())))


def write_heights(path: str, heights: np.ndarray) -> None:
    """One height per line in shortest round-trip form (Python's repr of a float)."""
    with open(path, "w") as f:
        f.write("\n".join(repr(float(h)) for h in heights))
        f.write("\n")


def timed(fn, repeats: int):
    """Best wall time of `repeats` calls, the CPU time of that call, and its result."""
    best = (float("inf"), 0.0, None)
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        if wall < best[0]:
            best = (wall, cpu, out)
    return best


def case_kmeans(x: np.ndarray, k: int) -> None:
    import sklearn
    from sklearn.cluster import KMeans

    def run():
        return KMeans(n_clusters=k, n_init=1, algorithm="lloyd", random_state=0).fit(x)

    wall, cpu, km = timed(run, 3)
    print(f"peer=sklearn.cluster.KMeans(n_clusters={k}, n_init=1, algorithm='lloyd') best of 3")
    print(f"peer_seconds={wall:.4f}")
    print(f"peer_cpu_seconds={cpu:.3f}")
    print(f"peer_inertia={float(km.inertia_)!r}")
    print(f"peer_n_iter={km.n_iter_}")
    print(f"versions=numpy {np.__version__}, scikit-learn {sklearn.__version__}")


def case_sweep(x: np.ndarray, kmin: int, kmax: int) -> None:
    import sklearn
    from sklearn.cluster import KMeans
    from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

    def run():
        rows = []
        for k in range(kmin, kmax + 1):
            km = KMeans(k, n_init=10, random_state=0).fit(x)
            sil = silhouette_score(x, km.labels_)
            db = davies_bouldin_score(x, km.labels_)
            ch = calinski_harabasz_score(x, km.labels_)
            rows.append((k, km.inertia_, sil, db, ch))
        return rows

    wall, cpu, rows = timed(run, 1)
    print(f"peer=seed guide loop k={kmin}..{kmax}: KMeans(k, n_init=10) + silhouette + DB + CH, one run")
    print(f"peer_seconds={wall:.4f}")
    print(f"peer_cpu_seconds={cpu:.3f}")
    for k, inertia, sil, db, ch in rows:
        print(f"peer_k{k}={float(inertia)!r},{float(sil)!r},{float(db)!r},{float(ch)!r}")
    print(f"versions=numpy {np.__version__}, scikit-learn {sklearn.__version__}")


def case_silhouette(x: np.ndarray, labels: np.ndarray) -> None:
    import sklearn
    from sklearn.metrics import silhouette_score

    wall, cpu, score = timed(lambda: silhouette_score(x, labels), 2)
    print("peer=sklearn.metrics.silhouette_score, best of 2")
    print(f"peer_seconds={wall:.4f}")
    print(f"peer_cpu_seconds={cpu:.3f}")
    print(f"peer_silhouette={float(score)!r}")
    print(f"versions=numpy {np.__version__}, scikit-learn {sklearn.__version__}")


def case_ward(x: np.ndarray, path: str) -> None:
    import fastcluster
    import scipy
    from scipy.cluster.hierarchy import linkage

    wall, cpu, z = timed(lambda: fastcluster.linkage_vector(x, method="ward"), 2)
    out = path + ".fastcluster_heights.txt"
    write_heights(out, z[:, 2])
    print("peer=fastcluster.linkage_vector(X, method='ward'), best of 2")
    print(f"peer_seconds={wall:.4f}")
    print(f"peer_cpu_seconds={cpu:.3f}")
    print(f"peer_heights={out}")
    del z
    wall, cpu, z = timed(lambda: linkage(x, "ward"), 1)
    out = path + ".scipy_heights.txt"
    write_heights(out, z[:, 2])
    print("peer2=scipy.cluster.hierarchy.linkage(X, 'ward'), one run")
    print(f"peer2_seconds={wall:.4f}")
    print(f"peer2_cpu_seconds={cpu:.3f}")
    print(f"peer2_heights={out}")
    print(f"versions=numpy {np.__version__}, scipy {scipy.__version__}, fastcluster {fastcluster.__version__}")


def case_gmm(x: np.ndarray, k: int) -> None:
    import sklearn
    from sklearn.mixture import GaussianMixture

    def run():
        return GaussianMixture(n_components=k, covariance_type="full", random_state=0).fit(x)

    wall, cpu, g = timed(run, 3)
    print(f"peer=sklearn.mixture.GaussianMixture({k}, covariance_type='full') best of 3")
    print(f"peer_seconds={wall:.4f}")
    print(f"peer_cpu_seconds={cpu:.3f}")
    print(f"peer_score={float(g.score(x))!r}")
    print(f"peer_n_iter={g.n_iter_}")
    print(f"peer_converged={g.converged_}")
    print(f"versions=numpy {np.__version__}, scikit-learn {sklearn.__version__}")


def case_dbscan(x: np.ndarray, eps: float, min_samples: int, path: str) -> None:
    import sklearn
    from sklearn.cluster import DBSCAN

    wall, cpu, db = timed(lambda: DBSCAN(eps=eps, min_samples=min_samples).fit(x), 1)
    out = path + ".sklearn_labels.txt"
    with open(out, "w") as f:
        f.write("\n".join(str(int(v)) for v in db.labels_))
        f.write("\n")
    print(f"peer=sklearn.cluster.DBSCAN(eps={eps}, min_samples={min_samples}), one run")
    print(f"peer_seconds={wall:.4f}")
    print(f"peer_cpu_seconds={cpu:.3f}")
    print(f"peer_n_clusters={int(db.labels_.max()) + 1}")
    print(f"peer_n_noise={int((db.labels_ == -1).sum())}")
    print(f"peer_labels={out}")
def case_pca(x: np.ndarray, k: int) -> None:
    import sklearn
    from sklearn.decomposition import PCA

    wall, cpu, p = timed(lambda: PCA(n_components=k, random_state=0).fit(x), 3)
    solver = getattr(p, "_fit_svd_solver", "?")
    print(f"peer=sklearn.decomposition.PCA(n_components={k}) best of 3, solver {solver}")
    print(f"peer_seconds={wall:.4f}")
    print(f"peer_cpu_seconds={cpu:.3f}")
    print(f"peer_solver={solver}")
    print("peer_explained_variance=" + ",".join(repr(float(v)) for v in p.explained_variance_))
    print("peer_explained_variance_ratio=" + ",".join(repr(float(v)) for v in p.explained_variance_ratio_))
    if min(x.shape) <= 1000:
        f = PCA(n_components=k, svd_solver="full").fit(x)
        print("peer_full_explained_variance=" + ",".join(repr(float(v)) for v in f.explained_variance_))
        print("peer_full_explained_variance_ratio=" + ",".join(repr(float(v)) for v in f.explained_variance_ratio_))
    print(f"versions=numpy {np.__version__}, scikit-learn {sklearn.__version__}")


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    case, path, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    x, labels = load(path)
    print(f"rows={x.shape[0]} cols={x.shape[1]}")
    if case == "kmeans":
        case_kmeans(x, int(args[0]))
    elif case == "sweep":
        case_sweep(x, int(args[0]), int(args[1]))
    elif case == "silhouette":
        if labels is None:
            sys.exit("silhouette: the file needs a 'label' column")
        case_silhouette(x, labels)
    elif case == "ward":
        case_ward(x, path)
    elif case == "gmm":
        case_gmm(x, int(args[0]))
    elif case == "dbscan":
        case_dbscan(x, float(args[0]), int(args[1]), path)
    elif case == "pca":
        case_pca(x, int(args[0]))
    else:
        sys.exit(f"unknown case {case!r}")
    # After the run: sklearn's OpenMP runtime is loaded only once KMeans has been imported.
    threads()


if __name__ == "__main__":
    main()
