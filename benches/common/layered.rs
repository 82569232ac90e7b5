//! The benchmarks' synthetic genealogy: a layered DAG of an exact size,
//! written in the record format (CSV) as fast as the disk takes it, so that
//! the scale benchmark can measure ingest of millions of lots and the Neo4j
//! benchmark can push the same shape.
//!
//! Shape (deterministic for a given number of lots and seed):
//! - 20 % of the lots are supplied (raw materials, packaging) by 300
//!   suppliers; the other 80 % are produced in 5 levels (30/25/20/15/10 % of
//!   the produced lots: mixes, intermediates, finished goods, repacks);
//! - exactly 5 × N consumption rows (6 or 7 inputs per produced lot). Level-1
//!   lots consume supplied lots only; a lot of level k ≥ 2 consumes 1–2
//!   supplied lots and otherwise lots of level k−1 (15 %: level k−2).
//!   Inputs are drawn from a window of ±W lots around the output's relative
//!   position in its source level (lots are time-ordered within a level),
//!   so the graph is a DAG whose closures stay plant-like (hundreds of
//!   lots) instead of exploding to a large part of the graph;
//! - 500 SKUs, 24 sites, 40 lines, 500 customers; one customer shipment per
//!   top-level lot (the last 50 in transit), N/2000 returns and N/200
//!   inspections.

use lotgraph::core::model::FileKind;
use lotgraph::generate::rng::Rng;
use lotgraph::generate::sink::{Calendar, push_padded};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// One record file being written, a line at a time.
struct Out {
    w: BufWriter<File>,
    line: Vec<u8>,
    bytes: u64,
}

/// 2023-01-01 as days since 1970-01-01.
const CALENDAR: Calendar = Calendar {
    start_epoch: 19_358,
};

impl Out {
    /// `dir/<kind>.csv` with every column of the format in its header.
    fn create(dir: &Path, kind: FileKind) -> Out {
        let f = File::create(dir.join(format!("{}.csv", kind.stem()))).expect("create csv");
        let mut o = Out {
            w: BufWriter::with_capacity(1 << 20, f),
            line: Vec::with_capacity(256),
            bytes: 0,
        };
        o.s(&kind.columns().join(","));
        o.end();
        o
    }
    fn s(&mut self, v: &str) -> &mut Self {
        self.line.extend_from_slice(v.as_bytes());
        self
    }
    fn c(&mut self) -> &mut Self {
        self.line.push(b',');
        self
    }
    /// Unsigned integer, zero-padded to `width` digits.
    fn u(&mut self, v: u64, width: usize) -> &mut Self {
        push_padded(&mut self.line, v, width);
        self
    }
    /// `tenths / 10` with one decimal: 1234 -> `123.4`.
    fn dec1(&mut self, tenths: u64) -> &mut Self {
        self.u(tenths / 10, 1);
        self.line.push(b'.');
        self.line.push(b'0' + (tenths % 10) as u8);
        self
    }
    fn date(&mut self, day: u64) -> &mut Self {
        self.line.extend_from_slice(&CALENDAR.ymd(day as i32));
        self
    }
    fn lot(&mut self, ix: u64) -> &mut Self {
        self.s("L").u(ix, 9)
    }
    fn end(&mut self) {
        self.line.push(b'\n');
        self.w.write_all(&self.line).expect("write csv");
        self.bytes += self.line.len() as u64;
        self.line.clear();
    }
    fn finish(mut self) -> u64 {
        self.w.flush().expect("flush csv");
        self.bytes
    }
}

const SUPPLIERS: u64 = 300;
const SITES: u64 = 24;
const LINES: u64 = 40;
const CUSTOMERS: u64 = 500;
const RAW_SKUS: u64 = 200;
const PKG_SKUS: u64 = 50;
const INT_SKUS: u64 = 150;
const FG_SKUS: u64 = 100;
/// Production spans about two years.
const DAYS: u64 = 730;
const LEVEL_SHARE: [u64; 5] = [30, 25, 20, 15, 10];
const COUNTRIES: [&str; 8] = ["DE", "FR", "IT", "ES", "NL", "PL", "US", "TR"];

/// Level 0 = supplied, 1..=5 produced: `start[k]..start[k] + size[k]`.
struct Levels {
    start: [u64; 6],
    size: [u64; 6],
}

