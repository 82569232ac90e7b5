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
//!    each SKU s gets its own complaint-lot rate r_s = (c_s + 10 ρ) /
//!    (n_s + 10): its c_s complaint lots among its n_s population lots,
//!    shrunk toward the pooled rate ρ = (C + 1) / (N + 2) by a prior of
//!    [`PRIOR_LOTS`] = 10 lots. A candidate's expected count E is the sum
//!    of r_s over the population lots it reaches, and its evidence is the
//!    Poisson tail p = P(X ≥ k | E).
//! 2. **Robust baselines.** An outbreak raises the rates of the SKUs it
//!    reaches, and a bad supplier feeding most of an SKU would hide in its
//!    own baseline. So everything is scored once; the lot candidates that
//!    are significant on their own (p < 5 % / number of lot candidates,
//!    Bonferroni) are taken as outbreaks, every lot downstream of them is
//!    left out of the rates (C, N, c_s, n_s), and everything is scored
//!    again on those rates.
//! 3. **Line windows.** A line out of specification for a week is diluted by
//!    months of good batches when scored as a whole. So for each line, every
//!    window of production dates `from`..=`to` at most [`WINDOW_DAYS`] = 21
//!    days long (starting and ending on days the line produced) is scored as
//!    a candidate reaching what the line made in it; the best window per line
//!    is kept, with ln(windows tried) added to its ln p (Bonferroni).
//! 4. **Suppliers by their lots.** A supplier is scored with Fisher's
//!    combination x = −2 Σ ln p_i over its m supplied lots against χ² with
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

use super::stats::{ln_chi2_upper_tail, ln_hypergeom_upper_tail, ln_poisson_upper_tail};
use crate::graph::{Direction, Genealogy, Tracer};
use crate::model::{Dataset, Destination, LineIx, LotIx, Origin, SiteIx, SupplierIx};
use chrono::{Datelike, NaiveDate};
use std::cmp::Ordering;

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

/// The complaint lots, the population and every candidate source (not the
/// line windows) with what it reaches.
struct Walks {
    /// Lots visited by the walks and tree steps: the work done.
    work: u64,
    is_complaint: Vec<bool>,
    /// Population lots and complaint lots.
    in_pop: Vec<bool>,
    n_pop: u64,
    n_c: u64,
    /// Lots upstream of a complaint lot (complaint lots included).
    upstream: Vec<bool>,
    sources: Vec<Source>,
    /// The lots of each source.
    members: Vec<Vec<LotIx>>,
    reached: Vec<Reached>,
}

/// What one candidate reaches.
#[derive(Clone, Debug, Default)]
struct Reached {
    /// Complaint lots, sorted by lot id.
    hits: Vec<LotIx>,
    /// Population lots (complaint lots included).
    n: u64,
    /// (SKU, population lots of that SKU), sorted by SKU; empty unless asked.
    skus: Vec<(u32, u32)>,
    /// Lots a walk visited to find this (0 when counted as a tree).
    visited: u64,
}

