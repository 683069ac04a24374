#!/usr/bin/env python3
"""Write tests/fixtures/pandas_summary.json: pandas' view of the test CSV files.

Run by hand (needs pandas): ``python3 scripts/make_fixtures.py``. The Rust tests
only read the JSON (and the CSVs); they never run Python. The point is that the
column summaries of segscope's CSV loader are checked against an independent
implementation (pandas), not against themselves.

Files summarised (paths in the JSON are relative to the repository root):

* ``tests/fixtures/iris_named.csv``, ``tests/fixtures/USArrests.csv``,
  ``tests/fixtures/tips.csv`` -- copied from ``<repo>/../shared/data`` if absent.
* ``assets/sample_customers.csv`` -- made by ``scripts/make_sample.py``.
* ``tests/fixtures/messy.csv`` -- generated here (fixed seed, stdlib ``random``)
  if absent; pass ``--regen-messy`` to overwrite it.

Missing-value convention of segscope's loader (pandas is told to match it)
--------------------------------------------------------------------------
1. A cell is *missing* if, after trimming ASCII whitespace, it is empty or
   equals, case-insensitively, one of ``NA``, ``N/A``, ``NaN``, ``null``, ``?``.
   pandas is read with ``keep_default_na=False`` and ``na_values`` = every
   upper/lower-case spelling of those tokens (plus the empty string); cells that
   pandas left as text are then trimmed and re-checked, so padded tokens such as
   ``" NA "`` are missing too.
2. A column is *numeric* if at least 90% of its non-missing cells (not counting
   cells equal to ``None``) parse as finite floats with
   ``pd.to_numeric(errors="coerce")`` after trimming.
3. In a numeric column, the token ``None`` (case-insensitive, trimmed) is
   missing. Any other non-missing cell that does not parse as a finite float
   (stray words like ``unknown`` or ``n.a.``, and ``inf``/``-inf``) is *invalid*
   and becomes missing too.
   In a non-numeric column ``None`` is an ordinary category level.

Recorded per file: ``path``, ``n_rows``, ``n_columns``, ``columns``.
Recorded per column:

* ``name`` (pandas' name; a blank header becomes ``Unnamed: <i>``),
  ``position`` (0-based), ``kind`` (``numeric`` or ``categorical``),
  ``read_dtype`` (``str(dtype)`` straight from ``read_csv``),
  ``pandas_dtype`` (``str(dtype)`` after applying the convention above),
  ``missing`` (rule 1, plus ``None`` in numeric columns), ``mode``,
  ``mode_count``, ``nunique`` (distinct non-missing values).
* numeric only: ``invalid``, ``missing_total`` (= missing + invalid),
  ``mean``, ``median``, ``std`` (ddof=1, the pandas default), ``min``, ``max``
  (all as floats; the statistics ignore missing and invalid cells).
* ``mode`` is the smallest value of ``Series.mode()`` (numeric order for numeric
  columns, string order for categorical ones); ``mode_count`` is how often it
  occurs.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import os
import random
import shutil

import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
OUT = os.path.join(FIXTURES, "pandas_summary.json")

COPIED = ["iris_named.csv", "USArrests.csv", "tips.csv"]
FILES = [
    "tests/fixtures/iris_named.csv",
    "tests/fixtures/USArrests.csv",
    "tests/fixtures/tips.csv",
    "assets/sample_customers.csv",
    "tests/fixtures/messy.csv",
]

MISSING_TOKENS = ["NA", "N/A", "NaN", "null", "?"]
NUMERIC_THRESHOLD = 0.90
MESSY_SEED = 7
MESSY_ROWS = 200


def case_variants(token: str) -> list[str]:
    """All upper/lower-case spellings of a token (``na`` -> na, nA, Na, NA)."""
    options = [sorted({ch.lower(), ch.upper()}) for ch in token]
    return ["".join(p) for p in itertools.product(*options)]


NA_VALUES = [""] + sorted({v for t in MISSING_TOKENS for v in case_variants(t)})
MISSING_SET = {t.lower() for t in MISSING_TOKENS}


def is_missing_token(cell: str) -> bool:
    s = cell.strip(" \t\r\n\f\v")
    return s == "" or s.lower() in MISSING_SET


def is_none_token(cell: str) -> bool:
    return cell.strip(" \t\r\n\f\v").lower() == "none"


# --------------------------------------------------------------------------- messy.csv
def make_messy(path: str) -> None:
    """~200 rows exercising missing tokens, stray words, None, exponents, -0."""
    rng = random.Random(MESSY_SEED)
    n = MESSY_ROWS

    # score: numeric with missing tokens (and a few padded cells, one None).
    score = [f"{rng.gauss(50, 12):.2f}" for _ in range(n)]
    tokens = ["", "", "", "NA", "NA", "N/A", "NaN", "null", "?", "na", "NULL",
              "nan", "n/a", "Null", " NA ", "None"]
    for i, tok in zip(rng.sample(range(n), len(tokens)), tokens):
        score[i] = tok
    free = [i for i in range(n) if score[i] not in tokens]
    for i in rng.sample(free, 2):
        score[i] = " " + score[i]  # padded number, still numeric

    # visits: integer counts with a few stray words (still >= 90% numeric).
    visits = [str(rng.randint(0, 40)) for _ in range(n)]
    strays = ["unknown", "n.a.", "unknown", "-", "inf", "-inf", "", "NA"]
    for i, w in zip(rng.sample(range(n), len(strays)), strays):
        visits[i] = w

    # segment: categorical with a literal level None and some empty cells.
    segment = rng.choices(["Gold", "Silver", "Bronze", "None"], weights=[2, 4, 5, 2], k=n)
    for i in rng.sample(range(n), 9):
        segment[i] = ""

    # ratio: floats in exponent style, some -0 / 0.
    ratio = []
    for _ in range(n):
        r = rng.random()
        if r < 0.04:
            ratio.append("-0")
        elif r < 0.07:
            ratio.append("0")
        elif r < 0.45:
            ratio.append(f"{rng.uniform(-9, 9):.3g}e-3")
        elif r < 0.55:
            ratio.append(f"{rng.uniform(1, 9):.2f}E+01")
        else:
            ratio.append(f"{rng.uniform(-1, 1):.4f}")

    # count: plain integers, nothing missing.
    count = [str(rng.randint(-5, 500)) for _ in range(n)]

    ids = [f"m{i:04d}" for i in range(1, n + 1)]
    rng.shuffle(ids)

    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["row_id", "score", "visits", "segment", "ratio", "count"])
        for row in zip(ids, score, visits, segment, ratio, count):
            w.writerow(row)


# --------------------------------------------------------------------------- summaries
def py(v):
    """numpy scalar -> plain Python (float for numbers, str otherwise)."""
    if isinstance(v, str):
        return v
    f = float(v)
    if not math.isfinite(f):
        raise ValueError(f"non-finite statistic {v!r}")
    return f


def summarize_column(raw: pd.Series, position: int) -> dict:
    info = {
        "name": str(raw.name),
        "position": position,
        "read_dtype": str(raw.dtype),
    }
    if not pd.api.types.is_numeric_dtype(raw.dtype) or pd.api.types.is_bool_dtype(raw.dtype):
        # Text column (dtype "object", or "str" in pandas >= 3).
        text = raw.astype(object)
        missing_mask = text.map(lambda v: not isinstance(v, str) or is_missing_token(v))
        none_mask = ~missing_mask & text.map(lambda v: isinstance(v, str) and is_none_token(v))
        candidates = text[~missing_mask & ~none_mask].str.strip(" \t\r\n\f\v")
        parsed = pd.to_numeric(candidates, errors="coerce")
        finite = parsed.map(lambda x: math.isfinite(x) if pd.notna(x) else False)
        numeric = len(candidates) > 0 and finite.sum() / len(candidates) >= NUMERIC_THRESHOLD
        if numeric:
            values = pd.Series(float("nan"), index=raw.index, dtype="float64")
            # Values via Python's correctly rounded float(); pd.to_numeric decides validity.
            values[candidates.index] = [float(c) if ok else math.nan for c, ok in zip(candidates, finite)]
            missing = int(missing_mask.sum() + none_mask.sum())
            invalid = int((~finite).sum())
        else:
            values = text.where(~missing_mask).astype(raw.dtype)
            missing = int(missing_mask.sum())
            invalid = 0
    else:
        numeric = True
        values = raw
        missing = int(raw.isna().sum())
        inf_mask = raw.map(lambda x: pd.notna(x) and not math.isfinite(float(x)))
        invalid = int(inf_mask.sum())
        if invalid:
            values = raw.where(~inf_mask).astype("float64")

    info["kind"] = "numeric" if numeric else "categorical"
    info["pandas_dtype"] = str(values.dtype)
    info["missing"] = missing
    present = values.dropna()
    modes = present.mode()
    mode = modes.min() if numeric else sorted(modes.tolist())[0]
    info["nunique"] = int(present.nunique())
    info["mode"] = py(mode)
    info["mode_count"] = int((present == mode).sum())
    if numeric:
        info["invalid"] = invalid
        info["missing_total"] = missing + invalid
        info["mean"] = py(present.mean())
        info["median"] = py(present.median())
        info["std"] = py(present.std())
        info["min"] = py(present.min())
        info["max"] = py(present.max())
    return info


def summarize_file(rel: str) -> dict:
    df = pd.read_csv(
        os.path.join(ROOT, rel),
        keep_default_na=False,
        na_values=NA_VALUES,
    )
    return {
        "path": rel,
        "n_rows": int(df.shape[0]),
        "n_columns": int(df.shape[1]),
        "columns": [summarize_column(df.iloc[:, i], i) for i in range(df.shape[1])],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regen-messy", action="store_true", help="overwrite tests/fixtures/messy.csv")
    args = ap.parse_args()

    os.makedirs(FIXTURES, exist_ok=True)
    for name in COPIED:
        dst = os.path.join(FIXTURES, name)
        if not os.path.exists(dst):
            shutil.copyfile(os.path.join(SHARED, name), dst)
            print(f"copied {name} from {SHARED}")
    messy = os.path.join(FIXTURES, "messy.csv")
    if args.regen_messy or not os.path.exists(messy):
        make_messy(messy)
        print("wrote tests/fixtures/messy.csv")
    if not os.path.exists(os.path.join(ROOT, "assets", "sample_customers.csv")):
        raise SystemExit("assets/sample_customers.csv missing: run scripts/make_sample.py first")

    summary = {
        "generator": "scripts/make_fixtures.py",
        "pandas_version": pd.__version__,
        "missing_tokens": MISSING_TOKENS,
        "numeric_threshold": NUMERIC_THRESHOLD,
        "files": [summarize_file(rel) for rel in FILES],
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1, allow_nan=False)
        f.write("\n")
    for s in summary["files"]:
        kinds = "".join("N" if c["kind"] == "numeric" else "C" for c in s["columns"])
        print(f"{s['path']}: {s['n_rows']} rows x {s['n_columns']} cols [{kinds}]")
    print(f"wrote {os.path.relpath(OUT, ROOT)} ({os.path.getsize(OUT):,} bytes)")


if __name__ == "__main__":
    main()