impl Levels {
    fn new(n: u64) -> Levels {
        let sup = n / 5;
        let prod = n - sup;
        let mut size = [0u64; 6];
        size[0] = sup;
        let mut used = 0;
        for k in 1..=5 {
            size[k] = if k == 5 {
                prod - used
            } else {
                prod * LEVEL_SHARE[k - 1] / 100
            };
            used += size[k];
        }
        let mut start = [0u64; 6];
        for k in 1..=5 {
            start[k] = start[k - 1] + size[k - 1];
        }
        Levels { start, size }
    }
    /// Day a lot of `level` at ordinal `j` is made or received.
    fn day(&self, level: usize, j: u64) -> u64 {
        j * DAYS / self.size[level] + level as u64
    }
}

/// What was written.
pub(crate) struct Generated {
    /// Data rows over all files.
    pub rows: u64,
    pub consumptions: u64,
    /// Bytes of CSV.
    pub bytes: u64,
}

/// Writes the genealogy of `n` lots (n ≥ 100) into `dir`; inputs are
/// drawn from ±`window` lots around the output's position.
pub(crate) fn generate(dir: &Path, n: u64, seed: u64, window: u64) -> Generated {
    let mut rng = Rng::new(seed);
    let lv = Levels::new(n);
    let mut g = Generated {
        rows: SUPPLIERS + SITES + RAW_SKUS + PKG_SKUS + INT_SKUS + FG_SKUS + CUSTOMERS + n,
        consumptions: 0,
        bytes: masters(dir, &mut rng),
    };
    g.bytes += lots(dir, &mut rng, &lv);
    let (written, bytes) = consumptions(dir, &mut rng, &lv, n, window);
    g.consumptions = written;
    g.rows += written;
    g.bytes += bytes;
    let (rows, bytes) = movements(dir, &mut rng, &lv, n);
    g.rows += rows;
    g.bytes += bytes;
    g
}

/// suppliers, sites, products and customers; gives the bytes written.
fn masters(dir: &Path, rng: &mut Rng) -> u64 {
    let mut o = Out::create(dir, FileKind::Suppliers);
    for i in 0..SUPPLIERS {
        o.s("SUP-").u(i, 4).c().s("Supplier ").u(i, 1).c();
        o.s(COUNTRIES[(i % 8) as usize]).end();
    }
    let mut bytes = o.finish();

    // Sites 0..12 are plants, 12..20 warehouses, 20..24 DCs.
    let mut o = Out::create(dir, FileKind::Sites);
    for i in 0..SITES {
        let kind = match i {
            0..12 => "plant",
            12..20 => "warehouse",
            _ => "dc",
        };
        o.s("SITE-").u(i, 2).c().s("Site ").u(i, 1).c().s(kind).c();
        o.s("R").u(i % 4, 1).end();
    }
    bytes += o.finish();

    // No kg_per_uom: kg SKUs need none, and `ea` ones count by units.
    let mut o = Out::create(dir, FileKind::Products);
    for (prefix, count, cat, uom, shelf) in [
        ("RAW-", RAW_SKUS, "raw", "kg", 365),
        ("PKG-", PKG_SKUS, "packaging", "ea", 1000),
        ("INT-", INT_SKUS, "intermediate", "kg", 60),
        ("FG-", FG_SKUS, "finished", "ea", 180),
    ] {
        for i in 0..count {
            o.s(prefix).u(i, 4).c().s(prefix).u(i, 1).c();
            o.s(cat).c().s(uom).c();
            o.u(shelf, 1).c().dec1(5 + rng.below(200)).c().end();
        }
    }
    bytes += o.finish();

    let mut o = Out::create(dir, FileKind::Customers);
    for i in 0..CUSTOMERS {
        let kind = ["distributor", "retailer", "consumer"][(i % 3) as usize];
        o.s("CUS-").u(i, 4).c().s("Customer ").u(i, 1).c();
        o.s(kind).c().s("R").u(i % 4, 1).c();
        o.s("qa").u(i, 1).s("@example.com").end();
    }
    bytes + o.finish()
}

