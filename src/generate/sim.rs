//! The day-by-day simulation behind `lotgraph generate`.
//!
//! Every day, families take turns making one finished batch each until the
//! day's share of the lot budget is used. A finished batch draws base from
//! its family's open base lot (mixing a new one, and a premix for it, when
//! the open one runs out), minor ingredients and packaging from the
//! plant's open supplier lots (receiving new lots, via the regional
//! warehouse or straight to the plant, when they run out). A batch that
//! fails its quality check is held and reworked into later base batches.
//! Released batches are transferred to distribution centres, some repacked
//! there into multipacks, and sold to customers; each sale may come back
//! as a return. Rows are written the moment they are decided and future-
//! dated movements are written at once (file order is free), so the only
//! state is open inventory: a handful of integers per open lot.
//!
//! Planted faults travel with the lots as a *taint*: the planted source and
//! its quantity share (the recorded quantities over all of a batch's
//! inputs, record format v1's rule: the generator's own dose model, kept
//! when v2 moved lotgraph's shares to mass so that seeds still give the
//! same scenarios; a physical dose would be a change of the simulated
//! world, not of lotgraph). A lot with inputs
//! from two sources keeps the larger one, an approximation that only
//! matters when two planted faults meet in one batch. Each sale of a
//! tainted lot brings a fault return with probability severity × dose,
//! where dose = share / `FULL_DOSE_SHARE` clamped to [`MIN_DOSE`, 1]: a
//! contaminated minor ingredient still spoils the batch, just less often.

use super::names;
use super::rng::Rng;
use super::sink::{Calendar, Col, Table, days_from_civil, push_padded};
use super::world::{Category, Level, Scale, World, round_up};
use super::{Config, Planted, Summary};
use anyhow::Context;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

const LOTS: &[(&str, Col)] = &[
    ("lot_id", Col::Text),
    ("sku", Col::Text),
    ("origin", Col::Text),
    ("supplier_id", Col::Text),
    ("supplier_lot_code", Col::Text),
    ("site_id", Col::Text),
    ("line", Col::Text),
    ("produced_on", Col::Date),
    ("received_on", Col::Date),
    ("expires_on", Col::Date),
    ("quantity", Col::Num),
    ("unit_cost", Col::Num),
    ("status", Col::Text),
];
const CONSUMPTIONS: &[(&str, Col)] = &[
    ("input_lot_id", Col::Text),
    ("output_lot_id", Col::Text),
    ("quantity", Col::Num),
    ("consumed_on", Col::Date),
];
const SHIPMENTS: &[(&str, Col)] = &[
    ("shipment_id", Col::Text),
    ("lot_id", Col::Text),
    ("quantity", Col::Num),
    ("from_site_id", Col::Text),
    ("to_site_id", Col::Text),
    ("customer_id", Col::Text),
    ("shipped_on", Col::Date),
    ("delivered_on", Col::Date),
    ("status", Col::Text),
];
const RETURNS: &[(&str, Col)] = &[
    ("return_id", Col::Text),
    ("lot_id", Col::Text),
    ("customer_id", Col::Text),
    ("quantity", Col::Num),
    ("reason", Col::Text),
    ("category", Col::Text),
    ("reported_on", Col::Date),
];
const INSPECTIONS: &[(&str, Col)] = &[
    ("inspection_id", Col::Text),
    ("lot_id", Col::Text),
    ("inspected_on", Col::Date),
    ("result", Col::Text),
    ("defect", Col::Text),
];

/// Lots held back from production for the last day's stock receipts, so
/// the total is exactly the number asked for: one finished batch creates
/// at most 1 finished + 2 base (one held for rework) each with a premix,
/// the supplier lots they draw (at most two per ingredient, one failing
/// inspection) and a multipack with its film: well under 64.
const RESERVE: u64 = 64;

/// Background returns per customer shipment, before the family's
/// multiplier (0.5-2).
pub const BACKGROUND_RATE: f64 = 0.02;
/// Planted-fault share at which a lot gets the full dose.
pub const FULL_DOSE_SHARE: f64 = 0.02;
/// Dose of a lot with only a trace of a planted fault.
pub const MIN_DOSE: f64 = 0.25;

/// Start of the simulated period.
const START: (i64, u32, u32) = (2023, 1, 2);

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Kind {
    Supplied,
    Premix,
    Base,
    Finished,
    Multipack,
}

impl Kind {
    /// First letter of the lot number.
    fn prefix(self) -> u8 {
        match self {
            Kind::Supplied => b'R',
            Kind::Premix => b'X',
            Kind::Base => b'B',
            Kind::Finished => b'F',
            Kind::Multipack => b'M',
        }
    }
}

