//! `lotgraph recall simulate` and `lotgraph recall compare`: what-if recall
//! simulation. Seeds come from lots, a supplier's receipts in a window, or a
//! line's production in a window; the answer is every affected lot with the
//! seed set's share, units on hand / in transit / delivered, value at cost,
//! and the customers to notify. The time the simulation took is reported:
//! this is a mock recall against a regulator's 24-hour clock.

use super::{WorkspaceArgs, find_lines, find_lot, find_site, find_supplier};
use crate::Status;
mod compare;
mod simulate;

pub use compare::CompareJson;
pub use simulate::RecallJson;

use crate::report::document::Json;
use crate::report::row::Num;
use crate::report::{Document, fmt_num};
use crate::snapshot::Snapshot;
use anyhow::Context;
use chrono::NaiveDate;
use lotgraph_core::LotIx;
use lotgraph_core::analytics::recall::{Recall, SeedRule, select_seeds, simulate, simulate_with};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

/// Recall actions.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Simulate one recall.
    Simulate(SimulateArgs),
    /// Run several named recall scenarios side by side.
    Compare(CompareArgs),
}

/// How seeds are chosen (any combination).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SeedArgs {
    /// Recall this lot (repeatable).
    #[arg(long)]
    pub lot: Vec<String>,
    /// Recall this supplier's lots received in the window (repeatable).
    #[arg(long)]
    pub supplier: Vec<String>,
    /// Recall lots produced on this line in the window (repeatable).
    #[arg(long)]
    pub line: Vec<String>,
    /// With --line: only lots produced at this site.
    #[arg(long)]
    pub site: Option<String>,
    /// Window start for --supplier / --line.
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Window end for --supplier / --line.
    #[arg(long)]
    pub to: Option<NaiveDate>,
}

impl SeedArgs {
    /// The seed rules these options describe.
    fn rules(&self, snap: &Snapshot, ws: &WorkspaceArgs) -> anyhow::Result<Vec<SeedRule>> {
        let mut rules = Vec::new();
        for l in &self.lot {
            rules.push(SeedRule::Lot(find_lot(snap, ws, l)?));
        }
        for s in &self.supplier {
            rules.push(SeedRule::Supplier {
                supplier: find_supplier(snap, s)?,
                from: self.from,
                to: self.to,
            });
        }
        let site = self
            .site
            .as_deref()
            .map(|s| find_site(snap, s))
            .transpose()?;
        for l in &self.line {
            for line in find_lines(snap, l, site)? {
                rules.push(SeedRule::Line {
                    line,
                    site,
                    from: self.from,
                    to: self.to,
                });
            }
        }
        if rules.is_empty() {
            anyhow::bail!("no seeds: give --lot, --supplier or --line");
        }
        Ok(rules)
    }
}

#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub seeds: SeedArgs,
    /// List only lots whose share of the seed set is at least this (and the
    /// customers reached through them); a fraction in [0, 1].
    #[arg(long, default_value_t = 0.0, value_parser = share_fraction)]
    pub min_share: f64,
    /// Also write the customer notification list (CSV) here.
    #[arg(long)]
    pub notify: Option<PathBuf>,
    #[command(flatten)]
    pub report: super::ReportArgs,
    #[command(flatten)]
    pub ws: WorkspaceArgs,
}

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// A scenario as `NAME=SPEC`, SPEC being `;`-separated `key=value`
    /// items: `lot=ID`, `supplier=ID`, `line=NAME`, `site=ID`, `from=DATE`,
    /// `to=DATE`, `min-share=X` (repeatable; at least two).
    #[arg(long = "scenario", required = true, num_args = 1)]
    pub scenarios: Vec<String>,
    #[command(flatten)]
    pub report: super::ReportArgs,
    #[command(flatten)]
    pub ws: WorkspaceArgs,
}

/// Parses a share threshold: a finite fraction in [0, 1].
fn share_fraction(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("{s:?} is not a fraction between 0 and 1")),
    }
}

pub fn run(args: Args) -> anyhow::Result<Status> {
    match args.action {
        Action::Simulate(a) => run_simulate(a),
        Action::Compare(a) => run_compare(a),
    }
}

fn run_simulate(args: SimulateArgs) -> anyhow::Result<Status> {
    let snap = args.ws.load()?;
    let ds = &snap.dataset;
    let t0 = Instant::now();
    let seeds = select_seeds(ds, &args.seeds.rules(&snap, &args.ws)?);
    if seeds.is_empty() {
        anyhow::bail!("the seed rules select no lots (check --from/--to)");
    }
    let bal = &snap.balance;
    let recall = simulate(ds, &snap.genealogy, bal, &seeds, args.min_share);
    let elapsed = t0.elapsed();
    let doc = simulate::document(&snap, &recall, args.min_share, elapsed.as_secs_f64() * 1e3)?;
    if let Some(path) = &args.notify {
        let mut w = crate::report::open_output(path)?;
        // The notify list is the document's `customers` table.
        doc.tables[1].1.write_csv(&mut w)?;
        w.finish()?;
    }
    args.report.emit("recall simulate", &doc)?;
    Ok(Status::Ok)
}

