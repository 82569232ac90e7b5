//! Accuracy of `lotgraph investigate --from-returns` and of the supplier
//! scorecard on generated data with one planted fault per scenario.
//!
//! ```text
//! cargo bench --bench accuracy                              # 48 scenarios of 50,000 lots (~100 s)
//! cargo bench --bench accuracy -- --scenarios 24 --lots 200k --seed 101
//! cargo test --bench accuracy -- --scenarios 3 --lots 2000 --report -   # smoke test (debug build)
//! ```
//!
//! Each scenario runs the real binary, as a user would: `lotgraph generate
//! --fault KIND --faults 1 --seed S`, `ingest --strict` (must exit 0),
//! `investigate --from-returns --format json --top 200` and `suppliers
//! --format json`, then compares with `truth.json`. Kinds cycle through
//! supplier lot, line and supplier; seeds are `--seed`, `--seed`+1, ...
//! A scenario is a hit at k when the planted source (same id and kind:
//! the defective lot, the line, the bad supplier) is among the first k
//! candidates. The scorecard rank is the planted bad supplier's position in
//! `suppliers` (1 = worst).
//!
//! Prototypes of a better ranking (bench code, not in the product), scored
//! on the same candidates through the library:
//! - *line windows*: investigate's line candidates span a line's whole
//!   history, so a line that ran out of specification for a week is diluted
//!   by months of good batches. Per line, the best window of up to
//!   `--max-window` production days is scored (a scan statistic), its ln p
//!   Bonferroni-corrected by the number of windows tried; a window is a hit
//!   when it names the planted line and overlaps the planted window;
//! - *stratified*: instead of one complaint rate for every lot (the
//!   hypergeometric), the expected number of complaint lots among those a
//!   candidate reaches is the sum of their SKUs' complaint rates, and the
//!   evidence is the Poisson tail P(X ≥ k | expected);
//! - *proposal*: stratified with robust baselines (the lots reached by lots
//!   that are significant on their own are left out of the SKU rates and
//!   everything is scored again), line windows, and suppliers scored by
//!   their lots (Fisher's combination of their lots' p-values, each lot
//!   scored on the complaint lots its supplier's stronger lots have not
//!   claimed).
//!
//! Options: `--scenarios N` (48), `--lots N` (50000), `--seed S` (1),
//! `--kinds a,b,c` (supplier-lot,line,supplier), `--max-window D` (21),
//! `--report FILE` (target/accuracy.md; `-` for none), `--keep DIR` (keep
//! each scenario's data and workspace under DIR).

use lotgraph::core::analytics::investigate::{Source, investigate, population};
use lotgraph::core::analytics::stats::{ln_gamma, ln_hypergeom_upper_tail};
use lotgraph::core::model::{Dataset, Origin};
use lotgraph::core::{Direction, LotIx, Tracer};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

struct Opts {
    scenarios: usize,
    lots: u64,
    seed: u64,
    kinds: Vec<String>,
    max_window: i32,
    report: Option<PathBuf>,
    keep: Option<PathBuf>,
}

fn parse_count(s: &str) -> u64 {
    lotgraph::cmd::generate::parse_count(s).unwrap_or_else(|e| panic!("{e}"))
}

