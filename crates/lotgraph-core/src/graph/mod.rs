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

use crate::model::{Category, Dataset, LotIx};
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
/// `targets[offsets[v]..offsets[v + 1]]`, with a quantity and a share
/// weight per edge.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Csr {
    offsets: Col<u64>,
    targets: Col<LotIx>,
    quantities: Col<f64>,
    /// w(input → output) of record-format.md's share rule, the same in
    /// both directions' CSR.
    weights: Col<f64>,
}

impl Csr {
    /// Builds from `(from, to, quantity, weight)` edges over `n` nodes,
    /// merging parallel edges by summing their quantities (and weights).
    /// O(n + e log d) where d is the largest degree (each row is sorted on
    /// its own).
    fn build(n: usize, edges: &[(LotIx, LotIx, f64, f64)]) -> Csr {
        let mut counts = vec![0u64; n + 1];
        for (from, _, _, _) in edges {
            counts[from.ix() + 1] += 1;
        }
        for i in 0..n {
            counts[i + 1] += counts[i];
        }
        let mut fill = counts.clone();
        let mut raw: Vec<(LotIx, f64, f64)> = vec![(LotIx(0), 0.0, 0.0); edges.len()];
        for (from, to, q, w) in edges {
            let slot = &mut fill[from.ix()];
            raw[*slot as usize] = (*to, *q, *w);
            *slot += 1;
        }
        // Sort each row by target and merge duplicates.
        let mut offsets = Vec::with_capacity(n + 1);
        let mut targets = Vec::with_capacity(edges.len());
        let mut quantities = Vec::with_capacity(edges.len());
        let mut weights = Vec::with_capacity(edges.len());
        offsets.push(0u64);
        for v in 0..n {
            let row = &mut raw[counts[v] as usize..counts[v + 1] as usize];
            row.sort_unstable_by_key(|(t, _, _)| *t);
            let row_start = targets.len();
            for (t, q, w) in row.iter() {
                if targets.len() > row_start && targets.last() == Some(t) {
                    if let (Some(lq), Some(lw)) = (quantities.last_mut(), weights.last_mut()) {
                        *lq += *q;
                        *lw += *w;
                    }
                } else {
                    targets.push(*t);
                    quantities.push(*q);
                    weights.push(*w);
                }
            }
            offsets.push(targets.len() as u64);
        }
        Csr {
            offsets: offsets.into(),
            targets: targets.into(),
            quantities: quantities.into(),
            weights: weights.into(),
        }
    }

    /// Builds from stored arrays (a snapshot's). Nothing is checked here
    /// beyond what reading needs: a damaged row reads as having no
    /// neighbours, never out of bounds.
    pub fn from_parts(
        offsets: Col<u64>,
        targets: Col<LotIx>,
        quantities: Col<f64>,
        weights: Col<f64>,
    ) -> Csr {
        Csr {
            offsets,
            targets,
            quantities,
            weights,
        }
    }

    /// The four arrays, for writing a snapshot.
    pub fn parts(&self) -> (&Col<u64>, &Col<LotIx>, &Col<f64>, &Col<f64>) {
        (
            &self.offsets,
            &self.targets,
            &self.quantities,
            &self.weights,
        )
    }

    /// The edge positions of `v`: empty when `v` is out of range or the
    /// offsets are damaged.
    #[inline]
    fn row(&self, v: LotIx) -> std::ops::Range<usize> {
        let len = self
            .targets
            .len()
            .min(self.quantities.len())
            .min(self.weights.len());
        match (self.offsets.get(v.ix()), self.offsets.get(v.ix() + 1)) {
            (Some(&a), Some(&b)) if a <= b && b as usize <= len => a as usize..b as usize,
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

    /// The share weights w(input → output) of `v`'s edges, aligned with
    /// `neighbors(v)`.
    #[inline]
    pub fn weights(&self, v: LotIx) -> &[f64] {
        &self.weights[self.row(v)]
    }

    /// `(neighbour, quantity)` pairs of `v`.
    #[inline]
    pub fn edges(&self, v: LotIx) -> impl Iterator<Item = (LotIx, f64)> + '_ {
        self.neighbors(v)
            .iter()
            .copied()
            .zip(self.quantities(v).iter().copied())
    }

    /// `(neighbour, quantity, weight)` of `v`'s edges.
    #[inline]
    pub fn weighted_edges(&self, v: LotIx) -> impl Iterator<Item = (LotIx, f64, f64)> + '_ {
        let r = self.row(v);
        self.targets[r.clone()]
            .iter()
            .zip(&self.quantities[r.clone()])
            .zip(&self.weights[r])
            .map(|((t, q), w)| (*t, *q, *w))
    }

