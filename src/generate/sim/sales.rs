//! Distribution and sales in the simulation: transfers from a plant to
//! its distribution centres, multipack runs there, sales to customers, and
//! the returns a delivered sale brings (background noise, and complaints
//! about lots carrying a planted fault).

use super::super::faults::{BACKGROUND_RATE, FULL_DOSE_SHARE, MIN_DOSE};
use super::super::ids::Kind;
use super::super::names;
use super::super::rows::{LotRow, ShipTo};
use super::{Input, Open, Pool, Sim};

impl Sim<'_> {
    /// Splits `units` (a multiple of `case`) into `parts` positive
    /// multiples of `case` (fewer parts when there are not enough cases).
    fn split(&mut self, units: u64, case: u64, parts: usize, out: &mut Vec<u64>) {
        out.clear();
        let cases = units / case;
        let parts = parts.min(cases as usize).max(1);
        let mut cuts: Vec<u64> = (1..parts)
            .map(|_| self.rng.range(1, cases.max(2) - 1))
            .collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut prev = 0;
        for c in cuts.into_iter().chain(std::iter::once(cases)) {
            if c > prev {
                out.push((c - prev) * case);
                prev = c;
            }
        }
    }

    /// Plant → distribution centres → customers, with an occasional
    /// multipack run at the first centre. `v`: the lot's variant.
    pub(super) fn distribute(
        &mut self,
        f: usize,
        v: usize,
        fin: Open,
        units: u64,
        day: i32,
    ) -> anyhow::Result<()> {
        let w = self.w;
        let fam = &w.families[f];
        let plant = &w.plants[fam.plant];
        let k = [1usize, 2, 3][self.rng.weighted(&[50, 35, 15])];
        let mut dcs = Vec::new();
        self.rng.distinct(plant.dcs.len(), k, &mut dcs);
        let mut parts = Vec::new();
        self.split(units, 12, dcs.len(), &mut parts);
        let ship = day + self.rng.range(1, 2) as i32;
        let mut sold = false;
        for (i, part) in parts.iter().enumerate() {
            let dc = plant.dcs[dcs[i]];
            if ship > self.end {
                continue;
            }
            let arrive = ship + self.rng.range(0, 2) as i32;
            self.rows.shipment(
                fin.lot,
                part * 10,
                plant.site,
                ShipTo::Site(dc),
                ship,
                arrive,
            )?;
            if arrive > self.end {
                continue;
            }
            let mut left = *part;
            if let Some(club) = &fam.club
                && i == 0
                && self.rng.chance(0.15)
            {
                let r = (left as f64 * self.rng.uniform(0.1, 0.3)) as u64 / club.pack * club.pack;
                let rp_day = arrive + self.rng.range(1, 3) as i32;
                if r >= club.pack && rp_day <= self.end {
                    self.multipack(f, v, fin, r, dc, rp_day)?;
                    left -= r;
                }
            }
            let sell = ((left as f64 * self.rng.uniform(0.85, 1.0)) as u64) / 12 * 12;
            if sell > 0 {
                let lot_sold = self.sell(fin, sell, 12, dc, arrive, 14, fam.background)?;
                sold |= lot_sold;
            }
        }
        if sold {
            self.count_sold(fin.taint);
        }
        Ok(())
    }

    /// Sells `qty` units of `lot` from distribution centre `dc` to a few of
    /// its customers, from `from` on; true when anything was shipped.
    #[allow(clippy::too_many_arguments)]
    fn sell(
        &mut self,
        lot: Open,
        qty: u64,
        case: u64,
        dc: usize,
        from: i32,
        spread: u64,
        background: f64,
    ) -> anyhow::Result<bool> {
        let w = self.w;
        let customers = &w.sites[dc].customers;
        let m = self.rng.range(2, 6) as usize;
        let mut parts = Vec::new();
        self.split(qty, case, m.min(customers.len()), &mut parts);
        let mut who = Vec::new();
        self.rng.distinct(customers.len(), parts.len(), &mut who);
        let mut any = false;
        for (q, c) in parts.iter().zip(&who) {
            let cust = customers[*c];
            let shipped = from + self.rng.range(0, spread) as i32;
            if shipped > self.end {
                continue;
            }
            let delivered = shipped + self.rng.range(1, 3) as i32;
            self.rows.shipment(
                lot.lot,
                q * 10,
                dc,
                ShipTo::Customer(cust),
                shipped,
                delivered,
            )?;
            any = true;
            if delivered <= self.end {
                self.complaints(lot, *q, cust, delivered, background)?;
            }
        }
        Ok(any)
    }

    /// Multipacks made at a distribution centre from `units` of `fin`, a
    /// lot of variant `v` (the multipack SKU of that variant).
    fn multipack(
        &mut self,
        f: usize,
        v: usize,
        fin: Open,
        units: u64,
        dc: usize,
        day: i32,
    ) -> anyhow::Result<()> {
        let w = self.w;
        let fam = &w.families[f];
        let Some(club) = &fam.club else {
            return Ok(());
        };
        let packs = units / club.pack;
        let mut inputs = vec![Input {
            lot: fin.lot,
            qty: units * 10,
            taint: fin.taint,
        }];
        let pool = Pool::Dc {
            dc: dc - self.first_dc,
            sku: club.shrink,
        };
        self.draw(pool, packs * 10, day, &mut inputs)?;
        let lot = self.alloc(Kind::Multipack, true, day);
        let line = w.sites[dc].repack_line;
        let taint = self.combine(&inputs, Some(line), day);
        self.rows.lot(&LotRow {
            lot,
            sku: club.skus[v],
            supplier: None,
            site: dc,
            line: Some(line),
            produced: Some(day),
            received: None,
            expires: None,
            qty: packs * 10,
            cost: None,
            status: "released",
        })?;
        self.write_inputs(lot, &inputs, day)?;
        let open = Open {
            lot,
            left: packs * 10,
            taint,
        };
        let sell = ((packs as f64 * self.rng.uniform(0.85, 1.0)) as u64).max(1);
        if self.sell(open, sell, 1, dc, day, 10, fam.background)? {
            self.count_sold(taint);
        }
        Ok(())
    }

    /// The returns a delivered sale brings: background noise, and a
    /// complaint if the lot carries a planted fault.
    fn complaints(
        &mut self,
        lot: Open,
        qty: u64,
        cust: usize,
        delivered: i32,
        background: f64,
    ) -> anyhow::Result<()> {
        if self.rng.chance(BACKGROUND_RATE * background) {
            let (cat, reason) = *self.rng.pick(names::BACKGROUND_REASONS);
            let q = self.rng.range(1, qty.clamp(1, 24));
            let day = delivered + self.rng.range(2, 40) as i32;
            if day <= self.end {
                self.write_return(lot.lot, cust, q, reason, cat, day, None)?;
            }
        }
        let t = lot.taint;
        if t.is_tainted() {
            let dose = (f64::from(t.share) / FULL_DOSE_SHARE).clamp(MIN_DOSE, 1.0);
            if self.rng.chance(self.fault_severity(t) * dose) {
                let (cat, reason) = *self.rng.pick(names::FAULT_REASONS);
                let q = ((qty as f64 * self.rng.uniform(0.005, 0.05)) as u64).clamp(1, qty);
                let day = delivered + self.rng.range(1, 30) as i32;
                if day <= self.end {
                    self.write_return(lot.lot, cust, q, reason, cat, day, Some(t.src))?;
                }
            }
        }
        Ok(())
    }
}