/// What every lot whose downstream closure is a tree reaches, by dynamic
/// programming from the sinks up: `None` for the other lots, and for tree
/// lots that are not `wanted` once their parent has used them.
///
/// A lot is counted here ("a tree") when it has a single output that is
/// counted (it reaches itself plus exactly what that output reaches), or
/// when each of its outputs is counted and has no other input (their
/// closures are then disjoint and add up). Chains, also chains with merges
/// into them, and pure splits are trees, so a 200k-lot chain costs O(n)
/// here instead of the O(n²) of one walk per candidate; a lot with several
/// outputs below which paths meet again is walked.
/// O(n + e + Σ hits and SKU lists of wanted lots).
fn tree_reached(
    g: &Genealogy,
    pop: &dyn Fn(LotIx) -> bool,
    complaint: &dyn Fn(LotIx) -> bool,
    wanted: &dyn Fn(LotIx) -> bool,
    sku_of: &[u32],
    by_sku: bool,
) -> (Vec<Option<Reached>>, u64) {
    let n = g.lot_count();
    let mut work = 0u64;
    let (outs, ins) = (g.outputs(), g.inputs());
    let mut pending: Vec<u32> = (0..n)
        .map(|i| outs.degree(LotIx::from_ix(i)) as u32)
        .collect();
    let mut ready: Vec<LotIx> = (0..n)
        .map(LotIx::from_ix)
        .filter(|l| pending[l.ix()] == 0)
        .collect();
    let mut out: Vec<Option<Reached>> = vec![None; n];
    // Sinks first; a lot is ready once every output is done, so its
    // outputs' entries exist (or are None: not a tree) when it is.
    while let Some(v) = ready.pop() {
        let mut r = Reached::default();
        work += 1 + outs.degree(v) as u64;
        let children = outs.neighbors(v);
        // One output: v reaches itself plus exactly what it reaches,
        // shared or not. Several: only when none of them is shared.
        let is_tree = match children {
            [c] => out[c.ix()].is_some(),
            _ => children
                .iter()
                .all(|c| ins.degree(*c) == 1 && out[c.ix()].is_some()),
        };
        if is_tree {
            if pop(v) {
                r.n += 1;
                if complaint(v) {
                    r.hits.push(v);
                }
                if by_sku {
                    r.skus.push((sku_of.get(v.ix()).copied().unwrap_or(0), 1));
                }
            }
            for &c in children {
                // Unless c has another input or is a candidate itself, no
                // one else needs its entry.
                let child = if wanted(c) || ins.degree(c) != 1 {
                    out[c.ix()].clone()
                } else {
                    out[c.ix()].take()
                };
                if let Some(child) = child {
                    r.n += child.n;
                    work += (child.hits.len() + child.skus.len()) as u64;
                    r.hits.extend_from_slice(&child.hits);
                    r.skus.extend_from_slice(&child.skus);
                }
            }
            if r.skus.len() > 1 {
                r.skus.sort_unstable();
                r.skus.dedup_by(|b, a| {
                    let same = a.0 == b.0;
                    if same {
                        a.1 += b.1;
                    }
                    same
                });
            }
            out[v.ix()] = Some(r);
        }
        for &p in ins.neighbors(v) {
            let left = &mut pending[p.ix()];
            *left = left.saturating_sub(1);
            if *left == 0 {
                ready.push(p);
            }
        }
    }
    (out, work)
}

const NONE: u32 = u32::MAX;