    /// Out-degree of `v`.
    #[inline]
    pub fn degree(&self, v: LotIx) -> usize {
        self.row(v).len()
    }
}

/// How the weights of a lot's content inputs were computed
/// (record-format.md, "Shares").
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ShareBasis {
    /// Every content input has a known mass: weights are mass fractions.
    Mass,
    /// Some content input has no known mass: weights are fractions of the
    /// recorded quantities (the v1 rule, restricted to content).
    Recorded,
}

impl ShareBasis {
    /// The contract's spelling: `mass` or `recorded`.
    pub fn as_str(self) -> &'static str {
        match self {
            ShareBasis::Mass => "mass",
            ShareBasis::Recorded => "recorded",
        }
    }

    /// Stored code: 0 is "no inputs".
    fn code(b: Option<ShareBasis>) -> u8 {
        match b {
            None => 0,
            Some(ShareBasis::Mass) => 1,
            Some(ShareBasis::Recorded) => 2,
        }
    }

    fn from_code(c: u8) -> Option<ShareBasis> {
        match c {
            1 => Some(ShareBasis::Mass),
            2 => Some(ShareBasis::Recorded),
            _ => None,
        }
    }
}

/// What an input lot is to the steps it enters, from its SKU.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum InputRole {
    /// Material of the output; `kg` is the mass of one recorded unit when
    /// known.
    Content { kg: Option<f64> },
    /// Packaging of the SKU `sku` (any id that is equal for lots of one
    /// SKU): weighted by coverage among packaging inputs of that SKU.
    Packaging { sku: u32 },
}

/// The lot genealogy in both directions, with the share weight of every
/// edge and, per lot, the basis of its own step.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Genealogy {
    /// For each lot, the lots consumed into it.
    inputs: Csr,
    /// For each lot, the lots it was consumed into.
    outputs: Csr,
    /// `ShareBasis` code of each lot's step (0: no inputs).
    basis: Col<u8>,
    /// Σ over each lot's content inputs of their mass (basis mass) or
    /// recorded quantity (basis recorded): the content weights'
    /// denominator; 0 for lots without content inputs.
    content_total: Col<f64>,
}

impl Genealogy {
    /// Builds the genealogy of `n` lots from `(input, output, quantity)`
    /// edges, every input content of unknown mass: weights are q / Σ q
    /// (basis recorded). Parallel edges (the same input consumed twice into
    /// the same output) are merged by summing. O(n + e log d).
    pub fn build(n: usize, edges: impl IntoIterator<Item = (LotIx, LotIx, f64)>) -> Genealogy {
        Genealogy::build_with_roles(n, edges, |_| InputRole::Content { kg: None })
    }

