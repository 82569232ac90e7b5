//! Scale benchmark: generates a synthetic genealogy in the record format,
//! then measures ingest, snapshot write/load, trace latency and peak memory.
//!
//! ```text
//! cargo bench --bench scale                      # 100,000 lots
//! cargo bench --bench scale -- --lots 1000000    # 1,000,000 lots, 5,000,000 consumptions
//! ```
//!
//! Options: `--lots N` (default 100000; `_`, `k` and `M` accepted),
//! `--traces N` (default 1000 per direction), `--seed N`, `--dir PATH`
//! (generate into PATH and keep it, instead of a temporary directory),
//! `--no-breakdown` (skip the phase breakdown and what-if timings, which
//! run after the measured phases and do not change their figures),
//! `--window W` (input window, default 24: larger means wider closures).
//!
//! Shape of the data (deterministic for a given `--lots` and `--seed`):
//! - 20 % of the lots are supplied (raw materials, packaging) by 300
//!   suppliers; the other 80 % are produced in 5 levels (30/25/20/15/10 % of
//!   the produced lots: mixes, intermediates, finished goods, repacks);
//! - exactly 5 × N consumption rows (6 or 7 inputs per produced lot). Level-1
//!   lots consume supplied lots only; a lot of level k ≥ 2 consumes 1–2
//!   supplied lots and otherwise lots of level k−1 (15 %: level k−2).
//!   Inputs are drawn from a window of ±W lots (`--window`, default 24)
//!   around the output's relative position in its source level (lots are
//!   time-ordered within a level), so the graph is a DAG whose closures stay
//!   plant-like (hundreds of lots) instead of exploding to a large part of
//!   the graph;
//! - 500 SKUs, 24 sites, 40 lines, 500 customers; one customer shipment per
//!   top-level lot, N/2000 returns and N/200 inspections.

use lotgraph::core::analytics::balance::Balance;
use lotgraph::core::analytics::investigate::{Investigation, population};
use lotgraph::core::analytics::recall::simulate;
use lotgraph::core::analytics::returns::{ReturnFilter, lot_rates};
use lotgraph::core::analytics::suppliers::{ScoreInputs, Window, scorecard};
use lotgraph::core::graph::Genealogy;
use lotgraph::core::ingest::{Ingested, ingest_dir};
use lotgraph::core::model::Origin;
use lotgraph::core::{Direction, LotIx, TraceLot, Tracer};
use lotgraph::ingest::CsvOrParquet;
use lotgraph::snapshot::{self, FileCount, Manifest, SNAPSHOT_VERSION};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------
// Options

struct Opts {
    lots: u64,
    traces: usize,
    seed: u64,
    dir: Option<PathBuf>,
    breakdown: bool,
    window: u64,
}

fn parse_count(s: &str) -> u64 {
    lotgraph::cmd::generate::parse_count(s).unwrap_or_else(|e| panic!("{e}"))
}

fn opts() -> Opts {
    let mut o = Opts {
        lots: 100_000,
        traces: 1000,
        seed: 0x5e_ed1a_79a4,
        dir: None,
        breakdown: true,
        window: 24,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = |name: &str| {
            args.next()
                .unwrap_or_else(|| panic!("{name} needs a value"))
        };
        match a.as_str() {
            "--lots" => o.lots = parse_count(&val("--lots")),
            "--traces" => o.traces = parse_count(&val("--traces")) as usize,
            "--seed" => o.seed = parse_count(&val("--seed")),
            "--dir" => o.dir = Some(PathBuf::from(val("--dir"))),
            "--no-breakdown" => o.breakdown = false,
            "--window" => o.window = parse_count(&val("--window")).max(4),
            // `cargo bench` passes `--bench` to harness = false targets.
            "--bench" => {}
            other if other.starts_with("--lots=") => o.lots = parse_count(&other[7..]),
            other => eprintln!("scale: ignoring unknown argument {other:?}"),
        }
    }
    assert!(o.lots >= 100, "--lots must be at least 100");
    o
}

// ---------------------------------------------------------------------------
// Deterministic PRNG (splitmix64)

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0); the modulo bias is irrelevant here.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// True with probability `pct` %.
    fn pct(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
}

// ---------------------------------------------------------------------------
// Fast CSV line building

struct Out {
    w: BufWriter<File>,
    line: Vec<u8>,
    bytes: u64,
}

