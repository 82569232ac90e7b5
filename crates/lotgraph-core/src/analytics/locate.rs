//! Where every unit of a lot is now: the seed's quantity split over its
//! resting places (on hand per site, in transit, delivered per customer),
//! inside the seed itself or inside the lots made from it, with the
//! remainder that the records cannot place shown, never hidden. This is
//! the quantity check (mass balance) of a mock recall (BRCGS Food v9
//! 3.9.3); the rule is docs/record-format.md's "Where a lot is now".
//!
//! Each lot X of {S} ∪ the forward closure of S holds tq(S→X) of S (the
//! traced quantity, [`Tracer::traced_quantities`]), spread evenly over X:
//! X's on hand, in transit and delivered figures, times tq(S→X) /
//! quantity(X), are S's. The rest of X went into X's outputs, which are
//! in the closure too, so the places add up to quantity(S) whenever every
//! lot's records balance; an over-consumed lot (negative on hand) places
//! more of S than there was, and that excess is the unexplained part.

use super::balance::Balance;
use crate::graph::Tracer;
use crate::model::{CustomerIx, Dataset, Destination, LotIx, ShipmentStatus, SiteIx};

/// Where a part of the seed rests.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PlaceKind {
    /// Delivered to a customer.
    Delivered,
    /// Shipped (to a customer or another site) and not yet delivered.
    InTransit,
    /// In stock at a site (or at an unknown site).
    OnHand,
}

impl PlaceKind {
    /// The contract's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PlaceKind::Delivered => "delivered",
            PlaceKind::InTransit => "in_transit",
            PlaceKind::OnHand => "on_hand",
        }
    }
}

/// Where: a site, a customer, or unknown (stock at a lot without a site).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Whereabouts {
    Site(SiteIx),
    Customer(CustomerIx),
    Unknown,
}

/// One part of the seed: `quantity` of it (in the seed's unit) inside
/// `lot`, resting as `kind` at `at`.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Place {
    pub kind: PlaceKind,
    pub at: Whereabouts,
    pub lot: LotIx,
    pub quantity: f64,
}

/// The split of a seed set of one unit over its resting places.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Located {
    /// The seeds (one unit of measure), sorted by index.
    pub seeds: Vec<LotIx>,
    /// Σ quantity of the seeds.
    pub seed_quantity: f64,
    /// Positive parts, merged per (kind, place, lot), sorted by kind,
    /// place id, then lot id.
    pub places: Vec<Place>,
    /// Negative on hand met on the way (over-consumption): what those
    /// sites would hold of the seeds, as negative quantities, same order.
    pub shortfalls: Vec<Place>,
    /// Σ of `places`.
    pub accounted: f64,
    /// `seed_quantity − accounted`, which equals Σ `shortfalls`: negative
    /// when over-consumption placed more of the seeds than there was, zero
    /// otherwise. Each lot's records split its quantity exactly into on
    /// hand, in transit, delivered and consumed, so a missing shipment or
    /// consumption shows as stock still on hand, never as a remainder.
    pub unexplained: f64,
    /// tq of every lot of the closure (seeds included), in closure order.
    pub traced: Vec<(LotIx, f64)>,
}

