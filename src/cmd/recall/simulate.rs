//! `recall simulate`'s typed result: every affected lot with the seed
//! set's share and where its units are, the customers to notify, totals
//! per unit of measure and where the seeds' units are now; and the document
//! every format is written from.

use crate::report::document::{Chart, GraphNode, Json};
use crate::report::located::{self, LocatedJson, PlaceRow};
use crate::report::row::{Keyed, Num, Share};
use crate::report::{Document, fmt_num};
use crate::snapshot::Snapshot;
use lotgraph_core::LotIx;
use lotgraph_core::analytics::recall::Recall;
use lotgraph_core::model::Dataset;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::HashMap;

/// The seeds' quantity inside a lot: a number when the seeds share one
/// unit, else one number per unit.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum SeedQuantity {
    One(Num),
    ByUnit(Keyed<Num>),
}

/// On hand at one site.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SiteOnHand {
    pub site_id: Option<String>,
    pub on_hand: Num,
}

/// One affected lot (`recall simulate --format json`).
#[derive(Debug, Serialize, JsonSchema)]
pub struct RecallLot {
    pub lot_id: String,
    pub sku: String,
    /// Share of the seed set in the lot.
    pub share: f64,
    pub share_basis: Option<String>,
    pub seed_quantity: SeedQuantity,
    pub quantity: Num,
    pub on_hand: Num,
    pub in_transit: Num,
    pub delivered: Num,
    /// On hand at unit cost (null: no cost recorded).
    pub value: Option<Num>,
    pub uom: String,
    /// Consumption steps from the nearest seed.
    pub depth: u32,
    pub on_hand_by_site: Vec<SiteOnHand>,
}

/// The seeds' quantity as one table cell ("12 kg; 3 ea" for several units).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub(super) enum SeedCell {
    One(Num),
    ByUnit(String),
}

/// An affected lot as a table row.
#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct RecallLotView {
    pub lot_id: String,
    pub sku: String,
    pub share: Share,
    pub share_basis: Option<String>,
    pub seed_quantity: SeedCell,
    pub quantity: Num,
    pub on_hand: Num,
    pub in_transit: Num,
    pub delivered: Num,
    pub value: Option<Num>,
    pub uom: String,
    pub depth: u32,
}

/// A customer to notify (JSON and the `--notify` CSV: lots joined with `;`
/// there, a list in JSON since ids may contain `;`).
#[derive(Debug, Serialize, JsonSchema)]
pub struct NotifyRow {
    pub customer_id: String,
    /// Units of affected lots delivered to or in transit to it.
    pub quantity: Num,
    pub contact: Option<String>,
    pub name: Option<String>,
    pub lots: Vec<String>,
}

/// Units by status in one unit of measure.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct UnitTotals {
    pub on_hand: Num,
    pub in_transit: Num,
    pub delivered: Num,
}

/// [`UnitTotals`] as a table row.
#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct UnitTotalsRow {
    pub uom: String,
    pub on_hand: Num,
    pub in_transit: Num,
    pub delivered: Num,
}

/// The recall's totals.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RecallTotals {
    pub lots: u64,
    pub customers: u64,
    /// Value at cost of what is on hand.
    pub value: f64,
    pub by_uom: Keyed<UnitTotals>,
}

/// `recall simulate --format json` (docs/cli-contract.md).
#[derive(Debug, Serialize, JsonSchema)]
pub struct RecallJson {
    pub seeds: Vec<String>,
    pub lots: Vec<RecallLot>,
    pub customers: Vec<NotifyRow>,
    pub totals: RecallTotals,
    pub min_share: f64,
    /// Lots carrying less than `min_share` of the seed set (not listed).
    pub below_min_share: u64,
    /// Per unit of the seeds: where their units are now.
    pub located: Keyed<LocatedJson>,
    pub elapsed_ms: f64,
}

/// The totals of `r` per unit of measure.
pub(super) fn unit_totals(r: &Recall) -> Keyed<UnitTotals> {
    Keyed(
        r.by_uom
            .iter()
            .map(|(u, t)| {
                let totals = UnitTotals {
                    on_hand: Num(t.on_hand),
                    in_transit: Num(t.in_transit),
                    delivered: Num(t.delivered),
                };
                (u.clone(), totals)
            })
            .collect(),
    )
}

