//! Making lots in the simulation: receiving supplier lots (with incoming
//! inspection and planted defects), mixing premixes and base batches (with
//! rework of held batches), filling finished batches, and the last day's
//! stock receipts.

use super::super::faults::{DefLot, Source, Taint, Target};
use super::super::ids::Kind;
use super::super::rows::{LotRow, ShipTo};
use super::super::world::{Category, round_up};
use super::{Input, Open, Pool, Sim};

impl Sim<'_> {
    /// Receives a supplier lot of `sku` for a plant or a distribution
    /// centre, at least `need` large. A lot failing incoming inspection is
    /// quarantined and replaced by a second one, released on the
    /// supplier's certificate without inspection.
    pub(super) fn receive(
        &mut self,
        plant: Option<usize>,
        dc: Option<usize>,
        sku: usize,
        day: i32,
        need: u64,
    ) -> anyhow::Result<Open> {
        let w = self.w;
        let s = &w.skus[sku];
        let mut attempt = 0;
        loop {
            let sup = match plant {
                Some(p) if self.rng.chance(0.75) => w.preferred_supplier(p, sku),
                _ => *self.rng.pick(&s.suppliers),
            };
            let size = (s.lot_size as f64 * self.rng.uniform(0.7, 1.3)) as u64;
            let qty = round_up(size.max(need), s.pack);
            let via_warehouse = plant.is_some() && self.rng.chance(0.35);
            let site = match (plant, dc) {
                (Some(p), _) if via_warehouse => w.plants[p].warehouse,
                (Some(p), _) => w.plants[p].site,
                (None, Some(d)) => self.first_dc + d,
                (None, None) => anyhow::bail!("internal error: a receipt needs a site"),
            };
            let recv = day - self.rng.range(1, 3) as i32 - if via_warehouse { 2 } else { 0 };
            let lot = self.alloc(Kind::Supplied, s.whole(), recv);
            let planted = plant.and_then(|p| self.planted_lot_fault(p, sku, day));
            let defective = planted.or_else(|| {
                let f = self.bad[sup]?;
                match self.faults[f].target {
                    Target::Supplier { defect_rate, .. } if self.rng.chance(defect_rate) => Some(f),
                    _ => None,
                }
            });
            let inspect_rate = if s.category == Category::Packaging {
                0.3
            } else {
                0.6
            };
            let inspected = attempt == 0 && self.rng.chance(inspect_rate);
            // A planted defective lot passes: that is how it got through.
            let failed =
                inspected && planted.is_none() && self.rng.chance(w.suppliers[sup].fail_rate);
            let code = self.rng.below(10_000);
            let cost = (s.unit_cost as f64 * self.rng.uniform(0.9, 1.1)) as u64;
            let shelf = (f64::from(s.shelf_life) * self.rng.uniform(0.8, 1.0)) as i32;
            self.rows.lot(&LotRow {
                lot,
                sku,
                supplier: Some((sup, code)),
                site,
                line: None,
                produced: None,
                received: Some(recv),
                expires: Some(recv + shelf),
                qty,
                cost: Some(cost.max(1)),
                status: if failed { "quarantined" } else { "released" },
            })?;
            if inspected {
                self.inspect(lot, recv, failed)?;
            }
            if failed {
                attempt += 1;
                continue;
            }
            if let (true, Some(p)) = (via_warehouse, plant) {
                let to = w.plants[p].site;
                self.rows
                    .shipment(lot, qty, site, ShipTo::Site(to), recv + 1, recv + 2)?;
            }
            let mut taint = Taint::default();
            if let Some(f) = defective {
                self.sources.push(Source {
                    fault: f,
                    lot: Some(DefLot {
                        lot,
                        supplier: sup,
                        sku,
                        site,
                    }),
                });
                taint = Taint {
                    src: self.sources.len() as u32,
                    share: 1.0,
                };
                let fault = &mut self.faults[f];
                fault.source_lots += 1;
                if let Target::SupplierLot { planted, .. } = &mut fault.target {
                    *planted = Some(self.sources.len() - 1);
                }
            }
            return Ok(Open {
                lot,
                left: qty,
                taint,
            });
        }
    }

    pub(super) fn make_premix(&mut self, f: usize, day: i32, need: u64) -> anyhow::Result<Open> {
        let w = self.w;
        let fam = &w.families[f];
        let Some(p) = &fam.premix else {
            anyhow::bail!("internal error: family {f} has no premix")
        };
        let out = ((p.batch as f64 * self.rng.uniform(0.85, 1.15)) as u64).max(need);
        let input_total = out * 1000 / 990;
        let mut inputs = Vec::new();
        for &(r, pm) in &p.recipe {
            let q = (input_total * pm / 1000).max(1);
            self.draw(
                Pool::Plant {
                    plant: fam.plant,
                    sku: r,
                },
                q,
                day,
                &mut inputs,
            )?;
        }
        let lot = self.alloc(Kind::Premix, false, day);
        let taint = self.combine(&inputs, Some(fam.mix_line), day);
        self.rows.lot(&LotRow {
            lot,
            sku: p.sku,
            supplier: None,
            site: w.plants[fam.plant].site,
            line: Some(fam.mix_line),
            produced: Some(day),
            received: None,
            expires: None,
            qty: out,
            cost: None,
            status: "released",
        })?;
        self.write_inputs(lot, &inputs, day)?;
        Ok(Open {
            lot,
            left: out,
            taint,
        })
    }

    /// Mixes a base batch of at least `need`; one in fifty inspected
    /// batches fails, is held for rework and replaced.
    pub(super) fn make_base(&mut self, f: usize, day: i32, need: u64) -> anyhow::Result<Open> {
        let w = self.w;
        let fam = &w.families[f];
        let plant = fam.plant;
        for attempt in 0..2 {
            let out = ((fam.base_batch as f64 * self.rng.uniform(0.85, 1.15)) as u64).max(need);
            let input_total = out * 1000 / fam.yield_permille;
            let mut inputs = Vec::new();
            if fam.premix.is_some() {
                let q = (input_total * fam.premix_permille / 1000).max(1);
                self.draw(Pool::Premix(f), q, day, &mut inputs)?;
            }
            for &(r, pm) in &fam.base_recipe {
                let q = (input_total * pm / 1000).max(1);
                self.draw(Pool::Plant { plant, sku: r }, q, day, &mut inputs)?;
            }
            // Held batches go back in at up to a tenth of the input mass.
            if let Some((o, grams)) = self.fam[f].rework.front_mut() {
                let cap = input_total / 10;
                // Finished lots (grams per unit known) are counted in units.
                let q = match (cap * 100).checked_div(*grams) {
                    None => o.left.min(cap),
                    Some(units) => o.left.min(units * 10),
                };
                if q > 0 {
                    o.left -= q;
                    inputs.push(Input {
                        lot: o.lot,
                        qty: q,
                        taint: o.taint,
                    });
                }
                if o.left == 0 {
                    self.fam[f].rework.pop_front();
                }
            }
            let lot = self.alloc(Kind::Base, false, day);
            let taint = self.combine(&inputs, Some(fam.mix_line), day);
            let inspected = self.rng.chance(0.5);
            let fail_p = 0.02 + self.fault_severity(taint) * 0.1;
            let failed = attempt == 0 && inspected && self.rng.chance(fail_p);
            self.rows.lot(&LotRow {
                lot,
                sku: fam.base_sku,
                supplier: None,
                site: w.plants[plant].site,
                line: Some(fam.mix_line),
                produced: Some(day),
                received: None,
                expires: None,
                qty: out,
                cost: None,
                status: if failed { "on_hold" } else { "released" },
            })?;
            self.write_inputs(lot, &inputs, day)?;
            if inspected {
                self.inspect(lot, day, failed)?;
            }
            let open = Open {
                lot,
                left: out,
                taint,
            };
            if !failed {
                return Ok(open);
            }
            self.fam[f].rework.push_back((open, 0));
        }
        anyhow::bail!("internal error: no base batch released")
    }

    /// One finished batch of family `f`, then its distribution.
    pub(super) fn finished_batch(&mut self, f: usize, day: i32) -> anyhow::Result<()> {
        let w = self.w;
        let fam = &w.families[f];
        let plant = fam.plant;
        let units = ((fam.batch_units as f64 * self.rng.uniform(0.8, 1.2)) as u64 / 12).max(1) * 12;
        let v = self.rng.index(fam.variants.len());
        let variant = &fam.variants[v];
        let mut inputs = Vec::new();
        let base = (units * variant.grams / 100 * 102 / 100).max(1);
        self.draw(Pool::Base(f), base, day, &mut inputs)?;
        for &(r, g) in &fam.minors {
            let q = (units * g / 100).max(1);
            self.draw(Pool::Plant { plant, sku: r }, q, day, &mut inputs)?;
        }
        for &p in &fam.packaging {
            // Half a percent of containers are spoiled at filling.
            let q = round_up(units * 1005, 1000) / 1000 * 10;
            self.draw(Pool::Plant { plant, sku: p }, q, day, &mut inputs)?;
        }
        let lot = self.alloc(Kind::Finished, true, day);
        let taint = self.combine(&inputs, Some(fam.fill_line), day);
        let inspected = self.rng.chance(0.4);
        let fail_p = 0.01 + self.fault_severity(taint) * 0.15;
        let failed = inspected && self.rng.chance(fail_p);
        self.rows.lot(&LotRow {
            lot,
            sku: variant.sku,
            supplier: None,
            site: w.plants[plant].site,
            line: Some(fam.fill_line),
            produced: Some(day),
            received: None,
            expires: None,
            qty: units * 10,
            cost: None,
            status: if failed { "on_hold" } else { "released" },
        })?;
        self.write_inputs(lot, &inputs, day)?;
        if inspected {
            self.inspect(lot, day, failed)?;
        }
        let open = Open {
            lot,
            left: units * 10,
            taint,
        };
        if failed {
            self.fam[f].rework.push_back((open, variant.grams));
            return Ok(());
        }
        self.distribute(f, v, open, units, day)
    }

    /// One supplier lot received on the last day and not used yet.
    pub(super) fn stock_receipt(&mut self) -> anyhow::Result<()> {
        let w = self.w;
        let p = self.rng.index(w.plants.len());
        let sku = self.rng.index(w.supplied);
        let s = &w.skus[sku];
        let sup = w.preferred_supplier(p, sku);
        let lot = self.alloc(Kind::Supplied, s.whole(), self.end);
        let code = self.rng.below(10_000);
        let inspected = self.rng.chance(0.6);
        let failed = inspected && self.rng.chance(w.suppliers[sup].fail_rate);
        self.rows.lot(&LotRow {
            lot,
            sku,
            supplier: Some((sup, code)),
            site: w.plants[p].site,
            line: None,
            produced: None,
            received: Some(self.end),
            expires: Some(self.end + s.shelf_life as i32),
            qty: s.lot_size,
            cost: Some(s.unit_cost),
            status: if failed { "quarantined" } else { "released" },
        })?;
        if inspected {
            self.inspect(lot, self.end, failed)?;
        }
        Ok(())
    }
}
