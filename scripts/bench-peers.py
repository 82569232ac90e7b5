#!/usr/bin/env python3
"""Peer benchmark: lotgraph against DuckDB, PostgreSQL and Neo4j on identical data.

For each size it generates a dataset with `lotgraph generate`, ingests it, and
runs lotgraph's side (`benches/peers.rs`: snapshot load, then traces back and
forward, one-lot recalls, the full supplier scorecard and an investigation of
50 returned lots through the library),
which also picks the workload and writes lotgraph's answers. Each peer then
loads the same CSV files and answers the same questions:

  * DuckDB: recursive CTEs over tables read from the CSVs into a database file;
  * PostgreSQL (Debian's server, started here on 127.0.0.1): the same SQL, with indexes;
  * Neo4j (the dev server of scripts/neo4j-dev): `lotgraph neo4j push`, then queries/*.cypher.

Two modes (--mode, default both):

  * cold: every question from a fresh process or connection, as users ask:
    the `lotgraph` CLI per query on the memory-mapped snapshot (`trace back`,
    `trace forward`, `recall simulate --lot`, `suppliers`, `investigate`, all
    `--format json`), the DuckDB CLI (the duckdb-cli wheel's binary, the
    Python package's version) read-only on the database file, psql against
    the server, a new Neo4j driver and session. Wall time and the process's
    peak RSS per query; --cold-queries lots per lookup question.
  * warm: lotgraph through the library, DuckDB in-process through the Python
    package, PostgreSQL and Neo4j through one long-lived connection; each
    query asked once to warm up, then timed.

Every peer answer is compared with lotgraph's (same lots, same depths, shares and
quantities within 1e-9 relative); a mismatch stops the run. lotgraph's CLI
answers are checked against its library's the same way. The report leads with
the cold table, then the warm one: per question, each system's timings and the
ratio to lotgraph measured in the same run (median of the per-query ratios,
with their 10th-90th percentile spread), plus load time and peak memory,
machine facts and the command that reproduces it.

    scripts/bench-peers.sh --sizes 100k,1M          # what BENCHMARKS.md shows
    scripts/bench-peers.sh --sizes 100k --mode cold # the product figure only
    scripts/bench-peers.sh --smoke                  # 2,000 lots, 40 queries each (5 cold): the test command's check

Run it through scripts/bench-peers.sh, which installs the Python packages
(scripts/peers-requirements.txt) in a virtualenv under target/.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QUERIES = REPO / "queries"
REL_TOL = 1e-9


def log(msg: str) -> None:
    print(f"bench-peers: {msg}", file=sys.stderr, flush=True)


def parse_count(s: str) -> int:
    s = s.strip().replace("_", "")
    mult = 1
    if s[-1:] in ("k", "K"):
        mult, s = 1_000, s[:-1]
    elif s[-1:] == "M":
        mult, s = 1_000_000, s[:-1]
    return int(float(s) * mult)


def human(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


# ---------------------------------------------------------------- processes


class ProcessFailed(SystemExit):
    """A measured process exited non-zero, or was killed at its time limit.
    A SystemExit, so that where nobody expects a failure it ends the run with
    the message."""

    def __init__(self, cmd: list[str], code: int, stderr: str, timed_out: bool):
        what = "was stopped after its time limit" if timed_out else f"exited with {code}"
        tail = stderr.strip().splitlines()[-3:]
        super().__init__(f"bench-peers: {' '.join(cmd)[:300]} {what}" + "".join("\n  " + x for x in tail))
        self.timed_out = timed_out


def build_measure(target: Path) -> Path:
    """Compiles scripts/measure.rs (std only, a few seconds) unless current,
    and has run_measured use it, here and in the peer processes."""
    src, exe = REPO / "scripts" / "measure.rs", target / "bench-peers-measure"
    if not exe.exists() or exe.stat().st_mtime < src.stat().st_mtime:
        subprocess.run(["rustc", "-O", "--edition", "2021", str(src), "-o", str(exe)], check=True)
    os.environ["BENCH_PEERS_MEASURE"] = str(exe)
    return exe


def run_measured(cmd: list[str], env: dict | None = None, stdout=None, stderr=None,
                 timeout: float | None = None) -> tuple[float, int]:
    """Runs cmd, returns (wall seconds, peak RSS in bytes of that process).
    Through scripts/measure.rs, not this process's own wait4: a child spawned
    from here would count this process's memory as its own (see there)."""
    with tempfile.NamedTemporaryFile("r", prefix="measure-") as res:
        full = [os.environ["BENCH_PEERS_MEASURE"], str(timeout or 0), res.name] + cmd
        code = subprocess.run(full, env=env, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL).returncode
        wall_ns, rss_kib = (res.read().split() + ["0", "0"])[:2]
    wall = int(wall_ns) / 1e9
    if code != 0:
        err = ""
        if stderr is not None and hasattr(stderr, "seek"):
            stderr.seek(0)
            err = stderr.read().decode(errors="replace")
        raise ProcessFailed(cmd, code, err, timed_out=bool(timeout) and code == 137 and wall >= timeout)
    return wall, int(rss_kib) * 1024


