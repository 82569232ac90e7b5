//! Flat column storage: the arrays every table and the genealogy are made
//! of, either owned (`Vec`, while ingest builds them) or borrowed in place
//! from bytes someone else keeps alive (a memory-mapped snapshot file).
//!
//! Why: a query command opens a snapshot of a million lots and touches a
//! few hundred of them. With columns that point into the mapped file, the
//! open costs O(1) and a query pays only for the pages it reads; nothing is
//! decoded or rebuilt. The same types serve the ingest, so every analytics
//! function runs unchanged on either.
//!
//! Safety: a mapped column is created only after checking that its byte
//! range lies inside the backing bytes and is aligned for its element type,
//! and only for element types ([`Pod`]) for which every bit pattern is a
//! valid value. Reading it can therefore never be undefined behaviour, even
//! on a damaged file; a damaged value is just a wrong number, which the
//! snapshot's checksums catch (`lotgraph check --snapshot`).

use crate::pages::Pages;
use std::fmt;
use std::ops::{Deref, Index, Range, RangeFrom, RangeFull, RangeInclusive, RangeTo};
use std::slice::SliceIndex;
use std::sync::Arc;

/// Bytes that outlive every column borrowed from them and never move or
/// change while borrowed (a read-only memory map, a `Vec<u8>` nobody mutates).
pub trait Backing: Send + Sync + 'static {
    /// The whole byte range columns may point into.
    fn bytes(&self) -> &[u8];
}

impl Backing for Vec<u8> {
    fn bytes(&self) -> &[u8] {
        self
    }
}

pub(crate) mod sealed {
    /// Keeps `Pod` implementable only inside this crate.
    pub trait Sealed {}
}

/// Plain old data: fixed-size, no padding, every bit pattern valid, so a
/// slice of it may be viewed as bytes and built from (aligned) bytes.
///
/// # Safety
/// Implemented only inside this crate, for types meeting the above.
pub unsafe trait Pod: Copy + Send + Sync + 'static + sealed::Sealed {}

macro_rules! pod {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        // SAFETY: primitive numbers have no padding and no invalid bit patterns.
        unsafe impl Pod for $t {}
    )*};
}
pod!(u8, u32, i32, u64, f64);

/// Why bytes cannot be viewed as a column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The range `offset..offset + len * size` is not inside the bytes.
    #[error(
        "array at byte {offset} with {len} element(s) of {size} byte(s) does not fit in {available} byte(s)"
    )]
    OutOfBounds {
        offset: u64,
        len: u64,
        size: usize,
        available: usize,
    },
    /// The array does not start on a multiple of its element size.
    #[error("array at byte {offset} is not aligned to {align} bytes")]
    Misaligned { offset: u64, align: usize },
}

enum Repr<T: Pod> {
    Owned(Vec<T>),
    /// A view into `backing`, which the column keeps alive. The start
    /// pointer is resolved once, at [`Col::mapped`], so reading a mapped
    /// column costs what reading a `Vec` does (no call through the
    /// backing's vtable per access).
    Mapped {
        backing: Arc<dyn Backing>,
        ptr: *const T,
        len: usize,
        /// Page checksums verified on first read (`None`: trusted bytes).
        pages: Option<Arc<Pages>>,
    },
}

// SAFETY: a mapped column only reads bytes that its `Arc<dyn Backing>`
// (itself Send + Sync) keeps alive and unchanged; T is Send + Sync (Pod).
unsafe impl<T: Pod> Send for Repr<T> {}
// SAFETY: as above; nothing is ever written through `ptr`.
unsafe impl<T: Pod> Sync for Repr<T> {}

/// An array of `T`, owned or viewed in place. Dereferences to `[T]`.
pub struct Col<T: Pod> {
    repr: Repr<T>,
}

impl<T: Pod> Col<T> {
    /// An owned column.
    pub fn from_vec(v: Vec<T>) -> Self {
        Col {
            repr: Repr::Owned(v),
        }
    }

    /// Views `len` elements of `backing` starting at byte `offset`, after
    /// checking bounds and alignment. O(1).
    pub fn mapped(backing: Arc<dyn Backing>, offset: u64, len: u64) -> Result<Self, StoreError> {
        let size = std::mem::size_of::<T>();
        let bytes = backing.bytes();
        let fits = usize::try_from(offset).ok().and_then(|o| {
            let n = usize::try_from(len).ok()?;
            let end = o.checked_add(n.checked_mul(size)?)?;
            (end <= bytes.len()).then_some((o, n))
        });
        let Some((o, n)) = fits else {
            return Err(StoreError::OutOfBounds {
                offset,
                len,
                size,
                available: bytes.len(),
            });
        };
        let align = std::mem::align_of::<T>();
        if !(bytes.as_ptr() as usize + o).is_multiple_of(align) {
            return Err(StoreError::Misaligned { offset, align });
        }
        // SAFETY: o + n * size_of::<T>() <= bytes.len() was checked above,
        // so the pointer stays inside the backing's allocation.
        let ptr = unsafe { bytes.as_ptr().add(o).cast::<T>() };
        Ok(Col {
            repr: Repr::Mapped {
                backing,
                ptr,
                len: n,
                pages: None,
            },
        })
    }