    /// Builds the genealogy with record-format.md's share rule: `role(i)`
    /// says whether lot `i` is content (with its mass per unit) or
    /// packaging. O(n + e log d).
    pub fn build_with_roles(
        n: usize,
        edges: impl IntoIterator<Item = (LotIx, LotIx, f64)>,
        role: impl Fn(LotIx) -> InputRole,
    ) -> Genealogy {
        let rev: Vec<(LotIx, LotIx, f64, f64)> =
            edges.into_iter().map(|(i, o, q)| (o, i, q, 0.0)).collect();
        let mut inputs = Csr::build(n, &rev);
        drop(rev);
        let mut basis = vec![0u8; n];
        let mut content_total = vec![0.0; n];
        let mut weights = vec![0.0; inputs.edge_count()];
        // One buffer for every lot's input roles, not an allocation per lot.
        let mut roles = Vec::new();
        for v in 0..n {
            let l = LotIx::from_ix(v);
            let r = inputs.row(l);
            roles.clear();
            roles.extend(inputs.targets[r.clone()].iter().map(|t| role(*t)));
            let (b, total) = step_weights(&roles, &inputs.quantities[r.clone()], &mut weights[r]);
            basis[v] = ShareBasis::code(b);
            content_total[v] = total;
        }
        inputs.weights = weights.into();
        let mut fwd = Vec::with_capacity(inputs.edge_count());
        for v in 0..n {
            let o = LotIx::from_ix(v);
            for (i, q, w) in inputs.weighted_edges(o) {
                fwd.push((i, o, q, w));
            }
        }
        let outputs = Csr::build(n, &fwd);
        Genealogy {
            inputs,
            outputs,
            basis: basis.into(),
            content_total: content_total.into(),
        }
    }

    /// Builds from stored parts (a snapshot's): O(1).
    pub fn from_parts(
        inputs: Csr,
        outputs: Csr,
        basis: Col<u8>,
        content_total: Col<f64>,
    ) -> Genealogy {
        Genealogy {
            inputs,
            outputs,
            basis,
            content_total,
        }
    }

    /// The stored parts, for writing a snapshot.
    pub fn parts(&self) -> (&Csr, &Csr, &Col<u8>, &Col<f64>) {
        (
            &self.inputs,
            &self.outputs,
            &self.basis,
            &self.content_total,
        )
    }

    /// Builds the genealogy of a dataset's consumptions, each input's role
    /// from its SKU (category `packaging`, mass per unit `kg_per_uom`).
    pub fn from_dataset(ds: &Dataset) -> Genealogy {
        let products = &ds.products;
        let sku = &ds.lots.sku;
        Genealogy::build_with_roles(
            ds.lots.len(),
            ds.consumptions
                .iter()
                .map(|c| (c.input, c.output, c.quantity)),
            |l| match sku
                .get(l.ix())
                .and_then(|s| products.get(s.ix()).map(|p| (s, p)))
            {
                Some((s, p)) if p.category == Some(Category::Packaging) => {
                    InputRole::Packaging { sku: s.0 }
                }
                Some((_, p)) => InputRole::Content { kg: p.kg_per_uom },
                None => InputRole::Content { kg: None },
            },
        )
    }

