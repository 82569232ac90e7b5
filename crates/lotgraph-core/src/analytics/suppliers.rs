//! Supplier quality scorecards: inspection results of each supplier's lots
//! plus the customer returns of everything made from them, attributed back
//! through the genealogy by share (docs/record-format.md: ingredients by
//! mass, packaging by coverage), with empirical-Bayes shrinkage so that a
//! supplier with one lot is not ranked on noise.
//!
//! Attribution: for supplier lot S, `attributed_returned(S)` =
//! `Σ_F` returned(F)·share(S, F) and `attributed_shipped(S)` = `Σ_F`
//! shipped(F)·share(S, F) over every lot F (S included). Both are computed
//! for *all* lots at once in one reverse-topological pass over the CSR:
//! r(L) = x(L) + Σ over outputs O of r(O)·w(L→O), with w the edge's share
//! weight, which is linear in the size of the genealogy.
//!
//! Score (0-100, higher is better; documented in the README):
//! - the inspection fail rate is shrunk with a beta-binomial prior
//!   (`stats::BetaPrior`, inspections as trials);
//! - the attributed return rate is shrunk with the same posterior-mean
//!   form but with the supplier's *lots* as trials: returned units cluster
//!   by lot (one bad batch brings dozens back), so units are not
//!   independent trials and would make every supplier look certain. The
//!   prior strength κ (in lots) is the ratio of the within-supplier
//!   variance of lot rates to the between-supplier variance of true rates,
//!   both estimated by the method of moments: shrunk =
//!   (lots·rate + κ·μ) / (lots + κ);
//! - both priors' strength κ is capped at the median number of trials
//!   (inspections, lots) per supplier: with a handful of suppliers the
//!   moment estimate of the between-supplier spread is often zero, which
//!   would pool everyone to the mean; the cap keeps a supplier of typical
//!   size at least half the weight of its own record, while a supplier with
//!   one lot still mostly gets the population rate;
//! - each shrunk rate r with population mean m becomes a component
//!   100·m / (m + r): 100 for a spotless record, 50 for an average one,
//!   25 for three times the average (100 when the population mean is 0);
//! - score = (0.7·returns component + 0.3·inspection component) · 0.9^recalls
//!   (returns weigh more: they measure harm that reached customers, while
//!   a failed inspection was caught at the door),
//!   where recalls counts lots with status `recalled` that derive from the
//!   supplier's lots.

use super::returns::{LotUnits, ReturnFilter};
use super::stats::BetaPrior;
use crate::graph::{Direction, Genealogy, Tracer};
use crate::model::{Dataset, InspectionResult, LotIx, LotStatus, Origin, SupplierIx};
use chrono::{Datelike, NaiveDate};

/// `Σ_F` x(F)·share(L, F) for every lot L, given a topological order.
/// O(lots + edges).
///
/// ```
/// use lotgraph_core::{Genealogy, LotIx};
/// use lotgraph_core::analytics::suppliers::attribute;
/// // A (0) and B (1) mixed 40:20 into M (2); F (3) = 30 M + 10 A; R (4) repacks F.
/// let g = Genealogy::build(5, [
///     (LotIx(0), LotIx(2), 40.0), (LotIx(1), LotIx(2), 20.0),
///     (LotIx(2), LotIx(3), 30.0), (LotIx(0), LotIx(3), 10.0),
///     (LotIx(3), LotIx(4), 20.0),
/// ]);
/// let order = g.topological_order().unwrap();
/// // 8 units of R and 4 of F were returned.
/// let r = attribute(&g, &order, &[0.0, 0.0, 0.0, 4.0, 8.0]);
/// assert_eq!(r, vec![9.0, 3.0, 9.0, 12.0, 8.0]); // A carries 0.75 of F, B 0.25
/// ```
pub fn attribute(g: &Genealogy, order: &[LotIx], x: &[f64]) -> Vec<f64> {
    let mut r = x.to_vec();
    for &v in order.iter().rev() {
        let mut acc = 0.0;
        for (o, _, w) in g.outputs().weighted_edges(v) {
            acc += r[o.ix()] * w;
        }
        r[v.ix()] += acc;
    }
    r
}

