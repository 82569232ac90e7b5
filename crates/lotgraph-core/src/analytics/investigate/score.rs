//! Scoring on per-SKU baselines (steps 1, 2 and 4 of the module doc): the
//! shrunk complaint-lot rate of each SKU, the outbreak lots left out of the
//! robust rates, the Poisson score of every candidate on those rates, and
//! suppliers scored by Fisher's combination over their lots.

use super::PRIOR_LOTS;
use super::par::{next_epoch, par_map};
use super::walks::{NONE, Walks};
use super::{OUTBREAK_ALPHA, Source};
use crate::analytics::stats::{ln_chi2_upper_tail, ln_poisson_upper_tail};
use crate::graph::{Direction, Genealogy, Tracer};
use crate::model::{Dataset, LotIx};

/// Per-SKU complaint-lot rates.
pub(super) struct Rates {
    /// Complaint-lot rate of each SKU, shrunk toward the pooled rate.
    pub(super) by_sku: Vec<f64>,
}

impl Rates {
    /// The rates over the population lots not `excluded`; `None` when no
    /// population lot is left.
    pub(super) fn new(
        w: &Walks,
        sku_of: &[u32],
        n_skus: usize,
        excluded: &[bool],
    ) -> Option<Rates> {
        let mut n = vec![0u64; n_skus];
        let mut c = vec![0u64; n_skus];
        let (mut big_n, mut big_c) = (0u64, 0u64);
        for (l, sku) in sku_of.iter().enumerate() {
            if !w.in_pop[l] || excluded.get(l).copied().unwrap_or(false) {
                continue;
            }
            let s = *sku as usize;
            n[s] += 1;
            big_n += 1;
            if w.is_complaint[l] {
                c[s] += 1;
                big_c += 1;
            }
        }
        if big_n == 0 {
            return None;
        }
        let pooled = (big_c as f64 + 1.0) / (big_n as f64 + 2.0);
        let by_sku = n
            .iter()
            .zip(&c)
            .map(|(n, c)| (*c as f64 + PRIOR_LOTS * pooled) / (*n as f64 + PRIOR_LOTS))
            .collect();
        Some(Rates { by_sku })
    }

    /// Expected complaint lots among reached lots counted by SKU.
    pub(super) fn expected(&self, skus: &[(u32, u32)]) -> f64 {
        skus.iter()
            .map(|(s, n)| f64::from(*n) * self.by_sku[*s as usize])
            .sum()
    }
}

/// Step 2: the lot candidates significant on their own under the `first`
/// rates (Bonferroni over the lot candidates `lots`).
pub(super) fn outbreaks(w: &Walks, lots: &[usize], first: &Rates) -> Vec<LotIx> {
    let cut = (OUTBREAK_ALPHA / lots.len().max(1) as f64).ln();
    lots.iter()
        .filter_map(|i| {
            let r = &w.reached[*i];
            let ln_p = ln_poisson_upper_tail(r.hits.len() as u64, first.expected(&r.skus));
            match w.sources[*i] {
                Source::Lot(l) if ln_p < cut => Some(l),
                _ => None,
            }
        })
        .collect()
}

/// Every lot downstream of `outbreaks` (themselves included) as a flag per
/// lot, and the lots visited finding them.
pub(super) fn downstream_of(g: &Genealogy, n_lots: usize, outbreaks: &[LotIx]) -> (Vec<bool>, u64) {
    let mut excluded = vec![false; n_lots];
    let mut work = 0u64;
    Tracer::new(g).reach(outbreaks, Direction::Downstream, |l| {
        work += 1;
        excluded[l.ix()] = true;
    });
    (excluded, work)
}

/// The expected complaint lots and ln p of every active source on `rates`,
/// indexed by source (0 for the inactive ones).
pub(super) fn robust_scores(w: &Walks, active: &[usize], rates: &Rates) -> (Vec<f64>, Vec<f64>) {
    let n_src = w.sources.len();
    let mut ln_p_of = vec![0.0f64; n_src];
    let mut expected_of = vec![0.0f64; n_src];
    for &i in active {
        let r = &w.reached[i];
        expected_of[i] = rates.expected(&r.skus);
        ln_p_of[i] = ln_poisson_upper_tail(r.hits.len() as u64, expected_of[i]);
    }
    (ln_p_of, expected_of)
}

/// Step 4: replaces the ln p of each of `suppliers` in `ln_p_of` by
/// Fisher's combination over its lots (most significant first, each on the
/// population lots its better lots left unclaimed); returns the lots
/// visited.
pub(super) fn suppliers_by_their_lots(
    ds: &Dataset,
    g: &Genealogy,
    w: &Walks,
    lots: &[usize],
    suppliers: &[usize],
    lot_rate: &[f64],
    ln_p_of: &mut [f64],
) -> u64 {
    let mut lot_no = vec![NONE; ds.lots.len()];
    for &i in lots {
        if let Source::Lot(l) = w.sources[i] {
            lot_no[l.ix()] = i as u32;
        }
    }
    let lot_ln_p: &[f64] = ln_p_of;
    let fisher = par_map(
        suppliers,
        4,
        || (Tracer::new(g), vec![0u32; ds.lots.len()], 0u32),
        |(tracer, claimed, epoch): &mut (Tracer, Vec<u32>, u32), &i| {
            let members = &w.members[i];
            let mut scored: Vec<(f64, LotIx)> = members
                .iter()
                .filter(|l| lot_no[l.ix()] != NONE)
                .map(|l| (lot_ln_p[lot_no[l.ix()] as usize], *l))
                .collect();
            scored.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            next_epoch(epoch, claimed);
            let e = *epoch;
            let (mut x, mut best, mut informative) = (0.0, 0.0f64, 0);
            let mut visited = 0u64;
            for (_, l) in scored {
                let (mut k, mut exp) = (0u64, 0.0f64);
                tracer.reach(&[l], Direction::Downstream, |r| {
                    visited += 1;
                    if w.in_pop[r.ix()] && claimed[r.ix()] != e {
                        claimed[r.ix()] = e;
                        k += u64::from(w.is_complaint[r.ix()]);
                        exp += lot_rate[r.ix()];
                    }
                });
                let ln_p = ln_poisson_upper_tail(k, exp);
                if ln_p < 0.0 {
                    informative += 1;
                    best = best.min(ln_p);
                }
                x -= 2.0 * ln_p;
            }
            let ln_p = ln_chi2_upper_tail(x, 2.0 * members.len() as f64);
            // With one informative lot, Fisher's p is at least that
            // lot's (exactly, for a supplier of one lot): keep rounding
            // from ranking the supplier above its own lot.
            let ln_p = if informative <= 1 {
                ln_p.max(best)
            } else {
                ln_p
            };
            (ln_p, visited)
        },
    );
    let mut work = 0u64;
    for (i, (ln_p, visited)) in suppliers.iter().zip(fisher) {
        ln_p_of[*i] = ln_p;
        work += visited;
    }
    work
}
