//! Tracing: the closure of a lot upstream (everything it was made from) or
//! downstream (everything made from it), with the BFS depth of each lot and
//! its quantity share as record-format.md defines it.
//!
//! A `Tracer` owns scratch arrays sized to the genealogy and resets only what
//! a trace touched, so a trace costs O(size of the closure), not O(lots).

use super::Genealogy;
use crate::model::{Dataset, LotIx};

/// Which way to walk the genealogy.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Towards inputs: what a lot was made from ("trace back").
    Upstream,
    /// Towards outputs: what was made from a lot ("trace forward").
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

    /// The genealogy this tracer walks.
    pub fn genealogy(&self) -> &'g Genealogy {
        self.g
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
        let next = self.closure(roots, dir);
        // 3. Kahn's order from the roots, propagating shares. Seeds reached
        //    from other seeds stay at 1 (the seed set is all recalled).
        for &r in roots {
            self.weight[r.ix()] = 1.0;
        }
        self.propagate(next, |t, v, w, _, edge_weight| {
            if t.depth[w.ix()] != 1 {
                t.weight[w.ix()] += t.weight[v.ix()] * edge_weight;
            }
        });
        for &v in &self.touched {
            visit(v, self.depth[v.ix()] - 1, self.weight[v.ix()].min(1.0));
        }
        self.reset();
    }

    /// The traced quantity of record-format.md: for every lot L of the
    /// downstream closure of `seeds` (seeds included), Σ over the seeds S
    /// of tq(S→L), the amount of S contained in L in S's own unit
    /// (tq(S→S) = quantity(S); tq(S→L) = Σ over inputs i of L of
    /// tq(S→i) × q(i→L) / quantity(i)). Give seeds of one unit at a time:
    /// the sum is additive over seeds, so a seed downstream of another adds
    /// its own quantity to what it carries of the other.
    ///
    /// Calls `visit(lot, depth, tq)` for every lot of the closure.
    /// O(closure lots + closure edges); no errors.
    ///
    /// ```
    /// use lotgraph_core::{Genealogy, LotIx, Tracer};
    /// // A (0, 100 kg) and B (1) mixed 40 + 20 into M (2, 60 kg);
    /// // F (3) = 30 kg of M + 10 kg of A.
    /// let g = Genealogy::build(4, [
    ///     (LotIx(0), LotIx(2), 40.0), (LotIx(1), LotIx(2), 20.0),
    ///     (LotIx(2), LotIx(3), 30.0), (LotIx(0), LotIx(3), 10.0),
    /// ]);
    /// let quantity = [100.0, 50.0, 60.0, 100.0];
    /// let mut t = Tracer::new(&g);
    /// let mut tq = vec![0.0; 4];
    /// t.traced_quantities(&[LotIx(0)], |l| quantity[l.ix()], |l, _, q| tq[l.ix()] = q);
    /// // 40 kg of A in M; F holds 10 kg directly and half of M's 40.
    /// assert_eq!(tq, vec![100.0, 0.0, 40.0, 30.0]);
    /// ```
    pub fn traced_quantities(
        &mut self,
        seeds: &[LotIx],
        quantity: impl Fn(LotIx) -> f64,
        mut visit: impl FnMut(LotIx, u32, f64),
    ) {
        let next = self.closure(seeds, Direction::Downstream);
        // Set, not added: a seed listed twice counts once.
        for &s in seeds {
            self.weight[s.ix()] = quantity(s);
        }
        self.propagate(next, |t, v, w, q, _| {
            let qv = quantity(v);
            if qv > 0.0 {
                t.weight[w.ix()] += t.weight[v.ix()] * q / qv;
            }
        });
        for &v in &self.touched {
            visit(v, self.depth[v.ix()] - 1, self.weight[v.ix()]);
        }
        self.reset();
    }

    /// Steps 1-2 of a walk: the closure of `roots` in `dir` into `touched`
    /// (BFS, with depths) and, per lot, the number of its closure
    /// neighbours on the root side (`pending`). Returns the CSR to follow.
    fn closure(&mut self, roots: &[LotIx], dir: Direction) -> &'g super::Csr {
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
            let d = self.depth[v.ix()] + 1;
            for &w in next.neighbors(v) {
                if self.depth[w.ix()] == UNSEEN {
                    self.depth[w.ix()] = d;
                    self.touched.push(w);
                }
            }
        }
        // A lot's value is final once all its closure neighbours on the
        // root side are.
        for &v in &self.touched {
            for &w in next.neighbors(v) {
                self.pending[w.ix()] += 1;
            }
        }
        next
    }

    /// Step 3: visits every closure edge (v → w, quantity, weight) in
    /// Kahn's order from the roots, so `step` sees v's value final.
    fn propagate(
        &mut self,
        next: &'g super::Csr,
        mut step: impl FnMut(&mut Self, LotIx, LotIx, f64, f64),
    ) {
        let mut ready = std::mem::take(&mut self.ready);
        ready.clear();
        ready.extend(
            self.touched
                .iter()
                .copied()
                .filter(|v| self.pending[v.ix()] == 0),
        );
        while let Some(v) = ready.pop() {
            for (w, q, edge_weight) in next.weighted_edges(v) {
                step(self, v, w, q, edge_weight);
                self.pending[w.ix()] -= 1;
                if self.pending[w.ix()] == 0 {
                    ready.push(w);
                }
            }
        }
        self.ready = ready;
    }

    /// Step 4: resets only what the walk touched.
    fn reset(&mut self) {
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