def run_captured(cmd: list[str], env: dict | None = None, timeout: float | None = None) -> tuple[float, int, str]:
    """run_measured with the process's output read back. Through temporary
    files, not pipes: nothing would read a pipe while the process is waited
    for, so a large answer would fill it and stall the process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        wall, rss = run_measured(cmd, env, stdout=out, stderr=err, timeout=timeout)
        out.seek(0)
        return wall, rss, out.read().decode()


def proc_hwm(pid: int) -> int:
    """Peak resident memory (VmHWM) of a live process, bytes; 0 if unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def proc_pss(pid: int) -> int:
    """Proportional set size of a live process, bytes; 0 if unknown."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def is_timeout(e: BaseException) -> bool:
    """Did a peer give up on a query because of its time limit? (PostgreSQL's
    statement_timeout, DuckDB's interrupt, Neo4j's transaction timeout, a
    cold-mode process killed at its time limit.)"""
    if isinstance(e, ProcessFailed) and e.timed_out:
        return True
    name = type(e).__name__
    text = str(e)
    return (
        name in ("QueryCanceled", "InterruptException")
        or "TransactionTimedOut" in text
        or "statement timeout" in text
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- answers


def close(a: float, b: float) -> bool:
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b)) + 1e-12


def diff_rows(what: str, want: list, got: list) -> str | None:
    """Compares [[lot_id, depth, share], ...] answers; None when equal."""
    w = {r[0]: r for r in want}
    g = {r[0]: r for r in got}
    if len(g) != len(got):
        return f"{what}: peer returned duplicate lots"
    if w.keys() != g.keys():
        missing = sorted(w.keys() - g.keys())[:5]
        extra = sorted(g.keys() - w.keys())[:5]
        return f"{what}: {len(w)} lots vs {len(g)}; missing {missing}, extra {extra}"
    for k, r in w.items():
        s = g[k]
        if int(r[1]) != int(s[1]):
            return f"{what}: lot {k}: depth {r[1]} vs {s[1]}"
        if not close(float(r[2]), float(s[2])):
            return f"{what}: lot {k}: share {r[2]!r} vs {s[2]!r}"
    return None


def diff_pairs(what: str, want: list, got: list, width: int) -> str | None:
    """Compares [[key, x, (y)], ...] answers with numeric values."""
    w = {r[0]: r[1:] for r in want}
    g = {r[0]: r[1:] for r in got}
    if w.keys() != g.keys():
        missing = sorted(w.keys() - g.keys())[:5]
        extra = sorted(g.keys() - w.keys())[:5]
        return f"{what}: {len(w)} keys vs {len(g)}; missing {missing}, extra {extra}"
    for k, v in w.items():
        for i in range(width):
            if not close(float(v[i]), float(g[k][i])):
                return f"{what}: {k}: value {i}: {v[i]!r} vs {g[k][i]!r}"
    return None


# ---------------------------------------------------------------- SQL peers

# The mass units of docs/record-format.md (code and aliases, lower case) and
# their factor to kg: kg(sku) = the unit's factor, else products.kg_per_uom.
MASS_UNITS = [
    (1.0, ["kg", "kgm", "kilogram", "kilograms", "kgs"]),
    (0.001, ["g", "grm", "gram", "grams"]),
    (0.000001, ["mg", "mgm", "milligram", "milligrams"]),
    (1000.0, ["t", "tne", "tonne", "tonnes"]),
    (0.45359237, ["lb", "lbr", "lbs", "pound", "pounds"]),
    (0.028349523125, ["oz", "onz", "ounce", "ounces"]),
]
_MASS_VALUES = ", ".join(f"('{a}', CAST({f!r} AS DOUBLE PRECISION))" for f, names in MASS_UNITS for a in names)

# The genealogy as the peers store it: one row per (input, output) pair, its
# quantities summed (as lotgraph's CSR sums parallel consumption rows), with
# the edge weight of record-format.md's share rule (v2), of which the share is
# the path sum of products: a packaging input weighs q / Σ q of the output's
# inputs of that SKU (coverage); a content input m / Σ m over the output's
# content inputs when every one of them has a known mass (m = q × kg(sku)),
# else q / Σ q over them.
SQL_SETUP = [
    f"""CREATE TABLE mass_units AS
       SELECT * FROM (VALUES {_MASS_VALUES}) AS t(unit, factor)""",
    """CREATE TABLE sku_kg AS
       SELECT p.sku, coalesce(p.category = 'packaging', false) AS is_pack,
              coalesce(m.factor, CAST(NULLIF(trim(p.kg_per_uom), '') AS DOUBLE PRECISION)) AS kg
       FROM products p LEFT JOIN mass_units m ON m.unit = lower(trim(p.uom))""",
    """CREATE TABLE pairs AS
       SELECT c.input_lot_id AS src, c.output_lot_id AS dst, l.sku AS sku, sum(c.quantity) AS q
       FROM consumptions c JOIN lots l ON l.lot_id = c.input_lot_id
       GROUP BY c.input_lot_id, c.output_lot_id, l.sku""",
    """CREATE TABLE edges AS
       WITH p AS (
         SELECT p.src, p.dst, p.sku, p.q, coalesce(k.is_pack, false) AS is_pack, p.q * k.kg AS m
         FROM pairs p LEFT JOIN sku_kg k ON k.sku = p.sku),
       w AS (
         SELECT src, dst, is_pack, q, m,
                sum(q) OVER (PARTITION BY dst, sku, is_pack) AS pack_total,
                sum(CASE WHEN NOT is_pack AND m IS NULL THEN 1 ELSE 0 END) OVER (PARTITION BY dst) AS unknown,
                sum(CASE WHEN NOT is_pack THEN m END) OVER (PARTITION BY dst) AS mass_total,
                sum(CASE WHEN NOT is_pack THEN q END) OVER (PARTITION BY dst) AS content_total
         FROM p)
       SELECT src, dst,
              CASE WHEN is_pack THEN q / pack_total
                   WHEN unknown = 0 THEN m / mass_total
                   ELSE q / content_total END AS frac
       FROM w""",
    """CREATE TABLE shipped AS
       SELECT lot_id, sum(quantity) AS quantity FROM shipments
       WHERE customer_id IS NOT NULL GROUP BY lot_id""",
    """CREATE TABLE returned AS
       SELECT lot_id, sum(quantity) AS quantity FROM returns GROUP BY lot_id""",
]

# Shares are path sums: UNION ALL enumerates every path (like the Cypher
# queries), then GROUP BY adds them up. Shares above 1 only come from
# rounding and are clamped, as lotgraph and the Cypher queries do.
SQL_TRACE_BACK = """
WITH RECURSIVE up(lot, depth, share) AS (
    SELECT src, 1, frac FROM edges WHERE dst = {p}
    UNION ALL
    SELECT e.src, up.depth + 1, up.share * e.frac FROM up JOIN edges e ON e.dst = up.lot
)
SELECT lot, min(depth), least(sum(share), 1.0) FROM up GROUP BY lot"""

SQL_TRACE_FORWARD = """
WITH RECURSIVE down(lot, depth, share) AS (
    SELECT dst, 1, frac FROM edges WHERE src = {p}
    UNION ALL
    SELECT e.dst, down.depth + 1, down.share * e.frac FROM down JOIN edges e ON e.src = down.lot
)
SELECT lot, min(depth), least(sum(share), 1.0) FROM down GROUP BY lot"""

# A one-lot recall: the lot and its downstream closure with shares, and the
# customers that received any of those lots with the units shipped to them.
SQL_RECALL = """
WITH RECURSIVE down(lot, depth, share) AS (
    SELECT CAST({p} AS VARCHAR), 0, CAST(1.0 AS DOUBLE PRECISION)
    UNION ALL
    SELECT e.dst, down.depth + 1, down.share * e.frac FROM down JOIN edges e ON e.src = down.lot
),
reached AS (SELECT lot, min(depth) AS depth, least(sum(share), 1.0) AS share FROM down GROUP BY lot)
SELECT 'lot' AS kind, lot AS id, depth, share FROM reached
UNION ALL
SELECT 'customer', s.customer_id, NULL, sum(s.quantity)
FROM shipments s JOIN reached r ON r.lot = s.lot_id
WHERE s.customer_id IS NOT NULL
GROUP BY s.customer_id"""

# The scorecard's attribution: every supplier lot's downstream paths, units
# returned and shipped to customers weighted by share, summed per supplier.
SQL_SCORECARD = """
WITH RECURSIVE down(sup, lot, share) AS (
    SELECT supplier_id, lot_id, CAST(1.0 AS DOUBLE PRECISION) FROM lots WHERE origin = 'supplied'
    UNION ALL
    SELECT d.sup, e.dst, d.share * e.frac FROM down d JOIN edges e ON e.src = d.lot
)
SELECT d.sup, sum(d.share * coalesce(r.quantity, 0)), sum(d.share * coalesce(s.quantity, 0))
FROM down d
LEFT JOIN returned r ON r.lot_id = d.lot
LEFT JOIN shipped s ON s.lot_id = d.lot
GROUP BY d.sup"""


# Investigation, the part a database can do: the candidate lots of the
# complaint lots (every lot upstream of one, the complaint lots themselves
# when something was made from them) and, for each, how many complaint lots
# and other population lots (shipped to a customer or returned) its
# downstream closure reaches. lotgraph goes on to score and rank them (and
# suppliers, lines, line windows and sites); the peers stop at the counts.
SQL_INVESTIGATE = """
WITH RECURSIVE
complaints(lot) AS (SELECT DISTINCT unnest({plist})),
up(lot) AS (
    SELECT lot FROM complaints
    UNION
    SELECT e.src FROM up JOIN edges e ON e.dst = up.lot
),
cands(lot) AS (
    SELECT lot FROM up
    WHERE lot NOT IN (SELECT lot FROM complaints) OR EXISTS (SELECT 1 FROM edges e WHERE e.src = up.lot)
),
down(cand, lot) AS (
    SELECT lot, lot FROM cands
    UNION
    SELECT d.cand, e.dst FROM down d JOIN edges e ON e.src = d.lot
),
pop(lot) AS (
    SELECT lot_id FROM shipped UNION SELECT lot_id FROM returned UNION SELECT lot FROM complaints
)
SELECT d.cand,
       count(c.lot),
       count(p.lot) - count(c.lot)
FROM down d
LEFT JOIN complaints c ON c.lot = d.lot
LEFT JOIN pop p ON p.lot = d.lot
GROUP BY d.cand
HAVING count(c.lot) > 0"""


def recall_answer(rows) -> dict:
    lots = [[r[1], r[2], r[3]] for r in rows if r[0] == "lot"]
    customers = [[r[1], r[3]] for r in rows if r[0] == "customer"]
    return {"lots": lots, "customers": customers}


def check_recall(what: str, want: dict, got: dict) -> str | None:
    return diff_rows(what + " lots", want["lots"], got["lots"]) or diff_pairs(
        what + " customers", want["customers"], got["customers"], 1
    )


# The questions asked one lot at a time, and the whole-graph ones.
LOOKUPS = ("trace_back", "trace_forward", "recall")


def whole_questions(ref: dict) -> list[tuple[str, list | None]]:
    """The whole-graph questions of lotgraph's workload and their argument."""
    out: list[tuple[str, list | None]] = [("scorecard", None)]
    if "investigate" in ref["answers"]:
        out.append(("investigate", ref["workload"]["investigate"]))
    return out