impl Out {
    fn create(dir: &Path, name: &str, header: &str) -> Out {
        let f = File::create(dir.join(name)).expect("create csv");
        let mut o = Out {
            w: BufWriter::with_capacity(1 << 20, f),
            line: Vec::with_capacity(256),
            bytes: 0,
        };
        o.s(header);
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
    fn u(&mut self, mut v: u64, width: usize) -> &mut Self {
        let mut buf = [b'0'; 20];
        let mut i = 20;
        loop {
            i -= 1;
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        let start = i.min(20 - width.min(20));
        self.line.extend_from_slice(&buf[start..]);
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
        let (y, m, d) = civil(EPOCH_DAY + day as i64);
        self.u(y as u64, 4)
            .s("-")
            .u(m as u64, 2)
            .s("-")
            .u(d as u64, 2)
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

/// 2023-01-01 as days since 1970-01-01.
const EPOCH_DAY: i64 = 19_358;

/// Days since 1970-01-01 -> (year, month, day) (Hinnant's algorithm).
fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

// ---------------------------------------------------------------------------
// Generator

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

struct Generated {
    rows: u64,
    consumptions: u64,
    bytes: u64,
}

const COUNTRIES: [&str; 8] = ["DE", "FR", "IT", "ES", "NL", "PL", "US", "TR"];

/// Inputs are drawn from ±`window` lots around the output's position.
fn generate(dir: &Path, n: u64, seed: u64, window: u64) -> Generated {
    let mut rng = Rng(seed);
    let lv = Levels::new(n);
    let mut rows = 0u64;
    let mut bytes = 0u64;

    // suppliers.csv
    let mut o = Out::create(dir, "suppliers.csv", "supplier_id,name,country");
    for i in 0..SUPPLIERS {
        o.s("SUP-").u(i, 4).c().s("Supplier ").u(i, 1).c();
        o.s(COUNTRIES[(i % 8) as usize]).end();
    }
    rows += SUPPLIERS;
    bytes += o.finish();

    // sites.csv: 0..12 plants, 12..20 warehouses, 20..24 DCs.
    let mut o = Out::create(dir, "sites.csv", "site_id,name,kind,region");
    for i in 0..SITES {
        let kind = match i {
            0..12 => "plant",
            12..20 => "warehouse",
            _ => "dc",
        };
        o.s("SITE-").u(i, 2).c().s("Site ").u(i, 1).c().s(kind).c();
        o.s("R").u(i % 4, 1).end();
    }
    rows += SITES;
    bytes += o.finish();

    // products.csv
    let mut o = Out::create(
        dir,
        "products.csv",
        "sku,name,category,uom,shelf_life_days,unit_cost",
    );
    for (prefix, count, cat, uom, shelf) in [
        ("RAW-", RAW_SKUS, "raw", "kg", 365),
        ("PKG-", PKG_SKUS, "packaging", "ea", 1000),
        ("INT-", INT_SKUS, "intermediate", "kg", 60),
        ("FG-", FG_SKUS, "finished", "ea", 180),
    ] {
        for i in 0..count {
            o.s(prefix)
                .u(i, 4)
                .c()
                .s(prefix)
                .u(i, 1)
                .c()
                .s(cat)
                .c()
                .s(uom)
                .c();
            o.u(shelf, 1).c().dec1(5 + rng.below(200)).end();
        }
        rows += count;
    }
    bytes += o.finish();

    // customers.csv
    let mut o = Out::create(dir, "customers.csv", "customer_id,name,kind,region,contact");
    for i in 0..CUSTOMERS {
        let kind = ["distributor", "retailer", "consumer"][(i % 3) as usize];
        o.s("CUS-")
            .u(i, 4)
            .c()
            .s("Customer ")
            .u(i, 1)
            .c()
            .s(kind)
            .c();
        o.s("R")
            .u(i % 4, 1)
            .c()
            .s("qa")
            .u(i, 1)
            .s("@example.com")
            .end();
    }
    rows += CUSTOMERS;
    bytes += o.finish();

    // lots.csv
    let mut o = Out::create(
        dir,
        "lots.csv",
        "lot_id,sku,origin,supplier_id,supplier_lot_code,site_id,line,produced_on,\
         received_on,expires_on,quantity,unit_cost,status",
    );
    for k in 0..=5usize {
        for j in 0..lv.size[k] {
            let ix = lv.start[k] + j;
            let day = lv.day(k, j);
            o.lot(ix).c();
            if k == 0 {
                if rng.pct(80) {
                    o.s("RAW-").u(rng.below(RAW_SKUS), 4);
                } else {
                    o.s("PKG-").u(rng.below(PKG_SKUS), 4);
                }
                o.c().s("supplied,SUP-").u(rng.below(SUPPLIERS), 4);
                o.c().s("SL").u(rng.below(100_000_000), 8);
                o.c()
                    .s("SITE-")
                    .u(12 + rng.below(8), 2)
                    .c()
                    .c()
                    .c()
                    .date(day)
                    .c()
                    .c();
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
                o.c()
                    .s("LINE-")
                    .u(rng.below(LINES), 2)
                    .c()
                    .date(day)
                    .c()
                    .c()
                    .c();
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
    rows += n;
    bytes += o.finish();

    // consumptions.csv: exactly 5 × n rows, grouped by output lot.
    let mut o = Out::create(
        dir,
        "consumptions.csv",
        "input_lot_id,output_lot_id,quantity,consumed_on",
    );
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
                } else if k >= 3 && rng.pct(15) {
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
                o.lot(input)
                    .c()
                    .lot(out)
                    .c()
                    .dec1(10 + rng.below(2_000))
                    .c();
                o.date(day).end();
            }
            written += got as u64;
        }
    }
    rows += written;
    bytes += o.finish();

    // shipments.csv: one customer shipment per top-level lot.
    let mut o = Out::create(
        dir,
        "shipments.csv",
        "shipment_id,lot_id,quantity,from_site_id,to_site_id,customer_id,shipped_on,\
         delivered_on,status",
    );
    for j in 0..lv.size[5] {
        let day = lv.day(5, j) + 1;
        o.s("SH")
            .u(j, 9)
            .c()
            .lot(lv.start[5] + j)
            .c()
            .dec1(10 + rng.below(900));
        o.c().s("SITE-").u(20 + rng.below(4), 2).c().c().s("CUS-");
        o.u(rng.below(CUSTOMERS), 4).c().date(day).c();
        if j + 50 < lv.size[5] {
            o.date(day + 1 + rng.below(5));
        }
        o.c().end();
    }
    rows += lv.size[5];
    bytes += o.finish();

    // returns.csv
    let mut o = Out::create(
        dir,
        "returns.csv",
        "return_id,lot_id,customer_id,quantity,reason,category,reported_on",
    );
    let returns = n / 2000;
    for i in 0..returns {
        let j = rng.below(lv.size[5]);
        let cat = ["defect", "quality", "safety", "damage", "other"][rng.below(5) as usize];
        o.s("RET-").u(i, 7).c().lot(lv.start[5] + j).c().s("CUS-");
        o.u(rng.below(CUSTOMERS), 4)
            .c()
            .dec1(10 + rng.below(100))
            .c();
        o.s("customer complaint")
            .c()
            .s(cat)
            .c()
            .date(lv.day(5, j) + 10)
            .end();
    }
    rows += returns;
    bytes += o.finish();

    // inspections.csv
    let mut o = Out::create(
        dir,
        "inspections.csv",
        "inspection_id,lot_id,inspected_on,result,defect",
    );
    let inspections = n / 200;
    for i in 0..inspections {
        let ix = rng.below(n);
        let fail = rng.pct(3);
        o.s("INS-").u(i, 7).c().lot(ix).c().date(DAYS / 2).c();
        o.s(if fail { "fail,foreign matter" } else { "pass," })
            .end();
    }
    rows += inspections;
    bytes += o.finish();

    Generated {
        rows,
        consumptions: written,
        bytes,
    }
}

// ---------------------------------------------------------------------------
// Measurement helpers

/// A `/proc/self/status` field in kB (VmHWM, VmRSS), if available.
fn proc_kb(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn mib(kb: Option<u64>) -> String {
    kb.map_or("n/a".into(), |k| format!("{:.0} MiB", k as f64 / 1024.0))
}

/// Resets VmHWM to the current RSS (Linux ≥ 4.0); returns whether it worked.
fn reset_hwm() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Gives freed heap back to the OS so RSS reflects live data (glibc only).
fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: glibc's malloc_trim has no preconditions.
        unsafe {
            malloc_trim(0);
        }
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn fmt_dur(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.0} µs", s * 1e6)
    }
}

fn thousands(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Nearest-rank percentile of sorted samples.
fn pct(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

struct TraceStats {
    p50: Duration,
    p99: Duration,
    max: Duration,
    mean_closure: f64,
    p50_closure: usize,
    max_closure: usize,
    /// Total trace time over total closure lots.
    ns_per_lot: f64,
}

fn trace_stats(mut times: Vec<Duration>, sizes: &[usize]) -> TraceStats {
    let total: Duration = times.iter().sum();
    let lots: usize = sizes.iter().sum();
    let mut sorted_sizes = sizes.to_vec();
    sorted_sizes.sort_unstable();
    times.sort_unstable();
    TraceStats {
        p50_closure: sorted_sizes
            .get(sorted_sizes.len().saturating_sub(1) / 2)
            .copied()
            .unwrap_or(0),
        ns_per_lot: total.as_secs_f64() * 1e9 / lots.max(1) as f64,
        p50: pct(&times, 50.0),
        p99: pct(&times, 99.0),
        max: *times.last().unwrap_or(&Duration::ZERO),
        mean_closure: sizes.iter().sum::<usize>() as f64 / sizes.len().max(1) as f64,
        max_closure: sizes.iter().copied().max().unwrap_or(0),
    }
}

// ---------------------------------------------------------------------------
// Breakdown and what-if measurements (run unless --no-breakdown)

/// rustc's Fx hash + a finalizer: what a non-cryptographic hasher costs
/// for id lookups.
#[derive(Default)]
struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    fn finish(&self) -> u64 {
        // Fx alone leaves the high bits (hashbrown's tag) weak on ids that
        // differ only in their last digits; finish with murmur3's fmix64.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// A `YYYY-MM-DD` fast path in front of chrono's format-string parser.
fn fast_date(s: &str) -> Option<chrono::NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    chrono::NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

/// CSR built straight from the consumptions: count, scatter into the final
/// arrays, sort each (small) row in place, merge parallel edges. No
/// intermediate edge lists.
fn lean_csr(
    n: usize,
    cons: &lotgraph::core::tables::ConsumptionTable,
    forward: bool,
) -> (Vec<u64>, Vec<LotIx>, Vec<f64>) {
    let ends = |c: &lotgraph::core::model::Consumption| {
        if forward {
            (c.input.ix(), c.output)
        } else {
            (c.output.ix(), c.input)
        }
    };
    let mut off = vec![0u64; n + 1];
    for c in cons {
        off[ends(&c).0 + 1] += 1;
    }
    for i in 0..n {
        off[i + 1] += off[i];
    }
    let m = cons.len();
    let mut tg = vec![LotIx(0); m];
    let mut q = vec![0.0f64; m];
    let mut fill: Vec<u64> = off[..n].to_vec();
    for c in cons {
        let (from, to) = ends(&c);
        let slot = fill[from] as usize;
        tg[slot] = to;
        q[slot] = c.quantity;
        fill[from] += 1;
    }
    drop(fill);
    let mut w = 0usize;
    let mut row: Vec<(LotIx, f64)> = Vec::new();
    for v in 0..n {
        let (a, b) = (off[v] as usize, off[v + 1] as usize);
        row.clear();
        row.extend((a..b).map(|i| (tg[i], q[i])));
        row.sort_unstable_by_key(|e| e.0);
        off[v] = w as u64;
        for &(t, x) in &row {
            if w > off[v] as usize && tg[w - 1] == t {
                q[w - 1] += x;
            } else {
                tg[w] = t;
                q[w] = x;
                w += 1;
            }
        }
    }
    off[n] = w as u64;
    tg.truncate(w);
    q.truncate(w);
    (off, tg, q)
}

fn ingest_breakdown(
    data_dir: &Path,
    ds: &lotgraph::core::model::Dataset,
) -> Vec<(String, Duration)> {
    let mut out: Vec<(String, Duration)> = Vec::new();
    let t = Instant::now();
    let mut records = 0u64;
    for e in std::fs::read_dir(data_dir).expect("read dir").flatten() {
        let file = File::open(e.path()).expect("open csv");
        let mut r = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(std::io::BufReader::with_capacity(1 << 20, file));
        let mut rec = csv::ByteRecord::new();
        while r.read_byte_record(&mut rec).expect("csv") {
            records += 1;
        }
    }
    out.push((
        format!(
            "csv tokenize only, all files ({} records)",
            thousands(records)
        ),
        t.elapsed(),
    ));

    // Peak memory of a step: VmHWM is reset to the current RSS first.
    let peak_from = || {
        trim_heap();
        reset_hwm();
        proc_kb("VmRSS")
    };
    let peak = |base: Option<u64>| match (proc_kb("VmHWM"), base) {
        (Some(h), Some(b)) if h >= b => format!(", peak +{:.0} MiB", (h - b) as f64 / 1024.0),
        _ => String::new(),
    };
    let base = peak_from();
    let t = Instant::now();
    let g = Genealogy::from_dataset(ds);
    let d = t.elapsed();
    out.push((format!("Genealogy::from_dataset{}", peak(base)), d));
    let t = Instant::now();
    assert!(g.check_acyclic().is_ok());
    out.push(("Genealogy::check_acyclic".into(), t.elapsed()));
    drop(g);
    let base = peak_from();
    let t = Instant::now();
    let (fo, ft, fq) = lean_csr(ds.lots.len(), &ds.consumptions, true);
    let (io, it, iq) = lean_csr(ds.lots.len(), &ds.consumptions, false);
    let totals: Vec<f64> = (0..ds.lots.len())
        .map(|v| iq[io[v] as usize..io[v + 1] as usize].iter().sum())
        .collect();
    let d = t.elapsed();
    out.push((
        format!(
            "  what-if: both CSRs built straight from consumptions{}",
            peak(base)
        ),
        d,
    ));
    std::hint::black_box((&fo, &ft, &fq, &io, &it, &iq, &totals));
    drop((fo, ft, fq, io, it, iq, totals));

    // Lot id interning and lookups, as Registry does them (SipHash), and
    // with the Fx hash.
    let t = Instant::now();
    let mut sip: std::collections::HashMap<String, u32> = Default::default();
    for (i, l) in ds.lots.iter().enumerate() {
        sip.insert(l.id.to_owned(), i as u32);
    }
    out.push((
        "lot id map build, SipHash (1 insert per lot)".into(),
        t.elapsed(),
    ));
    // The ids are rebuilt as text from the index (the generator's scheme),
    // as ingest sees them in a CSV record, hot in cache; the cost of
    // producing the text is measured alone and subtracted.
    assert!(
        (0..ds.lots.len())
            .step_by(9973)
            .all(|i| ds.lots.get(i).id == format!("L{i:09}"))
    );
    let lookups_memo = |m: &dyn Fn(&str) -> bool, memo_output: bool| {
        let t = Instant::now();
        let mut hits = 0u64;
        let mut last_output = None;
        let mut buf = *b"L000000000";
        let mut text = |ix: LotIx| {
            let mut v = ix.0;
            for k in (1..10).rev() {
                buf[k] = b'0' + (v % 10) as u8;
                v /= 10;
            }
            buf
        };
        for c in &ds.consumptions {
            let b = text(c.input);
            hits += m(std::str::from_utf8(&b).expect("ascii")) as u64;
            let b = text(c.output);
            if memo_output && last_output == Some(b) {
                hits += 1;
                continue;
            }
            hits += m(std::str::from_utf8(&b).expect("ascii")) as u64;
            last_output = Some(b);
        }
        (t.elapsed(), hits)
    };
    let lookups = |m: &dyn Fn(&str) -> bool| lookups_memo(m, false);
    let (base, n_base) = lookups(&|id| std::hint::black_box(id).len() == 10);
    let n_lookups = 2 * ds.consumptions.len() as u64;
    assert_eq!(n_base, n_lookups);
    let (sip_t, n_sip) = lookups(&|id| sip.contains_key(id));
    assert_eq!(n_sip, n_lookups);
    out.push((
        format!(
            "{} lot id lookups (2 per consumption), SipHash",
            thousands(2 * ds.consumptions.len() as u64)
        ),
        sip_t.saturating_sub(base),
    ));
    out.push((
        "  what-if: the same, remembering the last output id".into(),
        {
            let (t, n) = lookups_memo(&|id| sip.contains_key(id), true);
            assert_eq!(n, n_lookups);
            t.saturating_sub(base)
        },
    ));
    // Ingester::finish turns the HashMap<String, u32> into a
    // HashMap<String, LotIx> by re-collecting (re-hashing) every entry.
    let t = Instant::now();
    let relabeled: std::collections::HashMap<String, LotIx> =
        sip.into_iter().map(|(k, v)| (k, LotIx(v))).collect();
    out.push((
        "re-collect of the lot id map into HashMap<String, LotIx> (Ingester::finish)".into(),
        t.elapsed(),
    ));
    let mut fx: std::collections::HashMap<String, LotIx, std::hash::BuildHasherDefault<Fx>> =
        Default::default();
    fx.extend(relabeled);
    out.push((
        "  what-if: the plain lookups with an Fx-style hash".into(),
        {
            let (fx_t, n_fx) = lookups(&|id| fx.contains_key(id));
            assert_eq!(n_fx, n_lookups);
            fx_t.saturating_sub(base)
        },
    ));
    drop(fx);

    // Date parsing of consumed_on: chrono's format-string parser vs a
    // YYYY-MM-DD fast path (the cost of producing the text is subtracted).
    let texts = |f: &dyn Fn(&str) -> bool| {
        let t = Instant::now();
        let mut ok = 0u64;
        let mut buf = [0u8; 10];
        for c in &ds.consumptions {
            use chrono::Datelike;
            let d = c.consumed_on.expect("consumed_on");
            let (y, m, day) = (d.year() as u32, d.month(), d.day());
            for (i, (v, w)) in [(y, 4), (m, 2), (day, 2)].into_iter().enumerate() {
                let at = [0, 5, 8][i];
                let mut v = v;
                for k in (0..w).rev() {
                    buf[at + k] = b'0' + (v % 10) as u8;
                    v /= 10;
                }
            }
            buf[4] = b'-';
            buf[7] = b'-';
            ok += f(std::str::from_utf8(&buf).expect("ascii")) as u64;
        }
        (t.elapsed(), ok)
    };
    let (base, _) = texts(&|s| std::hint::black_box(s).len() == 10);
    let (chrono_t, ok) = texts(&|s| lotgraph::core::ingest::parse::date(s).is_ok());
    let (fast_t, ok2) = texts(&|s| fast_date(s).is_some());
    assert_eq!((ok, ok2), (ds.consumptions.len() as u64, ok));
    out.push((
        format!(
            "{} parse::date calls (consumed_on; building the texts, {}, subtracted)",
            thousands(ok),
            fmt_dur(base)
        ),
        chrono_t.saturating_sub(base),
    ));
    out.push((
        format!(
            "  what-if: YYYY-MM-DD fast path (texts included: {})",
            fmt_dur(fast_t)
        ),
        fast_t.saturating_sub(base),
    ));
    out
}

// ---------------------------------------------------------------------------

fn main() {
    let o = opts();
    let n = o.lots;
    println!(
        "== lotgraph scale bench: {} lots (seed {:#x}, window ±{}) ==",
        thousands(n),
        o.seed,
        o.window
    );
    let tmp_data;
    let data_dir = match &o.dir {
        Some(d) => {
            std::fs::create_dir_all(d).expect("create --dir");
            d.clone()
        }
        None => {
            tmp_data = tempfile::Builder::new()
                .prefix("lotgraph-scale-")
                .tempdir()
                .expect("tempdir");
            tmp_data.path().to_path_buf()
        }
    };

    // 1. Generate (not a figure of merit).
    let t = Instant::now();
    let g = generate(&data_dir, n, o.seed, o.window);
    let t_gen = t.elapsed();
    println!(
        "generate: {} rows ({} consumptions), {:.0} MiB of CSV in {} ({})",
        thousands(g.rows),
        thousands(g.consumptions),
        g.bytes as f64 / (1 << 20) as f64,
        fmt_dur(t_gen),
        data_dir.display()
    );

    // 2. Ingest.
    let t = Instant::now();
    let ing: Ingested = ingest_dir(&data_dir, &CsvOrParquet).expect("ingest");
    let t_ingest = t.elapsed();
    let read: u64 = ing.reports.iter().map(|r| r.read).sum();
    let rejected: u64 = ing.reports.iter().map(|r| r.rejected).sum();
    let hwm_ingest = proc_kb("VmHWM");
    println!(
        "ingest: {} rows read ({} rejected) in {} = {} rows/s; {} lots, {} consumptions, {} genealogy edges",
        thousands(read),
        thousands(rejected),
        fmt_dur(t_ingest),
        thousands((read as f64 / secs(t_ingest)) as u64),
        thousands(ing.dataset.lots.len() as u64),
        thousands(ing.dataset.consumptions.len() as u64),
        thousands(ing.genealogy.edge_count() as u64),
    );
    for r in &ing.reports {
        println!(
            "  {:<18} read {:>10}  loaded {:>10}  rejected {:>6}",
            r.file,
            thousands(r.read),
            thousands(r.loaded),
            thousands(r.rejected)
        );
    }
    for w in &ing.warnings {
        println!("  warning: {w}");
    }
    assert_eq!(rejected, 0, "the generated data must load cleanly");
    println!(
        "peak memory after ingest: VmHWM {} (VmRSS {})",
        mib(hwm_ingest),
        mib(proc_kb("VmRSS"))
    );
    let Ingested {
        dataset,
        genealogy,
        reports,
        rejects,
        warnings,
    } = ing;
    let depth = genealogy.levels().map(|l| l.into_iter().max().unwrap_or(0));
    println!("genealogy depth: {depth:?}");

    // 3. Snapshot write.
    let ws = tempfile::Builder::new()
        .prefix("lotgraph-scale-ws-")
        .tempdir()
        .expect("tempdir");
    let manifest = Manifest {
        version: SNAPSHOT_VERSION,
        source: data_dir.display().to_string(),
        created_at: "1970-01-01T00:00:00Z".into(),
        files: reports.iter().map(FileCount::from).collect(),
        warnings: warnings.iter().map(ToString::to_string).collect(),
        dataset_id: String::new(),
    };
    let t = Instant::now();
    let live = snapshot::write(
        ws.path(),
        &dataset,
        &genealogy,
        &manifest,
        &rejects,
        snapshot::WriteOptions {
            lock_timeout: None,
            faults: &mut snapshot::no_faults,
        },
    )
    .expect("snapshot")
    .live;
    let t_write = t.elapsed();
    drop(genealogy);
    let snap_bytes = dir_size(&live);
    println!(
        "snapshot write: {} ({:.0} MiB)",
        fmt_dur(t_write),
        snap_bytes as f64 / (1 << 20) as f64
    );

    // 3b. Where ingest's time goes, measured from outside the library, with
    //     a few what-if alternatives (bench code, not library code).
    if o.breakdown {
        for (what, d) in ingest_breakdown(&data_dir, &dataset) {
            println!("  breakdown: {what}: {}", fmt_dur(d));
        }
    }
    let n_lots = dataset.lots.len();
    drop(dataset);
    drop(rejects);
    trim_heap();
    let hwm_reset = reset_hwm();
    println!(
        "dropped the ingested dataset: VmRSS {}{}",
        mib(proc_kb("VmRSS")),
        if hwm_reset {
            ", VmHWM reset"
        } else {
            " (VmHWM could not be reset)"
        }
    );

    // 4. Snapshot load, average of 3 (page cache warm: the files were just written).
    let mut loads = Vec::new();
    let mut snap = None;
    for i in 0..3 {
        drop(snap.take());
        let t = Instant::now();
        let s = snapshot::load(ws.path()).expect("load");
        let d = t.elapsed();
        println!("snapshot load #{}: {}", i + 1, fmt_dur(d));
        loads.push(d);
        snap = Some(s);
    }
    let snap = snap.expect("loaded");
    let t_load = loads.iter().sum::<Duration>() / loads.len() as u32;
    assert_eq!(snap.dataset.lots.len(), n_lots);
    let (ds, genealogy) = (&snap.dataset, &snap.genealogy);

    // 5. Traces: back from random produced lots, forward from random lots
    //    that were consumed at least once (a supplied lot has nothing
    //    upstream, an unconsumed lot nothing downstream).
    let mut rng = Rng(o.seed ^ 0x7ace);
    let mut pick = |ok: &dyn Fn(LotIx) -> bool| loop {
        let l = LotIx::from_ix(rng.below(n_lots as u64) as usize);
        if ok(l) {
            break l;
        }
    };
    let back_roots: Vec<LotIx> = (0..o.traces)
        .map(|_| pick(&|l| ds.lot(l).origin == Origin::Produced))
        .collect();
    let fwd_roots: Vec<LotIx> = (0..o.traces)
        .map(|_| pick(&|l| genealogy.outputs().degree(l) > 0))
        .collect();
    let t = Instant::now();
    let mut tracer = Tracer::new(genealogy);
    let t_tracer = t.elapsed();
    let mut run = |roots: &[LotIx], dir: Direction| {
        let mut times = Vec::with_capacity(roots.len());
        let mut sizes = Vec::with_capacity(roots.len());
        for &r in roots {
            let t = Instant::now();
            let tr = tracer.trace(ds, r, dir, None);
            times.push(t.elapsed());
            sizes.push(tr.lots.len());
            std::hint::black_box(&tr);
        }
        trace_stats(times, &sizes)
    };
    let back = run(&back_roots, Direction::Upstream);
    let fwd = run(&fwd_roots, Direction::Downstream);
    for (name, s) in [("back", &back), ("forward", &fwd)] {
        println!(
            "trace {name:<7} ×{}: p50 {}  p99 {}  max {}  closure mean {:.0} p50 {} max {}  ({:.0} ns per closure lot)",
            o.traces,
            fmt_dur(s.p50),
            fmt_dur(s.p99),
            fmt_dur(s.max),
            s.mean_closure,
            s.p50_closure,
            s.max_closure,
            s.ns_per_lot
        );
    }
    println!("Tracer::new: {}", fmt_dur(t_tracer));
    // Read before the breakdown below, which allocates a little more.
    let hwm_end = proc_kb("VmHWM");
    let rss_end = proc_kb("VmRSS");
    if o.breakdown {
        // Where a trace's time goes: four more passes over the same roots,
        // each like the measured one: the library's trace again; the walk
        // alone (same closure, no sort); and two what-ifs for the sort by
        // (depth, lot id): one key lookup per lot (sort_by_cached_key)
        // instead of two per comparison, and integer keys from a rank of
        // every lot id computed once per dataset.
        let t = Instant::now();
        let mut order: Vec<u32> = (0..n_lots as u32).collect();
        order.sort_unstable_by(|a, b| ds.lots.get(*a as usize).id.cmp(ds.lots.get(*b as usize).id));
        let mut rank = vec![0u32; n_lots];
        for (r, &ix) in order.iter().enumerate() {
            rank[ix as usize] = r as u32;
        }
        drop(order);
        println!(
            "  breakdown: what-if: rank of every lot id (once per dataset): {}",
            fmt_dur(t.elapsed())
        );
        for (name, roots, dir) in [
            ("back", &back_roots, Direction::Upstream),
            ("forward", &fwd_roots, Direction::Downstream),
        ] {
            let collect = |tracer: &mut Tracer, r: LotIx| {
                let mut lots = Vec::new();
                tracer.walk(&[r], dir, |lot, depth, share| {
                    if lot != r {
                        lots.push(TraceLot { lot, depth, share });
                    }
                });
                lots
            };
            let mut pass = |f: &mut dyn FnMut(&mut Tracer, LotIx)| {
                let mut times = Vec::with_capacity(roots.len());
                for &r in roots.iter() {
                    let t = Instant::now();
                    f(&mut tracer, r);
                    times.push(t.elapsed());
                }
                trace_stats(times, &[])
            };
            let lib = pass(&mut |tr, r| {
                std::hint::black_box(tr.trace(ds, r, dir, None));
            });
            let walk = pass(&mut |tr, r| {
                std::hint::black_box(collect(tr, r));
            });
            let cached = pass(&mut |tr, r| {
                let mut lots = collect(tr, r);
                lots.sort_by_cached_key(|l| (l.depth, ds.lot_id(l.lot)));
                std::hint::black_box(lots);
            });
            let ranked = pass(&mut |tr, r| {
                let mut lots = collect(tr, r);
                lots.sort_unstable_by_key(|l| (l.depth, rank[l.lot.ix()]));
                std::hint::black_box(lots);
            });
            println!(
                "  breakdown: trace {name:<7} p50/p99: again {}/{}, walk only {}/{}; \
                 what-if walk + sort_by_cached_key {}/{}, walk + sort by id rank {}/{}",
                fmt_dur(lib.p50),
                fmt_dur(lib.p99),
                fmt_dur(walk.p50),
                fmt_dur(walk.p99),
                fmt_dur(cached.p50),
                fmt_dur(cached.p99),
                fmt_dur(ranked.p50),
                fmt_dur(ranked.p99)
            );
        }
    }
    // 5b. Analytics at this size (issue 3's targets: each under 2 s at 1M).
    let time = |f: &mut dyn FnMut() -> String| {
        let t = Instant::now();
        let what = f();
        (t.elapsed(), what)
    };
    let (t_rates, rates_what) = time(&mut || {
        let r = lot_rates(ds, &ReturnFilter::default());
        format!(
            "{} lots rated, {} flagged",
            r.len(),
            r.iter().filter(|x| x.flagged).count()
        )
    });
    let (t_score, score_what) = time(&mut || {
        let inputs =
            ScoreInputs::compute(ds, genealogy, &ReturnFilter::default()).expect("acyclic");
        let card = scorecard(ds, genealogy, &inputs, Window::default());
        format!("{} suppliers", card.len())
    });
    let mut largest: Vec<LotIx> = (0..n_lots)
        .map(LotIx::from_ix)
        .filter(|l| ds.lot(*l).origin == Origin::Supplied)
        .collect();
    largest.sort_by_key(|l| (std::cmp::Reverse(genealogy.outputs().degree(*l)), l.0));
    largest.truncate(100);
    let (t_recall, recall_what) = time(&mut || {
        let bal = Balance::compute(ds);
        let r = simulate(ds, genealogy, &bal, &largest, 0.0);
        format!(
            "{} lots affected, {} customers",
            r.lots.len(),
            r.customers.len()
        )
    });
    let pop = population(ds);
    let shipped: Vec<LotIx> = (0..n_lots)
        .map(LotIx::from_ix)
        .filter(|l| pop[l.ix()])
        .collect();
    let mut crng = Rng(o.seed ^ 0xc0de);
    let mut complaints: Vec<LotIx> = (0..50)
        .map(|_| shipped[crng.below(shipped.len() as u64) as usize])
        .collect();
    complaints.sort();
    complaints.dedup();
    let (t_inv, inv_what) = time(&mut || {
        let inv = Investigation::run(ds, genealogy, &complaints, &pop);
        format!(
            "{} complaint lots, {} candidates, {} groups",
            complaints.len(),
            inv.candidates.len(),
            inv.groups.len()
        )
    });
    for (name, d, what) in [
        ("return rates, all lots", t_rates, &rates_what),
        (
            "supplier scorecard (attribution + score)",
            t_score,
            &score_what,
        ),
        (
            "recall of the 100 largest supplier lots",
            t_recall,
            &recall_what,
        ),
        ("investigation of 50 complaint lots", t_inv, &inv_what),
    ] {
        println!("analytics: {name}: {} ({what})", fmt_dur(d));
    }
    println!(
        "peak memory at end: VmHWM {}{} (VmRSS {})",
        mib(hwm_end),
        if hwm_reset {
            " since the reset (snapshot loads + traces)"
        } else {
            " (whole run)"
        },
        mib(rss_end)
    );

    // 6. Summary, Markdown-ready.
    let ms = |d: Duration| format!("{:.3}", d.as_secs_f64() * 1e3);
    println!();
    println!("| metric | {} lots |", thousands(n));
    println!("|---|---|");
    println!(
        "| rows (all files) / consumptions | {} / {} |",
        thousands(read),
        thousands(g.consumptions)
    );
    println!(
        "| CSV size / generate time | {:.0} MiB / {} |",
        g.bytes as f64 / (1 << 20) as f64,
        fmt_dur(t_gen)
    );
    println!(
        "| ingest (`ingest_dir`, CsvOrParquet) | {} ({} rows/s) |",
        fmt_dur(t_ingest),
        thousands((read as f64 / secs(t_ingest)) as u64)
    );
    println!("| peak memory after ingest (VmHWM) | {} |", mib(hwm_ingest));
    println!(
        "| snapshot write | {} ({:.0} MiB) |",
        fmt_dur(t_write),
        snap_bytes as f64 / (1 << 20) as f64
    );
    println!("| snapshot load (avg of 3) | {} |", fmt_dur(t_load));
    println!(
        "| trace back p50 / p99 / max (ms) | {} / {} / {} |",
        ms(back.p50),
        ms(back.p99),
        ms(back.max)
    );
    println!(
        "| trace forward p50 / p99 / max (ms) | {} / {} / {} |",
        ms(fwd.p50),
        ms(fwd.p99),
        ms(fwd.max)
    );
    println!(
        "| closure size back / forward (mean; max) | {:.0} / {:.0} ({} / {}) |",
        back.mean_closure, fwd.mean_closure, back.max_closure, fwd.max_closure
    );
    println!(
        "| peak memory at end (VmHWM{}) | {} |",
        if hwm_reset {
            ", load + trace phase"
        } else {
            ", whole run"
        },
        mib(hwm_end)
    );
    for (name, d) in [
        ("return rates, all lots", t_rates),
        ("supplier scorecard", t_score),
        ("recall, 100 largest supplier lots", t_recall),
        ("investigation, 50 complaint lots", t_inv),
    ] {
        println!("| {name} | {} |", fmt_dur(d));
    }
    drop(snap);
}
