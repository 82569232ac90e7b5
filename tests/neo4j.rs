//! Integration tests of the Neo4j mirror against a real Neo4j server.
//!
//! They need `NEO4J_URI`, `NEO4J_USER` and `NEO4J_PASSWORD`; without
//! `NEO4J_URI` every test prints a loud SKIP and returns (so a plain
//! `cargo test` passes). `scripts/test-neo4j.sh` starts the dev server
//! (`scripts/neo4j-dev`), runs them serially and stops it; in CI it fails
//! when Neo4j cannot start. The tests share one database: each takes a
//! global lock, clears the database and uses its own temporary workspace.
//! The server-stopped-mid-push test runs last (`zz_` prefix) and only
//! against the dev server, which it stops and restarts on the same port.
//!
//! Every Cypher answer is compared with the in-memory engine through the
//! `lotgraph` library: sets exactly, numbers within 1e-9 (relative for
//! quantities larger than 1).

use lotgraph::core::analytics::balance::Balance;
use lotgraph::core::analytics::investigate::{investigate, population};
use lotgraph::core::analytics::recall::simulate;
use lotgraph::core::analytics::returns::{ReturnFilter, lot_rates};
use lotgraph::core::analytics::suppliers::{ScoreInputs, Window, scorecard};
use lotgraph::core::model::{Origin, ReturnCategory};
use lotgraph::core::{Direction, LotIx, Tracer};
use lotgraph::generate::rng::Rng;
use lotgraph::mirror::query as cypher;
use lotgraph::mirror::{ConnectOptions, Mirror};
use lotgraph::snapshot::{self, Snapshot};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

static SERIAL: Mutex<()> = Mutex::new(());

/// Writes straight to stderr: libtest captures `eprintln!` of passing
/// tests, and a skip must be seen.
fn loud(msg: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "\n!!!!! {msg} !!!!!\n");
}

fn have_server(test: &str) -> bool {
    match std::env::var("NEO4J_URI") {
        Ok(u) if !u.is_empty() => true,
        _ => {
            loud(&format!(
                "SKIP {test}: NEO4J_URI is not set, so this Neo4j test did NOT run. \
                 Run scripts/test-neo4j.sh (it starts a Neo4j dev server)"
            ));
            false
        }
    }
}

/// Takes the lock, clears the database; `None` (skip) without a server.
fn setup(test: &str) -> Option<std::sync::MutexGuard<'static, ()>> {
    if !have_server(test) {
        return None;
    }
    let guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let rt = lotgraph::mirror::runtime().unwrap();
    rt.block_on(async {
        let m = connect().await;
        lotgraph::mirror::push::clear_database(&m)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    });
    Some(guard)
}

fn options() -> ConnectOptions {
    ConnectOptions::new(
        std::env::var("NEO4J_URI").unwrap(),
        std::env::var("NEO4J_USER").unwrap_or_else(|_| "neo4j".into()),
        None,
        std::env::var("NEO4J_DATABASE").ok(),
    )
    .unwrap()
}

