//! Tracing: the closure of a lot upstream (everything it was made from) or
//! downstream (everything made from it), with the BFS depth of each lot and
//! its quantity share as record-format.md defines it.
//!
//! A `Tracer` owns scratch arrays sized to the genealogy and resets only what
//! a trace touched, so a trace costs O(size of the closure), not O(lots).

use super::Genealogy;
use crate::model::{Dataset, LotIx};

/// Which way to walk the genealogy.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Direction {
    /// Towards inputs: what a lot was made from ("trace back").
    #[serde(rename = "back")]
    Upstream,
    /// Towards outputs: what was made from a lot ("trace forward").
    #[serde(rename = "forward")]
    Downstream,
}

impl Direction {
    /// The contract's spelling: `back` or `forward`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Upstream => "back",
            Direction::Downstream => "forward",
        }
    }
}

/// One lot of a trace.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct TraceLot {
    pub lot: LotIx,
    /// Fewest consumption steps from the root.
    pub depth: u32,
    /// Upstream: share of this lot in the root. Downstream: share of the
    /// root in this lot. In [0, 1].
    pub share: f64,
}

/// The result of tracing one lot.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    pub root: LotIx,
    pub direction: Direction,
    /// Every lot of the closure within `max_depth`, root excluded, sorted by
    /// depth then lot id.
    pub lots: Vec<TraceLot>,
}

/// A lot the current trace has not reached. Depths are stored plus one so
/// that "unseen" is 0: the scratch arrays are then zeroed allocations, which
/// the OS maps lazily, and a one-lot query on a 10M-lot genealogy touches
/// only the pages of the lots it reaches.
const UNSEEN: u32 = 0;

/// Reusable trace state over one genealogy.
pub struct Tracer<'g> {
    g: &'g Genealogy,
    depth: Vec<u32>,
    weight: Vec<f64>,
    pending: Vec<u32>,
    /// Lots reached by the current trace, in BFS order (root first).
    touched: Vec<LotIx>,
    ready: Vec<LotIx>,
}

impl<'g> Tracer<'g> {
    /// Allocates scratch for `g` (O(lots) once).
    pub fn new(g: &'g Genealogy) -> Self {
        let n = g.lot_count();
        Tracer {
            g,
            depth: vec![UNSEEN; n],
            weight: vec![0.0; n],
            pending: vec![0; n],
            touched: Vec::new(),
            ready: Vec::new(),
        }
    }

    /// Number of lots of the genealogy this tracer walks.
    pub fn lot_count(&self) -> usize {
        self.depth.len()
    }

