//! Property tests of the analytics on random DAGs built in memory as a
//! `Dataset`: attributed returns add up over suppliers, a recall reaches
//! exactly the forward closure of its seeds with the seed-set shares of
//! record-format.md, shares only grow when seeds are added, and the linear
//! attribution pass equals the brute-force `Σ_F` x(F)·share(L, F).

// A test or bench: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use lotgraph_core::analytics::balance::Balance;
use lotgraph_core::analytics::recall::{Recall, simulate};
use lotgraph_core::analytics::returns::ReturnFilter;
use lotgraph_core::analytics::suppliers::{ScoreInputs, attribute};
use lotgraph_core::model::{
    Consumption, Customer, CustomerIx, Destination, Lot, LotStatus, Origin, Product, Return,
    Shipment, ShipmentStatus, SkuIx, Supplier, SupplierIx,
};
use lotgraph_core::units::Unit;
use lotgraph_core::{Dataset, Genealogy, LotIx};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

const SUPPLIERS: u32 = 3;

/// A random DAG with quantities: every edge goes from a lower to a higher
/// index. A lot without inputs is supplied when `supplier[i]` is `Some`,
/// else it is a produced lot with no recorded inputs (an unsupplied root).
#[derive(Clone, Debug)]
struct Case {
    n: usize,
    edges: Vec<(u32, u32, f64)>,
    supplier: Vec<Option<u32>>,
    /// Units shipped to the customer per lot (0 = no shipment).
    shipped: Vec<f64>,
    /// Units returned per lot (0 = no return).
    returned: Vec<f64>,
    seeds_a: Vec<bool>,
    seeds_b: Vec<bool>,
}

fn case() -> impl Strategy<Value = Case> {
    (2usize..32).prop_flat_map(|n| {
        let edge = (0..n as u32, 0..n as u32, 1u32..1000)
            .prop_filter_map("forward edges only", |(a, b, q)| {
                (a < b).then_some((a, b, f64::from(q) / 10.0))
            });
        (
            prop::collection::vec(edge, 0..(n * 3)),
            prop::collection::vec(prop::option::weighted(0.8, 0..SUPPLIERS), n),
            prop::collection::vec(prop::sample::select(vec![0u32, 0, 1, 5, 40, 120]), n),
            prop::collection::vec(0u32..12, n),
            prop::collection::vec(prop::bool::weighted(0.25), n),
            prop::collection::vec(prop::bool::weighted(0.25), n),
        )
            .prop_map(
                move |(edges, supplier, shipped, returned, seeds_a, seeds_b)| Case {
                    n,
                    edges,
                    supplier,
                    shipped: shipped.into_iter().map(f64::from).collect(),
                    // Halves: quantities are decimals.
                    returned: returned.into_iter().map(|r| f64::from(r) / 2.0).collect(),
                    seeds_a,
                    seeds_b,
                },
            )
    })
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
}

impl Case {
    fn has_inputs(&self, l: u32) -> bool {
        self.edges.iter().any(|e| e.1 == l)
    }

    /// Is lot `l` a supplied lot (a root with a supplier)?
    fn is_supplied(&self, l: u32) -> bool {
        !self.has_inputs(l) && self.supplier[l as usize].is_some()
    }

