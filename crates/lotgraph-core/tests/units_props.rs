//! Property tests of record format v2 on random DAGs with random units:
//! the engine's shares equal a naive recursion over the raw rows with the
//! mass / recorded / coverage rule of docs/record-format.md, shares stay in
//! [0, 1], on a mass basis the content roots of a lot make up all of it,
//! traced quantities equal their naive recursion and add up over seeds, and
//! the located split accounts for every unit of a seed: Σ places +
//! unexplained = quantity(S), with unexplained exactly the shortfalls.

// A test or bench: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use lotgraph_core::analytics::balance::Balance;
use lotgraph_core::analytics::locate::locate_with;
use lotgraph_core::graph::ShareBasis;
use lotgraph_core::model::{
    Category, Consumption, Customer, CustomerIx, Destination, Lot, LotStatus, Origin, Product,
    Shipment, ShipmentStatus, Site, SiteIx, SkuIx, Supplier, SupplierIx,
};
use lotgraph_core::units::Unit;
use lotgraph_core::{Dataset, Direction, Genealogy, LotIx, Tracer};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The SKU table: (sku, category, uom, recorded `kg_per_uom`).
const SKUS: &[(&str, Category, &str, Option<f64>)] = &[
    ("RAW-KG", Category::Raw, "kg", None),
    ("RAW-G", Category::Raw, "g", None),
    ("OIL", Category::Raw, "l", Some(0.91)),
    ("TUB", Category::Finished, "ea", Some(0.25)),
    ("HERB", Category::Raw, "bunch", None),
    ("CAN", Category::Finished, "ea", None),
    ("MIX", Category::Intermediate, "lb", None),
    ("BOX", Category::Packaging, "ea", None),
    ("LID", Category::Packaging, "ea", None),
];

fn is_packaging(sku: usize) -> bool {
    SKUS[sku].1 == Category::Packaging
}

/// kg of one unit, as the rule defines it.
fn kg(sku: usize) -> Option<f64> {
    let (_, _, uom, recorded) = SKUS[sku];
    recorded.or_else(|| Unit::parse(uom).and_then(Unit::kg_factor))
}

/// A shipment: (lot, quantity, kind) with kind 0 delivered to a customer,
/// 1 in transit to a customer, 2 delivered transfer, 3 transfer in transit.
type Ship = (u32, f64, u8);

#[derive(Clone, Debug)]
struct Case {
    n: usize,
    sku: Vec<usize>,
    quantity: Vec<f64>,
    /// (input, output, q): outputs are never packaging lots.
    edges: Vec<(u32, u32, f64)>,
    ships: Vec<Ship>,
    seeds: (u32, u32),
}

fn case() -> impl Strategy<Value = Case> {
    (2usize..28).prop_flat_map(|n| {
        let edge = (0..n as u32, 0..n as u32, 1u32..400)
            .prop_filter_map("forward edges", |(a, b, q)| {
                (a < b).then_some((a, b, f64::from(q) / 4.0))
            });
        let ship =
            (0..n as u32, 1u32..200, 0u8..4).prop_map(|(l, q, k)| (l, f64::from(q) / 4.0, k));
        (
            prop::collection::vec(0..SKUS.len(), n),
            prop::collection::vec(1u32..2000, n),
            prop::collection::vec(edge, 0..(n * 3)),
            prop::collection::vec(ship, 0..n),
            (0..n as u32, 0..n as u32),
        )
            .prop_map(move |(sku, quantity, edges, ships, seeds)| {
                let edges = edges
                    .into_iter()
                    .filter(|e| !is_packaging(sku[e.1 as usize]))
                    .collect();
                Case {
                    n,
                    quantity: quantity.into_iter().map(|q| f64::from(q) / 2.0).collect(),
                    sku,
                    edges,
                    ships,
                    seeds,
                }
            })
    })
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default()
}

impl Case {
    fn has_inputs(&self, l: u32) -> bool {
        self.edges.iter().any(|e| e.1 == l)
    }

