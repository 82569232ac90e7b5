//! Accuracy of `lotgraph investigate --from-returns` and of the supplier
//! scorecard on generated data with one planted fault per scenario.
//!
//! ```text
//! cargo bench --bench accuracy                              # 48 scenarios of 50,000 lots
//! cargo bench --bench accuracy -- --scenarios 24 --lots 200k --seed 101
//! cargo test --bench accuracy -- --scenarios 3 --lots 2000 --report -   # smoke test (debug build)
//! ```
//!
//! Each scenario runs the real binary, as a user would: `lotgraph generate
//! --fault KIND --faults 1 --seed S`, `ingest --strict` (must exit 0),
//! `investigate --from-returns --format json --top 200` and `suppliers
//! --format json`, then compares with `truth.json`. Kinds cycle through
//! supplier lot, line and supplier; seeds are `--seed`, `--seed`+1, ...
//!
//! A candidate is a *hit* when it names the planted source with the same
//! kind (the defective `lot`, the `line`, the bad `supplier`), or, for a
//! line fault, when it is a `line-window` of the planted line overlapping
//! the planted window. Ranks are measured in investigate's `candidates`
//! (the product's ranking), in its `groups` list (suppliers, whole lines
//! and sites on the pooled rate: where a bad supplier should show), and,
//! for comparison, in the ranking investigate made before per-SKU
//! baselines and line windows: every candidate on the pooled-rate
//! hypergeometric, which the library still computes
//! (`analytics::investigate::investigate`). The scorecard rank is the
//! planted bad supplier's position in `suppliers` (1 = worst).
//!
//! Options: `--scenarios N` (48), `--lots N` (50000), `--seed S` (1),
//! `--kinds a,b,c` (supplier-lot,line,supplier), `--report FILE`
//! (target/accuracy.md; `-` for none), `--keep DIR` (keep each scenario's
//! data and workspace under DIR).

// A test or bench: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::parse_count;
use lotgraph::core::LotIx;
use lotgraph::core::analytics::investigate::{Investigation, investigate, population};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

struct Opts {
    scenarios: usize,
    lots: u64,
    seed: u64,
    kinds: Vec<String>,
    report: Option<PathBuf>,
    keep: Option<PathBuf>,
}

fn opts() -> Opts {
    let mut o = Opts {
        scenarios: 48,
        lots: 50_000,
        seed: 1,
        kinds: vec!["supplier-lot".into(), "line".into(), "supplier".into()],
        report: Some(PathBuf::from("target/accuracy.md")),
        keep: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = |name: &str| {
            args.next()
                .unwrap_or_else(|| panic!("{name} needs a value"))
        };
        match a.as_str() {
            "--scenarios" => o.scenarios = parse_count(&val("--scenarios")) as usize,
            "--lots" => o.lots = parse_count(&val("--lots")),
            "--seed" => o.seed = parse_count(&val("--seed")),
            "--kinds" => o.kinds = val("--kinds").split(',').map(str::to_string).collect(),
            "--report" => {
                let v = val("--report");
                o.report = (v != "-").then(|| PathBuf::from(v));
            }
            "--keep" => o.keep = Some(PathBuf::from(val("--keep"))),
            // `cargo bench` passes `--bench` to harness = false targets.
            "--bench" => {}
            other => eprintln!("accuracy: ignoring unknown argument {other:?}"),
        }
    }
    o
}

/// One candidate of `investigate --format json` (or of the library).
#[derive(Clone, Debug)]
struct Cand {
    id: String,
    kind: String,
    k: u64,
    other: u64,
    expected: f64,
    /// Line windows: (first, last) production day.
    window: Option<(i32, i32)>,
}

impl Cand {
    fn from_json(c: &Value) -> Cand {
        Cand {
            id: c["id"].as_str().unwrap_or_default().to_string(),
            kind: c["kind"].as_str().unwrap_or_default().to_string(),
            k: c["complaint_lots_reached"].as_u64().unwrap_or(0),
            other: c["other_lots_reached"].as_u64().unwrap_or(0),
            expected: c["expected_complaint_lots"].as_f64().unwrap_or(0.0),
            window: c["from"]
                .as_str()
                .zip(c["to"].as_str())
                .map(|(a, b)| (day_number(a), day_number(b))),
        }
    }
}