    /// The dataset: one SKU, one customer, `SUPPLIERS` suppliers.
    fn dataset(&self, returned: &[f64]) -> Dataset {
        let mut ds = Dataset::default();
        ds.products.push(Product {
            sku: "P".into(),
            name: None,
            category: None,
            uom: Some("kg".into()),
            unit: Some(Unit::Kg),
            kg_per_uom: Some(1.0),
            shelf_life_days: None,
            unit_cost: Some(1.0),
            gtin: None,
            implicit: false,
        });
        for s in 0..SUPPLIERS {
            ds.suppliers.push(Supplier {
                id: format!("S{s}"),
                name: None,
                country: None,
            });
        }
        ds.customers.push(Customer {
            id: "K".into(),
            name: None,
            kind: None,
            region: None,
            contact: Some("k@example.com".into()),
        });
        for i in 0..self.n as u32 {
            let supplied = self.is_supplied(i);
            ds.lots.push(Lot {
                id: &format!("L{i:03}"),
                sku: SkuIx(0),
                origin: if supplied {
                    Origin::Supplied
                } else {
                    Origin::Produced
                },
                supplier: if supplied {
                    self.supplier[i as usize].map(SupplierIx)
                } else {
                    None
                },
                supplier_lot_code: None,
                site: None,
                line: None,
                produced_on: (!supplied).then(day),
                received_on: supplied.then(day),
                expires_on: None,
                quantity: 1000.0,
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
        for (i, &q) in self.shipped.iter().enumerate() {
            if q > 0.0 {
                ds.shipments.push(Shipment {
                    id: &format!("SH{i}"),
                    lot: LotIx::from_ix(i),
                    quantity: q,
                    from_site: None,
                    to: Destination::Customer(CustomerIx(0)),
                    shipped_on: day(),
                    delivered_on: Some(day()),
                    status: ShipmentStatus::Delivered,
                });
            }
        }
        for (i, &q) in returned.iter().enumerate() {
            if q > 0.0 {
                ds.returns.push(Return {
                    id: &format!("RT{i}"),
                    lot: LotIx::from_ix(i),
                    customer: Some(CustomerIx(0)),
                    quantity: q,
                    reason: None,
                    category: None,
                    reported_on: day(),
                });
            }
        }
        ds
    }

    /// The upstream closure of `l` (itself included), by naive BFS.
    fn upstream(&self, l: u32) -> BTreeSet<u32> {
        let mut seen = BTreeSet::from([l]);
        let mut q = VecDeque::from([l]);
        while let Some(v) = q.pop_front() {
            for e in self.edges.iter().filter(|e| e.1 == v) {
                if seen.insert(e.0) {
                    q.push_back(e.0);
                }
            }
        }
        seen
    }

    /// The forward closure of `seeds` (seeds included), by naive BFS over
    /// the edge list.
    fn downstream(&self, seeds: &[u32]) -> BTreeSet<u32> {
        let mut seen: BTreeSet<u32> = seeds.iter().copied().collect();
        let mut q: VecDeque<u32> = seeds.iter().copied().collect();
        while let Some(v) = q.pop_front() {
            for e in self.edges.iter().filter(|e| e.0 == v) {
                if seen.insert(e.1) {
                    q.push_back(e.1);
                }
            }
        }
        seen
    }

    /// How the ancestry of `l` is supplied: every root of its upstream
    /// closure is a supplied lot (`Full`), none is (`None`), or some are.
    fn ancestry(&self, l: u32) -> Ancestry {
        let roots: Vec<u32> = self
            .upstream(l)
            .into_iter()
            .filter(|r| !self.has_inputs(*r))
            .collect();
        let supplied = roots.iter().filter(|r| self.is_supplied(**r)).count();
        if supplied == roots.len() {
            Ancestry::Full
        } else if supplied == 0 {
            Ancestry::Unsupplied
        } else {
            Ancestry::Partial
        }
    }

    fn inputs_of(&self, l: u32) -> impl Iterator<Item = (u32, f64)> + '_ {
        self.edges
            .iter()
            .filter(move |e| e.1 == l)
            .map(|e| (e.0, e.2))
    }

    /// Share of the seed set in `l`, straight from record-format.md with
    /// every seed at 1, by recursion over the raw edge list.
    fn set_share(&self, seeds: &BTreeSet<u32>, l: u32, memo: &mut HashMap<u32, f64>) -> f64 {
        if seeds.contains(&l) {
            return 1.0;
        }
        if let Some(v) = memo.get(&l) {
            return *v;
        }
        let total: f64 = self.inputs_of(l).map(|(_, q)| q).sum();
        let v = if total == 0.0 {
            0.0
        } else {
            self.inputs_of(l)
                .map(|(i, q)| self.set_share(seeds, i, memo) * q / total)
                .sum()
        };
        memo.insert(l, v);
        v
    }

    /// share(s, l) for one source lot.
    fn share(&self, s: u32, l: u32, memo: &mut HashMap<u32, f64>) -> f64 {
        self.set_share(&BTreeSet::from([s]), l, memo)
    }

    fn seeds(&self, pick: &[bool]) -> Vec<u32> {
        (0..self.n as u32).filter(|i| pick[*i as usize]).collect()
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Ancestry {
    Full,
    Partial,
    Unsupplied,
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn recall(ds: &Dataset, g: &Genealogy, seeds: &[u32]) -> Recall {
    let seeds: Vec<LotIx> = seeds.iter().map(|s| LotIx(*s)).collect();
    simulate(ds, g, &Balance::compute(ds), &seeds, 0.0)
}

/// lot index → share of a recall's listing.
fn shares(r: &Recall) -> BTreeMap<u32, f64> {
    r.lots.iter().map(|l| (l.lot.0, l.share)).collect()
}

/// Σ over suppliers of the attributed returned units of their lots.
fn supplier_sum(ds: &Dataset, inputs: &ScoreInputs) -> f64 {
    let mut per_supplier = vec![0.0; ds.suppliers.len()];
    for (i, lot) in ds.lots.iter().enumerate() {
        if let (Origin::Supplied, Some(s)) = (lot.origin, lot.supplier) {
            per_supplier[s.ix()] += inputs.attributed_returned()[i];
        }
    }
    per_supplier.iter().sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// (a) Attributed returns are conserved: each returned unit of a lot
    /// whose ancestry is fully supplied is attributed once in total over
    /// the suppliers; lots with no supplied ancestor attribute nothing.
    #[test]
    fn attributed_returns_sum_to_the_fully_supplied_returns(c in case()) {
        let ancestry: Vec<Ancestry> = (0..c.n as u32).map(|l| c.ancestry(l)).collect();
        // Exact conservation: no returns on partially supplied lots.
        let returned: Vec<f64> = c
            .returned
            .iter()
            .zip(&ancestry)
            .map(|(r, a)| if *a == Ancestry::Partial { 0.0 } else { *r })
            .collect();
        let ds = c.dataset(&returned);
        let g = Genealogy::from_dataset(&ds);
        let inputs = ScoreInputs::compute(&ds, &g, &ReturnFilter::default()).unwrap();
        let full: f64 = (0..c.n)
            .filter(|l| ancestry[*l] == Ancestry::Full)
            .map(|l| returned[l])
            .sum();
        let got = supplier_sum(&ds, &inputs);
        prop_assert!(close(got, full), "Σ suppliers {got} != fully supplied returns {full}");

        // With returns everywhere, partially supplied lots contribute a
        // fraction of their returns: the sum lies between the two totals.
        let ds = c.dataset(&c.returned);
        let g = Genealogy::from_dataset(&ds);
        let inputs = ScoreInputs::compute(&ds, &g, &ReturnFilter::default()).unwrap();
        let got = supplier_sum(&ds, &inputs);
        let lo: f64 = (0..c.n).filter(|l| ancestry[*l] == Ancestry::Full).map(|l| c.returned[l]).sum();
        let hi: f64 = (0..c.n).filter(|l| ancestry[*l] != Ancestry::Unsupplied).map(|l| c.returned[l]).sum();
        prop_assert!(got >= lo - 1e-9 * lo.max(1.0) && got <= hi + 1e-9 * hi.max(1.0),
            "Σ suppliers {got} not in [{lo}, {hi}]");
    }

    /// (b) A recall lists exactly the forward closure of its seeds, seeds
    /// at share 1 and every lot at the record-format seed-set share.
    #[test]
    fn recall_lists_the_forward_closure(c in case()) {
        let ds = c.dataset(&c.returned);
        let g = Genealogy::from_dataset(&ds);
        let seeds = c.seeds(&c.seeds_a);
        let r = recall(&ds, &g, &seeds);
        let got: BTreeSet<u32> = r.lots.iter().map(|l| l.lot.0).collect();
        prop_assert_eq!(&got, &c.downstream(&seeds));
        prop_assert_eq!(r.below_min_share, 0);
        let seed_set: BTreeSet<u32> = seeds.iter().copied().collect();
        let mut memo = HashMap::new();
        for l in &r.lots {
            let want = c.set_share(&seed_set, l.lot.0, &mut memo);
            prop_assert!((l.share - want).abs() < 1e-9, "lot {}: share {} vs {}", l.lot.0, l.share, want);
            if seed_set.contains(&l.lot.0) {
                prop_assert_eq!(l.share, 1.0);
                prop_assert_eq!(l.depth, 0);
            }
        }
        // Sorted by lot id.
        let ids: Vec<&str> = r.lots.iter().map(|l| ds.lot(l.lot).id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        prop_assert_eq!(ids, sorted);
    }

    /// (c) Adding seeds never lowers a lot's share (nor drops a lot).
    #[test]
    fn shares_grow_with_the_seed_set(c in case()) {
        let ds = c.dataset(&c.returned);
        let g = Genealogy::from_dataset(&ds);
        let a = c.seeds(&c.seeds_a);
        let ab = c.seeds(&c.seeds_a.iter().zip(&c.seeds_b).map(|(x, y)| *x || *y).collect::<Vec<_>>());
        let small = shares(&recall(&ds, &g, &a));
        let big = shares(&recall(&ds, &g, &ab));
        for (l, s) in &small {
            let b = big.get(l).copied();
            prop_assert!(b.is_some(), "lot {l} reached by A but not by A ∪ B");
            let b = b.unwrap_or_default();
            prop_assert!(b >= s - 1e-12, "lot {l}: share {b} with A ∪ B < {s} with A");
        }
    }

    /// (d) The linear attribution pass equals the brute-force definition.
    #[test]
    fn attribute_equals_the_brute_force_sum(c in case()) {
        let ds = c.dataset(&c.returned);
        let g = Genealogy::from_dataset(&ds);
        let order = g.topological_order().unwrap();
        let x: Vec<f64> = c.returned.iter().zip(&c.shipped).map(|(r, s)| r + s / 3.0).collect();
        let got = attribute(&g, &order, &x);
        for l in 0..c.n as u32 {
            let mut memo = HashMap::new();
            let want: f64 = (0..c.n as u32).map(|f| x[f as usize] * c.share(l, f, &mut memo)).sum();
            prop_assert!(close(got[l as usize], want), "lot {l}: {} vs {want}", got[l as usize]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// What each lot candidate of `investigate` reaches (its complaint
    /// lots, its other population lots) equals a naive BFS, whether it was
    /// counted by the tree steps (chains, splits) or walked (merges).
    #[test]
    fn investigate_counts_what_each_lot_candidate_reaches(c in case()) {
        use lotgraph_core::analytics::investigate::{Source, investigate, population};
        let ds = c.dataset(&c.returned);
        let g = Genealogy::from_dataset(&ds);
        let complaints: Vec<u32> = (0..c.n as u32).filter(|&l| c.returned[l as usize] > 0.0).collect();
        let pop = population(&ds);
        let lots: Vec<LotIx> = complaints.iter().map(|&l| LotIx(l)).collect();
        let ranked = investigate(&ds, &g, &lots, &pop);
        let is_c = |l: u32| complaints.contains(&l);
        let in_pop = |l: u32| pop[l as usize] || is_c(l);
        let mut seen = BTreeSet::new();
        for cand in &ranked {
            let Source::Lot(l) = cand.source else { continue };
            seen.insert(l.0);
            let down = c.downstream(&[l.0]);
            let hits: BTreeSet<u32> = down.iter().copied().filter(|&x| is_c(x)).collect();
            let got: BTreeSet<u32> = cand.complaint_lots.iter().map(|x| x.0).collect();
            prop_assert_eq!(&got, &hits, "lot {}", l.0);
            let n = down.iter().filter(|&&x| in_pop(x)).count() as u64;
            prop_assert_eq!(cand.other_lots_reached, n - hits.len() as u64, "lot {}", l.0);
            // Sorted by lot id.
            let ids: Vec<&str> = cand.complaint_lots.iter().map(|x| ds.lot_id(*x)).collect();
            let mut sorted = ids.clone();
            sorted.sort_unstable();
            prop_assert_eq!(ids, sorted);
        }
        // Every upstream lot that reaches a complaint and is not a bare
        // complaint lot (one without outputs) is a candidate.
        for l in 0..c.n as u32 {
            let reaches = c.downstream(&[l]).iter().any(|&x| is_c(x));
            let bare = is_c(l) && !c.edges.iter().any(|e| e.0 == l);
            prop_assert_eq!(seen.contains(&l), reaches && !bare, "lot {}", l);
        }
    }
}
