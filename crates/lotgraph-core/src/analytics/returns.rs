//! Return rates per lot, with 95% Wilson intervals and a flag for lots whose
//! rate is significantly above their SKU's baseline.
//!
//! For lot L of SKU k: `shipped` = units shipped to customers (any status),
//! `returned` = units returned (after the filters), `rate` = returned /
//! shipped. The baseline of L is k's pooled rate over its *other* lots,
//! with half a returned unit added to the pool: (Σ returned + ½) /
//! (Σ shipped + 1) excluding L. The half unit only matters when the other
//! lots had (almost) no returns: without it a baseline of exactly 0 would
//! make a single return infinitely significant. L's p-value is the one-sided
//! binomial tail P(X ≥ returned | shipped, baseline) (units rounded to whole
//! numbers); p-values of all tested lots are corrected with
//! Benjamini-Hochberg at a 5% false-discovery rate, and `flagged` marks the
//! discoveries. A lot is tested only when it shipped something and its SKU
//! has other lots with shipments.
//!
//! Returns beyond what a lot shipped (500 returned of 10 shipped, or
//! returns of a lot never shipped to a customer) are kept as recorded in
//! `returned` and `rate`, but count as at most `shipped` units everywhere
//! a probability is estimated: in the SKU pools of the baselines, in the
//! Wilson interval and in the binomial test. Otherwise one such lot would
//! push its SKU's baseline towards 1 and hide every other lot's excess.
//! `lotgraph check` lists these lots (`over_returned`).

use super::stats::{Z95, benjamini_hochberg, binomial_upper_tail, wilson};
use crate::model::{Dataset, LotIx, ReturnCategory, SkuIx};
use chrono::NaiveDate;

/// Which returns count, and which lots are listed.
#[derive(Clone, Debug, Default)]
pub struct ReturnFilter {
    /// Only lots of this SKU are listed (baselines still use every lot).
    pub sku: Option<SkuIx>,
    /// Only returns of this category count.
    pub category: Option<ReturnCategory>,
    /// Only returns reported on or after this day count.
    pub from: Option<NaiveDate>,
    /// Only returns reported on or before this day count.
    pub to: Option<NaiveDate>,
}

impl ReturnFilter {
    /// Does return `r` of `ds` count under this filter (its lot's SKU, its
    /// category, its report date)?
    pub fn admits(&self, ds: &Dataset, r: usize) -> bool {
        if self.is_everything() {
            return true;
        }
        let ret = ds.returns.get(r);
        self.sku.is_none_or(|s| ds.lots.sku[ret.lot.ix()] == s)
            && self.category.is_none_or(|c| ret.category == Some(c))
            && self.from.is_none_or(|d| ret.reported_on >= d)
            && self.to.is_none_or(|d| ret.reported_on <= d)
    }

    /// Does every return count (no filter set)? Then no row needs decoding.
    pub fn is_everything(&self) -> bool {
        self.sku.is_none() && self.category.is_none() && self.from.is_none() && self.to.is_none()
    }
}

/// Units shipped to customers and units returned, per lot.
#[derive(Clone, Debug)]
pub struct LotUnits {
    pub shipped: Vec<f64>,
    pub returned: Vec<f64>,
}

impl LotUnits {
    /// One pass over shipments and returns. O(lots + shipments + returns).
    pub fn compute(ds: &Dataset, filter: &ReturnFilter) -> LotUnits {
        let n = ds.lots.len();
        let mut u = LotUnits {
            shipped: vec![0.0; n],
            returned: vec![0.0; n],
        };
        // With an SKU filter only that SKU's units count (so attribution
        // answers "which suppliers are behind this product's returns").
        // Columns, not rows: this pass runs over every shipment of the
        // snapshot and needs three fields of each.
        let sku = &ds.lots.sku;
        let counts = |l: LotIx| filter.sku.is_none_or(|s| sku[l.ix()] == s);
        let sh = &ds.shipments;
        for (i, (&l, &q)) in sh.lot.iter().zip(sh.quantity.iter()).enumerate() {
            if sh.is_sale(i) && counts(l) {
                u.shipped[l.ix()] += q;
            }
        }
        let rt = &ds.returns;
        for (i, (&l, &q)) in rt.lot.iter().zip(rt.quantity.iter()).enumerate() {
            if filter.admits(ds, i) {
                u.returned[l.ix()] += q;
            }
        }
        u
    }
}

/// The return rate of one lot.
#[derive(Clone, Debug, PartialEq)]
pub struct LotRate {
    pub lot: LotIx,
    pub shipped: f64,
    pub returned: f64,
    /// returned / shipped; `None` when nothing was shipped.
    pub rate: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// The SKU's pooled rate over its other lots, when it has any.
    pub baseline: Option<f64>,
    /// One-sided binomial p-value against the baseline (1 when untested).
    pub p_value: f64,
    /// Significantly above baseline after Benjamini-Hochberg at 5%.
    pub flagged: bool,
}

