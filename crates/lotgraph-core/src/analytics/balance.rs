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

use crate::graph::{Genealogy, ShareBasis};
use crate::model::{Category, Dataset, Destination, LotIx, Origin, ShipmentStatus, SiteIx, SkuIx};
use crate::store::{Col, NO_IX};
use crate::tables::Groups;

/// Stock of one lot at one site (`site` is `None` when the site is unknown).
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Stock {
    pub lot: LotIx,
    pub site: Option<SiteIx>,
    pub on_hand: f64,
}

/// Per-lot quantities for every lot, indexed by `LotIx`. Computed once at
/// ingest and stored in the snapshot, so a query reads the figures of the
/// lots it touches instead of recomputing every lot's balance.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Balance {
    /// Σ consumptions with the lot as input.
    pub consumed: Col<f64>,
    /// Σ shipments of the lot to customers (any status).
    pub to_customers: Col<f64>,
    /// Σ shipments (transfers and sales) not yet delivered.
    pub in_transit: Col<f64>,
    /// Σ deliveries to customers.
    pub delivered: Col<f64>,
    /// Σ returns of the lot.
    pub returned: Col<f64>,
    /// On hand per (lot, site): the stock of lot `l` is at
    /// `stock_offsets[l]..stock_offsets[l + 1]`, sorted by site index, with
    /// [`NO_IX`] for "site unknown" (sorted last); see `stock_of`.
    pub stock_site: Col<u32>,
    pub stock_on_hand: Col<f64>,
    pub stock_offsets: Col<u32>,
    /// Indexes into `ds.shipments` of the shipments to customers, grouped
    /// by lot (in file order within a lot); see `sales_of`. Lets a recall
    /// visit the shipments of its closure instead of every shipment.
    pub sales: Col<u32>,
    pub sales_offsets: Col<u32>,
}

/// `offsets[l]..offsets[l + 1]` as a range inside `0..len`, empty when
/// out of range or damaged (a snapshot's arrays are not trusted).
fn group(offsets: &Col<u32>, l: LotIx, len: usize) -> std::ops::Range<usize> {
    match (offsets.get(l.ix()), offsets.get(l.ix() + 1)) {
        (Some(&a), Some(&b)) if a <= b && b as usize <= len => a as usize..b as usize,
        _ => 0..0,
    }
}

impl Balance {
    /// Computes every lot's balance in one pass over the records:
    /// O(lots + consumptions + shipments + returns), plus a sort of the
    /// (lot, site) stock movements.
    pub fn compute(ds: &Dataset) -> Balance {
        let n = ds.lots.len();
        let mut consumed = vec![0.0; n];
        let mut to_customers = vec![0.0; n];
        let mut in_transit = vec![0.0; n];
        let mut delivered = vec![0.0; n];
        let mut returned = vec![0.0; n];
        // Movements (lot, site code, delta); NO_IX stands for "unknown site".
        let code = |s: Option<SiteIx>| s.map_or(NO_IX, |s| s.0);
        let mut moves: Vec<(u32, u32, f64)> =
            Vec::with_capacity(n + ds.consumptions.len() + 2 * ds.shipments.len());
        for i in 0..n {
            moves.push((i as u32, code(ds.lots.site_of(i)), ds.lots.quantity[i]));
        }
        for c in &ds.consumptions {
            consumed[c.input.ix()] += c.quantity;
            let at = ds
                .lots
                .site_of(c.output.ix())
                .or(ds.lots.site_of(c.input.ix()));
            moves.push((c.input.0, code(at), -c.quantity));
        }
        for s in &ds.shipments {
            let l = s.lot.ix();
            let from = s.from_site.or(ds.lots.site_of(l));
            moves.push((s.lot.0, code(from), -s.quantity));
            let is_delivered = s.status == ShipmentStatus::Delivered;
            if !is_delivered {
                in_transit[l] += s.quantity;
            }
            match s.to {
                Destination::Customer(_) => {
                    to_customers[l] += s.quantity;
                    if is_delivered {
                        delivered[l] += s.quantity;
                    }
                }
                Destination::Site(t) if is_delivered => moves.push((s.lot.0, t.0, s.quantity)),
                Destination::Site(_) => {}
            }
        }
        for r in &ds.returns {
            returned[r.lot.ix()] += r.quantity;
        }
        // Customer shipments grouped by lot, in file order. Indexes are
        // u32 like every id here (4G shipment rows would need some 300 GB
        // of memory first).
        let sales = Groups::build_where(n, &ds.shipments.lot, |i| ds.shipments.is_sale(i));
        moves.sort_unstable_by_key(|(l, s, _)| (*l, *s));
        let mut stock_site: Vec<u32> = Vec::with_capacity(n);
        let mut stock_on_hand: Vec<f64> = Vec::with_capacity(n);
        let mut stock_offsets: Vec<u32> = Vec::with_capacity(n + 1);
        stock_offsets.push(0);
        let mut it = moves.into_iter().peekable();
        for lot in 0..n as u32 {
            let row_start = stock_site.len();
            while let Some((_, site, q)) = it.next_if(|(l, _, _)| *l == lot) {
                let same_site = stock_site.len() > row_start && stock_site.last() == Some(&site);
                match stock_on_hand.last_mut() {
                    Some(last) if same_site => *last += q,
                    _ => {
                        stock_site.push(site);
                        stock_on_hand.push(q);
                    }
                }
            }
            // Decimal quantities leave float dust (0.3 − 0.1 − 0.2 =
            // −2.8e-17): stock within a billionth of the lot's quantity is zero.
            let eps = QTY_EPS * ds.lots.quantity[lot as usize].max(1.0);
            for q in &mut stock_on_hand[row_start..] {
                if q.abs() <= eps {
                    *q = 0.0;
                }
            }
            stock_offsets.push(stock_site.len() as u32);
        }
        Balance {
            consumed: consumed.into(),
            to_customers: to_customers.into(),
            in_transit: in_transit.into(),
            delivered: delivered.into(),
            returned: returned.into(),
            stock_site: stock_site.into(),
            stock_on_hand: stock_on_hand.into(),
            stock_offsets: stock_offsets.into(),
            sales: sales.rows,
            sales_offsets: sales.offsets,
        }
    }