/// Which supplier lots count: those supplied (received, or produced when
/// no receipt date) within the window.
#[derive(Copy, Clone, Debug, Default)]
pub struct Window {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Window {
    /// Is the supplied lot `l` inside the window? Lots without a date are
    /// inside only an unbounded window.
    pub fn contains(&self, ds: &Dataset, l: LotIx) -> bool {
        let lot = ds.lot(l);
        self.contains_date(lot.received_on.or(lot.produced_on))
    }

    /// Is `d` inside the window? An unknown date is inside only an
    /// unbounded window.
    pub fn contains_date(&self, d: Option<NaiveDate>) -> bool {
        match d {
            None => self.from.is_none() && self.to.is_none(),
            Some(d) => self.from.is_none_or(|f| d >= f) && self.to.is_none_or(|t| d <= t),
        }
    }
}

/// One supplier's line of the scorecard.
#[derive(Clone, Debug, PartialEq)]
pub struct SupplierScore {
    pub supplier: SupplierIx,
    /// Supplied lots in the window.
    pub lots: u64,
    pub inspections: u64,
    pub inspection_fails: u64,
    /// fails / inspections; `None` without inspections.
    pub inspection_fail_rate: Option<f64>,
    /// Σ returned(F)·share(S, F) over its lots S and downstream F.
    pub attributed_returned: f64,
    /// Σ shipped(F)·share(S, F).
    pub attributed_shipped: f64,
    /// `attributed_returned` / `attributed_shipped`; `None` when nothing shipped.
    pub attributed_return_rate: Option<f64>,
    /// Recalled lots deriving from its lots.
    pub recalls: u64,
    /// Posterior-mean fail rate after shrinkage.
    pub shrunk_fail_rate: f64,
    /// Posterior-mean return rate after shrinkage.
    pub shrunk_return_rate: f64,
    /// 0-100, higher is better.
    pub score: f64,
}

/// Precomputed, window-independent inputs of the scorecard.
pub struct ScoreInputs {
    order: Vec<LotIx>,
    attributed_returned: Vec<f64>,
    attributed_shipped: Vec<f64>,
}

impl ScoreInputs {
    /// Runs the attribution passes. O(lots + edges + shipments + returns).
    pub fn compute(
        ds: &Dataset,
        g: &Genealogy,
        filter: &ReturnFilter,
    ) -> Result<ScoreInputs, crate::GraphError> {
        let order = g.topological_order()?;
        let units = LotUnits::compute(ds, filter);
        Ok(ScoreInputs {
            attributed_returned: attribute(g, &order, &units.returned),
            attributed_shipped: attribute(g, &order, &units.shipped),
            order,
        })
    }

    /// The topological order used.
    pub fn order(&self) -> &[LotIx] {
        &self.order
    }

    /// Attributed returned units of every lot.
    pub fn attributed_returned(&self) -> &[f64] {
        &self.attributed_returned
    }

