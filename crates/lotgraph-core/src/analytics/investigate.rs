//! Common-source investigation: given complaint lots, which upstream source
//! explains them best?
//!
//! Candidates are every lot upstream of a complaint lot (supplier lots and
//! produced intermediates), the suppliers of those lots, and the lines and
//! sites that made or held them (complaint lots included). A candidate
//! *reaches* the lots downstream of its own lots (its own lots included).
//! The population is every lot shipped to a customer or returned, plus the
//! complaint lots. For a candidate reaching n population lots, k of them
//! complaint lots, the evidence is the hypergeometric tail
//! p = P(K ≥ k) when drawing n of the N population lots of which |C| are
//! complaint lots: how surprising it would be for a source unrelated to the
//! complaints to reach that many of them. Candidates are ranked by p
//! (ascending), then k (descending), then other lots reached (ascending),
//! then kind and id; `score` = −log10 p.

use super::stats::ln_hypergeom_upper_tail;
use crate::graph::{Direction, Genealogy, Tracer};
use crate::model::{Dataset, Destination, LineIx, LotIx, Origin, SiteIx, SupplierIx};

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
}

impl Source {
    /// The contract's `kind` spelling.
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Lot(_) => "lot",
            Source::Supplier(_) => "supplier",
            Source::Line(_) => "line",
            Source::Site(_) => "site",
        }
    }

    /// The candidate's id as users know it (a line as `name`, or
    /// `name@site` when several sites have a line of that name).
    pub fn id<'a>(&self, ds: &'a Dataset) -> std::borrow::Cow<'a, str> {
        use std::borrow::Cow;
        match *self {
            Source::Lot(l) => Cow::Borrowed(&ds.lot(l).id),
            Source::Supplier(s) => Cow::Borrowed(&ds.suppliers[s.ix()].id),
            Source::Line(l) => Cow::Owned(ds.line_label(l)),
            Source::Site(s) => Cow::Borrowed(&ds.sites[s.ix()].id),
        }
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
    /// ln of the hypergeometric tail probability.
    pub ln_p: f64,
    /// −log10 p: higher is a better explanation.
    pub score: f64,
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

/// Ranks every candidate source of `complaints`, best first.
/// O(C + Σ over candidates of their downstream closure).
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
/// ```
pub fn investigate(
    ds: &Dataset,
    g: &Genealogy,
    complaints: &[LotIx],
    population: &[bool],
) -> Vec<Candidate> {
    let mut is_complaint = vec![false; ds.lots.len()];
    for c in complaints {
        is_complaint[c.ix()] = true;
    }
    let n_pop = population
        .iter()
        .zip(&is_complaint)
        .filter(|(p, c)| **p || **c)
        .count() as u64;
    let n_c = is_complaint.iter().filter(|c| **c).count() as u64;
    let mut tracer = Tracer::new(g);
    // Candidate sources from the upstream closure of the complaints.
    let mut sources: Vec<Source> = Vec::new();
    let mut upstream: Vec<LotIx> = Vec::new();
    tracer.reach(complaints, Direction::Upstream, |l| upstream.push(l));
    for &l in &upstream {
        let lot = ds.lot(l);
        if !is_complaint[l.ix()] || g.outputs().degree(l) > 0 {
            sources.push(Source::Lot(l));
        }
        if let (Origin::Supplied, Some(s)) = (lot.origin, lot.supplier) {
            sources.push(Source::Supplier(s));
        }
        if let Some(line) = lot.line {
            sources.push(Source::Line(line));
        }
        if let Some(site) = lot.site {
            sources.push(Source::Site(site));
        }
    }
    sources.sort();
    sources.dedup();
    // Lots of each group source, collected in one pass over the lots
    // (not one pass per candidate: suppliers, lines and sites can be many).
    let index: std::collections::HashMap<Source, usize> =
        sources.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let mut members: Vec<Vec<LotIx>> = vec![Vec::new(); sources.len()];
    for (i, lot) in ds.lots.iter().enumerate() {
        let l = LotIx::from_ix(i);
        let mut add = |s: Source| {
            if let Some(&k) = index.get(&s) {
                members[k].push(l);
            }
        };
        add(Source::Lot(l));
        if let (Origin::Supplied, Some(s)) = (lot.origin, lot.supplier) {
            add(Source::Supplier(s));
        }
        if let Some(x) = lot.line {
            add(Source::Line(x));
        }
        if let Some(x) = lot.site {
            add(Source::Site(x));
        }
    }
    // Each candidate is one forward walk; the walks are independent, so
    // they are spread over the machine's cores, one Tracer per thread.
    let evaluate = |tracer: &mut Tracer, source: Source, roots: &[LotIx]| {
        let mut hit: Vec<LotIx> = Vec::new();
        let mut n = 0u64;
        tracer.reach(roots, Direction::Downstream, |l| {
            if is_complaint[l.ix()] {
                hit.push(l);
                n += 1;
            } else if population[l.ix()] {
                n += 1;
            }
        });
        let k = hit.len() as u64;
        let ln_p = ln_hypergeom_upper_tail(k, n_pop, n_c, n);
        hit.sort_by(|a, b| ds.lot(*a).id.cmp(&ds.lot(*b).id));
        Candidate {
            source,
            complaint_lots: hit,
            other_lots_reached: n - k,
            ln_p,
            score: -ln_p / std::f64::consts::LN_10,
        }
    };
    let work: Vec<(Source, Vec<LotIx>)> = sources.into_iter().zip(members).collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(work.len().div_ceil(64).max(1));
    let mut out: Vec<Candidate> = if threads <= 1 {
        work.iter()
            .map(|(s, r)| evaluate(&mut tracer, *s, r))
            .collect()
    } else {
        drop(tracer);
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let work = &work;
                    let evaluate = &evaluate;
                    scope.spawn(move || {
                        let mut tracer = Tracer::new(g);
                        // Interleaved so that the few huge group walks spread out.
                        work.iter()
                            .skip(t)
                            .step_by(threads)
                            .map(|(s, r)| evaluate(&mut tracer, *s, r))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    };
    out.retain(|c| !c.complaint_lots.is_empty());
    out.sort_by(|a, b| {
        a.ln_p
            .total_cmp(&b.ln_p)
            .then_with(|| b.complaint_lots.len().cmp(&a.complaint_lots.len()))
            .then_with(|| a.other_lots_reached.cmp(&b.other_lots_reached))
            .then_with(|| a.source.kind().cmp(b.source.kind()))
            .then_with(|| a.source.id(ds).cmp(&b.source.id(ds)))
    });
    out
}
