#!/usr/bin/env python3
"""Writes a chain dataset L0 -> L1 -> ... -> L(N-1) for the deep-genealogy
benchmarks of issue 17: L0 is supplied by S1, every other lot is produced
from the one before, and the last lot is shipped and returned once (so
every lot of the chain is a candidate of `investigate --lot L(N-1)`).
With --cycle, the last lot also feeds L0 (a genealogy cycle through all N).

    scripts/gen-chain.py --lots 200000 --out /tmp/chain200k
    lotgraph ingest /tmp/chain200k && time lotgraph investigate --lot L199999
"""

import argparse
import os

p = argparse.ArgumentParser()
p.add_argument("--lots", type=int, required=True)
p.add_argument("--out", required=True)
p.add_argument("--cycle", action="store_true")
a = p.parse_args()
n = a.lots
os.makedirs(a.out, exist_ok=True)
with open(os.path.join(a.out, "lots.csv"), "w") as f:
    f.write("lot_id,sku,origin,supplier_id,quantity\n")
    f.write("L0,RAW,%s,%s,100\n" % (("produced", "") if a.cycle else ("supplied", "S1")))
    for i in range(1, n):
        f.write(f"L{i},MID,produced,,100\n")
with open(os.path.join(a.out, "consumptions.csv"), "w") as f:
    f.write("input_lot_id,output_lot_id,quantity\n")
    for i in range(n - 1):
        f.write(f"L{i},L{i + 1},100\n")
    if a.cycle:
        f.write(f"L{n - 1},L0,100\n")
with open(os.path.join(a.out, "shipments.csv"), "w") as f:
    f.write("shipment_id,lot_id,quantity,customer_id,shipped_on\n")
    f.write(f"S1,L{n - 1},100,K,2024-01-01\n")
with open(os.path.join(a.out, "returns.csv"), "w") as f:
    f.write("return_id,lot_id,quantity,reported_on\n")
    f.write(f"R1,L{n - 1},5,2024-02-01\n")
