//! Common-source investigation: given complaint lots, which upstream source
//! explains them best?
//!
//! **Candidates** are every lot upstream of a complaint lot (supplier lots
//! and produced intermediates; a complaint lot only when it went into other
//! lots), the suppliers of those lots, the lines and sites that made or held
//! them (complaint lots included), and for each such line its best
//! production window (`line-window`, below). A candidate *reaches* the lots
//! downstream of its own lots (its own lots included). The **population** is
//! every lot shipped to a customer or returned, plus the complaint lots; a
//! candidate reaching n population lots of which k are complaint lots is
//! scored on k, and on what it would have reached by chance:
//!
//! 1. **Per-SKU baselines.** Background complaint rates differ by product
//!    (fragile packs, picky buyers, lots too recent to draw complaints), so
//!    each SKU s gets its own complaint-lot rate `r_s` = (`c_s` + 10 ρ) /
//!    (`n_s` + 10): its `c_s` complaint lots among its `n_s` population lots,
//!    shrunk toward the pooled rate ρ = (C + 1) / (N + 2) by a prior of
//!    [`PRIOR_LOTS`] = 10 lots. A candidate's expected count E is the sum
//!    of `r_s` over the population lots it reaches, and its evidence is the
//!    Poisson tail p = P(X ≥ k | E).
//! 2. **Robust baselines.** An outbreak raises the rates of the SKUs it
//!    reaches, and a bad supplier feeding most of an SKU would hide in its
//!    own baseline. So everything is scored once; the lot candidates that
//!    are significant on their own (p < 5 % / number of lot candidates,
//!    Bonferroni) are taken as outbreaks, every lot downstream of them is
//!    left out of the rates (C, N, `c_s`, `n_s`), and everything is scored
//!    again on those rates.
//! 3. **Line windows.** A line out of specification for a week is diluted by
//!    months of good batches when scored as a whole. So for each line, every
//!    window of production dates `from`..=`to` at most [`WINDOW_DAYS`] = 21
//!    days long (starting and ending on days the line produced) is scored as
//!    a candidate reaching what the line made in it; the best window per line
//!    is kept, with ln(windows tried) added to its ln p (Bonferroni).
//! 4. **Suppliers by their lots.** A supplier is scored with Fisher's
//!    combination x = −2 Σ ln `p_i` over its m supplied lots against χ² with
//!    2m degrees of freedom. Its lots are taken most significant first, and
//!    each is scored (as in 1) only on the population lots that the
//!    supplier's more significant lots have not already claimed: lots used
//!    in the same batches (a supplier's film and its lids) add nothing to
//!    each other, one bad lot cannot lift its supplier above itself, and
//!    several separate bad lots add up.
//!
//! Lots, whole lines and sites keep the score of step 2. Candidates are
//! ranked by p (ascending), then k (descending), then other lots reached
//! (ascending), then kind and id; `score` = −log10 p.
//!
//! **Groups.** A bad supplier whose lots are each only mildly significant
//! stays partly in the baselines and is masked by them; the pooled-rate
//! statistic finds it better. So [`Investigation::groups`] lists the group
//! candidates (suppliers, whole lines, sites) separately, scored as
//! [`investigate`] scores every candidate: the hypergeometric tail P(K ≥ k)
//! when drawing n of the N population lots of which |C| are complaint lots
//! (one rate for every lot).
//!
//! **Cost.** One forward walk per candidate (spread over the machine's
//! cores, as are the steps below), each also counting the SKUs of what it
//! reaches so that rescoring on new rates needs no second walk; one walk
//! from the outbreak lots; one walk per supplier lot for step 4; for each
//! line one walk per production day, then a window scan that visits each
//! day's lots once per window start that contains it (at most 21 times),
//! starting only on days that made a lot upstream of a complaint (no other
//! window can be best). Every array is indexed by interned ids.

//!
//! The code follows those steps: walks.rs enumerates the candidates and
//! what each reaches (tree.rs counts trees without walking, par.rs spreads
//! the walks over the cores), score.rs holds the per-SKU rates and steps 2
//! and 4, window.rs step 3; this file defines the answer and runs the
//! steps in order.

mod par;
mod score;
#[cfg(test)]
mod tests;
mod tree;
mod walks;
mod window;

use crate::graph::Genealogy;
use crate::model::{Dataset, Destination, LineIx, LotIx, SiteIx, SupplierIx};
use chrono::NaiveDate;
use score::Rates;
use std::cmp::Ordering;
use walks::Walks;

/// Longest line window, in days from its first to its last production date
/// inclusive.
pub const WINDOW_DAYS: i32 = 21;
/// Weight, in lots, of the pooled complaint rate in each SKU's rate.
pub const PRIOR_LOTS: f64 = 10.0;
/// Family-wise level at which a lot counts as an outbreak for the robust
/// baselines (Bonferroni over the lot candidates).
pub const OUTBREAK_ALPHA: f64 = 0.05;

