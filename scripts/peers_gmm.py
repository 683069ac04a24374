#!/usr/bin/env python3
"""Times scikit-learn's GaussianMixture (full, k-means init, n_init=1, best of 3) on a CSV written by
src/bin/bench_gmm.rs: `python3 scripts/peers_gmm.py FILE K`."""
import sys
import time

import pandas as pd
import sklearn
from sklearn.mixture import GaussianMixture

X = pd.read_csv(sys.argv[1]).to_numpy(dtype=float)
k = int(sys.argv[2])
best = float("inf")
for _ in range(3):
    t = time.perf_counter()
    g = GaussianMixture(n_components=k, covariance_type="full", random_state=0).fit(X)
    best = min(best, time.perf_counter() - t)
print(f"sklearn {sklearn.__version__}: {best:.3f} s (best of 3), n_iter {g.n_iter_}, "
      f"converged {g.converged_}, score {g.score(X):.6f}")