/// Everything needed to print a lot number: `F23045-000123` is a finished
/// lot made on day 45 of 2023, serial 123.
#[derive(Copy, Clone, Debug)]
struct LotRef {
    kind: Kind,
    /// Counted in whole units (`ea`)?
    whole: bool,
    day: i32,
    serial: u32,
}

/// A planted source carried by a lot: `src` indexes `Sim::sources` plus
/// one (0 = clean); `share` is the source's share in the lot.
#[derive(Copy, Clone, Debug, Default)]
struct Taint {
    src: u32,
    share: f32,
}

/// A lot that can still be drawn from; `left` in tenths of its unit.
#[derive(Copy, Clone, Debug)]
struct Open {
    lot: LotRef,
    left: u64,
    taint: Taint,
}

/// One input of a batch being made.
#[derive(Copy, Clone, Debug)]
struct Input {
    lot: LotRef,
    qty: u64,
    taint: Taint,
}

/// Where open lots are drawn from.
#[derive(Copy, Clone, Debug)]
enum Pool {
    /// Supplier lots of an SKU at a plant.
    Plant { plant: usize, sku: usize },
    /// Supplier lots (secondary packaging) at a distribution centre
    /// (`dc` counts distribution centres from 0).
    Dc { dc: usize, sku: usize },
    /// A family's base.
    Base(usize),
    /// A family's premix.
    Premix(usize),
}

#[derive(Default)]
struct FamState {
    base: Option<Open>,
    premix: Option<Open>,
    /// Held lots waiting to be reworked, with grams per unit (0 for kg).
    rework: VecDeque<(Open, u64)>,
}

enum Target {
    SupplierLot {
        plant: usize,
        sku: usize,
        from: i32,
        planted: Option<usize>,
    },
    Line {
        line: usize,
        plant: usize,
        from: i32,
        to: i32,
        src: u32,
    },
    Supplier {
        supplier: usize,
        defect_rate: f64,
    },
}

struct Fault {
    id: String,
    kind: Planted,
    /// Fault-return probability per sale at full dose.
    severity: f64,
    target: Target,
    /// Lots carrying it at their source (the defective supplier lots, the
    /// lots made on the line in the window).
    source_lots: u64,
    /// Finished lots and multipacks carrying it that were sold.
    sold_lots: u64,
    returns: u64,
}

/// A defective supplier lot (or a line window when `lot` is `None`).
struct Source {
    fault: usize,
    lot: Option<DefLot>,
}

struct DefLot {
    lot: LotRef,
    supplier: usize,
    sku: usize,
    site: usize,
}

/// Lot numbers, with the date part of each day precomputed.
struct Ids {
    digits: usize,
    lo: i32,
    yyjjj: Vec<[u8; 5]>,
    cal: Calendar,
}

impl Ids {
    fn new(cal: Calendar, days: i32, lots: u64) -> Ids {
        let lo = -64;
        let yyjjj = (lo..days + 400)
            .map(|d| Self::compute(cal, d))
            .collect::<Vec<_>>();
        Ids {
            digits: lots.to_string().len().max(6),
            lo,
            yyjjj,
            cal,
        }
    }

    fn compute(cal: Calendar, day: i32) -> [u8; 5] {
        let (yy, jjj) = cal.yy_jjj(day);
        let mut b = [b'0'; 5];
        b[0] += (yy / 10) as u8;
        b[1] += (yy % 10) as u8;
        b[2] += (jjj / 100) as u8;
        b[3] += (jjj / 10 % 10) as u8;
        b[4] += (jjj % 10) as u8;
        b
    }

    fn day(&self, day: i32) -> [u8; 5] {
        usize::try_from(day - self.lo)
            .ok()
            .and_then(|i| self.yyjjj.get(i).copied())
            .unwrap_or_else(|| Self::compute(self.cal, day))
    }

    fn lot(&self, b: &mut Vec<u8>, r: LotRef) {
        b.push(r.kind.prefix());
        b.extend_from_slice(&self.day(r.day));
        b.push(b'-');
        push_padded(b, u64::from(r.serial), self.digits);
    }

    fn lot_string(&self, r: LotRef) -> String {
        let mut b = Vec::with_capacity(16);
        self.lot(&mut b, r);
        String::from_utf8_lossy(&b).into_owned()
    }
}

/// A row of lots.csv.
struct LotRow {
    lot: LotRef,
    sku: usize,
    /// (supplier, number of the supplier's own lot code).
    supplier: Option<(usize, u64)>,
    site: usize,
    line: Option<usize>,
    produced: Option<i32>,
    received: Option<i32>,
    expires: Option<i32>,
    qty: u64,
    cost: Option<u64>,
    status: &'static str,
}

/// How a shipment is numbered: transfers between sites share a number
/// per route and day, sales per distribution centre, customer and day.
#[derive(Copy, Clone)]
enum ShipTo {
    Site(usize),
    Customer(usize),
}

