#!/usr/bin/env python3
"""Executes every code cell of every notebook under notebooks/, in order, in
one namespace per notebook: the notebooks' own assertions become tests.
Standard library only (no Jupyter needed). Usage: scripts/run-notebooks.py"""
import json
import os
import sys
from pathlib import Path

repo = Path(__file__).resolve().parent.parent
os.environ.setdefault("LOTGRAPH_REPO", str(repo))
failed = 0
for nb in sorted((repo / "notebooks").glob("*.ipynb")):
    cells = [c for c in json.loads(nb.read_text())["cells"] if c["cell_type"] == "code"]
    ns = {"__name__": "__notebook__"}
    for i, cell in enumerate(cells, 1):
        src = "".join(cell["source"])
        try:
            exec(compile(src, f"{nb.name}[cell {i}]", "exec"), ns)
        except Exception as e:  # report and go on to the next notebook
            print(f"{nb.name}: cell {i} failed: {e!r}", file=sys.stderr)
            failed += 1
            break
    else:
        print(f"{nb.name}: {len(cells)} code cells ran")
sys.exit(1 if failed else 0)
