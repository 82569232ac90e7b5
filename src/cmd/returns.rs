//! `lotgraph returns`: return rates per lot with 95% Wilson intervals and
//! flags for lots significantly above their SKU's baseline (one-sided
//! binomial test, Benjamini-Hochberg at 5%), or aggregated by SKU, site,
//! line or supplier (attributed through the genealogy).

use super::{ReturnCategoryArg, WorkspaceArgs};
use crate::Status;
use crate::report::document::{Bar, Chart, DocJson, Document};
use crate::report::{Cell, Tabular, columns as col};
use chrono::NaiveDate;
use lotgraph_core::analytics::returns::{LotRate, ReturnFilter, lot_rates};
use lotgraph_core::analytics::stats::{Z95, wilson};
use lotgraph_core::analytics::suppliers::ScoreInputs;
use lotgraph_core::model::{Dataset, LineIx, LotIx, Origin, SiteIx};
use lotgraph_core::store::NO_IX;
use serde_json::json;
use std::collections::BTreeMap;

/// How to group rates.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    /// One row per lot (the default).
    Lot,
    /// Per product.
    Sku,
    /// Per site where the lot was made or received.
    Site,
    /// Per production line.
    Line,
    /// Per supplier, attributed through the genealogy by quantity share.
    Supplier,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only lots of this SKU.
    #[arg(long)]
    pub sku: Option<String>,
    /// Only returns of this category.
    #[arg(long, value_enum)]
    pub category: Option<ReturnCategoryArg>,
    /// Only returns reported on or after this date.
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Only returns reported on or before this date.
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// Group rows.
    #[arg(long, value_enum, default_value_t = By::Lot)]
    pub by: By,
    /// Exit 1 when any lot is flagged.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub report: super::ReportArgs,
    #[command(flatten)]
    pub ws: WorkspaceArgs,
}

/// Columns of the per-lot table, in the contract's order.
const LOT_COLUMNS: &[&str] = &[
    col::LOT_ID,
    col::SKU,
    col::SHIPPED,
    col::RETURNED,
    col::RATE,
    col::CI_LOW,
    col::CI_HIGH,
    col::FLAGGED,
    col::BASELINE,
    col::P_VALUE,
];

/// Columns of grouped tables (the key column comes first).
const GROUP_COLUMNS: &[&str] = &[
    col::LOTS,
    col::SHIPPED,
    col::RETURNED,
    col::RATE,
    col::CI_LOW,
    col::CI_HIGH,
    col::FLAGGED_LOTS,
];

fn opt(v: Option<f64>) -> Cell {
    Cell::Num(v)
}

pub fn run(args: Args) -> anyhow::Result<Status> {
    let snap = args.ws.load()?;
    let ds = &snap.dataset;
    let filter = super::return_filter(
        &snap,
        args.sku.as_deref(),
        args.category,
        args.from,
        args.to,
    )?;
    let rates = lot_rates(ds, &filter);
    let flagged = rates.iter().filter(|r| r.flagged).count();
    let doc = match args.by {
        By::Lot => lots_document(ds, &rates),
        By::Supplier => supplier_document(ds, &snap.genealogy, &filter, &rates)?,
        by => group_document(ds, &rates, by),
    };
    let status = if args.strict && flagged > 0 {
        Status::Findings
    } else {
        Status::Ok
    };
    crate::after_writing(status, args.report.emit(&doc))
}

fn lots_document(ds: &Dataset, rates: &[LotRate]) -> Document {
    let mut t = Tabular::new(LOT_COLUMNS);
    for r in rates {
        t.push(vec![
            Cell::text(ds.lot_id(r.lot)),
            Cell::text(&ds.product_of(r.lot).sku),
            Cell::Num(Some(r.shipped)),
            Cell::Num(Some(r.returned)),
            opt(r.rate),
            opt(r.ci_low),
            opt(r.ci_high),
            Cell::Bool(r.flagged),
            opt(r.baseline),
            Cell::Prob(r.p_value),
        ]);
    }
    let flagged = rates.iter().filter(|r| r.flagged).count();
    let bars = rates
        .iter()
        .filter(|r| r.rate.is_some())
        .take(40)
        .map(|r| Bar {
            label: ds.lot_id(r.lot).to_string(),
            value: r.rate.unwrap_or(0.0),
            interval: r.ci_low.zip(r.ci_high),
            highlight: r.flagged,
        })
        .collect();
    let per_sku = group_rows(ds, rates, By::Sku);
    let funnel = per_sku
        .iter()
        .map(|(k, g)| Bar {
            label: k.clone(),
            value: g.rate().unwrap_or(0.0),
            interval: wilson(g.returned, g.shipped, Z95),
            highlight: g.flagged > 0,
        })
        .collect();
    Document {
        title: "Return rates per lot".into(),
        notes: vec![format!(
            "{} lot(s) shipped or returned; {flagged} flagged above their SKU baseline (binomial test, Benjamini-Hochberg 5%).",
            rates.len()
        )],
        tables: vec![("lots".into(), t)],
        charts: vec![
            Chart::Bars {
                title: "Return rate per SKU (95% Wilson interval)".into(),
                unit: "return rate".into(),
                percent: true,
                bars: funnel,
                reference: None,
            },
            Chart::Bars {
                title: "Highest lot return rates (flagged in red)".into(),
                unit: "return rate".into(),
                percent: true,
                bars,
                reference: None,
            },
        ],
        json: DocJson::MainTable("lots"),
    }
}

