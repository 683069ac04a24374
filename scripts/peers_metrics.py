#!/usr/bin/env python3
"""Peer timing for segscope's metrics: scikit-learn's silhouette_score on the benchmark file.

Usage:
    python3 scripts/peers_metrics.py [FILE]

FILE defaults to /tmp/segscope_bench/sil_50k.csv, written by
`cargo run --release --no-default-features --bin bench_metrics` (50,000 rows, columns x0..x9 and
`label`). Reads it with pandas (not timed), then times one call of
sklearn.metrics.silhouette_score(X, labels) (Euclidean, no sampling; one call takes tens of seconds,
so it is not repeated). Prints ``sklearn_silhouette=``, ``sklearn_silhouette_seconds=`` (wall),
``sklearn_silhouette_cpu_seconds=`` (process CPU, all threads) and the library versions.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd
import sklearn
from sklearn.metrics import silhouette_score

DEFAULT = "/tmp/segscope_bench/sil_50k.csv"


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT
    df = pd.read_csv(path)
    labels = df["label"].to_numpy()
    X = df.drop(columns=["label"]).to_numpy(dtype=np.float64)
    t, c = time.perf_counter(), time.process_time()
    score = silhouette_score(X, labels)
    secs = time.perf_counter() - t
    cpu = time.process_time() - c
    print(f"rows={X.shape[0]} cols={X.shape[1]}")
    print(f"sklearn_silhouette={score:.17g}")
    print(f"sklearn_silhouette_seconds={secs:.3f}")
    print(f"sklearn_silhouette_cpu_seconds={cpu:.3f}")
    print(f"versions: numpy={np.__version__} pandas={pd.__version__} scikit-learn={sklearn.__version__}")


if __name__ == "__main__":
    main()
