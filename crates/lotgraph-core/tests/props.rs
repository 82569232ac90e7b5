//! Property tests of the genealogy on random DAGs: traces agree with a naive
//! reference traversal (sets, depths and shares), back and forward are
//! mirror images, shares stay in [0, 1], and the shares of the supplied
//! sources of a lot whose ancestry is fully supplied sum to 1.

// A test or bench: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use lotgraph_core::{Direction, Genealogy, LotIx, Tracer};
use proptest::prelude::*;
use std::collections::{HashMap, VecDeque};

/// A random DAG: `n` lots; each edge goes from a lower to a higher index,
/// so the order is topological. Lots without inputs are "supplied".
#[derive(Clone, Debug)]
struct Dag {
    n: usize,
    edges: Vec<(u32, u32, f64)>,
}

fn dag() -> impl Strategy<Value = Dag> {
    (2usize..40).prop_flat_map(|n| {
        let edge = (0..n as u32, 0..n as u32, 1u32..1000)
            .prop_filter_map("forward edges only", |(a, b, q)| {
                (a < b).then_some((a, b, f64::from(q) / 10.0))
            });
        prop::collection::vec(edge, 0..(n * 3)).prop_map(move |edges| Dag { n, edges })
    })
}

impl Dag {
    fn genealogy(&self) -> Genealogy {
        Genealogy::build(
            self.n,
            self.edges
                .iter()
                .map(|(a, b, q)| (LotIx(*a), LotIx(*b), *q)),
        )
    }

    fn inputs_of(&self, l: u32) -> impl Iterator<Item = (u32, f64)> + '_ {
        self.edges
            .iter()
            .filter(move |e| e.1 == l)
            .map(|e| (e.0, e.2))
    }

    /// share(s, l) straight from record-format.md, by recursion over the
    /// raw edge list (parallel edges are simply summed by the recursion).
    fn share(&self, s: u32, l: u32, memo: &mut HashMap<(u32, u32), f64>) -> f64 {
        if s == l {
            return 1.0;
        }
        if let Some(v) = memo.get(&(s, l)) {
            return *v;
        }
        let total: f64 = self.inputs_of(l).map(|(_, q)| q).sum();
        let v = if total == 0.0 {
            0.0
        } else {
            self.inputs_of(l)
                .map(|(i, q)| self.share(s, i, memo) * q / total)
                .sum()
        };
        memo.insert((s, l), v);
        v
    }

    /// Naive BFS depths over the raw edge list.
    fn bfs(&self, root: u32, dir: Direction) -> HashMap<u32, u32> {
        let mut depth = HashMap::from([(root, 0u32)]);
        let mut q = VecDeque::from([root]);
        while let Some(v) = q.pop_front() {
            let d = depth[&v];
            for e in &self.edges {
                let (from, to) = match dir {
                    Direction::Upstream => (e.1, e.0),
                    Direction::Downstream => (e.0, e.1),
                };
                if from == v && !depth.contains_key(&to) {
                    depth.insert(to, d + 1);
                    q.push_back(to);
                }
            }
        }
        depth
    }
}

fn walk(t: &mut Tracer, root: u32, dir: Direction) -> HashMap<u32, (u32, f64)> {
    let mut m = HashMap::new();
    t.walk(&[LotIx(root)], dir, |l, d, s| {
        m.insert(l.0, (d, s));
    });
    m
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn traces_equal_the_naive_reference(d in dag()) {
        let g = d.genealogy();
        let mut t = Tracer::new(&g);
        let mut memo = HashMap::new();
        for root in 0..d.n as u32 {
            for dir in [Direction::Upstream, Direction::Downstream] {
                let got = walk(&mut t, root, dir);
                let want = d.bfs(root, dir);
                let got_depths: HashMap<u32, u32> = got.iter().map(|(k, v)| (*k, v.0)).collect();
                prop_assert_eq!(&got_depths, &want);
                for (&l, &(_, share)) in &got {
                    let expect = match dir {
                        Direction::Upstream => d.share(l, root, &mut memo),
                        Direction::Downstream => d.share(root, l, &mut memo),
                    };
                    prop_assert!((share - expect).abs() < 1e-9, "lot {l} root {root} {dir:?}: {share} vs {expect}");
                    prop_assert!((0.0..=1.0).contains(&share));
                }
            }
        }
    }

    #[test]
    fn back_and_forward_are_mirror_images(d in dag()) {
        let g = d.genealogy();
        let mut t = Tracer::new(&g);
        let back: Vec<HashMap<u32, (u32, f64)>> =
            (0..d.n as u32).map(|r| walk(&mut t, r, Direction::Upstream)).collect();
        let fwd: Vec<HashMap<u32, (u32, f64)>> =
            (0..d.n as u32).map(|r| walk(&mut t, r, Direction::Downstream)).collect();
        for a in 0..d.n as u32 {
            for b in 0..d.n as u32 {
                let in_fwd = fwd[a as usize].get(&b);
                let in_back = back[b as usize].get(&a);
                prop_assert_eq!(in_fwd.is_some(), in_back.is_some());
                if let (Some(f), Some(k)) = (in_fwd, in_back) {
                    // Same pair, same share, same distance.
                    prop_assert!((f.1 - k.1).abs() < 1e-9);
                    prop_assert_eq!(f.0, k.0);
                }
            }
        }
    }

    #[test]
    fn supplied_ancestors_account_for_the_whole_lot(d in dag()) {
        let g = d.genealogy();
        let mut t = Tracer::new(&g);
        for root in 0..d.n as u32 {
            if g.inputs().degree(LotIx(root)) == 0 {
                continue;
            }
            // Every path upstream ends at a lot without inputs ("supplied").
            let up = walk(&mut t, root, Direction::Upstream);
            let sum: f64 = up
                .iter()
                .filter(|(l, _)| **l != root && g.inputs().degree(LotIx(**l)) == 0)
                .map(|(_, v)| v.1)
                .sum();
            prop_assert!((sum - 1.0).abs() < 1e-9, "root {root}: sources sum to {sum}");
        }
    }

    #[test]
    fn seed_sets_never_lower_shares(d in dag(), extra in 0u32..40) {
        // Adding a seed can only add paths from the seed set: shares are monotone.
        let g = d.genealogy();
        let mut t = Tracer::new(&g);
        let a = 0u32;
        let b = extra % d.n as u32;
        let mut one = HashMap::new();
        t.walk(&[LotIx(a)], Direction::Downstream, |l, _, s| { one.insert(l.0, s); });
        let mut two = HashMap::new();
        t.walk(&[LotIx(a), LotIx(b)], Direction::Downstream, |l, _, s| { two.insert(l.0, s); });
        for (l, s) in one {
            prop_assert!(two[&l] + 1e-12 >= s);
        }
    }
}

#[test]
fn acyclic_check_agrees_with_petgraph_on_a_cycle() {
    let g = Genealogy::build(3, [(LotIx(0), LotIx(1), 1.0), (LotIx(1), LotIx(0), 1.0)]);
    assert!(g.has_cycle());
}