/// What a candidate is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// One lot (a supplier lot or a produced intermediate).
    Lot(LotIx),
    /// All lots of one supplier.
    Supplier(SupplierIx),
    /// All lots made on one production line.
    Line(LineIx),
    /// All lots made or received at one site.
    Site(SiteIx),
    /// The lots made on one line with production dates in `from..=to`.
    LineWindow {
        line: LineIx,
        from: NaiveDate,
        to: NaiveDate,
    },
}

impl Source {
    /// The contract's `kind` spelling (`line-window` is an extension).
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Lot(_) => "lot",
            Source::Supplier(_) => "supplier",
            Source::Line(_) => "line",
            Source::Site(_) => "site",
            Source::LineWindow { .. } => "line-window",
        }
    }

    /// The candidate's id as users know it (a line as `name`, or
    /// `name@site` when several sites have a line of that name; a line
    /// window by its line).
    pub fn id<'a>(&self, ds: &'a Dataset) -> std::borrow::Cow<'a, str> {
        use std::borrow::Cow;
        match *self {
            Source::Lot(l) => Cow::Borrowed(ds.lot_id(l)),
            Source::Supplier(s) => Cow::Borrowed(&ds.suppliers[s.ix()].id),
            Source::Line(l) | Source::LineWindow { line: l, .. } => Cow::Owned(ds.line_label(l)),
            Source::Site(s) => Cow::Borrowed(&ds.sites[s.ix()].id),
        }
    }

    /// Suppliers, whole lines and sites: candidates that stand for many lots.
    pub fn is_group(&self) -> bool {
        matches!(
            self,
            Source::Supplier(_) | Source::Line(_) | Source::Site(_)
        )
    }
}

/// One ranked explanation.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub source: Source,
    /// The complaint lots it reaches, sorted by lot id.
    pub complaint_lots: Vec<LotIx>,
    /// Population lots it reaches that are not complaint lots.
    pub other_lots_reached: u64,
    /// Complaint lots expected among the population lots it reaches, on
    /// the baseline of the statistic that scored it (per-SKU rates, or the
    /// pooled rate for the hypergeometric).
    pub expected: f64,
    /// ln of the p-value.
    pub ln_p: f64,
    /// −log10 p: higher is a better explanation.
    pub score: f64,
}

impl Candidate {
    fn new(source: Source, complaint_lots: Vec<LotIx>, n: u64, expected: f64, ln_p: f64) -> Self {
        let k = complaint_lots.len() as u64;
        Candidate {
            source,
            complaint_lots,
            other_lots_reached: n.saturating_sub(k),
            expected,
            ln_p,
            score: -ln_p / std::f64::consts::LN_10,
        }
    }
}

/// The answer of [`Investigation::run`].
#[derive(Clone, Debug, PartialEq)]
pub struct Investigation {
    /// Every candidate reaching a complaint lot, best explanation first
    /// (per-SKU robust baselines, line windows, suppliers by their lots).
    pub candidates: Vec<Candidate>,
    /// Suppliers, whole lines and sites on the pooled-rate hypergeometric
    /// statistic, best first.
    pub groups: Vec<Candidate>,
    /// Lot candidates significant on their own (the outbreaks of step 2).
    pub outbreak_lots: usize,
    /// Population lots left out of the per-SKU rates because an outbreak
    /// lot reaches them.
    pub excluded_lots: u64,
    /// Lots visited by the candidates' walks (or combined by the tree
    /// steps that replace them), the outbreak walk and the supplier walks:
    /// the work done, which tests bound (line windows are not counted).
    pub work: u64,
}

/// The population: lots shipped to customers or returned.
pub fn population(ds: &Dataset) -> Vec<bool> {
    let mut u = vec![false; ds.lots.len()];
    for s in &ds.shipments {
        if matches!(s.to, Destination::Customer(_)) {
            u[s.lot.ix()] = true;
        }
    }
    for r in &ds.returns {
        u[r.lot.ix()] = true;
    }
    u
}

/// Best first: p, then more complaint lots, fewer other lots, kind, id.
fn rank_order(ds: &Dataset, a: &Candidate, b: &Candidate) -> Ordering {
    a.ln_p
        .total_cmp(&b.ln_p)
        .then_with(|| b.complaint_lots.len().cmp(&a.complaint_lots.len()))
        .then_with(|| a.other_lots_reached.cmp(&b.other_lots_reached))
        .then_with(|| a.source.kind().cmp(b.source.kind()))
        .then_with(|| a.source.id(ds).cmp(&b.source.id(ds)))
        .then_with(|| a.source.cmp(&b.source))
}

