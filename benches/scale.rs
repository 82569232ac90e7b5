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

// A test or bench: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "scale/breakdown.rs"]
mod breakdown;
mod common;
#[path = "scale/measure.rs"]
mod measure;

use breakdown::*;
use common::layered::{Generated, generate};
use common::parse_count;
use lotgraph::core::analytics::balance::Balance;
use lotgraph::core::analytics::investigate::{Investigation, population};
use lotgraph::core::analytics::recall::simulate;
use lotgraph::core::analytics::returns::{ReturnFilter, lot_rates};
use lotgraph::core::analytics::suppliers::{ScoreInputs, Window, scorecard};
use lotgraph::core::ingest::{Ingested, Reject, ingest_dir};
use lotgraph::core::model::Origin;
use lotgraph::core::{Dataset, Direction, Genealogy, LotIx, Tracer};
use lotgraph::generate::rng::Rng;
use lotgraph::ingest::CsvOrParquet;
use lotgraph::snapshot::{self, FileCount, Manifest, SNAPSHOT_VERSION, Snapshot};
use measure::*;
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
// Phases, in the order they run. Each prints its own lines; the figures the
// closing summary table repeats are handed back.

/// The directory the data are generated into: `--dir`, or a temporary one
/// that lives as long as the returned guard.
fn data_dir(o: &Opts) -> (Option<tempfile::TempDir>, PathBuf) {
    if let Some(d) = &o.dir {
        std::fs::create_dir_all(d).expect("create --dir");
        (None, d.clone())
    } else {
        let tmp = tempfile::Builder::new()
            .prefix("lotgraph-scale-")
            .tempdir()
            .expect("tempdir");
        let dir = tmp.path().to_path_buf();
        (Some(tmp), dir)
    }
}

/// Phase 1: Generate (not a figure of merit).
fn generate_data(data_dir: &Path, o: &Opts) -> (Generated, Duration) {
    let t = Instant::now();
    let g = generate(data_dir, o.lots, o.seed, o.window);
    let t_gen = t.elapsed();
    println!(
        "generate: {} rows ({} consumptions), {:.0} MiB of CSV in {} ({})",
        thousands(g.rows),
        thousands(g.consumptions),
        g.bytes as f64 / f64::from(1 << 20),
        fmt_dur(t_gen),
        data_dir.display()
    );
    (g, t_gen)
}

/// What ingest measured: its time, the rows it read and the peak memory.
struct IngestFigures {
    took: Duration,
    read: u64,
    hwm: Option<u64>,
}

/// Phase 2: Ingest, with its per-file counts and the genealogy's depth.
fn ingest_data(data_dir: &Path) -> (Ingested, IngestFigures) {
    let t = Instant::now();
    let ing: Ingested = ingest_dir(data_dir, &CsvOrParquet).expect("ingest");
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
    let depth = ing
        .genealogy
        .levels()
        .map(|l| l.into_iter().max().unwrap_or(0));
    println!("genealogy depth: {depth:?}");
    let figures = IngestFigures {
        took: t_ingest,
        read,
        hwm: hwm_ingest,
    };
    (ing, figures)
}

/// Phase 3: snapshot write into a temporary workspace. The genealogy is
/// dropped once written; the dataset and rejects are handed back for the
/// breakdown.
fn write_snapshot(
    data_dir: &Path,
    ing: Ingested,
) -> (tempfile::TempDir, Dataset, Vec<Reject>, Duration, u64) {
    let Ingested {
        dataset,
        genealogy,
        reports,
        rejects,
        warnings,
    } = ing;
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
        snap_bytes as f64 / f64::from(1 << 20)
    );
    (ws, dataset, rejects, t_write, snap_bytes)
}

/// Frees the ingested data so that the load and trace phases' peak memory
/// is theirs alone; gives whether `VmHWM` could be reset.
fn release(dataset: Dataset, rejects: Vec<Reject>) -> bool {
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
    hwm_reset
}

