//! What `lotgraph generate` plants and how it spreads: the faults chosen
//! before the simulation starts (a defective supplier lot, a line out of
//! specification, a bad supplier), the sources they put into the network,
//! the taint a lot carries from them, and the return model's constants.
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

use super::ids::LotRef;
use super::rng::Rng;
use super::world::{Family, Level, World};
use super::{Config, Planted};

/// Background returns per customer shipment, before the family's
/// multiplier (0.5-2).
pub(super) const BACKGROUND_RATE: f64 = 0.02;
/// Planted-fault share at which a lot gets the full dose.
pub(super) const FULL_DOSE_SHARE: f64 = 0.02;
/// Dose of a lot with only a trace of a planted fault.
pub(super) const MIN_DOSE: f64 = 0.25;

/// A planted source carried by a lot: `src` indexes the simulation's
/// sources plus one (0 = clean); `share` is the source's share in the lot.
#[derive(Copy, Clone, Debug, Default)]
pub(super) struct Taint {
    pub src: u32,
    pub share: f32,
}

impl Taint {
    /// Does the lot carry a planted fault?
    pub(super) fn is_tainted(self) -> bool {
        self.src != 0
    }
}

/// Where a fault is planted.
pub(super) enum Target {
    /// The first lot of `sku` received at `plant` from day `from` on is
    /// defective; `planted` is its source once received.
    SupplierLot {
        plant: usize,
        sku: usize,
        from: i32,
        planted: Option<usize>,
    },
    /// Every lot made on `line` (at `plant`) from day `from` to `to`
    /// carries source `src`.
    Line {
        line: usize,
        plant: usize,
        from: i32,
        to: i32,
        src: u32,
    },
    /// A bad supplier: a share `defect_rate` of its lots is defective.
    Supplier { supplier: usize, defect_rate: f64 },
}

/// One planted fault and what became of it.
pub(super) struct Fault {
    pub id: String,
    pub kind: Planted,
    /// Fault-return probability per sale at full dose.
    pub severity: f64,
    pub target: Target,
    /// Lots carrying it at their source (the defective supplier lots, the
    /// lots made on the line in the window).
    pub source_lots: u64,
    /// Finished lots and multipacks carrying it that were sold.
    pub sold_lots: u64,
    pub returns: u64,
}

/// A defective supplier lot (or a line window when `lot` is `None`).
pub(super) struct Source {
    pub fault: usize,
    pub lot: Option<DefLot>,
}

/// A defective supplier lot as received.
pub(super) struct DefLot {
    pub lot: LotRef,
    pub supplier: usize,
    pub sku: usize,
    pub site: usize,
}

/// Chooses what to plant (and makes planted bad suppliers bad).
pub(super) fn plan_faults(w: &mut World, cfg: &Config, rng: &mut Rng) -> Vec<Fault> {
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
fn family_inputs(fam: &Family) -> Vec<usize> {
    let mut skus: Vec<usize> = fam.base_recipe.iter().map(|r| r.0).collect();
    if let Some(p) = &fam.premix {
        skus.extend(p.recipe.iter().map(|r| r.0));
    }
    skus.extend(fam.minors.iter().map(|m| m.0));
    skus.extend(fam.packaging.iter().copied());
    skus
}