/// Ranks every candidate source of `complaints` (lots, suppliers, lines,
/// sites; no line windows) by the pooled-rate hypergeometric tail, best
/// first: the statistic [`Investigation::groups`] uses, and the candidate
/// set of the Neo4j mirror's `common_source` query.
///
/// Arguments: the dataset and its genealogy, the complaint lots, and the
/// population as a flag per lot (see [`population`]; complaint lots always
/// count). Returns the candidates reaching at least one complaint lot, with
/// `expected` = n |C| / N. No errors.
///
/// Complexity: O(C + lots + Σ over candidates of their downstream closure),
/// the walks spread over the machine's cores.
///
/// ```
/// use lotgraph_core::analytics::investigate::{investigate, population};
/// # use lotgraph_core::ingest::{ingest_dir, CsvOnly};
/// # let dir = tempfile::tempdir().unwrap();
/// # std::fs::write(dir.path().join("lots.csv"), "lot_id,sku,origin,supplier_id,quantity\nT1,TAHINI,supplied,S1,10\nT2,TAHINI,supplied,S1,10\nC1,BEAN,supplied,S2,10\nF1,HUM,produced,,5\nF2,HUM,produced,,5\nF3,HUM,produced,,5\nF4,HUM,produced,,5\n").unwrap();
/// # std::fs::write(dir.path().join("consumptions.csv"), "input_lot_id,output_lot_id,quantity\nT1,F1,1\nT1,F2,1\nT2,F3,1\nT2,F4,1\nC1,F1,1\nC1,F2,1\nC1,F3,1\nC1,F4,1\n").unwrap();
/// # std::fs::write(dir.path().join("returns.csv"), "return_id,lot_id,quantity,reported_on\nR1,F1,1,2024-01-01\nR2,F2,1,2024-01-01\nR3,F3,1,2024-01-01\nR4,F4,1,2024-01-01\n").unwrap();
/// # let ds = ingest_dir(dir.path(), &CsvOnly).unwrap().dataset;
/// // Tahini T1 went into F1 and F2, T2 into F3 and F4; beans C1 into all four.
/// let f = |id: &str| ds.lot_ix(id).unwrap();
/// let ranked = investigate(&ds, &lotgraph_core::Genealogy::from_dataset(&ds), &[f("F1"), f("F2")], &population(&ds));
/// assert_eq!(ranked[0].source.id(&ds), "T1"); // reaches both complaints and nothing else
/// assert_eq!(ranked[0].complaint_lots.len(), 2);
/// assert_eq!(ranked[0].other_lots_reached, 0);
/// assert!((ranked[0].ln_p.exp() - 1.0 / 6.0).abs() < 1e-12); // 1 / C(4, 2)
/// ```
pub fn investigate(
    ds: &Dataset,
    g: &Genealogy,
    complaints: &[LotIx],
    population: &[bool],
) -> Vec<Candidate> {
    let w = Walks::new(ds, g, complaints, population, false);
    let mut out: Vec<Candidate> = w
        .active()
        .into_iter()
        .map(|i| w.hypergeometric(i))
        .collect();
    out.sort_by(|a, b| rank_order(ds, a, b));
    out
}

