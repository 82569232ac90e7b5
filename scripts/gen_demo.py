#!/usr/bin/env python3
"""Generate the lotgraph demo dataset: the Keuka Lake Hummus Company.

The story
---------
The Keuka Lake Hummus Company makes hummus in one plant in Penn Yan, NY
(Finger Lakes).  Ingredients (dried chickpeas, tahini, lemon juice, garlic,
olive oil, salt, beets, roasted red peppers, jalapenos) and packaging (10 oz
tubs, lids, club-pack sleeves) are received from ten suppliers in the US,
Canada, Mexico, Italy, Greece and Turkey.  Every production day the cook line
(LINE-3) makes one chickpea-tahini mash lot (an intermediate, ``M-...``) that
the two filling lines (LINE-1, LINE-2) turn into finished batches of 10 oz
tubs, one flavor per batch.  Finished batches go by truck to the Bath cold
warehouse and to three distribution centres (Rochester, Syracuse, Albany),
which deliver to supermarkets, co-ops and distributors.  The data is an
extract taken on the cutoff date (early March 2022): production runs from
2021-10-05 to 2022-02-24; the trucks that left on the cutoff day are still
in transit.

Planted in the data:
* one tahini lot from the Turkish supplier was contaminated (rancid sesame,
  Salmonella suspicion).  Its incoming inspection passed with only a
  borderline note.  The finished batches whose genealogy reaches it (through
  the mash) collect most of the quality/safety complaints in returns.csv;
  every other batch gets only background noise (damage, mix-ups, ...).
  STORY.md names the ids a demo walkthrough should use.
* exactly one REWORK: a lemon-garlic batch failed release QA; part of it was
  blended into a later lemon-garlic batch and the rest destroyed.
* exactly one REPACK: part of a traditional batch was repacked into club
  4-packs (a separate SKU and lot).
* splits (one ingredient lot into many batches) and merges (one batch
  drawing on two lots of the same ingredient) happen naturally because
  ingredient lots are consumed first-in first-out.
* one incoming garlic lot failed inspection and was destroyed unused.
The data is otherwise clean: every reference resolves, no lot is
over-consumed, no site ever ships more of a lot than it holds.

Lot numbers
-----------
* Production batches: ``FF-YYJJJBB`` -- 2-digit flavor code (table FLAVORS
  below), '-', 2-digit year, 3-digit Julian day, 2-digit batch of the day
  (finished batches of one day are numbered 01, 02, ... across both filling
  lines).  ``01-2129304`` = flavor 01 traditional, 2021, day 293
  (2021-10-20), 4th batch.  produced_on agrees with the number except for one
  planted coding mistake (MISCODED below); lot_schemes.csv declares the
  scheme and the suppliers' own, products.csv the GTINs of finished goods.
  Best-by dates (expires_on) are stamped separately: produced_on + 60..75
  days (a repacked lot keeps the best-by of the batch it came from).
* Mash (intermediate) lots: ``M-YYJJJBB``, same date scheme.
* Ingredient lots: internal receiving numbers ``R-YYMM-NNN`` (receipt month
  and running number within the month); the supplier's own lot number, in
  that supplier's style, is in supplier_lot_code.
* Shipments ``SH-NNNNNN``, returns ``RT-NNNN``, inspections ``QI-NNNNN``.

Rerun
-----
    python3 scripts/gen_demo.py           # (re)write data/demo/*.csv + STORY.md, then check
    python3 scripts/gen_demo.py --check   # only check the files already in data/demo/

Standard library only, fixed random seed: the output is byte-for-byte
reproducible.  The check reads the CSV files back independently of the
generator and exits non-zero on any problem.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

SEED = 20211020
REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "data" / "demo"

D = dt.date
ONE = dt.timedelta(days=1)

# --------------------------------------------------------------------------
# Master data
# --------------------------------------------------------------------------

FLAVORS = {
    "01": "Traditional", "02": "Lemon Garlic", "03": "Beet",
    "04": "Roasted Red Pepper", "05": "Spicy Jalapeño", "06": "Roasted Garlic",
    "07": "Everything Bagel", "08": "Lemon Dill", "09": "Kalamata Olive",
    "10": "Pine Nut", "11": "Za'atar", "12": "Sun-Dried Tomato",
    "13": "Cilantro Lime", "14": "Chipotle", "15": "Basil Pesto",
    "16": "Caramelized Onion", "17": "Black Bean", "18": "Edamame",
    "19": "White Bean Rosemary", "20": "Harissa", "21": "Sriracha",
    "22": "Dark Chocolate", "23": "Pumpkin Spice", "24": "Maple Cinnamon",
    "25": "Avocado", "26": "Spinach Artichoke", "27": "Feta Dill",
    "28": "Curry", "29": "Smoked Paprika", "30": "Truffle",
    "31": "Horseradish", "32": "Green Chile", "33": "Mango Habanero",
    "34": "Sweet Potato", "35": "Everything Spice", "36": "Buffalo Wing",
}
# flavors actually produced in the demo period, with their share of batches
PRODUCED_FLAVORS = {"01": 30, "02": 18, "03": 12, "04": 16, "05": 12, "06": 12}

SUPPLIERS = [
    ("SUP-01", "Palouse Pulse Growers Co-op", "US"),
    ("SUP-02", "Prairie Sky Pulses Ltd.", "CA"),
    ("SUP-03", "Ege Susam Tahin Sanayi A.Ş.", "TR"),
    ("SUP-04", "Hellenic Sesame Mills S.A.", "GR"),
    ("SUP-05", "Agrumi di Sorrento S.r.l.", "IT"),
    ("SUP-06", "Frantoio Colli Umbri", "IT"),
    ("SUP-07", "Valle del Sol Produce S.A. de C.V.", "MX"),
    ("SUP-08", "Finger Lakes Root Farm", "US"),
    ("SUP-09", "Empire State Packaging Corp.", "US"),
    ("SUP-10", "Cayuga Rock Salt Co.", "US"),
]

PLANT, WAREHOUSE = "PLANT-PY", "WH-BATH"
SITES = [
    (PLANT, "Keuka Lake Hummus Co. plant, Penn Yan", "plant", "Finger Lakes, NY"),
    (WAREHOUSE, "Bath cold-storage warehouse", "warehouse", "Finger Lakes, NY"),
    ("DC-ROC", "Rochester distribution centre", "dc", "Western NY"),
    ("DC-SYR", "Syracuse distribution centre", "dc", "Central NY"),
    ("DC-ALB", "Albany distribution centre", "dc", "Capital Region, NY"),
]
DCS = ["DC-ROC", "DC-SYR", "DC-ALB"]
DC_WEIGHT = {"DC-ROC": 40, "DC-SYR": 30, "DC-ALB": 30}

# customer_id, name, kind, region, contact, serving DC
CUSTOMERS = [
    ("C-001", "Seneca Fresh Markets", "retailer", "Rochester, NY", "recalls@senecafresh.example", "DC-ROC"),
    ("C-002", "Genesee Valley Food Co-op", "retailer", "Rochester, NY", "+1-585-555-0142", "DC-ROC"),
    ("C-003", "Lakeshore Grocers", "retailer", "Buffalo, NY", "qa@lakeshoregrocers.example", "DC-ROC"),
    ("C-004", "Niagara Foodservice Distributors", "distributor", "Western NY", "+1-716-555-0107", "DC-ROC"),
    ("C-005", "Canandaigua Natural Foods", "retailer", "Finger Lakes, NY", "store@cnfoods.example", "DC-ROC"),
    ("C-006", "Salt City Market", "retailer", "Syracuse, NY", "+1-315-555-0163", "DC-SYR"),
    ("C-007", "Ithaca Commons Co-op", "retailer", "Ithaca, NY", "foodsafety@ithacacoop.example", "DC-SYR"),
    ("C-008", "Twin Tiers Grocery", "retailer", "Elmira, NY / Northern PA", "+1-607-555-0188", "DC-SYR"),
    ("C-009", "Mohawk Valley Wholesale Foods", "distributor", "Utica, NY", "recall@mvwholesale.example", "DC-SYR"),
    ("C-010", "Binghamton Fresh", "retailer", "Southern Tier, NY", "+1-607-555-0121", "DC-SYR"),
    ("C-011", "Capital District Provisions", "distributor", "Capital Region, NY", "qa@cdprovisions.example", "DC-ALB"),
    ("C-012", "Hudson Harvest Grocers", "retailer", "Hudson Valley, NY", "+1-845-555-0176", "DC-ALB"),
    ("C-013", "Saratoga Whole Pantry", "retailer", "Saratoga Springs, NY", "manager@saratogapantry.example", "DC-ALB"),
    ("C-014", "Berkshire Natural Markets", "retailer", "Western MA", "+1-413-555-0150", "DC-ALB"),
    ("C-015", "Empire Wholesale Club", "retailer", "Capital Region, NY", "recalls@empireclub.example", "DC-ALB"),
]
CLUB_CUSTOMER = "C-015"

MASH = "INT-MASH"
TUB, LID, SLEEVE = "PKG-TUB10", "PKG-LID10", "PKG-CLUB4"
CHICKPEA, TAHINI, SALT = "ING-CHICKPEA", "ING-TAHINI", "ING-SALT"
LEMON, OIL, GARLIC = "ING-LEMON", "ING-OLIVEOIL", "ING-GARLIC"
BEET, PEPPER, JALAPENO = "ING-BEET", "ING-REDPEPPER", "ING-JALAPENO"

# sku, name, category, uom, shelf_life_days, unit_cost
PRODUCTS = [
    (CHICKPEA, "Chickpeas, dried Kabuli, 25 kg bags", "raw", "kg", 365, 1.35),
    (TAHINI, "Tahini, hulled sesame paste, 200 kg drums", "raw", "kg", 365, 6.20),
    (LEMON, "Lemon juice, not-from-concentrate", "raw", "l", 120, 2.90),
    (OIL, "Extra virgin olive oil", "raw", "l", 540, 7.80),
    (GARLIC, "Garlic, peeled cloves", "raw", "kg", 45, 5.40),
    (SALT, "Sea salt, fine, 25 kg bags", "raw", "kg", 1095, 0.42),
    (BEET, "Beets, roasted & peeled, vacuum packed", "raw", "kg", 60, 2.10),
    (PEPPER, "Red peppers, fire-roasted, in drums", "raw", "kg", 365, 3.70),
    (JALAPENO, "Jalapeños, diced in brine", "raw", "kg", 180, 3.20),
    (TUB, "Tub, 10 oz, clear PP", "packaging", "ea", 730, 0.11),
    (LID, "Lid, 10 oz tub, tamper-evident", "packaging", "ea", 730, 0.05),
    (SLEEVE, "Club-pack sleeve, 4 x 10 oz", "packaging", "ea", 730, 0.24),
    (MASH, "Chickpea-tahini mash base", "intermediate", "kg", 5, 1.90),
]
for _code in PRODUCED_FLAVORS:
    PRODUCTS.append((f"HUM-{_code}-10", f"{FLAVORS[_code]} Hummus 10 oz", "finished", "ea", 70, 1.05))
CLUB_SKU = "HUM-01-C4"
PRODUCTS.append((CLUB_SKU, "Traditional Hummus Club Pack 4 x 10 oz", "finished", "ea", 70, 4.70))

UOM = {p[0]: p[3] for p in PRODUCTS}
SHELF = {p[0]: p[4] for p in PRODUCTS}
COST = {p[0]: p[5] for p in PRODUCTS}
SCALE = {"kg": 10, "l": 10, "ea": 1}  # quantities are integers of 0.1 kg / 0.1 l / 1 ea

# Receiving: suppliers (rotated) and lot size range in natural units
SUPPLY = {
    CHICKPEA: (["SUP-01", "SUP-02"], (1800, 2200, 25)),
    TAHINI: (["SUP-04", "SUP-03"], None),  # GR drums x3, TR drums x2, see lot_size()
    LEMON: (["SUP-05"], (400, 400, 1)),
    OIL: (["SUP-06"], (200, 220, 20)),
    GARLIC: (["SUP-08", "SUP-07"], (60, 100, 10)),
    SALT: (["SUP-10"], (100, 150, 25)),
    BEET: (["SUP-08"], (90, 130, 10)),
    PEPPER: (["SUP-07"], (180, 220, 20)),
    JALAPENO: (["SUP-07"], (90, 110, 10)),
    TUB: (["SUP-09"], (24000, 24000, 1)),
    LID: (["SUP-09"], (24000, 24000, 1)),
    SLEEVE: (["SUP-09"], (500, 500, 1)),
}

# finished-batch recipe: fraction of the hummus mass (a 10 oz tub = 0.283 kg)
TUB_KG = 0.283
LEMON_KG_PER_L, OIL_KG_PER_L = 1.03, 0.91

# products.csv kg_per_uom (format v2): the mass in kg of one unit of the SKU.
# * kg SKUs (raw ingredients, the mash) leave it empty: the unit implies 1.
# * l SKUs carry their density: lemon juice 1.03 kg/l, olive oil 0.91 kg/l.
# * ea packaging carries its empty mass: tub 12 g, lid 4 g, club sleeve 20 g.
# * ea finished goods carry their net (hummus) mass, packaging excluded, the
#   same basis as the content inputs they are made of: a 10 oz tub is TUB_KG,
#   the club pack 4 x TUB_KG (its sleeve, like the tubs and lids, is packaging
#   and is not counted).  The recipes below then give finished lots a mass
#   yield (output kg / content input kg) of about 1; the mash yields about 2
#   since the water cooked into it is not tracked (MASH_RECIPE).
MASS_UNIT_KG = {"kg": 1.0}  # mass units in use and their factor to kg
KG_PER_UOM = {LEMON: LEMON_KG_PER_L, OIL: OIL_KG_PER_L, TUB: 0.012, LID: 0.004, SLEEVE: 0.020}
for _sku, _name, _cat, _uom, _shelf, _cost in PRODUCTS:
    if _cat == "finished":
        KG_PER_UOM[_sku] = 4 * TUB_KG if _sku == CLUB_SKU else TUB_KG
    elif _uom not in MASS_UNIT_KG:
        assert _sku in KG_PER_UOM, f"{_sku}: {_uom} SKU without kg_per_uom"
CATEGORY = {p[0]: p[2] for p in PRODUCTS}


def kg_per_uom(sku: str) -> float | None:
    """Mass of one unit of sku, in kg: the column, else the factor of a mass unit, else unknown."""
    return KG_PER_UOM.get(sku) or MASS_UNIT_KG.get(UOM[sku])


def fmt_kg(sku: str) -> str:
    return f"{KG_PER_UOM[sku]:.6g}" if sku in KG_PER_UOM else ""

RECIPE = {  # flavor: mash, lemon, oil, garlic, (extra sku, fraction)
    "01": (0.88, 0.06, 0.04, 0.01, None),
    "02": (0.82, 0.10, 0.04, 0.04, None),
    "03": (0.70, 0.05, 0.03, 0.01, (BEET, 0.20)),
    "04": (0.72, 0.05, 0.04, 0.01, (PEPPER, 0.18)),
    "05": (0.82, 0.06, 0.04, 0.01, (JALAPENO, 0.07)),
    "06": (0.84, 0.05, 0.05, 0.06, None),
}
MASH_RECIPE = {CHICKPEA: 0.34, TAHINI: 0.15, SALT: 0.01}  # per kg of mash (water not tracked)

START, END = D(2021, 10, 5), D(2022, 2, 24)
PLANT_CLOSED = {D(2021, 11, 25), D(2021, 11, 26), D(2021, 12, 24)} | {
    D(2021, 12, 27) + i * ONE for i in range(5)}
FAILED_DAY, REWORK_DAY = D(2021, 11, 2), D(2021, 11, 4)
REPACK_SOURCE_DAY, REPACK_DAY = D(2021, 10, 12), D(2021, 10, 13)
REWORK_EA, REPACK_EA = 396, 480

LOT_COLS = ["lot_id", "sku", "origin", "supplier_id", "supplier_lot_code", "site_id", "line",
            "produced_on", "received_on", "expires_on", "quantity", "unit_cost", "status"]
COLUMNS = {
    "suppliers": ["supplier_id", "name", "country"],
    "sites": ["site_id", "name", "kind", "region"],
    "products": ["sku", "name", "category", "uom", "shelf_life_days", "unit_cost", "kg_per_uom", "gtin"],
    "lot_schemes": ["sku_pattern", "template", "codes", "supplier_id", "description"],
    "lots": LOT_COLS,
    "consumptions": ["input_lot_id", "output_lot_id", "quantity", "consumed_on"],
    "shipments": ["shipment_id", "lot_id", "quantity", "from_site_id", "to_site_id",
                  "customer_id", "shipped_on", "delivered_on", "status"],
    "customers": ["customer_id", "name", "kind", "region", "contact"],
    "returns": ["return_id", "lot_id", "customer_id", "quantity", "reason", "category", "reported_on"],
    "inspections": ["inspection_id", "lot_id", "inspected_on", "result", "defect"],
}


# Planted coding mistake (issue 12): the Beet batch 2 of 2021-11-11 was
# printed with the previous day's date (the coder's clock was a day
# behind), so its code says day 314 while its record says 2021-11-11 (day
# 315). The Wednesday before had no production, so the wrong code collides
# with nothing; `lotgraph lotcode check` finds it as a date_mismatch.
MISCODED = ("03", D(2021, 11, 11), 2, D(2021, 11, 10))

# GS1 company prefix 0614141 is the one GS1's own examples use: no real
# company's. Item references 00001.. for the finished goods.
GS1_PREFIX = "0614141"


def gs1_check(data: str) -> str:
    s = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(data)))
    return str((10 - s % 10) % 10)


def gtin_of(sku: str) -> str:
    """GTIN-13 of a finished good (empty for the others)."""
    finished = [p[0] for p in PRODUCTS if p[2] == "finished"]
    if sku not in finished:
        return ""
    data = f"{GS1_PREFIX}{finished.index(sku) + 1:05d}"
    return data + gs1_check(data)


def lot_schemes() -> list[tuple]:
    """lot_schemes.csv: the company's batch numbers, then suppliers' codes."""
    rows = [(f"HUM-{fl}-*", "{code:flavour}-{yy}{jjj}{seq:2}", f"flavour={fl}", "",
             f"{FLAVORS[fl]}: flavour {fl}, year, Julian day, batch of the day")
            for fl in PRODUCED_FLAVORS]
    rows.append((MASH, "M-{yy}{jjj}{seq:2}", "", "", "Mash base: M, year, Julian day, batch of the day"))
    rows += [
        ("*", "SK{yy}{jjj}{seq:2}", "", "SUP-02", "Supplier's code: year, Julian day, running number"),
        ("*", "ES/{yy}/{seq:4}", "", "SUP-03", "Supplier's code: year and running number"),
        ("*", "HSM-T-{yy}{ww}{seq:2}", "", "SUP-04", "Supplier's code: year, ISO week, running number"),
        ("*", "L{yy}-{jjj}-{seq:2}", "", "SUP-05", "Supplier's code: year, Julian day, running number"),
        ("*", "CRS{yy}{mm}{dd}", "", "SUP-10", "Supplier's code: production date"),
        ("ING-*", "R-{yy}{mm}-{seq:3}", "", "", "Receiving numbers: R, year, month, receipt of the month"),
        ("PKG-*", "R-{yy}{mm}-{seq:3}", "", "", "Receiving numbers: R, year, month, receipt of the month"),
    ]
    return rows


def batch_no(prefix: str, day: dt.date, n: int) -> str:
    return f"{prefix}-{day:%y}{day.timetuple().tm_yday:03d}{n:02d}"


def fmt_q(sku: str, q: int) -> str:
    return str(q) if UOM[sku] == "ea" else f"{q / 10:.1f}"


def fmt_cost(x: float) -> str:
    s = f"{x:.4f}".rstrip("0")
    return s + "0" * (2 - len(s.split(".")[1]))


def is_workday(d: dt.date) -> bool:
    return d.weekday() < 5 and d not in PLANT_CLOSED


def next_workday(d: dt.date, n: int = 1) -> dt.date:
    while n:
        d += ONE
        if is_workday(d):
            n -= 1
    return d


def prev_workday(d: dt.date, n: int = 1) -> dt.date:
    while n:
        d -= ONE
        if is_workday(d):
            n -= 1
    return d


def dispatch_days_after(d: dt.date, k: int) -> list[dt.date]:
    """First k DC dispatch days (Mon/Wed/Fri, open) strictly after d."""
    out = []
    while len(out) < k:
        d += ONE
        if d.weekday() in (0, 2, 4) and d not in PLANT_CLOSED:
            out.append(d)
    return out


# --------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------

class Gen:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.lots: list[dict] = []           # all lots, dicts (ids of receipts assigned late)
        self.stock: dict[str, list[dict]] = defaultdict(list)
        self.cons: list[dict] = []           # {"in": lot, "out": lot, "q": int, "on": date}
        self.rotation: dict[str, int] = defaultdict(int)
        self.receipt_seq = 0
        self.garlic_receipts = 0
        self.moves: list[dict] = []
        self.returns: list[dict] = []
        self.inspections: list[dict] = []

    # ---- receiving -------------------------------------------------------
    def lot_size(self, sku: str, supplier: str) -> int:
        if sku == TAHINI:
            kg = 600 if supplier == "SUP-04" else 400  # GR 3 drums, TR 2 drums
        else:
            lo, hi, step = SUPPLY[sku][1]
            kg = self.rng.randrange(lo, hi + 1, step)
        return kg * SCALE[UOM[sku]]

    def new_receipt(self, sku: str, day: dt.date, supplier: str, rejected: bool = False) -> dict:
        self.receipt_seq += 1
        shelf = SHELF[sku]
        lot = {
            "lot_id": None, "sku": sku, "origin": "supplied", "supplier_id": supplier,
            "site_id": PLANT, "line": "", "produced_on": None, "received_on": day,
            "expires_on": day + dt.timedelta(days=shelf - self.rng.randint(0, shelf // 10)),
            "quantity": self.lot_size(sku, supplier),
            "unit_cost": round(COST[sku] * self.rng.uniform(0.92, 1.08), 4 if sku in (TUB, LID) else 2),
            "status": "destroyed" if rejected else "released",
            "remaining": 0 if rejected else None, "seq": self.receipt_seq, "rejected": rejected,
        }
        if lot["remaining"] is None:
            lot["remaining"] = lot["quantity"]
        self.lots.append(lot)
        self.stock[sku].append(lot)
        return lot

    def receive(self, sku: str, day: dt.date) -> None:
        suppliers = SUPPLY[sku][0]
        supplier = suppliers[self.rotation[sku] % len(suppliers)]
        self.rotation[sku] += 1
        rdate = prev_workday(day, self.rng.randint(2, 6))
        if sku == GARLIC:
            self.garlic_receipts += 1
            if self.garlic_receipts == 3:  # this delivery fails incoming QA; replaced
                self.new_receipt(sku, prev_workday(rdate, 2), supplier, rejected=True)
        self.new_receipt(sku, rdate, supplier)

    def take(self, sku: str, need: int, out: dict, day: dt.date) -> None:
        """Consume `need` units of `sku` FIFO into lot `out` on `day`."""
        while need > 0:
            usable = [l for l in self.stock[sku] if l["remaining"] > 0 and l["received_on"] <= day
                      and l["expires_on"] > day]
            if not usable:
                self.receive(sku, day)
                continue
            lot = min(usable, key=lambda l: (l["received_on"], l["seq"]))
            q = min(need, lot["remaining"])
            lot["remaining"] -= q
            need -= q
            self.consume(lot, out, q, day)

    def consume(self, inp: dict, out: dict, q: int, day: dt.date) -> None:
        for c in self.cons:  # same input twice into one output: add up
            if c["in"] is inp and c["out"] is out:
                c["q"] += q
                return
        self.cons.append({"in": inp, "out": out, "q": q, "on": day})

    # ---- production ------------------------------------------------------
    def produced(self, lot_id: str, sku: str, day: dt.date, line: str, qty: int, expires: dt.date) -> dict:
        lot = {"lot_id": lot_id, "sku": sku, "origin": "produced", "supplier_id": "", "site_id": PLANT,
               "line": line, "produced_on": day, "received_on": None, "expires_on": expires,
               "quantity": qty, "unit_cost": None, "status": "released", "remaining": qty,
               "seq": 0, "rejected": False}
        self.lots.append(lot)
        return lot

    def production_days(self) -> list[dt.date]:
        days, d = [], START
        while d <= END:
            if d.weekday() in (1, 3) and d not in PLANT_CLOSED:
                days.append(d)
            d += ONE
        return days

    def plan_day(self, day: dt.date) -> list[str]:
        n = 3 if self.rng.random() < 0.25 else 2
        codes, weights = list(PRODUCED_FLAVORS), list(PRODUCED_FLAVORS.values())
        flavors = [self.rng.choices(codes, weights)[0] for _ in range(n)]
        if day == REPACK_SOURCE_DAY:
            flavors[0] = "01"
        if day in (FAILED_DAY, REWORK_DAY):
            flavors[0] = "02"
        return flavors

    def run_production(self) -> None:
        for day in self.production_days():
            flavors = self.plan_day(day)
            batches = []
            for i, fl in enumerate(flavors, start=1):
                cases = self.rng.randint(80, 110)
                q = cases * 12
                lot = self.produced(batch_no(fl, day, i), f"HUM-{fl}-10", day,
                                    "LINE-1" if i % 2 else "LINE-2", q,
                                    day + dt.timedelta(days=self.rng.randint(60, 75)))
                batches.append((fl, lot))
            # the mash for the day
            needs = []
            for fl, lot in batches:
                hummus_kg = lot["quantity"] * TUB_KG
                mash_kg = hummus_kg * RECIPE[fl][0]
                if day == REWORK_DAY and lot is batches[0][1]:
                    mash_kg -= REWORK_EA * TUB_KG  # reworked hummus replaces mash
                needs.append(round(mash_kg * 10))
            mash_q = sum(needs) + self.rng.randint(0, 50)
            mash = self.produced(batch_no("M", day, 1), MASH, day, "LINE-3", mash_q,
                                 day + dt.timedelta(days=SHELF[MASH]))
            for sku, frac in MASH_RECIPE.items():
                self.take(sku, round(mash_q * frac), mash, day)
            for (fl, lot), mneed in zip(batches, needs):
                hummus_kg = lot["quantity"] * TUB_KG
                m, lemon, oil, garlic, extra = RECIPE[fl]
                self.consume(mash, lot, mneed, day)
                mash["remaining"] -= mneed
                if day == REWORK_DAY and lot is batches[0][1]:
                    failed = self.failed_lot
                    self.consume(failed, lot, REWORK_EA, day)
                    failed["remaining"] -= REWORK_EA
                self.take(LEMON, round(hummus_kg * lemon * 10), lot, day)
                self.take(OIL, round(hummus_kg * oil / OIL_KG_PER_L * 10), lot, day)
                self.take(GARLIC, round(hummus_kg * garlic * 10), lot, day)
                if extra:
                    self.take(extra[0], round(hummus_kg * extra[1] * 10), lot, day)
                self.take(TUB, lot["quantity"] + self.rng.randint(2, 15), lot, day)
                self.take(LID, lot["quantity"] + self.rng.randint(1, 8), lot, day)
                if day == FAILED_DAY and lot is batches[0][1]:
                    self.failed_lot = lot
                if day == REPACK_SOURCE_DAY and lot is batches[0][1]:
                    self.repack_source = lot
            if day == REPACK_SOURCE_DAY:
                src = self.repack_source
                club = self.produced(batch_no("01", REPACK_DAY, 1), CLUB_SKU, REPACK_DAY, "LINE-2",
                                     REPACK_EA // 4, src["expires_on"])
                self.consume(src, club, REPACK_EA, REPACK_DAY)
                src["remaining"] -= REPACK_EA
                self.take(SLEEVE, REPACK_EA // 4, club, REPACK_DAY)
                self.club = club
        self.failed_lot["status"] = "destroyed"  # remainder of the failed batch discarded
        fl, day, n, printed = MISCODED
        lot = next(l for l in self.lots if l["lot_id"] == batch_no(fl, day, n))
        lot["lot_id"] = batch_no(fl, printed, n)
        self.miscoded = lot

    # ---- distribution ----------------------------------------------------
    def split_cases(self, cases: int, k: int, weights: list[float]) -> list[int]:
        k = min(k, cases)
        raw = [w * self.rng.uniform(0.7, 1.3) for w in weights[:k]]
        tot = sum(raw)
        parts = [max(1, int(cases * r / tot)) for r in raw]
        parts[0] += cases - sum(parts)
        if parts[0] <= 0:  # pragma: no cover - tiny lots only
            parts = [cases] + [0] * (k - 1)
        return [p for p in parts if p > 0]

    def move(self, lot, q, frm, day, to_site="", customer="", transit_days=1) -> dt.date:
        arrive = day + dt.timedelta(days=transit_days)
        self.moves.append({"lot": lot, "q": q, "from": frm, "to": to_site, "cust": customer,
                           "shipped": day, "delivered": arrive})
        return arrive

    def deliver_from_dc(self, lot, dc, cases, arrived) -> None:
        custs = [c[0] for c in CUSTOMERS if c[5] == dc and c[0] != CLUB_CUSTOMER]
        if dc == "DC-ALB" and self.rng.random() < 0.5:
            custs.append(CLUB_CUSTOMER)
        self.rng.shuffle(custs)
        k = self.rng.randint(2, 4)
        parts = self.split_cases(cases, k, [1.0] * len(custs))
        slots = dispatch_days_after(arrived, 3)
        for cust, p in zip(custs, parts):
            self.move(lot, p * 12, dc, self.rng.choice(slots), customer=cust)

    def run_distribution(self) -> None:
        finished = sorted((l for l in self.lots if l["origin"] == "produced" and l["sku"] != MASH
                           and l is not self.failed_lot), key=lambda l: (l["produced_on"], l["lot_id"]))
        for lot in finished:
            day = lot["produced_on"]
            if lot is self.club:  # club packs go whole to Albany, then to the club store
                arr = self.move(lot, lot["quantity"], PLANT, next_workday(day), to_site="DC-ALB")
                self.move(lot, lot["quantity"], "DC-ALB", dispatch_days_after(arr, 1)[0],
                          customer=CLUB_CUSTOMER)
                continue
            avail = lot["remaining"]
            t1 = next_workday(REPACK_DAY if lot is self.repack_source else day)
            cases = avail // 12
            dests = self.rng.sample(DCS, self.rng.choice([2, 2, 3]))
            weights = [DC_WEIGHT[d] for d in dests]
            if self.rng.random() < 0.3:
                dests.append(WAREHOUSE)
                weights.append(35)
            parts = self.split_cases(cases, len(dests), weights)
            for dest, p in zip(dests, parts):
                if dest == WAREHOUSE:
                    arr = self.move(lot, p * 12, PLANT, t1, to_site=WAREHOUSE, transit_days=0)
                    dc = self.rng.choice(DCS)
                    t2 = next_workday(arr, self.rng.randint(2, 6))
                    arr2 = self.move(lot, p * 12, WAREHOUSE, t2, to_site=dc)
                    self.deliver_from_dc(lot, dc, p, arr2)
                else:
                    arr = self.move(lot, p * 12, PLANT, t1, to_site=dest)
                    self.deliver_from_dc(lot, dest, p, arr)

    def apply_cutoff(self) -> None:
        """Pick the extract date: a dispatch day in early March with 5-10 trucks on the road."""
        cands = dispatch_days_after(D(2022, 2, 27), 8)
        groups = defaultdict(set)
        for m in self.moves:
            groups[m["shipped"]].add((m["from"], m["to"], m["cust"]))
        self.cutoff = next(d for d in cands if 5 <= len(groups[d]) <= 10)
        kept = []
        for m in self.moves:
            if m["shipped"] > self.cutoff:
                continue
            m["in_transit"] = m["delivered"] > self.cutoff
            kept.append(m)
        self.moves = kept
        for l in self.lots:  # ingredient left-overs past their expiry were written off
            if l["origin"] == "supplied" and l["remaining"] > 0 and l["expires_on"] < self.cutoff:
                l["status"] = "destroyed"

    # ---- returns -----------------------------------------------------------
    def descendants(self, root: dict) -> dict[int, float]:
        """id(lot) -> share of root in lot, > 0 only (the v2 share rule).

        Content inputs (category != packaging) weigh by mass, q x kg_per_uom,
        when every content input of the lot has a known mass, else by recorded
        quantity; a packaging input weighs q over the packaging of the same SKU
        in the lot (coverage).  share(root) = 1; share(L) = sum over inputs i
        of share(i) x w(i -> L), capped at 1.
        """
        ins_of = defaultdict(list)
        for c in self.cons:
            ins_of[id(c["out"])].append(c)
        share = {id(root): 1.0}
        order = sorted(self.lots, key=lambda l: (l["produced_on"] or l["received_on"], l["sku"] != MASH))
        for lot in order:  # inputs are made on earlier days, or are the day's mash
            if lot["origin"] != "produced" or lot is root:
                continue
            ins = ins_of[id(lot)]
            q = {id(c): c["q"] / SCALE[UOM[c["in"]["sku"]]] for c in ins}  # natural units
            content = [c for c in ins if CATEGORY[c["in"]["sku"]] != "packaging"]
            kg = {id(c): kg_per_uom(c["in"]["sku"]) for c in content}
            if all(kg.values()):  # "mass" basis
                size = {id(c): q[id(c)] * kg[id(c)] for c in content}
            else:  # "recorded" basis
                size = {id(c): q[id(c)] for c in content}
            tot = sum(size.values())
            w = {i: x / tot for i, x in size.items()} if tot else {}
            pkg_tot = defaultdict(float)
            for c in ins:
                if CATEGORY[c["in"]["sku"]] == "packaging":
                    pkg_tot[c["in"]["sku"]] += q[id(c)]
            for c in ins:
                if CATEGORY[c["in"]["sku"]] == "packaging":
                    w[id(c)] = q[id(c)] / pkg_tot[c["in"]["sku"]]
            s = min(1.0, sum(share.get(id(c["in"]), 0.0) * w.get(id(c), 0.0) for c in ins))
            if s > 0:
                share[id(lot)] = s
        return share

    def run_returns(self) -> None:
        tahini_tr = sorted((l for l in self.lots if l["sku"] == TAHINI and l["supplier_id"] == "SUP-03"),
                           key=lambda l: l["received_on"])
        first_use = {id(l): min(c["on"] for c in self.cons if c["in"] is l)
                     for l in tahini_tr if any(c["in"] is l for c in self.cons)}
        self.suspect = next(l for l in tahini_tr if first_use.get(id(l), D(2000, 1, 1)) >= D(2021, 11, 22))
        share = self.descendants(self.suspect)
        fin = [l for l in self.lots if l["origin"] == "produced" and l["sku"].startswith("HUM-")]
        hit = [l for l in fin if id(l) in share]
        deliveries = defaultdict(list)
        for m in self.moves:
            if m["cust"] and m["delivered"] + dt.timedelta(days=3) <= self.cutoff:
                deliveries[id(m["lot"])].append(m)
        hit.sort(key=lambda l: (-round(share[id(l)], 3), -len(deliveries[id(l)]), l["lot_id"]))
        self.complained = hit[0]

        # (reason, the store pulled a case or more rather than one consumer's tub)
        quality = [("sour, rancid sesame smell on opening", False),
                   ("bitter, soapy aftertaste; shoppers returning tubs", True),
                   ("off flavour, tastes stale/painty", False),
                   ("rancid taste; store pulled tubs from shelf", True),
                   ("lid bulging, sour smell inside", False),
                   ("several shoppers report bitter off-taste; stock pulled", True)]
        safety = [("customer reports vomiting and cramps after eating", False),
                  ("two shoppers report stomach illness; remaining tubs pulled", True),
                  ("customer reports fever and diarrhea; county health dept. notified", False),
                  ("consumer complaint: became ill same evening after eating", False)]
        cutoff = self.cutoff

        def add(lot, m, cat, reason, pulled):
            q = min(m["q"], self.rng.choice([12, 24, 36]) if pulled else self.rng.randint(1, 2))
            rep = m["delivered"] + dt.timedelta(days=self.rng.randint(3, 18))
            if rep > cutoff:
                rep = cutoff
            self.returns.append({"lot": lot, "cust": m["cust"], "q": q, "reason": reason,
                                 "cat": cat, "on": rep})

        # the cluster
        for rank, lot in enumerate(hit):
            ms = sorted(deliveries[id(lot)], key=lambda m: (m["delivered"], m["cust"]))
            if not ms:
                continue
            if lot is self.complained:
                n = min(5, len(ms))
            elif share[id(lot)] >= 0.75 * share[id(self.complained)]:  # mash all from it
                n = min(self.rng.randint(2, 3), len(ms))
            else:  # only partly made from the suspect tahini
                n = 1 if self.rng.random() < 0.5 else 0
            picks = sorted(self.rng.sample(ms, n), key=lambda m: m["cust"])
            cats = (["quality", "safety", "quality", "safety", "quality"] if lot is self.complained
                    else [self.rng.choice(["quality", "quality", "safety"]) for _ in picks])
            for m, cat in zip(picks, cats):
                add(lot, m, cat, *self.rng.choice(quality if cat == "quality" else safety))
        self.hit_ids = set(share)
        # background noise on unrelated batches
        noise = [("damage", "3 tubs crushed in case, received damaged", True),
                 ("damage", "lid seals broken on delivery", False),
                 ("damage", "case dropped at receiving dock", True),
                 ("other", "ordered lemon garlic, received roasted garlic", True),
                 ("other", "over-shipment, surplus returned", True),
                 ("defect", "best-by date illegible on lid", False),
                 ("quality", "oil separation on top of tub", False)]
        clean = [l for l in fin if id(l) not in share and deliveries[id(l)]]
        for cat, reason, pulled in noise:
            lot = self.rng.choice(clean)
            add(lot, self.rng.choice(deliveries[id(lot)]), cat, reason, pulled)

    # ---- inspections --------------------------------------------------------
    def run_inspections(self) -> None:
        for l in self.lots:
            if l["origin"] == "supplied":
                res, defect = "pass", ""
                if l["rejected"]:
                    res, defect = "fail", "visible mould on cloves in 3 of 20 cases; lot rejected"
                elif l is self.suspect:
                    defect = ("borderline: free fatty acids 1.9% (spec max 2.0%), slight bitter note in "
                              "sensory; released")
                self.inspections.append({"lot": l, "on": l["received_on"], "res": res, "defect": defect})
            elif l["sku"] != MASH:
                if l is self.failed_lot:
                    self.inspections.append({"lot": l, "on": l["produced_on"] + ONE, "res": "fail",
                                             "defect": "viscosity above spec, grainy texture; hold for rework"})
                elif self.rng.random() < 0.4 or l is self.club:
                    self.inspections.append({"lot": l, "on": l["produced_on"] + ONE, "res": "pass",
                                             "defect": ""})

    # ---- ids, costs, output -------------------------------------------------
    def assign_receipt_ids(self) -> None:
        rec = sorted((l for l in self.lots if l["origin"] == "supplied"),
                     key=lambda l: (l["received_on"], l["seq"]))
        month_ctr: dict[str, int] = {}
        sup_ctr: dict[str, int] = {}
        for l in rec:
            ym = f"{l['received_on']:%y%m}"
            month_ctr[ym] = month_ctr.get(ym, self.rng.randint(0, 3)) + self.rng.randint(1, 3)
            l["lot_id"] = f"R-{ym}-{month_ctr[ym]:03d}"
            s = l["supplier_id"]
            sup_ctr[s] = sup_ctr.get(s, self.rng.randint(10, 400)) + self.rng.randint(1, 9)
            l["supplier_lot_code"] = supplier_code(s, l["received_on"] - dt.timedelta(days=self.rng.randint(5, 30)),
                                                   sup_ctr[s], self.rng)

    def roll_costs(self) -> None:
        for l in sorted((l for l in self.lots if l["origin"] == "produced"),
                        key=lambda l: (l["produced_on"], l["sku"] != MASH)):
            cost = sum(c["q"] / SCALE[UOM[c["in"]["sku"]]] * c["in"]["unit_cost"]
                       for c in self.cons if c["out"] is l)
            overhead = 0.08 if l["sku"] == MASH else 0.12
            l["unit_cost"] = round(cost / (l["quantity"] / SCALE[UOM[l["sku"]]]) + overhead, 4)

    def write(self) -> None:
        OUT.mkdir(parents=True, exist_ok=True)
        iso = lambda d: d.isoformat() if d else ""

        def dump(name, rows):
            with open(OUT / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(COLUMNS[name])
                w.writerows(rows)

        dump("suppliers", SUPPLIERS)
        dump("sites", SITES)
        dump("products", [(s, n, c, u, sl, f"{uc:.2f}", fmt_kg(s), gtin_of(s))
                          for s, n, c, u, sl, uc in PRODUCTS])
        dump("lot_schemes", lot_schemes())
        dump("customers", [c[:5] for c in CUSTOMERS])
        lots = sorted(self.lots, key=lambda l: (l["origin"] != "supplied", l["lot_id"]))
        dump("lots", [(l["lot_id"], l["sku"], l["origin"], l["supplier_id"], l.get("supplier_lot_code", ""),
                       l["site_id"], l["line"], iso(l["produced_on"]), iso(l["received_on"]),
                       iso(l["expires_on"]), fmt_q(l["sku"], l["quantity"]), fmt_cost(l["unit_cost"]),
                       l["status"]) for l in lots])
        cons = sorted(self.cons, key=lambda c: (c["on"], c["out"]["lot_id"], c["in"]["lot_id"]))
        dump("consumptions", [(c["in"]["lot_id"], c["out"]["lot_id"], fmt_q(c["in"]["sku"], c["q"]), iso(c["on"]))
                              for c in cons])
        # shipments: one id per (day, from, destination); several lots per shipment
        groups = defaultdict(dict)
        for m in self.moves:
            key = (m["shipped"], m["from"], m["to"], m["cust"])
            row = groups[key].get(m["lot"]["lot_id"])
            if row is None:
                groups[key][m["lot"]["lot_id"]] = dict(m)
            else:  # same lot twice on one truck: one row
                row["q"] += m["q"]
        rows = []
        site_order = {s[0]: i for i, s in enumerate(SITES)}
        for n, key in enumerate(sorted(groups, key=lambda k: (k[0], site_order[k[1]], k[2], k[3])), start=1):
            for lot_id in sorted(groups[key]):
                m = groups[key][lot_id]
                rows.append((f"SH-{n + 1000:06d}", lot_id, fmt_q(m["lot"]["sku"], m["q"]), m["from"], m["to"],
                             m["cust"], iso(m["shipped"]), "" if m["in_transit"] else iso(m["delivered"]),
                             "in_transit" if m["in_transit"] else "delivered"))
        dump("shipments", rows)
        rets = sorted(self.returns, key=lambda r: (r["on"], r["lot"]["lot_id"], r["cust"]))
        dump("returns", [(f"RT-{i:04d}", r["lot"]["lot_id"], r["cust"], fmt_q(r["lot"]["sku"], r["q"]), r["reason"],
                          r["cat"], iso(r["on"])) for i, r in enumerate(rets, start=1)])
        ins = sorted(self.inspections, key=lambda r: (r["on"], r["lot"]["lot_id"]))
        dump("inspections", [(f"QI-{i:05d}", r["lot"]["lot_id"], iso(r["on"]), r["res"], r["defect"])
                             for i, r in enumerate(ins, start=1)])
        self.write_story()

    def write_story(self) -> None:
        s, c = self.suspect, self.complained
        sup = next(x for x in SUPPLIERS if x[0] == s["supplier_id"])
        n_hit = sum(1 for r in self.returns if id(r["lot"]) in self.hit_ids)
        text = f"""# Demo story: Keuka Lake Hummus Company

