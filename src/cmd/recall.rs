//! `lotgraph recall simulate` and `lotgraph recall compare`: what-if recall
//! simulation. Seeds come from lots, a supplier's receipts in a window, or a
//! line's production in a window; the answer is every affected lot with the
//! seed set's share, units on hand / in transit / delivered, value at cost,
//! and the customers to notify. The time the simulation took is reported:
//! this is a mock recall against a regulator's 24-hour clock.

use super::{WorkspaceArgs, find_lines, find_lot, find_site, find_supplier};
use crate::Status;
use crate::report::document::{Chart, Document, GraphNode};
use crate::report::{Cell, Tabular, columns as col, fmt_num, json_number, located};
use crate::snapshot::Snapshot;
use anyhow::Context;
use chrono::NaiveDate;
use lotgraph_core::LotIx;
use lotgraph_core::analytics::recall::{Recall, SeedRule, select_seeds, simulate, simulate_with};
use serde_json::{Map, Value, json};
use std::collections::{BTreeSet, HashMap};
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

const LOT_COLUMNS: &[&str] = &[
    col::LOT_ID,
    col::SKU,
    col::SHARE,
    col::SHARE_BASIS,
    col::SEED_QUANTITY,
    col::QUANTITY,
    col::ON_HAND,
    col::IN_TRANSIT,
    col::DELIVERED,
    col::VALUE_AT_COST,
    col::UOM,
    col::DEPTH,
];

const CUSTOMER_COLUMNS: &[&str] = &[
    col::CUSTOMER_ID,
    col::QUANTITY,
    col::CONTACT,
    col::NAME,
    col::LOTS,
];

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
    let doc = simulate_document(&snap, &recall, args.min_share, elapsed.as_secs_f64() * 1e3);
    if let Some(path) = &args.notify {
        let mut w = crate::report::open_output(path)?;
        doc.tables[1].1.write_csv(&mut w)?;
        w.finish()?;
    }
    args.report.emit(&doc)?;
    Ok(Status::Ok)
}