def check_answer(phase: str, what: str, want, got, lots_only: bool = False) -> str | None:
    """A peer's answer to one question against lotgraph's; None when equal.
    lots_only: a recall answer without customers (Neo4j's query has none)."""
    if phase == "recall":
        if lots_only:
            return diff_rows(what + " lots", want["lots"], got["lots"])
        return check_recall(what, want, got)
    if phase == "scorecard":
        return diff_pairs("scorecard", want, got, 2)
    if phase == "investigate":
        return diff_pairs("investigation lot candidates", want, got, 2)
    return diff_rows(what, want, got)


def fail_if(name: str, err: str | None) -> None:
    if err:
        raise SystemExit(f"bench-peers: {name} disagrees with lotgraph: {err}")


def sql_text(sql: str, param, dialect: str) -> str:
    """The query with its parameter written in as a literal: a CLI takes one
    text, without bind parameters. dialect: duckdb or postgres."""

    def lit(v: str) -> str:
        return "'" + v.replace("'", "''") + "'"

    if isinstance(param, list):
        items = ", ".join(lit(x) for x in param)
        arr = f"CAST([{items}] AS VARCHAR[])" if dialect == "duckdb" else f"CAST(ARRAY[{items}] AS TEXT[])"
        return sql.replace("{plist}", arr)
    return sql.replace("{p}", "NULL" if param is None else lit(param))


def sql_asks(query, timeout: float) -> dict:
    """Every question as a function of its argument (a lot, a list of lots,
    or None), answered through query(sql, param, timeout=) and shaped as
    lotgraph's answers are: warm and cold differ only in query."""
    return {
        "trace_back": lambda lot: [list(r) for r in query(SQL_TRACE_BACK, lot)],
        "trace_forward": lambda lot: [list(r) for r in query(SQL_TRACE_FORWARD, lot)],
        "recall": lambda lot: recall_answer(query(SQL_RECALL, lot)),
        "scorecard": lambda _: [list(r) for r in query(SQL_SCORECARD, timeout=timeout)],
        "investigate": lambda lots: [list(r) for r in query(SQL_INVESTIGATE, list(lots), timeout=timeout)],
    }


def neo4j_asks(run, timeout: float) -> dict:
    """sql_asks for Neo4j: run(name, params, timeout) runs queries/NAME.cypher."""
    return {
        "trace_back": lambda lot: [[x[0], x[2], x[3]] for x in
                                   run("trace_back", {"lot": lot, "max_depth": None}, timeout)],
        "trace_forward": lambda lot: [[x[0], x[2], x[3]] for x in
                                      run("trace_forward", {"lot": lot, "max_depth": None}, timeout)],
        "recall": lambda lot: {"lots": [[x[0], x[2], x[3]] for x in
                                        run("recall_blast_radius", {"seeds": [lot], "min_share": 0.0}, timeout)]},
        "scorecard": lambda _: [[x[0], x[2], x[3]] for x in
                                run("supplier_attributed_returns", {"category": None}, timeout)],
        "investigate": lambda lots: [[x[1], x[2], x[3]] for x in
                                     run("common_source", {"lots": lots}, timeout) if x[0] == "lot"],
    }


class DuckDB:
    name = "DuckDB"

    def __init__(self, data: Path, work: Path):
        import duckdb

        self.version = duckdb.__version__
        self.data, self.work = data, work
        self.db = work / "duckdb.db"
        if self.db.exists():
            self.db.unlink()

    def load(self) -> None:
        import duckdb

        # A file database (not :memory:) so it is a store like the others; the
        # threads setting is DuckDB's default (all cores).
        self.con = duckdb.connect(str(self.db))
        c = self.con
        d = self.data

        def csv(name: str, cols: str) -> None:
            c.execute(
                f"CREATE TABLE {name} AS SELECT {cols} FROM "
                f"read_csv('{d / (name + '.csv')}', header = true, all_varchar = true)"
            )

        csv("lots", "lot_id, sku, origin, supplier_id, CAST(quantity AS DOUBLE) AS quantity")
        csv("products", "sku, category, uom, kg_per_uom")
        csv(
            "consumptions",
            "input_lot_id, output_lot_id, CAST(quantity AS DOUBLE) AS quantity",
        )
        csv("shipments", "lot_id, customer_id, CAST(quantity AS DOUBLE) AS quantity")
        csv("returns", "lot_id, category, CAST(quantity AS DOUBLE) AS quantity")
        for s in SQL_SETUP:
            c.execute(s)
        # ART indexes on the join keys of the recursive step.
        c.execute("CREATE INDEX edges_dst ON edges (dst)")
        c.execute("CREATE INDEX edges_src ON edges (src)")
        c.execute("CHECKPOINT")

    def query(self, sql: str, param=None, timeout: float | None = None):
        if timeout is not None:
            # DuckDB has no statement timeout: interrupt it from a timer
            # (whole-graph queries only; a thread per lookup would be timed).
            import threading

            timer = threading.Timer(timeout, self.con.interrupt)
            timer.start()
            try:
                return self.query(sql, param)
            finally:
                timer.cancel()
        if param is None:
            return self.con.execute(sql.replace("{p}", "NULL")).fetchall()
        if isinstance(param, list):
            return self.con.execute(sql.replace("{plist}", "CAST(? AS VARCHAR[])"), [param]).fetchall()
        return self.con.execute(sql.replace("{p}", "?"), [param]).fetchall()

    def memory(self) -> int:
        return 0  # in-process: the harness process's own peak counts

    def go_cold(self) -> None:
        """Lets the CLI open the database file: a read-write connection in
        this process would hold DuckDB's lock on it."""
        self.close()
        self.con = None
        self.cli = duckdb_cli()

    def cold_query(self, sql: str, param=None, timeout: float | None = None):
        """One query by a new DuckDB CLI process on the persistent database
        file, read-only, as `duckdb -readonly FILE` would be run by hand. The
        (wall, peak RSS) of the process is left in self.last."""
        # -no-init: no ~/.duckdbrc; CSV without header: values only.
        cmd = [str(self.cli), "-readonly", "-no-init", "-bail", "-csv", "-noheader", str(self.db),
               "-c", sql_text(sql, param, "duckdb")]
        wall, rss, out = run_captured(cmd, timeout=timeout)
        self.last = (wall, rss)
        return list(csv.reader(io.StringIO(out)))

    def close(self) -> None:
        if getattr(self, "con", None) is not None:
            self.con.close()


def duckdb_cli() -> Path:
    """The DuckDB CLI of the duckdb-cli wheel (scripts/peers-requirements.txt),
    the binary itself rather than its Python entry point, which would add an
    interpreter start to every query; checked to be the Python package's
    version, so that both modes measure the same engine."""
    import duckdb
    import duckdb_cli as pkg

    exe = Path(pkg.__file__).parent / "duckdb"
    if not os.access(exe, os.X_OK):
        raise SystemExit(f"bench-peers: {exe} is not an executable (reinstall duckdb-cli)")
    got = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True).stdout.split()
    if not got or got[0].lstrip("v") != duckdb.__version__:
        raise SystemExit(f"bench-peers: DuckDB CLI {got[:1]} is not the Python package's {duckdb.__version__}")
    return exe