/// Return rates of every lot that shipped to customers or was returned,
/// sorted by rate (highest first, lots without a rate last), then lot id.
///
/// O(lots + shipments + returns + m log m) for m listed lots.
///
/// ```
/// use lotgraph_core::analytics::returns::{lot_rates, ReturnFilter};
/// # use lotgraph_core::ingest::{ingest_dir, CsvOnly};
/// # let dir = tempfile::tempdir().unwrap();
/// # std::fs::write(dir.path().join("lots.csv"), "lot_id,sku,origin,quantity\nA,X,produced,1000\nB,X,produced,1000\nC,X,produced,1000\nD,X,produced,1000\n").unwrap();
/// # std::fs::write(dir.path().join("shipments.csv"), "shipment_id,lot_id,quantity,customer_id,shipped_on,delivered_on\nS1,A,1000,K,2024-01-01,2024-01-02\nS2,B,1000,K,2024-01-01,2024-01-02\nS3,C,1000,K,2024-01-01,2024-01-02\nS4,D,1000,K,2024-01-01,2024-01-02\n").unwrap();
/// # std::fs::write(dir.path().join("returns.csv"), "return_id,lot_id,quantity,reported_on\nR1,A,60,2024-02-01\nR2,B,5,2024-02-01\nR3,C,4,2024-02-01\nR4,D,6,2024-02-01\n").unwrap();
/// # let ds = ingest_dir(dir.path(), &CsvOnly).unwrap().dataset;
/// // Four lots of one SKU, 1000 units each; A has 60 returns, the others 4-6.
/// let rates = lot_rates(&ds, &ReturnFilter::default());
/// assert_eq!(ds.lot(rates[0].lot).id, "A");
/// assert!((rates[0].rate.unwrap() - 0.06).abs() < 1e-12);
/// assert!((rates[0].baseline.unwrap() - 15.5 / 3001.0).abs() < 1e-12);
/// assert!(rates[0].flagged && !rates[1].flagged);
/// ```
pub fn lot_rates(ds: &Dataset, filter: &ReturnFilter) -> Vec<LotRate> {
    let units = LotUnits::compute(ds, filter);
    let nsku = ds.products.len();
    let (mut sku_ship, mut sku_ret) = (vec![0.0; nsku], vec![0.0; nsku]);
    let skus = &ds.lots.sku;
    // Returned units that count in estimates: at most what was shipped.
    let counted = |i: usize| units.returned[i].min(units.shipped[i]);
    for (i, sku) in skus.iter().enumerate() {
        sku_ship[sku.ix()] += units.shipped[i];
        sku_ret[sku.ix()] += counted(i);
    }
    let listed = (0..skus.len())
        .filter(|&i| units.shipped[i] > 0.0 || units.returned[i] > 0.0)
        .count();
    let mut rows: Vec<LotRate> = Vec::with_capacity(listed);
    for (i, &sku) in skus.iter().enumerate() {
        let (shipped, returned) = (units.shipped[i], units.returned[i]);
        if shipped <= 0.0 && returned <= 0.0 {
            continue;
        }
        if filter.sku.is_some_and(|s| s != sku) {
            continue;
        }
        let other_ship = sku_ship[sku.ix()] - shipped;
        let other_ret = sku_ret[sku.ix()] - counted(i);
        let baseline =
            (other_ship > 1e-9).then(|| ((other_ret + 0.5) / (other_ship + 1.0)).clamp(0.0, 1.0));
        let rate = (shipped > 0.0).then(|| returned / shipped);
        let ci = wilson(counted(i), shipped, Z95);
        let p_value = match baseline {
            Some(b) if shipped > 0.0 => binomial_upper_tail(counted(i), shipped, b),
            _ => 1.0,
        };
        rows.push(LotRate {
            lot: LotIx::from_ix(i),
            shipped,
            returned,
            rate,
            ci_low: ci.map(|c| c.0),
            ci_high: ci.map(|c| c.1),
            baseline,
            p_value,
            flagged: false,
        });
    }
    let tested: Vec<usize> = (0..rows.len())
        .filter(|i| rows[*i].baseline.is_some() && rows[*i].shipped > 0.0)
        .collect();
    let flags = benjamini_hochberg(
        &tested.iter().map(|i| rows[*i].p_value).collect::<Vec<_>>(),
        0.05,
    );
    for (i, f) in tested.into_iter().zip(flags) {
        // A lot at or below its baseline is never "significantly above".
        rows[i].flagged = f
            && rows[i]
                .rate
                .zip(rows[i].baseline)
                .is_some_and(|(r, b)| r > b);
    }
    // Ties (most lots have no returns) are broken by lot id through the
    // id order's ranks, integers, instead of comparing strings. Ranks are
    // unique, so an unstable sort gives the one order.
    let rank = ds.lot_ranks();
    rows.sort_unstable_by(|a, b| {
        b.rate
            .unwrap_or(-1.0)
            .total_cmp(&a.rate.unwrap_or(-1.0))
            .then_with(|| rank[a.lot.ix()].cmp(&rank[b.lot.ix()]))
    });
    rows
}
