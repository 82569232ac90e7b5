//! The in-memory engine's answers, and the comparison of each Cypher
//! query's rows with them: sets exactly, numbers within 1e-9 (relative for
//! quantities larger than 1).

use super::support::run_query;
use lotgraph::core::analytics::balance::Balance;
use lotgraph::core::analytics::investigate::{investigate, population};
use lotgraph::core::analytics::recall::simulate;
use lotgraph::core::analytics::returns::{ReturnFilter, lot_rates};
use lotgraph::core::analytics::suppliers::{ScoreInputs, Window, scorecard};
use lotgraph::core::model::{Origin, ReturnCategory};
use lotgraph::core::{Direction, LotIx, Tracer};
use lotgraph::mirror::Mirror;
use lotgraph::snapshot::{self, Snapshot};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub(crate) fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

pub(crate) fn num(v: &Value) -> Option<f64> {
    v.as_f64()
}

pub(crate) fn assert_close(what: &str, engine: Option<f64>, neo: Option<f64>) {
    match (engine, neo) {
        (None, None) => {}
        (Some(a), Some(b)) if close(a, b) => {}
        _ => panic!("{what}: lotgraph {engine:?}, Cypher {neo:?}"),
    }
}

pub(crate) struct Engine {
    pub(crate) snap: Snapshot,
}

impl Engine {
    pub(crate) fn load(ws: &Path) -> Engine {
        Engine {
            snap: snapshot::load(ws).unwrap(),
        }
    }

    pub(crate) fn id(&self, l: LotIx) -> String {
        self.snap.dataset.lot_id(l).to_string()
    }

