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
use common::layered::generate;
use common::parse_count;
use lotgraph::core::analytics::balance::Balance;
use lotgraph::core::analytics::investigate::{Investigation, population};
use lotgraph::core::analytics::recall::simulate;
use lotgraph::core::analytics::returns::{ReturnFilter, lot_rates};
use lotgraph::core::analytics::suppliers::{ScoreInputs, Window, scorecard};
use lotgraph::core::ingest::{Ingested, ingest_dir};
use lotgraph::core::model::Origin;
use lotgraph::core::{Direction, LotIx, TraceLot, Tracer};
use lotgraph::generate::rng::Rng;
use lotgraph::ingest::CsvOrParquet;
use lotgraph::snapshot::{self, FileCount, Manifest, SNAPSHOT_VERSION};
use measure::*;
use std::path::PathBuf;
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
