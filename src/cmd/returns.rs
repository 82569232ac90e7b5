//! `lotgraph returns`: return rates per lot with 95% Wilson intervals and
//! flags for lots significantly above their SKU's baseline (one-sided
//! binomial test, Benjamini-Hochberg at 5%), or aggregated by SKU, site,
//! line or supplier (attributed through the genealogy).

use super::{ReturnCategoryArg, WorkspaceArgs};
use crate::Status;
use crate::report::Document;
use crate::report::document::{Bar, Chart, Json};
use crate::report::row::{Num, Prob, table_from};
use chrono::NaiveDate;
use lotgraph_core::analytics::returns::{LotRate, ReturnFilter, lot_rates};
use lotgraph_core::analytics::stats::{Z95, wilson};
use lotgraph_core::analytics::suppliers::ScoreInputs;
use lotgraph_core::model::{Dataset, LineIx, LotIx, Origin, SiteIx};
use lotgraph_core::store::NO_IX;
use schemars::JsonSchema;
use serde::Serialize;
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

/// One lot's return rate (`returns`, the default `--by lot`).
#[derive(Debug, Serialize, JsonSchema)]
pub struct LotRateRow {
    pub lot_id: String,
    pub sku: String,
    /// Units shipped to customers.
    pub shipped: Num,
    /// Units returned.
    pub returned: Num,
    /// returned / shipped (null when nothing shipped).
    pub rate: Option<Num>,
    /// 95% Wilson interval of the rate.
    pub ci_low: Option<Num>,
    pub ci_high: Option<Num>,
    /// Significantly above its SKU's baseline (binomial test, BH 5%).
    pub flagged: bool,
    /// The SKU's pooled rate without this lot.
    pub baseline: Option<Num>,
    /// One-sided binomial p-value against the baseline.
    pub p_value: Prob,
}

/// `returns --format json` with `--by lot`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReturnsByLot {
    pub lots: Vec<LotRateRow>,
}

/// One group's sums, under the group's key column (`sku`, `site_id`,
/// `line`, `supplier_id`): one struct per key so the key is a named column.
macro_rules! group_row {
    ($(#[$doc:meta])* $name:ident, $key:ident) => {
        $(#[$doc])*
        #[derive(Debug, Serialize, JsonSchema)]
        pub struct $name {
            /// The group (null: lots without one).
            pub $key: Option<String>,
            /// Lots in the group.
            pub lots: u64,
            pub shipped: Num,
            pub returned: Num,
            pub rate: Option<Num>,
            pub ci_low: Option<Num>,
            pub ci_high: Option<Num>,
            /// Flagged lots in the group.
            pub flagged_lots: u64,
        }

        impl From<(String, Group)> for $name {
            fn from((k, g): (String, Group)) -> Self {
                let ci = wilson(g.returned, g.shipped, Z95);
                $name {
                    $key: (!k.is_empty()).then_some(k),
                    lots: g.lots,
                    shipped: Num(g.shipped),
                    returned: Num(g.returned),
                    rate: g.rate().map(Num),
                    ci_low: ci.map(|c| Num(c.0)),
                    ci_high: ci.map(|c| Num(c.1)),
                    flagged_lots: g.flagged,
                }
            }
        }
    };
}

group_row!(
    /// Return rates of one SKU (`--by sku`).
    SkuRateRow,
    sku
);
group_row!(
    /// Return rates of one site (`--by site`).
    SiteRateRow,
    site_id
);
group_row!(
    /// Return rates of one production line (`--by line`).
    LineRateRow,
    line
);
group_row!(
    /// Attributed return rates of one supplier (`--by supplier`).
    SupplierRateRow,
    supplier_id
);

/// The groups of `returns --by KEY`, rows named by the key.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Groups {
    Sku(Vec<SkuRateRow>),
    Site(Vec<SiteRateRow>),
    Line(Vec<LineRateRow>),
    Supplier(Vec<SupplierRateRow>),
}

/// `returns --format json` with `--by sku|site|line|supplier`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReturnsGrouped {
    /// The key column: `sku`, `site_id`, `line` or `supplier_id`.
    pub by: String,
    pub groups: Groups,
}