fn simulate_document(snap: &Snapshot, r: &Recall, min_share: f64, ms: f64) -> Document {
    let ds = &snap.dataset;
    let mut lots = Tabular::new(LOT_COLUMNS);
    let mut json_lots = Vec::new();
    // One unit among the seeds: the seed quantity is a number; several:
    // an object by unit (a cell "12 kg; 3 ea" in tables).
    let one_unit = r.located.len() <= 1;
    for l in &r.lots {
        let basis = l.basis.map(|b| b.as_str());
        let (seed_cell, seed_json) = if one_unit {
            let q = l.seed_quantity.first().map_or(0.0, |(_, q)| *q);
            (Cell::Num(Some(q)), json_number(q))
        } else {
            let text: Vec<String> = l
                .seed_quantity
                .iter()
                .map(|(u, q)| format!("{} {u}", fmt_num(*q)))
                .collect();
            let obj: Map<String, Value> = l
                .seed_quantity
                .iter()
                .map(|(u, q)| (u.clone(), json_number(*q)))
                .collect();
            (Cell::text(text.join("; ")), Value::Object(obj))
        };
        lots.push(vec![
            Cell::text(ds.lot_id(l.lot)),
            Cell::text(&ds.product_of(l.lot).sku),
            Cell::Share(l.share),
            Cell::opt(basis),
            seed_cell,
            Cell::Num(Some(l.quantity)),
            Cell::Num(Some(l.on_hand)),
            Cell::Num(Some(l.in_transit)),
            Cell::Num(Some(l.delivered)),
            Cell::Num(l.value),
            Cell::text(ds.uom_of(l.lot)),
            Cell::Int(u64::from(l.depth)),
        ]);
        let by_site: Vec<Value> = l
            .on_hand_by_site
            .iter()
            .map(|(s, q)| json!({"site_id": s.map(|s| ds.site_id(s)), "on_hand": json_number(*q)}))
            .collect();
        json_lots.push(json!({
            "lot_id": ds.lot_id(l.lot),
            "sku": ds.product_of(l.lot).sku,
            "share": l.share,
            "share_basis": basis,
            "seed_quantity": seed_json,
            "quantity": json_number(l.quantity),
            "on_hand": json_number(l.on_hand),
            "in_transit": json_number(l.in_transit),
            "delivered": json_number(l.delivered),
            "value": l.value.map_or(Value::Null, json_number),
            "uom": ds.uom_of(l.lot),
            "depth": l.depth,
            "on_hand_by_site": by_site,
        }));
    }
    let mut customers = Tabular::new(CUSTOMER_COLUMNS);
    let mut json_customers = Vec::new();
    for c in &r.customers {
        let cust = &ds.customers[c.customer.ix()];
        let ids: Vec<&str> = c.lots.iter().map(|l| ds.lot_id(*l)).collect();
        // In JSON the lots are a list (ids may contain the `;` tables use).
        json_customers.push(json!({
            col::CUSTOMER_ID: cust.id,
            col::QUANTITY: json_number(c.quantity),
            col::CONTACT: cust.contact,
            col::NAME: cust.name,
            col::LOTS: ids,
        }));
        customers.push(vec![
            Cell::text(&cust.id),
            Cell::Num(Some(c.quantity)),
            Cell::opt(cust.contact.as_deref()),
            Cell::opt(cust.name.as_deref()),
            Cell::text(ids.join(";")),
        ]);
    }
    let mut by_uom_t = Tabular::new(&[col::UOM, col::ON_HAND, col::IN_TRANSIT, col::DELIVERED]);
    let mut by_uom = Map::new();
    for (u, t) in &r.by_uom {
        by_uom_t.push(vec![
            Cell::text(u),
            Cell::Num(Some(t.on_hand)),
            Cell::Num(Some(t.in_transit)),
            Cell::Num(Some(t.delivered)),
        ]);
        by_uom.insert(
            u.clone(),
            json!({"on_hand": json_number(t.on_hand), "in_transit": json_number(t.in_transit), "delivered": json_number(t.delivered)}),
        );
    }
    let mut located_json = Map::new();
    let mut located_t = Tabular::new(located::PLACE_COLUMNS);
    for (u, l) in &r.located {
        located_json.insert(u.clone(), located::json(ds, u, l));
        for row in located::table(ds, u, l).rows {
            located_t.push(row);
        }
    }
    let seeds: Vec<&str> = r.seeds.iter().map(|l| ds.lot_id(*l)).collect();
    let json = json!({
        "seeds": seeds,
        "lots": json_lots,
        "customers": json_customers,
        "totals": {
            "lots": r.lots.len(),
            "customers": r.customers.len(),
            "value": r.value,
            "by_uom": by_uom,
        },
        "min_share": min_share,
        "below_min_share": r.below_min_share,
        "located": located_json,
        "elapsed_ms": ms,
    });
    let units: Vec<String> = r
        .by_uom
        .iter()
        .map(|(u, t)| {
            format!(
                "{} {u} on hand, {} in transit, {} delivered",
                fmt_num(t.on_hand),
                fmt_num(t.in_transit),
                fmt_num(t.delivered)
            )
        })
        .collect();
    let mut notes = vec![
        format!(
            "Recall of {} seed lot(s): {} lot(s) affected, {} customer(s) to notify, value at cost {}.",
            r.seeds.len(),
            r.lots.len(),
            r.customers.len(),
            fmt_num((r.value * 100.0).round() / 100.0)
        ),
        format!(
            "Units: {}.",
            if units.is_empty() {
                "none".into()
            } else {
                units.join("; ")
            }
        ),
        format!("Simulated in {ms:.2} ms."),
    ];
    for (u, l) in &r.located {
        notes.push(format!("Where it is now: {}.", located::sentence(ds, u, l)));
    }
    if r.below_min_share > 0 {
        notes.push(format!(
            "{} more lot(s) carry less than {min_share} of the seed set and are not listed.",
            r.below_min_share
        ));
    }
    // Genealogy picture of the listed lots, seeds on the left.
    let pos: HashMap<LotIx, usize> = r.lots.iter().enumerate().map(|(i, l)| (l.lot, i)).collect();
    let nodes = r
        .lots
        .iter()
        .map(|l| GraphNode {
            id: ds.lot_id(l.lot).to_string(),
            detail: ds.product_of(l.lot).sku.clone(),
            level: l.depth,
            share: l.share,
            seed: l.depth == 0,
        })
        .collect();
    let mut edges = Vec::new();
    for l in &r.lots {
        for &o in snap.genealogy.outputs().neighbors(l.lot) {
            if let Some(&j) = pos.get(&o) {
                edges.push((pos[&l.lot], j));
            }
        }
    }
    Document {
        title: format!("Recall simulation: {}", seeds.join(", ")),
        notes,
        tables: vec![
            ("lots".into(), lots),
            ("customers".into(), customers),
            ("totals by unit of measure".into(), by_uom_t),
            ("where the seeds are now".into(), located_t),
        ],
        charts: vec![
            Chart::Genealogy {
                title: "Blast radius (fill = share of the recalled lots)".into(),
                nodes,
                edges,
            },
            Chart::Stacked {
                title: "Units by status".into(),
                series: vec!["on hand".into(), "in transit".into(), "delivered".into()],
                rows: r
                    .by_uom
                    .iter()
                    .map(|(u, t)| (u.clone(), vec![t.on_hand, t.in_transit, t.delivered]))
                    .collect(),
            },
        ],
        json: json.into(),
    }
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
                    .map_err(|e| anyhow::anyhow!("scenario {name:?}: min-share: {e}"))?
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
    let mut t = Tabular::new(&[
        col::SCENARIO,
        col::SEEDS,
        col::LOTS,
        col::CUSTOMERS,
        col::UNITS,
        col::VALUE_AT_COST,
        col::ONLY_HERE,
    ]);
    let mut json_s = Vec::new();
    for (i, (name, r, ms)) in results.iter().enumerate() {
        let mut only: Vec<&str> = sets[i]
            .iter()
            .filter(|l| {
                sets.iter()
                    .enumerate()
                    .all(|(j, s)| j == i || !s.contains(l))
            })
            .map(|l| ds.lot_id(*l))
            .collect();
        only.sort();
        let units: Vec<String> = r
            .by_uom
            .iter()
            .map(|(u, x)| format!("{} {u}", fmt_num(x.on_hand + x.in_transit + x.delivered)))
            .collect();
        t.push(vec![
            Cell::text(name),
            Cell::Int(r.seeds.len() as u64),
            Cell::Int(r.lots.len() as u64),
            Cell::Int(r.customers.len() as u64),
            Cell::text(units.join(", ")),
            Cell::Num(Some((r.value * 100.0).round() / 100.0)),
            Cell::Int(only.len() as u64),
        ]);
        let by_uom: Map<String, Value> = r
            .by_uom
            .iter()
            .map(|(u, x)| {
                (
                    u.clone(),
                    json!({"on_hand": json_number(x.on_hand), "in_transit": json_number(x.in_transit), "delivered": json_number(x.delivered)}),
                )
            })
            .collect();
        json_s.push(json!({
            "name": name,
            "seeds": r.seeds.iter().map(|l| ds.lot_id(*l)).collect::<Vec<_>>(),
            "lots": r.lots.len(),
            "customers": r.customers.len(),
            "value": r.value,
            "by_uom": by_uom,
            "only_here": only,
            "elapsed_ms": ms,
        }));
    }
    let doc = Document {
        title: "Recall scenarios compared".into(),
        notes: vec![format!(
            "{} scenario(s); only_here counts lots that no other scenario catches.",
            results.len()
        )],
        charts: Vec::new(),
        json: json!({ "scenarios": json_s }).into(),
        tables: vec![("scenarios".into(), t)],
    };
    args.report.emit(&doc)?;
    Ok(Status::Ok)
}