struct Sim<'w> {
    w: &'w World,
    rng: Rng,
    ids: Ids,
    /// Last simulated day: the data are "as of" its evening.
    end: i32,
    target_lots: u64,
    progress: bool,
    lots: Table,
    cons: Table,
    ships: Table,
    rets: Table,
    insps: Table,
    truth_tmp: PathBuf,
    truth_returns: BufWriter<File>,
    n_lots: u64,
    n_returns: u64,
    n_inspections: u64,
    plant_pool: Vec<Option<Open>>,
    dc_pool: Vec<Option<Open>>,
    first_dc: usize,
    fam: Vec<FamState>,
    faults: Vec<Fault>,
    sources: Vec<Source>,
    /// Fault of each planted bad supplier.
    bad: Vec<Option<usize>>,
    /// (from, to, source) windows of each line.
    line_faults: Vec<Vec<(i32, i32, u32)>>,
    started: Instant,
    next_report: u64,
}

/// Runs the whole generation.
pub fn run(cfg: &Config) -> anyhow::Result<Summary> {
    let scale = Scale::for_lots(cfg.lots);
    let cal = Calendar {
        start_epoch: days_from_civil(START.0, START.1, START.2) as i32,
    };
    let mut rng = Rng::new(cfg.seed);
    let mut world = World::build(scale, cfg.seed, cal, &mut rng);
    let faults = plan_faults(&mut world, cfg, &mut rng);
    let masters = world.write_masters(&cfg.out, cfg.format)?;
    let mut sim = Sim::new(&world, cfg, rng, faults)?;
    sim.simulate()?;
    sim.finish(masters)
}

/// Chooses what to plant (and makes planted bad suppliers bad).
fn plan_faults(w: &mut World, cfg: &Config, rng: &mut Rng) -> Vec<Fault> {
    let d = w.scale.days;
    let mut out = Vec::new();
    for i in 0..cfg.faults {
        let Some(kind) = cfg.fault.nth(i) else { break };
        let f = rng.index(w.families.len());
        let fam = &w.families[f];
        // Planted in the middle of the period so its consequences (sales,
        // complaints) have time to show before the data end.
        let from = rng.range(d as u64 / 5, d as u64 * 11 / 20) as i32;
        let (target, severity) = match kind {
            Planted::SupplierLot => {
                let skus = family_inputs(fam);
                let sku = *rng.pick(&skus);
                let target = Target::SupplierLot {
                    plant: fam.plant,
                    sku,
                    from,
                    planted: None,
                };
                (target, rng.uniform(0.1, 0.6))
            }
            Planted::Line => {
                let line = if rng.chance(0.7) {
                    fam.fill_line
                } else {
                    fam.mix_line
                };
                let len = (d / 15).clamp(3, 10);
                let target = Target::Line {
                    line,
                    plant: fam.plant,
                    from,
                    to: from + len - 1,
                    src: 0,
                };
                (target, rng.uniform(0.1, 0.6))
            }
            Planted::Supplier => {
                // Any supplier approved for one of the family's inputs (not
                // the supplier of the most common ingredient: one supplier
                // behind half the company's lots would make a poor test).
                let mut cands: Vec<usize> = family_inputs(fam)
                    .into_iter()
                    .flat_map(|s| w.skus[s].suppliers.iter().copied())
                    .filter(|s| w.suppliers[*s].level != Level::Bad)
                    .collect();
                cands.sort_unstable();
                cands.dedup();
                if cands.is_empty() {
                    continue;
                }
                let sup = *rng.pick(&cands);
                let s = &mut w.suppliers[sup];
                s.level = Level::Bad;
                s.fail_rate = Level::Bad.fail_rate() * rng.uniform(0.8, 1.2);
                let target = Target::Supplier {
                    supplier: sup,
                    defect_rate: rng.uniform(0.08, 0.2),
                };
                (target, rng.uniform(0.1, 0.5))
            }
        };
        out.push(Fault {
            id: format!("fault-{}", i + 1),
            kind,
            severity,
            target,
            source_lots: 0,
            sold_lots: 0,
            returns: 0,
        });
    }
    out
}

/// Every supplied SKU a family draws at its plant.
fn family_inputs(fam: &super::world::Family) -> Vec<usize> {
    let mut skus: Vec<usize> = fam.base_recipe.iter().map(|r| r.0).collect();
    if let Some(p) = &fam.premix {
        skus.extend(p.recipe.iter().map(|r| r.0));
    }
    skus.extend(fam.minors.iter().map(|m| m.0));
    skus.extend(fam.packaging.iter().copied());
    skus
}

