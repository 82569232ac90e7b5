//! The genealogy graph: lots as nodes, consumptions (input → output, with
//! quantity) as edges, stored as two CSR adjacency structures (inputs of each
//! output, outputs of each input) over dense `LotIx` ids.
//!
//! Why CSR: every trace touches only the closure it returns, and walking
//! contiguous slices is many times faster than petgraph's linked edge lists
//! on graphs with millions of edges. petgraph's algorithms (toposort,
//! Tarjan's SCC) still run on it: `&Genealogy` implements petgraph's visit
//! traits.

pub mod petgraph_impl;
pub mod trace;

use crate::model::{Dataset, LotIx};
use crate::store::Col;

pub use trace::{Direction, Trace, TraceLot, Tracer};

/// Errors about the shape of the genealogy.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GraphError {
    /// The genealogy has cycles; `lots` lists every lot on one (unsorted).
    #[error("genealogy has a cycle through {} lot(s)", lots.len())]
    Cycle { lots: Vec<LotIx> },
}

/// Compressed sparse rows: the neighbours of node `v` are
/// `targets[offsets[v]..offsets[v + 1]]`, with a quantity per edge.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Csr {
    offsets: Col<u64>,
    targets: Col<LotIx>,
    quantities: Col<f64>,
}

impl Csr {
    /// Builds from `(from, to, quantity)` edges over `n` nodes, merging
    /// parallel edges by summing their quantities. O(n + e log d) where d is
    /// the largest degree (each row is sorted on its own).
    fn build(n: usize, edges: &[(LotIx, LotIx, f64)]) -> Csr {
        let mut counts = vec![0u64; n + 1];
        for (from, _, _) in edges {
            counts[from.ix() + 1] += 1;
        }
        for i in 0..n {
            counts[i + 1] += counts[i];
        }
        let mut fill = counts.clone();
        let mut raw: Vec<(LotIx, f64)> = vec![(LotIx(0), 0.0); edges.len()];
        for (from, to, q) in edges {
            let slot = &mut fill[from.ix()];
            raw[*slot as usize] = (*to, *q);
            *slot += 1;
        }
        // Sort each row by target and merge duplicates.
        let mut offsets = Vec::with_capacity(n + 1);
        let mut targets = Vec::with_capacity(edges.len());
        let mut quantities = Vec::with_capacity(edges.len());
        offsets.push(0u64);
        for v in 0..n {
            let row = &mut raw[counts[v] as usize..counts[v + 1] as usize];
            row.sort_unstable_by_key(|(t, _)| *t);
            for (t, q) in row.iter() {
                if targets.len() as u64 > *offsets.last().unwrap_or(&0) && targets.last() == Some(t)
                {
                    if let Some(last) = quantities.last_mut() {
                        *last += *q;
                    }
                } else {
                    targets.push(*t);
                    quantities.push(*q);
                }
            }
            offsets.push(targets.len() as u64);
        }
        Csr {
            offsets: offsets.into(),
            targets: targets.into(),
            quantities: quantities.into(),
        }
    }

    /// Builds from stored arrays (a snapshot's). Nothing is checked here
    /// beyond what reading needs: a damaged row reads as having no
    /// neighbours, never out of bounds.
    pub fn from_parts(offsets: Col<u64>, targets: Col<LotIx>, quantities: Col<f64>) -> Csr {
        Csr {
            offsets,
            targets,
            quantities,
        }
    }

    /// The three arrays, for writing a snapshot.
    pub fn parts(&self) -> (&Col<u64>, &Col<LotIx>, &Col<f64>) {
        (&self.offsets, &self.targets, &self.quantities)
    }

    /// The edge positions of `v`: empty when `v` is out of range or the
    /// offsets are damaged.
    #[inline]
    fn row(&self, v: LotIx) -> std::ops::Range<usize> {
        match (self.offsets.get(v.ix()), self.offsets.get(v.ix() + 1)) {
            (Some(&a), Some(&b))
                if a <= b && b as usize <= self.targets.len().min(self.quantities.len()) =>
            {
                a as usize..b as usize
            }
            _ => 0..0,
        }
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Number of (merged) edges.
    pub fn edge_count(&self) -> usize {
        self.targets.len()
    }

    /// The neighbours of `v`.
    #[inline]
    pub fn neighbors(&self, v: LotIx) -> &[LotIx] {
        &self.targets[self.row(v)]
    }

    /// The quantities on `v`'s edges, aligned with `neighbors(v)`.
    #[inline]
    pub fn quantities(&self, v: LotIx) -> &[f64] {
        &self.quantities[self.row(v)]
    }

    /// `(neighbour, quantity)` pairs of `v`.
    #[inline]
    pub fn edges(&self, v: LotIx) -> impl Iterator<Item = (LotIx, f64)> + '_ {
        self.neighbors(v)
            .iter()
            .copied()
            .zip(self.quantities(v).iter().copied())
    }

    /// Out-degree of `v`.
    #[inline]
    pub fn degree(&self, v: LotIx) -> usize {
        self.row(v).len()
    }
}

/// The lot genealogy in both directions, plus the total input quantity of
/// every lot (the denominator of every share).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Genealogy {
    /// For each lot, the lots consumed into it.
    inputs: Csr,
    /// For each lot, the lots it was consumed into.
    outputs: Csr,
    /// Σ quantity of every input of each lot (0 for lots without inputs).
    input_total: Col<f64>,
}

