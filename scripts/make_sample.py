#!/usr/bin/env python3
"""Generate the bundled sample data set for segscope (Python standard library only).

Writes, relative to the repository root:

* ``assets/sample_customers.csv``      -- 3,000 customers, one row each.
* ``assets/sample_transactions.csv``   -- ~30,000 purchases (plus 20 returns).
* ``tests/fixtures/sample_personas.csv`` -- ground-truth persona per customer
  (NOT present in the customer file; tests use it to score clustering, e.g. ARI).

The output is deterministic: everything is drawn from one ``random.Random(SEED)``
and formatted with fixed decimals, so two runs give byte-identical files (no numpy,
so the bytes do not depend on numpy versions).

Five planted personas (share of customers):

=========================  =====  ==============================================
persona                    share  shape
=========================  =====  ==============================================
bargain_hunter              30%   many orders, low order value, medium recency,
                                  high email open rate
lapsed                      25%   last order 6-24 months ago, 0-2 orders in the
                                  last 12 months, low open rate
loyal_high_spender          20%   long tenure, many orders, high order value,
                                  very recent, high open rate
new_customer                15%   tenure 1-6 months, 1-4 orders, recent
occasional_big_ticket       10%   1-4 orders, very high order value, medium
                                  recency
=========================  =====  ==============================================

Consistency between the two asset files (as-of date ``AS_OF`` = 2026-10-01):

* "last 12 months" means ``AS_OF - 364 days <= date <= AS_OF``.
* ``orders_12m`` is exactly the number of positive-amount transactions of the
  customer in the last 12 months.
* ``days_since_last_order`` is exactly ``AS_OF - date of the last positive
  transaction``.
* ``total_spent`` is the sum of the customer's positive amounts in the last 12
  months (so ``total_spent ~= orders_12m * avg_order_value`` with noise; 0.00 for
  customers without an order in the window).
* Customers with no order in the window (lapsed) have older transactions instead,
  so every customer has at least one transaction.
* 20 extra rows with negative amounts are returns of an earlier purchase of the
  same customer, dated between that purchase and the customer's last order.
* Missing cells (~3% of the non-id cells of the customer file, empty strings plus
  a few ``NA``) are applied only to the customer file, after the transactions were
  derived from the true values.

Usage: ``python3 scripts/make_sample.py`` (from anywhere).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
import random
from collections import Counter

SEED = 20261001
N_CUSTOMERS = 3000
AS_OF = dt.date(2026, 10, 1)
WINDOW_DAYS = 364  # dates >= AS_OF - WINDOW_DAYS are "in the last 12 months"
MISSING_RATE = 0.03
N_NA_TOKENS = 8
N_RETURNS = 20

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CUSTOMERS_PATH = os.path.join(ROOT, "assets", "sample_customers.csv")
TRANSACTIONS_PATH = os.path.join(ROOT, "assets", "sample_transactions.csv")
PERSONAS_PATH = os.path.join(ROOT, "tests", "fixtures", "sample_personas.csv")

CUSTOMER_COLUMNS = [
    "customer_id",
    "age",
    "region",
    "channel",
    "tenure_months",
    "orders_12m",
    "avg_order_value",
    "days_since_last_order",
    "total_spent",
    "email_open_rate",
]

REGIONS = ["North", "South", "East", "West", "Central"]
CHANNELS = ["web", "app", "store"]

# persona -> share of customers
PERSONA_SHARES = [
    ("bargain_hunter", 0.30),
    ("lapsed", 0.25),
    ("loyal_high_spender", 0.20),
    ("new_customer", 0.15),
    ("occasional_big_ticket", 0.10),
]

REGION_WEIGHTS = {
    "loyal_high_spender": [25, 15, 20, 15, 25],
    "bargain_hunter": [15, 30, 20, 20, 15],
    "new_customer": [20, 15, 30, 25, 10],
    "lapsed": [25, 20, 15, 25, 15],
    "occasional_big_ticket": [15, 10, 20, 20, 35],
}
CHANNEL_WEIGHTS = {
    "loyal_high_spender": [35, 45, 20],
    "bargain_hunter": [45, 45, 10],
    "new_customer": [40, 50, 10],
    "lapsed": [30, 15, 55],
    "occasional_big_ticket": [30, 10, 60],
}


def clamp(x, lo, hi):
    return max(lo, min(hi, x))


def draw_customer(rng: random.Random, persona: str) -> dict:
    """True (complete) attributes of one customer of the given persona."""
    if persona == "loyal_high_spender":
        age = rng.gauss(46, 11)
        tenure = rng.randint(48, 132)
        orders = clamp(round(rng.lognormvariate(math.log(24), 0.22)), 12, 50)
        aov = rng.lognormvariate(math.log(140), 0.25)
        days = clamp(round(rng.expovariate(1 / 8)), 1, 40)
        open_rate = rng.betavariate(9, 3)
    elif persona == "bargain_hunter":
        age = rng.gauss(36, 11)
        tenure = rng.randint(18, 84)
        orders = clamp(round(rng.lognormvariate(math.log(16), 0.22)), 9, 40)
        aov = rng.lognormvariate(math.log(22), 0.3)
        days = rng.randint(25, 90)
        open_rate = rng.betavariate(8, 3)
    elif persona == "new_customer":
        age = rng.gauss(28, 7)
        tenure = rng.randint(1, 6)
        orders = rng.choices([1, 2, 3, 4], weights=[40, 30, 20, 10])[0]
        aov = rng.lognormvariate(math.log(55), 0.4)
        days = rng.randint(1, min(21, tenure * 30 - 1))
        open_rate = rng.betavariate(3, 6)
    elif persona == "lapsed":
        age = rng.gauss(51, 13)
        days = rng.randint(200, 720)
        tenure = math.ceil(days / 30) + rng.randint(3, 60)
        orders = 0 if days > WINDOW_DAYS else rng.choice([1, 1, 2])
        aov = rng.lognormvariate(math.log(50), 0.45)
        open_rate = rng.betavariate(1.5, 10)
    elif persona == "occasional_big_ticket":
        age = rng.gauss(53, 10)
        tenure = rng.randint(12, 96)
        orders = rng.choices([1, 2, 3, 4], weights=[35, 35, 20, 10])[0]
        aov = rng.lognormvariate(math.log(650), 0.3)
        days = rng.randint(30, 150)
        open_rate = rng.betavariate(3, 5)
    else:  # pragma: no cover
        raise ValueError(persona)
    return {
        "age": int(clamp(round(age), 18, 85)),
        "region": rng.choices(REGIONS, weights=REGION_WEIGHTS[persona])[0],
        "channel": rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS[persona])[0],
        "tenure_months": int(tenure),
        "orders_12m": int(orders),
        "avg_order_value": round(aov, 2),
        "days_since_last_order": int(days),
        "email_open_rate": round(open_rate, 3),
    }


def draw_amount(rng: random.Random, aov: float) -> float:
    return max(0.5, round(rng.lognormvariate(math.log(aov), 0.25), 2))


def draw_transactions(rng: random.Random, c: dict) -> list[tuple[dt.date, float]]:
    """Positive transactions (date, amount) consistent with the customer's true row."""
    last = AS_OF - dt.timedelta(days=c["days_since_last_order"])
    join = AS_OF - dt.timedelta(days=c["tenure_months"] * 30)
    window_start = AS_OF - dt.timedelta(days=WINDOW_DAYS)
    aov = c["avg_order_value"]
    txs = [(last, draw_amount(rng, aov))]
    if c["orders_12m"] > 0:
        lo = max(window_start, join)
        span = (last - lo).days
        for _ in range(c["orders_12m"] - 1):
            txs.append((lo + dt.timedelta(days=rng.randint(0, span)), draw_amount(rng, aov)))
    else:
        # No order in the window: 1-5 older orders before the last one.
        span = (last - join).days
        for _ in range(rng.randint(0, 4)):
            txs.append((join + dt.timedelta(days=rng.randint(0, span)), draw_amount(rng, aov)))
    return txs


