"""Write tests/fixtures/cars93_like.csv: a file shaped like R's `write.csv(MASS::Cars93)`.

93 rows, an unnamed row-number column first (R's `""` header), quoted strings, `NA` for missing cells,
long dotted column names (`Max.Price`, `Luggage.room`), categoricals with a real "None" level (AirBags),
a mostly numeric column with one text level (Cylinders = "rotary") and columns with gaps (Rear.seat.room,
Luggage.room). Values are drawn with a fixed seed so that the file is reproducible; they are plausible, not
the real Cars93 figures. Run by hand: `python3 scripts/make_cars93_like.py`.
"""

import os

import numpy as np

rng = np.random.default_rng(93)
n = 93
makers = ["Acura", "Audi", "BMW", "Buick", "Cadillac", "Chevrolet", "Chrylser", "Chrysler", "Dodge",
          "Eagle", "Ford", "Geo", "Honda", "Hyundai", "Infiniti", "Lexus", "Lincoln", "Mazda",
          "Mercedes-Benz", "Mercury", "Mitsubishi", "Nissan", "Oldsmobile", "Plymouth", "Pontiac",
          "Saab", "Saturn", "Subaru", "Suzuki", "Toyota", "Volkswagen", "Volvo"]
types = ["Small", "Midsize", "Compact", "Large", "Sporty", "Van"]
size = {"Small": 0.0, "Compact": 0.3, "Sporty": 0.4, "Midsize": 0.6, "Large": 1.0, "Van": 0.9}

rows = []
for i in range(n):
    maker = makers[i % len(makers)]
    kind = types[rng.integers(len(types))]
    s = size[kind] + rng.normal(0, 0.15)
    price = round(float(np.clip(10 + 25 * s + rng.normal(0, 6), 7.4, 61.9)), 1)
    spread = abs(rng.normal(3, 2))
    hp = int(np.clip(60 + 150 * s + rng.normal(0, 30), 55, 300))
    engine = round(float(np.clip(1.0 + 3.5 * s + rng.normal(0, 0.4), 1.0, 5.7)), 1)
    cyl = "rotary" if i == 57 else str(int(np.clip(round(3 + 4 * s + rng.normal(0, 0.7)), 3, 8)))
    weight = int(np.clip(1700 + 2300 * s + rng.normal(0, 250), 1695, 4105))
    rear = "NA" if kind in ("Sporty",) and rng.random() < 0.3 else round(float(np.clip(26 + 8 * s + rng.normal(0, 1.5), 19, 36)), 1)
    luggage = "NA" if kind in ("Van", "Sporty") and rng.random() < 0.6 else int(np.clip(10 + 10 * s + rng.normal(0, 1.5), 6, 22))
    rows.append([
        str(i + 1),
        maker,
        f"Model{i + 1}",
        kind,
        round(price - spread, 1),
        price,
        round(price + spread, 1),
        int(np.clip(35 - 15 * s + rng.normal(0, 3), 15, 46)),
        int(np.clip(42 - 15 * s + rng.normal(0, 3), 20, 50)),
        ["None", "Driver only", "Driver & Passenger"][rng.integers(3)],
        ["Front", "Rear", "4WD"][min(2, int(abs(rng.normal(0, 0.8))))],
        cyl,
        engine,
        hp,
        int(np.clip(5800 - 800 * s + rng.normal(0, 300), 3800, 6500)),
        int(np.clip(3200 - 1200 * s + rng.normal(0, 300), 1320, 3755)),
        ["Yes", "No"][rng.integers(2)],
        round(float(np.clip(10 + 10 * s + rng.normal(0, 1.5), 9.2, 27)), 1),
        int(np.clip(4 + 3 * s + rng.normal(0, 0.5), 2, 8)),
        int(np.clip(170 + 40 * s + rng.normal(0, 8), 141, 219)),
        int(np.clip(98 + 16 * s + rng.normal(0, 3), 90, 119)),
        int(np.clip(66 + 10 * s + rng.normal(0, 2), 60, 78)),
        int(np.clip(37 + 6 * s + rng.normal(0, 1.5), 32, 45)),
        rear,
        luggage,
        weight,
        ["non-USA", "USA"][rng.integers(2)],
        f"{maker} Model{i + 1}",
    ])

header = ["", "Manufacturer", "Model", "Type", "Min.Price", "Price", "Max.Price", "MPG.city",
          "MPG.highway", "AirBags", "DriveTrain", "Cylinders", "EngineSize", "Horsepower", "RPM",
          "Rev.per.mile", "Man.trans.avail", "Fuel.tank.capacity", "Passengers", "Length", "Wheelbase",
          "Width", "Turn.circle", "Rear.seat.room", "Luggage.room", "Weight", "Origin", "Make"]
out = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "cars93_like.csv")
def cell(v):
    """R's write.csv: strings (and the row names) quoted, numbers bare, missing values as bare NA."""
    if v == "NA":
        return "NA"
    if isinstance(v, str):
        return '"' + v.replace('"', '""') + '"'
    return str(v)


with open(out, "w", newline="") as f:
    f.write(",".join(cell(h) for h in header) + "\n")
    for r in rows:
        f.write(",".join(cell(v) for v in r) + "\n")
print(out)