/// `f` over `items` on up to all cores (at least `per_thread` items each),
/// results in the order of `items`. Items are dealt round-robin, so a few
/// huge ones spread out. Each thread has its own scratch from `init`.
fn par_map<T: Sync, R: Send, S>(
    items: &[T],
    per_thread: usize,
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().div_ceil(per_thread.max(1)).max(1));
    if threads <= 1 {
        let mut s = init();
        return items.iter().map(|x| f(&mut s, x)).collect();
    }
    let parts: Vec<Vec<R>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (init, f) = (&init, &f);
                scope.spawn(move || {
                    let mut s = init();
                    items
                        .iter()
                        .skip(t)
                        .step_by(threads)
                        .map(|x| f(&mut s, x))
                        .collect::<Vec<R>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut iters: Vec<_> = parts.into_iter().map(Vec::into_iter).collect();
    (0..items.len())
        .filter_map(|i| iters[i % threads].next())
        .collect()
}

fn sort_by_id(ds: &Dataset, lots: &mut [LotIx]) {
    lots.sort_by(|a, b| ds.lot_id(*a).cmp(ds.lot_id(*b)));
}

impl Walks {
    /// Enumerates the candidates and walks each once. With `by_sku`, each
    /// walk also counts the SKUs of the population lots it reaches.
    fn new(
        ds: &Dataset,
        g: &Genealogy,
        complaints: &[LotIx],
        population: &[bool],
        by_sku: bool,
    ) -> Walks {
        let n_lots = ds.lots.len();
        let mut is_complaint = vec![false; n_lots];
        for c in complaints {
            is_complaint[c.ix()] = true;
        }
        let in_pop: Vec<bool> = (0..n_lots)
            .map(|l| is_complaint[l] || population.get(l).copied().unwrap_or(false))
            .collect();
        let n_pop = in_pop.iter().filter(|p| **p).count() as u64;
        let n_c = is_complaint.iter().filter(|c| **c).count() as u64;
        // Candidate sources from the upstream closure of the complaints,
        // as flags indexed by lot, supplier, line and site.
        let mut upstream = vec![false; n_lots];
        let mut tracer = Tracer::new(g);
        tracer.reach(complaints, Direction::Upstream, |l| upstream[l.ix()] = true);
        let mut lot_src = vec![false; n_lots];
        let mut sup_src = vec![false; ds.suppliers.len()];
        let mut line_src = vec![false; ds.lines.len()];
        let mut site_src = vec![false; ds.sites.len()];
        for (i, lot) in ds.lots.iter().enumerate() {
            if !upstream[i] {
                continue;
            }
            let l = LotIx::from_ix(i);
            if !is_complaint[i] || g.outputs().degree(l) > 0 {
                lot_src[i] = true;
            }
            if let (Origin::Supplied, Some(s)) = (lot.origin, lot.supplier) {
                sup_src[s.ix()] = true;
            }
            if let Some(x) = lot.line {
                line_src[x.ix()] = true;
            }
            if let Some(x) = lot.site {
                site_src[x.ix()] = true;
            }
        }
        // Dense source numbers, then the lots of each source in one pass
        // over the lots (not one pass per candidate).
        let mut sources: Vec<Source> = Vec::new();
        let mut number = |flags: &[bool], make: &dyn Fn(usize) -> Source| -> Vec<u32> {
            flags
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    if *f {
                        sources.push(make(i));
                        (sources.len() - 1) as u32
                    } else {
                        NONE
                    }
                })
                .collect()
        };
        let lot_no = number(&lot_src, &|i| Source::Lot(LotIx::from_ix(i)));
        let sup_no = number(&sup_src, &|i| Source::Supplier(SupplierIx::from_ix(i)));
        let line_no = number(&line_src, &|i| Source::Line(LineIx::from_ix(i)));
        let site_no = number(&site_src, &|i| Source::Site(SiteIx::from_ix(i)));
        let mut members: Vec<Vec<LotIx>> = vec![Vec::new(); sources.len()];
        for (i, lot) in ds.lots.iter().enumerate() {
            let l = LotIx::from_ix(i);
            let mut add = |no: u32| {
                if no != NONE {
                    members[no as usize].push(l);
                }
            };
            add(lot_no[i]);
            if let (Origin::Supplied, Some(s)) = (lot.origin, lot.supplier) {
                add(sup_no[s.ix()]);
            }
            if let Some(x) = lot.line {
                add(line_no[x.ix()]);
            }
            if let Some(x) = lot.site {
                add(site_no[x.ix()]);
            }
        }
        drop(tracer);
        let sku_of: Vec<u32> = ds.lots.iter().map(|l| l.sku.0).collect();
        let n_skus = ds.products.len();
        let pop = |l: LotIx| in_pop[l.ix()];
        let complaint = |l: LotIx| is_complaint[l.ix()];
        let wanted = |l: LotIx| lot_src[l.ix()];
        let (mut pre, tree_work) = tree_reached(g, &pop, &complaint, &wanted, &sku_of, by_sku);
        // Trees were counted above; only the other sources are walked.
        let walked: Vec<usize> = (0..sources.len())
            .filter(|&i| match sources[i] {
                Source::Lot(l) => pre[l.ix()].is_none(),
                _ => true,
            })
            .collect();
        let walks = par_map(
            &walked,
            64,
            || {
                (
                    Tracer::new(g),
                    vec![0u32; if by_sku { n_skus } else { 0 }],
                    Vec::new(),
                )
            },
            |(tracer, count, touched): &mut (Tracer, Vec<u32>, Vec<u32>), &i| {
                let mut hits = Vec::new();
                let (mut n, mut visited) = (0u64, 0u64);
                tracer.reach(&members[i], Direction::Downstream, |l| {
                    visited += 1;
                    if !in_pop[l.ix()] {
                        return;
                    }
                    n += 1;
                    if is_complaint[l.ix()] {
                        hits.push(l);
                    }
                    if by_sku {
                        let s = sku_of[l.ix()];
                        if count[s as usize] == 0 {
                            touched.push(s);
                        }
                        count[s as usize] += 1;
                    }
                });
                sort_by_id(ds, &mut hits);
                touched.sort_unstable();
                let skus = touched
                    .drain(..)
                    .map(|s| (s, std::mem::take(&mut count[s as usize])))
                    .collect();
                Reached {
                    hits,
                    n,
                    skus,
                    visited,
                }
            },
        );
        let mut walks = walks.into_iter();
        // Walks sorted their hits already; tree counts are sorted here.
        let reached: Vec<Reached> = sources
            .iter()
            .map(|src| match src {
                Source::Lot(l) if pre[l.ix()].is_some() => pre[l.ix()].take().map(|mut r| {
                    sort_by_id(ds, &mut r.hits);
                    r
                }),
                _ => walks.next(),
            })
            .map(Option::unwrap_or_default)
            .collect();
        let work = tree_work + reached.iter().map(|r| r.visited).sum::<u64>();
        Walks {
            work,
            is_complaint,
            in_pop,
            n_pop,
            n_c,
            upstream,
            sources,
            members,
            reached,
        }
    }

    /// The hypergeometric candidate of source `i`.
    fn hypergeometric(&self, i: usize) -> Candidate {
        let r = &self.reached[i];
        let k = r.hits.len() as u64;
        let ln_p = ln_hypergeom_upper_tail(k, self.n_pop, self.n_c, r.n);
        let expected = if self.n_pop > 0 {
            r.n as f64 * self.n_c as f64 / self.n_pop as f64
        } else {
            0.0
        };
        Candidate::new(self.sources[i], r.hits.clone(), r.n, expected, ln_p)
    }
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
    let mut out: Vec<Candidate> = (0..w.sources.len())
        .filter(|i| !w.reached[*i].hits.is_empty())
        .map(|i| w.hypergeometric(i))
        .collect();
    out.sort_by(|a, b| rank_order(ds, a, b));
    out
}

