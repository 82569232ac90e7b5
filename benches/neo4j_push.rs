//! Neo4j mirror benchmark: push throughput (relationships/s) of `neo4j
//! push`'s batched `UNWIND $rows ... MERGE` on a generated genealogy,
//! against a naive one-MERGE-per-transaction push of a 50k-row sample, and
//! trace / blast-radius latency in Cypher (`queries/*.cypher`) against
//! lotgraph's in-memory engine on the same data.
//!
//! ```text
//! eval "$(scripts/neo4j-dev start)"
//! cargo bench --bench neo4j_push -- --lots 200k
//! ```
//!
//! Options: `--lots N` (default 100k; `k`/`M` suffixes), `--batch-size N`
//! (default 10000), `--concurrency N` (default 2), `--naive N` (sample size
//! of the naive push, default 50k), `--queries N` (lots per latency figure,
//! default 50), `--seed N`. It clears the database first (it is meant for
//! the dev server). The data (deterministic for a seed) are the
//! benchmarks' layered genealogy (`common/layered.rs`, the scale
//! benchmark's) with a window of ±24 lots, ingested from CSV.

// A test or bench: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::parse_count;
use lotgraph::core::analytics::balance::Balance;
use lotgraph::core::analytics::recall::simulate;
use lotgraph::core::ingest::{Ingested, ingest_dir};
use lotgraph::core::{Dataset, Direction, Genealogy, LotIx, Tracer};
use lotgraph::generate::rng::Rng;
use lotgraph::ingest::CsvOrParquet;
use lotgraph::mirror::push::{PushOptions, push};
use lotgraph::mirror::query as cypher;
use lotgraph::mirror::rows::{Rows, Set};
use lotgraph::mirror::state::SyncState;
use lotgraph::mirror::{ConnectOptions, Mirror, Statements};
use neo4rs::{BoltType, query};
use std::path::Path;
use std::time::{Duration, Instant};

struct Opts {
    lots: u64,
    batch: usize,
    concurrency: usize,
    naive: usize,
    queries: usize,
    seed: u64,
}

fn opts() -> Opts {
    let mut o = Opts {
        lots: 100_000,
        batch: 10_000,
        concurrency: 2,
        naive: 50_000,
        queries: 50,
        seed: 7,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = |name: &str| {
            parse_count(
                &args
                    .next()
                    .unwrap_or_else(|| panic!("{name} needs a value")),
            )
        };
        match a.as_str() {
            "--lots" => o.lots = val("--lots").max(1000),
            "--batch-size" => o.batch = val("--batch-size").max(1) as usize,
            "--concurrency" => o.concurrency = val("--concurrency").max(1) as usize,
            "--naive" => o.naive = val("--naive") as usize,
            "--queries" => o.queries = val("--queries").max(1) as usize,
            "--seed" => o.seed = val("--seed"),
            "--bench" => {}
            other => eprintln!("neo4j_push: ignoring unknown argument {other:?}"),
        }
    }
    o
}

/// The benchmarks' layered genealogy of `n` lots, written to a temporary
/// directory and ingested (the CSV is not part of the figures).
fn generate(n: u64, seed: u64) -> Ingested {
    let dir = tempfile::tempdir().expect("tempdir");
    common::layered::generate(dir.path(), n, seed, 24);
    ingest_dir(dir.path(), &CsvOrParquet).expect("ingest")
}

fn rows_total(rows: &Rows<'_>) -> usize {
    Set::ALL.iter().map(|s| rows.len(*s)).sum()
}

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    v.sort();
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// How to reach the dev server, from `NEO4J_*` (exits with a hint when
/// `NEO4J_URI` is not set), with a pool and a timeout sized for the bench.
fn connect_options(o: &Opts) -> ConnectOptions {
    let Ok(uri) = std::env::var("NEO4J_URI") else {
        eprintln!(
            "neo4j_push: NEO4J_URI is not set; run `eval \"$(scripts/neo4j-dev start)\"` first"
        );
        std::process::exit(2);
    };
    let user = std::env::var("NEO4J_USER").unwrap_or_else(|_| "neo4j".into());
    let mut copts = ConnectOptions::new(uri, user, None, std::env::var("NEO4J_DATABASE").ok())
        .unwrap_or_else(|e| panic!("{e}"));
    copts.max_connections = o.concurrency + 2;
    copts.query_timeout = Duration::from_hours(1);
    copts
}