    /// The same view, checking each page against `pages` when it is first
    /// read (see [`crate::pages`]).
    pub fn with_pages(mut self, p: Arc<Pages>) -> Self {
        if let Repr::Mapped { pages, .. } = &mut self.repr {
            *pages = Some(p);
        }
        self
    }

    /// The elements, unchecked: the slice without verifying its pages.
    #[inline]
    fn raw(&self) -> &[T] {
        match &self.repr {
            Repr::Owned(v) => v,
            // SAFETY: `mapped` checked that ptr..ptr + len lies inside the
            // backing's bytes and that ptr is aligned for T; the backing
            // never moves or changes while we hold the Arc, and every bit
            // pattern is a valid T (Pod).
            Repr::Mapped { ptr, len, .. } => unsafe { std::slice::from_raw_parts(*ptr, *len) },
        }
    }

    /// Verifies the pages under elements `a..b` (clamped to the column)
    /// of a checked mapped column; a no-op otherwise.
    #[inline]
    fn check(&self, a: usize, b: usize) {
        if let Repr::Mapped {
            pages: Some(p),
            ptr,
            len,
            ..
        } = &self.repr
        {
            let size = std::mem::size_of::<T>();
            // SAFETY: as in `raw`: the whole array's bytes are in bounds,
            // and u8 has no invalid bit patterns or alignment.
            let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len * size) };
            let (a, b) = (a.min(*len), b.min(*len));
            p.check(bytes, a * size, b * size);
        }
    }

    /// Number of elements (no page is read).
    #[inline]
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Owned(v) => v.len(),
            Repr::Mapped { len, .. } => *len,
        }
    }

    /// Has it no elements?
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Element or elements `i` (as `slice::get`), `None` when out of
    /// bounds; checks only the pages read.
    #[inline]
    pub fn get<I: ColIndex<T>>(&self, i: I) -> Option<&I::Output> {
        let (a, b) = i.span(self.len());
        self.check(a, b);
        self.raw().get(i)
    }

    /// The owned vector, copying a mapped column first (copy on write).
    pub fn to_mut(&mut self) -> &mut Vec<T> {
        if let Repr::Mapped { .. } = self.repr {
            self.repr = Repr::Owned(self.deref().to_vec());
        }
        match &mut self.repr {
            Repr::Owned(v) => v,
            Repr::Mapped { .. } => unreachable!("replaced by an owned copy just above"),
        }
    }

    /// Appends one element (copying a mapped column first).
    #[inline]
    pub fn push(&mut self, v: T) {
        // The owned case is ingest's hot loop: no call into `to_mut`.
        match &mut self.repr {
            Repr::Owned(vec) => vec.push(v),
            Repr::Mapped { .. } => self.to_mut().push(v),
        }
    }

    /// The elements as little-endian bytes on this (little-endian) host.
    pub fn as_bytes(&self) -> &[u8] {
        let s: &[T] = self;
        // SAFETY: T is Pod (no padding), so its memory is initialised bytes.
        unsafe { std::slice::from_raw_parts(s.as_ptr().cast::<u8>(), std::mem::size_of_val(s)) }
    }

    /// Is this column borrowed from mapped bytes?
    pub fn is_mapped(&self) -> bool {
        matches!(self.repr, Repr::Mapped { .. })
    }
}

/// The whole column as a slice: verifies every page not verified yet
/// (once per process). Indexing (`col[i]`, `col[a..b]`) and [`Col::get`]
/// check only the pages they read.
impl<T: Pod> Deref for Col<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        self.check(0, usize::MAX);
        self.raw()
    }
}

/// Index types of a column: what slices accept, with the element range
/// they read (so only those pages are checked).
pub trait ColIndex<T>: SliceIndex<[T]> {
    /// The elements read, for a column of `len`.
    fn span(&self, len: usize) -> (usize, usize);
}

impl<T> ColIndex<T> for usize {
    fn span(&self, _: usize) -> (usize, usize) {
        (*self, self.saturating_add(1))
    }
}

impl<T> ColIndex<T> for Range<usize> {
    fn span(&self, _: usize) -> (usize, usize) {
        (self.start, self.end)
    }
}

impl<T> ColIndex<T> for RangeFrom<usize> {
    fn span(&self, len: usize) -> (usize, usize) {
        (self.start, len)
    }
}