/// Per-SKU complaint-lot rates.
struct Rates {
    /// Complaint-lot rate of each SKU, shrunk toward the pooled rate.
    by_sku: Vec<f64>,
}

impl Rates {
    /// The rates over the population lots not `excluded`; `None` when no
    /// population lot is left.
    fn new(w: &Walks, sku_of: &[u32], n_skus: usize, excluded: &[bool]) -> Option<Rates> {
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
    fn expected(&self, skus: &[(u32, u32)]) -> f64 {
        skus.iter()
            .map(|(s, n)| f64::from(*n) * self.by_sku[*s as usize])
            .sum()
    }
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
        let n_src = w.sources.len();
        let active: Vec<usize> = (0..n_src)
            .filter(|i| !w.reached[*i].hits.is_empty())
            .collect();
        // Groups: today's pooled-rate statistic.
        let mut groups: Vec<Candidate> = active
            .iter()
            .filter(|i| w.sources[**i].is_group())
            .map(|i| w.hypergeometric(*i))
            .collect();
        groups.sort_by(|a, b| rank_order(ds, a, b));
        let empty = Investigation {
            candidates: Vec::new(),
            groups: Vec::new(),
            outbreak_lots: 0,
            excluded_lots: 0,
            work: w.work,
        };
        let sku_of: Vec<u32> = ds.lots.iter().map(|l| l.sku.0).collect();
        let n_skus = ds.products.len();
        let Some(first) = Rates::new(&w, &sku_of, n_skus, &[]) else {
            return Investigation { groups, ..empty };
        };
        // Step 2: outbreaks are the lot candidates significant on their own
        // under the first rates; what they reach leaves the baselines.
        let lots: Vec<usize> = active
            .iter()
            .copied()
            .filter(|i| matches!(w.sources[*i], Source::Lot(_)))
            .collect();
        let cut = (OUTBREAK_ALPHA / lots.len().max(1) as f64).ln();
        let outbreaks: Vec<LotIx> = lots
            .iter()
            .filter_map(|i| {
                let r = &w.reached[*i];
                let ln_p = ln_poisson_upper_tail(r.hits.len() as u64, first.expected(&r.skus));
                match w.sources[*i] {
                    Source::Lot(l) if ln_p < cut => Some(l),
                    _ => None,
                }
            })
            .collect();
        let mut excluded = vec![false; ds.lots.len()];
        let mut work = w.work;
        let mut tracer = Tracer::new(g);
        tracer.reach(&outbreaks, Direction::Downstream, |l| {
            work += 1;
            excluded[l.ix()] = true;
        });
        drop(tracer);
        let excluded_lots = (0..excluded.len())
            .filter(|l| excluded[*l] && w.in_pop[*l])
            .count() as u64;
        let rates = Rates::new(&w, &sku_of, n_skus, &excluded).unwrap_or(first);
        let lot_rate: Vec<f64> = sku_of.iter().map(|s| rates.by_sku[*s as usize]).collect();
        // Lots, whole lines and sites on the robust rates.
        let mut ln_p_of = vec![0.0f64; n_src];
        let mut expected_of = vec![0.0f64; n_src];
        for &i in &active {
            let r = &w.reached[i];
            expected_of[i] = rates.expected(&r.skus);
            ln_p_of[i] = ln_poisson_upper_tail(r.hits.len() as u64, expected_of[i]);
        }
        // Step 4: suppliers by their lots.
        let mut lot_no = vec![NONE; ds.lots.len()];
        for &i in &lots {
            if let Source::Lot(l) = w.sources[i] {
                lot_no[l.ix()] = i as u32;
            }
        }
        let suppliers: Vec<usize> = active
            .iter()
            .copied()
            .filter(|i| matches!(w.sources[*i], Source::Supplier(_)))
            .collect();
        let fisher = par_map(
            &suppliers,
            4,
            || (Tracer::new(g), vec![0u32; ds.lots.len()], 0u32),
            |(tracer, claimed, epoch): &mut (Tracer, Vec<u32>, u32), &i| {
                let members = &w.members[i];
                let mut scored: Vec<(f64, LotIx)> = members
                    .iter()
                    .filter(|l| lot_no[l.ix()] != NONE)
                    .map(|l| (ln_p_of[lot_no[l.ix()] as usize], *l))
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
        for (i, (ln_p, visited)) in suppliers.iter().zip(fisher) {
            ln_p_of[*i] = ln_p;
            work += visited;
        }
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
        let lines: Vec<(LineIx, &[LotIx])> = active
            .iter()
            .filter_map(|i| match w.sources[*i] {
                Source::Line(x) => Some((x, w.members[*i].as_slice())),
                _ => None,
            })
            .collect();
        let windows = par_map(
            &lines,
            1,
            || (Tracer::new(g), vec![0u32; ds.lots.len()], 0u32),
            |(tracer, stamp, epoch): &mut (Tracer, Vec<u32>, u32), (line, members)| {
                best_window(ds, &w, &lot_rate, tracer, stamp, epoch, *line, members)
            },
        );
        candidates.extend(windows.into_iter().flatten());
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

/// Moves to a fresh stamp, clearing `stamps` when the counter wraps.
fn next_epoch(epoch: &mut u32, stamps: &mut [u32]) {
    if *epoch == u32::MAX {
        stamps.fill(0);
        *epoch = 0;
    }
    *epoch += 1;
}

/// The best production window of one line (step 3 of the module doc), with
/// its ln p Bonferroni-corrected for the windows tried; `None` when no
/// window reaches a complaint lot.
#[allow(clippy::too_many_arguments)]
fn best_window(
    ds: &Dataset,
    w: &Walks,
    lot_rate: &[f64],
    tracer: &mut Tracer,
    stamp: &mut [u32],
    epoch: &mut u32,
    line: LineIx,
    members: &[LotIx],
) -> Option<Candidate> {
    // The line's lots by production day.
    let mut dated: Vec<(i32, LotIx)> = members
        .iter()
        .filter_map(|l| Some((ds.lot(*l).produced_on?.num_days_from_ce(), *l)))
        .collect();
    dated.sort_unstable();
    let lots: Vec<LotIx> = dated.iter().map(|d| d.1).collect();
    // (day, range of `lots`, made a lot upstream of a complaint)
    let mut days: Vec<(i32, std::ops::Range<usize>, bool)> = Vec::new();
    for (j, (d, l)) in dated.iter().enumerate() {
        let hot = w.upstream[l.ix()];
        match days.last_mut() {
            Some((day, range, h)) if *day == *d => {
                range.end = j + 1;
                *h |= hot;
            }
            _ => days.push((*d, j..j + 1, hot)),
        }
    }
    // Windows tried: every (start, end) pair of production days at most
    // WINDOW_DAYS apart, inclusive.
    let mut tried = 0u64;
    let mut end = 0;
    for a in 0..days.len() {
        while end < days.len() && days[end].0 < days[a].0 + WINDOW_DAYS {
            end += 1;
        }
        tried += (end - a) as u64;
    }
    // Population lots reached from each day, walked only for days some
    // window starting on a hot day covers.
    let mut reach: Vec<Option<Vec<u32>>> = vec![None; days.len()];
    let day_reach = |b: usize, tracer: &mut Tracer| -> Vec<u32> {
        let mut v = Vec::new();
        tracer.reach(&lots[days[b].1.clone()], Direction::Downstream, |l| {
            if w.in_pop[l.ix()] {
                v.push(l.0);
            }
        });
        v
    };
    // (ln p, start, end, k, n, expected)
    let mut best: Option<(f64, usize, usize, u64, u64, f64)> = None;
    for a in 0..days.len() {
        // A window starting on a day that reaches no complaint lot is
        // beaten by the same window without that day.
        if !days[a].2 {
            continue;
        }
        next_epoch(epoch, stamp);
        let e = *epoch;
        let (mut k, mut n, mut exp) = (0u64, 0u64, 0.0f64);
        let mut b = a;
        while b < days.len() && days[b].0 < days[a].0 + WINDOW_DAYS {
            if reach[b].is_none() {
                reach[b] = Some(day_reach(b, tracer));
            }
            let before = k;
            for &l in reach[b].iter().flatten() {
                let l = l as usize;
                if stamp[l] != e {
                    stamp[l] = e;
                    n += 1;
                    k += u64::from(w.is_complaint[l]);
                    exp += lot_rate[l];
                }
            }
            // Without a new complaint lot, the window ending one day
            // earlier is at least as good.
            if k > before {
                let ln_p = ln_poisson_upper_tail(k, exp);
                if best.is_none_or(|x| ln_p < x.0) {
                    best = Some((ln_p, a, b, k, n, exp));
                }
            }
            b += 1;
        }
    }
    let (ln_p, a, b, _, n, exp) = best?;
    next_epoch(epoch, stamp);
    let e = *epoch;
    let mut hits: Vec<LotIx> = Vec::new();
    for day in reach[a..=b].iter().flatten() {
        for &l in day {
            if stamp[l as usize] != e && w.is_complaint[l as usize] {
                stamp[l as usize] = e;
                hits.push(LotIx(l));
            }
        }
    }
    sort_by_id(ds, &mut hits);
    let date = |d: i32| NaiveDate::from_num_days_from_ce_opt(d);
    let (from, to) = (date(days[a].0)?, date(days[b].0)?);
    let ln_p = (ln_p + (tried.max(1) as f64).ln()).min(0.0);
    Some(Candidate::new(
        Source::LineWindow { line, from, to },
        hits,
        n,
        exp,
        ln_p,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::stats::ln_poisson_upper_tail;
    use crate::ingest::{CsvOnly, ingest_dir};

    /// 60 FIN lots P01..P60 made one a day on line L1 from 2024-01-01;
    /// supplier lot X (of SX) went into P21..P25, and Y1..Y5 (of SY) into
    /// twelve consecutive lots each. Complaint lots: P21..P25 (X's outbreak)
    /// and P03, P40, P55 (background). Every P lot is in the population.
    fn outbreak() -> (Dataset, Genealogy, Vec<LotIx>, Vec<bool>) {
        let dir = tempfile::tempdir().unwrap();
        let mut lots = String::from("lot_id,sku,origin,supplier_id,line,produced_on,quantity\n");
        lots.push_str("X,RAW,supplied,SX,,,100\n");
        for j in 1..=5 {
            lots.push_str(&format!("Y{j},RAW,supplied,SY,,,100\n"));
        }
        let mut cons = String::from("input_lot_id,output_lot_id,quantity\n");
        let jan1 = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        for i in 1..=60u64 {
            let day = jan1 + chrono::Days::new(i - 1);
            lots.push_str(&format!("P{i:02},FIN,produced,,L1,{day},10\n"));
            cons.push_str(&format!("Y{},P{i:02},1\n", (i - 1) / 12 + 1));
            if (21..=25).contains(&i) {
                cons.push_str(&format!("X,P{i:02},1\n"));
            }
        }
        std::fs::write(dir.path().join("lots.csv"), lots).unwrap();
        std::fs::write(dir.path().join("consumptions.csv"), cons).unwrap();
        let ds = ingest_dir(dir.path(), &CsvOnly).unwrap().dataset;
        let g = Genealogy::from_dataset(&ds);
        let mut complaints: Vec<LotIx> = [21, 22, 23, 24, 25, 3, 40, 55]
            .iter()
            .map(|i| ds.lot_ix(&format!("P{i:02}")).unwrap())
            .collect();
        complaints.sort();
        let pop = ds.lots.iter().map(|l| l.id.starts_with('P')).collect();
        (ds, g, complaints, pop)
    }

    /// A chain L0 -> L1 -> ... -> L(n-1), the last lot shipped and
    /// complained about; plus, when `merge`, a second input M into the
    /// middle lot (a merge, so the lots above it are walked).
    fn chain(n: usize, merge: bool) -> (Dataset, Genealogy, Vec<LotIx>, Vec<bool>) {
        let dir = tempfile::tempdir().unwrap();
        let mut lots =
            String::from("lot_id,sku,origin,supplier_id,quantity\nL0,RAW,supplied,S1,10\n");
        let mut cons = String::from("input_lot_id,output_lot_id,quantity\n");
        for i in 1..n {
            lots.push_str(&format!("L{i},MID,produced,,10\n"));
            cons.push_str(&format!("L{},L{i},10\n", i - 1));
        }
        if merge {
            lots.push_str("M,RAW,supplied,S2,10\n");
            cons.push_str(&format!("M,L{},1\n", n / 2));
        }
        std::fs::write(dir.path().join("lots.csv"), lots).unwrap();
        std::fs::write(dir.path().join("consumptions.csv"), cons).unwrap();
        let ds = ingest_dir(dir.path(), &CsvOnly).unwrap().dataset;
        let g = Genealogy::from_dataset(&ds);
        let last = ds.lot_ix(&format!("L{}", n - 1)).unwrap();
        let mut pop = vec![false; ds.lots.len()];
        pop[last.ix()] = true;
        (ds, g, vec![last], pop)
    }

    /// Issue 17: one walk per candidate made a 200k-lot chain quadratic
    /// (209 s). The work must stay linear: a few visits per lot, on a
    /// chain and on a chain with a merge into its middle. Asserted on
    /// operation counts, not time.
    #[test]
    fn investigating_a_chain_costs_linear_work() {
        for (n, merge) in [(1_000usize, false), (4_000, false), (4_000, true)] {
            let (ds, g, complaints, pop) = chain(n, merge);
            let inv = Investigation::run(&ds, &g, &complaints, &pop);
            assert_eq!(inv.candidates[0].complaint_lots, complaints);
            // Lot candidates L0..L(n-2) (and M), suppliers S1 (and S2).
            let lots = inv
                .candidates
                .iter()
                .filter(|c| c.source.kind() == "lot")
                .count();
            assert_eq!(lots, n - 1 + usize::from(merge));
            // Tree steps ~3n, two supplier walks and their Fisher walks,
            // the outbreak walk: about 7n; one walk per lot would be n²/2.
            assert!(inv.work <= 10 * n as u64, "n = {n}: work {}", inv.work);
        }
    }

    #[test]
    fn outbreaks_leave_the_baselines_and_windows_find_the_days() {
        let (ds, g, complaints, pop) = outbreak();
        let inv = Investigation::run(&ds, &g, &complaints, &pop);
        // First rates: FIN = (8 + 10 ρ) / 70 with ρ = 9/62; X reaches 5
        // lots, all complaints: p far below 0.05 / 6 lot candidates.
        assert_eq!((inv.outbreak_lots, inv.excluded_lots), (1, 5));
        // Robust rates without P21..P25: ρ = 4/57, FIN = (3 + 40/57) / 65.
        let fin = (3.0 + 40.0 / 57.0) / 65.0;
        let best = &inv.candidates[0];
        assert_eq!(best.source, Source::Lot(ds.lot_ix("X").unwrap()));
        assert!((best.expected - 5.0 * fin).abs() < 1e-12);
        let ln_p_x = ln_poisson_upper_tail(5, 5.0 * fin);
        assert!((best.ln_p - ln_p_x).abs() < 1e-12);
        // SX has one lot: its Fisher p is X's, and it never outranks X.
        assert_eq!(inv.candidates[1].source.kind(), "supplier");
        assert!((inv.candidates[1].ln_p - ln_p_x).abs() < 1e-9);
        // L1's best window is X's five days; windows tried: 40 starts with
        // 21 ends each, then 20, 19, ..., 1.
        let w = inv
            .candidates
            .iter()
            .find(|c| c.source.kind() == "line-window")
            .unwrap();
        let day = |d| NaiveDate::from_ymd_opt(2024, 1, d).unwrap();
        assert_eq!(
            w.source,
            Source::LineWindow {
                line: LineIx(0),
                from: day(21),
                to: day(25)
            }
        );
        assert_eq!((w.complaint_lots.len(), w.other_lots_reached), (5, 0));
        assert!((w.ln_p - (ln_p_x + (40.0 * 21.0 + 210.0f64).ln())).abs() < 1e-9);
        // The groups keep the pooled hypergeometric: L1 reaches everything.
        let l1 = inv
            .groups
            .iter()
            .find(|c| c.source.kind() == "line")
            .unwrap();
        assert_eq!(l1.ln_p, 0.0);
    }

    #[test]
    fn no_complaints_no_candidates() {
        let (ds, g, _, pop) = outbreak();
        let inv = Investigation::run(&ds, &g, &[], &pop);
        assert!(inv.candidates.is_empty() && inv.groups.is_empty());
        assert!(investigate(&ds, &g, &[], &pop).is_empty());
    }
}