impl<'w> Sim<'w> {
    fn new(
        w: &'w World,
        cfg: &Config,
        rng: Rng,
        mut faults: Vec<Fault>,
    ) -> anyhow::Result<Sim<'w>> {
        let dir = &cfg.out;
        let (f, cal) = (cfg.format, w.cal);
        let first_dc = w.plants.iter().map(|p| p.dcs[0]).min().unwrap_or(0);
        let n_dc = w.sites.len() - first_dc;
        let mut sources = Vec::new();
        let mut line_faults = vec![Vec::new(); w.lines.len()];
        let mut bad = vec![None; w.suppliers.len()];
        for (i, fault) in faults.iter_mut().enumerate() {
            match &mut fault.target {
                Target::Line {
                    line,
                    from,
                    to,
                    src,
                    ..
                } => {
                    sources.push(Source {
                        fault: i,
                        lot: None,
                    });
                    *src = sources.len() as u32;
                    line_faults[*line].push((*from, *to, *src));
                }
                Target::Supplier { supplier, .. } => bad[*supplier] = Some(i),
                Target::SupplierLot { .. } => {}
            }
        }
        let truth_tmp = dir.join(".truth-returns.tmp");
        let truth_returns = BufWriter::new(
            File::create(&truth_tmp)
                .with_context(|| format!("cannot create {}", truth_tmp.display()))?,
        );
        Ok(Sim {
            w,
            rng,
            ids: Ids::new(cal, w.scale.days, cfg.lots),
            end: w.scale.days - 1,
            target_lots: cfg.lots,
            progress: cfg.progress,
            lots: Table::create(dir, "lots", LOTS, f, cal)?,
            cons: Table::create(dir, "consumptions", CONSUMPTIONS, f, cal)?,
            ships: Table::create(dir, "shipments", SHIPMENTS, f, cal)?,
            rets: Table::create(dir, "returns", RETURNS, f, cal)?,
            insps: Table::create(dir, "inspections", INSPECTIONS, f, cal)?,
            truth_tmp,
            truth_returns,
            n_lots: 0,
            n_returns: 0,
            n_inspections: 0,
            plant_pool: vec![None; w.plants.len() * w.supplied],
            dc_pool: vec![None; n_dc * w.supplied],
            first_dc,
            fam: (0..w.families.len()).map(|_| FamState::default()).collect(),
            faults,
            sources,
            bad,
            line_faults,
            started: Instant::now(),
            next_report: cfg.lots / 10,
        })
    }

    fn simulate(&mut self) -> anyhow::Result<()> {
        let days = self.w.scale.days as u64;
        let budget = self.target_lots - RESERVE;
        let families = self.w.families.len();
        let mut cursor = 0usize;
        for day in 0..days {
            let target = budget * (day + 1) / days;
            while self.n_lots < target {
                self.finished_batch(cursor % families, day as i32)?;
                cursor += 1;
                self.report(day as i32);
            }
        }
        // Exactly the number asked for: the rest arrives as stock on the
        // last day (received, not yet used).
        while self.n_lots < self.target_lots {
            self.stock_receipt()?;
        }
        if self.n_lots != self.target_lots {
            anyhow::bail!(
                "internal error: generated {} lots instead of {}",
                self.n_lots,
                self.target_lots
            );
        }
        Ok(())
    }

    fn report(&mut self, day: i32) {
        if self.n_lots < self.next_report {
            return;
        }
        let step = (self.target_lots / 10).max(1);
        self.next_report = (self.n_lots / step + 1) * step;
        if self.progress {
            eprintln!(
                "lotgraph generate: {:>3}% ({} of {} lots, day {} of {}, {:.1} s)",
                self.n_lots * 100 / self.target_lots,
                self.n_lots,
                self.target_lots,
                day + 1,
                self.end + 1,
                self.started.elapsed().as_secs_f64()
            );
        }
    }

    fn alloc(&mut self, kind: Kind, whole: bool, day: i32) -> LotRef {
        let r = LotRef {
            kind,
            whole,
            day,
            serial: self.n_lots as u32,
        };
        self.n_lots += 1;
        r
    }

    fn slot(&mut self, at: Pool) -> &mut Option<Open> {
        let n = self.w.supplied;
        match at {
            Pool::Plant { plant, sku } => &mut self.plant_pool[plant * n + sku],
            Pool::Dc { dc, sku } => &mut self.dc_pool[dc * n + sku],
            Pool::Base(f) => &mut self.fam[f].base,
            Pool::Premix(f) => &mut self.fam[f].premix,
        }
    }

    /// Takes `need` (tenths) from the pool into `inputs`, opening new lots
    /// (receiving or making them) as the open one runs out.
    fn draw(
        &mut self,
        at: Pool,
        need: u64,
        day: i32,
        inputs: &mut Vec<Input>,
    ) -> anyhow::Result<()> {
        let mut need = need;
        while need > 0 {
            if let Some(o) = self.slot(at) {
                let q = o.left.min(need);
                o.left -= q;
                need -= q;
                inputs.push(Input {
                    lot: o.lot,
                    qty: q,
                    taint: o.taint,
                });
                if o.left == 0 {
                    *self.slot(at) = None;
                }
                continue;
            }
            let fresh = match at {
                Pool::Plant { plant, sku } => self.receive(Some(plant), None, sku, day, need)?,
                Pool::Dc { dc, sku } => self.receive(None, Some(dc), sku, day, need)?,
                Pool::Base(f) => self.make_base(f, day, need)?,
                Pool::Premix(f) => self.make_premix(f, day, need)?,
            };
            *self.slot(at) = Some(fresh);
        }
        Ok(())
    }

    /// Receives a supplier lot of `sku` for a plant or a distribution
    /// centre, at least `need` large. A lot failing incoming inspection is
    /// quarantined and replaced by a second one, released on the
    /// supplier's certificate without inspection.
    fn receive(
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
            self.write_lot(&LotRow {
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
                self.write_inspection(lot, recv, failed)?;
            }
            if failed {
                attempt += 1;
                continue;
            }
            if let (true, Some(p)) = (via_warehouse, plant) {
                let to = w.plants[p].site;
                self.write_shipment(lot, qty, site, ShipTo::Site(to), recv + 1, recv + 2)?;
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

    /// The planted supplier-lot fault due at this receipt, if any.
    fn planted_lot_fault(&self, plant: usize, sku: usize, day: i32) -> Option<usize> {
        self.faults.iter().position(|f| {
            matches!(f.target, Target::SupplierLot { plant: p, sku: s, from, planted: None }
                if p == plant && s == sku && day >= from)
        })
    }

    /// Taint of a lot made from `inputs` on `line` on `day`.
    fn combine(&mut self, inputs: &[Input], line: Option<usize>, day: i32) -> Taint {
        if let Some(l) = line {
            for &(from, to, src) in &self.line_faults[l] {
                if (from..=to).contains(&day) {
                    let f = self.sources[src as usize - 1].fault;
                    self.faults[f].source_lots += 1;
                    return Taint { src, share: 1.0 };
                }
            }
        }
        let total: u64 = inputs.iter().map(|i| i.qty).sum();
        let mut parts: Vec<(u32, f64)> = Vec::new();
        for i in inputs.iter().filter(|i| i.taint.src != 0) {
            let c = i.qty as f64 * f64::from(i.taint.share);
            match parts.iter_mut().find(|p| p.0 == i.taint.src) {
                Some(p) => p.1 += c,
                None => parts.push((i.taint.src, c)),
            }
        }
        let mut best = Taint::default();
        let mut best_c = 0.0;
        for (src, c) in parts {
            if c > best_c {
                best_c = c;
                best = Taint {
                    src,
                    share: (c / total as f64) as f32,
                };
            }
        }
        best
    }

    fn make_premix(&mut self, f: usize, day: i32, need: u64) -> anyhow::Result<Open> {
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
        self.write_lot(&LotRow {
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
    fn make_base(&mut self, f: usize, day: i32, need: u64) -> anyhow::Result<Open> {
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
            self.write_lot(&LotRow {
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
                self.write_inspection(lot, day, failed)?;
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

    /// Severity of the fault behind a taint, 0 when clean.
    fn fault_severity(&self, t: Taint) -> f64 {
        if t.src == 0 {
            0.0
        } else {
            self.faults[self.sources[t.src as usize - 1].fault].severity
        }
    }

    /// One finished batch of family `f`, then its distribution.
    fn finished_batch(&mut self, f: usize, day: i32) -> anyhow::Result<()> {
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
        self.write_lot(&LotRow {
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
            self.write_inspection(lot, day, failed)?;
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
    fn distribute(
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
            self.write_shipment(
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

    fn count_sold(&mut self, t: Taint) {
        if t.src != 0 {
            let f = self.sources[t.src as usize - 1].fault;
            self.faults[f].sold_lots += 1;
        }
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
            self.write_shipment(
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
        self.write_lot(&LotRow {
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
        if t.src != 0 {
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

    /// One supplier lot received on the last day and not used yet.
    fn stock_receipt(&mut self) -> anyhow::Result<()> {
        let w = self.w;
        let p = self.rng.index(w.plants.len());
        let sku = self.rng.index(w.supplied);
        let s = &w.skus[sku];
        let sup = w.preferred_supplier(p, sku);
        let lot = self.alloc(Kind::Supplied, s.whole(), self.end);
        let code = self.rng.below(10_000);
        let inspected = self.rng.chance(0.6);
        let failed = inspected && self.rng.chance(w.suppliers[sup].fail_rate);
        self.write_lot(&LotRow {
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
            self.write_inspection(lot, self.end, failed)?;
        }
        Ok(())
    }

    // ---- rows ----

    fn write_lot(&mut self, r: &LotRow) -> anyhow::Result<()> {
        let w = self.w;
        let ids = &self.ids;
        let t = &mut self.lots;
        let sku = &w.skus[r.sku];
        t.text_with(|b| ids.lot(b, r.lot));
        t.text(&sku.code);
        t.text(if r.lot.kind == Kind::Supplied {
            "supplied"
        } else {
            "produced"
        });
        match r.supplier {
            Some((s, code)) => {
                let sup = &w.suppliers[s];
                t.text(&sup.id);
                let day = r.received.unwrap_or(r.lot.day) - 3;
                t.text_with(|b| {
                    b.extend_from_slice(sup.country.as_bytes());
                    b.extend_from_slice(&ids.day(day));
                    b.push(b'-');
                    push_padded(b, code, 4);
                });
            }
            None => {
                t.null();
                t.null();
            }
        }
        t.text(&w.sites[r.site].id);
        match r.line {
            Some(l) => t.text(&w.lines[l]),
            None => t.null(),
        }
        t.opt_date(r.produced);
        t.opt_date(r.received);
        t.opt_date(r.expires);
        qty(t, r.qty, r.lot.whole);
        match r.cost {
            Some(c) => t.num(c, 3),
            None => t.null(),
        }
        t.text(r.status);
        t.end()
    }

    fn write_inputs(&mut self, out: LotRef, inputs: &[Input], day: i32) -> anyhow::Result<()> {
        let ids = &self.ids;
        let t = &mut self.cons;
        for i in inputs {
            t.text_with(|b| ids.lot(b, i.lot));
            t.text_with(|b| ids.lot(b, out));
            qty(t, i.qty, i.lot.whole);
            t.date(day);
            t.end()?;
        }
        Ok(())
    }

    /// A shipment; in transit (no delivery date) when `delivered` is after
    /// the last day.
    fn write_shipment(
        &mut self,
        lot: LotRef,
        q: u64,
        from: usize,
        to: ShipTo,
        shipped: i32,
        delivered: i32,
    ) -> anyhow::Result<()> {
        let w = self.w;
        let ids = &self.ids;
        let t = &mut self.ships;
        let from_id = &w.sites[from].id;
        t.text_with(|b| {
            match to {
                ShipTo::Site(s) => {
                    b.extend_from_slice(b"TR-");
                    b.extend_from_slice(from_id.as_bytes());
                    b.push(b'-');
                    b.extend_from_slice(w.sites[s].id.as_bytes());
                }
                ShipTo::Customer(c) => {
                    b.extend_from_slice(b"SO-");
                    b.extend_from_slice(from_id.as_bytes());
                    b.push(b'-');
                    b.extend_from_slice(w.customers[c].id.as_bytes());
                }
            }
            b.push(b'-');
            b.extend_from_slice(&ids.day(shipped));
        });
        t.text_with(|b| ids.lot(b, lot));
        qty(t, q, lot.whole);
        t.text(from_id);
        match to {
            ShipTo::Site(s) => {
                t.text(&w.sites[s].id);
                t.null();
            }
            ShipTo::Customer(c) => {
                t.null();
                t.text(&w.customers[c].id);
            }
        }
        t.date(shipped);
        if delivered <= self.end {
            t.date(delivered);
            t.text("delivered");
        } else {
            t.null();
            t.text("in_transit");
        }
        t.end()
    }

    fn write_inspection(&mut self, lot: LotRef, day: i32, failed: bool) -> anyhow::Result<()> {
        self.n_inspections += 1;
        let n = self.n_inspections;
        let defect = failed.then(|| *self.rng.pick(names::DEFECTS));
        let ids = &self.ids;
        let t = &mut self.insps;
        t.text_with(|b| {
            b.extend_from_slice(b"QI-");
            push_padded(b, n, 7);
        });
        t.text_with(|b| ids.lot(b, lot));
        t.date(day);
        t.text(if failed { "fail" } else { "pass" });
        match defect {
            Some(d) => t.text(d),
            None => t.null(),
        }
        t.end()
    }

    #[allow(clippy::too_many_arguments)]
    fn write_return(
        &mut self,
        lot: LotRef,
        cust: usize,
        q: u64,
        reason: &str,
        category: &str,
        day: i32,
        src: Option<u32>,
    ) -> anyhow::Result<()> {
        self.n_returns += 1;
        let n = self.n_returns;
        let w = self.w;
        let ids = &self.ids;
        let t = &mut self.rets;
        t.text_with(|b| {
            b.extend_from_slice(b"RT-");
            push_padded(b, n, 7);
        });
        t.text_with(|b| ids.lot(b, lot));
        t.text(&w.customers[cust].id);
        t.num(q, 0);
        t.text(reason);
        t.text(category);
        t.date(day);
        t.end()?;
        // truth.json's line for this return.
        let mut line = Vec::with_capacity(96);
        line.extend_from_slice(b"    {\"return_id\": \"RT-");
        push_padded(&mut line, n, 7);
        line.extend_from_slice(b"\", \"lot_id\": \"");
        ids.lot(&mut line, lot);
        line.push(b'"');
        match src {
            Some(s) => {
                let source = &self.sources[s as usize - 1];
                let fault = &mut self.faults[source.fault];
                fault.returns += 1;
                line.extend_from_slice(b", \"cause\": \"");
                line.extend_from_slice(fault.id.as_bytes());
                line.extend_from_slice(b"\", \"kind\": \"");
                line.extend_from_slice(fault.kind.name().as_bytes());
                line.extend_from_slice(b"\", \"source\": \"");
                match (&source.lot, &fault.target) {
                    (Some(d), _) => ids.lot(&mut line, d.lot),
                    (None, Target::Line { line: l, .. }) => {
                        line.extend_from_slice(w.lines[*l].as_bytes())
                    }
                    (None, _) => {}
                }
                line.extend_from_slice(b"\"}");
            }
            None => line.extend_from_slice(b", \"cause\": null}"),
        }
        self.truth_returns
            .write_all(&line)
            .and_then(|_| self.truth_returns.write_all(b"\n"))
            .with_context(|| format!("cannot write {}", self.truth_tmp.display()))
    }

    // ---- the end ----

    fn finish(self, masters: Vec<(String, u64)>) -> anyhow::Result<Summary> {
        let Sim {
            w,
            ids,
            end,
            lots,
            cons,
            ships,
            rets,
            insps,
            truth_tmp,
            truth_returns,
            faults,
            sources,
            ..
        } = self;
        let dir = lots
            .path()
            .parent()
            .map(|p| p.to_path_buf())
            .unwrap_or_default();
        let mut files = masters;
        for (name, t) in [
            ("lots", lots),
            ("consumptions", cons),
            ("shipments", ships),
            ("returns", rets),
            ("inspections", insps),
        ] {
            files.push((name.to_string(), t.finish()?));
        }
        truth_returns
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|mut f| f.flush())
            .with_context(|| format!("cannot write {}", truth_tmp.display()))?;
        let date = |d: i32| w.cal.date_string(d);
        let round3 = |x: f64| (x * 1000.0).round() / 1000.0;
        let mut summary_faults = Vec::new();
        let fault_json: Vec<Value> = faults
            .iter()
            .map(|f| {
                let common = |source: Value, planted: bool| {
                    json!({
                        "id": f.id,
                        "kind": f.kind.name(),
                        "source": source,
                        "planted": planted,
                        "severity": round3(f.severity),
                        "source_lots": f.source_lots,
                        "sold_lots": f.sold_lots,
                        "returns": f.returns,
                    })
                };
                let (v, source, planted) = match &f.target {
                    Target::SupplierLot {
                        plant,
                        sku,
                        from,
                        planted,
                    } => {
                        let d = planted.and_then(|s| sources[s].lot.as_ref());
                        let source = d.map(|d| ids.lot_string(d.lot));
                        let mut v = common(json!(source), d.is_some());
                        v["sku"] = json!(w.skus[*sku].code);
                        v["plant"] = json!(w.sites[w.plants[*plant].site].id);
                        v["planted_from"] = json!(date(*from));
                        if let Some(d) = d {
                            v["supplier_id"] = json!(w.suppliers[d.supplier].id);
                            v["site_id"] = json!(w.sites[d.site].id);
                            v["received_on"] = json!(date(d.lot.day));
                        }
                        (v, source.unwrap_or_default(), d.is_some())
                    }
                    Target::Line {
                        line,
                        plant,
                        from,
                        to,
                        ..
                    } => {
                        let planted = f.source_lots > 0;
                        let mut v = common(json!(w.lines[*line]), planted);
                        v["site_id"] = json!(w.sites[w.plants[*plant].site].id);
                        v["from"] = json!(date(*from));
                        v["to"] = json!(date(*to));
                        (v, w.lines[*line].clone(), planted)
                    }
                    Target::Supplier {
                        supplier,
                        defect_rate,
                    } => {
                        let s = &w.suppliers[*supplier];
                        let planted = f.source_lots > 0;
                        let mut v = common(json!(s.id), planted);
                        v["defect_rate"] = json!(round3(*defect_rate));
                        v["inspection_fail_rate"] = json!(round3(s.fail_rate));
                        (v, s.id.clone(), planted)
                    }
                };
                summary_faults.push((f.id.clone(), f.kind, source, planted));
                v
            })
            .collect();
        let defective_lots: Vec<Value> = sources
            .iter()
            .filter_map(|s| {
                let d = s.lot.as_ref()?;
                Some(json!({
                    "lot_id": ids.lot_string(d.lot),
                    "supplier_id": w.suppliers[d.supplier].id,
                    "sku": w.skus[d.sku].code,
                    "site_id": w.sites[d.site].id,
                    "received_on": date(d.lot.day),
                    "fault": faults[s.fault].id,
                }))
            })
            .collect();
        let lines: Vec<Value> = faults
            .iter()
            .filter_map(|f| match &f.target {
                Target::Line {
                    line,
                    plant,
                    from,
                    to,
                    ..
                } => Some(json!({
                    "line": w.lines[*line],
                    "site_id": w.sites[w.plants[*plant].site].id,
                    "from": date(*from),
                    "to": date(*to),
                    "fault": f.id,
                })),
                _ => None,
            })
            .collect();
        let bad: Vec<&str> = faults
            .iter()
            .filter_map(|f| match f.target {
                Target::Supplier { supplier, .. } => Some(w.suppliers[supplier].id.as_str()),
                _ => None,
            })
            .collect();
        let suppliers: Vec<Value> = w
            .suppliers
            .iter()
            .map(|s| {
                json!({
                    "supplier_id": s.id,
                    "level": s.level.name(),
                    "inspection_fail_rate": round3(s.fail_rate),
                })
            })
            .collect();
        let n_dc = w
            .sites
            .iter()
            .filter(|s| s.kind == super::world::SiteKind::Dc)
            .count();
        let head = json!({
            "generator": "lotgraph generate",
            "truth_version": 1,
            "start": date(0),
            "end": date(end),
            "days": end + 1,
            "network": {
                "plants": w.plants.len(),
                "warehouses": w.scale.regions,
                "distribution_centres": n_dc,
                "regions": w.scale.regions,
                "product_families": w.families.len(),
                "lines": w.lines.len(),
                "skus": w.skus.len(),
                "suppliers": w.suppliers.len(),
                "customers": w.customers.len(),
            },
            "model": {
                "background_return_rate_per_sale": BACKGROUND_RATE,
                "background_multiplier_range": [0.5, 2.0],
                "fault_return_probability_per_sale": "severity * clamp(share / full_dose_share, min_dose, 1)",
                "full_dose_share": FULL_DOSE_SHARE,
                "min_dose": MIN_DOSE,
            },
            "faults": fault_json,
            "defective_supplier_lots": defective_lots,
            "defective_lines": lines,
            "bad_suppliers": bad,
            "suppliers": suppliers,
        });
        let truth = dir.join("truth.json");
        write_truth(&truth, &head, &truth_tmp)?;
        std::fs::remove_file(&truth_tmp)
            .with_context(|| format!("cannot remove {}", truth_tmp.display()))?;
        Ok(Summary {
            files,
            days: end + 1,
            end: date(end),
            faults: summary_faults,
            truth,
        })
    }
}

/// A quantity in tenths: whole units for `ea`, one decimal otherwise.
fn qty(t: &mut Table, q: u64, whole: bool) {
    if whole {
        t.num(q / 10, 0);
    } else {
        t.num(q, 1);
    }
}

/// truth.json: `head` plus a `returns` array copied line by line from the
/// temporary file (one return per line, so the file stays greppable).
fn write_truth(
    path: &std::path::Path,
    head: &Value,
    returns: &std::path::Path,
) -> anyhow::Result<()> {
    let err = || format!("cannot write {}", path.display());
    let mut out = BufWriter::new(File::create(path).with_context(err)?);
    let text = serde_json::to_string_pretty(head)?;
    let body = text
        .trim_end()
        .strip_suffix('}')
        .unwrap_or(&text)
        .trim_end();
    out.write_all(body.as_bytes()).with_context(err)?;
    out.write_all(b",\n  \"returns\": [").with_context(err)?;
    let src = BufReader::new(
        File::open(returns).with_context(|| format!("cannot read {}", returns.display()))?,
    );
    let mut first = true;
    for line in src.lines() {
        let line = line.with_context(|| format!("cannot read {}", returns.display()))?;
        out.write_all(if first { b"\n" } else { b",\n" })
            .with_context(err)?;
        out.write_all(line.as_bytes()).with_context(err)?;
        first = false;
    }
    out.write_all(if first { b"]\n}\n" } else { b"\n  ]\n}\n" })
        .with_context(err)?;
    out.flush().with_context(err)
}
