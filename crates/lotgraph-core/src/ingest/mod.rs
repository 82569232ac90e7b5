//! Ingest: reads a dataset directory (record-format.md), validates every row
//! and interns every id, producing a `Dataset` plus an account of what was
//! read, loaded and rejected. Strings are parsed here and nowhere after.
//!
//! Rules beyond the format's own text (documented in the README):
//! - a reference to a supplier, site or customer must resolve when that
//!   entity's file is present; when the file is absent the entity is created
//!   from the reference, with a warning (products are always created, as the
//!   format says);
//! - a shipment with `delivered_on` before `shipped_on`, or with status
//!   `in_transit` and a delivery date, is rejected;
//! - the first row with a given key wins; later duplicates are rejected.

//!
//! The work is split along the data flow: `dir` finds and opens the files,
//! `load` reads each file's rows through its `source`, `rows` validates
//! them (cells through `row` and `parse`, references through `resolve`,
//! duplicates through `registry` and `keys`), and `build` makes the
//! genealogy and the `Ingested`.

mod build;
mod dir;
mod keys;
pub mod limits;
mod load;
pub mod parse;
mod refs;
mod registry;
mod reject;
mod resolve;
mod row;
mod rows;
pub mod scan;
mod schemes;
pub mod sniff;
pub mod source;
#[cfg(test)]
mod tests;
mod warning;

use crate::graph::Genealogy;
use crate::model::{Dataset, FileKind};
pub use dir::{ingest_dir, ingest_dir_with};
pub use limits::{IngestOptions, Limits};
use load::Ingester;
pub use reject::{Reject, RejectKind};
pub use schemes::gtin14;
pub use sniff::{FileProblem, NoHeader};
use source::{CsvSource, RowSource};
use std::path::{Path, PathBuf};
pub use warning::Warning;

/// Errors that stop an ingest: nothing is written when one occurs.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// A file or directory could not be opened or read.
    #[error("{}: cannot read", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A dataset file is not a regular file (a FIFO, a device, a socket):
    /// reading one could block forever or never end.
    #[error("{}: is a {kind}, not a regular file; lotgraph reads datasets from regular files only", path.display())]
    NotAFile { path: PathBuf, kind: &'static str },
    /// A file is empty, UTF-16, or has an unusable header.
    #[error(transparent)]
    File(#[from] FileProblem),
    /// A file's content is not readable as a table at all.
    #[error("{file}: {message}")]
    Format { file: String, message: String },
    /// A required column is absent from a file's header.
    #[error("{file}: missing required column \"{column}\"")]
    MissingColumn { file: String, column: &'static str },
    /// The same column name appears twice in a header.
    #[error("{file}: column \"{column}\" appears twice in the header")]
    DuplicateColumn { file: String, column: String },
    /// The dataset has no lots file.
    #[error("{}: no lots file (lots.csv or lots.parquet); it is the one required file", dir.display())]
    MissingLots { dir: PathBuf },
    /// Two files would provide the same table.
    #[error("{}: both {a} and {b} exist; keep one", dir.display())]
    Ambiguous { dir: PathBuf, a: String, b: String },
    /// The genealogy is not acyclic.
    #[error("genealogy has a cycle through lots {}", list_ids(lots))]
    Cycle { lots: Vec<String> },
}

fn list_ids(ids: &[String]) -> String {
    refs::list_items(ids.iter().map(|i| format!("{i:?}")), ids.len())
}

/// Per-file counts: `loaded + rejected == read`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileReport {
    pub kind: FileKind,
    /// File name as found (`lots.csv`, `shipments.parquet`).
    pub file: String,
    pub read: u64,
    pub loaded: u64,
    pub rejected: u64,
}

impl FileReport {
    pub(crate) fn empty(kind: FileKind, file: String) -> Self {
        let (read, loaded, rejected) = (0, 0, 0);
        FileReport {
            kind,
            file,
            read,
            loaded,
            rejected,
        }
    }
}

/// The result of a successful ingest.
#[derive(Debug)]
pub struct Ingested {
    pub dataset: Dataset,
    pub genealogy: Genealogy,
    pub reports: Vec<FileReport>,
    pub rejects: Vec<Reject>,
    pub warnings: Vec<Warning>,
}

/// Opens files of the formats a build supports.
pub trait OpenSource {
    /// File extensions handled, in order of preference (`["csv", "parquet"]`).
    fn extensions(&self) -> &[&'static str];
    /// Opens one file.
    fn open(&self, path: &Path) -> Result<Box<dyn RowSource>, IngestError>;
}

/// The CSV-only opener of the core crate.
pub struct CsvOnly;

impl OpenSource for CsvOnly {
    fn extensions(&self) -> &[&'static str] {
        &["csv"]
    }
    fn open(&self, path: &Path) -> Result<Box<dyn RowSource>, IngestError> {
        Ok(Box::new(CsvSource::open(path)?))
    }
}

/// Ingests rows from already-open sources (used by tests and by callers that
/// do not read from a directory). `sources` must include lots.
pub fn ingest_sources(
    mut sources: Vec<(FileKind, Box<dyn RowSource>)>,
) -> Result<Ingested, IngestError> {
    sources.sort_by_key(|(k, _)| *k);
    let mut ing = Ingester::default();
    for (kind, _) in &sources {
        ing.present[*kind as usize] = true;
    }
    for (kind, src) in &mut sources {
        ing.load(*kind, src.as_mut())?;
    }
    ing.finish()
}