async fn connect() -> Mirror {
    Mirror::connect(&options())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn lotgraph(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lotgraph"))
        .args(args)
        .env_remove("LOTGRAPH_WORKSPACE")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ingest(data: &Path, ws: &Path) {
    let o = lotgraph(&["ingest", data.to_str().unwrap(), "-w", ws.to_str().unwrap()]);
    assert!(o.status.success(), "ingest failed: {}", stderr(&o));
}

fn push(ws: &Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "neo4j",
        "push",
        "-w",
        ws.to_str().unwrap(),
        "--format",
        "json",
        "--no-progress",
    ];
    args.extend_from_slice(extra);
    let o = lotgraph(&args);
    assert!(o.status.success(), "push failed: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn verify(ws: &Path) -> (i32, Value) {
    let o = lotgraph(&[
        "neo4j",
        "verify",
        "-w",
        ws.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let code = o.status.code().unwrap_or(-1);
    assert!(code == 0 || code == 1, "verify failed: {}", stderr(&o));
    (code, serde_json::from_slice(&o.stdout).unwrap())
}

fn assert_verified(ws: &Path) {
    let (code, v) = verify(ws);
    assert_eq!(code, 0, "verify found differences: {v:#}");
    assert_eq!(v["ok"], Value::Bool(true));
}

/// Per-set counts of a push report: set → (upserted, deleted).
fn pushed(report: &Value) -> BTreeMap<String, (u64, u64)> {
    report["sets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["set"].as_str().unwrap().to_string(),
                (
                    s["upserted"].as_u64().unwrap(),
                    s["deleted"].as_u64().unwrap(),
                ),
            )
        })
        .collect()
}

/// Runs a query through the library (the CLI's code path without the
/// process), rows as maps.
fn run_query(
    rt: &tokio::runtime::Runtime,
    m: &Mirror,
    name: &str,
    pairs: &[(&str, &str)],
) -> Vec<Map<String, Value>> {
    let def = cypher::find(name).unwrap();
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let params = cypher::bind(&def, &pairs).unwrap();
    let a = rt
        .block_on(cypher::run(m, &def, params))
        .unwrap_or_else(|e| panic!("{e}"));
    a.rows
        .iter()
        .map(|r| {
            a.columns
                .iter()
                .zip(r)
                .map(|(c, v)| (c.to_string(), v.clone()))
                .collect()
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn num(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn assert_close(what: &str, engine: Option<f64>, neo: Option<f64>) {
    match (engine, neo) {
        (None, None) => {}
        (Some(a), Some(b)) if close(a, b) => {}
        _ => panic!("{what}: lotgraph {engine:?}, Cypher {neo:?}"),
    }
}

struct Engine {
    snap: Snapshot,
}

impl Engine {
    fn load(ws: &Path) -> Engine {
        Engine {
            snap: snapshot::load(ws).unwrap(),
        }
    }

    fn id(&self, l: LotIx) -> String {
        self.snap.dataset.lot_id(l).to_string()
    }

    fn lots(&self) -> impl Iterator<Item = LotIx> + '_ {
        (0..self.snap.dataset.lots.len()).map(LotIx::from_ix)
    }

    /// trace_back / trace_forward of `lot` equal the engine's trace.
    fn check_trace(&self, rt: &tokio::runtime::Runtime, m: &Mirror, lot: LotIx, dir: Direction) {
        let (ds, g) = (&self.snap.dataset, &self.snap.genealogy);
        let t = Tracer::new(g).trace(ds, lot, dir, None);
        let want: BTreeMap<String, (u32, f64)> = t
            .lots
            .iter()
            .map(|x| (self.id(x.lot), (x.depth, x.share)))
            .collect();
        let name = match dir {
            Direction::Upstream => "trace_back",
            Direction::Downstream => "trace_forward",
        };
        let id = self.id(lot);
        let rows = run_query(rt, m, name, &[("lot", &id)]);
        let got: BTreeMap<String, (u32, f64)> = rows
            .iter()
            .map(|r| {
                (
                    r["lot_id"].as_str().unwrap().to_string(),
                    (
                        r["depth"].as_u64().unwrap() as u32,
                        num(&r["share"]).unwrap(),
                    ),
                )
            })
            .collect();
        assert_eq!(
            want.keys().collect::<Vec<_>>(),
            got.keys().collect::<Vec<_>>(),
            "{name} {id:?}: different lots"
        );
        for (k, (d, s)) in &want {
            let (gd, gs) = got[k];
            assert_eq!(*d, gd, "{name} {id:?}: depth of {k:?}");
            assert_close(
                &format!("{name} {id:?}: share of {k:?}"),
                Some(*s),
                Some(gs),
            );
        }
        let basis: BTreeMap<String, Option<&str>> = rows
            .iter()
            .map(|r| {
                (
                    r["lot_id"].as_str().unwrap().to_string(),
                    r["share_basis"].as_str(),
                )
            })
            .collect();
        for x in &t.lots {
            let want = g.basis(x.lot).map(|b| b.as_str());
            assert_eq!(basis[&self.id(x.lot)], want, "{name} {id:?}: share_basis");
        }
        if dir == Direction::Downstream {
            // The traced quantity of the root in every lot made from it.
            let mut tq = BTreeMap::new();
            let quantity = |l: LotIx| ds.lots.quantity[l.ix()];
            Tracer::new(g).traced_quantities(&[lot], quantity, |l, _, q| {
                tq.insert(self.id(l), q);
            });
            for r in &rows {
                let k = r["lot_id"].as_str().unwrap();
                assert_close(
                    &format!("{name} {id:?}: seed_quantity of {k:?}"),
                    tq.get(k).copied(),
                    num(&r["seed_quantity"]),
                );
            }
        }
    }

    fn check_recall(
        &self,
        rt: &tokio::runtime::Runtime,
        m: &Mirror,
        seeds: &[LotIx],
        min_share: f64,
    ) {
        let (ds, g) = (&self.snap.dataset, &self.snap.genealogy);
        let r = simulate(ds, g, &Balance::compute(ds), seeds, min_share);
        let want: BTreeMap<String, (u32, f64)> = r
            .lots
            .iter()
            .map(|x| (self.id(x.lot), (x.depth, x.share)))
            .collect();
        let ids: Vec<String> = seeds.iter().map(|s| self.id(*s)).collect();
        let ms = min_share.to_string();
        let mut pairs: Vec<(&str, &str)> = ids.iter().map(|i| ("seeds", i.as_str())).collect();
        pairs.push(("min_share", &ms));
        let rows = run_query(rt, m, "recall_blast_radius", &pairs);
        let got: BTreeMap<String, (u32, f64)> = rows
            .iter()
            .map(|r| {
                (
                    r["lot_id"].as_str().unwrap().to_string(),
                    (
                        r["depth"].as_u64().unwrap() as u32,
                        num(&r["share"]).unwrap(),
                    ),
                )
            })
            .collect();
        assert_eq!(
            want.keys().collect::<Vec<_>>(),
            got.keys().collect::<Vec<_>>(),
            "recall {ids:?} min_share {min_share}: different lots"
        );
        for (k, (d, s)) in &want {
            let (gd, gs) = got[k];
            assert_eq!(*d, gd, "recall {ids:?}: depth of {k:?}");
            assert_close(
                &format!("recall {ids:?}: share of {k:?}"),
                Some(*s),
                Some(gs),
            );
        }
        // Seed quantities per unit: the engine's (unit, quantity) pairs
        // against Cypher's list of {uom, quantity} maps.
        let neo: BTreeMap<&str, &Value> = rows
            .iter()
            .map(|r| (r["lot_id"].as_str().unwrap(), &r["seed_quantities"]))
            .collect();
        for x in &r.lots {
            let id = self.id(x.lot);
            let got: Vec<(String, f64)> = neo[id.as_str()]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| {
                    (
                        u["uom"].as_str().unwrap_or("").to_string(),
                        num(&u["quantity"]).unwrap(),
                    )
                })
                .filter(|u| u.1 != 0.0)
                .collect();
            let want: Vec<&(String, f64)> = x.seed_quantity.iter().filter(|u| u.1 != 0.0).collect();
            assert_eq!(
                want.iter().map(|u| &u.0).collect::<Vec<_>>(),
                got.iter().map(|u| &u.0).collect::<Vec<_>>(),
                "recall {ids:?}: units of {id:?}"
            );
            for (w, g) in want.iter().zip(&got) {
                assert_close(
                    &format!("recall {ids:?}: seed quantity of {id:?} in {}", w.0),
                    Some(w.1),
                    Some(g.1),
                );
            }
        }
    }

    fn check_returns(&self, rt: &tokio::runtime::Runtime, m: &Mirror, category: Option<&str>) {
        let ds = &self.snap.dataset;
        let filter = ReturnFilter {
            category: category.map(|c| ReturnCategory::parse(c).unwrap()),
            ..ReturnFilter::default()
        };
        let want = lot_rates(ds, &filter);
        let pairs: Vec<(&str, &str)> = category.iter().map(|c| ("category", *c)).collect();
        let rows = run_query(rt, m, "return_rates", &pairs);
        let got: BTreeMap<String, &Map<String, Value>> = rows
            .iter()
            .map(|r| (r["lot_id"].as_str().unwrap().to_string(), r))
            .collect();
        let want_ids: BTreeSet<String> = want.iter().map(|r| self.id(r.lot)).collect();
        assert_eq!(
            want_ids,
            got.keys().cloned().collect::<BTreeSet<_>>(),
            "return_rates {category:?}: different lots"
        );
        for w in &want {
            let id = self.id(w.lot);
            let r = got[&id];
            let what = |c: &str| format!("return_rates {category:?} {id:?} {c}");
            assert_close(&what("shipped"), Some(w.shipped), num(&r["shipped"]));
            assert_close(&what("returned"), Some(w.returned), num(&r["returned"]));
            assert_close(&what("rate"), w.rate, num(&r["rate"]));
            assert_close(&what("ci_low"), w.ci_low, num(&r["ci_low"]));
            assert_close(&what("ci_high"), w.ci_high, num(&r["ci_high"]));
            assert_close(&what("baseline"), w.baseline, num(&r["baseline"]));
        }
    }

    fn check_suppliers(&self, rt: &tokio::runtime::Runtime, m: &Mirror) {
        let (ds, g) = (&self.snap.dataset, &self.snap.genealogy);
        let inputs = ScoreInputs::compute(ds, g, &ReturnFilter::default()).unwrap();
        let want = scorecard(ds, g, &inputs, Window::default());
        let rows = run_query(rt, m, "supplier_attributed_returns", &[]);
        let got: BTreeMap<String, &Map<String, Value>> = rows
            .iter()
            .map(|r| (r["supplier_id"].as_str().unwrap().to_string(), r))
            .collect();
        let want_ids: BTreeSet<String> = want
            .iter()
            .map(|s| ds.suppliers[s.supplier.ix()].id.clone())
            .collect();
        assert_eq!(
            want_ids,
            got.keys().cloned().collect::<BTreeSet<_>>(),
            "supplier_attributed_returns: different suppliers"
        );
        for w in &want {
            let id = &ds.suppliers[w.supplier.ix()].id;
            let r = got[id];
            assert_eq!(r["lots"].as_u64(), Some(w.lots), "lots of {id:?}");
            let what = |c: &str| format!("supplier {id:?} {c}");
            assert_close(
                &what("attributed_returned"),
                Some(w.attributed_returned),
                num(&r["attributed_returned"]),
            );
            assert_close(
                &what("attributed_shipped"),
                Some(w.attributed_shipped),
                num(&r["attributed_shipped"]),
            );
            assert_close(
                &what("rate"),
                w.attributed_return_rate,
                num(&r["attributed_return_rate"]),
            );
        }
    }

    fn check_common_source(&self, rt: &tokio::runtime::Runtime, m: &Mirror, complaints: &[LotIx]) {
        let (ds, g) = (&self.snap.dataset, &self.snap.genealogy);
        let ranked = investigate(ds, g, complaints, &population(ds));
        type Key = (String, String);
        let want: BTreeMap<Key, (u64, u64, BTreeSet<String>)> = ranked
            .iter()
            .map(|c| {
                (
                    (c.source.kind().to_string(), c.source.id(ds).to_string()),
                    (
                        c.complaint_lots.len() as u64,
                        c.other_lots_reached,
                        c.complaint_lots.iter().map(|l| self.id(*l)).collect(),
                    ),
                )
            })
            .collect();
        let ids: Vec<String> = complaints.iter().map(|s| self.id(*s)).collect();
        let pairs: Vec<(&str, &str)> = ids.iter().map(|i| ("lots", i.as_str())).collect();
        let rows = run_query(rt, m, "common_source", &pairs);
        let got: BTreeMap<Key, (u64, u64, BTreeSet<String>)> = rows
            .iter()
            .map(|r| {
                (
                    (
                        r["kind"].as_str().unwrap().to_string(),
                        r["id"].as_str().unwrap().to_string(),
                    ),
                    (
                        r["complaint_lots_reached"].as_u64().unwrap(),
                        r["other_lots_reached"].as_u64().unwrap(),
                        r["evidence"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|e| e.as_str().unwrap().to_string())
                            .collect(),
                    ),
                )
            })
            .collect();
        assert_eq!(want, got, "common_source {ids:?}");
    }

    /// Every query for every lot (traces), and a few seed and complaint sets.
    fn check_everything(&self, rt: &tokio::runtime::Runtime, m: &Mirror, every: usize) {
        let ds = &self.snap.dataset;
        for l in self.lots().step_by(every.max(1)) {
            self.check_trace(rt, m, l, Direction::Upstream);
            self.check_trace(rt, m, l, Direction::Downstream);
        }
        let supplied: Vec<LotIx> = self
            .lots()
            .filter(|l| ds.lot(*l).origin == Origin::Supplied)
            .collect();
        let produced: Vec<LotIx> = self
            .lots()
            .filter(|l| ds.lot(*l).origin == Origin::Produced)
            .collect();
        for (k, s) in supplied.iter().enumerate().step_by(every.max(1)) {
            self.check_recall(rt, m, &[*s], 0.0);
            if let Some(p) = produced.get(k % produced.len().max(1)) {
                // A seed set mixing a raw lot and a produced lot (seeds
                // downstream of seeds stay at share 1).
                self.check_recall(rt, m, &[*s, *p], 0.05);
            }
        }
        self.check_returns(rt, m, None);
        for c in ["quality", "safety"] {
            self.check_returns(rt, m, Some(c));
        }
        self.check_suppliers(rt, m);
        let returned: BTreeSet<LotIx> = ds.returns.iter().map(|r| r.lot).collect();
        let returned: Vec<LotIx> = returned.into_iter().collect();
        if !returned.is_empty() {
            self.check_common_source(rt, m, &returned[..returned.len().min(7)]);
            self.check_common_source(rt, m, &returned[..1]);
        }
        if let Some(p) = produced.last() {
            self.check_common_source(rt, m, &[*p]);
        }
    }
}

// ---------------------------------------------------------------- data

fn write_csv(dir: &Path, name: &str, header: &[&str], rows: &[Vec<String>]) {
    let mut w = csv::Writer::from_path(dir.join(name)).unwrap();
    w.write_record(header).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
}

/// A random layered DAG genealogy in the record format: `n` lots, a third
/// supplied, the rest produced in up to four levels, each consuming 1-4
/// lots of any lower level (parallel rows included); shipments to
/// customers and to a DC, returns and inspections. `ids` names lot `i`.
fn random_dataset(dir: &Path, seed: u64, n: usize, ids: &dyn Fn(usize) -> String) {
    let mut rng = Rng::new(seed);
    let s = |x: &str| x.to_string();
    write_csv(
        dir,
        "suppliers.csv",
        &["supplier_id", "name"],
        &[
            vec![s("S1"), s("One")],
            vec![s("S2"), s("Two")],
            vec![s("S3"), s("Three")],
        ],
    );
    write_csv(
        dir,
        "sites.csv",
        &["site_id", "kind"],
        &[
            vec![s("P1"), s("plant")],
            vec![s("P2"), s("plant")],
            vec![s("DC1"), s("dc")],
        ],
    );
    let customers: Vec<String> = (0..5).map(|i| format!("K{i}")).collect();
    write_csv(
        dir,
        "customers.csv",
        &["customer_id", "contact"],
        &customers
            .iter()
            .map(|c| vec![c.clone(), format!("{c}@x")])
            .collect::<Vec<_>>(),
    );
    // Record format v2: mass units, a volume with kg_per_uom, a packaging
    // SKU (coverage weights) and finished goods with a mass per unit.
    write_csv(
        dir,
        "products.csv",
        &["sku", "category", "uom", "kg_per_uom"],
        &[
            vec![s("RAW-0"), s("raw"), s("kg"), s("")],
            vec![s("RAW-1"), s("raw"), s("LTR"), s("0.91")],
            vec![s("RAW-2"), s("packaging"), s("ea"), s("")],
            vec![s("MIX"), s("intermediate"), s("kg"), s("")],
            vec![s("FIN"), s("finished"), s("ea"), s("0.3")],
        ],
    );
    let supplied = (n / 3).max(2);
    let mut level = vec![0usize; n];
    let mut by_level: Vec<Vec<usize>> = vec![Vec::new(); 5];
    let mut lots = Vec::new();
    let mut cons = Vec::new();
    for i in 0..n {
        if i < supplied {
            lots.push(vec![
                ids(i),
                format!("RAW-{}", i % 3),
                s("supplied"),
                format!("S{}", 1 + i % 3),
                s("P1"),
                s(""),
                s(""),
                s("2024-01-02"),
                format!("{}", 50 + rng.below(100)),
            ]);
            by_level[0].push(i);
        } else {
            // Level at most 4: the first input from the level below (when
            // there is one), the others from any lower level. Only earlier
            // lots are inputs, so the genealogy is acyclic.
            let target = 1 + rng.below(4) as usize;
            let below = (0..target)
                .rev()
                .find(|l| !by_level[*l].is_empty())
                .unwrap_or(0);
            let lower: Vec<usize> = by_level[..=below].concat();
            let mut lvl = 0;
            for m in 0..1 + rng.below(4) {
                let input = if m == 0 {
                    by_level[below][rng.below(by_level[below].len() as u64) as usize]
                } else {
                    lower[rng.below(lower.len() as u64) as usize]
                };
                lvl = lvl.max(level[input] + 1);
                let q = format!("{}.{}", 1 + rng.below(30), rng.below(10));
                cons.push(vec![ids(input), ids(i), q.clone()]);
                if rng.below(8) == 0 {
                    cons.push(vec![ids(input), ids(i), q]); // a parallel row
                }
            }
            level[i] = lvl;
            by_level[lvl].push(i);
            lots.push(vec![
                ids(i),
                if lvl >= 2 { s("FIN") } else { s("MIX") },
                s("produced"),
                s(""),
                format!("P{}", 1 + rng.below(2)),
                format!("L{}", 1 + rng.below(3)),
                s("2024-02-01"),
                s(""),
                format!("{}", 20 + rng.below(200)),
            ]);
        }
    }
    write_csv(
        dir,
        "lots.csv",
        &[
            "lot_id",
            "sku",
            "origin",
            "supplier_id",
            "site_id",
            "line",
            "produced_on",
            "received_on",
            "quantity",
        ],
        &lots,
    );
    write_csv(
        dir,
        "consumptions.csv",
        &["input_lot_id", "output_lot_id", "quantity"],
        &cons,
    );
    let mut ships = Vec::new();
    let mut rets = Vec::new();
    for i in supplied..n {
        if rng.below(3) == 0 {
            continue;
        }
        for j in 0..1 + rng.below(3) {
            let sid = format!("SH-{i}-{j}");
            if rng.below(5) == 0 {
                ships.push(vec![
                    sid,
                    ids(i),
                    s("5"),
                    s("DC1"),
                    s(""),
                    s("2024-03-01"),
                    s("2024-03-02"),
                ]);
            } else {
                let c = customers[rng.below(5) as usize].clone();
                ships.push(vec![
                    sid,
                    ids(i),
                    format!("{}", 10 + rng.below(50)),
                    s(""),
                    c.clone(),
                    s("2024-03-01"),
                    if rng.below(4) == 0 {
                        s("")
                    } else {
                        s("2024-03-03")
                    },
                ]);
                if rng.below(3) == 0 {
                    rets.push(vec![
                        format!("RT-{i}-{j}"),
                        ids(i),
                        c,
                        format!("{}", 1 + rng.below(5)),
                        s(["quality", "safety", "defect"][rng.below(3) as usize]),
                        s("2024-04-01"),
                    ]);
                }
            }
        }
    }
    write_csv(
        dir,
        "shipments.csv",
        &[
            "shipment_id",
            "lot_id",
            "quantity",
            "to_site_id",
            "customer_id",
            "shipped_on",
            "delivered_on",
        ],
        &ships,
    );
    write_csv(
        dir,
        "returns.csv",
        &[
            "return_id",
            "lot_id",
            "customer_id",
            "quantity",
            "category",
            "reported_on",
        ],
        &rets,
    );
    let insp: Vec<Vec<String>> = (0..supplied)
        .filter(|i| i % 2 == 0)
        .map(|i| {
            vec![
                format!("IN-{i}"),
                ids(i),
                if i % 4 == 0 { s("fail") } else { s("pass") },
            ]
        })
        .collect();
    write_csv(
        dir,
        "inspections.csv",
        &["inspection_id", "lot_id", "result"],
        &insp,
    );
}

// ---------------------------------------------------------------- tests

#[test]
fn demo_push_verify_and_every_query_matches_the_engine() {
    let Some(_g) = setup("demo_push_verify_and_every_query_matches_the_engine") else {
        return;
    };
    let ws = tempfile::tempdir().unwrap();
    ingest(&repo().join("data/demo"), ws.path());
    let r = push(ws.path(), &[]);
    assert_eq!(r["full"], Value::Bool(true));
    assert_verified(ws.path());
    let e = Engine::load(ws.path());
    let rt = lotgraph::mirror::runtime().unwrap();
    let m = rt.block_on(connect());
    e.check_everything(&rt, &m, 1);
    // The planted story: the tahini lot explains the safety complaints.
    let safety: BTreeSet<LotIx> = e
        .snap
        .dataset
        .returns
        .iter()
        .filter(|r| r.category == Some(ReturnCategory::Safety))
        .map(|r| r.lot)
        .collect();
    e.check_common_source(&rt, &m, &safety.into_iter().collect::<Vec<_>>());
    // The CLI path: JSON and table output.
    let o = lotgraph(&[
        "neo4j",
        "query",
        "trace_back",
        "-p",
        "lot=01-2134303",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["query"], "trace_back");
    assert_eq!(v["rows"].as_array().unwrap().len(), 9);
    let o = lotgraph(&[
        "neo4j",
        "query",
        "recall_blast_radius",
        "-p",
        "seeds=R-2112-002",
        "-p",
        "min_share=0.02",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = String::from_utf8(o.stdout).unwrap();
    assert!(table.starts_with("lot_id"), "{table}");
    // The seed and its 17 downstream lots, every one above 0.02 (by mass
    // the tahini is 0.07-0.30 of each), plus the header.
    assert_eq!(table.lines().count(), 19, "{table}");
}

#[test]
fn random_dag_genealogies_match_the_engine() {
    let Some(_g) = setup("random_dag_genealogies_match_the_engine") else {
        return;
    };
    let rt = lotgraph::mirror::runtime().unwrap();
    for seed in 1..=4u64 {
        let data = tempfile::tempdir().unwrap();
        let n = 30 + 15 * seed as usize;
        random_dataset(data.path(), seed, n, &|i| format!("L{i:03}"));
        let ws = tempfile::tempdir().unwrap();
        ingest(data.path(), ws.path());
        // Not full: the state of a fresh workspace does not match the
        // previous dataset's mirror, so the push starts over by itself.
        let r = push(ws.path(), &["--batch-size", "7", "--concurrency", "3"]);
        assert_eq!(r["full"], Value::Bool(true));
        assert_verified(ws.path());
        let e = Engine::load(ws.path());
        let m = rt.block_on(connect());
        e.check_everything(&rt, &m, 1);
    }
}

#[test]
fn units_fixture_shares_and_seed_quantities_match_the_engine() {
    let Some(_g) = setup("units_fixture_shares_and_seed_quantities_match_the_engine") else {
        return;
    };
    let ws = tempfile::tempdir().unwrap();
    ingest(&repo().join("data/fixtures/units"), ws.path());
    push(ws.path(), &[]);
    assert_verified(ws.path());
    let e = Engine::load(ws.path());
    let rt = lotgraph::mirror::runtime().unwrap();
    let m = rt.block_on(connect());
    e.check_everything(&rt, &m, 1);
    // Seeds of kg (T1), `KGM` (CK1, also kg) and l (O1) together.
    let ds = &e.snap.dataset;
    let seeds: Vec<LotIx> = ["T1", "CK1", "O1"]
        .iter()
        .map(|id| ds.lot_ix(id).unwrap())
        .collect();
    e.check_recall(&rt, &m, &seeds, 0.0);
    let rows = run_query(&rt, &m, "trace_back", &[("lot", "R1")]);
    let t1 = rows.iter().find(|r| r["lot_id"] == "T1").unwrap();
    assert_close("share of T1 in R1", Some(0.2925), num(&t1["share"]));
}

fn edit_csv(path: &Path, f: impl FnOnce(&mut Vec<csv::StringRecord>)) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().clone();
    let mut rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    f(&mut rows);
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(&header).unwrap();
    for row in rows {
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
}

#[test]
fn push_is_idempotent_and_incremental() {
    let Some(_g) = setup("push_is_idempotent_and_incremental") else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(repo().join("data/demo")).unwrap() {
        let f = f.unwrap().path();
        if f.extension().is_some_and(|e| e == "csv") {
            std::fs::copy(&f, data.path().join(f.file_name().unwrap())).unwrap();
        }
    }
    let ws = tempfile::tempdir().unwrap();
    ingest(data.path(), ws.path());
    let first = push(ws.path(), &[]);
    assert_eq!(first["full"], Value::Bool(true));
    assert_eq!(first["upserted"].as_u64(), Some(2409));
    assert_verified(ws.path());

    // Twice: nothing to send, same counts and checksums.
    let (_, before) = verify(ws.path());
    let again = push(ws.path(), &[]);
    assert_eq!(again["full"], Value::Bool(false));
    assert_eq!(
        (again["upserted"].as_u64(), again["deleted"].as_u64()),
        (Some(0), Some(0))
    );
    let (_, after) = verify(ws.path());
    assert_eq!(before["sets"], after["sets"]);
    // --full starts over and gives the same graph.
    let full = push(ws.path(), &["--full"]);
    assert_eq!(full["upserted"].as_u64(), Some(2409));
    let (_, after_full) = verify(ws.path());
    assert_eq!(before["sets"], after_full["sets"]);

    // Change one consumption quantity, drop a shipment, add a return and a lot.
    edit_csv(&data.path().join("consumptions.csv"), |rows| {
        let r = rows[0].clone();
        rows[0] = csv::StringRecord::from(vec![&r[0], &r[1], "999.5", &r[3]]);
    });
    edit_csv(&data.path().join("shipments.csv"), |rows| {
        rows.pop();
    });
    edit_csv(&data.path().join("returns.csv"), |rows| {
        rows.push(csv::StringRecord::from(vec![
            "RT-NEW",
            "01-2134303",
            "C-003",
            "2",
            "late",
            "other",
            "2022-01-05",
        ]));
    });
    edit_csv(&data.path().join("lots.csv"), |rows| {
        let mut r: Vec<String> = rows[0].iter().map(String::from).collect();
        r[0] = "R-NEW-001".into();
        rows.push(csv::StringRecord::from(r));
    });
    ingest(data.path(), ws.path());
    let inc = push(ws.path(), &[]);
    assert_eq!(inc["full"], Value::Bool(false));
    let mut want: BTreeMap<String, (u64, u64)> =
        pushed(&inc).keys().map(|k| (k.clone(), (0, 0))).collect();
    // Lot: the consumption's output (its input_total changed) and the new lot.
    want.insert("Lot".into(), (2, 0));
    want.insert("CONSUMED_INTO".into(), (1, 0));
    want.insert("SHIPPED".into(), (0, 1));
    want.insert("Return".into(), (1, 0));
    want.insert("SUPPLIED".into(), (1, 0));
    want.insert("OF_PRODUCT".into(), (1, 0));
    assert_eq!(pushed(&inc), want, "{inc:#}");
    assert_verified(ws.path());

    // Remove the new lot again: its node and links are deleted.
    edit_csv(&data.path().join("lots.csv"), |rows| {
        rows.pop();
    });
    ingest(data.path(), ws.path());
    let inc = push(ws.path(), &[]);
    let mut want: BTreeMap<String, (u64, u64)> =
        pushed(&inc).keys().map(|k| (k.clone(), (0, 0))).collect();
    want.insert("Lot".into(), (0, 1));
    want.insert("SUPPLIED".into(), (0, 1));
    want.insert("OF_PRODUCT".into(), (0, 1));
    assert_eq!(pushed(&inc), want, "{inc:#}");
    assert_verified(ws.path());

    // A verify against a changed mirror lists the difference and exits 1.
    let rt = lotgraph::mirror::runtime().unwrap();
    rt.block_on(async {
        let m = connect().await;
        let st = lotgraph::mirror::push::statements();
        let mut row = neo4rs::BoltMap::new();
        row.put("k".into(), "R-2109-006".into());
        m.write(
            "deleting a lot behind lotgraph's back",
            neo4rs::query(st.get("delete_lot").unwrap())
                .param("rows", vec![neo4rs::BoltType::Map(row)]),
        )
        .await
        .unwrap();
    });
    let (code, v) = verify(ws.path());
    assert_eq!(code, 1);
    let diffs = v["differences"].as_array().unwrap();
    assert!(
        diffs
            .iter()
            .any(|d| d["set"] == "Lot" && d["key"] == "R-2109-006"),
        "{v:#}"
    );
}

#[test]
fn hostile_ids_round_trip_literally() {
    let Some(_g) = setup("hostile_ids_round_trip_literally") else {
        return;
    };
    let hostile = [
        "' DETACH DELETE n //",
        "\"}) MATCH (n) DETACH DELETE n //",
        "{braces}",
        "back\\slash\\",
        "new\nline",
        "🧪 lot",
        "$lot",
        "a,b;c",
    ];
    let data = tempfile::tempdir().unwrap();
    random_dataset(data.path(), 99, 24, &|i| match hostile.get(i % 12) {
        Some(h) if i < 12 => h.to_string(),
        Some(h) => format!("{h}#{i}"),
        None => format!("plain-{i}"),
    });
    let ws = tempfile::tempdir().unwrap();
    ingest(data.path(), ws.path());
    push(ws.path(), &[]);
    assert_verified(ws.path());
    let e = Engine::load(ws.path());
    let ids: BTreeSet<String> = e
        .snap
        .dataset
        .lots
        .iter()
        .map(|l| l.id.to_string())
        .collect();
    for h in hostile {
        assert!(ids.contains(h), "{h:?} is not a lot of the dataset");
    }
    let rt = lotgraph::mirror::runtime().unwrap();
    let m = rt.block_on(connect());
    e.check_everything(&rt, &m, 1);
    // Through the command line, as a user would type it.
    for h in hostile {
        let o = lotgraph(&[
            "neo4j",
            "query",
            "trace_forward",
            "--param",
            &format!("lot={h}"),
            "--format",
            "json",
        ]);
        assert!(o.status.success(), "{h:?}: {}", stderr(&o));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["params"]["lot"], Value::String(h.to_string()));
    }
    // Nothing was deleted by an id.
    assert_verified(ws.path());
}

fn assert_one_line_failure(o: &Output, started: Instant, within: Duration, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err:?}");
    assert!(err.contains(needle), "{err:?} does not say {needle:?}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(started.elapsed() < within, "took {:?}", started.elapsed());
    if let Ok(pw) = std::env::var("NEO4J_PASSWORD") {
        assert!(!err.contains(&pw) && !String::from_utf8_lossy(&o.stdout).contains(&pw));
    }
}

#[test]
fn wrong_password_and_unreachable_hosts_fail_fast_on_one_line() {
    let Some(_g) = setup("wrong_password_and_unreachable_hosts_fail_fast_on_one_line") else {
        return;
    };
    let ws = tempfile::tempdir().unwrap();
    ingest(&repo().join("data/demo"), ws.path());
    let w = ws.path().to_str().unwrap();
    let run = |env: &[(&str, &str)], args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_lotgraph"));
        c.args(args).env_remove("LOTGRAPH_WORKSPACE");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    let t = Instant::now();
    let o = run(
        &[("NEO4J_PASSWORD", "not-the-password")],
        &["neo4j", "push", "-w", w],
    );
    assert_one_line_failure(&o, t, Duration::from_secs(5), "refused the login");
    let pw = ws.path().join("pw");
    std::fs::write(&pw, "also-wrong\n").unwrap();
    let t = Instant::now();
    let o = run(
        &[],
        &[
            "neo4j",
            "verify",
            "-w",
            w,
            "--password-file",
            pw.to_str().unwrap(),
        ],
    );
    assert_one_line_failure(&o, t, Duration::from_secs(5), "refused the login");
    let t = Instant::now();
    let o = run(
        &[("NEO4J_URI", "bolt://127.0.0.1:1")],
        &["neo4j", "push", "-w", w],
    );
    assert_one_line_failure(
        &o,
        t,
        Duration::from_secs(5),
        "cannot connect to Neo4j at bolt://127.0.0.1:1",
    );
    // A port that accepts connections but never answers: the connect timeout.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hold = std::thread::spawn(move || {
        let conn = listener.accept();
        std::thread::sleep(Duration::from_secs(6));
        drop(conn);
    });
    let uri = format!("bolt://127.0.0.1:{port}");
    let t = Instant::now();
    let o = run(
        &[("NEO4J_URI", &uri)],
        &["neo4j", "verify", "-w", w, "--connect-timeout", "2"],
    );
    assert_one_line_failure(&o, t, Duration::from_secs(5), "no answer within 2 s");
    hold.join().unwrap();
    // Nothing was pushed, and nothing was remembered.
    assert!(!ws.path().join("neo4j-state.json").exists());
}

/// The dev server's `scripts/neo4j-dev`, when it is the server of NEO4J_URI.
fn dev_server_port() -> Option<String> {
    let o = Command::new(repo().join("scripts/neo4j-dev"))
        .arg("status")
        .output()
        .ok()?;
    let uri = std::env::var("NEO4J_URI").ok()?;
    let status = String::from_utf8_lossy(&o.stdout).into_owned();
    (o.status.success() && status.contains(&uri))
        .then(|| uri.rsplit(':').next().map(String::from))
        .flatten()
}

#[test]
fn zz_server_stopped_mid_push_then_a_rerun_completes() {
    let Some(_g) = setup("zz_server_stopped_mid_push_then_a_rerun_completes") else {
        return;
    };
    let Some(port) = dev_server_port() else {
        loud(
            "SKIP zz_server_stopped_mid_push: NEO4J_URI is not the scripts/neo4j-dev server, \
             which this test stops and restarts",
        );
        return;
    };
    let data = tempfile::tempdir().unwrap();
    random_dataset(data.path(), 7, 20_000, &|i| format!("LOT-{i:05}"));
    let ws = tempfile::tempdir().unwrap();
    ingest(data.path(), ws.path());
    let mut child = Command::new(env!("CARGO_BIN_EXE_lotgraph"))
        .args([
            "neo4j",
            "push",
            "--no-progress",
            "--batch-size",
            "100",
            "--concurrency",
            "1",
            "-w",
        ])
        .arg(ws.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(4));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the push ended before the server was stopped: make the data larger"
    );
    let stop = Command::new(repo().join("scripts/neo4j-dev"))
        .arg("stop")
        .output()
        .unwrap();
    assert!(stop.status.success(), "{}", stderr(&stop));
    let t = Instant::now();
    let out = loop {
        if child.try_wait().unwrap().is_some() {
            break child.wait_with_output().unwrap();
        }
        if t.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("push did not stop within 60 s of the server stopping");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    // Restart on the same port before asserting, so later runs find it.
    let start = Command::new(repo().join("scripts/neo4j-dev"))
        .arg("start")
        .env("NEO4J_DEV_PORT", &port)
        .output()
        .unwrap();
    assert!(start.status.success(), "restart failed: {}", stderr(&start));
    assert!(String::from_utf8_lossy(&start.stdout).contains(&format!("127.0.0.1:{port}")));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err:?}");
    assert!(err.contains("push stopped after"), "{err}");
    assert!(
        err.contains("running `lotgraph neo4j push` again finishes it"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    // The rerun sends only what did not commit, then the mirror is complete.
    let rerun = push(ws.path(), &[]);
    assert_eq!(rerun["full"], Value::Bool(false), "{rerun:#}");
    let rows: u64 = rerun["sets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["rows"].as_u64().unwrap())
        .sum();
    let sent = rerun["upserted"].as_u64().unwrap();
    assert!(sent > 0 && sent < rows, "rerun sent {sent} of {rows} rows");
    assert_verified(ws.path());
}
