#!/usr/bin/env python3
"""End-to-end benchmark of `segscope cluster` against pandas + scikit-learn, same file, same run.

Usage:
    python3 scripts/bench_e2e.py [--binary target/release/segscope] [--repeats 3]

Work timed on both sides (1M x 10 numeric CSV, k = 8, one k-means restart):
- segscope: `segscope cluster FILE --k 8 --n-init 1 --quiet -o OUT.csv` as a child process (reading,
  standard scaling, fitting, the large-data policy's sampled silhouette, writing the labelled CSV);
  wall time and the child's own peak RSS (wait4, measured on the warm-up run before pandas loads).
- peer: pandas `read_csv`, sklearn `StandardScaler().fit_transform`, `KMeans(8, n_init=1).fit`, then the
  frame plus a `segment` column written with `to_csv` — the same steps an analyst would script, without any
  silhouette (so the peer does less work than segscope).

The input is /tmp/segscope_bench/load_1m_x10.csv (made by scripts/bench_load.py's generator if absent).
One warm-up of each side fills the page cache; then alternating runs, best and median reported. Prints
one `key=value` line per figure and the ratio of medians. Needs numpy, pandas and scikit-learn.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from bench_load import DEFAULT, generate  # noqa: E402


def run_segscope(binary: str, path: str, out: str) -> tuple[float, float]:
    """Wall seconds and the child's own peak RSS in MiB (wait4). The RSS is only the child's while this
    process is small: a forked child starts with the parent's resident pages, so measure it before pandas
    and the peer's arrays are loaded."""
    t = time.perf_counter()
    child = subprocess.Popen(
        [binary, "--quiet", "cluster", path, "--k", "8", "--n-init", "1", "-o", out]
    )
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"segscope exited with {child.returncode}")
    return time.perf_counter() - t, usage.ru_maxrss / 1024


def run_peer(path: str, out: str) -> float:
    import pandas as pd
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler

    t = time.perf_counter()
    df = pd.read_csv(path)
    x = StandardScaler().fit_transform(df.to_numpy())
    km = KMeans(8, n_init=1, random_state=0).fit(x)
    df["segment"] = km.labels_
    df.to_csv(out, index=False)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/segscope")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    if not os.path.exists(DEFAULT):
        generate(DEFAULT)
    with tempfile.TemporaryDirectory() as tmp:
        ours_out = os.path.join(tmp, "ours.csv")
        peer_out = os.path.join(tmp, "peer.csv")
        # Warm-up of segscope first, while this process is small: its peak RSS is then its own.
        _, rss_ours = run_segscope(args.binary, DEFAULT, ours_out)
        base_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        run_peer(DEFAULT, peer_out)
        ours, peer = [], []
        for _ in range(args.repeats):
            ours.append(run_segscope(args.binary, DEFAULT, ours_out)[0])
            peer.append(run_peer(DEFAULT, peer_out))
        # The peer runs in this process: its peak, less what the interpreter held before it.
        rss_peer = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - base_self
        with open(ours_out) as f:
            header = f.readline().strip()
    print(f"rows=1000000 cols=10 k=8 n_init=1 repeats={args.repeats}")
    print(f"segscope_seconds={','.join(f'{s:.3f}' for s in ours)}")
    print(f"peer_seconds={','.join(f'{s:.3f}' for s in peer)}")
    print(f"segscope_peak_rss_mib={rss_ours:.1f}")
    print(f"peer_peak_rss_mib={rss_peer:.1f} (growth of this process over the peer's runs)")
    print(f"segscope_output_header={header}")
    print(f"ratio_best={min(ours) / min(peer):.3f}")
    print(f"ratio_median={statistics.median(ours) / statistics.median(peer):.3f}")


if __name__ == "__main__":
    main()
