//! Mass balance: where each lot's quantity went (consumed, shipped, in
//! transit, delivered, returned) and what is left on hand at each site,
//! following record-format.md's "Quantities that follow".
//!
//! Conventions the format leaves open (documented in the README):
//! - a consumption happens at the output lot's site (where it is made), or
//!   at the input lot's own site when the output has none;
//! - a shipment with no `from_site_id` leaves from the lot's own site;
//! - an internal transfer adds to its destination only once delivered;
//!   until then it counts as in transit.

use crate::graph::Genealogy;
use crate::model::{Dataset, Destination, LotIx, Origin, ShipmentStatus, SiteIx};

/// Stock of one lot at one site (`site` is `None` when the site is unknown).
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Stock {
    pub lot: LotIx,
    pub site: Option<SiteIx>,
    pub on_hand: f64,
}

/// Per-lot quantities for every lot, indexed by `LotIx`.
#[derive(Clone, Debug, Default)]
pub struct Balance {
    /// Σ consumptions with the lot as input.
    pub consumed: Vec<f64>,
    /// Σ shipments of the lot to customers (any status).
    pub to_customers: Vec<f64>,
    /// Σ shipments (transfers and sales) not yet delivered.
    pub in_transit: Vec<f64>,
    /// Σ deliveries to customers.
    pub delivered: Vec<f64>,
    /// Σ returns of the lot.
    pub returned: Vec<f64>,
    /// On hand per (lot, site), sorted by lot then site; see `stock_of`.
    stock: Vec<Stock>,
    stock_offsets: Vec<u32>,
    /// Indexes into `ds.shipments` of the shipments to customers, grouped
    /// by lot (in file order within a lot); see `sales_of`. Lets a recall
    /// visit the shipments of its closure instead of every shipment.
    sales: Vec<u32>,
    sales_offsets: Vec<u32>,
}

impl Balance {
    /// Computes every lot's balance in one pass over the records:
    /// O(lots + consumptions + shipments + returns), plus a sort of the
    /// (lot, site) stock movements.
    pub fn compute(ds: &Dataset) -> Balance {
        let n = ds.lots.len();
        let mut b = Balance {
            consumed: vec![0.0; n],
            to_customers: vec![0.0; n],
            in_transit: vec![0.0; n],
            delivered: vec![0.0; n],
            returned: vec![0.0; n],
            ..Balance::default()
        };
        // Movements (lot, site code, delta); u32::MAX stands for "unknown site".
        const NO_SITE: u32 = u32::MAX;
        let code = |s: Option<SiteIx>| s.map_or(NO_SITE, |s| s.0);
        let mut moves: Vec<(u32, u32, f64)> =
            Vec::with_capacity(n + ds.consumptions.len() + 2 * ds.shipments.len());
        for (i, lot) in ds.lots.iter().enumerate() {
            moves.push((i as u32, code(lot.site), lot.quantity));
        }
        for c in &ds.consumptions {
            b.consumed[c.input.ix()] += c.quantity;
            let at = ds.lot(c.output).site.or(ds.lot(c.input).site);
            moves.push((c.input.0, code(at), -c.quantity));
        }
        for s in &ds.shipments {
            let l = s.lot.ix();
            let from = s.from_site.or(ds.lots[l].site);
            moves.push((s.lot.0, code(from), -s.quantity));
            let delivered = s.status == ShipmentStatus::Delivered;
            if !delivered {
                b.in_transit[l] += s.quantity;
            }
            match s.to {
                Destination::Customer(_) => {
                    b.to_customers[l] += s.quantity;
                    if delivered {
                        b.delivered[l] += s.quantity;
                    }
                }
                Destination::Site(t) if delivered => moves.push((s.lot.0, t.0, s.quantity)),
                Destination::Site(_) => {}
            }
        }
        for r in &ds.returns {
            b.returned[r.lot.ix()] += r.quantity;
        }
        // Customer shipments grouped by lot: a counting sort (stable, so
        // file order within a lot). Indexes are u32 like every id here
        // (4G shipment rows would need some 300 GB of memory first).
        b.sales_offsets = vec![0; n + 1];
        for s in &ds.shipments {
            if matches!(s.to, Destination::Customer(_)) {
                b.sales_offsets[s.lot.ix() + 1] += 1;
            }
        }
        for i in 0..n {
            b.sales_offsets[i + 1] += b.sales_offsets[i];
        }
        let mut next = b.sales_offsets.clone();
        b.sales = vec![0; b.sales_offsets[n] as usize];
        for (i, s) in ds.shipments.iter().enumerate() {
            if matches!(s.to, Destination::Customer(_)) {
                let at = &mut next[s.lot.ix()];
                b.sales[*at as usize] = i as u32;
                *at += 1;
            }
        }
        moves.sort_unstable_by_key(|(l, s, _)| (*l, *s));
        b.stock_offsets = Vec::with_capacity(n + 1);
        b.stock_offsets.push(0);
        let mut it = moves.into_iter().peekable();
        for lot in 0..n as u32 {
            let row_start = b.stock.len();
            while let Some((l, site, q)) = it.next_if(|(l, _, _)| *l == lot) {
                let same_site = b.stock.len() > row_start
                    && b.stock.last().is_some_and(|last| code(last.site) == site);
                match b.stock.last_mut() {
                    Some(last) if same_site => last.on_hand += q,
                    _ => b.stock.push(Stock {
                        lot: LotIx(l),
                        site: (site != NO_SITE).then_some(SiteIx(site)),
                        on_hand: q,
                    }),
                }
            }
            b.stock_offsets.push(b.stock.len() as u32);
        }
        // Decimal quantities leave float dust (0.3 − 0.1 − 0.2 = −2.8e-17):
        // stock within a billionth of the lot's quantity is zero.
        for st in &mut b.stock {
            if st.on_hand.abs() <= QTY_EPS * ds.lot(st.lot).quantity.max(1.0) {
                st.on_hand = 0.0;
            }
        }
        b
    }