fn opts() -> Opts {
    let mut o = Opts {
        scenarios: 48,
        lots: 50_000,
        seed: 1,
        kinds: vec!["supplier-lot".into(), "line".into(), "supplier".into()],
        max_window: 21,
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
            "--max-window" => o.max_window = parse_count(&val("--max-window")) as i32,
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

/// One candidate of `investigate --format json` (or of the prototype).
#[derive(Clone, Debug)]
struct Cand {
    id: String,
    kind: String,
    k: u64,
    other: u64,
    ln_p: f64,
    /// Line windows: (first, last) production day.
    window: Option<(i32, i32)>,
}

/// investigate's order: p, then more complaint lots, fewer other lots,
/// kind, id.
fn rank_order(a: &Cand, b: &Cand) -> std::cmp::Ordering {
    a.ln_p
        .total_cmp(&b.ln_p)
        .then_with(|| b.k.cmp(&a.k))
        .then_with(|| a.other.cmp(&b.other))
        .then_with(|| a.kind.cmp(&b.kind))
        .then_with(|| a.id.cmp(&b.id))
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

struct Outcome {
    seed: u64,
    planted: Planted,
    complaint_lots: u64,
    candidates: usize,
    /// 1-based rank of the planted source in investigate's list.
    rank: Option<usize>,
    /// The planted candidate's (k, other), when listed.
    planted_counts: Option<(u64, u64)>,
    top: Vec<Cand>,
    /// Rank with the line-window prototype.
    alt_rank: Option<usize>,
    /// Rank with the stratified prototype and line windows.
    strat_win_rank: Option<usize>,
    /// Rank with the proposed scoring: stratified, line windows, suppliers
    /// by their lots.
    proposal_rank: Option<usize>,
    proposal_top: Option<Cand>,
    /// Supplier faults: is the first candidate the supplier or one of its
    /// defective lots (baseline, proposal)?
    baseline_lenient: bool,
    proposal_lenient: bool,
    /// (rank, suppliers) of the bad supplier (supplier faults) or of the
    /// defective lot's supplier (supplier-lot faults) in the scorecard.
    scorecard: Option<(usize, usize)>,
    seconds: f64,
}

fn day_number(s: &str) -> i32 {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(|d| chrono::Datelike::num_days_from_ce(&d))
        .unwrap_or_else(|e| panic!("not a date {s:?}: {e}"))
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
            "accuracy: seed {seed:>3} {kind:<12} rank {:>4} | +windows {:>4} | stratified+windows {:>4} | proposal {:>4} | scorecard {:>7} | first {} {} ({}/{}) | {:.1} s",
            r(out.rank),
            r(out.alt_rank),
            r(out.strat_win_rank),
            r(out.proposal_rank),
            out.scorecard
                .map_or("-".into(), |(r, n)| format!("{r}/{n}")),
            out.top.first().map_or("", |c| c.kind.as_str()),
            out.top.first().map_or("", |c| c.id.as_str()),
            out.top.first().map_or(0, |c| c.k),
            out.top.first().map_or(0, |c| c.other),
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

fn scenario(o: &Opts, dir: &Path, kind: &str, seed: u64) -> Outcome {
    let t0 = Instant::now();
    let data = dir.join("data");
    let ws = dir.join("ws");
    let lots = o.lots.to_string();
    let seed_s = seed.to_string();
    let data_s = data.display().to_string();
    lotgraph(
        &ws,
        &[
            "generate", "--quiet", "--lots", &lots, "--seed", &seed_s, "--fault", kind, "--faults",
            "1", "--out", &data_s,
        ],
    );
    lotgraph(&ws, &["ingest", "--strict", &data_s]);
    let inv = json(&lotgraph(
        &ws,
        &[
            "investigate",
            "--from-returns",
            "--format",
            "json",
            "--top",
            "200",
        ],
    ));
    let sup = json(&lotgraph(&ws, &["suppliers", "--format", "json"]));
    let truth: Value = json(&std::fs::read(data.join("truth.json")).expect("truth.json"));
    let f = &truth["faults"][0];
    let planted_kind = f["kind"].as_str().unwrap_or_default().to_string();
    let planted = Planted {
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
    };
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
    let cands: Vec<Cand> = inv["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .map(|c| Cand {
            id: c["id"].as_str().unwrap_or_default().to_string(),
            kind: c["kind"].as_str().unwrap_or_default().to_string(),
            k: c["complaint_lots_reached"].as_u64().unwrap_or(0),
            other: c["other_lots_reached"].as_u64().unwrap_or(0),
            ln_p: c["ln_p_value"].as_f64().unwrap_or(0.0),
            window: None,
        })
        .collect();
    let is_planted = |c: &Cand| c.kind == planted.cand_kind && c.id == planted.source;
    let rank = cands.iter().position(is_planted).map(|r| r + 1);
    let planted_counts = cands.iter().find(|c| is_planted(c)).map(|c| (c.k, c.other));
    let complaint_lots = inv["complaint_lots"]
        .as_array()
        .map_or(0, |a| a.len() as u64);
    // Scorecard.
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
    let scorecard = who
        .and_then(|w| order.iter().position(|s| *s == w))
        .map(|r| (r + 1, order.len()));
    // Prototypes.
    let protos = prototypes(&ws, o.max_window);
    let first = cands.first();
    assert_eq!(
        protos.library_first.as_ref().map(|c| (&c.kind, &c.id)),
        first.map(|c| (&c.kind, &c.id)),
        "seed {seed}: the library's investigation disagrees with the CLI's"
    );
    let hit = |c: &Cand| match (c.window, planted.window) {
        (Some((a, b)), Some((x, y))) => c.id == planted.source && a <= y && x <= b,
        (Some(_), None) => false,
        _ => is_planted(c),
    };
    let rank_of = |mut list: Vec<Cand>| {
        list.sort_by(rank_order);
        (
            list.iter().position(hit).map(|r| r + 1),
            list.first().cloned(),
        )
    };
    let mut with_windows = cands.clone();
    with_windows.extend(protos.windows);
    let (alt_rank, _) = rank_of(with_windows);
    let (strat_win_rank, _) = rank_of(protos.stratified);
    let mut proposal = protos.proposal;
    proposal.sort_by(rank_order);
    let proposal_rank = proposal.iter().position(hit).map(|r| r + 1);
    // Lenient, for supplier faults: the first candidate is the supplier or
    // one of its planted defective lots.
    let lenient = |list: &[Cand]| {
        list.first()
            .is_some_and(|c| hit(c) || (c.kind == "lot" && defective.contains(&c.id)))
    };
    let proposal_lenient = lenient(&proposal);
    let proposal_top = proposal.first().cloned();
    Outcome {
        seed,
        complaint_lots,
        candidates: cands.len(),
        rank,
        planted_counts,
        top: cands.iter().take(3).cloned().collect(),
        alt_rank,
        strat_win_rank,
        proposal_rank,
        proposal_top,
        baseline_lenient: lenient(&cands),
        proposal_lenient,
        scorecard,
        planted,
        seconds: t0.elapsed().as_secs_f64(),
    }
}

/// The data a prototype scores candidates on.
struct Ctx<'a> {
    ds: &'a Dataset,
    /// Population lots (shipped to customers or returned) and complaint lots.
    pop: Vec<bool>,
    complaint: Vec<bool>,
    n_pop: u64,
    n_c: u64,
    strata: Strata,
}

/// Per-SKU complaint baselines for the stratified prototype.
struct Strata {
    sku_of: Vec<usize>,
    /// Population lots and complaint lots per SKU.
    n: Vec<f64>,
    c: Vec<f64>,
    /// Pooled complaint rate, the prior mean of an SKU's rate.
    global: f64,
}

/// Prior weight (in lots) of the pooled rate in an SKU's baseline.
const PRIOR_LOTS: f64 = 10.0;

impl Strata {
    /// Expected complaint lots among `nr` reached lots of SKU `s`: `nr`
    /// times the SKU's complaint rate, shrunk towards the pooled rate by
    /// `PRIOR_LOTS` lots. The candidate's own lots stay in the rate (no
    /// leave-out): a candidate covering most of an SKU would otherwise be
    /// compared with the few lots left, mostly the prior, and every large
    /// supplier or site would look guilty. Keeping them in is conservative
    /// for a real fault (its complaints raise its SKUs' rates a little).
    fn expected(&self, s: usize, nr: f64) -> f64 {
        nr * (self.c[s] + PRIOR_LOTS * self.global) / (self.n[s] + PRIOR_LOTS)
    }
}

/// Reached lots of one candidate, with the expected number of complaint
/// lots among them.
#[derive(Default)]
struct Acc {
    n: u64,
    k: u64,
    e: f64,
}

impl Acc {
    fn add(&mut self, st: &Strata, l: usize, is_complaint: bool) {
        self.n += 1;
        self.k += u64::from(is_complaint);
        self.e += st.expected(st.sku_of[l], 1.0);
    }

    fn clear(&mut self) {
        *self = Acc::default();
    }
}

/// ln P(X ≥ k) for X ~ Poisson(λ); 0 when k ≤ λ (no excess: such
/// candidates never matter for the top of the ranking).
fn ln_poisson_upper(k: u64, lam: f64) -> f64 {
    let lam = lam.max(1e-9);
    let kf = k as f64;
    if k == 0 || kf <= lam {
        return 0.0;
    }
    let t0 = -lam + kf * lam.ln() - ln_gamma(kf + 1.0);
    let (mut sum, mut t, mut i) = (1.0f64, 0.0f64, kf);
    loop {
        i += 1.0;
        t += lam.ln() - i.ln();
        let r = t.exp();
        sum += r;
        if r < 1e-17 {
            break;
        }
    }
    t0 + sum.ln()
}

/// ln Q(a, x), the regularised upper incomplete gamma function, so that
/// ln P(χ²_ν ≥ X) = ln Q(ν/2, X/2) (Numerical Recipes' series and
/// continued fraction, kept in logs for the tiny tails that matter here).
fn ln_gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let front = -x + a * x.ln() - ln_gamma(a);
    if x < a + 1.0 {
        let (mut sum, mut del, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..100_000 {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if del.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        let p = (front + sum.ln()).exp();
        return (1.0 - p).max(f64::MIN_POSITIVE).ln();
    }
    let tiny = 1e-300;
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / tiny;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..100_000 {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < tiny {
            d = tiny;
        }
        c = b + an / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    front + h.ln()
}

/// Which statistic a prototype ranks by.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Stat {
    /// investigate's hypergeometric tail (one baseline for all lots).
    Hypergeometric,
    /// Poisson tail of the complaint lots over the sum of per-SKU
    /// baselines of the lots reached.
    Stratified,
}

impl Ctx<'_> {
    fn ln_p(&self, stat: Stat, acc: &Acc) -> f64 {
        match stat {
            Stat::Hypergeometric => ln_hypergeom_upper_tail(acc.k, self.n_pop, self.n_c, acc.n),
            Stat::Stratified => ln_poisson_upper(acc.k, acc.e),
        }
    }
}

/// Prototype rankings for one scenario.
struct Protos {
    /// investigate's ranking recomputed through the library (checked equal
    /// to the CLI's first candidate).
    library_first: Option<Cand>,
    /// Best hypergeometric line window per line.
    windows: Vec<Cand>,
    /// Every candidate and the line windows on plain per-SKU baselines.
    stratified: Vec<Cand>,
    /// The proposal: robust per-SKU baselines, line windows, suppliers by
    /// their lots.
    proposal: Vec<Cand>,
}

impl Strata {
    /// Per-SKU complaint rates over the population lots not excluded.
    fn new(ds: &Dataset, in_pop: &[bool], complaint: &[bool], excluded: &[bool]) -> Strata {
        let skus = ds.products.len();
        let mut st = Strata {
            sku_of: ds.lots.iter().map(|l| l.sku.ix()).collect(),
            n: vec![0.0; skus],
            c: vec![0.0; skus],
            global: 0.0,
        };
        let (mut n, mut c) = (0.0, 0.0);
        for l in (0..ds.lots.len()).filter(|l| in_pop[*l] && !excluded[*l]) {
            st.n[st.sku_of[l]] += 1.0;
            n += 1.0;
            if complaint[l] {
                st.c[st.sku_of[l]] += 1.0;
                c += 1.0;
            }
        }
        st.global = c / f64::max(n, 1.0);
        st
    }
}

fn prototypes(ws: &Path, max_window: i32) -> Protos {
    let snap = lotgraph::snapshot::load(ws).expect("load snapshot");
    let ds = &snap.dataset;
    let g = &snap.genealogy;
    let pop = population(ds);
    let mut complaint = vec![false; ds.lots.len()];
    let mut complaints: Vec<LotIx> = Vec::new();
    for r in &ds.returns {
        if !complaint[r.lot.ix()] {
            complaint[r.lot.ix()] = true;
            complaints.push(r.lot);
        }
    }
    complaints.sort_by(|a, b| ds.lot(*a).id.cmp(&ds.lot(*b).id));
    let in_pop: Vec<bool> = pop.iter().zip(&complaint).map(|(p, c)| *p || *c).collect();
    let n_pop = in_pop.iter().filter(|p| **p).count() as u64;
    let n_c = complaints.len() as u64;
    let none = vec![false; ds.lots.len()];
    let mut cx = Ctx {
        ds,
        strata: Strata::new(ds, &in_pop, &complaint, &none),
        pop,
        complaint,
        n_pop,
        n_c,
    };
    // investigate itself, for its candidate set.
    let ranked = investigate(ds, g, &complaints, &cx.pop);
    let library_first = ranked.first().map(|c| Cand {
        id: c.source.id(ds).to_string(),
        kind: c.source.kind().to_string(),
        k: c.complaint_lots.len() as u64,
        other: c.other_lots_reached,
        ln_p: c.ln_p,
        window: None,
    });
    // Members of the group candidates.
    let mut by_supplier: BTreeMap<usize, Vec<LotIx>> = BTreeMap::new();
    let mut by_line: BTreeMap<usize, Vec<LotIx>> = BTreeMap::new();
    let mut by_site: BTreeMap<usize, Vec<LotIx>> = BTreeMap::new();
    for (i, lot) in ds.lots.iter().enumerate() {
        let l = LotIx::from_ix(i);
        if let (Origin::Supplied, Some(s)) = (lot.origin, lot.supplier) {
            by_supplier.entry(s.ix()).or_default().push(l);
        }
        if let Some(x) = lot.line {
            by_line.entry(x.ix()).or_default().push(l);
        }
        if let Some(x) = lot.site {
            by_site.entry(x.ix()).or_default().push(l);
        }
    }
    let roots_of = |src: &Source| -> Vec<LotIx> {
        match *src {
            Source::Lot(l) => vec![l],
            Source::Supplier(s) => by_supplier[&s.ix()].clone(),
            Source::Line(x) => by_line[&x.ix()].clone(),
            Source::Site(x) => by_site[&x.ix()].clone(),
        }
    };
    let mut tracer = Tracer::new(g);
    let mut acc = Acc::default();
    let mut score_all = |cx: &Ctx, tracer: &mut Tracer| -> Vec<Cand> {
        ranked
            .iter()
            .map(|c| {
                acc.clear();
                tracer.reach(&roots_of(&c.source), Direction::Downstream, |l| {
                    if in_pop[l.ix()] {
                        acc.add(&cx.strata, l.ix(), cx.complaint[l.ix()]);
                    }
                });
                Cand {
                    id: c.source.id(ds).to_string(),
                    kind: c.source.kind().to_string(),
                    k: acc.k,
                    other: acc.n - acc.k,
                    ln_p: cx.ln_p(Stat::Stratified, &acc),
                    window: None,
                }
            })
            .collect()
    };
    let windows = line_windows(&cx, g, max_window, Stat::Hypergeometric);
    let mut stratified = score_all(&cx, &mut tracer);
    let pass1 = stratified.clone();
    stratified.extend(line_windows(&cx, g, max_window, Stat::Stratified));
    // Robust baselines: an outbreak raises the complaint rate of the SKUs
    // it reaches, and a bad supplier feeding most of an SKU would hide in
    // its own baseline. So the lots reached by lots that are significant
    // on their own (Bonferroni, 5 %) are left out of the baselines, and
    // everything is scored again.
    let lot_cands = pass1.iter().filter(|c| c.kind == "lot").count().max(1);
    let cut = (0.05 / lot_cands as f64).ln();
    let mut outbreak = vec![false; ds.lots.len()];
    for (c, p) in ranked.iter().zip(&pass1) {
        if p.kind == "lot" && p.ln_p < cut {
            tracer.reach(&roots_of(&c.source), Direction::Downstream, |l| {
                outbreak[l.ix()] = true;
            });
        }
    }
    cx.strata = Strata::new(ds, &in_pop, &cx.complaint, &outbreak);
    let pass2 = score_all(&cx, &mut tracer);
    // Suppliers by their lots: Fisher's combination −2 Σ ln p over the
    // supplier's lots against χ² with 2 × lots degrees of freedom, where
    // each lot is scored only on the reached lots that its supplier's more
    // significant lots have not already claimed. Lots consumed in the same
    // batches (a supplier's film and lids) share their complaint lots and
    // so add nothing; lots behind separate complaint clusters add up. One
    // bad lot cannot make its supplier outrank it (the other lots add
    // degrees of freedom, not evidence); many separate ones can.
    let lot_ln_p: BTreeMap<&str, f64> = pass2
        .iter()
        .filter(|c| c.kind == "lot")
        .map(|c| (c.id.as_str(), c.ln_p))
        .collect();
    let mut claimed = vec![0u32; ds.lots.len()];
    let mut epoch = 0u32;
    let mut proposal: Vec<Cand> = pass2
        .iter()
        .map(|c| {
            let mut c = c.clone();
            if c.kind == "supplier"
                && let Some(s) = ds.supplier_ix(&c.id)
            {
                let members = &by_supplier[&s.ix()];
                let mut scored: Vec<(f64, LotIx)> = members
                    .iter()
                    .filter_map(|l| Some((*lot_ln_p.get(ds.lot(*l).id.as_str())?, *l)))
                    .collect();
                scored.sort_by(|a, b| a.0.total_cmp(&b.0));
                epoch += 1;
                let mut x = 0.0;
                for (_, l) in scored {
                    let mut a = Acc::default();
                    tracer.reach(&[l], Direction::Downstream, |r| {
                        if in_pop[r.ix()] && claimed[r.ix()] != epoch {
                            claimed[r.ix()] = epoch;
                            a.add(&cx.strata, r.ix(), cx.complaint[r.ix()]);
                        }
                    });
                    x -= 2.0 * cx.ln_p(Stat::Stratified, &a);
                }
                c.ln_p = ln_gamma_q(members.len() as f64, x / 2.0);
            }
            c
        })
        .collect();
    proposal.extend(line_windows(&cx, g, max_window, Stat::Stratified));
    Protos {
        library_first,
        windows,
        stratified,
        proposal,
    }
}

/// The best production window of each line (see the module comment),
/// Bonferroni-corrected for the windows tried.
fn line_windows(cx: &Ctx, g: &lotgraph::core::Genealogy, max_window: i32, stat: Stat) -> Vec<Cand> {
    let ds = cx.ds;
    // Lots made on each line, per production day.
    let mut by_line: BTreeMap<usize, BTreeMap<i32, Vec<LotIx>>> = BTreeMap::new();
    for (i, lot) in ds.lots.iter().enumerate() {
        if let (Some(line), Some(d)) = (lot.line, lot.produced_on) {
            let day = chrono::Datelike::num_days_from_ce(&d);
            by_line
                .entry(line.ix())
                .or_default()
                .entry(day)
                .or_default()
                .push(LotIx::from_ix(i));
        }
    }
    let mut tracer = Tracer::new(g);
    let mut stamp = vec![0u32; ds.lots.len()];
    let mut epoch = 0u32;
    let mut acc = Acc::default();
    let mut out = Vec::new();
    for (line, days) in &by_line {
        // Population lots reached from each day's batches.
        let reach: Vec<(i32, Vec<LotIx>)> = days
            .iter()
            .map(|(d, roots)| {
                let mut v = Vec::new();
                tracer.reach(roots, Direction::Downstream, |l| {
                    if cx.pop[l.ix()] || cx.complaint[l.ix()] {
                        v.push(l);
                    }
                });
                (*d, v)
            })
            .collect();
        let mut best: Option<Cand> = None;
        let mut tried = 0u64;
        for a in 0..reach.len() {
            epoch += 1;
            acc.clear();
            for (d, lots) in reach[a..]
                .iter()
                .take_while(|(d, _)| *d < reach[a].0 + max_window)
            {
                for l in lots {
                    if stamp[l.ix()] != epoch {
                        stamp[l.ix()] = epoch;
                        acc.add(&cx.strata, l.ix(), cx.complaint[l.ix()]);
                    }
                }
                tried += 1;
                if acc.k == 0 {
                    continue;
                }
                let ln_p = cx.ln_p(stat, &acc);
                if best.as_ref().is_none_or(|b| ln_p < b.ln_p) {
                    best = Some(Cand {
                        id: ds.lines[*line].clone(),
                        kind: "line-window".into(),
                        k: acc.k,
                        other: acc.n - acc.k,
                        ln_p,
                        window: Some((reach[a].0, *d)),
                    });
                }
            }
        }
        if let Some(mut b) = best {
            b.ln_p += (tried.max(1) as f64).ln();
            out.push(b);
        }
    }
    out
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

fn report(o: &Opts, outs: &[Outcome], seconds: f64) -> String {
    let mut s = String::new();
    let cmd = format!(
        "cargo bench --bench accuracy -- --scenarios {} --lots {} --seed {} --kinds {} --max-window {}",
        o.scenarios,
        o.lots,
        o.seed,
        o.kinds.join(","),
        o.max_window
    );
    let _ = writeln!(s, "Command: `{cmd}` ({seconds:.0} s)\n");
    let _ = writeln!(
        s,
        "| planted fault | scenarios | precision@1 | in top 3 | median rank | + line windows: @1 | top 3 | stratified + line windows: @1 | top 3 | proposal: @1 | top 3 |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut groups: Vec<(String, Vec<&Outcome>)> = o
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
        groups.push(("single-source (supplier lot, line)".into(), single));
    }
    groups.push(("all".into(), outs.iter().collect()));
    type RankOf = fn(&Outcome) -> Option<usize>;
    let columns: [RankOf; 4] = [
        |x| x.rank,
        |x| x.alt_rank,
        |x| x.strat_win_rank,
        |x| x.proposal_rank,
    ];
    for (name, g) in &groups {
        let at = |k: usize, f: RankOf| g.iter().filter(|x| f(x).is_some_and(|r| r <= k)).count();
        let ranks: Vec<Option<usize>> = g.iter().map(|x| x.rank).collect();
        let mut row = format!("| {name} | {} ", g.len());
        for (i, f) in columns.iter().enumerate() {
            let _ = write!(
                row,
                "| {} | {} ",
                pct(at(1, *f), g.len()),
                pct(at(3, *f), g.len())
            );
            if i == 0 {
                let _ = write!(row, "| {} ", median_rank(&ranks));
            }
        }
        let _ = writeln!(s, "{row}|");
    }
    let sup: Vec<&Outcome> = outs
        .iter()
        .filter(|x| x.planted.kind == "supplier")
        .collect();
    if !sup.is_empty() {
        let _ = writeln!(
            s,
            "\nSupplier faults, lenient (first candidate is the bad supplier or one of its defective lots): investigate {}, proposal {}.",
            pct(sup.iter().filter(|x| x.baseline_lenient).count(), sup.len()),
            pct(sup.iter().filter(|x| x.proposal_lenient).count(), sup.len()),
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
    let _ = writeln!(
        s,
        "\nPer scenario (k/other = complaint lots / other sold lots reached):\n"
    );
    let _ = writeln!(
        s,
        "| seed | fault | planted source | severity | sold lots carrying it | fault returns | complaint lots | rank | planted k/other | first candidate | rank + windows | rank stratified + windows | rank proposal | first, proposal |"
    );
    let _ = writeln!(
        s,
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|"
    );
    let r = |x: Option<usize>| x.map_or("> 200".to_string(), |r| r.to_string());
    for x in outs {
        let p = &x.planted;
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.2} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            x.seed,
            p.kind,
            p.source,
            p.severity,
            p.sold_lots,
            p.fault_returns,
            x.complaint_lots,
            r(x.rank),
            x.planted_counts
                .map_or("-".into(), |(k, o)| format!("{k}/{o}")),
            describe(x.top.first()),
            r(x.alt_rank),
            r(x.strat_win_rank),
            r(x.proposal_rank),
            describe(x.proposal_top.as_ref()),
        );
    }
    s
}
