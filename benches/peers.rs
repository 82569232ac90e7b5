//! lotgraph's side of the peer benchmark (`scripts/bench-peers.py`): loads a
//! workspace snapshot, picks the workload (random lots to trace back and
//! forward, random supplier lots to recall), times every query through the
//! library, and writes the workload, lotgraph's answers and its timings as
//! one JSON file. The script then asks `DuckDB`, `PostgreSQL` and Neo4j the same
//! questions on the same data, checks their answers against these before
//! timing them, and reports the ratios.
//!
//! ```text
//! cargo bench --bench peers -- --workspace WS --out lotgraph.json [--traces 1000] [--recalls 100] [--complaints 50] [--seed 7]
//! ```
//!
//! Everything is measured the way a server would answer: the snapshot is
//! loaded once (its load time is reported separately), then each query runs
//! once to warm up and once timed, like the peers. A trace is the product's
//! `Tracer::trace` (closure, depths, shares, sorted), a recall is
//! `recall::simulate_with` of one lot (closure, stock, customers; the tracer
//! is reused, as a server would), the scorecard
//! is `ScoreInputs::compute` + `scorecard`, the investigation is
//! `population` + `Investigation::run` of 50 returned lots (both timed
//! three times).

// A test or bench: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use lotgraph::core::analytics::balance::Balance;
use lotgraph::core::analytics::investigate::{Investigation, Source, population};
use lotgraph::core::analytics::recall::simulate_with;
use lotgraph::core::analytics::returns::ReturnFilter;
use lotgraph::core::analytics::suppliers::{ScoreInputs, Window, scorecard};
use lotgraph::core::model::Origin;
use lotgraph::core::{Dataset, Direction, Genealogy, LotIx, Tracer};
use lotgraph::generate::rng::Rng;
use lotgraph::snapshot;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Instant;

struct Opts {
    workspace: PathBuf,
    out: PathBuf,
    traces: usize,
    recalls: usize,
    complaints: usize,
    seed: u64,
}

fn opts() -> Opts {
    let mut o = Opts {
        workspace: PathBuf::new(),
        out: PathBuf::new(),
        traces: 1000,
        recalls: 100,
        complaints: 50,
        seed: 7,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--workspace" => o.workspace = PathBuf::from(val()),
            "--out" => o.out = PathBuf::from(val()),
            "--traces" => o.traces = val().parse().expect("--traces N"),
            "--recalls" => o.recalls = val().parse().expect("--recalls N"),
            "--complaints" => o.complaints = val().parse().expect("--complaints N"),
            "--seed" => o.seed = val().parse().expect("--seed N"),
            // cargo bench passes --bench to harness=false benches.
            "--bench" => {}
            other => panic!("unknown option {other}"),
        }
    }
    assert!(
        !o.workspace.as_os_str().is_empty() && !o.out.as_os_str().is_empty(),
        "usage: peers --workspace WS --out FILE [--traces N] [--recalls N] [--complaints N] [--seed N]"
    );
    o
}

/// Distinct random lots satisfying `ok`, at most `count` (fewer when fewer
/// qualify), so that every lot's timing is one query.
fn pick(rng: &mut Rng, n: usize, count: usize, ok: &dyn Fn(LotIx) -> bool) -> Vec<LotIx> {
    let eligible = (0..n).map(LotIx::from_ix).filter(|l| ok(*l)).count();
    let want = count.min(eligible);
    let mut seen = vec![false; n];
    let mut out = Vec::with_capacity(want);
    while out.len() < want {
        let l = LotIx::from_ix(rng.below(n as u64) as usize);
        if ok(l) && !seen[l.ix()] {
            seen[l.ix()] = true;
            out.push(l);
        }
    }
    out
}

/// Answers to one kind of query, one per workload item, with their times
/// in nanoseconds.
struct Timed {
    answers: Vec<Value>,
    times: Vec<u64>,
}