impl<T> ColIndex<T> for RangeTo<usize> {
    fn span(&self, _: usize) -> (usize, usize) {
        (0, self.end)
    }
}

impl<T> ColIndex<T> for RangeInclusive<usize> {
    fn span(&self, _: usize) -> (usize, usize) {
        (*self.start(), self.end().saturating_add(1))
    }
}

impl<T> ColIndex<T> for RangeFull {
    fn span(&self, len: usize) -> (usize, usize) {
        (0, len)
    }
}

impl<T: Pod, I: ColIndex<T>> Index<I> for Col<T> {
    type Output = I::Output;
    #[inline]
    fn index(&self, i: I) -> &I::Output {
        let (a, b) = i.span(self.len());
        self.check(a, b);
        &self.raw()[i]
    }
}

impl<T: Pod> Default for Col<T> {
    fn default() -> Self {
        Col::from_vec(Vec::new())
    }
}

impl<T: Pod> Clone for Col<T> {
    fn clone(&self) -> Self {
        match &self.repr {
            Repr::Owned(v) => Col::from_vec(v.clone()),
            Repr::Mapped {
                backing,
                ptr,
                len,
                pages,
            } => Col {
                repr: Repr::Mapped {
                    backing: Arc::clone(backing),
                    ptr: *ptr,
                    len: *len,
                    pages: pages.clone(),
                },
            },
        }
    }
}

impl<T: Pod + PartialEq> PartialEq for Col<T> {
    fn eq(&self, other: &Self) -> bool {
        self[..] == other[..]
    }
}

impl<T: Pod + fmt::Debug> fmt::Debug for Col<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Col[{}]", self.len())
    }
}

impl<T: Pod> From<Vec<T>> for Col<T> {
    fn from(v: Vec<T>) -> Self {
        Col::from_vec(v)
    }
}

impl<T: Pod> FromIterator<T> for Col<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Col::from_vec(iter.into_iter().collect())
    }
}

/// A column of strings: one byte blob and `len + 1` offsets into it.
/// An empty string stands for "no value" wherever the model has
/// `Option<&str>` (ingest turns empty cells into `None`, so nothing is lost).
#[derive(Clone, PartialEq)]
pub struct StrCol {
    offsets: Col<u64>,
    bytes: Col<u8>,
}

impl Default for StrCol {
    fn default() -> Self {
        StrCol {
            offsets: Col::from_vec(vec![0]),
            bytes: Col::default(),
        }
    }
}

impl StrCol {
    /// Builds from its two arrays (a snapshot's). `offsets` must hold at
    /// least one element; bad offsets read as empty strings, never panic.
    pub fn from_parts(offsets: Col<u64>, bytes: Col<u8>) -> Self {
        if offsets.is_empty() {
            return StrCol::default();
        }
        StrCol { offsets, bytes }
    }

    /// The two arrays, for writing a snapshot.
    pub fn parts(&self) -> (&Col<u64>, &Col<u8>) {
        (&self.offsets, &self.bytes)
    }

    /// Number of strings.
    #[inline]
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Has it no strings?
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// String `i`; `""` when `i` is out of range or the bytes are damaged.
    #[inline]
    pub fn get(&self, i: usize) -> &str {
        std::str::from_utf8(self.get_bytes(i)).unwrap_or("")
    }

    /// The bytes of string `i` (empty when out of range), unchecked as
    /// UTF-8: for sorting and searching, where byte order is string order
    /// and validating every compared string would dominate.
    #[inline]
    pub fn get_bytes(&self, i: usize) -> &[u8] {
        let Some(&[a, b]) = self.offsets.get(i..i.saturating_add(2)) else {
            return &[];
        };
        let range = usize::try_from(a).ok().zip(usize::try_from(b).ok());
        range.and_then(|(a, b)| self.bytes.get(a..b)).unwrap_or(&[])
    }

    /// String `i`, `None` when empty.
    #[inline]
    pub fn get_opt(&self, i: usize) -> Option<&str> {
        Some(self.get(i)).filter(|s| !s.is_empty())
    }

    /// Appends one string (`None` as empty).
    pub fn push(&mut self, s: Option<&str>) {
        let s = s.unwrap_or("");
        self.bytes.to_mut().extend_from_slice(s.as_bytes());
        let end = self.bytes.len() as u64;
        self.offsets.push(end);
    }

    /// Makes room for `n` more strings (of about 12 bytes each).
    pub fn reserve(&mut self, n: usize) {
        self.offsets.to_mut().reserve(n);
        self.bytes.to_mut().reserve(n.saturating_mul(12));
    }

    /// Every string in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

impl fmt::Debug for StrCol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StrCol[{}]", self.len())
    }
}

impl<'a> FromIterator<&'a str> for StrCol {
    fn from_iter<I: IntoIterator<Item = &'a str>>(iter: I) -> Self {
        let mut c = StrCol::default();
        for s in iter {
            c.push(Some(s));
        }
        c
    }
}