impl Genealogy {
    /// Builds the genealogy of `n` lots from `(input, output, quantity)`
    /// edges. Parallel edges (the same input consumed twice into the same
    /// output) are merged by summing. O(n + e log d).
    pub fn build(n: usize, edges: impl IntoIterator<Item = (LotIx, LotIx, f64)>) -> Genealogy {
        let fwd: Vec<(LotIx, LotIx, f64)> = edges.into_iter().collect();
        let outputs = Csr::build(n, &fwd);
        let rev: Vec<(LotIx, LotIx, f64)> = fwd.iter().map(|(i, o, q)| (*o, *i, *q)).collect();
        drop(fwd);
        let inputs = Csr::build(n, &rev);
        let input_total = (0..n)
            .map(|v| inputs.quantities(LotIx::from_ix(v)).iter().sum())
            .collect();
        Genealogy {
            inputs,
            outputs,
            input_total,
        }
    }

    /// Builds from stored parts (a snapshot's): O(1).
    pub fn from_parts(inputs: Csr, outputs: Csr, input_total: Col<f64>) -> Genealogy {
        Genealogy {
            inputs,
            outputs,
            input_total,
        }
    }

    /// The stored parts, for writing a snapshot.
    pub fn parts(&self) -> (&Csr, &Csr, &Col<f64>) {
        (&self.inputs, &self.outputs, &self.input_total)
    }

    /// Builds the genealogy of a dataset's consumptions.
    pub fn from_dataset(ds: &Dataset) -> Genealogy {
        Genealogy::build(
            ds.lots.len(),
            ds.consumptions
                .iter()
                .map(|c| (c.input, c.output, c.quantity)),
        )
    }

    /// Number of lots.
    pub fn lot_count(&self) -> usize {
        self.input_total.len()
    }

    /// Number of distinct (input, output) pairs.
    pub fn edge_count(&self) -> usize {
        self.outputs.edge_count()
    }

    /// The lots consumed into `lot`.
    pub fn inputs(&self) -> &Csr {
        &self.inputs
    }

    /// The lots `lot` was consumed into.
    pub fn outputs(&self) -> &Csr {
        &self.outputs
    }

    /// Σ of the input quantities of `lot` (0 when it has none).
    #[inline]
    pub fn input_total(&self, lot: LotIx) -> f64 {
        self.input_total.get(lot.ix()).copied().unwrap_or(0.0)
    }

    /// The fraction of `output` that derives directly from input edge
    /// quantity `q`: `q / Σ inputs of output`.
    #[inline]
    pub fn fraction(&self, q: f64, output: LotIx) -> f64 {
        q / self.input_total(output)
    }

    /// Does any lot consume itself, directly or through other lots?
    pub fn has_cycle(&self) -> bool {
        self.check_acyclic().is_err()
    }

    /// Ok when the genealogy is a DAG; otherwise names every lot that lies
    /// on a cycle (Tarjan's SCC through petgraph). O(n + e).
    pub fn check_acyclic(&self) -> Result<(), GraphError> {
        if petgraph::algo::toposort(self, None).is_ok() {
            return Ok(());
        }
        let mut lots: Vec<LotIx> = petgraph::algo::tarjan_scc(self)
            .into_iter()
            .filter(|scc| scc.len() > 1 || self.outputs.neighbors(scc[0]).contains(&scc[0]))
            .flatten()
            .collect();
        lots.sort();
        Err(GraphError::Cycle { lots })
    }

    /// Lots in an order where every input comes before its outputs
    /// (petgraph's DFS toposort). O(n + e).
    pub fn topological_order(&self) -> Result<Vec<LotIx>, GraphError> {
        petgraph::algo::toposort(self, None).map_err(|_| match self.check_acyclic() {
            Err(e) => e,
            Ok(()) => GraphError::Cycle { lots: Vec::new() },
        })
    }

    /// The level of every lot: 0 for lots without inputs, else one more than
    /// its deepest input. The maximum is the depth of the genealogy. O(n + e).
    pub fn levels(&self) -> Result<Vec<u32>, GraphError> {
        let order = self.topological_order()?;
        let mut level = vec![0u32; self.lot_count()];
        for v in order {
            let l = self
                .inputs
                .neighbors(v)
                .iter()
                .map(|i| level[i.ix()] + 1)
                .max()
                .unwrap_or(0);
            level[v.ix()] = l;
        }
        Ok(level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(i: u32) -> LotIx {
        LotIx(i)
    }

    #[test]
    fn csr_merges_parallel_edges() {
        let g = Genealogy::build(3, [(l(0), l(2), 1.0), (l(1), l(2), 2.0), (l(0), l(2), 3.0)]);
        assert_eq!(g.inputs().neighbors(l(2)), &[l(0), l(1)]);
        assert_eq!(g.inputs().quantities(l(2)), &[4.0, 2.0]);
        assert_eq!(g.outputs().neighbors(l(0)), &[l(2)]);
        assert_eq!(g.input_total(l(2)), 6.0);
        assert_eq!(g.edge_count(), 2);
    }

    #[test]
    fn cycles_name_every_lot_on_them() {
        let g = Genealogy::build(
            5,
            [
                (l(0), l(1), 1.0),
                (l(1), l(2), 1.0),
                (l(2), l(0), 1.0),
                (l(3), l(4), 1.0),
            ],
        );
        assert_eq!(
            g.check_acyclic(),
            Err(GraphError::Cycle {
                lots: vec![l(0), l(1), l(2)]
            })
        );
        let self_loop = Genealogy::build(2, [(l(1), l(1), 1.0)]);
        assert_eq!(
            self_loop.check_acyclic(),
            Err(GraphError::Cycle { lots: vec![l(1)] })
        );
    }

    #[test]
    fn levels_measure_depth() {
        let g = Genealogy::build(4, [(l(0), l(1), 1.0), (l(1), l(2), 1.0), (l(0), l(2), 1.0)]);
        assert_eq!(g.levels().unwrap(), vec![0, 1, 2, 0]);
    }
}