/// One trace per root, warmed up once then timed; the answer is every
/// closure lot as `[id, depth, share]`.
fn time_traces(tracer: &mut Tracer, ds: &Dataset, roots: &[LotIx], dir: Direction) -> Timed {
    let mut answers = Vec::with_capacity(roots.len());
    let mut times = Vec::with_capacity(roots.len());
    for &r in roots {
        std::hint::black_box(tracer.trace(ds, r, dir, None));
        let t = Instant::now();
        let tr = tracer.trace(ds, r, dir, None);
        times.push(t.elapsed().as_nanos() as u64);
        answers.push(Value::Array(
            tr.lots
                .iter()
                .map(|x| json!([ds.lot_id(x.lot), x.depth, x.share]))
                .collect(),
        ));
    }
    Timed { answers, times }
}

/// One recall per supplier lot, warmed up once then timed; the answer is
/// the closure and the customers' quantities.
fn time_recalls(tracer: &mut Tracer, ds: &Dataset, bal: &Balance, lots: &[LotIx]) -> Timed {
    let id = |l: LotIx| ds.lot_id(l);
    let mut answers = Vec::with_capacity(lots.len());
    let mut times = Vec::with_capacity(lots.len());
    for &s in lots {
        std::hint::black_box(simulate_with(tracer, ds, bal, &[s], 0.0));
        let t = Instant::now();
        let r = simulate_with(tracer, ds, bal, &[s], 0.0);
        times.push(t.elapsed().as_nanos() as u64);
        answers.push(json!({
            "lots": r.lots.iter().map(|x| json!([id(x.lot), x.depth, x.share])).collect::<Vec<_>>(),
            "customers": r.customers.iter()
                .map(|c| json!([ds.customers[c.customer.ix()].id, c.quantity]))
                .collect::<Vec<_>>(),
        }));
    }
    Timed { answers, times }
}

/// The scorecard, computed three times; the answer is every supplier's
/// attributed returned and shipped quantities, sorted by supplier id.
fn time_scorecard(ds: &Dataset, g: &Genealogy) -> (Vec<Value>, Vec<u64>) {
    let mut times = Vec::new();
    let mut card = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let inputs = ScoreInputs::compute(ds, g, &ReturnFilter::default()).expect("acyclic");
        card = scorecard(ds, g, &inputs, Window::default());
        times.push(t.elapsed().as_nanos() as u64);
    }
    let mut scores: Vec<Value> = card
        .iter()
        .map(|s| {
            json!([
                ds.suppliers[s.supplier.ix()].id,
                s.attributed_returned,
                s.attributed_shipped
            ])
        })
        .collect();
    scores.sort_by(|a, b| a[0].as_str().cmp(&b[0].as_str()));
    (scores, times)
}

/// `count` distinct returned lots, drawn at random: the complaint lots.
fn pick_complaints(rng: &mut Rng, ds: &Dataset, count: usize) -> Vec<LotIx> {
    let mut returned: Vec<LotIx> = ds.returns.iter().map(|r| r.lot).collect();
    returned.sort();
    returned.dedup();
    let mut complaints = Vec::new();
    let mut taken = vec![false; returned.len()];
    while complaints.len() < count.min(returned.len()) {
        let i = rng.below(returned.len() as u64) as usize;
        if !taken[i] {
            taken[i] = true;
            complaints.push(returned[i]);
        }
    }
    complaints
}

/// Investigation of the complaint lots, as `investigate --lot ...` does it,
/// population included, three times; the answer the peers can check is
/// every lot candidate with what it reaches, sorted by lot id.
fn time_investigation(ds: &Dataset, g: &Genealogy, complaints: &[LotIx]) -> (Vec<Value>, Vec<u64>) {
    let mut times = Vec::new();
    let mut inv = None;
    for _ in 0..3 {
        let t = Instant::now();
        let pop = population(ds);
        let r = Investigation::run(ds, g, complaints, &pop);
        times.push(t.elapsed().as_nanos() as u64);
        inv = Some(r);
    }
    let mut inv_lots: Vec<Value> = inv
        .iter()
        .flat_map(|r| &r.candidates)
        .filter_map(|c| match c.source {
            Source::Lot(l) => Some(json!([
                ds.lot_id(l),
                c.complaint_lots.len(),
                c.other_lots_reached
            ])),
            _ => None,
        })
        .collect();
    inv_lots.sort_by(|a, b| a[0].as_str().cmp(&b[0].as_str()));
    (inv_lots, times)
}