Generated by `python3 scripts/gen_demo.py` (seed {SEED}); data extract as of {self.cutoff}.

Planted: tahini lot {s['lot_id']} (supplier lot {s['supplier_lot_code']}, received {s['received_on']})
from {sup[1]} ({sup[2]}) was contaminated (rancid sesame, Salmonella suspicion). Its incoming
inspection passed with only a borderline note. It went into mash lots and from there into
finished batches; those batches carry {n_hit} of the {len(self.returns)} returns (quality/safety),
the rest is background noise (damage, mix-ups). Find it by tracing back from the complaints.

complained_lot: {c['lot_id']}
suspect_lot: {s['lot_id']}
suspect_supplier: {s['supplier_id']}

Walkthrough: trace back from {c['lot_id']} ({FLAVORS[c['lot_id'][:2]]}, made {c['produced_on']}) to its mash
and tahini, then trace forward from {s['lot_id']} to every affected batch, site and customer.
Also planted: one rework ({self.failed_lot['lot_id']} failed QA, part blended into a later batch), one
repack ({self.repack_source['lot_id']} -> club pack {self.club['lot_id']}), one rejected garlic receipt.
Shipments shipped on {self.cutoff} are still in transit.

Planted coding mistake: batch {self.miscoded['lot_id']} ({FLAVORS[MISCODED[0]]}) was made on
{self.miscoded['produced_on']} but its code says {MISCODED[3]} (the coder's clock was a day behind);
`lotgraph lotcode check` finds it, and every other code fits lot_schemes.csv.

miscoded_lot: {self.miscoded['lot_id']}
"""
        (OUT / "STORY.md").write_text(text, encoding="utf-8")

    def run(self) -> None:
        self.run_production()
        self.assign_receipt_ids()
        self.roll_costs()
        self.run_distribution()
        self.apply_cutoff()
        self.run_returns()
        self.run_inspections()
        self.write()


def supplier_code(sup: str, d: dt.date, n: int, rng: random.Random) -> str:
    """The supplier's own lot number, in that supplier's style."""
    j = d.timetuple().tm_yday
    return {
        "SUP-01": lambda: f"PPG-{d:%y%m%d}-{'ABCD'[n % 4]}",
        "SUP-02": lambda: f"SK{d:%y}{j:03d}{n % 100:02d}",
        "SUP-03": lambda: f"ES/{d:%y}/{n:04d}",
        "SUP-04": lambda: f"HSM-T-{d:%y}{d.isocalendar()[1]:02d}{n % 100:02d}",
        "SUP-05": lambda: f"L{d:%y}-{j:03d}-{n % 10:02d}",
        "SUP-06": lambda: f"FCU{d:%Y}/{n:03d}",
        "SUP-07": lambda: f"VDS {d:%y%m} {n % 100:02d}",
        "SUP-08": lambda: f"FLRF-{d:%m%d}-{rng.randint(1, 12):02d}",
        "SUP-09": lambda: f"EPC{d:%m%y}-{n * 37 + 40000:05d}",
        "SUP-10": lambda: f"CRS{d:%y%m%d}",
    }[sup]()


# --------------------------------------------------------------------------
# Independent check: reads the CSV files back
# --------------------------------------------------------------------------

def check(path: Path = OUT) -> int:
    errs: list[str] = []
    err = errs.append
    data: dict[str, list[dict]] = {}
    size = 0
    for name, cols in COLUMNS.items():
        f = path / f"{name}.csv"
        size += f.stat().st_size
        with open(f, newline="", encoding="utf-8") as fh:
            rd = csv.DictReader(fh)
            if rd.fieldnames != cols:
                err(f"{name}: header {rd.fieldnames} != {cols}")
            data[name] = list(rd)
        for i, r in enumerate(data[name], start=2):
            for k, v in r.items():
                if v is None or "\n" in v or "\r" in v or v != v.strip():
                    err(f"{name}:{i}: {k}: bad cell {v!r}")

    def date(s, where):
        try:
            return dt.date.fromisoformat(s)
        except ValueError:
            err(f"{where}: bad date {s!r}")
            return None

    def qty(s, where, uom):
        try:
            q = float(s)
        except ValueError:
            err(f"{where}: bad quantity {s!r}")
            return 0.0
        if q <= 0:
            err(f"{where}: quantity {s} not > 0")
        if uom == "ea" and q != int(q):
            err(f"{where}: fractional ea {s}")
        return q

    def keyed(name, key):
        out = {}
        for r in data[name]:
            if r[key] in out:
                err(f"{name}: duplicate {key} {r[key]}")
            out[r[key]] = r
        return out

    sup, site, prod, cust = (keyed("suppliers", "supplier_id"), keyed("sites", "site_id"),
                             keyed("products", "sku"), keyed("customers", "customer_id"))
    lots = keyed("lots", "lot_id")
    for s in sup.values():
        if not re.fullmatch(r"[A-Z]{2}", s["country"]):
            err(f"supplier {s['supplier_id']}: country {s['country']}")
    for s in site.values():
        if s["kind"] not in ("plant", "warehouse", "dc", "store"):
            err(f"site {s['site_id']}: kind {s['kind']}")
    for p in prod.values():
        if p["category"] not in ("raw", "packaging", "intermediate", "finished"):
            err(f"product {p['sku']}: category")
        int(p["shelf_life_days"]), float(p["unit_cost"])
    kg_unit = {}  # sku -> kg per unit, from kg_per_uom or the mass unit
    for p in prod.values():
        v, u = p["kg_per_uom"], p["uom"]
        if not v:
            if u not in MASS_UNIT_KG:
                err(f"product {p['sku']}: {u} without kg_per_uom")
            kg_unit[p["sku"]] = MASS_UNIT_KG.get(u)
            continue
        try:
            x = float(v)
        except ValueError:
            err(f"product {p['sku']}: kg_per_uom {v!r}")
            continue
        if not x > 0 or u in MASS_UNIT_KG and x != MASS_UNIT_KG[u]:
            err(f"product {p['sku']}: kg_per_uom {v} (uom {u})")
        kg_unit[p["sku"]] = x
    for c in cust.values():
        if c["kind"] not in ("distributor", "retailer", "consumer") or not c["contact"]:
            err(f"customer {c['customer_id']}: kind/contact")

    uom = {}
    born = {}
    miscoded_seen = 0
    for l in lots.values():
        lid = l["lot_id"]
        if l["sku"] not in prod:
            err(f"lot {lid}: sku {l['sku']} unknown")
            continue
        uom[lid] = prod[l["sku"]]["uom"]
        l["q"] = qty(l["quantity"], f"lot {lid}", uom[lid])
        if l["site_id"] not in site:
            err(f"lot {lid}: site {l['site_id']}")
        if l["status"] not in ("released", "quarantined", "on_hold", "recalled", "destroyed"):
            err(f"lot {lid}: status {l['status']}")
        exp = date(l["expires_on"], f"lot {lid} expires_on")
        if l["origin"] == "supplied":
            if l["supplier_id"] not in sup or not l["supplier_lot_code"] or l["produced_on"]:
                err(f"lot {lid}: supplier fields")
            if not re.fullmatch(r"R-\d{4}-\d{3}", lid):
                err(f"lot {lid}: receiving number format")
            born[lid] = date(l["received_on"], f"lot {lid} received_on")
            if born[lid] and lid[2:6] != f"{born[lid]:%y%m}":
                err(f"lot {lid}: receiving number month != received_on")
        elif l["origin"] == "produced":
            if l["supplier_id"] or l["received_on"] or not l["line"]:
                err(f"lot {lid}: produced fields")
            born[lid] = p_on = date(l["produced_on"], f"lot {lid} produced_on")
            m = re.fullmatch(r"(M|\d{2})-(\d{2})(\d{3})(\d{2})", lid)
            if not m or not p_on:
                err(f"lot {lid}: batch number format")
            else:
                fl, yy, jjj, bb = m.groups()
                planted = lid == batch_no(MISCODED[0], MISCODED[3], MISCODED[2]) and p_on == MISCODED[1]
                if planted:
                    miscoded_seen += 1
                elif (int(yy), int(jjj)) != (p_on.year % 100, p_on.timetuple().tm_yday) or int(bb) < 1:
                    err(f"lot {lid}: batch number disagrees with produced_on {p_on}")
                cat = prod[l["sku"]]["category"]
                if (fl == "M") != (cat == "intermediate") or (fl != "M" and not l["sku"].startswith(f"HUM-{fl}-")):
                    err(f"lot {lid}: flavor code / sku {l['sku']} mismatch")
                if fl != "M" and fl not in FLAVORS:
                    err(f"lot {lid}: unknown flavor")
        else:
            err(f"lot {lid}: origin {l['origin']}")
        if exp and born.get(lid) and exp <= born[lid]:
            err(f"lot {lid}: expires before made")

    # consumptions / genealogy
    rejected = {r["lot_id"] for r in data["inspections"] if r["result"] == "fail"}
    consumed = defaultdict(float)
    edges = defaultdict(list)
    on_hand_events = []  # (date, order, lot, site, delta) order 0 = inflow, 1 = outflow
    seen = set()
    for i, c in enumerate(data["consumptions"], start=2):
        a, b = c["input_lot_id"], c["output_lot_id"]
        if a not in lots or b not in lots:
            err(f"consumptions:{i}: unknown lot")
            continue
        if (a, b) in seen:
            err(f"consumptions:{i}: duplicate edge")
        seen.add((a, b))
        if lots[b]["origin"] != "produced":
            err(f"consumptions:{i}: output {b} not produced")
        q = qty(c["quantity"], f"consumptions:{i}", uom[a])
        on = date(c["consumed_on"], f"consumptions:{i}")
        if on and (on < born[a] or on != born[b] or on >= date(lots[a]["expires_on"], "")):
            err(f"consumptions:{i}: date {on} outside input life or != output produced_on")
        if lots[a]["origin"] == "supplied" and a in rejected:
            err(f"consumptions:{i}: lot {a} failed incoming inspection but was consumed")
        consumed[a] += q
        edges[a].append(b)
        on_hand_events.append((on, 1, a, lots[b]["site_id"], -q))
    # acyclic (iterative DFS)
    state = {}
    for root in lots:
        if root in state:
            continue
        stack = [(root, iter(edges[root]))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                err(f"cycle through {nxt}")
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(edges[nxt])))

    for lid, l in lots.items():
        on_hand_events.append((born[lid], 0, lid, l["site_id"], l["q"]))

    # shipments
    ship_cust = defaultdict(float)
    delivered_to = defaultdict(list)  # (lot, cust) -> [(delivered_on, q)]
    ship_head = {}
    keys = set()
    in_transit_ids = set()
    for i, s in enumerate(data["shipments"], start=2):
        w = f"shipments:{i}"
        lid = s["lot_id"]
        if (s["shipment_id"], lid) in keys:
            err(f"{w}: duplicate key")
        keys.add((s["shipment_id"], lid))
        if lid not in lots:
            err(f"{w}: unknown lot {lid}")
            continue
        head = (s["from_site_id"], s["to_site_id"], s["customer_id"], s["shipped_on"], s["delivered_on"], s["status"])
        if ship_head.setdefault(s["shipment_id"], head) != head:
            err(f"{w}: shipment header differs between rows")
        if s["from_site_id"] not in site:
            err(f"{w}: from_site {s['from_site_id']}")
        if bool(s["to_site_id"]) == bool(s["customer_id"]):
            err(f"{w}: need exactly one of to_site_id / customer_id")
        if s["to_site_id"] and s["to_site_id"] not in site or s["customer_id"] and s["customer_id"] not in cust:
            err(f"{w}: unknown destination")
        q = qty(s["quantity"], w, uom[lid])
        sh = date(s["shipped_on"], w)
        if sh and sh < born[lid]:
            err(f"{w}: shipped before the lot existed")
        if s["status"] == "in_transit":
            in_transit_ids.add(s["shipment_id"])
            if s["delivered_on"]:
                err(f"{w}: in transit with delivered_on")
            dl = None
        elif s["status"] == "delivered":
            dl = date(s["delivered_on"], w)
            if dl and sh and dl < sh:
                err(f"{w}: delivered before shipped")
        else:
            err(f"{w}: status {s['status']}")
            dl = None
        on_hand_events.append((sh, 1, lid, s["from_site_id"], -q))
        if s["to_site_id"] and dl:
            on_hand_events.append((dl, 0, lid, s["to_site_id"], q))
        if s["customer_id"]:
            ship_cust[lid] += q
            if dl:
                delivered_to[(lid, s["customer_id"])].append((dl, q))

    for lid, l in lots.items():
        if consumed[lid] + ship_cust[lid] > l["q"] + 1e-6:
            err(f"lot {lid}: over-consumed: {consumed[lid]} + {ship_cust[lid]} > {l['q']}")
    bal = defaultdict(float)
    for on, _, lid, st, dq in sorted(on_hand_events, key=lambda e: (e[0], e[1])):
        bal[(lid, st)] += dq
        if bal[(lid, st)] < -1e-6:
            err(f"negative on-hand: {lid} at {st} on {on}: {bal[(lid, st)]:.1f}")

    # returns
    for i, r in enumerate(data["returns"], start=2):
        w = f"returns:{i}"
        if r["lot_id"] not in lots or r["customer_id"] not in cust:
            err(f"{w}: unknown lot/customer")
            continue
        if r["category"] not in ("defect", "quality", "safety", "damage", "other"):
            err(f"{w}: category")
        q = qty(r["quantity"], w, uom[r["lot_id"]])
        rep = date(r["reported_on"], w)
        got = delivered_to.get((r["lot_id"], r["customer_id"]), [])
        if not got or rep <= min(d for d, _ in got) or q > sum(x for _, x in got):
            err(f"{w}: customer did not receive that much of the lot before reporting")
    keyed("returns", "return_id")

    for i, r in enumerate(data["inspections"], start=2):
        if r["lot_id"] not in lots or r["result"] not in ("pass", "fail"):
            err(f"inspections:{i}: lot/result")
        elif r["result"] == "fail" and not r["defect"]:
            err(f"inspections:{i}: fail without defect text")
        date(r["inspected_on"], f"inspections:{i}")
    keyed("inspections", "inspection_id")

    # mass balance of finished lots: output kg / content (non-packaging) input kg.
    # (Mash lots are left out: they yield about 2, the water in them is not tracked.)
    content_kg = defaultdict(float)
    for c in data["consumptions"]:
        a = lots.get(c["input_lot_id"])
        if a and prod[a["sku"]]["category"] != "packaging":
            content_kg[c["output_lot_id"]] += float(c["quantity"]) * (kg_unit.get(a["sku"]) or 0.0)
    for lid, l in lots.items():
        if l["origin"] == "produced" and prod[l["sku"]]["category"] == "finished":
            y = l["q"] * (kg_unit.get(l["sku"]) or 0.0) / content_kg[lid] if content_kg[lid] else 0.0
            if not 0.95 <= y <= 1.05:
                err(f"lot {lid}: mass yield {y:.3f} outside 0.95-1.05")

    if miscoded_seen != 1:
        err(f"expected exactly one planted miscoded batch, found {miscoded_seen}")
    for i, p in enumerate(data["products"], start=2):
        g = p["gtin"]
        if g and (len(g) != 13 or gs1_check(g[:-1]) != g[-1]):
            err(f"products:{i}: gtin {g} check digit")
        if bool(g) != (p["category"] == "finished"):
            err(f"products:{i}: gtin only on finished goods")

    # rework / repack
    fin = {lid for lid, l in lots.items() if l["origin"] == "produced" and prod[l["sku"]]["category"] == "finished"}
    rework = [(c["input_lot_id"], c["output_lot_id"]) for c in data["consumptions"]
              if c["input_lot_id"] in fin and c["output_lot_id"] in fin]
    n_rework = sum(1 for a, b in rework if lots[a]["sku"] == lots[b]["sku"])
    n_repack = sum(1 for a, b in rework if lots[a]["sku"] != lots[b]["sku"])
    if n_rework != 1 or n_repack != 1:
        err(f"expected exactly one rework and one repack, got {n_rework}, {n_repack}")

    # the story
    story = {}
    for line in (path / "STORY.md").read_text(encoding="utf-8").splitlines():
        m = re.fullmatch(r"(complained_lot|suspect_lot|suspect_supplier|miscoded_lot): (\S+)", line)
        if m:
            story[m[1]] = m[2]
    if len(story) != 4:
        err(f"STORY.md: ids missing: {story}")
    else:
        s = story["suspect_lot"]
        if lots.get(s, {}).get("supplier_id") != story["suspect_supplier"]:
            err("STORY.md: suspect_lot not from suspect_supplier")
        desc, todo = set(), [s]
        while todo:
            for b in edges[todo.pop()]:
                if b not in desc:
                    desc.add(b)
                    todo.append(b)
        if story["complained_lot"] not in desc or story["complained_lot"] not in fin:
            err("STORY.md: complained_lot is not a finished descendant of suspect_lot")
        qs = [r for r in data["returns"] if r["category"] in ("quality", "safety")]
        hits = sum(1 for r in data["returns"] if r["lot_id"] in desc)
        if hits * 2 <= len(data["returns"]) or sum(1 for r in qs if r["lot_id"] in desc) < len(qs) - 2:
            err("returns: the suspect cluster is not clear")
        if not any(r["lot_id"] == s and r["result"] == "pass" for r in data["inspections"]):
            err("suspect lot has no passed incoming inspection")

    n_ing = sum(1 for l in lots.values() if l["origin"] == "supplied")
    n_fin = len(fin)
    counts = {name: len(rows) for name, rows in data.items()}
    mins = {"suppliers": 5, "consumptions": 1, "shipments": 150, "returns": 20, "inspections": 1}
    for name, m in mins.items():
        if counts[name] < m:
            err(f"{name}: {counts[name]} rows < {m}")
    if n_ing < 30 or n_fin < 60 or not 10 <= counts["customers"] <= 20:
        err(f"counts: {n_ing} ingredient lots, {n_fin} finished lots, {counts['customers']} customers")
    if not 5 <= len(in_transit_ids) <= 10:
        err(f"{len(in_transit_ids)} shipments in transit, want 5-10")
    if size >= 1_000_000:
        err(f"dataset is {size} bytes")

    for name, n in counts.items():
        print(f"{name + '.csv':18} {n:5d} rows")
    print(f"ingredient lots {n_ing}, finished lots {n_fin}, mash lots "
          f"{sum(1 for l in lots.values() if l['lot_id'].startswith('M-'))}, shipments "
          f"{len(ship_head)} ({len(in_transit_ids)} in transit), total {size} bytes")
    print("story:", story)
    for e in errs[:50]:
        print("ERROR:", e)
    print("check:", "OK" if not errs else f"{len(errs)} problem(s)")
    return 1 if errs else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="only check the existing data/demo files")
    ap.add_argument("--out", type=Path, help="write (or check) this directory instead of data/demo")
    args = ap.parse_args()
    global OUT
    if args.out:
        OUT = args.out
    if not args.check:
        Gen().run()
        print(f"wrote {OUT}")
    return check(OUT)


if __name__ == "__main__":
    sys.exit(main())