    /// Attributed shipped units of every lot.
    pub fn attributed_shipped(&self) -> &[f64] {
        &self.attributed_shipped
    }
}

fn component(mean: f64, rate: f64) -> f64 {
    if mean <= 0.0 {
        if rate <= 0.0 { 100.0 } else { 0.0 }
    } else {
        100.0 * mean / (mean + rate)
    }
}

/// The scorecard of every supplier with at least one lot in the window,
/// sorted by score ascending (worst first), ties by supplier id.
/// O(lots + inspections + closure of recalled lots).
pub fn scorecard(
    ds: &Dataset,
    g: &Genealogy,
    inputs: &ScoreInputs,
    window: Window,
) -> Vec<SupplierScore> {
    let ns = ds.suppliers.len();
    let mut rows: Vec<SupplierScore> = (0..ns)
        .map(|s| SupplierScore {
            supplier: SupplierIx::from_ix(s),
            lots: 0,
            inspections: 0,
            inspection_fails: 0,
            inspection_fail_rate: None,
            attributed_returned: 0.0,
            attributed_shipped: 0.0,
            attributed_return_rate: None,
            recalls: 0,
            shrunk_fail_rate: 0.0,
            shrunk_return_rate: 0.0,
            score: 0.0,
        })
        .collect();
    // Which supplier (if any, and in the window) each lot is a supply of.
    let counted: Vec<Option<SupplierIx>> = ds
        .lots
        .iter()
        .enumerate()
        .map(|(i, l)| match (l.origin, l.supplier) {
            (Origin::Supplied, Some(s)) if window.contains(ds, LotIx::from_ix(i)) => Some(s),
            _ => None,
        })
        .collect();
    for (i, s) in counted.iter().enumerate() {
        if let Some(s) = s {
            let row = &mut rows[s.ix()];
            row.lots += 1;
            row.attributed_returned += inputs.attributed_returned[i];
            row.attributed_shipped += inputs.attributed_shipped[i];
        }
    }
    for n in &ds.inspections {
        if let Some(s) = counted[n.lot.ix()] {
            rows[s.ix()].inspections += 1;
            if n.result == InspectionResult::Fail {
                rows[s.ix()].inspection_fails += 1;
            }
        }
    }
    // Recalls: trace each recalled lot back to the counted supplier lots.
    let mut tracer = Tracer::new(g);
    let mut hit = vec![u32::MAX; ns];
    for (i, lot) in ds.lots.iter().enumerate() {
        if lot.status != LotStatus::Recalled {
            continue;
        }
        tracer.reach(&[LotIx::from_ix(i)], Direction::Upstream, |a| {
            if let Some(s) = counted[a.ix()]
                && hit[s.ix()] != i as u32
            {
                hit[s.ix()] = i as u32;
                rows[s.ix()].recalls += 1;
            }
        });
    }
    rows.retain(|r| r.lots > 0);
    let fail_groups: Vec<(f64, f64)> = rows
        .iter()
        .map(|r| (r.inspection_fails as f64, r.inspections as f64))
        .collect();
    let fail_prior = BetaPrior::fit(&fail_groups).capped(median(
        fail_groups
            .iter()
            .filter(|g| g.1 > 0.0)
            .map(|g| g.1)
            .collect(),
    ));
    let ret_prior = lot_level_prior(&counted, inputs, ns);
    for r in &mut rows {
        r.inspection_fail_rate =
            (r.inspections > 0).then(|| r.inspection_fails as f64 / r.inspections as f64);
        r.attributed_return_rate =
            (r.attributed_shipped > 0.0).then(|| r.attributed_returned / r.attributed_shipped);
        r.shrunk_fail_rate = fail_prior.shrink(r.inspection_fails as f64, r.inspections as f64);
        let lots_shipped = ret_prior.lots[r.supplier.ix()];
        r.shrunk_return_rate = match r.attributed_return_rate {
            Some(rate) => ret_prior.prior.shrink(rate * lots_shipped, lots_shipped),
            None => ret_prior.prior.mean(),
        };
        let c_ret = component(ret_prior.prior.mean(), r.shrunk_return_rate);
        let c_fail = component(fail_prior.mean(), r.shrunk_fail_rate);
        r.score = (0.7 * c_ret + 0.3 * c_fail) * 0.9f64.powi(r.recalls.min(1000) as i32);
    }
    rows.sort_by(|a, b| {
        a.score.total_cmp(&b.score).then_with(|| {
            ds.suppliers[a.supplier.ix()]
                .id
                .cmp(&ds.suppliers[b.supplier.ix()].id)
        })
    });
    rows
}

/// The median of `v` (0 for an empty list).
fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        f64::midpoint(v[m - 1], v[m])
    }
}

/// The return-rate prior, with lots as trials.
struct LotPrior {
    prior: BetaPrior,
    /// Per supplier: lots with attributed shipments.
    lots: Vec<f64>,
}