/// What was planted, from truth.json.
struct Planted {
    kind: String,
    source: String,
    /// The candidate kind that names it.
    cand_kind: &'static str,
    /// Line faults: (from, to) as day numbers.
    window: Option<(i32, i32)>,
    /// Supplier-lot faults: the lot's supplier.
    supplier: Option<String>,
    severity: f64,
    sold_lots: u64,
    fault_returns: u64,
}

impl Planted {
    /// Does candidate `c` name the planted source?
    fn hit(&self, c: &Cand) -> bool {
        match (c.window, self.window) {
            (Some((a, b)), Some((x, y))) => c.id == self.source && a <= y && x <= b,
            (Some(_), None) => false,
            _ => c.kind == self.cand_kind && c.id == self.source,
        }
    }

    fn rank_in(&self, list: &[Cand]) -> Option<usize> {
        list.iter().position(|c| self.hit(c)).map(|r| r + 1)
    }
}

struct Outcome {
    seed: u64,
    planted: Planted,
    complaint_lots: u64,
    candidates: usize,
    /// 1-based rank of the planted source in investigate's candidates.
    rank: Option<usize>,
    /// The first hit (k, other, expected), when listed.
    planted_counts: Option<(u64, u64, f64)>,
    first: Option<Cand>,
    /// Rank of the planted supplier or line in the groups list.
    group_rank: Option<usize>,
    /// Rank in the ranking before (pooled hypergeometric, every candidate).
    before_rank: Option<usize>,
    before_first: Option<Cand>,
    /// Supplier faults: is the first candidate the supplier or one of its
    /// defective lots (now, before)?
    lenient: bool,
    before_lenient: bool,
    /// (rank, suppliers) of the bad supplier (supplier faults) or of the
    /// defective lot's supplier (supplier-lot faults) in the scorecard.
    scorecard: Option<(usize, usize)>,
    seconds: f64,
}

fn day_number(s: &str) -> i32 {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_or_else(
        |e| panic!("not a date {s:?}: {e}"),
        |d| chrono::Datelike::num_days_from_ce(&d),
    )
}

fn lotgraph(ws: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_lotgraph"))
        .args(args)
        .env("LOTGRAPH_WORKSPACE", ws)
        .output()
        .expect("run lotgraph");
    assert!(
        out.status.success(),
        "lotgraph {args:?} exited with {}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("valid JSON")
}

fn main() {
    let o = opts();
    let started = Instant::now();
    let tmp = tempfile::tempdir().expect("temp dir");
    let base = o.keep.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    let mut outcomes = Vec::new();
    for i in 0..o.scenarios {
        let kind = o.kinds[i % o.kinds.len()].clone();
        let seed = o.seed + i as u64;
        let dir = base.join(format!("s{seed:03}-{kind}"));
        let out = scenario(&o, &dir, &kind, seed);
        let r = |x: Option<usize>| x.map_or("-".into(), |r| r.to_string());
        eprintln!(
            "accuracy: seed {seed:>3} {kind:<12} rank {:>4} | groups {:>4} | before {:>4} | scorecard {:>7} | first {} | {:.1} s",
            r(out.rank),
            r(out.group_rank),
            r(out.before_rank),
            out.scorecard
                .map_or("-".into(), |(r, n)| format!("{r}/{n}")),
            describe(out.first.as_ref()),
            out.seconds
        );
        if o.keep.is_none() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        outcomes.push(out);
    }
    let text = report(&o, &outcomes, started.elapsed().as_secs_f64());
    println!("{text}");
    if let Some(path) = &o.report {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("report directory");
        }
        std::fs::write(path, &text).expect("write report");
        eprintln!("accuracy: report written to {}", path.display());
    }
    // Sanity for the smoke test: every scenario planted its fault and the
    // pipeline produced a ranking.
    for out in &outcomes {
        assert!(out.candidates > 0, "seed {}: no candidates", out.seed);
        assert!(out.complaint_lots > 0, "seed {}: no complaints", out.seed);
    }
}