/// Relationships a full push writes: one per supplied, product, consumption
/// and shipment row, and per return.
fn relationships(rows: &Rows<'_>, ds: &Dataset) -> u64 {
    [
        Set::Supplied,
        Set::OfProduct,
        Set::ConsumedInto,
        Set::Shipped,
    ]
    .iter()
    .map(|s| rows.len(*s) as u64)
    .sum::<u64>()
        + ds.returns.len() as u64
}

/// Where a push goes and how: the mirror, the workspace holding its state,
/// and the target as reports name it.
struct Target<'a> {
    m: &'a Mirror,
    ws: &'a Path,
    name: String,
}

/// Step 1: batched push of everything, into an empty database; gives the
/// options it used.
async fn batched_push(
    t: &Target<'_>,
    rows: &Rows<'_>,
    state: &mut SyncState,
    o: &Opts,
) -> PushOptions {
    let started = Instant::now();
    lotgraph::mirror::push::clear_database(t.m)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    println!(
        "cleared the database in {:.1} s (not timed below)",
        started.elapsed().as_secs_f64()
    );
    let popts = PushOptions {
        batch_size: o.batch,
        concurrency: o.concurrency,
        full: true,
        progress: true,
    };
    let r = push(t.m, rows, state, t.ws, t.name.clone(), &popts)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    println!(
        "batched push (batch {}, concurrency {}): {} rows, {} relationships in {:.1} s: {:.0} relationships/s, {:.0} rows/s",
        o.batch,
        o.concurrency,
        r.upserted,
        r.relationships,
        r.seconds,
        r.relationships as f64 / r.seconds,
        r.upserted as f64 / r.seconds
    );
    for s in &r.sets {
        println!(
            "  {:<14} {:>9} rows {:>7.2} s {:>9.0} rows/s",
            s.set,
            s.upserted,
            s.seconds,
            s.upserted as f64 / s.seconds.max(1e-9)
        );
    }
    println!("  retries after transient errors: {}", r.retries);
    popts
}

/// Deletes the sample's `CONSUMED_INTO` relationships, 10,000 at a time.
async fn delete_sample(m: &Mirror, rows: &Rows<'_>, st: &Statements, sample: &[usize]) {
    for c in sample.chunks(10_000) {
        let list: Vec<BoltType> = c
            .iter()
            .map(|i| {
                lotgraph::mirror::rows::delete_row(
                    Set::ConsumedInto,
                    &rows.key(Set::ConsumedInto, *i),
                )
            })
            .collect();
        let q = query(st.get("delete_consumed_into").expect("statement")).param("rows", list);
        m.write("deleting the sample", q).await.expect("delete");
    }
}

/// Step 2: the same sample of consumption edges, naive (one MERGE per
/// transaction) vs batched (an incremental push of just them).
async fn naive_vs_batched(
    t: &Target<'_>,
    rows: &Rows<'_>,
    state: &mut SyncState,
    popts: &PushOptions,
    o: &Opts,
) {
    let st = lotgraph::mirror::push::statements();
    let sample: Vec<usize> = (0..rows.len(Set::ConsumedInto))
        .step_by((rows.len(Set::ConsumedInto) / o.naive.max(1)).max(1))
        .take(o.naive)
        .collect();
    if sample.is_empty() {
        return;
    }
    delete_sample(t.m, rows, &st, &sample).await;
    let naive = st.get("naive_consumed_into").expect("statement");
    let started = Instant::now();
    for &i in &sample {
        let props = rows.props(Set::ConsumedInto, i);
        let mut q = query(naive);
        for (k, v) in props {
            q = q.param(k, v.bolt());
        }
        t.m.write("naive push", q).await.expect("naive");
    }
    let naive_s = started.elapsed().as_secs_f64();
    delete_sample(t.m, rows, &st, &sample).await;
    // Batched: forget the sample in the state and push again.
    let map = state.set_mut(Set::ConsumedInto);
    for &i in &sample {
        map.remove(&rows.key(Set::ConsumedInto, i));
    }
    let popts = PushOptions {
        full: false,
        progress: false,
        ..popts.clone()
    };
    let r2 = push(t.m, rows, state, t.ws, t.name.clone(), &popts)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let batched_s = r2
        .sets
        .iter()
        .find(|s| s.set == Set::ConsumedInto.name())
        .map_or(r2.seconds, |s| s.seconds);
    println!(
        "sample of {} CONSUMED_INTO rows: naive one MERGE per transaction {:.1} s ({:.0} relationships/s); batched {:.2} s ({:.0} relationships/s): {:.0}x",
        sample.len(),
        naive_s,
        sample.len() as f64 / naive_s,
        batched_s,
        sample.len() as f64 / batched_s,
        naive_s / batched_s
    );
    println!(
        "incremental push of those {} rows: {:.1} s in all, {:.1} s of it comparing {} rows with the state",
        r2.upserted,
        r2.seconds,
        r2.seconds - r2.sets.iter().map(|s| s.seconds).sum::<f64>(),
        rows_total(rows)
    );
}