    fn dataset(&self) -> Dataset {
        let mut ds = Dataset::default();
        for (sku, category, uom, recorded) in SKUS {
            let unit = Unit::parse(uom);
            ds.products.push(Product {
                sku: (*sku).into(),
                name: None,
                category: Some(*category),
                uom: Some((*uom).into()),
                unit,
                kg_per_uom: recorded.or_else(|| unit.and_then(Unit::kg_factor)),
                shelf_life_days: None,
                unit_cost: None,
                gtin: None,
                implicit: false,
            });
        }
        ds.suppliers.push(Supplier {
            id: "S".into(),
            name: None,
            country: None,
        });
        for id in ["P", "DC"] {
            ds.sites.push(Site {
                id: id.into(),
                name: None,
                kind: None,
                region: None,
            });
        }
        ds.customers.push(Customer {
            id: "K".into(),
            name: None,
            kind: None,
            region: None,
            contact: None,
        });
        for i in 0..self.n as u32 {
            let produced = self.has_inputs(i);
            ds.lots.push(Lot {
                id: &format!("L{i:03}"),
                sku: SkuIx(self.sku[i as usize] as u32),
                origin: if produced {
                    Origin::Produced
                } else {
                    Origin::Supplied
                },
                supplier: (!produced).then_some(SupplierIx(0)),
                supplier_lot_code: None,
                site: Some(SiteIx(0)),
                line: None,
                produced_on: produced.then(day),
                received_on: (!produced).then(day),
                expires_on: None,
                quantity: self.quantity[i as usize],
                unit_cost: None,
                status: LotStatus::Released,
            });
        }
        for &(a, b, q) in &self.edges {
            ds.consumptions.push(Consumption {
                input: LotIx(a),
                output: LotIx(b),
                quantity: q,
                consumed_on: None,
            });
        }
        for (k, &(l, q, kind)) in self.ships.iter().enumerate() {
            let (to, status) = match kind {
                0 => (
                    Destination::Customer(CustomerIx(0)),
                    ShipmentStatus::Delivered,
                ),
                1 => (
                    Destination::Customer(CustomerIx(0)),
                    ShipmentStatus::InTransit,
                ),
                2 => (Destination::Site(SiteIx(1)), ShipmentStatus::Delivered),
                _ => (Destination::Site(SiteIx(1)), ShipmentStatus::InTransit),
            };
            ds.shipments.push(Shipment {
                id: &format!("SH{k}"),
                lot: LotIx(l),
                quantity: q,
                from_site: None,
                to,
                shipped_on: day(),
                delivered_on: (status == ShipmentStatus::Delivered).then(day),
                status,
            });
        }
        ds
    }

    /// The inputs of `l` with the rows of one pair summed.
    fn inputs(&self, l: u32) -> BTreeMap<u32, f64> {
        let mut m = BTreeMap::new();
        for e in self.edges.iter().filter(|e| e.1 == l) {
            *m.entry(e.0).or_insert(0.0) += e.2;
        }
        m
    }

    /// w(i→l) and l's basis, straight from record-format.md.
    fn weights(&self, l: u32) -> (BTreeMap<u32, f64>, Option<ShareBasis>) {
        let inputs = self.inputs(l);
        if inputs.is_empty() {
            return (inputs, None);
        }
        let sku = |i: &u32| self.sku[*i as usize];
        let content: Vec<(u32, f64)> = inputs
            .iter()
            .filter(|(i, _)| !is_packaging(sku(i)))
            .map(|(i, q)| (*i, *q))
            .collect();
        let masses: Option<Vec<f64>> = content
            .iter()
            .map(|(i, q)| kg(sku(i)).map(|k| q * k))
            .collect();
        let (basis, amounts) = match masses {
            Some(m) => (ShareBasis::Mass, m),
            None => (ShareBasis::Recorded, content.iter().map(|c| c.1).collect()),
        };
        let total: f64 = amounts.iter().sum();
        let mut w = BTreeMap::new();
        for ((i, _), a) in content.iter().zip(&amounts) {
            w.insert(*i, if total > 0.0 { a / total } else { 0.0 });
        }
        for (i, q) in inputs.iter().filter(|(i, _)| is_packaging(sku(i))) {
            let same: f64 = inputs
                .iter()
                .filter(|(j, _)| sku(j) == sku(i))
                .map(|(_, q)| q)
                .sum();
            w.insert(*i, q / same);
        }
        (w, Some(basis))
    }

    /// share(s, l) by recursion (uncapped).
    fn share(&self, s: u32, l: u32, memo: &mut HashMap<(u32, u32), f64>) -> f64 {
        if s == l {
            return 1.0;
        }
        if let Some(v) = memo.get(&(s, l)) {
            return *v;
        }
        let v = self
            .weights(l)
            .0
            .iter()
            .map(|(i, w)| self.share(s, *i, memo) * w)
            .sum();
        memo.insert((s, l), v);
        v
    }

    /// tq(s→l) by recursion.
    fn tq(&self, s: u32, l: u32, memo: &mut HashMap<(u32, u32), f64>) -> f64 {
        if s == l {
            return self.quantity[s as usize];
        }
        if let Some(v) = memo.get(&(s, l)) {
            return *v;
        }
        let v = self
            .inputs(l)
            .iter()
            .map(|(i, q)| self.tq(s, *i, memo) * q / self.quantity[*i as usize])
            .sum();
        memo.insert((s, l), v);
        v
    }