    /// Traces `roots` (a seed set, every seed at share 1) in `dir`, calling
    /// `visit(lot, depth, share)` for every lot of the closure, seeds
    /// included. Depth is the fewest steps from any seed; shares follow
    /// record-format.md with every seed at 1.
    ///
    /// Runs in O(closure lots + closure edges); no errors (ids are valid
    /// by construction).
    ///
    /// ```
    /// use lotgraph_core::{Direction, Genealogy, LotIx, Tracer};
    /// // Raw lots A (0) and B (1) are mixed into mash M (2): 40 kg A + 20 kg B.
    /// // Batch F (3) is 30 kg of M plus 10 kg of A; R (4) repacks 20 units of F.
    /// let g = Genealogy::build(5, [
    ///     (LotIx(0), LotIx(2), 40.0), (LotIx(1), LotIx(2), 20.0),
    ///     (LotIx(2), LotIx(3), 30.0), (LotIx(0), LotIx(3), 10.0),
    ///     (LotIx(3), LotIx(4), 20.0),
    /// ]);
    /// let mut t = Tracer::new(&g);
    /// let mut found = Vec::new();
    /// t.walk(&[LotIx(4)], Direction::Upstream, |lot, depth, share| found.push((lot.0, depth, share)));
    /// found.sort_by_key(|f| f.0);
    /// // A: 10/40 directly + 30/40 × 40/60 through M = 0.75; B: 30/40 × 20/60 = 0.25.
    /// assert_eq!(found, vec![(0, 2, 0.75), (1, 3, 0.25), (2, 2, 0.75), (3, 1, 1.0), (4, 0, 1.0)]);
    /// ```
    pub fn walk(
        &mut self,
        roots: &[LotIx],
        dir: Direction,
        mut visit: impl FnMut(LotIx, u32, f64),
    ) {
        let g = self.g;
        let next = match dir {
            Direction::Upstream => g.inputs(),
            Direction::Downstream => g.outputs(),
        };
        // 1. BFS: the closure and the depth of each lot.
        for &r in roots {
            if self.depth[r.ix()] == UNSEEN {
                self.depth[r.ix()] = 1;
                self.touched.push(r);
            }
        }
        let mut head = 0;
        while head < self.touched.len() {
            let v = self.touched[head];
            head += 1;
            let d = self.depth[v.ix()] + 1;
            for &w in next.neighbors(v) {
                if self.depth[w.ix()] == UNSEEN {
                    self.depth[w.ix()] = d;
                    self.touched.push(w);
                }
            }
        }
        // 2. Count, for each lot, its closure neighbours on the root side:
        //    a lot's share is final once all of them are.
        for &v in &self.touched {
            for &w in next.neighbors(v) {
                self.pending[w.ix()] += 1;
            }
        }
        // 3. Kahn's order from the roots, propagating shares. Seeds reached
        //    from other seeds stay at 1 (the seed set is all recalled).
        for &r in roots {
            self.weight[r.ix()] = 1.0;
        }
        self.ready.clear();
        self.ready.extend(
            self.touched
                .iter()
                .copied()
                .filter(|v| self.pending[v.ix()] == 0),
        );
        while let Some(v) = self.ready.pop() {
            let wv = self.weight[v.ix()];
            for (w, q) in next.edges(v) {
                if self.depth[w.ix()] != 1 {
                    let out = match dir {
                        Direction::Upstream => v,
                        Direction::Downstream => w,
                    };
                    self.weight[w.ix()] += wv * g.fraction(q, out);
                }
                self.pending[w.ix()] -= 1;
                if self.pending[w.ix()] == 0 {
                    self.ready.push(w);
                }
            }
        }
        for &v in &self.touched {
            visit(v, self.depth[v.ix()] - 1, self.weight[v.ix()].min(1.0));
        }
        // 4. Reset only what was touched.
        for &v in &self.touched {
            self.depth[v.ix()] = UNSEEN;
            self.weight[v.ix()] = 0.0;
            self.pending[v.ix()] = 0;
        }
        self.touched.clear();
    }

    /// Visits every lot reachable from `roots` in `dir` (roots included),
    /// in BFS order, without computing shares. O(closure).
    pub fn reach(&mut self, roots: &[LotIx], dir: Direction, mut visit: impl FnMut(LotIx)) {
        let next = match dir {
            Direction::Upstream => self.g.inputs(),
            Direction::Downstream => self.g.outputs(),
        };
        for &r in roots {
            if self.depth[r.ix()] == UNSEEN {
                self.depth[r.ix()] = 1;
                self.touched.push(r);
            }
        }
        let mut head = 0;
        while head < self.touched.len() {
            let v = self.touched[head];
            head += 1;
            visit(v);
            for &w in next.neighbors(v) {
                if self.depth[w.ix()] == UNSEEN {
                    self.depth[w.ix()] = 1;
                    self.touched.push(w);
                }
            }
        }
        for &v in &self.touched {
            self.depth[v.ix()] = UNSEEN;
        }
        self.touched.clear();
    }

    /// Traces one lot: its closure within `max_depth` (all when `None`),
    /// root excluded, sorted by depth then lot id. Shares are always
    /// computed over the whole closure, so a depth limit never changes them.
    pub fn trace(
        &mut self,
        ds: &Dataset,
        root: LotIx,
        dir: Direction,
        max_depth: Option<u32>,
    ) -> Trace {
        let limit = max_depth.unwrap_or(u32::MAX);
        let mut lots = Vec::new();
        self.walk(&[root], dir, |lot, depth, share| {
            if lot != root && depth <= limit {
                lots.push(TraceLot { lot, depth, share });
            }
        });
        lots.sort_unstable_by(|a, b| {
            a.depth
                .cmp(&b.depth)
                .then_with(|| ds.lot_id(a.lot).cmp(ds.lot_id(b.lot)))
        });
        Trace {
            root,
            direction: dir,
            lots,
        }
    }
}
