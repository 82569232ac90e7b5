//! petgraph's visit traits for `&Genealogy`, so that petgraph's algorithms
//! (toposort, Tarjan's SCC, DFS) run directly on the CSR arrays without
//! copying the genealogy into a petgraph `Graph`. Edges point input → output.

use super::Genealogy;
use crate::model::LotIx;
use fixedbitset::FixedBitSet;
use petgraph::Direction;
use petgraph::visit::{
    GraphBase, IntoNeighbors, IntoNeighborsDirected, IntoNodeIdentifiers, NodeCount, NodeIndexable,
    Visitable,
};

// SAFETY: `LotIx` is a plain `u32` newtype; `new`/`index` round-trip and
// `max` is the largest representable value, as `IndexType` requires.
unsafe impl petgraph::graph::IndexType for LotIx {
    #[inline]
    fn new(x: usize) -> Self {
        LotIx(x as u32)
    }
    #[inline]
    fn index(&self) -> usize {
        self.0 as usize
    }
    #[inline]
    fn max() -> Self {
        LotIx(u32::MAX)
    }
}

impl GraphBase for Genealogy {
    type NodeId = LotIx;
    /// Edges are identified by their position in the outputs CSR.
    type EdgeId = usize;
}

impl<'a> IntoNeighbors for &'a Genealogy {
    type Neighbors = std::iter::Copied<std::slice::Iter<'a, LotIx>>;
    fn neighbors(self, a: LotIx) -> Self::Neighbors {
        self.outputs.neighbors(a).iter().copied()
    }
}

impl<'a> IntoNeighborsDirected for &'a Genealogy {
    type NeighborsDirected = std::iter::Copied<std::slice::Iter<'a, LotIx>>;
    fn neighbors_directed(self, a: LotIx, d: Direction) -> Self::NeighborsDirected {
        match d {
            Direction::Outgoing => self.outputs.neighbors(a).iter().copied(),
            Direction::Incoming => self.inputs.neighbors(a).iter().copied(),
        }
    }
}

impl IntoNodeIdentifiers for &Genealogy {
    type NodeIdentifiers = std::iter::Map<std::ops::Range<usize>, fn(usize) -> LotIx>;
    fn node_identifiers(self) -> Self::NodeIdentifiers {
        (0..self.lot_count()).map(LotIx::from_ix as fn(usize) -> LotIx)
    }
}

impl NodeIndexable for Genealogy {
    fn node_bound(&self) -> usize {
        self.lot_count()
    }
    fn to_index(&self, a: LotIx) -> usize {
        a.ix()
    }
    fn from_index(&self, i: usize) -> LotIx {
        LotIx::from_ix(i)
    }
}

impl NodeCount for Genealogy {
    fn node_count(&self) -> usize {
        self.lot_count()
    }
}

impl Visitable for Genealogy {
    type Map = FixedBitSet;
    fn visit_map(&self) -> FixedBitSet {
        FixedBitSet::with_capacity(self.lot_count())
    }
    fn reset_map(&self, map: &mut FixedBitSet) {
        map.clear();
        map.grow(self.lot_count());
    }
}