class Postgres:
    name = "PostgreSQL"

    def __init__(self, data: Path, work: Path, timeout: float):
        self.data, self.work, self.timeout = data, work, timeout
        # Under /tmp, not the work dir: the server's user must reach it
        # (a checkout under /root is not traversable by `postgres`).
        self.pgdata = Path(tempfile.mkdtemp(prefix="lotgraph-peers-pg-")) / "pgdata"
        self.port = free_port()
        self.proc = None
        self.con = None
        self.bindir = self._bindir()
        self.proc = None

    @staticmethod
    def _bindir() -> Path:
        for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
            if (d / "postgres").exists():
                return d
        raise SystemExit(
            "bench-peers: PostgreSQL server not found (apt-get install postgresql)"
        )

    def _as_pg(self, cmd: list[str]) -> list[str]:
        # The server refuses to run as root: run it as the package's user.
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--"] + cmd
        return cmd

    def start(self) -> None:
        self.pgdata.mkdir(parents=True)
        if os.geteuid() == 0:
            os.chmod(self.pgdata.parent, 0o755)  # mkdtemp makes it 700
            shutil.chown(self.pgdata, "postgres", "postgres")
        subprocess.run(
            self._as_pg(
                [str(self.bindir / "initdb"), "-D", str(self.pgdata), "-U", "bench",
                 "--auth=trust", "-E", "UTF8", "--locale=C"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        # Settings for an analytical load on this machine: memory for sorts
        # and hashes, a large buffer cache, no durability (a benchmark).
        mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
        opts = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": "",  # TCP only; socket paths have a length limit
            "statement_timeout": str(int(self.timeout * 1000)),
            "shared_buffers": f"{max(128, int(mem_gib * 1024 / 4))}MB",
            "work_mem": "256MB",
            "maintenance_work_mem": "1GB",
            "effective_cache_size": f"{max(256, int(mem_gib * 1024 / 2))}MB",
            "max_wal_size": "8GB",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "jit": "off",
        }
        cmd = [str(self.bindir / "postgres"), "-D", str(self.pgdata)]
        for k, v in opts.items():
            cmd += ["-c", f"{k}={v}"]
        self.log = open(self.work / "postgres.log", "w")
        self.proc = subprocess.Popen(self._as_pg(cmd), stdout=self.log, stderr=self.log)
        import psycopg

        deadline = time.time() + 60
        while True:
            try:
                self.con = psycopg.connect(
                    host="127.0.0.1", port=self.port, user="bench", dbname="postgres",
                    autocommit=True,
                )
                break
            except psycopg.OperationalError:
                if time.time() > deadline or self.proc.poll() is not None:
                    raise SystemExit(
                        f"bench-peers: PostgreSQL did not start; see {self.work / 'postgres.log'}"
                    )
                time.sleep(0.2)
        self.version = self.con.execute("SHOW server_version").fetchone()[0]

    def load(self) -> None:
        c = self.con
        tables = {
            "products": ("sku text, name text, category text, uom text, shelf_life_days text, "
                         "unit_cost text, kg_per_uom text, gtin text"),
            "lots": ("lot_id text, sku text, origin text, supplier_id text, supplier_lot_code text, "
                     "site_id text, line text, produced_on text, received_on text, expires_on text, "
                     "quantity double precision, unit_cost text, status text"),
            "consumptions": "input_lot_id text, output_lot_id text, quantity double precision, consumed_on text",
            "shipments": ("shipment_id text, lot_id text, quantity double precision, from_site_id text, "
                          "to_site_id text, customer_id text, shipped_on text, delivered_on text, status text"),
            "returns": ("return_id text, lot_id text, customer_id text, quantity double precision, "
                        "reason text, category text, reported_on text"),
        }
        for name, cols in tables.items():
            c.execute(f"CREATE UNLOGGED TABLE {name} ({cols})")
            path = self.data / f"{name}.csv"
            header = path.open().readline().strip()
            with c.cursor().copy(
                f"COPY {name} ({header}) FROM STDIN WITH (FORMAT csv, HEADER true)"
            ) as cp, path.open("rb") as f:
                while chunk := f.read(1 << 20):
                    cp.write(chunk)
        for s in SQL_SETUP:
            c.execute(s.replace("CREATE TABLE", "CREATE UNLOGGED TABLE"))
        # Covering indexes for both walk directions, and the lookups.
        c.execute("CREATE INDEX edges_dst ON edges (dst) INCLUDE (src, frac)")
        c.execute("CREATE INDEX edges_src ON edges (src) INCLUDE (dst, frac)")
        c.execute("CREATE INDEX shipments_lot ON shipments (lot_id) INCLUDE (customer_id, quantity)")
        c.execute("CREATE UNIQUE INDEX shipped_lot ON shipped (lot_id)")
        c.execute("CREATE UNIQUE INDEX returned_lot ON returned (lot_id)")
        c.execute("CREATE INDEX lots_origin ON lots (origin)")
        c.execute("VACUUM ANALYZE")

    @staticmethod
    def dialect(sql: str) -> str:
        return sql.replace("CAST({p} AS VARCHAR)", "CAST({p} AS TEXT)")

    def query(self, sql: str, param=None, timeout: float | None = None):
        # statement_timeout (set at start) bounds every query.
        sql = self.dialect(sql)
        if isinstance(param, list):
            return self.con.execute(sql.replace("{plist}", "CAST(%s AS TEXT[])"), [param]).fetchall()
        if param is None:
            return self.con.execute(sql.replace("{p}", "NULL")).fetchall()
        # Prepared (server-side) after a few runs, as an application would.
        return self.con.execute(sql.replace("{p}", "%s"), [param]).fetchall()

    def go_cold(self) -> None:
        pass  # the server stays up; only the client is new per query

    def cold_query(self, sql: str, param=None, timeout: float | None = None):
        """One query by a new psql process, so a new connection and backend,
        as a shell user would ask. The server's statement_timeout bounds it;
        (wall, peak RSS of psql) is left in self.last."""
        psql = self.bindir / "psql"
        cmd = [str(psql if psql.exists() else "psql"), "-X", "-q", "-A", "-t", "-F", "\t",
               "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port), "-U", "bench",
               "-d", "postgres", "-c", sql_text(self.dialect(sql), param, "postgres")]
        wall, rss, out = run_captured(cmd)
        self.last = (wall, rss)
        return [line.split("\t") for line in out.splitlines() if line]

    def postmaster(self) -> int | None:
        try:
            return int((self.pgdata / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def memory(self) -> int:
        # The postmaster and its backends after the queries: the sum of
        # their proportional set sizes, so the shared buffers count once
        # (a sum of peaks would count them once per process).
        pm = self.postmaster()
        if pm is None:
            return 0
        kids = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(pm)], capture_output=True, text=True
        ).stdout.split()
        return sum(proc_pss(pid) for pid in [pm] + [int(x) for x in kids])

    def disk(self) -> int:
        return sum(f.stat().st_size for f in self.pgdata.rglob("*") if f.is_file())

    def close(self) -> None:
        try:
            if self.con is not None:
                self.con.close()
        finally:
            # pg_ctl, not a signal to our child: with runuser in between, the
            # postmaster is a grandchild and would outlive the run.
            if self.proc is not None:
                subprocess.run(
                    self._as_pg([str(self.bindir / "pg_ctl"), "stop", "-D", str(self.pgdata),
                                 "-m", "fast", "-w", "-t", "60"]),
                    check=False, stdout=subprocess.DEVNULL,
                )
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                self.log.close()
            shutil.rmtree(self.pgdata.parent, ignore_errors=True)


class Neo4j:
    name = "Neo4j"

    def __init__(self, data: Path, work: Path, lotgraph: Path, workspace: Path, heap: str, pagecache_mb: int):
        self.work, self.lotgraph, self.workspace = work, lotgraph, workspace
        self.state = work / "neo4j-dev"
        self.env = dict(os.environ)
        self.env.update(
            NEO4J_DEV_DIR=str(self.state),
            NEO4J_DEV_JAVA_OPTS=f"-Xms{heap} -Xmx{heap}",
            NEO4J_DEV_PAGECACHE_MB=str(pagecache_mb),
        )
        self.cypher = {
            name: (QUERIES / f"{name}.cypher").read_text()
            for name in ("trace_back", "trace_forward", "recall_blast_radius", "supplier_attributed_returns",
                         "common_source")
        }

    def start(self) -> None:
        if self.state.exists():
            subprocess.run([str(REPO / "scripts/neo4j-dev"), "stop"], env=self.env, check=False)
            shutil.rmtree(self.state)
        out = subprocess.run(
            [str(REPO / "scripts/neo4j-dev"), "start"], env=self.env, check=True,
            capture_output=True, text=True,
        )
        for line in out.stdout.splitlines():
            if line.startswith("export "):
                k, v = line[len("export "):].split("=", 1)
                self.env[k] = v.strip("'\"")
        import neo4j

        self.driver = self.new_driver()
        info = self.driver.get_server_info()
        self.version = f"{info.agent} (Python driver {neo4j.__version__})"
        self.pid = int((self.state / "pid").read_text().strip())

    def new_driver(self):
        import neo4j

        # The deprecation notices of queries/ (CALL subqueries without a
        # scope clause) would be logged for every query.
        return neo4j.GraphDatabase.driver(
            self.env["NEO4J_URI"], auth=(self.env["NEO4J_USER"], self.env["NEO4J_PASSWORD"]),
            notifications_min_severity="OFF",
        )

    def load(self) -> None:
        subprocess.run(
            [str(self.lotgraph), "neo4j", "push", "--workspace", str(self.workspace), "--no-progress"],
            env=self.env, check=True, stdout=subprocess.DEVNULL,
        )

    def session(self):
        # One session for the whole run, as an application would keep one
        # (opening a session per query costs about 2 ms here).
        if getattr(self, "_session", None) is None:
            self._session = self.driver.session()
        return self._session

    def run_plain(self, text: str):
        return [tuple(r.values()) for r in self.session().run(text)]

    def run(self, name: str, params: dict, timeout: float):
        import neo4j

        q = neo4j.Query(self.cypher[name], timeout=timeout)
        return [tuple(r.values()) for r in self.session().run(q, params)]

    def go_cold(self) -> None:
        pass  # the server stays up; driver and session are new per query

    def run_cold(self, name: str, params: dict, timeout: float):
        """One query through a new driver (so a new connection, handshake and
        authentication) and session, as a script started per question would
        connect. Timed here, since there is no process of its own; (wall, 0)
        is left in self.last, the client's memory being this harness's."""
        import neo4j

        t = time.perf_counter()
        with self.new_driver() as driver, driver.session() as s:
            rows = [tuple(r.values()) for r in s.run(neo4j.Query(self.cypher[name], timeout=timeout), params)]
        self.last = (time.perf_counter() - t, 0)
        return rows

    def memory(self) -> int:
        return proc_hwm(self.pid)

    def disk(self) -> int:
        return sum(f.stat().st_size for f in (self.state / "home").rglob("*") if f.is_file())

    def close(self) -> None:
        try:
            if getattr(self, "_session", None) is not None:
                self._session.close()
            if getattr(self, "driver", None) is not None:
                self.driver.close()
        finally:
            subprocess.run([str(REPO / "scripts/neo4j-dev"), "stop"], env=self.env, check=False)


# ---------------------------------------------------------------- lotgraph's CLI


class LotgraphCLI:
    """lotgraph as its users run it: a new `lotgraph` process per question,
    answering from the workspace's memory-mapped snapshot. Its JSON answers
    are reshaped into the bench's so that the same checks apply."""

    name = "lotgraph CLI"

    def __init__(self, exe: Path, workspace: Path, timeout: float):
        self.exe, self.timeout = exe, timeout
        self.env = dict(os.environ, LOTGRAPH_WORKSPACE=str(workspace))
        # The CLI sets glibc's huge-page tunable by re-executing itself when
        # it is unset (lotgraph::prefer_huge_pages): let it, as for a user.
        self.env.pop("GLIBC_TUNABLES", None)

    def json(self, args: list[str]):
        """Runs `lotgraph ARGS --format json`; (wall, peak RSS) into self.last."""
        wall, rss, out = run_captured([str(self.exe)] + args + ["--format", "json"], env=self.env,
                                      timeout=self.timeout)
        self.last = (wall, rss)
        return json.loads(out)

    def asks(self) -> dict:
        def rows(lots):
            return [[x["lot_id"], x["depth"], x["share"]] for x in lots]

        def recall(lot):
            doc = self.json(["recall", "simulate", "--lot", lot])
            return {"lots": rows(doc["lots"]),
                    "customers": [[c["customer_id"], c["quantity"]] for c in doc["customers"]]}

        def investigate(lots):
            # Every candidate (--top past any count), of which the peers
            # can check the lots.
            args = ["investigate", "--top", str(2**31)] + [x for lot in lots for x in ("--lot", lot)]
            return [[c["id"], c["complaint_lots_reached"], c["other_lots_reached"]]
                    for c in self.json(args)["candidates"] if c["kind"] == "lot"]

        return {
            "trace_back": lambda lot: rows(self.json(["trace", "back", lot])["lots"]),
            "trace_forward": lambda lot: rows(self.json(["trace", "forward", lot])["lots"]),
            "recall": recall,
            "scorecard": lambda _: [[x["supplier_id"], x["attributed_returned"], x["attributed_shipped"]]
                                    for x in self.json(["suppliers"])["suppliers"]],
            "investigate": investigate,
        }


# ---------------------------------------------------------------- one peer run


def make_peer(a):
    data, work = Path(a.data), Path(a.work)
    if a.peer == "duckdb":
        return DuckDB(data, work)
    if a.peer == "postgres":
        return Postgres(data, work, a.timeout)
    if a.peer == "neo4j":
        return Neo4j(data, work, Path(a.lotgraph_bin), Path(a.workspace), a.neo4j_heap, a.neo4j_pagecache_mb)
    raise SystemExit(f"unknown peer {a.peer}")


def round_trip_ns(p, peer: str) -> float:
    """The client's own round trip (a trivial query), so that the per-lot
    ratios can be read against what any query costs here."""
    trivial = (lambda: p.run_plain("RETURN 1")) if peer == "neo4j" else (lambda: p.query("SELECT 1"))
    for _ in range(20):
        trivial()
    rt = []
    for _ in range(200):
        t = time.perf_counter_ns()
        trivial()
        rt.append(time.perf_counter_ns() - t)
    return pct(rt, 50)


def warm_phases(name: str, asks: dict, ref: dict, a, lots_only: bool) -> dict:
    """The warm mode: each question asked twice on the long-lived connection,
    the first answer checked, the second timed."""
    wl, ans = ref["workload"], ref["answers"]
    phases = {}
    for phase in LOOKUPS:
        times: list[int] = []
        budget_end = time.perf_counter() + a.budget
        for i, lot in enumerate(wl[phase]):
            fail_if(name, check_answer(phase, f"{phase} {lot}", ans[phase][i], asks[phase](lot), lots_only))
            t = time.perf_counter_ns()
            asks[phase](lot)
            times.append(time.perf_counter_ns() - t)
            if time.perf_counter() > budget_end:
                log(f"{name}: {phase}: time budget ({a.budget:.0f} s) spent after {i + 1} of {len(wl[phase])} lots")
                break
        phases[phase] = {"timings_ns": times, "checked": len(times)}
        log(f"{name}: {phase}: {len(times)} answers equal to lotgraph's, p50 {pct(times, 50) / 1e6:.2f} ms")
    # Whole-graph questions: once checked, then timed once.
    for phase, arg in whole_questions(ref):
        def timed():
            t = time.perf_counter_ns()
            got = asks[phase](arg)
            return got, time.perf_counter_ns() - t

        def ask():
            got, first = timed()
            fail_if(name, check_answer(phase, phase, ans[phase], got))
            return {"timings_ns": [timed()[1]], "checked": 1, "first_ns": first}

        phases[phase] = whole_phase(name, phase, ask, a)
    return phases


def whole_phase(name: str, phase: str, ask, a) -> dict:
    """Runs ask() for a whole-graph question: a time limit reached is a
    result (outside the smoke run), any other failure a bug."""
    try:
        r = ask()
        log(f"{name}: {phase} equal to lotgraph's, {r['timings_ns'][0] / 1e9:.2f} s")
        return r
    except (Exception, ProcessFailed) as e:
        if not is_timeout(e) or a.smoke:
            raise
        r = {"error": f"{type(e).__name__}: {str(e).splitlines()[0][:200]}", "timeout_s": a.timeout}
        log(f"{name}: {phase} did not finish: {r['error']}")
        return r


def cold_phases(name: str, client, asks: dict, ref: dict, a, lots_only: bool = False) -> dict:
    """The cold mode: each question asked once, by a fresh process or
    connection (its answer checked, its wall time and peak RSS read from
    client.last after the call); the first a.cold_queries lots of each
    lookup, and each whole-graph question once. Shared by lotgraph's CLI
    and the peers so that both sides are measured alike."""
    wl, ans = ref["workload"], ref["answers"]
    phases = {}
    for phase in LOOKUPS:
        times, rss = [], []
        lots = wl[phase][: a.cold_queries]
        budget_end = time.perf_counter() + a.budget
        for i, lot in enumerate(lots):
            fail_if(name, check_answer(phase, f"cold {phase} {lot}", ans[phase][i], asks[phase](lot), lots_only))
            times.append(int(client.last[0] * 1e9))
            rss.append(client.last[1])
            if time.perf_counter() > budget_end:
                log(f"{name}: cold {phase}: time budget ({a.budget:.0f} s) spent after {i + 1} of {len(lots)} lots")
                break
        phases[phase] = {"timings_ns": times, "rss": rss, "checked": len(times)}
        log(f"{name}: cold {phase}: {len(times)} answers equal to lotgraph's, p50 {pct(times, 50) / 1e6:.1f} ms")
    for phase, arg in whole_questions(ref):
        def ask():
            fail_if(name, check_answer(phase, phase, ans[phase], asks[phase](arg)))
            return {"timings_ns": [int(client.last[0] * 1e9)], "rss": [client.last[1]], "checked": 1}

        phases[phase] = whole_phase(name + " cold", phase, ask, a)
    return phases


def peer_main(a) -> None:
    """Runs one peer in this (child) process and writes its JSON result:
    start, load, the warm mode on one long-lived connection, then the cold
    mode on the same loaded store."""
    ref = json.loads(Path(a.lotgraph_json).read_text())
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    result = {"peer": a.peer, "phases": {}}
    p = make_peer(a)
    try:
        if hasattr(p, "start"):
            p.start()
        t = time.perf_counter()
        p.load()
        result["load_s"] = time.perf_counter() - t
        result["version"] = p.version
        log(f"{p.name}: loaded in {result['load_s']:.1f} s")
        neo = a.peer == "neo4j"
        if a.mode in ("warm", "both"):
            result["round_trip_ns"] = round_trip_ns(p, a.peer)
            asks = neo4j_asks(p.run, a.timeout) if neo else sql_asks(p.query, a.timeout)
            result["phases"] = warm_phases(p.name, asks, ref, a, lots_only=neo)
        # The servers' memory after the warm queries, before the cold
        # clients add backends of their own.
        result["server_peak_rss"] = p.memory()
        if hasattr(p, "disk"):
            result["disk_bytes"] = p.disk()
        if a.mode in ("cold", "both"):
            p.go_cold()
            asks = neo4j_asks(p.run_cold, a.timeout) if neo else sql_asks(p.cold_query, a.timeout)
            result["cold"] = cold_phases(p.name, p, asks, ref, a, lots_only=neo)
    finally:
        p.close()
    Path(a.out).write_text(json.dumps(result))
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------- report


def pct(v: list, q: float) -> float:
    if not v:
        return float("nan")
    s = sorted(v)
    k = min(len(s) - 1, max(0, math.ceil(q / 100 * len(s)) - 1))
    return s[k]


def fmt_ms(ns: float) -> str:
    ms = ns / 1e6
    if ms != ms:
        return "n/a"
    if ms < 0.1:
        return f"{ms * 1000:.1f} µs"
    if ms < 10:
        return f"{ms:.2f} ms"
    if ms < 10_000:
        return f"{ms:.0f} ms"
    return f"{ms / 1000:.1f} s"


def fmt_ratio(x: float) -> str:
    if x != x:
        return "n/a"
    return f"{x:,.0f}×" if x >= 10 else f"{x:.1f}×"


def machine() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(REPO), "diff", "--quiet", "HEAD"]).returncode != 0
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem, 1),
        "kernel": platform.release(), "python": platform.python_version(), "rustc": rustc,
        "commit": commit + (" (+ uncommitted changes)" if dirty else ""),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def load_row(lg: dict, lg_meta: dict, peers: dict) -> str:
    """The load times, a row of both tables (the cold questions are asked of
    the same loaded stores)."""
    row = [f"{lg_meta['ingest_s']:.1f} s ingest + {lg['snapshot_load_ms'] / 1000:.2f} s snapshot load"
           f" + {lg.get('prepare_ms', 0) / 1000:.2f} s stock/shipment totals"]
    for k, r in peers.items():
        row.append(f"{r['load_s']:.1f} s" + (" (push)" if k == "neo4j" else ""))
    return "| load | " + " | ".join(row) + " |"


