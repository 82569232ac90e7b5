//! Exporters of a located split ([`Located`]: where every unit of a seed
//! is now), shared by `trace forward --locate` and `recall simulate`: one
//! table of places, a JSON block (docs/cli-contract.md, "Located") and
//! the sentence a person reads first.

use super::Tabular;
use super::fmt_num;
use super::row::{Num, RowError, table_of};
use lotgraph_core::analytics::locate::{Located, Place, PlaceKind, Whereabouts, place_id};
use lotgraph_core::model::Dataset;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::HashSet;

/// One place part of a seed rests at (or, with a negative quantity, a
/// shortfall: more left a place than the records brought there).
#[derive(Debug, Serialize, JsonSchema)]
pub struct PlaceRow {
    /// `on_hand`, `in_transit`, `delivered` or `unknown`.
    pub kind: String,
    pub site_id: Option<String>,
    pub customer_id: Option<String>,
    /// The lot the units are in.
    pub lot_id: String,
    pub sku: String,
    /// In the seed's unit.
    pub quantity: Num,
    pub uom: String,
}

/// Σ per kind of place.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LocatedTotals {
    pub on_hand: Num,
    pub in_transit: Num,
    pub delivered: Num,
}

/// Where every unit of a seed (in one unit) is now (docs/cli-contract.md,
/// "Located").
#[derive(Debug, Serialize, JsonSchema)]
pub struct LocatedJson {
    pub uom: String,
    pub seeds: Vec<String>,
    pub seed_quantity: Num,
    pub totals: LocatedTotals,
    /// Σ of the places.
    pub accounted: Num,
    /// accounted / `seed_quantity` (null for a seed of quantity 0).
    pub accounted_share: Option<Num>,
    /// `seed_quantity` − accounted.
    pub unexplained: Num,
    pub places: Vec<PlaceRow>,
    pub shortfalls: Vec<PlaceRow>,
}

fn place_row(ds: &Dataset, uom: &str, p: &Place) -> PlaceRow {
    let (site_id, customer_id) = match p.at {
        Whereabouts::Site(_) => (Some(place_id(ds, p.at).to_string()), None),
        Whereabouts::Customer(_) => (None, Some(place_id(ds, p.at).to_string())),
        Whereabouts::Unknown => (None, None),
    };
    PlaceRow {
        kind: p.kind.as_str().to_string(),
        site_id,
        customer_id,
        lot_id: ds.lot_id(p.lot).to_string(),
        sku: ds.product_of(p.lot).sku.clone(),
        quantity: Num(p.quantity),
        uom: uom.to_string(),
    }
}

/// The places (then the shortfalls, with negative quantities) as rows.
pub fn rows(ds: &Dataset, uom: &str, l: &Located) -> Vec<PlaceRow> {
    l.places
        .iter()
        .chain(&l.shortfalls)
        .map(|p| place_row(ds, uom, p))
        .collect()
}

/// The places (then the shortfalls) as a table.
///
/// # Errors
/// Never for [`PlaceRow`] (a row type a table cannot hold is a bug).
pub fn table(ds: &Dataset, uom: &str, l: &Located) -> Result<Tabular, RowError> {
    table_of(&rows(ds, uom, l))
}

/// Σ of the places of `kind`.
fn total(l: &Located, kind: PlaceKind) -> f64 {
    l.places
        .iter()
        .filter(|p| p.kind == kind)
        .map(|p| p.quantity)
        .sum()
}

/// The JSON block of one unit's split.
pub fn json(ds: &Dataset, uom: &str, l: &Located) -> LocatedJson {
    let rows = |v: &[Place]| v.iter().map(|p| place_row(ds, uom, p)).collect();
    LocatedJson {
        uom: uom.to_string(),
        seeds: l.seeds.iter().map(|s| ds.lot_id(*s).to_string()).collect(),
        seed_quantity: Num(l.seed_quantity),
        totals: LocatedTotals {
            on_hand: Num(total(l, PlaceKind::OnHand)),
            in_transit: Num(total(l, PlaceKind::InTransit)),
            delivered: Num(total(l, PlaceKind::Delivered)),
        },
        accounted: Num(l.accounted),
        accounted_share: accounted_share(l).map(Num),
        unexplained: Num(l.unexplained),
        places: rows(&l.places),
        shortfalls: rows(&l.shortfalls),
    }
}

/// accounted / seed quantity (`None` for a seed of quantity 0).
fn accounted_share(l: &Located) -> Option<f64> {
    (l.seed_quantity > 0.0).then(|| l.accounted / l.seed_quantity)
}

/// The quantity check in words, e.g. "R-2112-002, 400 kg: 312.5 kg
/// delivered to 15 customers inside 12 lots; ...; accounted for 400 kg of
/// 400 (100.00%), unexplained 0 kg".
pub fn sentence(ds: &Dataset, uom: &str, l: &Located) -> String {
    let seeds: Vec<&str> = l.seeds.iter().map(|s| ds.lot_id(*s)).collect();
    let q = |v: f64| format!("{} {uom}", fmt_num(round3(v)));
    let mut parts = Vec::new();
    for kind in [
        PlaceKind::Delivered,
        PlaceKind::InTransit,
        PlaceKind::OnHand,
    ] {
        let of: Vec<&Place> = l.places.iter().filter(|p| p.kind == kind).collect();
        if of.is_empty() {
            continue;
        }
        let places: HashSet<Whereabouts> = of.iter().map(|p| p.at).collect();
        let lots: HashSet<_> = of.iter().map(|p| p.lot).collect();
        let in_seeds: f64 = of
            .iter()
            .filter(|p| l.seeds.contains(&p.lot))
            .map(|p| p.quantity)
            .sum();
        let sum: f64 = of.iter().map(|p| p.quantity).sum();
        let mut s = match kind {
            PlaceKind::Delivered => format!(
                "{} delivered to {} customer(s) inside {} lot(s)",
                q(sum),
                places.len(),
                lots.len()
            ),
            PlaceKind::InTransit => format!("{} in transit inside {} lot(s)", q(sum), lots.len()),
            PlaceKind::OnHand => format!(
                "{} on hand at {} site(s) inside {} lot(s)",
                q(sum),
                places.len(),
                lots.len()
            ),
        };
        if in_seeds != 0.0 {
            s.push_str(&format!(
                " ({} of it unprocessed, in the seed itself)",
                q(in_seeds)
            ));
        }
        parts.push(s);
    }
    if parts.is_empty() {
        parts.push("no resting place recorded".into());
    }
    let share = accounted_share(l).map_or(String::new(), |s| format!(" ({:.2}%)", s * 100.0));
    let mut out = format!(
        "{}, {}: {}; accounted for {} of {}{share}, unexplained {}",
        seeds.join(", "),
        q(l.seed_quantity),
        parts.join("; "),
        q(l.accounted),
        fmt_num(round3(l.seed_quantity)),
        q(l.unexplained),
    );
    if !l.shortfalls.is_empty() {
        let short: f64 = l.shortfalls.iter().map(|p| p.quantity).sum();
        out.push_str(&format!(
            " ({} of it at sites with negative on hand: over-consumption or missing records)",
            q(short)
        ));
    }
    out
}

/// Rounds to 3 decimals for people, and turns float dust into 0.
fn round3(v: f64) -> f64 {
    let r = (v * 1000.0).round() / 1000.0;
    if r == 0.0 { 0.0 } else { r }
}