/// Fits the return-rate prior at lot level (see the module docs).
fn lot_level_prior(counted: &[Option<SupplierIx>], inputs: &ScoreInputs, ns: usize) -> LotPrior {
    let (mut n, mut ret, mut ship) = (vec![0.0; ns], vec![0.0; ns], vec![0.0; ns]);
    for (i, s) in counted.iter().enumerate() {
        if let Some(s) = s
            && inputs.attributed_shipped[i] > 0.0
        {
            n[s.ix()] += 1.0;
            ret[s.ix()] += inputs.attributed_returned[i];
            ship[s.ix()] += inputs.attributed_shipped[i];
        }
    }
    let total_ship: f64 = ship.iter().sum();
    let mu = if total_ship > 0.0 {
        (ret.iter().sum::<f64>() / total_ship).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let rate = |s: usize| ret[s] / ship[s];
    // Within-supplier variance of lot rates, pooled over suppliers.
    let (mut ss, mut df) = (0.0, 0.0);
    for (i, s) in counted.iter().enumerate() {
        if let Some(s) = s
            && inputs.attributed_shipped[i] > 0.0
            && n[s.ix()] >= 2.0
        {
            ss += (inputs.attributed_returned[i] / inputs.attributed_shipped[i] - rate(s.ix()))
                .powi(2);
        }
    }
    for &k in &n {
        if k >= 2.0 {
            df += k - 1.0;
        }
    }
    let groups: Vec<usize> = (0..ns).filter(|s| n[*s] > 0.0).collect();
    let kappa = if df > 0.0 && groups.len() >= 2 {
        let sigma2 = ss / df;
        let g = groups.len() as f64;
        let mean_rate = groups.iter().map(|s| rate(*s)).sum::<f64>() / g;
        let var_rates = groups
            .iter()
            .map(|s| (rate(*s) - mean_rate).powi(2))
            .sum::<f64>()
            / (g - 1.0);
        let mean_inv_n = groups.iter().map(|s| 1.0 / n[*s]).sum::<f64>() / g;
        let tau2 = var_rates - sigma2 * mean_inv_n;
        if tau2 > 0.0 {
            sigma2 / tau2
        } else {
            f64::INFINITY
        }
    } else {
        f64::INFINITY
    };
    let cap = median(groups.iter().map(|s| n[*s]).collect());
    LotPrior {
        prior: BetaPrior::with_mean(mu, kappa.min(cap)),
        lots: n,
    }
}

/// The calendar quarter of a day, as `2021-Q4`.
pub fn quarter_of(d: NaiveDate) -> String {
    format!("{}-Q{}", d.year(), (d.month() - 1) / 3 + 1)
}

/// The first and last day of the quarter containing `d`.
pub fn quarter_bounds(d: NaiveDate) -> (NaiveDate, NaiveDate) {
    let q0 = (d.month() - 1) / 3 * 3 + 1;
    let start = NaiveDate::from_ymd_opt(d.year(), q0, 1).unwrap_or(d);
    let next = if q0 == 10 {
        NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(d.year(), q0 + 3, 1)
    };
    let end = next.and_then(|n| n.pred_opt()).unwrap_or(d);
    (start, end)
}

/// One scorecard per calendar quarter of supply (by received date), in
/// time order, each restricted to the lots supplied in that quarter.
pub fn trend(
    ds: &Dataset,
    g: &Genealogy,
    inputs: &ScoreInputs,
    window: Window,
) -> Vec<(String, Vec<SupplierScore>)> {
    let mut quarters: Vec<NaiveDate> = ds
        .lots
        .iter()
        .enumerate()
        .filter(|(i, l)| l.origin == Origin::Supplied && window.contains(ds, LotIx::from_ix(*i)))
        .filter_map(|(_, l)| l.received_on.or(l.produced_on))
        .map(|d| quarter_bounds(d).0)
        .collect();
    quarters.sort();
    quarters.dedup();
    quarters
        .into_iter()
        .map(|q| {
            let (start, end) = quarter_bounds(q);
            let w = Window {
                from: Some(window.from.map_or(start, |f| f.max(start))),
                to: Some(window.to.map_or(end, |t| t.min(end))),
            };
            (quarter_of(q), scorecard(ds, g, inputs, w))
        })
        .collect()
}