/// Sums of one group.
#[derive(Default)]
struct Group {
    lots: u64,
    shipped: f64,
    returned: f64,
    flagged: u64,
}

impl Group {
    fn rate(&self) -> Option<f64> {
        (self.shipped > 0.0).then(|| self.returned / self.shipped)
    }
}

fn group_rows(ds: &Dataset, rates: &[LotRate], by: By) -> BTreeMap<String, Group> {
    // Sum per interned key first (a few hundred SKUs, sites or lines over
    // up to a million lots), then name the groups once each.
    let key_of = |l: LotIx| -> Option<u32> {
        match by {
            By::Sku => Some(ds.lots.sku[l.ix()].0),
            By::Site => ds.lots.site_of(l.ix()).map(|s| s.0),
            By::Line => Some(ds.lots.line[l.ix()]).filter(|v| *v != NO_IX),
            By::Lot | By::Supplier => Some(l.0),
        }
    };
    let mut by_key: BTreeMap<Option<u32>, Group> = BTreeMap::new();
    for r in rates {
        let g = by_key.entry(key_of(r.lot)).or_default();
        g.lots += 1;
        g.shipped += r.shipped;
        g.returned += r.returned;
        g.flagged += u64::from(r.flagged);
    }
    let name = |k: u32| -> String {
        match by {
            By::Sku => ds.products[k as usize].sku.clone(),
            By::Site => ds.site_id(SiteIx(k)).to_string(),
            By::Line => ds.line_label(LineIx(k)),
            By::Lot | By::Supplier => ds.lot_id(LotIx(k)).to_string(),
        }
    };
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for (k, g) in by_key {
        let into = groups.entry(k.map(name).unwrap_or_default()).or_default();
        into.lots += g.lots;
        into.shipped += g.shipped;
        into.returned += g.returned;
        into.flagged += g.flagged;
    }
    groups
}

fn grouped(
    key: &'static str,
    title: String,
    groups: Vec<(String, Group)>,
    notes: Vec<String>,
) -> Document {
    let mut cols = vec![key];
    cols.extend_from_slice(GROUP_COLUMNS);
    let mut t = Tabular::new(&cols);
    let mut bars = Vec::new();
    for (k, g) in &groups {
        let ci = wilson(g.returned, g.shipped, Z95);
        t.push(vec![
            Cell::opt((!k.is_empty()).then_some(k.as_str())),
            Cell::Int(g.lots),
            Cell::Num(Some(g.shipped)),
            Cell::Num(Some(g.returned)),
            opt(g.rate()),
            opt(ci.map(|c| c.0)),
            opt(ci.map(|c| c.1)),
            Cell::Int(g.flagged),
        ]);
        bars.push(Bar {
            label: if k.is_empty() {
                "(none)".into()
            } else {
                k.clone()
            },
            value: g.rate().unwrap_or(0.0),
            interval: ci,
            highlight: g.flagged > 0,
        });
    }
    Document {
        title: title.clone(),
        notes,
        json: json!({ "by": key, "groups": t.json_rows() }).into(),
        tables: vec![(key.to_string(), t)],
        charts: vec![Chart::Bars {
            title,
            unit: "return rate".into(),
            percent: true,
            bars,
            reference: None,
        }],
    }
}

fn group_document(ds: &Dataset, rates: &[LotRate], by: By) -> Document {
    let key = match by {
        By::Sku => col::SKU,
        By::Site => col::SITE_ID,
        By::Line => col::LINE,
        By::Lot | By::Supplier => col::LOT_ID,
    };
    let groups = group_rows(ds, rates, by).into_iter().collect();
    grouped(key, format!("Return rates by {key}"), groups, Vec::new())
}

fn supplier_document(
    ds: &Dataset,
    g: &lotgraph_core::Genealogy,
    filter: &ReturnFilter,
    rates: &[LotRate],
) -> anyhow::Result<Document> {
    let inputs = ScoreInputs::compute(ds, g, filter)?;
    let mut flagged = vec![false; ds.lots.len()];
    for r in rates {
        flagged[r.lot.ix()] = r.flagged;
    }
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let mut roots: BTreeMap<String, Vec<lotgraph_core::LotIx>> = BTreeMap::new();
    for (i, lot) in ds.lots.iter().enumerate() {
        if let (Origin::Supplied, Some(s)) = (lot.origin, lot.supplier) {
            let id = &ds.suppliers[s.ix()].id;
            let e = groups.entry(id.clone()).or_default();
            e.lots += 1;
            e.shipped += inputs.attributed_shipped()[i];
            e.returned += inputs.attributed_returned()[i];
            roots
                .entry(id.clone())
                .or_default()
                .push(lotgraph_core::LotIx::from_ix(i));
        }
    }
    // flagged_lots: flagged lots made (in part) from the supplier's lots.
    let mut tracer = lotgraph_core::Tracer::new(g);
    for (id, r) in &roots {
        let mut n = 0;
        tracer.reach(r, lotgraph_core::Direction::Downstream, |l| {
            n += u64::from(flagged[l.ix()])
        });
        if let Some(e) = groups.get_mut(id) {
            e.flagged = n;
        }
    }
    Ok(grouped(
        col::SUPPLIER_ID,
        "Return rates by supplier (attributed through the genealogy)".into(),
        groups.into_iter().collect(),
        vec!["shipped and returned are Σ units(F)·share(S, F) over the supplier's lots S and every lot F made from them; flagged_lots counts flagged lots made from them.".into()],
    ))
}
