//! What-if recall simulation: the blast radius of recalling a seed set of
//! lots (chosen by lot, by supplier over a receipt window, or by line over a
//! production window): every lot made from them with the seed set's share,
//! where its units are (on hand per site, in transit, delivered), what they
//! are worth at cost, and which customers to notify.
//!
//! Shares follow cli-contract.md: the record-format share formula with every
//! seed at 1. `min_share` drops trace-level contamination from the listing;
//! customers and totals are computed over the listed lots only.

use super::balance::Balance;
use super::locate::{Located, by_unit, locate_with};
use super::suppliers::Window;
use crate::graph::{Direction, Genealogy, ShareBasis, Tracer};
use crate::model::{CustomerIx, Dataset, Destination, LineIx, LotIx, Origin, SiteIx, SupplierIx};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// A rule that selects seed lots.
#[derive(Clone, Debug, PartialEq)]
pub enum SeedRule {
    /// One lot.
    Lot(LotIx),
    /// A supplier's lots received in the window (`received_on`, else
    /// `produced_on`; undated lots only with an open window).
    Supplier {
        supplier: SupplierIx,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    },
    /// Lots produced on a line (optionally at one site) in the window.
    Line {
        line: LineIx,
        site: Option<SiteIx>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    },
}

/// The distinct seed lots the rules select, sorted by index. O(lots · rules).
pub fn select_seeds(ds: &Dataset, rules: &[SeedRule]) -> Vec<LotIx> {
    let mut out: Vec<LotIx> = Vec::new();
    for rule in rules {
        match *rule {
            SeedRule::Lot(l) => out.push(l),
            SeedRule::Supplier { supplier, from, to } => {
                out.extend(ds.lots.iter().enumerate().filter_map(|(i, l)| {
                    (l.origin == Origin::Supplied
                        && l.supplier == Some(supplier)
                        && Window { from, to }.contains_date(l.received_on.or(l.produced_on)))
                    .then_some(LotIx::from_ix(i))
                }));
            }
            SeedRule::Line {
                line,
                site,
                from,
                to,
            } => out.extend(ds.lots.iter().enumerate().filter_map(|(i, l)| {
                (l.line == Some(line)
                    && site.is_none_or(|s| l.site == Some(s))
                    && Window { from, to }.contains_date(l.produced_on))
                .then_some(LotIx::from_ix(i))
            })),
        }
    }
    out.sort();
    out.dedup();
    out
}

/// One affected lot.
#[derive(Clone, Debug, PartialEq)]
pub struct RecallLot {
    pub lot: LotIx,
    /// Share of the seed set in this lot (1 for seeds).
    pub share: f64,
    /// Fewest steps from a seed.
    pub depth: u32,
    /// The basis of the lot's own step (`None` without inputs).
    pub basis: Option<ShareBasis>,
    /// Per unit of the seeds (sorted), how much of the seeds of that unit
    /// the lot contains (the traced quantity, summed over those seeds).
    /// Units whose seeds do not reach the lot are left out.
    pub seed_quantity: Vec<(String, f64)>,
    pub quantity: f64,
    /// On hand over all sites.
    pub on_hand: f64,
    /// (site, on hand) for sites with non-zero stock.
    pub on_hand_by_site: Vec<(Option<SiteIx>, f64)>,
    pub in_transit: f64,
    /// Delivered to customers.
    pub delivered: f64,
    /// unit cost × (on hand + in transit + delivered); `None` without a cost.
    pub value: Option<f64>,
}

/// A customer to notify.
#[derive(Clone, Debug, PartialEq)]
pub struct RecallCustomer {
    pub customer: CustomerIx,
    /// Units of listed lots shipped to it (delivered or in transit).
    pub quantity: f64,
    /// The listed lots it received, sorted by lot id.
    pub lots: Vec<LotIx>,
}

/// Units by status for one unit of measure.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UomTotals {
    pub on_hand: f64,
    pub in_transit: f64,
    pub delivered: f64,
}

/// The blast radius of a recall.
#[derive(Clone, Debug, PartialEq)]
pub struct Recall {
    pub seeds: Vec<LotIx>,
    /// Listed lots (share ≥ `min_share`, seeds always), sorted by lot id.
    pub lots: Vec<RecallLot>,
    /// Customers reached through listed lots, sorted by customer id.
    pub customers: Vec<RecallCustomer>,
    /// Lots reached but not listed because of `min_share`.
    pub below_min_share: usize,
    pub value: f64,
    pub by_uom: BTreeMap<String, UomTotals>,
    /// Per unit of the seeds (sorted by unit): where the seeds of that
    /// unit are now, over every lot reached (not only the listed ones).
    pub located: Vec<(String, Located)>,
}