/// The JSON of `returns`: per lot, or grouped.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ReturnsJson {
    ByLot(ReturnsByLot),
    Grouped(ReturnsGrouped),
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
        By::Lot => lots_document(ds, &rates, !args.report.is_json())?,
        By::Supplier => supplier_document(ds, &snap.genealogy, &filter, &rates)?,
        by => group_document(ds, &rates, by)?,
    };
    let status = if args.strict && flagged > 0 {
        Status::Findings
    } else {
        Status::Ok
    };
    crate::after_writing(status, args.report.emit("returns", &doc))
}

/// The per-lot document; its table only when a format other than JSON
/// will show it (at 1M lots the cells of every row would double the
/// report's memory for nothing).
fn lots_document(ds: &Dataset, rates: &[LotRate], with_table: bool) -> anyhow::Result<Document> {
    let row = |r: &LotRate| LotRateRow {
        lot_id: ds.lot_id(r.lot).to_string(),
        sku: ds.product_of(r.lot).sku.clone(),
        shipped: Num(r.shipped),
        returned: Num(r.returned),
        rate: r.rate.map(Num),
        ci_low: r.ci_low.map(Num),
        ci_high: r.ci_high.map(Num),
        flagged: r.flagged,
        baseline: r.baseline.map(Num),
        p_value: Prob(r.p_value),
    };
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
    let mut doc = Document {
        title: "Return rates per lot".into(),
        notes: vec![format!(
            "{} lot(s) shipped or returned; {flagged} flagged above their SKU baseline (binomial test, Benjamini-Hochberg 5%).",
            rates.len()
        )],
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
        ..Document::default()
    };
    // One of the two: JSON is written only in the JSON format, the
    // table only in the others.
    if with_table {
        doc.tables
            .push(("lots".into(), table_from(rates.iter().map(row))?));
    } else {
        let lots = rates.iter().map(row).collect();
        doc.json = Json::of(ReturnsJson::ByLot(ReturnsByLot { lots }));
    }
    Ok(doc)
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
) -> anyhow::Result<Document> {
    let bars = groups
        .iter()
        .map(|(k, g)| Bar {
            label: if k.is_empty() {
                "(none)".into()
            } else {
                k.clone()
            },
            value: g.rate().unwrap_or(0.0),
            interval: wilson(g.returned, g.shipped, Z95),
            highlight: g.flagged > 0,
        })
        .collect();
    let mut doc = Document {
        title: title.clone(),
        notes,
        charts: vec![Chart::Bars {
            title,
            unit: "return rate".into(),
            percent: true,
            bars,
            reference: None,
        }],
        ..Document::default()
    };
    fn rows<R: From<(String, Group)>>(groups: Vec<(String, Group)>) -> Vec<R> {
        groups.into_iter().map(R::from).collect()
    }
    let groups = match key {
        "sku" => Groups::Sku(rows(groups)),
        "site_id" => Groups::Site(rows(groups)),
        "line" => Groups::Line(rows(groups)),
        _ => Groups::Supplier(rows(groups)),
    };
    match &groups {
        Groups::Sku(r) => doc.push_table(key, r)?,
        Groups::Site(r) => doc.push_table(key, r)?,
        Groups::Line(r) => doc.push_table(key, r)?,
        Groups::Supplier(r) => doc.push_table(key, r)?,
    }
    doc.json = Json::of(ReturnsJson::Grouped(ReturnsGrouped {
        by: key.to_string(),
        groups,
    }));
    Ok(doc)
}

fn group_document(ds: &Dataset, rates: &[LotRate], by: By) -> anyhow::Result<Document> {
    let key = match by {
        By::Sku => "sku",
        By::Site => "site_id",
        By::Line => "line",
        By::Lot | By::Supplier => "lot_id",
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
            n += u64::from(flagged[l.ix()]);
        });
        if let Some(e) = groups.get_mut(id) {
            e.flagged = n;
        }
    }
    grouped(
        "supplier_id",
        "Return rates by supplier (attributed through the genealogy)".into(),
        groups.into_iter().collect(),
        vec!["shipped and returned are Σ units(F)·share(S, F) over the supplier's lots S and every lot F made from them; flagged_lots counts flagged lots made from them.".into()],
    )
}