fn lot_rows(ds: &Dataset, r: &Recall) -> (Vec<RecallLot>, Vec<RecallLotView>) {
    // One unit among the seeds: the seed quantity is a number; several:
    // an object by unit (a cell "12 kg; 3 ea" in tables).
    let one_unit = r.located.len() <= 1;
    let mut lots = Vec::with_capacity(r.lots.len());
    let mut views = Vec::with_capacity(r.lots.len());
    for l in &r.lots {
        let (seed_quantity, seed_cell) = if one_unit {
            let q = Num(l.seed_quantity.first().map_or(0.0, |(_, q)| *q));
            (SeedQuantity::One(q), SeedCell::One(q))
        } else {
            let text: Vec<String> = l
                .seed_quantity
                .iter()
                .map(|(u, q)| format!("{} {u}", fmt_num(*q)))
                .collect();
            let by_unit = l.seed_quantity.iter().map(|(u, q)| (u.clone(), Num(*q)));
            (
                SeedQuantity::ByUnit(Keyed(by_unit.collect())),
                SeedCell::ByUnit(text.join("; ")),
            )
        };
        let lot = RecallLot {
            lot_id: ds.lot_id(l.lot).to_string(),
            sku: ds.product_of(l.lot).sku.clone(),
            share: l.share,
            share_basis: l.basis.map(|b| b.as_str().to_string()),
            seed_quantity,
            quantity: Num(l.quantity),
            on_hand: Num(l.on_hand),
            in_transit: Num(l.in_transit),
            delivered: Num(l.delivered),
            value: l.value.map(Num),
            uom: ds.uom_of(l.lot).to_string(),
            depth: l.depth,
            on_hand_by_site: l
                .on_hand_by_site
                .iter()
                .map(|(s, q)| SiteOnHand {
                    site_id: s.map(|s| ds.site_id(s).to_string()),
                    on_hand: Num(*q),
                })
                .collect(),
        };
        views.push(RecallLotView {
            lot_id: lot.lot_id.clone(),
            sku: lot.sku.clone(),
            share: Share(l.share),
            share_basis: lot.share_basis.clone(),
            seed_quantity: seed_cell,
            quantity: lot.quantity,
            on_hand: lot.on_hand,
            in_transit: lot.in_transit,
            delivered: lot.delivered,
            value: lot.value,
            uom: lot.uom.clone(),
            depth: lot.depth,
        });
        lots.push(lot);
    }
    (lots, views)
}

fn notify_rows(ds: &Dataset, r: &Recall) -> Vec<NotifyRow> {
    r.customers
        .iter()
        .map(|c| {
            let cust = &ds.customers[c.customer.ix()];
            NotifyRow {
                customer_id: cust.id.clone(),
                quantity: Num(c.quantity),
                contact: cust.contact.clone(),
                name: cust.name.clone(),
                lots: c.lots.iter().map(|l| ds.lot_id(*l).to_string()).collect(),
            }
        })
        .collect()
}

/// The lines people read first.
fn notes(ds: &Dataset, r: &Recall, min_share: f64, ms: f64) -> Vec<String> {
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
    notes
}

/// The genealogy picture of the listed lots, seeds on the left, and the
/// units by status.
fn charts(snap: &Snapshot, r: &Recall) -> Vec<Chart> {
    let ds = &snap.dataset;
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
    for (i, l) in r.lots.iter().enumerate() {
        for &o in snap.genealogy.outputs().neighbors(l.lot) {
            if let Some(&j) = pos.get(&o) {
                edges.push((i, j));
            }
        }
    }
    vec![
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
    ]
}

/// The document of a simulated recall: tables `lots`, `customers` (the
/// notify list, `tables[1]`), totals by unit and where the seeds are now.
pub(super) fn document(
    snap: &Snapshot,
    r: &Recall,
    min_share: f64,
    ms: f64,
) -> anyhow::Result<Document> {
    let ds = &snap.dataset;
    let (lots, views) = lot_rows(ds, r);
    let customers = notify_rows(ds, r);
    let by_uom = unit_totals(r);
    let by_uom_rows: Vec<UnitTotalsRow> = by_uom
        .0
        .iter()
        .map(|(u, t)| UnitTotalsRow {
            uom: u.clone(),
            on_hand: t.on_hand,
            in_transit: t.in_transit,
            delivered: t.delivered,
        })
        .collect();
    let places: Vec<PlaceRow> = r
        .located
        .iter()
        .flat_map(|(u, l)| located::rows(ds, u, l))
        .collect();
    let seeds: Vec<String> = r.seeds.iter().map(|l| ds.lot_id(*l).to_string()).collect();
    let mut doc = Document {
        title: format!("Recall simulation: {}", seeds.join(", ")),
        notes: notes(ds, r, min_share, ms),
        charts: charts(snap, r),
        ..Document::default()
    };
    doc.push_table("lots", &views)?;
    doc.push_table("customers", &customers)?;
    doc.push_table("totals by unit of measure", &by_uom_rows)?;
    doc.push_table("where the seeds are now", &places)?;
    doc.json = Json::of(RecallJson {
        seeds,
        lots,
        customers,
        totals: RecallTotals {
            lots: r.lots.len() as u64,
            customers: r.customers.len() as u64,
            value: r.value,
            by_uom,
        },
        min_share,
        below_min_share: r.below_min_share as u64,
        located: Keyed(
            r.located
                .iter()
                .map(|(u, l)| (u.clone(), located::json(ds, u, l)))
                .collect(),
        ),
        elapsed_ms: ms,
    });
    Ok(doc)
}