/// Runs the real binary as a user would: generate with one planted fault,
/// ingest (strictly), investigate from the returns and score the
/// suppliers; gives (investigate JSON, suppliers JSON, truth.json).
fn run_pipeline(o: &Opts, data: &Path, ws: &Path, kind: &str, seed: u64) -> (Value, Value, Value) {
    let lots = o.lots.to_string();
    let seed_s = seed.to_string();
    let data_s = data.display().to_string();
    lotgraph(
        ws,
        &[
            "generate", "--quiet", "--lots", &lots, "--seed", &seed_s, "--fault", kind, "--faults",
            "1", "--out", &data_s,
        ],
    );
    lotgraph(ws, &["ingest", "--strict", &data_s]);
    let inv = json(&lotgraph(
        ws,
        &[
            "investigate",
            "--from-returns",
            "--format",
            "json",
            "--top",
            "200",
        ],
    ));
    let sup = json(&lotgraph(ws, &["suppliers", "--format", "json"]));
    let truth: Value = json(&std::fs::read(data.join("truth.json")).expect("truth.json"));
    (inv, sup, truth)
}

impl Planted {
    /// The one fault of truth.json (`truth["faults"][0]`).
    fn from_truth(f: &Value) -> Planted {
        let planted_kind = f["kind"].as_str().unwrap_or_default().to_string();
        Planted {
            cand_kind: match planted_kind.as_str() {
                "supplier-lot" => "lot",
                "line" => "line",
                _ => "supplier",
            },
            kind: planted_kind,
            source: f["source"].as_str().unwrap_or_default().to_string(),
            window: f["from"]
                .as_str()
                .zip(f["to"].as_str())
                .map(|(a, b)| (day_number(a), day_number(b))),
            supplier: f["supplier_id"].as_str().map(str::to_string),
            severity: f["severity"].as_f64().unwrap_or(0.0),
            sold_lots: f["sold_lots"].as_u64().unwrap_or(0),
            fault_returns: f["returns"].as_u64().unwrap_or(0),
        }
    }
}

/// (rank, suppliers) in the `suppliers` JSON of the bad supplier (supplier
/// faults) or of the defective lot's supplier (supplier-lot faults).
fn scorecard_rank(sup: &Value, planted: &Planted) -> Option<(usize, usize)> {
    let order: Vec<&str> = sup["suppliers"]
        .as_array()
        .expect("suppliers")
        .iter()
        .filter_map(|s| s["supplier_id"].as_str())
        .collect();
    let who = match planted.kind.as_str() {
        "supplier" => Some(planted.source.as_str()),
        "supplier-lot" => planted.supplier.as_deref(),
        _ => None,
    };
    who.and_then(|w| order.iter().position(|s| *s == w))
        .map(|r| (r + 1, order.len()))
}