def summarize(size: int, lg: dict, lg_meta: dict, peers: dict) -> list[str]:
    out = [f"### {human(size)} lots ({lg['consumptions']:,} consumption edges), warm", ""]
    out.append("| | " + " | ".join(["lotgraph"] + [peers[k]["name"] for k in peers]) + " |")
    out.append("|---|" + "---:|" * (1 + len(peers)))
    out.append(load_row(lg, lg_meta, peers))
    mem = [f"{lg_meta['ingest_rss'] / 2**20:,.0f} MiB ingest, {lg_meta['serve_rss'] / 2**20:,.0f} MiB serving"]
    for k, r in peers.items():
        if k == "duckdb":
            mem.append(f"{r['client_rss'] / 2**20:,.0f} MiB (in-process)")
        elif k == "postgres":
            mem.append(f"{r['server_peak_rss'] / 2**20:,.0f} MiB (server processes' PSS after the queries), {r.get('disk_bytes', 0) / 2**20:,.0f} MiB on disk")
        else:
            mem.append(f"{r['server_peak_rss'] / 2**20:,.0f} MiB (JVM), {r.get('disk_bytes', 0) / 2**20:,.0f} MiB on disk")
    out.append("| peak memory | " + " | ".join(mem) + " |")
    rts = ["(in-process library call)"]
    for k, r in peers.items():
        rts.append(fmt_ms(r.get("round_trip_ns", float("nan"))))
    out.append("| client round trip of a trivial query, p50 | " + " | ".join(rts) + " |")
    for phase, label in (("trace_back", "trace back"), ("trace_forward", "trace forward"),
                         ("recall", "recall, one supplier lot")):
        base = lg["timings_ns"][phase]
        sizes = [len(x["lots"]) if phase == "recall" else len(x) for x in lg["answers"][phase]]
        label += f" ({len(base)} lots; closure p50 {pct(sizes, 50)}, max {max(sizes, default=0)} lots)"
        cells = [f"p50 {fmt_ms(pct(base, 50))}, p99 {fmt_ms(pct(base, 99))}"]
        for k, r in peers.items():
            ph = r["phases"].get(phase)
            if not ph or not ph["timings_ns"]:
                cells.append("n/a")
                continue
            t = ph["timings_ns"]
            ratios = [t[i] / max(base[i], 1) for i in range(len(t))]
            partial = "" if len(t) == len(base) else f" (first {len(t)} lots)"
            if phase == "recall" and k == "neo4j":
                partial += " (lots only: recall_blast_radius has no customers)"
            cells.append(
                f"p50 {fmt_ms(pct(t, 50))}, p99 {fmt_ms(pct(t, 99))}{partial}: "
                f"**{fmt_ratio(statistics.median(ratios))}** [{fmt_ratio(pct(ratios, 10))}–{fmt_ratio(pct(ratios, 90))}]"
            )
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    for phase, label in (("scorecard", "supplier scorecard (attribution of every supplier lot)"),
                         ("investigate", "investigation of {n} complaint lots ({c} candidate lots)")):
        if phase not in lg["timings_ns"]:
            continue
        if phase == "investigate":
            label = label.format(n=len(lg["workload"]["investigate"]), c=len(lg["answers"]["investigate"]))
        sc = lg["timings_ns"][phase]
        cells = [f"{fmt_ms(statistics.median(sc))} (median of {len(sc)})"]
        for k, r in peers.items():
            ph = r["phases"].get(phase, {})
            if "error" in ph:
                cells.append(f"did not finish within {ph['timeout_s']:.0f} s")
            elif not ph:
                cells.append("n/a")
            else:
                t = ph["timings_ns"][0]
                cells.append(f"{fmt_ms(t)}: **{fmt_ratio(t / statistics.median(sc))}**")
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    out.append("")
    return out