    fn upstream(&self, l: u32) -> BTreeSet<u32> {
        let mut seen = BTreeSet::from([l]);
        let mut todo = vec![l];
        while let Some(v) = todo.pop() {
            for e in self.edges.iter().filter(|e| e.1 == v) {
                if seen.insert(e.0) {
                    todo.push(e.0);
                }
            }
        }
        seen
    }
}

fn near(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn shares_and_bases_follow_the_rule(c in case()) {
        let ds = c.dataset();
        let g = Genealogy::from_dataset(&ds);
        let mut t = Tracer::new(&g);
        let mut memo = HashMap::new();
        for l in 0..c.n as u32 {
            prop_assert_eq!(g.basis(LotIx(l)), c.weights(l).1, "basis of {}", l);
            let mut got = BTreeMap::new();
            t.walk(&[LotIx(l)], Direction::Upstream, |v, _, s| { got.insert(v.0, s); });
            prop_assert_eq!(got.keys().copied().collect::<BTreeSet<_>>(), c.upstream(l));
            for (&s, &share) in &got {
                prop_assert!((0.0..=1.0).contains(&share), "share({}, {}) = {}", s, l, share);
                let want = c.share(s, l, &mut memo).min(1.0);
                prop_assert!(near(share, want), "share({}, {}) = {} != {}", s, l, share, want);
            }
            // Mass basis all the way up, every step with content: the
            // content roots make up the whole lot.
            let closure = c.upstream(l);
            let all_mass = closure.iter().filter(|v| c.has_inputs(**v)).all(|v| {
                g.basis(LotIx(*v)) == Some(ShareBasis::Mass) && g.content_total(LotIx(*v)) > 0.0
            });
            if all_mass && c.has_inputs(l) {
                let roots: f64 = closure
                    .iter()
                    .filter(|v| !c.has_inputs(**v) && !is_packaging(c.sku[**v as usize]))
                    .map(|v| got[v])
                    .sum();
                prop_assert!(near(roots, 1.0), "content roots of {} sum to {}", l, roots);
            }
        }
    }

    #[test]
    fn traced_quantities_follow_the_rule_and_add_over_seeds(c in case()) {
        let ds = c.dataset();
        let g = Genealogy::from_dataset(&ds);
        let mut t = Tracer::new(&g);
        let q = |l: LotIx| c.quantity[l.ix()];
        let run = |t: &mut Tracer<'_>, seeds: &[LotIx]| {
            let mut m = BTreeMap::new();
            t.traced_quantities(seeds, q, |l, _, tq| { m.insert(l.0, tq); });
            m
        };
        let (a, b) = c.seeds;
        let ta = run(&mut t, &[LotIx(a)]);
        let mut memo = HashMap::new();
        for (&l, &tq) in &ta {
            let want = c.tq(a, l, &mut memo);
            prop_assert!(near(tq, want), "tq({}→{}) = {} != {}", a, l, tq, want);
        }
        if a != b {
            let tb = run(&mut t, &[LotIx(b)]);
            let both = run(&mut t, &[LotIx(a), LotIx(b)]);
            let keys: BTreeSet<u32> = ta.keys().chain(tb.keys()).copied().collect();
            prop_assert_eq!(both.keys().copied().collect::<BTreeSet<_>>(), keys);
            for (l, tq) in &both {
                let sum = ta.get(l).unwrap_or(&0.0) + tb.get(l).unwrap_or(&0.0);
                prop_assert!(near(*tq, sum), "tq({{a,b}}→{}) = {} != {}", l, tq, sum);
            }
        }
    }

    #[test]
    fn located_accounts_for_every_unit(c in case()) {
        let ds = c.dataset();
        let g = Genealogy::from_dataset(&ds);
        let bal = Balance::compute(&ds);
        let mut t = Tracer::new(&g);
        let seed = LotIx(c.seeds.0);
        let l = locate_with(&mut t, &ds, &bal, &[seed]);
        let placed: f64 = l.places.iter().map(|p| p.quantity).sum();
        let short: f64 = l.shortfalls.iter().map(|p| p.quantity).sum();
        prop_assert!(l.places.iter().all(|p| p.quantity > 0.0));
        prop_assert!(l.shortfalls.iter().all(|p| p.quantity < 0.0));
        prop_assert!(near(placed, l.accounted));
        prop_assert!(near(l.accounted + l.unexplained, c.quantity[seed.ix()]),
            "{} + {} != {}", l.accounted, l.unexplained, c.quantity[seed.ix()]);
        // Each lot's records split its quantity exactly, so the only
        // remainder is what over-consumption placed twice.
        prop_assert!(near(l.unexplained, short), "unexplained {} != shortfalls {}", l.unexplained, short);
    }
}
