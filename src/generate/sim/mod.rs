//! The day-by-day simulation behind `lotgraph generate`: its state (open
//! inventory, planted sources) and the day loop; making lots is in `make`,
//! distributing and selling them in `sales`.
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
//! state is open inventory: a handful of integers per open lot. How planted
//! faults travel with the lots is described in `faults`.

mod make;
mod sales;

use super::faults::{Fault, Source, Taint, Target, plan_faults};
use super::ids::{Ids, Kind, LotRef};
use super::names;
use super::rng::Rng;
use super::rows::Rows;
use super::sink::{Calendar, days_from_civil};
use super::truth::{self, Outcome, ReturnLog};
use super::world::{Scale, World};
use super::{Config, Summary};
use std::collections::VecDeque;
use std::time::Instant;

/// Lots held back from production for the last day's stock receipts, so
/// the total is exactly the number asked for: one finished batch creates
/// at most 1 finished + 2 base (one held for rework) each with a premix,
/// the supplier lots they draw (at most two per ingredient, one failing
/// inspection) and a multipack with its film: well under 64.
const RESERVE: u64 = 64;

/// Start of the simulated period.
const START: (i64, u32, u32) = (2023, 1, 2);

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

/// A family's open intermediates.
#[derive(Default)]
struct FamState {
    base: Option<Open>,
    premix: Option<Open>,
    /// Held lots waiting to be reworked, with grams per unit (0 for kg).
    rework: VecDeque<(Open, u64)>,
}

struct Sim<'w> {
    w: &'w World,
    rng: Rng,
    rows: Rows<'w>,
    /// Last simulated day: the data are "as of" its evening.
    end: i32,
    target_lots: u64,
    progress: bool,
    truth: ReturnLog,
    n_lots: u64,
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
pub(super) fn run(cfg: &Config) -> anyhow::Result<Summary> {
    let scale = Scale::for_lots(cfg.lots);
    let cal = Calendar {
        start_epoch: days_from_civil(START.0, START.1, START.2) as i32,
    };
    let mut rng = Rng::new(cfg.seed);
    let mut world = World::build(scale, cfg.seed, cal, &mut rng);
    let faults = plan_faults(&mut world, cfg, &mut rng);
    let masters = super::masters::write(&world, &cfg.out, cfg.format)?;
    let mut sim = Sim::new(&world, cfg, rng, faults)?;
    sim.simulate()?;
    sim.finish(masters)
}

impl<'w> Sim<'w> {
    fn new(
        w: &'w World,
        cfg: &Config,
        rng: Rng,
        mut faults: Vec<Fault>,
    ) -> anyhow::Result<Sim<'w>> {
        let dir = &cfg.out;
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
        let end = w.scale.days - 1;
        let ids = Ids::new(w.cal, w.scale.days, cfg.lots);
        let truth = ReturnLog::create(dir)?;
        let rows = Rows::create(w, ids, end, dir, cfg.format, w.cal)?;
        Ok(Sim {
            w,
            rng,
            rows,
            end,
            target_lots: cfg.lots,
            progress: cfg.progress,
            truth,
            n_lots: 0,
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
        for i in inputs.iter().filter(|i| i.taint.is_tainted()) {
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

    /// Severity of the fault behind a taint, 0 when clean.
    fn fault_severity(&self, t: Taint) -> f64 {
        if t.is_tainted() {
            self.faults[self.sources[t.src as usize - 1].fault].severity
        } else {
            0.0
        }
    }

    /// Counts a sold lot against the fault it carries, if any.
    fn count_sold(&mut self, t: Taint) {
        if t.is_tainted() {
            let f = self.sources[t.src as usize - 1].fault;
            self.faults[f].sold_lots += 1;
        }
    }

    // ---- rows ----

    fn write_inputs(&mut self, out: LotRef, inputs: &[Input], day: i32) -> anyhow::Result<()> {
        for i in inputs {
            self.rows.consumption(i.lot, i.qty, out, day)?;
        }
        Ok(())
    }

    /// An inspection of `lot`, with a defect drawn when it failed.
    fn inspect(&mut self, lot: LotRef, day: i32, failed: bool) -> anyhow::Result<()> {
        let defect = failed.then(|| *self.rng.pick(names::DEFECTS));
        self.rows.inspection(lot, day, failed, defect)
    }

    /// A return, and its line in truth.json: caused by source `src`, or
    /// background noise.
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
        let n = self.rows.ret(lot, cust, q, reason, category, day)?;
        let cause = match src {
            Some(s) => {
                let source = &self.sources[s as usize - 1];
                let fault = &mut self.faults[source.fault];
                fault.returns += 1;
                Some((&*fault, source))
            }
            None => None,
        };
        self.truth.push(self.w, self.rows.ids(), n, lot, cause)
    }

    // ---- the end ----

    fn finish(self, masters: Vec<(String, u64)>) -> anyhow::Result<Summary> {
        let Sim {
            w,
            rows,
            end,
            truth,
            faults,
            sources,
            ..
        } = self;
        let dir = rows.dir();
        let mut files = masters;
        let (records, ids) = rows.finish()?;
        files.extend(records);
        let outcome = Outcome {
            w,
            ids: &ids,
            end,
            faults: &faults,
            sources: &sources,
        };
        let (truth, faults) = truth::write(&dir, &outcome, truth)?;
        Ok(Summary {
            files,
            days: end + 1,
            end: w.cal.date_string(end),
            faults,
            truth,
        })
    }
}