/// One parsed `--scenario NAME=SPEC`.
struct Scenario {
    name: String,
    seeds: SeedArgs,
    min_share: f64,
}

fn parse_scenario(s: &str) -> anyhow::Result<Scenario> {
    let (name, spec) = s
        .split_once('=')
        .with_context(|| format!("scenario {s:?} is not NAME=SPEC"))?;
    let mut seeds = SeedArgs::default();
    let mut min_share = 0.0;
    for item in spec.split(';').filter(|i| !i.trim().is_empty()) {
        let (k, v) = item
            .split_once('=')
            .with_context(|| format!("scenario {name:?}: {item:?} is not key=value"))?;
        let date = |v: &str| {
            v.parse::<NaiveDate>()
                .with_context(|| format!("scenario {name:?}: {k}: {v:?} is not a date"))
        };
        match k.trim() {
            "lot" => seeds.lot.push(v.to_string()),
            "supplier" => seeds.supplier.push(v.to_string()),
            "line" => seeds.line.push(v.to_string()),
            "site" => seeds.site = Some(v.to_string()),
            "from" => seeds.from = Some(date(v)?),
            "to" => seeds.to = Some(date(v)?),
            "min-share" => {
                min_share = share_fraction(v)
                    .map_err(|e| anyhow::anyhow!("scenario {name:?}: min-share: {e}"))?;
            }
            other => anyhow::bail!("scenario {name:?}: unknown key {other:?}"),
        }
    }
    Ok(Scenario {
        name: name.to_string(),
        seeds,
        min_share,
    })
}

fn run_compare(args: CompareArgs) -> anyhow::Result<Status> {
    let scenarios: Vec<Scenario> = args
        .scenarios
        .iter()
        .map(|s| parse_scenario(s))
        .collect::<anyhow::Result<_>>()?;
    if scenarios.len() < 2 {
        anyhow::bail!("compare needs at least two --scenario");
    }
    let snap = args.ws.load()?;
    let ds = &snap.dataset;
    let bal = &snap.balance;
    // One tracer for every scenario: its setup is O(lots).
    let mut tracer = lotgraph_core::Tracer::new(&snap.genealogy);
    let mut results: Vec<(String, Recall, f64)> = Vec::new();
    for s in &scenarios {
        let t0 = Instant::now();
        let seeds = select_seeds(ds, &s.seeds.rules(&snap, &args.ws)?);
        if seeds.is_empty() {
            anyhow::bail!("scenario {:?} selects no lots (check its from/to)", s.name);
        }
        let r = simulate_with(&mut tracer, ds, bal, &seeds, s.min_share);
        results.push((s.name.clone(), r, t0.elapsed().as_secs_f64() * 1e3));
    }
    let sets: Vec<BTreeSet<LotIx>> = results
        .iter()
        .map(|(_, r, _)| r.lots.iter().map(|l| l.lot).collect())
        .collect();
    let mut rows = Vec::new();
    let mut json_s = Vec::new();
    for (i, (name, r, ms)) in results.iter().enumerate() {
        let mut only: Vec<String> = sets[i]
            .iter()
            .filter(|l| {
                sets.iter()
                    .enumerate()
                    .all(|(j, s)| j == i || !s.contains(l))
            })
            .map(|l| ds.lot_id(*l).to_string())
            .collect();
        only.sort();
        let units: Vec<String> = r
            .by_uom
            .iter()
            .map(|(u, x)| format!("{} {u}", fmt_num(x.on_hand + x.in_transit + x.delivered)))
            .collect();
        rows.push(compare::ScenarioRow {
            scenario: name.clone(),
            seeds: r.seeds.len() as u64,
            lots: r.lots.len() as u64,
            customers: r.customers.len() as u64,
            units: units.join(", "),
            value: Num((r.value * 100.0).round() / 100.0),
            only_here: only.len() as u64,
        });
        json_s.push(compare::ScenarioJson {
            name: name.clone(),
            seeds: r.seeds.iter().map(|l| ds.lot_id(*l).to_string()).collect(),
            lots: r.lots.len() as u64,
            customers: r.customers.len() as u64,
            value: r.value,
            by_uom: simulate::unit_totals(r),
            only_here: only,
            elapsed_ms: *ms,
        });
    }
    let mut doc = Document {
        title: "Recall scenarios compared".into(),
        notes: vec![format!(
            "{} scenario(s); only_here counts lots that no other scenario catches.",
            results.len()
        )],
        ..Document::default()
    };
    doc.push_table("scenarios", &rows)?;
    doc.json = Json::of(compare::CompareJson { scenarios: json_s });
    args.report.emit("recall compare", &doc)?;
    Ok(Status::Ok)
}