    /// Number of lots it covers.
    pub fn lot_count(&self) -> usize {
        self.consumed.len()
    }

    /// On hand of `lot` per site (sites with any movement, sorted by site
    /// index, unknown site last). O(its sites).
    pub fn stock_of(&self, lot: LotIx) -> impl Iterator<Item = Stock> + Clone + '_ {
        let len = self.stock_site.len().min(self.stock_on_hand.len());
        group(&self.stock_offsets, lot, len).map(move |i| Stock {
            lot,
            site: (self.stock_site[i] != NO_IX).then_some(SiteIx(self.stock_site[i])),
            on_hand: self.stock_on_hand[i],
        })
    }

    /// Indexes into `ds.shipments` of `lot`'s shipments to customers (any
    /// status), in file order. O(1).
    pub fn sales_of(&self, lot: LotIx) -> &[u32] {
        &self.sales[group(&self.sales_offsets, lot, self.sales.len())]
    }

    /// Σ on hand of `lot` over all sites.
    pub fn on_hand(&self, lot: LotIx) -> f64 {
        self.stock_of(lot).map(|s| s.on_hand).sum()
    }

    /// Every (lot, site) stock, sorted by lot then site.
    pub fn all_stock(&self) -> impl Iterator<Item = Stock> + '_ {
        (0..self.lot_count()).flat_map(|l| self.stock_of(LotIx::from_ix(l)))
    }
}

/// Relative tolerance for sums of decimal quantities, used everywhere a
/// balance is compared or shown.
pub const QTY_EPS: f64 = 1e-9;

/// Does `a` exceed `b` by more than float dust?
fn exceeds(a: f64, b: f64) -> bool {
    a - b > QTY_EPS * b.abs().max(1.0)
}

/// The yield band outside which `check` reports a produced lot: output
/// mass / content input mass below `min` suggests unrecorded losses or a
/// wrong quantity, above `max` missing inputs (a genealogy gap: more came
/// out than the records put in).
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct YieldBand {
    pub min: f64,
    pub max: f64,
}

impl Default for YieldBand {
    /// 0.5 to 1.5, documented in docs/record-format.md.
    fn default() -> Self {
        YieldBand { min: 0.5, max: 1.5 }
    }
}

impl YieldBand {
    /// Is `y` inside the band (bounds included)?
    pub fn contains(self, y: f64) -> bool {
        (self.min..=self.max).contains(&y)
    }
}

/// The yield of a produced lot whose masses are all known.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Yield {
    pub lot: LotIx,
    /// quantity × kg per unit of the lot's SKU.
    pub output_kg: f64,
    /// Σ of its content inputs' masses.
    pub input_kg: f64,
    /// `output_kg` / `input_kg`.
    pub ratio: f64,
}

