#!/usr/bin/env python3
"""Baseline timing of pandas.read_csv, to compare with segscope's CSV loader.

Usage:
    python3 scripts/bench_load.py            # default file (generated if absent)
    python3 scripts/bench_load.py some.csv   # time another file

The default file is /tmp/segscope_bench/load_1m_x10.csv: 1,000,000 rows x 10
numeric columns (header x0..x9), floats with ~6 significant digits, about a
third of them negative, fixed seed (numpy, so the bytes may differ between numpy
versions; only the shape and format matter for timing).

Timing: one warm-up read (fills the OS page cache), then the best of 3 reads.
Prints ``pandas_read_csv_seconds=<float>`` plus ``rows=``, ``cols=`` and
``pandas_peak_rss_mib=`` lines. bench_load also passes the mixed file it makes
(the sample's rows repeated to 1M rows) as an argument.
Needs numpy and pandas.
"""

from __future__ import annotations

import os
import resource
import sys
import time

import numpy as np
import pandas as pd

DEFAULT = "/tmp/segscope_bench/load_1m_x10.csv"
N_ROWS = 1_000_000
N_COLS = 10
SEED = 12345
REPEATS = 3


def generate(path: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    rng = np.random.default_rng(SEED)
    header = ",".join(f"x{i}" for i in range(N_COLS))
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(header + "\n")
        chunk = 100_000
        for start in range(0, N_ROWS, chunk):
            n = min(chunk, N_ROWS - start)
            # lognormal magnitudes spread over several orders, ~1/3 negative
            data = rng.lognormal(mean=3.0, sigma=2.0, size=(n, N_COLS))
            data *= np.where(rng.random((n, N_COLS)) < 1 / 3, -1.0, 1.0)
            np.savetxt(f, data, fmt="%.6g", delimiter=",")
    os.replace(tmp, path)


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT
    if len(sys.argv) <= 1 and not os.path.exists(path):
        print(f"generating {path} ...", file=sys.stderr)
        generate(path)
    print(f"file={path} bytes={os.path.getsize(path)}")

    df = pd.read_csv(path)  # warm-up
    best = float("inf")
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        df = pd.read_csv(path)
        best = min(best, time.perf_counter() - t0)
    print(f"rows={df.shape[0]}")
    print(f"cols={df.shape[1]}")
    print(f"pandas_read_csv_seconds={best:.4f}")
    # Peak RSS of this process (the interpreter, pandas and the frames of the reads), for comparison.
    print(f"pandas_peak_rss_mib={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}")


if __name__ == "__main__":
    main()