/// Splits the seeds `seeds` (give seeds of one unit of measure) over their
/// resting places, as the module documentation defines.
///
/// Arguments: a tracer of `ds`'s genealogy, the dataset and its balance.
/// Result: the split with the traced quantity of every lot reached; no
/// errors (a lot of quantity 0 passes nothing on). Complexity:
/// O(closure lots + closure edges + their shipments and stock rows, plus
/// a sort of the places).
///
/// ```
/// use lotgraph_core::analytics::{balance::Balance, locate::{locate_with, PlaceKind}};
/// use lotgraph_core::Tracer;
/// # use lotgraph_core::ingest::{ingest_dir, CsvOnly};
/// # let dir = tempfile::tempdir().unwrap();
/// # std::fs::write(dir.path().join("lots.csv"), "lot_id,sku,origin,supplier_id,quantity,site_id\nA,RAW,supplied,S,100,P\nB,RAW,supplied,S,50,P\nM,MIX,produced,,60,P\nF,FIN,produced,,40,P\n").unwrap();
/// # std::fs::write(dir.path().join("consumptions.csv"), "input_lot_id,output_lot_id,quantity\nA,M,40\nB,M,20\nM,F,30\nA,F,10\n").unwrap();
/// # std::fs::write(dir.path().join("shipments.csv"), "shipment_id,lot_id,quantity,customer_id,shipped_on,delivered_on\nS1,F,25,K1,2024-01-01,2024-01-02\nS2,F,5,K2,2024-01-03,\n").unwrap();
/// # let ing = ingest_dir(dir.path(), &CsvOnly).unwrap();
/// # let (ds, g) = (ing.dataset, ing.genealogy);
/// // A (100 kg): 40 into M (60 kg), 10 into F; F (40) = 30 M + 10 A.
/// // A holds 50 on hand; M 30 on hand (2/3 of it A: 20); F has 10 A of
/// // 40 directly and 30/60 of M's 40 = 20, so 30/40 of F is A:
/// // 25 delivered → 18.75, 5 in transit → 3.75, 10 on hand → 7.5.
/// let a = ds.lot_ix("A").unwrap();
/// let l = locate_with(&mut Tracer::new(&g), &ds, &Balance::compute(&ds), &[a]);
/// assert_eq!(l.seed_quantity, 100.0);
/// let by = |k| l.places.iter().filter(|p| p.kind == k).map(|p| p.quantity).sum::<f64>();
/// assert_eq!((by(PlaceKind::Delivered), by(PlaceKind::InTransit)), (18.75, 3.75));
/// assert_eq!(by(PlaceKind::OnHand), 50.0 + 20.0 + 7.5);
/// assert!(l.unexplained.abs() < 1e-9);
/// ```
pub fn locate_with(
    tracer: &mut Tracer<'_>,
    ds: &Dataset,
    bal: &Balance,
    seeds: &[LotIx],
) -> Located {
    let quantity = |l: LotIx| ds.lots.quantity.get(l.ix()).copied().unwrap_or(0.0);
    let traced = traced(tracer, ds, seeds);
    let mut seeds = seeds.to_vec();
    seeds.sort();
    seeds.dedup();
    let seed_quantity: f64 = seeds.iter().map(|s| quantity(*s)).sum();
    let mut places = Vec::new();
    let mut shortfalls = Vec::new();
    for &(x, tq) in &traced {
        let qx = quantity(x);
        if qx <= 0.0 || tq == 0.0 {
            continue;
        }
        let f = tq / qx;
        for s in bal.stock_of(x) {
            let at = s.site.map_or(Whereabouts::Unknown, Whereabouts::Site);
            let part = Place {
                kind: PlaceKind::OnHand,
                at,
                lot: x,
                quantity: f * s.on_hand,
            };
            if s.on_hand > 0.0 {
                places.push(part);
            } else if s.on_hand < 0.0 {
                shortfalls.push(part);
            }
        }
        for &row in ds.shipments_of(x) {
            let sh = ds.shipments.get(row as usize);
            let at = match sh.to {
                Destination::Customer(c) => Whereabouts::Customer(c),
                Destination::Site(t) => Whereabouts::Site(t),
            };
            let kind = match (sh.status, sh.to) {
                (ShipmentStatus::Delivered, Destination::Customer(_)) => PlaceKind::Delivered,
                // A delivered transfer is on hand at its destination,
                // which the stock rows above already count.
                (ShipmentStatus::Delivered, Destination::Site(_)) => continue,
                _ => PlaceKind::InTransit,
            };
            places.push(Place {
                kind,
                at,
                lot: x,
                quantity: f * sh.quantity,
            });
        }
    }
    let places = merge_sorted(ds, places);
    let shortfalls = merge_sorted(ds, shortfalls);
    let accounted: f64 = places.iter().map(|p| p.quantity).sum();
    Located {
        seeds,
        seed_quantity,
        places,
        shortfalls,
        accounted,
        unexplained: seed_quantity - accounted,
        traced,
    }
}

/// tq(seeds → L) of every lot L of the seeds' forward closure (seeds
/// included), in closure order, with the lots' recorded quantities
/// ([`Tracer::traced_quantities`]). O(closure lots + closure edges).
pub fn traced(tracer: &mut Tracer<'_>, ds: &Dataset, seeds: &[LotIx]) -> Vec<(LotIx, f64)> {
    let quantity = |l: LotIx| ds.lots.quantity.get(l.ix()).copied().unwrap_or(0.0);
    let mut out = Vec::new();
    tracer.traced_quantities(seeds, quantity, |l, _, tq| out.push((l, tq)));
    out
}

/// The id a place sorts by ("" for an unknown site, first).
pub fn place_id(ds: &Dataset, at: Whereabouts) -> &str {
    match at {
        Whereabouts::Site(s) => ds.site_id(s),
        Whereabouts::Customer(c) => ds.customers.get(c.ix()).map_or("", |c| c.id.as_str()),
        Whereabouts::Unknown => "",
    }
}

/// Sorts by kind, place id, lot id and merges equal keys (a lot shipped
/// twice to one customer is one part).
fn merge_sorted(ds: &Dataset, mut v: Vec<Place>) -> Vec<Place> {
    v.sort_by(|a, b| {
        (a.kind, place_id(ds, a.at), ds.lot_id(a.lot)).cmp(&(
            b.kind,
            place_id(ds, b.at),
            ds.lot_id(b.lot),
        ))
    });
    let mut out: Vec<Place> = Vec::with_capacity(v.len());
    for p in v {
        match out.last_mut() {
            Some(last) if last.kind == p.kind && last.at == p.at && last.lot == p.lot => {
                last.quantity += p.quantity;
            }
            _ => out.push(p),
        }
    }
    out
}

/// Groups seeds by the unit of measure of their SKU (its canonical code,
/// [`Dataset::unit_key_of`]), sorted by unit, each group sorted by index:
/// the traced quantity adds up only within a unit.
pub fn by_unit(ds: &Dataset, seeds: &[LotIx]) -> Vec<(String, Vec<LotIx>)> {
    let mut groups: std::collections::BTreeMap<&str, Vec<LotIx>> =
        std::collections::BTreeMap::default();
    for &s in seeds {
        groups.entry(ds.unit_key_of(s)).or_default().push(s);
    }
    groups
        .into_iter()
        .map(|(u, mut v)| {
            v.sort();
            v.dedup();
            (u.to_string(), v)
        })
        .collect()
}
