#!/usr/bin/env python3
"""Cold commands: every lotgraph command as a whole process, as users run it.

Each command runs RUNS times as a fresh process against an ingested workspace
(stdout to /dev/null); the table gives the median, min and max wall time and
the peak RSS of one more run under GNU time (`/usr/bin/time -f %M`: a child
spawned from Python would report Python's own high-water mark, which Linux
folds into a vfork child's ru_maxrss at exec). RSS counts the mapped
snapshot pages the command touched (shared page cache, not private memory). The page cache is warm after the first run, as it is for an
analyst who asks one question after another; `--drop-caches` (root) empties
it before every run to show a first question after a reboot.

    lotgraph generate --lots 1000000 --seed 3 --out g1m
    LOTGRAPH_WORKSPACE=ws1m lotgraph ingest g1m
    scripts/bench-cold.py --bin target/release/lotgraph --workspace ws1m --lot F24002-0499998

The peer comparison (DuckDB CLI, psql, Neo4j sessions, cold and warm) is
scripts/bench-peers.sh; this script is the per-command view of lotgraph alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time

TIME = "/usr/bin/time"

POINT = [
    "trace back {lot} --format json",
    "trace forward {lot} --format json",
    "lot show {lot} --format json",
    "recall simulate --lot {lot} --format json",
]
WHOLE = [
    "returns --format json",
    "returns --by sku --format json",
    "suppliers --format json",
    "stats --format json",
    "check --format json",
]


def run_once(cmd: list[str], env: dict, drop: bool) -> float:
    """Wall ms of one run; raises on a non-zero exit."""
    if drop:
        subprocess.run(["sync"], check=True)
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, _ = os.wait4(p.pid, 0)
    wall = (time.perf_counter() - t) * 1000
    err = p.stderr.read().decode(errors="replace") if p.stderr else ""
    if status != 0:
        raise SystemExit(f"{' '.join(cmd)}: exit status {status}: {err.strip()}")
    return wall


def peak_rss(cmd: list[str], env: dict) -> str:
    """Peak RSS in MiB of one run under GNU time, or "?" without it."""
    if not os.path.exists(TIME):
        return "?"
    with tempfile.NamedTemporaryFile("r") as out:
        subprocess.run([TIME, "-f", "%M", "-o", out.name, *cmd], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return f"{int(out.read().split()[-1]) / 1024:.0f} MiB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/lotgraph")
    ap.add_argument("--workspace", required=True)
    ap.add_argument("--lot", required=True, help="the lot of the point queries")
    ap.add_argument("--runs", type=int, default=11, help="runs per point query (whole-dataset ones: a third)")
    ap.add_argument("--drop-caches", action="store_true", help="empty the page cache before every run (root)")
    a = ap.parse_args()
    env = dict(os.environ, LOTGRAPH_WORKSPACE=a.workspace)
    print("| command | median | min | max | peak RSS |")
    print("|---|---:|---:|---:|---:|")
    for group, runs in ((POINT, a.runs), (WHOLE, max(3, a.runs // 3))):
        for c in group:
            args = c.format(lot=a.lot).split()
            walls = [run_once([a.bin, *args], env, a.drop_caches) for _ in range(runs)]
            print(
                f"| `{' '.join(args)}` | {statistics.median(walls):.1f} ms | {min(walls):.1f} ms "
                f"| {max(walls):.1f} ms | {peak_rss([a.bin, *args], env)} |"
            )


if __name__ == "__main__":
    main()
