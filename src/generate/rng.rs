//! Deterministic pseudo-random numbers for the generator: splitmix64, which
//! is tiny, fast and passes `BigCrush`, so the same seed yields the same
//! dataset on every machine. Only integer operations and IEEE-exact
//! arithmetic (+, −, ×, ÷) feed the output; no `powf`/`ln`, whose results
//! may differ between math libraries and would break byte-identical files.

/// A splitmix64 stream.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A stream for `seed`; the constant keeps seed 0 from starting at 0.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x6c6f_7467_7261_7068)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// Uniform in `0..n` (`n` > 0), by multiply-shift rather than modulo.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform index into a slice of length `n` (`n` > 0).
    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// A uniformly chosen element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.index(xs.len())]
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `[lo, hi)`.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// An index in `0..n` skewed towards 0 (density ∝ 1/√x): a few popular
    /// items and a long tail, like ingredients shared by many recipes.
    pub fn skewed(&mut self, n: usize) -> usize {
        let u = self.unit();
        ((u * u * n as f64) as usize).min(n - 1)
    }

    /// An index drawn with the given integer weights (not all zero).
    pub fn weighted(&mut self, weights: &[u64]) -> usize {
        let total: u64 = weights.iter().sum();
        let mut x = self.below(total);
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    /// `k` distinct indices from `0..n` (k ≤ n), in draw order.
    pub fn distinct(&mut self, n: usize, k: usize, out: &mut Vec<usize>) {
        out.clear();
        while out.len() < k.min(n) {
            let i = self.index(n);
            if !out.contains(&i) {
                out.push(i);
            }
        }
    }
}

/// The splitmix64 finaliser: a fixed, well-mixed hash of one word, used for
/// choices that must be stable without consuming the stream (a plant's
/// preferred supplier for an ingredient).
pub fn mix(x: u64) -> u64 {
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        let xa: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let xb: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa[0], Rng::new(8).next_u64());
    }

    #[test]
    fn ranges_stay_in_bounds() {
        let mut r = Rng::new(1);
        for _ in 0..10_000 {
            assert!((3..=9).contains(&r.range(3, 9)));
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
            assert!(r.skewed(10) < 10);
            assert!(r.weighted(&[0, 5, 0, 1]) % 2 == 1);
        }
        let mut v = Vec::new();
        r.distinct(5, 5, &mut v);
        v.sort_unstable();
        assert_eq!(v, vec![0, 1, 2, 3, 4]);
    }
}
