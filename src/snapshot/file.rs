//! The snapshot's container file (`snapshot.lgs`): named fixed-width
//! little-endian arrays behind a checked header, written once and then
//! read in place through a memory map. `docs/snapshot-format.md` specifies
//! the layout; this module is its only reader and writer.
//!
//! Opening checks, in O(arrays): magic, format version, that the header
//! and its entry table fit, the header's checksum, that the file has the
//! length its header records (a truncated file is refused before anything
//! maps a page past its end), and, per array, that its byte range lies in
//! the file and is aligned. The arrays' own checksums cost a read of the
//! whole file, so they are verified by [`MappedFile::verify`] (at ingest,
//! and by `lotgraph check --snapshot`), not on every open.

use super::SnapshotError;
use lotgraph_core::LotIx;
use lotgraph_core::model::SkuIx;
use lotgraph_core::pages::{Pages, page_count, page_sums};
use lotgraph_core::store::{Backing, Col, Pod, StrCol};
use std::collections::HashMap;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The first eight bytes of every snapshot file.
pub(super) const MAGIC: &[u8; 8] = b"LOTGRAPH";
/// The container layout this build writes and reads.
pub const FORMAT_VERSION: u32 = 6;
/// Bytes before the entry table.
const HEADER: usize = 64;
/// Bytes per entry of the table.
const ENTRY: usize = 64;
/// Longest array name.
const NAME: usize = 32;
/// Every array starts on a multiple of this (a cache line).
const ALIGN: u64 = 64;
/// More arrays than any layout of this version has: a damaged count is
/// refused instead of being trusted.
const MAX_ENTRIES: u32 = 4096;
/// The array of page checksums (u32, one per `lotgraph_core::pages::PAGE` of each other
/// array, in table order).
const PAGES: &str = "_pages";

/// An element type the container stores, with its on-disk code.
pub(super) trait Elem: Pod {
    /// The code in the entry table.
    const KIND: u32;
}

macro_rules! elem {
    ($($t:ty = $k:expr),*) => {$(impl Elem for $t { const KIND: u32 = $k; })*};
}
elem!(
    u8 = 1,
    u32 = 2,
    i32 = 3,
    u64 = 4,
    f64 = 5,
    LotIx = 2,
    SkuIx = 2
);

fn elem_size(kind: u32) -> Option<u64> {
    match kind {
        1 => Some(1),
        2 | 3 => Some(4),
        4 | 5 => Some(8),
        _ => None,
    }
}