/// lots.csv; gives the bytes written.
fn lots(dir: &Path, rng: &mut Rng, lv: &Levels) -> u64 {
    let mut o = Out::create(dir, FileKind::Lots);
    for k in 0..=5usize {
        for j in 0..lv.size[k] {
            let ix = lv.start[k] + j;
            let day = lv.day(k, j);
            o.lot(ix).c();
            if k == 0 {
                if rng.below(100) < 80 {
                    o.s("RAW-").u(rng.below(RAW_SKUS), 4);
                } else {
                    o.s("PKG-").u(rng.below(PKG_SKUS), 4);
                }
                o.c().s("supplied,SUP-").u(rng.below(SUPPLIERS), 4);
                o.c().s("SL").u(rng.below(100_000_000), 8);
                o.c().s("SITE-").u(12 + rng.below(8), 2);
                o.c().c().c().date(day).c().c();
                o.dec1(5_000 + rng.below(20_000))
                    .c()
                    .dec1(5 + rng.below(100));
            } else {
                if k <= 3 {
                    o.s("INT-").u(rng.below(INT_SKUS), 4);
                } else {
                    o.s("FG-").u(rng.below(FG_SKUS), 4);
                }
                o.c().s("produced,,,SITE-").u(rng.below(12), 2);
                o.c().s("LINE-").u(rng.below(LINES), 2);
                o.c().date(day).c().c().c();
                o.dec1(1_000 + rng.below(10_000)).c();
            }
            o.c();
            match rng.below(1000) {
                0..5 => o.s("quarantined"),
                5..6 => o.s("on_hold"),
                _ => &mut o,
            };
            o.end();
        }
    }
    o.finish()
}

/// consumptions.csv, exactly 5 × n rows grouped by output lot; gives
/// (rows, bytes) written.
fn consumptions(dir: &Path, rng: &mut Rng, lv: &Levels, n: u64, window: u64) -> (u64, u64) {
    let mut o = Out::create(dir, FileKind::Consumptions);
    let edges_total = 5 * n;
    let produced = n - lv.size[0];
    let mut p = 0u64; // ordinal among produced lots
    let mut written = 0u64;
    let mut picked = [0u64; 32];
    for k in 1..=5usize {
        for j in 0..lv.size[k] {
            let out = lv.start[k] + j;
            let want = ((p + 1) * edges_total / produced - p * edges_total / produced) as usize;
            p += 1;
            let supplied_inputs = if k == 1 {
                want
            } else {
                1 + rng.below(2) as usize
            };
            let mut got = 0usize;
            let mut tries = 0;
            while got < want.min(picked.len()) && tries < 100 {
                tries += 1;
                let src = if got < supplied_inputs {
                    0
                } else if k >= 3 && rng.below(100) < 15 {
                    k - 2
                } else {
                    k - 1
                };
                let size = lv.size[src];
                let center = (j * 2 + 1) * size / (lv.size[k] * 2);
                let lo = center.saturating_sub(window);
                let hi = (center + window).min(size - 1);
                let input = lv.start[src] + lo + rng.below(hi - lo + 1);
                if picked[..got].contains(&input) {
                    continue;
                }
                picked[got] = input;
                got += 1;
            }
            let day = lv.day(k, j);
            for &input in &picked[..got] {
                o.lot(input).c().lot(out).c();
                o.dec1(10 + rng.below(2_000)).c().date(day).end();
            }
            written += got as u64;
        }
    }
    (written, o.finish())
}

/// shipments, returns and inspections; gives (rows, bytes) written.
fn movements(dir: &Path, rng: &mut Rng, lv: &Levels, n: u64) -> (u64, u64) {
    // One customer shipment per top-level lot.
    let mut o = Out::create(dir, FileKind::Shipments);
    for j in 0..lv.size[5] {
        let day = lv.day(5, j) + 1;
        o.s("SH").u(j, 9).c().lot(lv.start[5] + j).c();
        o.dec1(10 + rng.below(900));
        o.c().s("SITE-").u(20 + rng.below(4), 2).c().c().s("CUS-");
        o.u(rng.below(CUSTOMERS), 4).c().date(day).c();
        if j + 50 < lv.size[5] {
            o.date(day + 1 + rng.below(5));
        }
        o.c().end();
    }
    let mut bytes = o.finish();

    let mut o = Out::create(dir, FileKind::Returns);
    let returns = n / 2000;
    for i in 0..returns {
        let j = rng.below(lv.size[5]);
        let cat = ["defect", "quality", "safety", "damage", "other"][rng.below(5) as usize];
        o.s("RET-").u(i, 7).c().lot(lv.start[5] + j).c().s("CUS-");
        o.u(rng.below(CUSTOMERS), 4).c();
        o.dec1(10 + rng.below(100)).c();
        o.s("customer complaint").c().s(cat).c();
        o.date(lv.day(5, j) + 10).end();
    }
    bytes += o.finish();

    let mut o = Out::create(dir, FileKind::Inspections);
    let inspections = n / 200;
    for i in 0..inspections {
        let ix = rng.below(n);
        let fail = rng.below(100) < 3;
        o.s("INS-").u(i, 7).c().lot(ix).c().date(DAYS / 2).c();
        o.s(if fail { "fail,foreign matter" } else { "pass," })
            .end();
    }
    bytes += o.finish();
    (lv.size[5] + returns + inspections, bytes)
}