/// Median of nanosecond samples, in microseconds.
fn p50_us(v: &[u64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0) as f64 / 1e3
}

fn main() {
    let o = opts();
    let t = Instant::now();
    let snap = snapshot::load(&o.workspace).expect("load snapshot");
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    let (ds, g) = (&snap.dataset, &snap.genealogy);
    let n = ds.lots.len();

    // The workload: produced lots to trace back, consumed lots to trace
    // forward (a lot nothing was made from has an empty forward trace),
    // consumed supplier lots to recall.
    let mut rng = Rng::new(o.seed);
    let back = pick(&mut rng, n, o.traces, &|l| {
        ds.lot(l).origin == Origin::Produced
    });
    let fwd = pick(&mut rng, n, o.traces, &|l| g.outputs().degree(l) > 0);
    let recalls = pick(&mut rng, n, o.recalls, &|l| {
        ds.lot(l).origin == Origin::Supplied && g.outputs().degree(l) > 0
    });

    let mut tracer = Tracer::new(g);
    let back_t = time_traces(&mut tracer, ds, &back, Direction::Upstream);
    let fwd_t = time_traces(&mut tracer, ds, &fwd, Direction::Downstream);

    // Stock and shipment totals are what a recall reads; the product
    // computes them once per command, so they are set up outside the timer
    // and reported with the load, like the peers' derived tables.
    let t = Instant::now();
    let bal = Balance::compute(ds);
    let prepare_ms = t.elapsed().as_secs_f64() * 1e3;
    let recall_t = time_recalls(&mut tracer, ds, &bal, &recalls);

    let (scores, score_times) = time_scorecard(ds, g);
    let complaints = pick_complaints(&mut rng, ds, o.complaints);
    let (inv_lots, inv_times) = time_investigation(ds, g, &complaints);

    // The medians are printed after the file is written, which takes the
    // timings.
    let p50s = [
        &back_t.times,
        &fwd_t.times,
        &recall_t.times,
        &score_times,
        &inv_times,
    ]
    .map(|v| p50_us(v));
    let ids = |v: &[LotIx]| v.iter().map(|l| ds.lot_id(*l)).collect::<Vec<_>>();
    let doc = json!({
        "lots": n,
        "consumptions": ds.consumptions.len(),
        "snapshot_load_ms": load_ms,
        // Like the peers' derived tables (counted in their load).
        "prepare_ms": prepare_ms,
        "workload": {
            "trace_back": ids(&back),
            "trace_forward": ids(&fwd),
            "recall": ids(&recalls),
            "investigate": ids(&complaints),
        },
        "answers": {
            "trace_back": back_t.answers,
            "trace_forward": fwd_t.answers,
            "recall": recall_t.answers,
            "scorecard": scores,
            "investigate": inv_lots,
        },
        "timings_ns": {
            "trace_back": back_t.times,
            "trace_forward": fwd_t.times,
            "recall": recall_t.times,
            "scorecard": score_times,
            "investigate": inv_times,
        },
    });
    let f = std::fs::File::create(&o.out).expect("create --out");
    serde_json::to_writer(std::io::BufWriter::new(f), &doc).expect("write --out");
    eprintln!(
        "lotgraph: {n} lots, load {load_ms:.0} ms; p50 trace back {:.1} µs, forward {:.1} µs, recall {:.1} µs; scorecard {:.1} ms; investigation {:.1} ms",
        p50s[0],
        p50s[1],
        p50s[2],
        p50s[3] / 1e3,
        p50s[4] / 1e3,
    );
}