fn checksum(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// Collects arrays, then writes them as one file.
#[derive(Default)]
pub(super) struct FileWriter<'a> {
    arrays: Vec<(String, u32, &'a [u8])>,
}

impl<'a> FileWriter<'a> {
    /// Adds a numeric array.
    pub(super) fn col<T: Elem>(&mut self, name: &str, c: &'a Col<T>) {
        self.arrays.push((name.to_string(), T::KIND, c.as_bytes()));
    }

    /// Adds a string column as `NAME.offsets` and `NAME.bytes`.
    pub(super) fn str(&mut self, name: &str, c: &'a StrCol) {
        let (offsets, bytes) = c.parts();
        self.col(&format!("{name}.offsets"), offsets);
        self.col(&format!("{name}.bytes"), bytes);
    }

    /// Writes the file at `path` with `dataset_id` in its header, durably
    /// (fsynced). Returns the file length.
    pub(super) fn write(&self, path: &Path, dataset_id: [u8; 16]) -> Result<u64, SnapshotError> {
        let io = |e: std::io::Error| SnapshotError::Io {
            path: path.to_path_buf(),
            source: e,
        };
        // The checksum of every page of every array, in table order, as
        // one more array: readers verify each page when they first read it.
        let sums: Col<u32> = self
            .arrays
            .iter()
            .flat_map(|(_, _, bytes)| page_sums(bytes))
            .collect();
        let arrays: Vec<(&str, u32, &[u8])> = self
            .arrays
            .iter()
            .map(|(n, k, b)| (n.as_str(), *k, *b))
            .chain(std::iter::once((PAGES, u32::KIND, sums.as_bytes())))
            .collect();
        let count = u32::try_from(arrays.len())
            .ok()
            .filter(|c| *c <= MAX_ENTRIES)
            .ok_or_else(|| corrupt(path, "too many arrays"))?;
        let mut table = Vec::with_capacity(arrays.len() * ENTRY);
        let mut offset = align_up((HEADER + arrays.len() * ENTRY) as u64);
        for &(name, kind, bytes) in &arrays {
            if name.len() > NAME {
                return Err(corrupt(path, &format!("array name {name:?} is too long")));
            }
            let mut n = [0u8; NAME];
            n[..name.len()].copy_from_slice(name.as_bytes());
            let size = elem_size(kind).unwrap_or(1);
            table.extend_from_slice(&n);
            table.extend_from_slice(&kind.to_le_bytes());
            table.extend_from_slice(&0u32.to_le_bytes());
            table.extend_from_slice(&offset.to_le_bytes());
            table.extend_from_slice(&(bytes.len() as u64 / size).to_le_bytes());
            table.extend_from_slice(&checksum(bytes).to_le_bytes());
            offset = align_up(offset + bytes.len() as u64);
        }
        let total = offset;
        let mut header = [0u8; HEADER];
        header[..8].copy_from_slice(MAGIC);
        header[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        header[12..16].copy_from_slice(&count.to_le_bytes());
        header[16..32].copy_from_slice(&dataset_id);
        header[32..40].copy_from_slice(&total.to_le_bytes());
        let sum = header_checksum(&header, &table);
        header[40..48].copy_from_slice(&sum.to_le_bytes());

        let file = std::fs::File::create(path).map_err(io)?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        w.write_all(&header).map_err(io)?;
        w.write_all(&table).map_err(io)?;
        let mut at = (HEADER + table.len()) as u64;
        for (_, _, bytes) in &arrays {
            let pad = align_up(at) - at;
            w.write_all(&[0u8; ALIGN as usize][..pad as usize])
                .map_err(io)?;
            w.write_all(bytes).map_err(io)?;
            at += pad + bytes.len() as u64;
        }
        let pad = total - at;
        w.write_all(&[0u8; ALIGN as usize][..pad as usize])
            .map_err(io)?;
        let mut file = w.into_inner().map_err(|e| io(e.into_error()))?;
        debug_assert_eq!(file.stream_position().ok(), Some(total));
        file.seek(SeekFrom::End(0)).map_err(io)?;
        file.sync_all().map_err(io)?;
        Ok(total)
    }
}

fn align_up(v: u64) -> u64 {
    v.div_ceil(ALIGN) * ALIGN
}

/// The checksum of the header (with its checksum field as zeros) and the
/// entry table.
fn header_checksum(header: &[u8; HEADER], table: &[u8]) -> u64 {
    let mut h = *header;
    h[40..48].fill(0);
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(&h);
    hasher.update(table);
    hasher.digest()
}

fn corrupt(path: &Path, message: &str) -> SnapshotError {
    SnapshotError::Corrupt {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

/// One array of the entry table.
#[derive(Copy, Clone, Debug)]
struct Entry {
    kind: u32,
    offset: u64,
    len: u64,
    checksum: u64,
    /// Index of its first page checksum in `_pages`.
    first_page: u64,
}

/// A read-only memory map that columns borrow from.
struct Map(memmap2::Mmap);

impl Backing for Map {
    fn bytes(&self) -> &[u8] {
        &self.0
    }
}

/// An opened snapshot file: its header checked, its arrays ready to be
/// viewed in place.
pub(super) struct MappedFile {
    path: PathBuf,
    backing: Arc<dyn Backing>,
    entries: HashMap<String, Entry>,
    /// The dataset id of the header.
    pub dataset_id: [u8; 16],
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(a)
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

impl MappedFile {
    /// Maps `path` and checks its header. O(arrays); touches only the
    /// header's pages.
    pub(super) fn open(path: &Path) -> Result<MappedFile, SnapshotError> {
        if cfg!(target_endian = "big") {
            return Err(corrupt(
                path,
                "snapshots are little-endian; this host is not",
            ));
        }
        let file = std::fs::File::open(path).map_err(|e| SnapshotError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        let len = file
            .metadata()
            .map_err(|e| SnapshotError::Io {
                path: path.to_path_buf(),
                source: e,
            })?
            .len();
        if len < HEADER as u64 {
            return Err(corrupt(
                path,
                &format!("{len} bytes is too short for a snapshot header"),
            ));
        }
        // SAFETY: a generation's files are written once, fsynced, and never
        // modified after the generation goes live; they are only ever
        // deleted, which leaves an existing map valid (the inode lives on).
        // The file length is checked against the header below, so a file
        // truncated before we mapped it is refused rather than read past
        // its end. Only a process truncating the file while we read it
        // could still fault us (see docs/snapshot-format.md).
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| SnapshotError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        let b: &[u8] = &map;
        if &b[..8] != MAGIC {
            return Err(corrupt(path, "not a lotgraph snapshot (bad magic)"));
        }
        let version = u32_at(b, 8);
        if version != FORMAT_VERSION {
            return Err(corrupt(
                path,
                &format!(
                    "snapshot format version {version}, this lotgraph reads {FORMAT_VERSION}: re-run `lotgraph ingest`"
                ),
            ));
        }
        let count = u32_at(b, 12);
        let table_end = HEADER + count as usize * ENTRY;
        if count > MAX_ENTRIES || table_end > b.len() {
            return Err(corrupt(
                path,
                &format!("entry table of {count} arrays does not fit"),
            ));
        }
        let mut header = [0u8; HEADER];
        header.copy_from_slice(&b[..HEADER]);
        if header_checksum(&header, &b[HEADER..table_end]) != u64_at(b, 40) {
            return Err(corrupt(
                path,
                "header checksum mismatch (the file is damaged)",
            ));
        }
        let total = u64_at(b, 32);
        if total != len {
            return Err(corrupt(
                path,
                &format!("file is {len} bytes, its header says {total} (truncated or damaged)"),
            ));
        }
        let mut dataset_id = [0u8; 16];
        dataset_id.copy_from_slice(&b[16..32]);
        let mut entries = HashMap::with_capacity(count as usize);
        let mut pages = 0u64;
        for i in 0..count as usize {
            let e = &b[HEADER + i * ENTRY..HEADER + (i + 1) * ENTRY];
            let name_len = e[..NAME].iter().position(|c| *c == 0).unwrap_or(NAME);
            let name = String::from_utf8_lossy(&e[..name_len]).into_owned();
            let entry = Entry {
                kind: u32_at(e, 32),
                offset: u64_at(e, 40),
                len: u64_at(e, 48),
                checksum: u64_at(e, 56),
                first_page: pages,
            };
            let fits = elem_size(entry.kind)
                .and_then(|s| s.checked_mul(entry.len))
                .and_then(|n| n.checked_add(entry.offset))
                .is_some_and(|end| end <= len);
            if !fits {
                return Err(corrupt(
                    path,
                    &format!("array {name} does not fit in the file"),
                ));
            }
            if name != PAGES {
                // Fits, so the byte length cannot overflow.
                let bytes = entry.len * elem_size(entry.kind).unwrap_or(1);
                pages += page_count(bytes as usize) as u64;
            }
            entries.insert(name, entry);
        }
        let file = MappedFile {
            path: path.to_path_buf(),
            backing: Arc::new(Map(map)),
            entries,
            dataset_id,
        };
        file.check_page_sums(pages)?;
        Ok(file)
    }

    /// Verifies the page checksum array as a whole (O(file / PAGE)): the
    /// checks of every other page rest on it.
    fn check_page_sums(&self, pages: u64) -> Result<(), SnapshotError> {
        let e = self.entry(PAGES, u32::KIND)?;
        if e.len != pages {
            return Err(corrupt(
                &self.path,
                &format!(
                    "{PAGES} holds {} page checksums, the arrays have {pages} pages",
                    e.len
                ),
            ));
        }
        let b = self.backing.bytes();
        // Bounds were checked when the entry was read.
        let bytes = &b[e.offset as usize..(e.offset + e.len * 4) as usize];
        if checksum(bytes) != e.checksum {
            return Err(corrupt(
                &self.path,
                &format!("array {PAGES} fails its checksum (the file is damaged)"),
            ));
        }
        Ok(())
    }

    fn entry(&self, name: &str, kind: u32) -> Result<Entry, SnapshotError> {
        let e = self
            .entries
            .get(name)
            .ok_or_else(|| corrupt(&self.path, &format!("array {name} is missing")))?;
        if e.kind != kind {
            return Err(corrupt(
                &self.path,
                &format!("array {name} has element kind {}, expected {kind}", e.kind),
            ));
        }
        Ok(*e)
    }

    /// Views the numeric array `name` in place. O(1).
    pub(super) fn col<T: Elem>(&self, name: &str) -> Result<Col<T>, SnapshotError> {
        let e = self.entry(name, T::KIND)?;
        let bad = |err| corrupt(&self.path, &format!("array {name}: {err}"));
        let col = Col::mapped(Arc::clone(&self.backing), e.offset, e.len).map_err(bad)?;
        let p = self.entry(PAGES, u32::KIND)?;
        let n = page_count(e.len as usize * std::mem::size_of::<T>()) as u64;
        let sums =
            Col::mapped(Arc::clone(&self.backing), p.offset + 4 * e.first_page, n).map_err(bad)?;
        let pages = Pages::new(sums, self.path.clone(), name.to_string());
        Ok(col.with_pages(Arc::new(pages)))
    }

    /// Views the string column `name` in place. O(1).
    pub(super) fn str(&self, name: &str) -> Result<StrCol, SnapshotError> {
        let offsets = self.col::<u64>(&format!("{name}.offsets"))?;
        if offsets.is_empty() {
            return Err(corrupt(
                &self.path,
                &format!("array {name}.offsets is empty"),
            ));
        }
        Ok(StrCol::from_parts(
            offsets,
            self.col(&format!("{name}.bytes"))?,
        ))
    }

    /// Recomputes every array's checksum: O(file). Names the first array
    /// that differs.
    pub(super) fn verify(&self) -> Result<(), SnapshotError> {
        let b = self.backing.bytes();
        let mut names: Vec<&String> = self.entries.keys().collect();
        names.sort();
        for name in names {
            let e = self.entries[name];
            let size = elem_size(e.kind).unwrap_or(1);
            // Bounds were checked at open.
            let bytes = &b[e.offset as usize..(e.offset + e.len * size) as usize];
            if checksum(bytes) != e.checksum {
                return Err(corrupt(
                    &self.path,
                    &format!("array {name} fails its checksum (the file is damaged)"),
                ));
            }
        }
        Ok(())
    }

    /// The file's path.
    pub(super) fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(dir: &Path) -> PathBuf {
        let a: Col<u32> = vec![1, 2, 3].into();
        let f: Col<f64> = vec![0.5].into();
        let s: StrCol = ["R-1", "🧪"].into_iter().collect();
        let mut w = FileWriter::default();
        w.col("a", &a);
        w.col("f", &f);
        w.str("s", &s);
        let p = dir.join("t.lgs");
        w.write(&p, [7; 16]).unwrap();
        p
    }

    #[test]
    fn arrays_round_trip_in_place() {
        let d = tempfile::tempdir().unwrap();
        let m = MappedFile::open(&sample(d.path())).unwrap();
        assert_eq!(&m.col::<u32>("a").unwrap()[..], &[1, 2, 3]);
        assert!(m.col::<u32>("a").unwrap().is_mapped());
        assert_eq!(&m.col::<f64>("f").unwrap()[..], &[0.5]);
        assert_eq!(
            m.str("s").unwrap().iter().collect::<Vec<_>>(),
            ["R-1", "🧪"]
        );
        assert_eq!(m.dataset_id, [7; 16]);
        m.verify().unwrap();
        assert!(m.col::<f64>("a").is_err(), "wrong element kind");
        assert!(
            m.col::<u32>("nope")
                .unwrap_err()
                .to_string()
                .contains("nope is missing")
        );
    }

    #[test]
    fn damage_is_an_error_never_a_panic() {
        let d = tempfile::tempdir().unwrap();
        let p = sample(d.path());
        let good = std::fs::read(&p).unwrap();
        // Every truncation, and a flip of every byte of the header and table.
        for cut in 0..good.len() {
            std::fs::write(&p, &good[..cut]).unwrap();
            assert!(MappedFile::open(&p).is_err(), "truncated at {cut}");
        }
        // Four arrays and their page checksums.
        let table_end = HEADER + 5 * ENTRY;
        for i in 0..table_end {
            let mut bad = good.clone();
            bad[i] ^= 0x40;
            std::fs::write(&p, &bad).unwrap();
            let err = MappedFile::open(&p).err();
            assert!(err.is_some(), "flipped byte {i} went unnoticed");
            assert!(err.unwrap().to_string().contains("t.lgs"));
        }
        // A flipped data byte opens but fails verification.
        let mut bad = good.clone();
        bad[table_end.next_multiple_of(64)] ^= 1;
        std::fs::write(&p, &bad).unwrap();
        let m = MappedFile::open(&p).unwrap();
        assert!(m.verify().unwrap_err().to_string().contains("checksum"));
        // Reading it stops with the damaged page named.
        let a = m.col::<u32>("a").unwrap();
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| a[0]));
        let payload = read.expect_err("a damaged page is never read silently");
        let d = payload
            .downcast_ref::<lotgraph_core::pages::Damaged>()
            .expect("a Damaged payload");
        assert_eq!((d.array.as_str(), d.page), ("a", 0));
        // So does the page checksum array itself, at open.
        // The last array, in the last 64 bytes (4 checksums, padded).
        let pages_at = good.len() - 64;
        let mut bad = good.clone();
        bad[pages_at] ^= 1;
        std::fs::write(&p, &bad).unwrap();
        let err = MappedFile::open(&p).err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("_pages")), "{pages_at}");
    }

    #[test]
    fn another_version_asks_for_a_re_ingest() {
        let d = tempfile::tempdir().unwrap();
        let p = sample(d.path());
        let mut b = std::fs::read(&p).unwrap();
        b[8..12].copy_from_slice(&2u32.to_le_bytes());
        std::fs::write(&p, &b).unwrap();
        let err = MappedFile::open(&p).err().unwrap().to_string();
        assert!(err.contains("re-run `lotgraph ingest`"), "{err}");
    }
}