/// Step 3: latency, Cypher vs lotgraph on the same lots: one table row per
/// question. Every answer's size is checked against lotgraph's.
async fn latency(m: &Mirror, ds: &Dataset, g: &Genealogy, o: &Opts) {
    let mut rng = Rng::new(o.seed ^ 0xabc);
    let n = ds.lots.len() as u64;
    let supplied = n / 5;
    let top_first = n - n / 10 + 1;
    let bal = Balance::compute(ds);
    let mut tracer = Tracer::new(g);
    let defs = [
        ("trace_back", cypher::find("trace_back").expect("query")),
        (
            "trace_forward",
            cypher::find("trace_forward").expect("query"),
        ),
        (
            "recall_blast_radius",
            cypher::find("recall_blast_radius").expect("query"),
        ),
    ];
    println!(
        "\n| question | lots | Cypher p50 (ms) | Cypher p90 (ms) | lotgraph p50 (ms) | lotgraph p90 (ms) | ratio p50 | mean closure |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (name, def) in &defs {
        let (mut cy, mut lg) = (Vec::new(), Vec::new());
        let mut closure = 0usize;
        for _ in 0..o.queries {
            let lot = match *name {
                "trace_back" => LotIx::from_ix((top_first + rng.below(n - top_first)) as usize),
                _ => LotIx::from_ix(rng.below(supplied) as usize),
            };
            let id = ds.lot_id(lot).to_owned();
            let pairs = if *name == "recall_blast_radius" {
                vec![("seeds".to_string(), id.clone())]
            } else {
                vec![("lot".to_string(), id.clone())]
            };
            let params = cypher::bind(def, &pairs).expect("params");
            let t = Instant::now();
            let a = cypher::run(m, def, params)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            cy.push(t.elapsed());
            let t = Instant::now();
            let k = match *name {
                "trace_back" => tracer.trace(ds, lot, Direction::Upstream, None).lots.len(),
                "trace_forward" => tracer
                    .trace(ds, lot, Direction::Downstream, None)
                    .lots
                    .len(),
                _ => simulate(ds, g, &bal, &[lot], 0.0).lots.len(),
            };
            lg.push(t.elapsed());
            closure += k;
            assert!(
                a.rows.len() == k,
                "{name} {id}: Cypher {} rows, lotgraph {k}",
                a.rows.len()
            );
        }
        let (c50, c90) = (percentile(&mut cy, 0.5), percentile(&mut cy, 0.9));
        let (l50, l90) = (percentile(&mut lg, 0.5), percentile(&mut lg, 0.9));
        println!(
            "| {name} | {} | {:.2} | {:.2} | {:.3} | {:.3} | {:.0}x | {:.0} |",
            o.queries,
            ms(c50),
            ms(c90),
            ms(l50),
            ms(l90),
            ms(c50) / ms(l50).max(1e-6),
            closure as f64 / o.queries as f64
        );
    }
}

fn main() {
    let o = opts();
    let copts = connect_options(&o);
    let t = Instant::now();
    let Ingested {
        dataset: ds,
        genealogy: g,
        ..
    } = generate(o.lots, o.seed);
    let rows = Rows::new(&ds, &g);
    println!(
        "# neo4j_push: {} lots, {} consumption rows ({} distinct pairs), {} relationships to write; generated in {:.1} s",
        ds.lots.len(),
        ds.consumptions.len(),
        g.edge_count(),
        relationships(&rows, &ds),
        t.elapsed().as_secs_f64()
    );
    let rt = lotgraph::mirror::runtime().expect("runtime");
    let ws = tempfile::tempdir().expect("tempdir");
    rt.block_on(async {
        let m = Mirror::connect(&copts)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let target = Target {
            m: &m,
            ws: ws.path(),
            name: copts.target(),
        };
        let mut state = SyncState::default();
        let popts = batched_push(&target, &rows, &mut state, &o).await;
        naive_vs_batched(&target, &rows, &mut state, &popts, &o).await;
        latency(&m, &ds, &g, &o).await;
    });
}