# The cold table's rows: phase, label.
COLD_ROWS = (("trace_back", "trace back"), ("trace_forward", "trace forward"),
             ("recall", "recall, one supplier lot"), ("scorecard", "supplier scorecard"),
             ("investigate", "investigation of {n} complaint lots"))
COLD_CLIENTS = {"duckdb": "DuckDB CLI, read-only on the database file",
                "postgres": "PostgreSQL via psql",
                "neo4j": "Neo4j via a new driver and session"}


def fmt_mib(b: float) -> str:
    return f"{b / 2**20:,.0f} MiB" if b else "n/a"


def cold_cell(ph: dict | None, base: list | None) -> str:
    """One system's cold figures for one question: wall median [p10–p90],
    the processes' peak RSS, and (against lotgraph's base timings of the
    same lots) the median per-query ratio with its p10–p90 spread."""
    if not ph:
        return "n/a"
    if "error" in ph:
        return f"did not finish within {ph['timeout_s']:.0f} s"
    t, rss = ph["timings_ns"], [x for x in ph["rss"] if x]
    if not t:
        return "n/a"
    # A whole-graph question runs once: its time, without a spread.
    spread = len(t) > 1
    cell = fmt_ms(t[0])
    if spread:
        cell = f"p50 {fmt_ms(statistics.median(t))} [{fmt_ms(pct(t, 10))}–{fmt_ms(pct(t, 90))}]"
    if rss:
        cell += f", RSS {fmt_mib(statistics.median(rss))}" + (
            f" (max {fmt_mib(max(rss))})" if max(rss) > 1.05 * statistics.median(rss) else "")
    if base:
        ratios = [t[i] / max(base[i], 1) for i in range(min(len(t), len(base)))]
        cell += f": **{fmt_ratio(statistics.median(ratios))}**"
        if spread:
            cell += f" [{fmt_ratio(pct(ratios, 10))}–{fmt_ratio(pct(ratios, 90))}]"
    return cell