impl Investigation {
    /// Ranks every candidate source of `complaints` as the module doc
    /// describes: lots, suppliers (by their lots), whole lines, sites and
    /// line windows on robust per-SKU baselines in
    /// [`candidates`](Investigation::candidates), and the group candidates
    /// on the pooled-rate hypergeometric in
    /// [`groups`](Investigation::groups).
    ///
    /// Arguments: the dataset and its genealogy, the complaint lots, and the
    /// population as a flag per lot (see [`population`]; complaint lots
    /// always count). Both lists hold only candidates reaching at least one
    /// complaint lot. No errors: with no complaint lots both lists are
    /// empty.
    ///
    /// Complexity: O(C + lots + Σ over candidates of their downstream
    /// closure + Σ over the lines' production days of their downstream
    /// closure × (1 + windows containing the day)), spread over the
    /// machine's cores; memory O(lots + Σ over candidates of the SKUs they
    /// reach).
    ///
    /// ```
    /// use lotgraph_core::analytics::investigate::{population, Investigation};
    /// # use lotgraph_core::ingest::{ingest_dir, CsvOnly};
    /// # let dir = tempfile::tempdir().unwrap();
    /// # std::fs::write(dir.path().join("lots.csv"), "lot_id,sku,origin,supplier_id,quantity\nT1,TAHINI,supplied,S1,10\nT2,TAHINI,supplied,S1,10\nC1,BEAN,supplied,S2,10\nF1,HUM,produced,,5\nF2,HUM,produced,,5\nF3,HUM,produced,,5\nF4,HUM,produced,,5\n").unwrap();
    /// # std::fs::write(dir.path().join("consumptions.csv"), "input_lot_id,output_lot_id,quantity\nT1,F1,1\nT1,F2,1\nT2,F3,1\nT2,F4,1\nC1,F1,1\nC1,F2,1\nC1,F3,1\nC1,F4,1\n").unwrap();
    /// # std::fs::write(dir.path().join("returns.csv"), "return_id,lot_id,quantity,reported_on\nR1,F1,1,2024-01-01\nR2,F2,1,2024-01-01\nR3,F3,1,2024-01-01\nR4,F4,1,2024-01-01\n").unwrap();
    /// # let ds = ingest_dir(dir.path(), &CsvOnly).unwrap().dataset;
    /// // Tahini T1 went into F1 and F2, T2 into F3 and F4; beans C1 into all
    /// // four hummus lots F1-F4, which are the population (all returned).
    /// let f = |id: &str| ds.lot_ix(id).unwrap();
    /// let g = lotgraph_core::Genealogy::from_dataset(&ds);
    /// let inv = Investigation::run(&ds, &g, &[f("F1"), f("F2")], &population(&ds));
    /// // HUM's rate: (2 + 10 × 3/6) / (4 + 10) = 1/2, so T1 expects 1 of the
    /// // 2 lots it reaches and p = P(X ≥ 2 | 1) = 1 − 2/e.
    /// let best = &inv.candidates[0];
    /// assert_eq!((best.source.kind(), &*best.source.id(&ds)), ("lot", "T1"));
    /// assert!((best.expected - 1.0).abs() < 1e-12);
    /// assert!((best.ln_p.exp() - (1.0 - 2.0 / std::f64::consts::E)).abs() < 1e-12);
    /// // The groups: each supplier reaches all four lots (p = 1 on the pooled rate).
    /// assert_eq!(inv.groups.len(), 2);
    /// assert!(inv.groups.iter().all(|c| c.source.is_group() && c.ln_p == 0.0));
    /// ```
    pub fn run(
        ds: &Dataset,
        g: &Genealogy,
        complaints: &[LotIx],
        population: &[bool],
    ) -> Investigation {
        let w = Walks::new(ds, g, complaints, population, true);
        let active = w.active();
        let of_kind = |want: fn(&Source) -> bool| -> Vec<usize> {
            active
                .iter()
                .copied()
                .filter(|i| want(&w.sources[*i]))
                .collect()
        };
        // Groups: today's pooled-rate statistic.
        let mut groups: Vec<Candidate> = of_kind(Source::is_group)
            .into_iter()
            .map(|i| w.hypergeometric(i))
            .collect();
        groups.sort_by(|a, b| rank_order(ds, a, b));
        let sku_of: Vec<u32> = ds.lots.iter().map(|l| l.sku.0).collect();
        let n_skus = ds.products.len();
        let Some(first) = Rates::new(&w, &sku_of, n_skus, &[]) else {
            return Investigation {
                candidates: Vec::new(),
                groups,
                outbreak_lots: 0,
                excluded_lots: 0,
                work: w.work,
            };
        };
        // Step 2: outbreaks are the lot candidates significant on their own
        // under the first rates; what they reach leaves the baselines.
        let lots = of_kind(|s| matches!(s, Source::Lot(_)));
        let outbreaks = score::outbreaks(&w, &lots, &first);
        let (excluded, outbreak_work) = score::downstream_of(g, ds.lots.len(), &outbreaks);
        let mut work = w.work + outbreak_work;
        let excluded_lots = (0..excluded.len())
            .filter(|l| excluded[*l] && w.in_pop[*l])
            .count() as u64;
        let rates = Rates::new(&w, &sku_of, n_skus, &excluded).unwrap_or(first);
        let lot_rate: Vec<f64> = sku_of.iter().map(|s| rates.by_sku[*s as usize]).collect();
        // Lots, whole lines and sites on the robust rates.
        let (mut ln_p_of, expected_of) = score::robust_scores(&w, &active, &rates);
        // Step 4: suppliers by their lots.
        let suppliers = of_kind(|s| matches!(s, Source::Supplier(_)));
        work +=
            score::suppliers_by_their_lots(ds, g, &w, &lots, &suppliers, &lot_rate, &mut ln_p_of);
        let mut candidates: Vec<Candidate> = active
            .iter()
            .map(|&i| {
                let r = &w.reached[i];
                Candidate::new(
                    w.sources[i],
                    r.hits.clone(),
                    r.n,
                    expected_of[i],
                    ln_p_of[i],
                )
            })
            .collect();
        // Step 3: line windows.
        candidates.extend(window::line_windows(ds, g, &w, &active, &lot_rate));
        candidates.sort_by(|a, b| rank_order(ds, a, b));
        Investigation {
            candidates,
            groups,
            outbreak_lots: outbreaks.len(),
            excluded_lots,
            work,
        }
    }
}