/// The `None` of an optional index column.
pub const NO_IX: u32 = u32::MAX;
/// The `None` of an optional date column (days since 1970-01-01).
pub const NO_DATE: i32 = i32::MIN;
/// The `None` of an optional enum column.
pub const NO_CODE: u8 = u8::MAX;

/// A master-data table (suppliers, sites, products, customers, lines):
/// rows built in place at ingest, or decoded from a snapshot the first time
/// something reads them. A trace back never looks at the 50,000 customers
/// of a 10M-lot company, so it should not pay for decoding them.
pub struct Master<T> {
    rows: std::sync::OnceLock<Vec<T>>,
    decode: Option<Box<dyn Fn() -> Vec<T> + Send + Sync>>,
}

impl<T> Master<T> {
    /// A table decoded by `decode` on first read.
    pub fn lazy(decode: impl Fn() -> Vec<T> + Send + Sync + 'static) -> Self {
        Master {
            rows: std::sync::OnceLock::new(),
            decode: Some(Box::new(decode)),
        }
    }

    /// The rows as a vector to change (decoding them first if needed).
    pub fn to_mut(&mut self) -> &mut Vec<T> {
        if self.rows.get().is_none() {
            let rows = self.decode.as_ref().map(|f| f()).unwrap_or_default();
            self.rows = std::sync::OnceLock::from(rows);
        }
        self.decode = None;
        self.rows.get_or_init(Vec::new);
        match self.rows.get_mut() {
            Some(v) => v,
            None => unreachable!("initialised just above"),
        }
    }

    /// Appends a row.
    pub fn push(&mut self, v: T) {
        self.to_mut().push(v);
    }
}

impl<T> Deref for Master<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.rows
            .get_or_init(|| self.decode.as_ref().map(|f| f()).unwrap_or_default())
    }
}

impl<T> Default for Master<T> {
    fn default() -> Self {
        Master::from(Vec::new())
    }
}

impl<T> From<Vec<T>> for Master<T> {
    fn from(v: Vec<T>) -> Self {
        Master {
            rows: std::sync::OnceLock::from(v),
            decode: None,
        }
    }
}

impl<T> FromIterator<T> for Master<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Master::from(iter.into_iter().collect::<Vec<T>>())
    }
}

impl<T: PartialEq> PartialEq for Master<T> {
    fn eq(&self, other: &Self) -> bool {
        self[..] == other[..]
    }
}

impl<T: fmt::Debug> fmt::Debug for Master<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a, T> IntoIterator for &'a Master<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_columns_check_bounds_and_alignment() {
        let mut bytes = vec![0u8; 64];
        bytes[8..16].copy_from_slice(&7u64.to_le_bytes());
        let b: Arc<dyn Backing> = Arc::new(bytes);
        let c = Col::<u64>::mapped(Arc::clone(&b), 8, 1).unwrap();
        assert_eq!(&c[..], &[7]);
        assert!(matches!(
            Col::<u64>::mapped(Arc::clone(&b), 8, 8),
            Err(StoreError::OutOfBounds { .. })
        ));
        assert!(matches!(
            Col::<u64>::mapped(Arc::clone(&b), u64::MAX, 2),
            Err(StoreError::OutOfBounds { .. })
        ));
        // A Vec<u8>'s buffer is at least 8-aligned from the allocator, so
        // offset 4 is misaligned for u64 but fine for u32.
        assert!(Col::<u32>::mapped(Arc::clone(&b), 4, 1).is_ok());
        assert!(Col::<u64>::mapped(b, 4, 1).is_err());
    }

    #[test]
    fn string_columns_round_trip_and_never_panic() {
        let mut s = StrCol::default();
        s.push(Some("R-1"));
        s.push(None);
        s.push(Some("🧪"));
        assert_eq!(s.len(), 3);
        assert_eq!(s.iter().collect::<Vec<_>>(), ["R-1", "", "🧪"]);
        assert_eq!(s.get_opt(1), None);
        assert_eq!(s.get(99), "");
        // Offsets that run backwards or past the blob read as "".
        let bad = StrCol::from_parts(vec![0, 5, 2, 99].into(), b"abcde".to_vec().into());
        assert_eq!(bad.get(0), "abcde");
        assert_eq!(bad.get(1), "");
        assert_eq!(bad.get(2), "");
    }

    #[test]
    fn writing_a_mapped_column_copies_it() {
        let b: Arc<dyn Backing> = Arc::new(1u32.to_le_bytes().to_vec());
        let mut c = Col::<u32>::mapped(b, 0, 1).unwrap();
        assert!(c.is_mapped());
        c.push(2);
        assert!(!c.is_mapped());
        assert_eq!(&c[..], &[1, 2]);
    }
}