/// Phase 4: snapshot load, average of 3 (page cache warm: the files were
/// just written); gives the last load and the average.
fn load_snapshot(ws: &Path, n_lots: usize) -> (Snapshot, Duration) {
    let mut loads = Vec::new();
    let mut snap = None;
    for i in 0..3 {
        drop(snap.take());
        let t = Instant::now();
        let s = snapshot::load(ws).expect("load");
        let d = t.elapsed();
        println!("snapshot load #{}: {}", i + 1, fmt_dur(d));
        loads.push(d);
        snap = Some(s);
    }
    let snap = snap.expect("loaded");
    let t_load = loads.iter().sum::<Duration>() / loads.len() as u32;
    assert_eq!(snap.dataset.lots.len(), n_lots);
    (snap, t_load)
}

/// Phase 5: the trace roots: random produced lots to trace back, random
/// lots consumed at least once to trace forward (a supplied lot has
/// nothing upstream, an unconsumed lot nothing downstream).
fn trace_roots(ds: &Dataset, genealogy: &Genealogy, o: &Opts) -> (Vec<LotIx>, Vec<LotIx>) {
    let n_lots = ds.lots.len();
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
    (back_roots, fwd_roots)
}

/// Phase 5: times a trace from every root in both directions; gives the
/// tracer (reused by the breakdown) and the back and forward figures.
fn run_traces<'g>(
    ds: &Dataset,
    genealogy: &'g Genealogy,
    back_roots: &[LotIx],
    fwd_roots: &[LotIx],
) -> (Tracer<'g>, TraceStats, TraceStats) {
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
    let back = run(back_roots, Direction::Upstream);
    let fwd = run(fwd_roots, Direction::Downstream);
    for (name, s) in [("back", &back), ("forward", &fwd)] {
        println!(
            "trace {name:<7} ×{}: p50 {}  p99 {}  max {}  closure mean {:.0} p50 {} max {}  ({:.0} ns per closure lot)",
            back_roots.len(),
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
    (tracer, back, fwd)
}

/// The analytics' times, for the summary.
struct AnalyticsTimes {
    rates: Duration,
    score: Duration,
    recall: Duration,
    investigation: Duration,
}

/// Runs `f` once; gives its time and what it says it did.
fn timed(f: &mut dyn FnMut() -> String) -> (Duration, String) {
    let t = Instant::now();
    let what = f();
    (t.elapsed(), what)
}

/// Phase 5b: analytics at this size (issue 3's targets: each under 2 s at
/// 1M).
fn analytics(ds: &Dataset, genealogy: &Genealogy, seed: u64) -> AnalyticsTimes {
    let n_lots = ds.lots.len();
    let (t_rates, rates_what) = timed(&mut || {
        let r = lot_rates(ds, &ReturnFilter::default());
        format!(
            "{} lots rated, {} flagged",
            r.len(),
            r.iter().filter(|x| x.flagged).count()
        )
    });
    let (t_score, score_what) = timed(&mut || {
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
    let (t_recall, recall_what) = timed(&mut || {
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
    let mut crng = Rng::new(seed ^ 0xc0de);
    let mut complaints: Vec<LotIx> = (0..50)
        .map(|_| shipped[crng.below(shipped.len() as u64) as usize])
        .collect();
    complaints.sort();
    complaints.dedup();
    let (t_inv, inv_what) = timed(&mut || {
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
    AnalyticsTimes {
        rates: t_rates,
        score: t_score,
        recall: t_recall,
        investigation: t_inv,
    }
}

/// Every figure of the closing summary.
struct Summary {
    lots: u64,
    generated: Generated,
    t_gen: Duration,
    ingest: IngestFigures,
    t_write: Duration,
    snap_bytes: u64,
    t_load: Duration,
    back: TraceStats,
    fwd: TraceStats,
    hwm_reset: bool,
    hwm_end: Option<u64>,
    analytics: AnalyticsTimes,
}

/// Phase 6: Summary, Markdown-ready.
fn print_summary(s: &Summary) {
    let ms = |d: Duration| format!("{:.3}", d.as_secs_f64() * 1e3);
    let (read, t_ingest) = (s.ingest.read, s.ingest.took);
    let (back, fwd) = (&s.back, &s.fwd);
    println!();
    println!("| metric | {} lots |", thousands(s.lots));
    println!("|---|---|");
    println!(
        "| rows (all files) / consumptions | {} / {} |",
        thousands(read),
        thousands(s.generated.consumptions)
    );
    println!(
        "| CSV size / generate time | {:.0} MiB / {} |",
        s.generated.bytes as f64 / f64::from(1 << 20),
        fmt_dur(s.t_gen)
    );
    println!(
        "| ingest (`ingest_dir`, CsvOrParquet) | {} ({} rows/s) |",
        fmt_dur(t_ingest),
        thousands((read as f64 / secs(t_ingest)) as u64)
    );
    println!(
        "| peak memory after ingest (VmHWM) | {} |",
        mib(s.ingest.hwm)
    );
    println!(
        "| snapshot write | {} ({:.0} MiB) |",
        fmt_dur(s.t_write),
        s.snap_bytes as f64 / f64::from(1 << 20)
    );
    println!("| snapshot load (avg of 3) | {} |", fmt_dur(s.t_load));
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
        if s.hwm_reset {
            ", load + trace phase"
        } else {
            ", whole run"
        },
        mib(s.hwm_end)
    );
    let a = &s.analytics;
    for (name, d) in [
        ("return rates, all lots", a.rates),
        ("supplier scorecard", a.score),
        ("recall, 100 largest supplier lots", a.recall),
        ("investigation, 50 complaint lots", a.investigation),
    ] {
        println!("| {name} | {} |", fmt_dur(d));
    }
}

// ---------------------------------------------------------------------------

fn main() {
    let o = opts();
    println!(
        "== lotgraph scale bench: {} lots (seed {:#x}, window ±{}) ==",
        thousands(o.lots),
        o.seed,
        o.window
    );
    // The guard keeps a temporary data directory until the end of the run.
    let (_tmp_data, data_dir) = data_dir(&o);
    let (generated, t_gen) = generate_data(&data_dir, &o);
    let (ing, ingest) = ingest_data(&data_dir);
    let (ws, dataset, rejects, t_write, snap_bytes) = write_snapshot(&data_dir, ing);

    // 3b. Where ingest's time goes, measured from outside the library, with
    //     a few what-if alternatives (bench code, not library code).
    if o.breakdown {
        for (what, d) in ingest_breakdown(&data_dir, &dataset) {
            println!("  breakdown: {what}: {}", fmt_dur(d));
        }
    }
    let n_lots = dataset.lots.len();
    let hwm_reset = release(dataset, rejects);

    let (snap, t_load) = load_snapshot(ws.path(), n_lots);
    let (ds, genealogy) = (&snap.dataset, &snap.genealogy);
    let (back_roots, fwd_roots) = trace_roots(ds, genealogy, &o);
    let (mut tracer, back, fwd) = run_traces(ds, genealogy, &back_roots, &fwd_roots);
    // Read before the breakdown below, which allocates a little more.
    let hwm_end = proc_kb("VmHWM");
    let rss_end = proc_kb("VmRSS");
    if o.breakdown {
        trace_breakdown(ds, &mut tracer, &back_roots, &fwd_roots);
    }
    let analytics = analytics(ds, genealogy, o.seed);
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
    print_summary(&Summary {
        lots: o.lots,
        generated,
        t_gen,
        ingest,
        t_write,
        snap_bytes,
        t_load,
        back,
        fwd,
        hwm_reset,
        hwm_end,
        analytics,
    });
    drop(tracer);
    drop(snap);
}