    /// On hand of `lot` per site (sites with any movement, sorted by site index).
    pub fn stock_of(&self, lot: LotIx) -> &[Stock] {
        &self.stock
            [self.stock_offsets[lot.ix()] as usize..self.stock_offsets[lot.ix() + 1] as usize]
    }

    /// Indexes into `ds.shipments` of `lot`'s shipments to customers (any
    /// status), in file order. O(1).
    pub fn sales_of(&self, lot: LotIx) -> &[u32] {
        &self.sales
            [self.sales_offsets[lot.ix()] as usize..self.sales_offsets[lot.ix() + 1] as usize]
    }

    /// Σ on hand of `lot` over all sites.
    pub fn on_hand(&self, lot: LotIx) -> f64 {
        self.stock_of(lot).iter().map(|s| s.on_hand).sum()
    }

    /// Every (lot, site) stock, sorted by lot then site.
    pub fn all_stock(&self) -> &[Stock] {
        &self.stock
    }
}

/// Relative tolerance for sums of decimal quantities, used everywhere a
/// balance is compared or shown.
pub const QTY_EPS: f64 = 1e-9;

/// Does `a` exceed `b` by more than float dust?
fn exceeds(a: f64, b: f64) -> bool {
    a - b > QTY_EPS * b.abs().max(1.0)
}

/// Integrity and mass-balance findings (`lotgraph check`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Findings {
    /// Lots where consumed + shipped to customers > quantity: (lot, used).
    pub over_consumed: Vec<(LotIx, f64)>,
    /// (lot, site) with negative on hand.
    pub negative_on_hand: Vec<Stock>,
    /// Produced lots with no recorded inputs.
    pub produced_without_inputs: Vec<LotIx>,
    /// Output lots whose inputs are in different units: (output, sorted uoms).
    pub mixed_units: Vec<(LotIx, Vec<String>)>,
}

impl Findings {
    /// Is there anything to report?
    pub fn is_empty(&self) -> bool {
        self.over_consumed.is_empty()
            && self.negative_on_hand.is_empty()
            && self.produced_without_inputs.is_empty()
            && self.mixed_units.is_empty()
    }
}

/// Runs every integrity check. O(lots + records).
pub fn check(ds: &Dataset, g: &Genealogy, b: &Balance) -> Findings {
    let mut f = Findings::default();
    for (i, lot) in ds.lots.iter().enumerate() {
        let ix = LotIx::from_ix(i);
        let used = b.consumed[i] + b.to_customers[i];
        if exceeds(used, lot.quantity) {
            f.over_consumed.push((ix, used));
        }
        let inputs = g.inputs().neighbors(ix);
        if lot.origin == Origin::Produced && inputs.is_empty() {
            f.produced_without_inputs.push(ix);
        }
        if inputs.len() > 1 {
            // An unknown unit ("") is not a unit: it cannot be "mixed".
            let mut uoms: Vec<&str> = inputs
                .iter()
                .map(|l| ds.uom_of(*l))
                .filter(|u| !u.is_empty())
                .collect();
            uoms.sort_unstable();
            uoms.dedup();
            if uoms.len() > 1 {
                f.mixed_units
                    .push((ix, uoms.into_iter().map(str::to_string).collect()));
            }
        }
    }
    f.negative_on_hand = b
        .all_stock()
        .iter()
        .filter(|s| s.on_hand < 0.0)
        .copied()
        .collect();
    f
}