/// One scenario: the pipeline, then where the planted source ranks in
/// investigate's lists, the library's and the scorecard.
fn scenario(o: &Opts, dir: &Path, kind: &str, seed: u64) -> Outcome {
    let t0 = Instant::now();
    let ws = dir.join("ws");
    let (inv, sup, truth) = run_pipeline(o, &dir.join("data"), &ws, kind, seed);
    let f = &truth["faults"][0];
    let planted = Planted::from_truth(f);
    let defective: Vec<String> = truth["defective_supplier_lots"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|l| l["lot_id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    assert!(
        f["planted"].as_bool() == Some(true),
        "seed {seed}: the {} fault was not planted",
        planted.kind
    );
    let list = |key: &str| -> Vec<Cand> {
        inv[key]
            .as_array()
            .unwrap_or_else(|| panic!("investigate JSON has no {key}"))
            .iter()
            .map(Cand::from_json)
            .collect()
    };
    let cands = list("candidates");
    let groups = list("groups");
    let rank = planted.rank_in(&cands);
    let planted_counts = cands
        .iter()
        .find(|c| planted.hit(c))
        .map(|c| (c.k, c.other, c.expected));
    let complaint_lots = inv["complaint_lots"]
        .as_array()
        .map_or(0, |a| a.len() as u64);
    let scorecard = scorecard_rank(&sup, &planted);
    // The library: the same first candidate as the CLI, and the ranking
    // before (pooled hypergeometric over every candidate).
    let (library_first, before) = library(&ws);
    assert_eq!(
        library_first.as_ref().map(|c| (&c.kind, &c.id)),
        cands.first().map(|c| (&c.kind, &c.id)),
        "seed {seed}: the library's investigation disagrees with the CLI's"
    );
    let lenient = |list: &[Cand]| {
        list.first()
            .is_some_and(|c| planted.hit(c) || (c.kind == "lot" && defective.contains(&c.id)))
    };
    Outcome {
        seed,
        complaint_lots,
        candidates: cands.len(),
        rank,
        planted_counts,
        first: cands.first().cloned(),
        group_rank: (planted.kind != "supplier-lot")
            .then(|| planted.rank_in(&groups))
            .flatten(),
        before_rank: planted.rank_in(&before),
        before_first: before.first().cloned(),
        lenient: lenient(&cands),
        before_lenient: lenient(&before),
        scorecard,
        planted,
        seconds: t0.elapsed().as_secs_f64(),
    }
}

/// From the snapshot through the library: the first candidate of
/// `Investigation::run`, and the first 200 of `investigate` (every
/// candidate on the pooled-rate hypergeometric, the ranking before per-SKU
/// baselines and line windows).
fn library(ws: &Path) -> (Option<Cand>, Vec<Cand>) {
    let snap = lotgraph::snapshot::load(ws).expect("load snapshot");
    let ds = &snap.dataset;
    let g = &snap.genealogy;
    let pop = population(ds);
    let mut complaints: Vec<LotIx> = ds.returns.iter().map(|r| r.lot).collect();
    complaints.sort();
    complaints.dedup();
    let cand = |c: &lotgraph::core::analytics::investigate::Candidate| Cand {
        id: c.source.id(ds).to_string(),
        kind: c.source.kind().to_string(),
        k: c.complaint_lots.len() as u64,
        other: c.other_lots_reached,
        expected: c.expected,
        window: None,
    };
    let now = Investigation::run(ds, g, &complaints, &pop);
    let before = investigate(ds, g, &complaints, &pop);
    (
        now.candidates.first().map(cand),
        before.iter().take(200).map(cand).collect(),
    )
}

fn pct(hits: usize, n: usize) -> String {
    if n == 0 {
        "-".into()
    } else {
        format!("{:.0} % ({hits}/{n})", 100.0 * hits as f64 / n as f64)
    }
}

fn median_rank(ranks: &[Option<usize>]) -> String {
    let mut v: Vec<usize> = ranks.iter().map(|r| r.unwrap_or(usize::MAX)).collect();
    v.sort_unstable();
    match v.get(v.len() / 2) {
        None => "-".into(),
        Some(&usize::MAX) => "> 200".into(),
        Some(r) => r.to_string(),
    }
}

fn describe(c: Option<&Cand>) -> String {
    c.map_or("-".into(), |c| {
        format!("{} {} ({}/{})", c.kind, c.id, c.k, c.other)
    })
}

/// The Markdown report: the command, the ranking summary per fault kind,
/// the scorecard ranks and one row per scenario.
fn report(o: &Opts, outs: &[Outcome], seconds: f64) -> String {
    let mut s = String::new();
    report_rankings(&mut s, o, outs, seconds);
    report_scorecard(&mut s, outs);
    report_scenarios(&mut s, outs);
    s
}

/// The command and one row per fault kind (and the single-source and
/// overall sets): precision and median rank, now and before.
fn report_rankings(s: &mut String, o: &Opts, outs: &[Outcome], seconds: f64) {
    let cmd = format!(
        "cargo bench --bench accuracy -- --scenarios {} --lots {} --seed {} --kinds {}",
        o.scenarios,
        o.lots,
        o.seed,
        o.kinds.join(","),
    );
    let _ = writeln!(s, "Command: `{cmd}` ({seconds:.0} s)\n");
    let _ = writeln!(
        s,
        "| planted fault | scenarios | precision@1 | in top 3 | median rank | groups list: @1 | before: @1 | top 3 | median rank |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut sets: Vec<(String, Vec<&Outcome>)> = o
        .kinds
        .iter()
        .map(|k| {
            (
                k.clone(),
                outs.iter().filter(|x| &x.planted.kind == k).collect(),
            )
        })
        .collect();
    let single: Vec<&Outcome> = outs
        .iter()
        .filter(|x| x.planted.kind != "supplier")
        .collect();
    if single.len() != outs.len() && !single.is_empty() {
        sets.push(("single-source (supplier lot, line)".into(), single));
    }
    sets.push(("all".into(), outs.iter().collect()));
    for (name, g) in &sets {
        let at = |k: usize, f: fn(&Outcome) -> Option<usize>| {
            g.iter().filter(|x| f(x).is_some_and(|r| r <= k)).count()
        };
        let now: Vec<Option<usize>> = g.iter().map(|x| x.rank).collect();
        let before: Vec<Option<usize>> = g.iter().map(|x| x.before_rank).collect();
        let with_groups: Vec<&&Outcome> = g
            .iter()
            .filter(|x| x.planted.kind != "supplier-lot")
            .collect();
        let groups_at1 = with_groups
            .iter()
            .filter(|x| x.group_rank == Some(1))
            .count();
        let _ = writeln!(
            s,
            "| {name} | {} | {} | {} | {} | {} | {} | {} | {} |",
            g.len(),
            pct(at(1, |x| x.rank), g.len()),
            pct(at(3, |x| x.rank), g.len()),
            median_rank(&now),
            pct(groups_at1, with_groups.len()),
            pct(at(1, |x| x.before_rank), g.len()),
            pct(at(3, |x| x.before_rank), g.len()),
            median_rank(&before),
        );
    }
}

/// The lenient supplier-fault figure and the scorecard ranks.
fn report_scorecard(s: &mut String, outs: &[Outcome]) {
    let sup: Vec<&Outcome> = outs
        .iter()
        .filter(|x| x.planted.kind == "supplier")
        .collect();
    if !sup.is_empty() {
        let _ = writeln!(
            s,
            "\nSupplier faults, lenient (first candidate is the bad supplier or one of its defective lots): {} (before: {}).",
            pct(sup.iter().filter(|x| x.lenient).count(), sup.len()),
            pct(sup.iter().filter(|x| x.before_lenient).count(), sup.len()),
        );
    }
    let _ = writeln!(
        s,
        "\nSupplier scorecard (`lotgraph suppliers`, rank 1 = worst):\n"
    );
    let _ = writeln!(s, "| planted fault | supplier | ranks | ranked worst |");
    let _ = writeln!(s, "|---|---|---|---:|");
    for (kind, who) in [
        ("supplier", "the planted bad supplier"),
        ("supplier-lot", "the supplier of the defective lot"),
    ] {
        let g: Vec<&Outcome> = outs.iter().filter(|x| x.planted.kind == kind).collect();
        if g.is_empty() {
            continue;
        }
        let ranks: Vec<String> = g
            .iter()
            .map(|x| x.scorecard.map_or("-".into(), |(r, n)| format!("{r}/{n}")))
            .collect();
        let first = g
            .iter()
            .filter(|x| x.scorecard.is_some_and(|(r, _)| r == 1))
            .count();
        let _ = writeln!(
            s,
            "| {kind} | {who} | {} | {} |",
            ranks.join(", "),
            pct(first, g.len())
        );
    }
}

/// One row per scenario.
fn report_scenarios(s: &mut String, outs: &[Outcome]) {
    let _ = writeln!(
        s,
        "\nPer scenario (k/other/E = complaint lots / other sold lots reached / complaint lots expected from their SKUs):\n"
    );
    let _ = writeln!(
        s,
        "| seed | fault | planted source | severity | sold lots carrying it | fault returns | complaint lots | rank | planted k/other/E | first candidate | rank in groups | rank before | first before |"
    );
    let _ = writeln!(
        s,
        "|---:|---|---|---:|---:|---:|---:|---:|---|---|---:|---:|---|"
    );
    let r = |x: Option<usize>| x.map_or("> 200".to_string(), |r| r.to_string());
    for x in outs {
        let p = &x.planted;
        let first = match x.first.as_ref() {
            Some(c) if c.window.is_some() => format!("{} ({} days)", describe(Some(c)), {
                let (a, b) = c.window.unwrap_or_default();
                b - a + 1
            }),
            c => describe(c),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.2} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            x.seed,
            p.kind,
            p.source,
            p.severity,
            p.sold_lots,
            p.fault_returns,
            x.complaint_lots,
            r(x.rank),
            x.planted_counts
                .map_or("-".into(), |(k, o, e)| format!("{k}/{o}/{e:.1}")),
            first,
            if p.kind == "supplier-lot" {
                "-".into()
            } else {
                r(x.group_rank)
            },
            r(x.before_rank),
            describe(x.before_first.as_ref()),
        );
    }
}
