//! The candidates of an investigation and what each reaches: the complaint
//! lots and the population as flags, every candidate source from the
//! upstream closure of the complaints, its member lots, and one forward
//! walk per source (or a tree count, see tree.rs) of the population lots
//! it reaches. Scoring is left to the callers.

use super::Source;
use super::par::par_map;
use super::tree::{Reached, tree_reached};
use crate::analytics::stats::ln_hypergeom_upper_tail;
use crate::graph::{Direction, Genealogy, Tracer};
use crate::model::{Dataset, LineIx, LotIx, Origin, SiteIx, SupplierIx};

use super::Candidate;

/// "No source number" in the dense per-entity source tables.
pub(super) const NONE: u32 = u32::MAX;

/// The complaint lots, the population and every candidate source (not the
/// line windows) with what it reaches.
pub(super) struct Walks {
    /// Lots visited by the walks and tree steps: the work done.
    pub(super) work: u64,
    pub(super) is_complaint: Vec<bool>,
    /// Population lots and complaint lots.
    pub(super) in_pop: Vec<bool>,
    pub(super) n_pop: u64,
    pub(super) n_c: u64,
    /// Lots upstream of a complaint lot (complaint lots included).
    pub(super) upstream: Vec<bool>,
    pub(super) sources: Vec<Source>,
    /// The lots of each source.
    pub(super) members: Vec<Vec<LotIx>>,
    pub(super) reached: Vec<Reached>,
}

/// Which lots, suppliers, lines and sites are candidate sources, as flags
/// indexed by each.
struct Flags {
    lot: Vec<bool>,
    supplier: Vec<bool>,
    line: Vec<bool>,
    site: Vec<bool>,
}

/// The dense source number of each flagged lot, supplier, line and site
/// (`NONE` for the others).
struct Numbers {
    lot: Vec<u32>,
    supplier: Vec<u32>,
    line: Vec<u32>,
    site: Vec<u32>,
}

pub(super) fn sort_by_id(ds: &Dataset, lots: &mut [LotIx]) {
    lots.sort_by(|a, b| ds.lot_id(*a).cmp(ds.lot_id(*b)));
}

/// Candidate sources from the upstream closure of the complaints: every
/// upstream lot (a complaint lot only when it went into other lots), and
/// the suppliers, lines and sites of upstream lots.
fn candidate_flags(ds: &Dataset, g: &Genealogy, upstream: &[bool], is_complaint: &[bool]) -> Flags {
    let mut f = Flags {
        lot: vec![false; ds.lots.len()],
        supplier: vec![false; ds.suppliers.len()],
        line: vec![false; ds.lines.len()],
        site: vec![false; ds.sites.len()],
    };
    for (i, lot) in ds.lots.iter().enumerate() {
        if !upstream[i] {
            continue;
        }
        let l = LotIx::from_ix(i);
        if !is_complaint[i] || g.outputs().degree(l) > 0 {
            f.lot[i] = true;
        }
        if let (Origin::Supplied, Some(s)) = (lot.origin, lot.supplier) {
            f.supplier[s.ix()] = true;
        }
        if let Some(x) = lot.line {
            f.line[x.ix()] = true;
        }
        if let Some(x) = lot.site {
            f.site[x.ix()] = true;
        }
    }
    f
}

/// Dense source numbers for the flags, lots first, then suppliers, lines
/// and sites.
fn number_sources(flags: &Flags) -> (Vec<Source>, Numbers) {
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
    let lot = number(&flags.lot, &|i| Source::Lot(LotIx::from_ix(i)));
    let supplier = number(&flags.supplier, &|i| {
        Source::Supplier(SupplierIx::from_ix(i))
    });
    let line = number(&flags.line, &|i| Source::Line(LineIx::from_ix(i)));
    let site = number(&flags.site, &|i| Source::Site(SiteIx::from_ix(i)));
    let numbers = Numbers {
        lot,
        supplier,
        line,
        site,
    };
    (sources, numbers)
}

/// The lots of each source, in one pass over the lots (not one pass per
/// candidate).
fn members_of(ds: &Dataset, no: &Numbers, n_sources: usize) -> Vec<Vec<LotIx>> {
    let mut members: Vec<Vec<LotIx>> = vec![Vec::new(); n_sources];
    for (i, lot) in ds.lots.iter().enumerate() {
        let l = LotIx::from_ix(i);
        let mut add = |no: u32| {
            if no != NONE {
                members[no as usize].push(l);
            }
        };
        add(no.lot[i]);
        if let (Origin::Supplied, Some(s)) = (lot.origin, lot.supplier) {
            add(no.supplier[s.ix()]);
        }
        if let Some(x) = lot.line {
            add(no.line[x.ix()]);
        }
        if let Some(x) = lot.site {
            add(no.site[x.ix()]);
        }
    }
    members
}

impl Walks {
    /// Enumerates the candidates and walks each once. With `by_sku`, each
    /// walk also counts the SKUs of the population lots it reaches.
    pub(super) fn new(
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
        let mut upstream = vec![false; n_lots];
        Tracer::new(g).reach(complaints, Direction::Upstream, |l| upstream[l.ix()] = true);
        let flags = candidate_flags(ds, g, &upstream, &is_complaint);
        let (sources, numbers) = number_sources(&flags);
        let members = members_of(ds, &numbers, sources.len());
        let mut w = Walks {
            work: 0,
            is_complaint,
            in_pop,
            n_pop,
            n_c,
            upstream,
            sources,
            members,
            reached: Vec::new(),
        };
        let (reached, work) = w.reach_all(ds, g, &flags.lot, by_sku);
        w.reached = reached;
        w.work = work;
        w
    }

    /// What every source reaches, and the work of finding it: lots whose
    /// downstream closure is a tree are counted as trees, every other
    /// source is walked (in parallel).
    fn reach_all(
        &self,
        ds: &Dataset,
        g: &Genealogy,
        lot_src: &[bool],
        by_sku: bool,
    ) -> (Vec<Reached>, u64) {
        let sku_of: Vec<u32> = ds.lots.iter().map(|l| l.sku.0).collect();
        let n_skus = ds.products.len();
        let (in_pop, is_complaint) = (&self.in_pop, &self.is_complaint);
        let pop = |l: LotIx| in_pop[l.ix()];
        let complaint = |l: LotIx| is_complaint[l.ix()];
        let wanted = |l: LotIx| lot_src[l.ix()];
        let (mut pre, tree_work) = tree_reached(g, &pop, &complaint, &wanted, &sku_of, by_sku);
        // Trees were counted above; only the other sources are walked.
        let walked: Vec<usize> = (0..self.sources.len())
            .filter(|&i| match self.sources[i] {
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
                tracer.reach(&self.members[i], Direction::Downstream, |l| {
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
        let reached: Vec<Reached> = self
            .sources
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
        (reached, work)
    }

    /// The sources that reach at least one complaint lot.
    pub(super) fn active(&self) -> Vec<usize> {
        (0..self.sources.len())
            .filter(|i| !self.reached[*i].hits.is_empty())
            .collect()
    }

    /// The hypergeometric candidate of source `i`.
    pub(super) fn hypergeometric(&self, i: usize) -> Candidate {
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
