#!/usr/bin/env python3
"""Write tests/fixtures/prep_expected.json: sklearn's and pandas' answers for segscope's feature
preparation (src/prep), checked by tests/prep_fidelity.rs to 1e-12.

Run by hand (needs pandas, numpy, scikit-learn): ``python3 scripts/make_prep_fixtures.py``.
The Rust tests only read the JSON and the CSVs; they never run Python.

Generated inputs (fixed seeds, written if absent, ``--regen`` overwrites):

* ``tests/fixtures/prep_missing.csv`` -- 300 rows, four continuous numeric columns with ~10% missing
  cells and a categorical ``region`` with ~5% missing (no distance ties, so KNN neighbours are unique).
* ``tests/fixtures/prep_iris_missing.csv`` -- iris with ~10% of the measurement cells blanked.

Each ``case`` is one preparation: ``features``, ``impute`` (segscope's spelling), ``scale``,
``missing_category``; expected ``feature_names`` and ``matrix`` (rows = input rows). References:

* impute: ``SimpleImputer(strategy=mean|median|most_frequent)``, ``KNNImputer(n_neighbors=5)`` on the
  selected numeric features; categoricals: most frequent level, or their own level
  (``get_dummies(dummy_na=True)``, ``nan`` renamed ``<missing>``).
* encode: ``pd.get_dummies(col, prefix=name, prefix_sep="=")`` per categorical feature, in feature order.
* scale: ``StandardScaler``, ``MinMaxScaler``, ``RobustScaler`` on the whole matrix (one-hot included).

KNN ties: sklearn chooses neighbours with ``argpartition``, which does not specify the order of exactly
tied distances; segscope sorts stably (ties by row order). Each KNN case is also computed with a
direct stable-sort implementation here; if the two disagree the case is left out and reported.

``rfm``: a pandas groupby of ``assets/sample_transactions.csv`` (as-of = last date + 1 day, recency in
days, frequency = rows, monetary = sum) with scores ``pd.qcut(x.rank(method="first"), 5, labels=...)``
(recency labels reversed). ``qcut``: label counts of ``pd.qcut(pd.Series(range(1, n+1)).rank(
method="first"), 5, labels=[1..5])`` for many ``n``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random

import numpy as np
import pandas as pd
from sklearn.impute import KNNImputer, SimpleImputer
from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "tests", "fixtures")
OUT = os.path.join(FIX, "prep_expected.json")
MISSING = {"", "na", "n/a", "nan", "null", "?"}


def cell_missing(v) -> bool:
    return not isinstance(v, str) or v.strip(" \t\r\n\f\v").lower() in MISSING


def read(rel: str) -> pd.DataFrame:
    """All cells as strings, missing tokens as NaN (segscope's loader convention)."""
    df = pd.read_csv(os.path.join(ROOT, rel), dtype=str, keep_default_na=False)
    return df.map(lambda v: np.nan if cell_missing(v) else v)


def numeric(s: pd.Series) -> np.ndarray:
    out = []
    for v in s:
        if isinstance(v, str):
            try:
                f = float(v.strip())
            except ValueError:
                f = math.nan
            out.append(f if math.isfinite(f) else math.nan)
        else:
            out.append(math.nan)
    return np.array(out, dtype=float)


def make_missing(path: str) -> None:
    rng = random.Random(11)
    rows = []
    for i in range(300):
        a = round(rng.gauss(50, 10), 6)
        b = round(math.exp(rng.gauss(3, 1)), 6)
        c = round(rng.uniform(-1, 1), 6)
        d = round(rng.gauss(0, 1) * 100, 6)
        region = rng.choice(["North", "South", "East", "West", "North"])
        cells = [f"{a}", f"{b}", f"{c}", f"{d}"]
        cells = ["" if rng.random() < 0.1 else x for x in cells]
        region = "" if rng.random() < 0.05 else region
        rows.append([f"r{i:03d}"] + cells + [region])
    with open(path, "w", newline="") as f:
        f.write("id,a,b,c,d,region\n")
        for r in rows:
            f.write(",".join(r) + "\n")


def make_iris_missing(path: str) -> None:
    rng = random.Random(5)
    with open(os.path.join(FIX, "iris_named.csv")) as f:
        lines = f.read().splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        cells = ["" if i < 4 and rng.random() < 0.1 else c for i, c in enumerate(cells)]
        out.append(",".join(cells))
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def knn_reference(X: np.ndarray, k: int) -> np.ndarray:
    """Direct nan-euclidean KNN imputation with a stable sort (segscope's tie rule)."""
    n, d = X.shape
    out = X.copy()
    means = np.nanmean(X, axis=0)
    for i in range(n):
        miss = np.isnan(X[i])
        if not miss.any():
            continue
        both = ~np.isnan(X) & ~miss
        cnt = both.sum(axis=1)
        diff = np.where(both, X - np.nan_to_num(X[i]), 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            dist = np.sqrt((diff**2).sum(axis=1) * d / cnt)
        dist[cnt == 0] = np.nan
        for j in np.flatnonzero(miss):
            donors = np.flatnonzero(~np.isnan(X[:, j]))
            dd = dist[donors]
            if np.isnan(dd).all():
                out[i, j] = means[j]
                continue
            order = donors[np.argsort(np.where(np.isnan(dd), np.inf, dd), kind="stable")][:k]
            w = ~np.isnan(dist[order])
            out[i, j] = X[order[w], j].sum() / w.sum()
    return out


SCALERS = {"standard": StandardScaler, "minmax": MinMaxScaler, "robust": RobustScaler}


def build(df, features, kinds, impute, scale, missing_category="impute"):
    """Expected (names, matrix) for one case, or None if the KNN tie check fails."""
    num = [f for f in features if kinds[f] == "n"]
    X = np.column_stack([numeric(df[f]) for f in num])
    if impute == "knn:5":
        sk = KNNImputer(n_neighbors=5).fit_transform(X)
        ref = knn_reference(X, 5)
        if not np.allclose(sk, ref, rtol=1e-12, atol=1e-12):
            return None
        Xi = sk
    else:
        strategy = {"mode": "most_frequent"}.get(impute, impute)
        Xi = SimpleImputer(strategy=strategy).fit_transform(X)
    names, cols = [], []
    for f in features:
        if kinds[f] == "n":
            names.append(f)
            cols.append(Xi[:, num.index(f)].reshape(-1, 1))
            continue
        s = df[f]
        if missing_category == "level":
            dummies = pd.get_dummies(s, prefix=f, prefix_sep="=", dtype=float, dummy_na=bool(s.isna().any()))
            dummies.columns = [c if c != f"{f}=nan" else f"{f}=<missing>" for c in dummies.columns]
        else:
            filled = SimpleImputer(strategy="most_frequent").fit_transform(s.to_frame().astype(object))
            dummies = pd.get_dummies(pd.Series(filled[:, 0]), prefix=f, prefix_sep="=", dtype=float)
        names.extend(dummies.columns)
        cols.append(dummies.to_numpy(dtype=float))
    M = np.hstack(cols)
    if scale != "none":
        M = SCALERS[scale]().fit_transform(M)
    return names, M


def cases():
    data = {
        "tests/fixtures/iris_named.csv": (
            ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"], []),
        "tests/fixtures/USArrests.csv": (["Murder", "Assault", "UrbanPop", "Rape"], []),
        "tests/fixtures/tips.csv": (["total_bill", "tip", "size"], ["sex", "smoker", "day", "time"]),
        "tests/fixtures/messy.csv": (["score", "visits", "ratio", "count"], ["segment"]),
        "tests/fixtures/prep_missing.csv": (["a", "b", "c", "d"], ["region"]),
        "tests/fixtures/prep_iris_missing.csv": (
            ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"], []),
    }
    out, skipped = [], []
    for path, (num, cat) in data.items():
        df = read(path)
        kinds = {**{f: "n" for f in num}, **{f: "c" for f in cat}}
        specs = []
        for imp in ["mean", "median", "mode", "knn:5"]:
            specs.append((num, imp, "none", "impute"))
        for sc in ["standard", "minmax", "robust"]:
            specs.append((num, "median", sc, "impute"))
        if cat:
            mixed = num[:2] + cat
            specs.append((mixed, "median", "none", "impute"))
            specs.append((mixed, "median", "standard", "impute"))
            specs.append((mixed, "mean", "minmax", "level"))
        for feats, imp, sc, mc in specs:
            r = build(df, feats, kinds, imp, sc, mc)
            name = f"{os.path.basename(path)} {','.join(feats)} impute={imp} scale={sc} missing={mc}"
            if r is None:
                skipped.append(name)
                continue
            names, M = r
            out.append({
                "name": name, "path": path, "features": feats, "impute": imp, "scale": sc,
                "missing_category": mc, "feature_names": list(names),
                "matrix": [[float(x) for x in row] for row in M],
            })
    return out, skipped


def rfm():
    rel = "assets/sample_transactions.csv"
    df = pd.read_csv(os.path.join(ROOT, rel), dtype={"customer_id": str})
    df["date"] = pd.to_datetime(df["date"])
    g = df.groupby("customer_id").agg(last=("date", "max"), frequency=("date", "size"),
                                      monetary=("amount", "sum"))
    as_of = df["date"].max() + pd.Timedelta(days=1)
    g["recency_days"] = (as_of - g["last"]).dt.days
    g["r"] = pd.qcut(g["recency_days"].rank(method="first"), 5, labels=[5, 4, 3, 2, 1]).astype(int)
    g["f"] = pd.qcut(g["frequency"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5]).astype(int)
    g["m"] = pd.qcut(g["monetary"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5]).astype(int)
    # monetary as repr() text: serde_json's default float parser is not exactly round-trip
    rows = [[c, int(r.recency_days), int(r.frequency), repr(float(r.monetary)), int(r.r), int(r.f), int(r.m)]
            for c, r in g.iterrows()]
    return {"path": rel, "as_of": as_of.strftime("%Y-%m-%d"), "n_transactions": int(len(df)), "rows": rows}


def qcut():
    ns = list(range(2, 201)) + [499, 500, 1000, 2999, 3000, 3001, 12345]
    counts = []
    for n in ns:
        labels = pd.qcut(pd.Series(np.arange(1, n + 1), dtype=float).rank(method="first"), 5,
                         labels=[1, 2, 3, 4, 5]).astype(int)
        counts.append([int((labels == k).sum()) for k in range(1, 6)])
    return {"n": ns, "counts": counts}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regen", action="store_true", help="overwrite the generated CSVs")
    args = ap.parse_args()
    for name, make in [("prep_missing.csv", make_missing), ("prep_iris_missing.csv", make_iris_missing)]:
        path = os.path.join(FIX, name)
        if args.regen or not os.path.exists(path):
            make(path)
    cs, skipped = cases()
    doc = {"cases": cs, "knn_skipped_for_ties": skipped, "rfm": rfm(), "qcut": qcut()}
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}: {len(cs)} cases, {len(doc['rfm']['rows'])} RFM rows")
    for s in skipped:
        print(f"  KNN case left out (sklearn's argpartition tie order differs): {s}")


if __name__ == "__main__":
    main()
