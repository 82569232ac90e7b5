//! Reach by dynamic programming: what every lot whose downstream closure
//! is a tree reaches, counted from the sinks up in O(lots + edges) instead
//! of one walk per lot (which made a 200k-lot chain quadratic).

use crate::graph::Genealogy;
use crate::model::LotIx;

/// What one candidate reaches.
#[derive(Clone, Debug, Default)]
pub(super) struct Reached {
    /// Complaint lots, sorted by lot id.
    pub(super) hits: Vec<LotIx>,
    /// Population lots (complaint lots included).
    pub(super) n: u64,
    /// (SKU, population lots of that SKU), sorted by SKU; empty unless asked.
    pub(super) skus: Vec<(u32, u32)>,
    /// Lots a walk visited to find this (0 when counted as a tree).
    pub(super) visited: u64,
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
pub(super) fn tree_reached(
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