/// The yield of `lot`: `None` unless its step is on a mass basis with
/// content inputs and its own SKU's kg per unit is known. O(1).
pub fn yield_of(ds: &Dataset, g: &Genealogy, lot: LotIx) -> Option<Yield> {
    let input_kg = g.content_total(lot);
    if g.basis(lot) != Some(ShareBasis::Mass) || input_kg <= 0.0 {
        return None;
    }
    let kg = ds.product_of(lot).kg_per_uom?;
    let output_kg = ds.lots.quantity.get(lot.ix())? * kg;
    Some(Yield {
        lot,
        output_kg,
        input_kg,
        ratio: output_kg / input_kg,
    })
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
    /// Lots whose shares are on the recorded basis: (lot, the SKUs of its
    /// content inputs that lack a kg per unit, sorted by SKU index).
    pub recorded_basis: Vec<(LotIx, Vec<SkuIx>)>,
    /// Produced lots whose yield is outside the band.
    pub yield_out_of_band: Vec<Yield>,
    /// Lots with more units returned than shipped to customers.
    pub over_returned: Vec<OverReturn>,
    /// Rows of the shipment table that go from a site to the same site.
    pub self_shipments: Vec<usize>,
}

/// A lot whose returns exceed what it shipped to customers: a returned
/// quantity is a fact and is kept, but the records disagree somewhere (a
/// missing shipment, a wrong lot on the return, units confused).
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct OverReturn {
    pub lot: LotIx,
    /// Σ quantity of its returns (every category).
    pub returned: f64,
    /// Σ quantity of its shipments to customers.
    pub shipped: f64,
}

impl Findings {
    /// Is there anything to report?
    pub fn is_empty(&self) -> bool {
        self.over_consumed.is_empty()
            && self.negative_on_hand.is_empty()
            && self.produced_without_inputs.is_empty()
            && self.recorded_basis.is_empty()
            && self.yield_out_of_band.is_empty()
            && self.over_returned.is_empty()
            && self.self_shipments.is_empty()
    }
}

/// Runs every integrity check, yields against `band`. O(lots + records).
pub fn check(ds: &Dataset, g: &Genealogy, b: &Balance, band: YieldBand) -> Findings {
    let mut f = Findings::default();
    // Columns, not decoded rows: this runs over every lot of the snapshot.
    let produced = Origin::Produced.code();
    let lots = &ds.lots;
    for (i, (&quantity, &origin)) in lots.quantity.iter().zip(lots.origin.iter()).enumerate() {
        let ix = LotIx::from_ix(i);
        let used = b.consumed[i] + b.to_customers[i];
        if exceeds(used, quantity) {
            f.over_consumed.push((ix, used));
        }
        let inputs = g.inputs().neighbors(ix);
        if origin == produced && inputs.is_empty() {
            f.produced_without_inputs.push(ix);
        }
        match g.basis(ix) {
            Some(ShareBasis::Recorded) => {
                let mut lacking: Vec<SkuIx> = inputs
                    .iter()
                    .filter_map(|l| lots.sku.get(l.ix()).copied())
                    .filter(|s| {
                        ds.products.get(s.ix()).is_some_and(|p| {
                            p.category != Some(Category::Packaging) && p.kg_per_uom.is_none()
                        })
                    })
                    .collect();
                lacking.sort_unstable();
                lacking.dedup();
                f.recorded_basis.push((ix, lacking));
            }
            Some(ShareBasis::Mass) => {
                if let Some(y) = yield_of(ds, g, ix).filter(|y| !band.contains(y.ratio)) {
                    f.yield_out_of_band.push(y);
                }
            }
            None => {}
        }
    }
    f.negative_on_hand = b.all_stock().filter(|s| s.on_hand < 0.0).collect();
    f.over_returned = over_returned(b);
    f.self_shipments = self_shipments(ds);
    f
}

/// Lots whose returns exceed their shipments to customers, in lot order.
/// O(lots).
fn over_returned(b: &Balance) -> Vec<OverReturn> {
    b.returned
        .iter()
        .zip(b.to_customers.iter())
        .enumerate()
        .filter(|&(_, (&r, &shipped))| exceeds(r, shipped))
        .map(|(i, (&returned, &shipped))| OverReturn {
            lot: LotIx::from_ix(i),
            returned,
            shipped,
        })
        .collect()
}

/// Shipments to a site that are leaving that same site (`from_site_id`,
/// else the lot's site). O(shipments).
fn self_shipments(ds: &Dataset) -> Vec<usize> {
    let sh = &ds.shipments;
    (0..sh.len())
        .filter(|&i| {
            let to = sh.to_site[i];
            if sh.is_sale(i) || to == NO_IX {
                return false;
            }
            let from = match sh.from_site[i] {
                NO_IX => ds.lots.site.get(sh.lot[i].ix()).copied().unwrap_or(NO_IX),
                f => f,
            };
            from == to
        })
        .collect()
}