def fmt_row(values: dict) -> list[str]:
    out = []
    for col in CUSTOMER_COLUMNS:
        v = values[col]
        if v is None:
            out.append("")
        elif isinstance(v, str):
            out.append(v)
        elif col in ("avg_order_value", "total_spent"):
            out.append(f"{v:.2f}")
        elif col == "email_open_rate":
            out.append(f"{v:.3f}")
        else:
            out.append(str(v))
    return out


def main() -> None:
    rng = random.Random(SEED)

    personas: list[str] = []
    for name, share in PERSONA_SHARES:
        personas += [name] * round(N_CUSTOMERS * share)
    assert len(personas) == N_CUSTOMERS
    rng.shuffle(personas)

    customers = []
    transactions = []  # (date, customer_id, amount)
    for i, persona in enumerate(personas, start=1):
        cid = f"C{i:05d}"
        c = draw_customer(rng, persona)
        txs = draw_transactions(rng, c)
        window_start = AS_OF - dt.timedelta(days=WINDOW_DAYS)
        c["total_spent"] = round(sum(a for d, a in txs if d >= window_start), 2)
        c["customer_id"] = cid
        customers.append(c)
        for d, a in txs:
            transactions.append((d, cid, a))

    # Returns: negative copy of an earlier purchase, dated between it and the last order.
    last_by_cust = {}
    for d, cid, _ in transactions:
        last_by_cust[cid] = max(d, last_by_cust.get(cid, d))
    for idx in rng.sample(range(len(transactions)), N_RETURNS):
        d, cid, a = transactions[idx]
        rd = min(d + dt.timedelta(days=rng.randint(1, 14)), last_by_cust[cid])
        transactions.append((rd, cid, -a))
    transactions.sort(key=lambda t: (t[0], t[1]))

    # Missing cells in the customer file only.
    value_cols = CUSTOMER_COLUMNS[1:]
    cells = [(r, col) for r in range(N_CUSTOMERS) for col in value_cols]
    missing = rng.sample(cells, round(len(cells) * MISSING_RATE))
    na_cells = set(missing[:N_NA_TOKENS])
    rows = [fmt_row(c) for c in customers]
    for r, col in missing:
        j = CUSTOMER_COLUMNS.index(col)
        rows[r][j] = "NA" if (r, col) in na_cells else ""

    os.makedirs(os.path.dirname(CUSTOMERS_PATH), exist_ok=True)
    os.makedirs(os.path.dirname(PERSONAS_PATH), exist_ok=True)
    with open(CUSTOMERS_PATH, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(CUSTOMER_COLUMNS)
        w.writerows(rows)
    with open(PERSONAS_PATH, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["customer_id", "persona"])
        for c, p in zip(customers, personas):
            w.writerow([c["customer_id"], p])
    with open(TRANSACTIONS_PATH, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["customer_id", "date", "amount"])
        for d, cid, a in transactions:
            w.writerow([cid, d.isoformat(), f"{a:.2f}"])

    counts = Counter(personas)
    print("persona counts:")
    for name, _ in PERSONA_SHARES:
        print(f"  {name:<22} {counts[name]}")
    print(f"missing cells: {len(missing)} ({len(na_cells)} spelled NA)")
    print(f"transactions: {len(transactions)} ({N_RETURNS} returns)")
    for p in (CUSTOMERS_PATH, TRANSACTIONS_PATH, PERSONAS_PATH):
        print(f"  {os.path.relpath(p, ROOT)}: {os.path.getsize(p):,} bytes")


if __name__ == "__main__":
    main()
