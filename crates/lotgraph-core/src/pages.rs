//! Page checksums of mapped columns, verified as a command first reads
//! each page: a damaged snapshot is never answered from silently, and a
//! query pays only for the pages it touches.
//!
//! A snapshot stores a 32-bit checksum of every [`PAGE`] bytes of every
//! array. A mapped [`Col`](crate::store::Col) with [`Pages`] checks, on each
//! access, whether the pages under it were verified (one bit per page); a
//! page read for the first time is hashed and compared. A mismatch stops
//! the command with a [`Damaged`] panic, which the binary turns into exit 2
//! `snapshot damaged: FILE (...); re-run lotgraph ingest`: a column access
//! cannot return an error, and there is nothing a command could do with
//! damaged bytes but stop.

use crate::store::Col;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

/// Bytes per checked page: the memory page, so a check hashes what the
/// access faults in anyway.
pub const PAGE: usize = 4096;

/// The checksum of one page (the low 32 bits of its xxh3).
pub fn page_sum(bytes: &[u8]) -> u32 {
    xxhash_rust::xxh3::xxh3_64(bytes) as u32
}

/// Pages of `bytes` bytes: ⌈bytes / PAGE⌉.
pub fn page_count(bytes: usize) -> usize {
    bytes.div_ceil(PAGE)
}

/// The checksums of every page of `bytes`, in order.
pub fn page_sums(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    bytes.chunks(PAGE).map(page_sum)
}

/// The panic payload of a page whose bytes do not match their checksum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Damaged {
    /// The snapshot file.
    pub file: PathBuf,
    /// The array the page belongs to.
    pub array: String,
    /// The page's index within the array.
    pub page: usize,
}

impl std::fmt::Display for Damaged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = self.page * PAGE;
        write!(
            f,
            "snapshot damaged: {} (array {}, bytes {}..{}: checksum mismatch); re-run `lotgraph ingest`",
            self.file.display(),
            self.array,
            at,
            at + PAGE
        )
    }
}

/// The expected checksums of one mapped array's pages and which of them
/// were verified already (shared by every clone of its columns).
pub struct Pages {
    sums: Col<u32>,
    done: Box<[AtomicU64]>,
    verified: AtomicUsize,
    all: AtomicBool,
    file: PathBuf,
    array: String,
}

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pages[{} {}]", self.array, self.sums.len())
    }
}

impl Pages {
    /// The checker of array `array` of `file`, whose page checksums are
    /// `sums` (one per page of the array; verified by the caller).
    pub fn new(sums: Col<u32>, file: PathBuf, array: String) -> Pages {
        let words = sums.len().div_ceil(64);
        let all = AtomicBool::new(sums.is_empty());
        Pages {
            done: (0..words).map(|_| AtomicU64::new(0)).collect(),
            sums,
            verified: AtomicUsize::new(0),
            all,
            file,
            array,
        }
    }

    /// Checks bytes `a..b` of the array whose bytes are `bytes`: a no-op
    /// for pages verified before, a hash of each other page. O(pages of
    /// a..b) bit tests, plus O(PAGE) per page read for the first time.
    ///
    /// # Panics
    /// With a [`Damaged`] payload when a page does not match.
    #[inline]
    pub fn check(&self, bytes: &[u8], a: usize, b: usize) {
        if a >= b || self.all.load(Ordering::Relaxed) {
            return;
        }
        let (first, last) = (a / PAGE, (b - 1) / PAGE);
        for p in first..=last {
            let (w, bit) = (p / 64, 1u64 << (p % 64));
            let seen = self
                .done
                .get(w)
                .is_none_or(|x| x.load(Ordering::Relaxed) & bit != 0);
            if !seen {
                self.verify(bytes, p);
            }
        }
    }

    /// Hashes page `p` and records it as verified, or panics.
    #[cold]
    #[inline(never)]
    fn verify(&self, bytes: &[u8], p: usize) {
        let start = p * PAGE;
        let page = bytes.get(start..(start + PAGE).min(bytes.len()));
        let expected = self.sums.get(p).copied();
        if page.map(page_sum) != expected {
            std::panic::panic_any(Damaged {
                file: self.file.clone(),
                array: self.array.clone(),
                page: p,
            });
        }
        let (w, bit) = (p / 64, 1u64 << (p % 64));
        if let Some(word) = self.done.get(w) {
            let before = word.fetch_or(bit, Ordering::Relaxed);
            if before & bit == 0
                && self.verified.fetch_add(1, Ordering::Relaxed) + 1 == self.sums.len()
            {
                self.all.store(true, Ordering::Relaxed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages_of(bytes: &[u8]) -> Pages {
        let sums: Vec<u32> = page_sums(bytes).collect();
        Pages::new(Col::from_vec(sums), "f.lgs".into(), "a".into())
    }

    #[test]
    fn good_pages_pass_and_a_changed_byte_is_named() {
        let mut bytes: Vec<u8> = (0..3 * PAGE + 10).map(|i| i as u8).collect();
        let p = pages_of(&bytes);
        p.check(&bytes, 0, bytes.len());
        assert!(p.all.load(Ordering::Relaxed));
        bytes[2 * PAGE + 1] ^= 1;
        let p = pages_of(&(0..3 * PAGE + 10).map(|i| i as u8).collect::<Vec<_>>());
        // Pages 0 and 1 are fine; page 2 is damaged.
        p.check(&bytes, 0, 2 * PAGE);
        let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            p.check(&bytes, 2 * PAGE, 2 * PAGE + 2);
        }))
        .expect_err("damaged");
        let d = err.downcast_ref::<Damaged>().expect("a Damaged payload");
        assert_eq!((d.array.as_str(), d.page), ("a", 2));
        assert!(d.to_string().contains("bytes 8192..12288"), "{d}");
    }
}