    /// Number of lots.
    pub fn lot_count(&self) -> usize {
        self.basis.len()
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

    /// The basis of `lot`'s own step; `None` when it has no inputs.
    #[inline]
    pub fn basis(&self, lot: LotIx) -> Option<ShareBasis> {
        self.basis
            .get(lot.ix())
            .and_then(|c| ShareBasis::from_code(*c))
    }

    /// The denominator of `lot`'s content weights: Σ content input mass
    /// (basis mass) or recorded quantity (basis recorded); 0 without
    /// content inputs.
    #[inline]
    pub fn content_total(&self, lot: LotIx) -> f64 {
        self.content_total.get(lot.ix()).copied().unwrap_or(0.0)
    }

    /// Does any lot consume itself, directly or through other lots?
    pub fn has_cycle(&self) -> bool {
        self.check_acyclic().is_err()
    }

    /// Ok when the genealogy is a DAG; otherwise names every lot that lies
    /// on a cycle (Kosaraju's SCC through petgraph: its DFS keeps an
    /// explicit stack, where Tarjan's recursion overflowed the thread's
    /// stack on a cycle through 150k lots). O(n + e).
    pub fn check_acyclic(&self) -> Result<(), GraphError> {
        if petgraph::algo::toposort(self, None).is_ok() {
            return Ok(());
        }
        let mut lots: Vec<LotIx> = petgraph::algo::kosaraju_scc(self)
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

/// Weights of one step's inputs (their `roles`, merged `quantities`) into
/// `weights`, by record-format.md's rule; returns the step's basis and the
/// content denominator. O(d²) in the step's degree d for the packaging
/// groups, which stay tiny (a few packaging SKUs per step).
fn step_weights(
    roles: &[InputRole],
    quantities: &[f64],
    weights: &mut [f64],
) -> (Option<ShareBasis>, f64) {
    if roles.is_empty() {
        return (None, 0.0);
    }
    let all_mass = roles
        .iter()
        .all(|r| !matches!(r, InputRole::Content { kg: None }));
    let basis = if all_mass {
        ShareBasis::Mass
    } else {
        ShareBasis::Recorded
    };
    let amount = |k: usize| match roles[k] {
        InputRole::Content { kg: Some(kg) } if all_mass => quantities[k] * kg,
        _ => quantities[k],
    };
    let total: f64 = (0..roles.len())
        .filter(|k| matches!(roles[*k], InputRole::Content { .. }))
        .map(amount)
        .sum();
    for k in 0..roles.len() {
        weights[k] = match roles[k] {
            InputRole::Content { .. } if total > 0.0 => amount(k) / total,
            InputRole::Content { .. } => 0.0,
            InputRole::Packaging { sku } => {
                let same: f64 = (0..roles.len())
                    .filter(|j| roles[*j] == InputRole::Packaging { sku })
                    .map(|j| quantities[j])
                    .sum();
                if same > 0.0 {
                    quantities[k] / same
                } else {
                    0.0
                }
            }
        };
    }
    (Some(basis), total)
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
        assert_eq!(g.inputs().weights(l(2)), &[4.0 / 6.0, 2.0 / 6.0]);
        assert_eq!(g.outputs().weights(l(0)), &[4.0 / 6.0]);
        assert_eq!(g.content_total(l(2)), 6.0);
        assert_eq!(g.basis(l(2)), Some(ShareBasis::Recorded));
        assert_eq!(g.basis(l(0)), None);
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
    fn weights_follow_mass_and_packaging_coverage() {
        // Lot 4 = 100 kg of mash (0) + 500 g of salt (1, recorded in g)
        // + 1000 tubs from two tub lots (2: 600, 3: 400).
        let roles = |x: LotIx| match x.0 {
            0 => InputRole::Content { kg: Some(1.0) },
            1 => InputRole::Content { kg: Some(0.001) },
            _ => InputRole::Packaging { sku: 7 },
        };
        let g = Genealogy::build_with_roles(
            5,
            [
                (l(0), l(4), 100.0),
                (l(1), l(4), 500.0),
                (l(2), l(4), 600.0),
                (l(3), l(4), 400.0),
            ],
            roles,
        );
        let w = g.inputs().weights(l(4));
        assert!((w[0] - 100.0 / 100.5).abs() < 1e-12);
        assert!((w[1] - 0.5 / 100.5).abs() < 1e-12);
        assert_eq!(&w[2..], &[0.6, 0.4]);
        assert_eq!(g.basis(l(4)), Some(ShareBasis::Mass));
        assert_eq!(g.content_total(l(4)), 100.5);
        // An input of unknown mass turns the step to the recorded basis.
        let g = Genealogy::build_with_roles(3, [(l(0), l(2), 30.0), (l(1), l(2), 10.0)], |x| {
            InputRole::Content {
                kg: (x.0 == 0).then_some(2.0),
            }
        });
        assert_eq!(g.inputs().weights(l(2)), &[0.75, 0.25]);
        assert_eq!(g.basis(l(2)), Some(ShareBasis::Recorded));
    }

    #[test]
    fn levels_measure_depth() {
        let g = Genealogy::build(4, [(l(0), l(1), 1.0), (l(1), l(2), 1.0), (l(0), l(2), 1.0)]);
        assert_eq!(g.levels().unwrap(), vec![0, 1, 2, 0]);
    }
}
