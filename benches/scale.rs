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
//! The data are the benchmarks' layered genealogy (`common/layered.rs`):
//! 20 % supplied lots, 80 % produced in 5 levels, exactly 5 × N
//! consumption rows drawn from a window of ±W lots of the levels below.

mod common;

use common::layered::generate;
use common::parse_count;
use lotgraph::core::analytics::balance::Balance;
use lotgraph::core::analytics::investigate::{Investigation, population};
use lotgraph::core::analytics::recall::simulate;
use lotgraph::core::analytics::returns::{ReturnFilter, lot_rates};
use lotgraph::core::analytics::suppliers::{ScoreInputs, Window, scorecard};
use lotgraph::core::graph::Genealogy;
use lotgraph::core::ingest::{Ingested, ingest_dir};
use lotgraph::core::model::Origin;
use lotgraph::core::{Direction, LotIx, TraceLot, Tracer};
use lotgraph::generate::rng::Rng;
use lotgraph::ingest::CsvOrParquet;
use lotgraph::snapshot::{self, FileCount, Manifest, SNAPSHOT_VERSION};
use std::fs::File;
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
        warnings,
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
    let mut rng = Rng::new(o.seed ^ 0x7ace);
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
    let mut crng = Rng::new(o.seed ^ 0xc0de);
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