def summarize_cold(size: int, lg: dict, lg_meta: dict, lg_cold: dict, peers: dict) -> list[str]:
    cold = {k: r for k, r in peers.items() if "cold" in r}
    out = [f"### {human(size)} lots ({lg['consumptions']:,} consumption edges), cold", ""]
    out.append("| | " + " | ".join(["lotgraph CLI"] + [COLD_CLIENTS[k] for k in cold]) + " |")
    out.append("|---|" + "---:|" * (1 + len(cold)))
    out.append(load_row(lg, lg_meta, cold))
    for phase, label in COLD_ROWS:
        if phase not in lg_cold:
            continue
        base = lg_cold[phase].get("timings_ns")
        if phase == "investigate":
            label = label.format(n=len(lg["workload"]["investigate"]))
        n = lg_cold[phase].get("checked", 0)
        label += f" ({n} {'lots' if phase in LOOKUPS else 'run'})"
        cells = [cold_cell(lg_cold[phase], None)]
        for k, r in cold.items():
            cell = cold_cell(r["cold"].get(phase), base)
            if phase == "recall" and k == "neo4j":
                cell += " (lots only)"
            cells.append(cell)
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    out.append("")
    return out


def plot(results: list, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["size"] for r in results]
    systems = ["lotgraph", "duckdb", "postgres", "neo4j"]
    names = {"lotgraph": "lotgraph", "duckdb": "DuckDB", "postgres": "PostgreSQL", "neo4j": "Neo4j"}
    fig, ax = plt.subplots(1, 3, figsize=(15, 4.5))
    for s in systems:
        xs, p50, load, mem = [], [], [], []
        for r in results:
            if s == "lotgraph":
                xs.append(r["size"])
                p50.append(pct(r["lotgraph"]["timings_ns"]["trace_back"], 50) / 1e6)
                load.append(r["lotgraph_meta"]["ingest_s"])
                mem.append(max(r["lotgraph_meta"]["ingest_rss"], r["lotgraph_meta"]["serve_rss"]) / 2**20)
            elif s in r["peers"]:
                pr = r["peers"][s]
                xs.append(r["size"])
                t = pr["phases"].get("trace_back", {}).get("timings_ns") or []
                p50.append(pct(t, 50) / 1e6 if t else float("nan"))
                load.append(pr["load_s"])
                mem.append((pr["client_rss"] if s == "duckdb" else pr["server_peak_rss"]) / 2**20)
        if not xs:
            continue
        ax[0].plot(xs, p50, marker="o", label=names[s])
        ax[1].plot(xs, load, marker="o", label=names[s])
        ax[2].plot(xs, mem, marker="o", label=names[s])
    for a_, title, unit in ((ax[0], "trace back, p50", "ms"), (ax[1], "load (ingest / COPY / push)", "s"),
                            (ax[2], "peak memory", "MiB")):
        a_.set_xscale("log")
        a_.set_yscale("log")
        a_.set_title(title)
        a_.set_xlabel("lots")
        a_.set_ylabel(unit)
        a_.grid(True, which="both", alpha=0.3)
        a_.set_xticks(sizes)
        a_.set_xticklabels([human(s) for s in sizes])
    ax[0].legend()
    fig.suptitle("lotgraph and its peers against dataset size (same data, answers checked equal)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


# ---------------------------------------------------------------- main


def cargo_bench_exe(build: str) -> Path:
    # `cargo test --bench` builds the same harness-less bench in the test
    # (debug) profile: enough for the smoke run, whose timings mean nothing.
    verb = "bench" if build == "release" else "test"
    out = subprocess.run(
        ["cargo", verb, "--locked", "--bench", "peers", "--no-run", "--message-format=json"],
        cwd=REPO, check=True, capture_output=True, text=True,
    ).stdout
    for line in out.splitlines():
        m = json.loads(line)
        if m.get("reason") == "compiler-artifact" and m.get("target", {}).get("name") == "peers" and m.get("executable"):
            return Path(m["executable"])
    raise SystemExit("bench-peers: could not find the peers bench executable")


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100k,1M", help="comma-separated lot counts (k, M accepted)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--traces", type=int, default=1000, help="lots traced per direction")
    ap.add_argument("--recalls", type=int, default=100, help="supplier lots recalled, one at a time")
    ap.add_argument("--complaints", type=int, default=50, help="complaint lots of the investigation")
    ap.add_argument("--peers", default="duckdb,postgres,neo4j")
    ap.add_argument("--mode", choices=("cold", "warm", "both"), default="both",
                    help="cold: a new process or connection per question; warm: one long-lived one")
    ap.add_argument("--cold-queries", type=int,
                    help="lots per lookup question in cold mode (default: all of --traces / --recalls)")
    ap.add_argument("--neo4j-max-lots", type=parse_count, default=1_000_000,
                    help="skip Neo4j above this size (its push takes ~4 min per million lots)")
    ap.add_argument("--neo4j-heap", default="4g")
    ap.add_argument("--neo4j-pagecache-mb", type=int, default=4096)
    ap.add_argument("--budget", type=float, default=600, help="seconds per peer per question before it stops early")
    ap.add_argument("--timeout", type=float, default=900, help="seconds one peer query may take")
    ap.add_argument("--work", default=str(REPO / "target" / "bench-peers"))
    ap.add_argument("--report", help="write the Markdown report here (default WORK/report.md)")
    ap.add_argument("--plot", help="write the growth-curve PNG here")
    ap.add_argument("--keep", action="store_true",
                    help="keep the data, workspace and peer databases (default: delete each after use)")
    ap.add_argument("--smoke", action="store_true",
                    help="2,000 lots, 40 traces, 10 recalls (5 of each cold), all peers, debug build")
    ap.add_argument("--build", choices=("release", "debug"), help="profile to measure (default release; debug with --smoke)")
    a = ap.parse_args()
    if a.smoke:
        a.sizes, a.traces, a.recalls, a.budget, a.timeout = "2000", 40, 10, 120, 120
        a.neo4j_heap, a.neo4j_pagecache_mb = "512m", 128
        # A process per query is slow in a debug build: a handful suffices
        # to check the cold paths.
        a.cold_queries = a.cold_queries or 5
    if a.cold_queries is None:
        a.cold_queries = max(a.traces, a.recalls)
    return a


def smoke_checks(lg: dict) -> None:
    """Equal answers prove nothing when there is nothing to answer."""
    for phase, lots in lg["workload"].items():
        assert lots, f"empty {phase} workload"
        got = lg["answers"][phase]
        assert any((x["lots"] if phase == "recall" else x) for x in got) if phase != "investigate" else got, \
            f"lotgraph's {phase} answers are all empty"
    assert lg["answers"]["scorecard"], "empty scorecard"


def smoke_checked(who: str, phases: dict, lg: dict) -> None:
    for phase in lg["workload"].keys() | {"scorecard"}:
        ph = phases.get(phase)
        assert ph and ph.get("checked"), f"{who}: {phase} was not checked"


def run_peer(a, peer: str, d: Path, data: Path, ws: Path, lg_json: Path, lotgraph: Path) -> dict:
    """One peer in a child process of its own (its peak RSS is the in-process
    DuckDB's memory), checked and timed in the modes asked for."""
    out = d / f"{peer}.json"
    cmd = [sys.executable, __file__, "_peer", peer, "--data", str(data), "--work", str(d / peer),
           "--lotgraph-json", str(lg_json), "--lotgraph-bin", str(lotgraph), "--workspace", str(ws),
           "--out", str(out), "--budget", str(a.budget), "--timeout", str(a.timeout),
           "--neo4j-heap", a.neo4j_heap, "--neo4j-pagecache-mb", str(a.neo4j_pagecache_mb),
           "--mode", a.mode, "--cold-queries", str(a.cold_queries)]
    if a.keep:
        cmd.append("--keep")
    if a.smoke:
        cmd.append("--smoke")
    _, client_rss = run_measured(cmd)
    r = json.loads(out.read_text())
    r["client_rss"] = client_rss
    r["name"] = {"duckdb": "DuckDB", "postgres": "PostgreSQL", "neo4j": "Neo4j"}[peer]
    return r


def run_size(a, size: int, lotgraph: Path, bench: Path, peers: list[str], work: Path) -> dict:
    """Generates and ingests one size, runs lotgraph's library bench (which
    picks the workload and writes the reference answers), lotgraph's CLI in
    cold mode, then each peer."""
    d = work / human(size)
    data, ws = d / "data", d / "ws"
    log(f"{human(size)} lots: generating into {data}")
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    subprocess.run([str(lotgraph), "generate", "--lots", str(size), "--seed", str(a.seed),
                    "--out", str(data), "--quiet"], check=True)
    ingest_s, ingest_rss = run_measured([str(lotgraph), "ingest", "--strict", "--workspace", str(ws),
                                         str(data)], stdout=subprocess.DEVNULL)
    log(f"lotgraph: ingest {ingest_s:.1f} s, peak {ingest_rss / 2**20:.0f} MiB")
    lg_json = d / "lotgraph.json"
    # The CLI restarts itself with glibc's huge-page tunable (see
    # lotgraph::prefer_huge_pages); the library bench gets it here.
    bench_env = dict(os.environ)
    bench_env.setdefault("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1")
    _, serve_rss = run_measured([str(bench), "--workspace", str(ws), "--out", str(lg_json),
                                 "--traces", str(a.traces), "--recalls", str(a.recalls),
                                 "--complaints", str(a.complaints),
                                 "--seed", str(a.seed)], env=bench_env)
    lg = json.loads(lg_json.read_text())
    if a.smoke:
        smoke_checks(lg)
    lg_cold = None
    if a.mode in ("cold", "both"):
        cli = LotgraphCLI(lotgraph, ws, a.timeout)
        lg_cold = cold_phases(cli.name, cli, cli.asks(), lg, a)
        if a.smoke:
            smoke_checked("lotgraph CLI (cold)", lg_cold, lg)
    meta = {"ingest_s": ingest_s, "ingest_rss": ingest_rss, "serve_rss": serve_rss}
    pres = {}
    for peer in peers:
        if peer == "neo4j" and size > a.neo4j_max_lots:
            log(f"Neo4j: skipped at {human(size)} lots (--neo4j-max-lots {human(a.neo4j_max_lots)})")
            continue
        r = run_peer(a, peer, d, data, ws, lg_json, lotgraph)
        if a.smoke:
            if a.mode != "cold":
                smoke_checked(peer, r["phases"], lg)
            if a.mode != "warm":
                smoke_checked(f"{peer} (cold)", r["cold"], lg)
        pres[peer] = r
    if not a.keep:
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(ws, ignore_errors=True)
    return {"size": size, "lotgraph": lg, "lotgraph_meta": meta, "lotgraph_cold": lg_cold, "peers": pres}


COLD_NOTE = (
    "Cold: every question is a new process or connection, as a user at a shell or a script run per "
    "question would ask it: `lotgraph trace back|forward LOT`, `lotgraph recall simulate --lot LOT`, "
    "`lotgraph suppliers`, `lotgraph investigate --lot ...` (all `--format json`, on the "
    "memory-mapped snapshot); the DuckDB CLI (`duckdb -readonly FILE -c SQL`) on the database file its "
    "load built; `psql -X -c SQL` against the running server; a new Neo4j driver and session per "
    "query from this harness (so Neo4j pays connection and authentication but no process start: "
    "cypher-shell is a JVM). lotgraph's time includes its re-execution of itself with glibc's "
    "huge-page tunable (lotgraph::prefer_huge_pages), as a user's does. Each answer is checked "
    "equal to lotgraph's library answer. The OS page cache is warm (the data was just loaded): cold "
    "means a cold process, not a cold disk. RSS is each client process's peak (psql's, not its "
    "server backend's; Neo4j's client is this harness, so n/a). "
    "Ratios are peer / lotgraph CLI on the same lots, median of the per-query ratios "
    "[10th–90th percentile]."
)


def write_report(a, results: list, load_start: float, work: Path) -> None:
    m = machine()
    cmdline = "scripts/bench-peers.sh " + " ".join(sys.argv[1:])
    lines = [
        f"Run {m['date']} at commit {m['commit']}: `{cmdline.strip()}`",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; Linux {m['kernel']}; "
        f"{m['rustc']}; Python {m['python']}. Load average (1 min) {load_start:.2f} at the start, "
        f"{os.getloadavg()[0]:.2f} at the end (other work on the machine shows here).",
    ]
    if results:
        versions = {}
        for r in results:
            for k, p in r["peers"].items():
                versions[p["name"]] = p["version"]
        lines.append("Peers: " + "; ".join(f"{k} {v}" for k, v in versions.items()) + ".")
    lines.append("")
    if a.mode in ("cold", "both"):
        lines += ["## Cold: a new process or connection per question", "", COLD_NOTE, ""]
        for r in results:
            lines += summarize_cold(r["size"], r["lotgraph"], r["lotgraph_meta"], r["lotgraph_cold"], r["peers"])
    if a.mode in ("warm", "both"):
        lines += ["## Warm: lotgraph's library, one long-lived connection per peer", ""]
        for r in results:
            lines += summarize(r["size"], r["lotgraph"], r["lotgraph_meta"], r["peers"])
    report = "\n".join(lines)
    rp = Path(a.report) if a.report else work / "report.md"
    rp.write_text(report)
    (work / "results.json").write_text(json.dumps(
        [{"size": r["size"], "lotgraph_meta": r["lotgraph_meta"],
          "lotgraph_timings_ns": r["lotgraph"]["timings_ns"], "lotgraph_cold": r["lotgraph_cold"],
          "peers": r["peers"]} for r in results]))
    print(report)
    if a.plot:
        plot(results, Path(a.plot))
        log(f"plot written to {a.plot}")
    log(f"report written to {rp}")


def main() -> None:
    a = parse_args()
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    load_start = os.getloadavg()[0]
    build = a.build or ("debug" if a.smoke else "release")
    log(f"building lotgraph ({build}) and the peers bench")
    subprocess.run(["cargo", "build", "--locked", "--bin", "lotgraph"] + (["--release"] if build == "release" else []),
                   cwd=REPO, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target")
    build_measure(target)
    lotgraph = target / build / "lotgraph"
    bench = cargo_bench_exe(build)
    peers = [p for p in a.peers.split(",") if p]
    results = [run_size(a, size, lotgraph, bench, peers, work) for size in [parse_count(s) for s in a.sizes.split(",")]]
    write_report(a, results, load_start, work)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_peer":
        pp = argparse.ArgumentParser()
        pp.add_argument("_peer")
        pp.add_argument("peer")
        for opt in ("--data", "--work", "--lotgraph-json", "--lotgraph-bin", "--workspace", "--out",
                    "--neo4j-heap"):
            pp.add_argument(opt, required=True)
        pp.add_argument("--budget", type=float, required=True)
        pp.add_argument("--timeout", type=float, required=True)
        pp.add_argument("--neo4j-pagecache-mb", type=int, required=True)
        pp.add_argument("--mode", choices=("cold", "warm", "both"), required=True)
        pp.add_argument("--cold-queries", type=int, required=True)
        pp.add_argument("--keep", action="store_true")
        pp.add_argument("--smoke", action="store_true")
        peer_main(pp.parse_args())
    else:
        main()
