//! Exporters of a located split ([`Located`]: where every unit of a seed
//! is now), shared by `trace forward --locate` and `recall simulate`: one
//! table of places, a JSON block (docs/cli-contract.md, "Located") and
//! the sentence a person reads first.

use super::columns as col;
use super::{Cell, Tabular, fmt_num, json_number};
use lotgraph_core::analytics::locate::{Located, Place, PlaceKind, Whereabouts, place_id};
use lotgraph_core::model::Dataset;
use serde_json::{Value, json};
use std::collections::HashSet;

/// Columns of the places table.
pub const PLACE_COLUMNS: &[&str] = &[
    col::KIND,
    col::SITE_ID,
    col::CUSTOMER_ID,
    col::LOT_ID,
    col::SKU,
    col::QUANTITY,
    col::UOM,
];

fn place_cells(ds: &Dataset, uom: &str, p: &Place) -> Vec<Cell> {
    let (site, customer) = match p.at {
        Whereabouts::Site(_) => (Cell::text(place_id(ds, p.at)), Cell::Text(None)),
        Whereabouts::Customer(_) => (Cell::Text(None), Cell::text(place_id(ds, p.at))),
        Whereabouts::Unknown => (Cell::Text(None), Cell::Text(None)),
    };
    vec![
        Cell::text(p.kind.as_str()),
        site,
        customer,
        Cell::text(ds.lot_id(p.lot)),
        Cell::text(&ds.product_of(p.lot).sku),
        Cell::Num(Some(p.quantity)),
        Cell::text(uom),
    ]
}

fn places_table<'p>(ds: &Dataset, uom: &str, places: impl Iterator<Item = &'p Place>) -> Tabular {
    let mut t = Tabular::new(PLACE_COLUMNS);
    for p in places {
        t.push(place_cells(ds, uom, p));
    }
    t
}

/// The places (then the shortfalls, with negative quantities) as a table.
pub fn table(ds: &Dataset, uom: &str, l: &Located) -> Tabular {
    places_table(ds, uom, l.places.iter().chain(&l.shortfalls))
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
pub fn json(ds: &Dataset, uom: &str, l: &Located) -> Value {
    let rows = |v: &[Place]| -> Vec<Value> {
        match places_table(ds, uom, v.iter()).json_rows() {
            Value::Array(a) => a,
            _ => Vec::new(),
        }
    };
    let seeds: Vec<&str> = l.seeds.iter().map(|s| ds.lot_id(*s)).collect();
    json!({
        "uom": uom,
        "seeds": seeds,
        "seed_quantity": json_number(l.seed_quantity),
        "totals": {
            "on_hand": json_number(total(l, PlaceKind::OnHand)),
            "in_transit": json_number(total(l, PlaceKind::InTransit)),
            "delivered": json_number(total(l, PlaceKind::Delivered)),
        },
        "accounted": json_number(l.accounted),
        "accounted_share": accounted_share(l).map_or(Value::Null, json_number),
        "unexplained": json_number(l.unexplained),
        "places": rows(&l.places),
        "shortfalls": rows(&l.shortfalls),
    })
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