/// Simulates recalling `seeds`. O(lots) to set up a tracer, then
/// O(closure + the closure's customer shipments); see [`simulate_with`]
/// to reuse a tracer across recalls.
///
/// ```
/// use lotgraph_core::analytics::{balance::Balance, recall::simulate};
/// # use lotgraph_core::ingest::{ingest_dir, CsvOnly};
/// # let dir = tempfile::tempdir().unwrap();
/// # std::fs::write(dir.path().join("lots.csv"), "lot_id,sku,origin,supplier_id,quantity,unit_cost\nA,RAW,supplied,S,100,2\nB,RAW,supplied,S,100,1\nM,MIX,produced,,60,3\nF,FIN,produced,,40,5\n").unwrap();
/// # std::fs::write(dir.path().join("consumptions.csv"), "input_lot_id,output_lot_id,quantity\nA,M,40\nB,M,20\nM,F,30\nA,F,10\n").unwrap();
/// # std::fs::write(dir.path().join("shipments.csv"), "shipment_id,lot_id,quantity,customer_id,shipped_on,delivered_on\nS1,F,25,K1,2024-01-01,2024-01-02\nS2,F,5,K2,2024-01-03,\n").unwrap();
/// # let ing = ingest_dir(dir.path(), &CsvOnly).unwrap();
/// # let (ds, g) = (ing.dataset, ing.genealogy);
/// // Toy: M = 40 A + 20 B; F = 30 M + 10 A; F shipped 25 to K1 and 5 (in transit) to K2.
/// let a = ds.lot_ix("A").unwrap();
/// let r = simulate(&ds, &g, &Balance::compute(&ds), &[a], 0.0);
/// let ids: Vec<(&str, f64)> = r.lots.iter().map(|l| (ds.lot_id(l.lot), l.share)).collect();
/// assert_eq!(ids, vec![("A", 1.0), ("F", 0.75), ("M", 40.0 / 60.0)]);
/// let f = &r.lots[1];
/// assert_eq!((f.on_hand, f.in_transit, f.delivered, f.value), (10.0, 5.0, 25.0, Some(200.0)));
/// assert_eq!(r.customers.len(), 2);
/// // A share threshold of 0.7 drops M but keeps F (and its customers).
/// assert_eq!(simulate(&ds, &g, &Balance::compute(&ds), &[a], 0.7).lots.len(), 2);
/// ```
pub fn simulate(
    ds: &Dataset,
    g: &Genealogy,
    bal: &Balance,
    seeds: &[LotIx],
    min_share: f64,
) -> Recall {
    simulate_with(&mut Tracer::new(g), ds, bal, seeds, min_share)
}

/// [`simulate`] with the caller's tracer (of the same genealogy), so that
/// many recalls (a server, a benchmark, `recall compare`) do not each pay
/// the tracer's O(lots) setup: O(closure + the closure's customer
/// shipments + customers reached × log).
pub fn simulate_with(
    tracer: &mut Tracer<'_>,
    ds: &Dataset,
    bal: &Balance,
    seeds: &[LotIx],
    min_share: f64,
) -> Recall {
    debug_assert_eq!(
        tracer.lot_count(),
        ds.lots.len(),
        "a tracer of another genealogy"
    );
    let mut reached: Vec<(LotIx, u32, f64)> = Vec::new();
    tracer.walk(seeds, Direction::Downstream, |l, d, s| {
        reached.push((l, d, s));
    });
    let located: Vec<(String, Located)> = by_unit(ds, seeds)
        .into_iter()
        .map(|(u, group)| {
            let l = locate_with(tracer, ds, bal, &group);
            (u, l)
        })
        .collect();
    let traced: Vec<std::collections::HashMap<LotIx, f64>> = located
        .iter()
        .map(|(_, l)| l.traced.iter().copied().collect())
        .collect();
    let mut lots = Vec::new();
    let mut below = 0;
    let mut by_uom: BTreeMap<String, UomTotals> = BTreeMap::new();
    let mut value = 0.0;
    for (l, depth, share) in reached {
        if depth > 0 && share < min_share {
            below += 1;
            continue;
        }
        let stock = bal.stock_of(l);
        let on_hand = stock.clone().map(|s| s.on_hand).sum::<f64>();
        let (in_transit, delivered) = (bal.in_transit[l.ix()], bal.delivered[l.ix()]);
        let v = ds
            .unit_cost(l)
            .map(|c| c * (on_hand + in_transit + delivered));
        value += v.unwrap_or(0.0);
        let t = by_uom.entry(ds.unit_key_of(l).to_string()).or_default();
        t.on_hand += on_hand;
        t.in_transit += in_transit;
        t.delivered += delivered;
        let seed_quantity = located
            .iter()
            .zip(&traced)
            .filter_map(|((u, _), t)| t.get(&l).map(|q| (u.clone(), *q)))
            .collect();
        lots.push(RecallLot {
            lot: l,
            share,
            depth,
            basis: tracer.genealogy().basis(l),
            seed_quantity,
            quantity: ds.lot(l).quantity,
            on_hand,
            on_hand_by_site: stock
                .clone()
                .filter(|s| s.on_hand != 0.0)
                .map(|s| (s.site, s.on_hand))
                .collect(),
            in_transit,
            delivered,
            value: v,
        });
    }
    lots.sort_by(|a, b| ds.lot_id(a.lot).cmp(ds.lot_id(b.lot)));
    let mut per_customer: BTreeMap<&str, RecallCustomer> = BTreeMap::new();
    for s in lots
        .iter()
        .flat_map(|l| bal.sales_of(l.lot))
        .map(|&i| ds.shipments.get(i as usize))
    {
        if let Destination::Customer(c) = s.to {
            let e = per_customer
                .entry(ds.customers[c.ix()].id.as_str())
                .or_insert_with(|| RecallCustomer {
                    customer: c,
                    quantity: 0.0,
                    lots: Vec::new(),
                });
            e.quantity += s.quantity;
            e.lots.push(s.lot);
        }
    }
    let customers = per_customer
        .into_values()
        .map(|mut c| {
            c.lots.sort_by(|a, b| ds.lot_id(*a).cmp(ds.lot_id(*b)));
            c.lots.dedup();
            c
        })
        .collect();
    let mut seeds = seeds.to_vec();
    seeds.sort_by(|a, b| ds.lot_id(*a).cmp(ds.lot_id(*b)));
    seeds.dedup();
    Recall {
        seeds,
        lots,
        customers,
        below_min_share: below,
        value,
        by_uom,
        located,
    }
}