    pub(crate) fn lots(&self) -> impl Iterator<Item = LotIx> + '_ {
        (0..self.snap.dataset.lots.len()).map(LotIx::from_ix)
    }

    /// `trace_back` / `trace_forward` of `lot` equal the engine's trace.
    pub(crate) fn check_trace(
        &self,
        rt: &tokio::runtime::Runtime,
        m: &Mirror,
        lot: LotIx,
        dir: Direction,
    ) {
        let (ds, g) = (&self.snap.dataset, &self.snap.genealogy);
        let t = Tracer::new(g).trace(ds, lot, dir, None);
        let want: BTreeMap<String, (u32, f64)> = t
            .lots
            .iter()
            .map(|x| (self.id(x.lot), (x.depth, x.share)))
            .collect();
        let name = match dir {
            Direction::Upstream => "trace_back",
            Direction::Downstream => "trace_forward",
        };
        let id = self.id(lot);
        let rows = run_query(rt, m, name, &[("lot", &id)]);
        let got: BTreeMap<String, (u32, f64)> = rows
            .iter()
            .map(|r| {
                (
                    r["lot_id"].as_str().unwrap().to_string(),
                    (
                        r["depth"].as_u64().unwrap() as u32,
                        num(&r["share"]).unwrap(),
                    ),
                )
            })
            .collect();
        assert_eq!(
            want.keys().collect::<Vec<_>>(),
            got.keys().collect::<Vec<_>>(),
            "{name} {id:?}: different lots"
        );
        for (k, (d, s)) in &want {
            let (gd, gs) = got[k];
            assert_eq!(*d, gd, "{name} {id:?}: depth of {k:?}");
            assert_close(
                &format!("{name} {id:?}: share of {k:?}"),
                Some(*s),
                Some(gs),
            );
        }
        let basis: BTreeMap<String, Option<&str>> = rows
            .iter()
            .map(|r| {
                (
                    r["lot_id"].as_str().unwrap().to_string(),
                    r["share_basis"].as_str(),
                )
            })
            .collect();
        for x in &t.lots {
            let want = g
                .basis(x.lot)
                .map(lotgraph::core::graph::ShareBasis::as_str);
            assert_eq!(basis[&self.id(x.lot)], want, "{name} {id:?}: share_basis");
        }
        if dir == Direction::Downstream {
            // The traced quantity of the root in every lot made from it.
            let mut tq = BTreeMap::new();
            let quantity = |l: LotIx| ds.lots.quantity[l.ix()];
            Tracer::new(g).traced_quantities(&[lot], quantity, |l, _, q| {
                tq.insert(self.id(l), q);
            });
            for r in &rows {
                let k = r["lot_id"].as_str().unwrap();
                assert_close(
                    &format!("{name} {id:?}: seed_quantity of {k:?}"),
                    tq.get(k).copied(),
                    num(&r["seed_quantity"]),
                );
            }
        }
    }

    pub(crate) fn check_recall(
        &self,
        rt: &tokio::runtime::Runtime,
        m: &Mirror,
        seeds: &[LotIx],
        min_share: f64,
    ) {
        let (ds, g) = (&self.snap.dataset, &self.snap.genealogy);
        let r = simulate(ds, g, &Balance::compute(ds), seeds, min_share);
        let want: BTreeMap<String, (u32, f64)> = r
            .lots
            .iter()
            .map(|x| (self.id(x.lot), (x.depth, x.share)))
            .collect();
        let ids: Vec<String> = seeds.iter().map(|s| self.id(*s)).collect();
        let ms = min_share.to_string();
        let mut pairs: Vec<(&str, &str)> = ids.iter().map(|i| ("seeds", i.as_str())).collect();
        pairs.push(("min_share", &ms));
        let rows = run_query(rt, m, "recall_blast_radius", &pairs);
        let got: BTreeMap<String, (u32, f64)> = rows
            .iter()
            .map(|r| {
                (
                    r["lot_id"].as_str().unwrap().to_string(),
                    (
                        r["depth"].as_u64().unwrap() as u32,
                        num(&r["share"]).unwrap(),
                    ),
                )
            })
            .collect();
        assert_eq!(
            want.keys().collect::<Vec<_>>(),
            got.keys().collect::<Vec<_>>(),
            "recall {ids:?} min_share {min_share}: different lots"
        );
        for (k, (d, s)) in &want {
            let (gd, gs) = got[k];
            assert_eq!(*d, gd, "recall {ids:?}: depth of {k:?}");
            assert_close(
                &format!("recall {ids:?}: share of {k:?}"),
                Some(*s),
                Some(gs),
            );
        }
        // Seed quantities per unit: the engine's (unit, quantity) pairs
        // against Cypher's list of {uom, quantity} maps.
        let neo: BTreeMap<&str, &Value> = rows
            .iter()
            .map(|r| (r["lot_id"].as_str().unwrap(), &r["seed_quantities"]))
            .collect();
        for x in &r.lots {
            let id = self.id(x.lot);
            let got: Vec<(String, f64)> = neo[id.as_str()]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| {
                    (
                        u["uom"].as_str().unwrap_or("").to_string(),
                        num(&u["quantity"]).unwrap(),
                    )
                })
                .filter(|u| u.1 != 0.0)
                .collect();
            let want: Vec<&(String, f64)> = x.seed_quantity.iter().filter(|u| u.1 != 0.0).collect();
            assert_eq!(
                want.iter().map(|u| &u.0).collect::<Vec<_>>(),
                got.iter().map(|u| &u.0).collect::<Vec<_>>(),
                "recall {ids:?}: units of {id:?}"
            );
            for (w, g) in want.iter().zip(&got) {
                assert_close(
                    &format!("recall {ids:?}: seed quantity of {id:?} in {}", w.0),
                    Some(w.1),
                    Some(g.1),
                );
            }
        }
    }

    pub(crate) fn check_returns(
        &self,
        rt: &tokio::runtime::Runtime,
        m: &Mirror,
        category: Option<&str>,
    ) {
        let ds = &self.snap.dataset;
        let filter = ReturnFilter {
            category: category.map(|c| ReturnCategory::parse(c).unwrap()),
            ..ReturnFilter::default()
        };
        let want = lot_rates(ds, &filter);
        let pairs: Vec<(&str, &str)> = category.iter().map(|c| ("category", *c)).collect();
        let rows = run_query(rt, m, "return_rates", &pairs);
        let got: BTreeMap<String, &Map<String, Value>> = rows
            .iter()
            .map(|r| (r["lot_id"].as_str().unwrap().to_string(), r))
            .collect();
        let want_ids: BTreeSet<String> = want.iter().map(|r| self.id(r.lot)).collect();
        assert_eq!(
            want_ids,
            got.keys().cloned().collect::<BTreeSet<_>>(),
            "return_rates {category:?}: different lots"
        );
        for w in &want {
            let id = self.id(w.lot);
            let r = got[&id];
            let what = |c: &str| format!("return_rates {category:?} {id:?} {c}");
            assert_close(&what("shipped"), Some(w.shipped), num(&r["shipped"]));
            assert_close(&what("returned"), Some(w.returned), num(&r["returned"]));
            assert_close(&what("rate"), w.rate, num(&r["rate"]));
            assert_close(&what("ci_low"), w.ci_low, num(&r["ci_low"]));
            assert_close(&what("ci_high"), w.ci_high, num(&r["ci_high"]));
            assert_close(&what("baseline"), w.baseline, num(&r["baseline"]));
        }
    }

    pub(crate) fn check_suppliers(&self, rt: &tokio::runtime::Runtime, m: &Mirror) {
        let (ds, g) = (&self.snap.dataset, &self.snap.genealogy);
        let inputs = ScoreInputs::compute(ds, g, &ReturnFilter::default()).unwrap();
        let want = scorecard(ds, g, &inputs, Window::default());
        let rows = run_query(rt, m, "supplier_attributed_returns", &[]);
        let got: BTreeMap<String, &Map<String, Value>> = rows
            .iter()
            .map(|r| (r["supplier_id"].as_str().unwrap().to_string(), r))
            .collect();
        let want_ids: BTreeSet<String> = want
            .iter()
            .map(|s| ds.suppliers[s.supplier.ix()].id.clone())
            .collect();
        assert_eq!(
            want_ids,
            got.keys().cloned().collect::<BTreeSet<_>>(),
            "supplier_attributed_returns: different suppliers"
        );
        for w in &want {
            let id = &ds.suppliers[w.supplier.ix()].id;
            let r = got[id];
            assert_eq!(r["lots"].as_u64(), Some(w.lots), "lots of {id:?}");
            let what = |c: &str| format!("supplier {id:?} {c}");
            assert_close(
                &what("attributed_returned"),
                Some(w.attributed_returned),
                num(&r["attributed_returned"]),
            );
            assert_close(
                &what("attributed_shipped"),
                Some(w.attributed_shipped),
                num(&r["attributed_shipped"]),
            );
            assert_close(
                &what("rate"),
                w.attributed_return_rate,
                num(&r["attributed_return_rate"]),
            );
        }
    }

    pub(crate) fn check_common_source(
        &self,
        rt: &tokio::runtime::Runtime,
        m: &Mirror,
        complaints: &[LotIx],
    ) {
        let (ds, g) = (&self.snap.dataset, &self.snap.genealogy);
        let ranked = investigate(ds, g, complaints, &population(ds));
        type Key = (String, String);
        let want: BTreeMap<Key, (u64, u64, BTreeSet<String>)> = ranked
            .iter()
            .map(|c| {
                (
                    (c.source.kind().to_string(), c.source.id(ds).to_string()),
                    (
                        c.complaint_lots.len() as u64,
                        c.other_lots_reached,
                        c.complaint_lots.iter().map(|l| self.id(*l)).collect(),
                    ),
                )
            })
            .collect();
        let ids: Vec<String> = complaints.iter().map(|s| self.id(*s)).collect();
        let pairs: Vec<(&str, &str)> = ids.iter().map(|i| ("lots", i.as_str())).collect();
        let rows = run_query(rt, m, "common_source", &pairs);
        let got: BTreeMap<Key, (u64, u64, BTreeSet<String>)> = rows
            .iter()
            .map(|r| {
                (
                    (
                        r["kind"].as_str().unwrap().to_string(),
                        r["id"].as_str().unwrap().to_string(),
                    ),
                    (
                        r["complaint_lots_reached"].as_u64().unwrap(),
                        r["other_lots_reached"].as_u64().unwrap(),
                        r["evidence"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|e| e.as_str().unwrap().to_string())
                            .collect(),
                    ),
                )
            })
            .collect();
        assert_eq!(want, got, "common_source {ids:?}");
    }

    /// Every query for every lot (traces), and a few seed and complaint sets.
    pub(crate) fn check_everything(&self, rt: &tokio::runtime::Runtime, m: &Mirror, every: usize) {
        let ds = &self.snap.dataset;
        for l in self.lots().step_by(every.max(1)) {
            self.check_trace(rt, m, l, Direction::Upstream);
            self.check_trace(rt, m, l, Direction::Downstream);
        }
        let supplied: Vec<LotIx> = self
            .lots()
            .filter(|l| ds.lot(*l).origin == Origin::Supplied)
            .collect();
        let produced: Vec<LotIx> = self
            .lots()
            .filter(|l| ds.lot(*l).origin == Origin::Produced)
            .collect();
        for (k, s) in supplied.iter().enumerate().step_by(every.max(1)) {
            self.check_recall(rt, m, &[*s], 0.0);
            if let Some(p) = produced.get(k % produced.len().max(1)) {
                // A seed set mixing a raw lot and a produced lot (seeds
                // downstream of seeds stay at share 1).
                self.check_recall(rt, m, &[*s, *p], 0.05);
            }
        }
        self.check_returns(rt, m, None);
        for c in ["quality", "safety"] {
            self.check_returns(rt, m, Some(c));
        }
        self.check_suppliers(rt, m);
        let returned: BTreeSet<LotIx> = ds.returns.iter().map(|r| r.lot).collect();
        let returned: Vec<LotIx> = returned.into_iter().collect();
        if !returned.is_empty() {
            self.check_common_source(rt, m, &returned[..returned.len().min(7)]);
            self.check_common_source(rt, m, &returned[..1]);
        }
        if let Some(p) = produced.last() {
            self.check_common_source(rt, m, &[*p]);
        }
    }
}
