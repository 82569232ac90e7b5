//! The workspace snapshot: the validated dataset, its genealogy (CSR, both
//! directions), its balance and its lookup indexes, stored as fixed-width
//! arrays in one file that query commands map and read in place. Opening
//! one costs O(1) in the number of lots (plus the master data, a few
//! thousand rows); a query pays for the pages it touches.
//!
//! `workspace` makes generations live atomically, `file` is the checked
//! container, `layout` says which arrays it holds. The format is specified
//! in `docs/snapshot-format.md`.

mod file;
mod layout;
mod lock;
mod workspace;

pub use file::FORMAT_VERSION;
pub use workspace::{Faults, Step, WriteOptions, Written, hex, no_faults, rejects_csv, write};

use lotgraph_core::Genealogy;
use lotgraph_core::analytics::balance::Balance;
use lotgraph_core::ingest::{FileReport, Reject, RejectKind};
use lotgraph_core::model::Dataset;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The snapshot version recorded in `manifest.json`. Version 3 is the
/// mapped array file; versions 1 and 2 (Arrow IPC tables) are no longer
/// read: opening one asks for a re-ingest (the source data is the record
/// of truth, and an ingest of 1M lots takes seconds).
pub const SNAPSHOT_VERSION: u32 = 6;

/// The array file of a generation.
const DATA_FILE: &str = "snapshot.lgs";
/// The rejected rows of the ingest that made a generation.
const REJECTS_FILE: &str = "rejects.csv";

/// Errors reading or writing a snapshot; each names the file involved.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// No snapshot has been written to this workspace yet.
    #[error("no snapshot in workspace {}: run `lotgraph ingest DIR` first", workspace.display())]
    Missing { workspace: PathBuf },
    /// A file could not be read or written.
    #[error("{}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file does not hold what this version expects.
    #[error("{}: {message}", path.display())]
    Corrupt { path: PathBuf, message: String },
    /// Another writer held the workspace lock for longer than allowed.
    #[error(
        "{}: the workspace lock is still held by {} after {}; nothing was written (is another ingest running or stopped?)",
        path.display(), lock::describe(*holder), lock::human(*waited)
    )]
    LockTimeout {
        path: PathBuf,
        holder: Option<u32>,
        waited: std::time::Duration,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SnapshotError + '_ {
    move |source| SnapshotError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What `manifest.json` records about a snapshot.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    /// Random id of this snapshot, also in the array file's header: a file
    /// from another snapshot is refused.
    #[serde(default)]
    pub dataset_id: String,
    /// The dataset directory ingested.
    pub source: String,
    /// RFC 3339 time of the ingest.
    pub created_at: String,
    pub files: Vec<FileCount>,
    pub warnings: Vec<String>,
}

/// Per-file counts of the ingest that made the snapshot.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FileCount {
    pub file: String,
    pub read: u64,
    pub loaded: u64,
    pub rejected: u64,
}

impl From<&FileReport> for FileCount {
    fn from(r: &FileReport) -> Self {
        FileCount {
            file: r.file.clone(),
            read: r.read,
            loaded: r.loaded,
            rejected: r.rejected,
        }
    }
}

/// An opened snapshot. Its tables and arrays borrow from the mapped file,
/// which stays mapped as long as any of them lives.
pub struct Snapshot {
    pub dataset: Dataset,
    pub genealogy: Genealogy,
    /// Every lot's balance, computed at ingest.
    pub balance: Balance,
    pub manifest: Manifest,
    /// The generation directory it was opened from.
    pub dir: PathBuf,
    file: file::MappedFile,
}

impl Snapshot {
    /// The rows rejected by the ingest that made this snapshot.
    ///
    /// A rejects.csv written before the `kind` column has no kinds: there
    /// (only) each kind is derived from its problem text
    /// ([`RejectKind::from_legacy_problem`]). A kind name this build does
    /// not know reads as [`RejectKind::Other`].
    pub fn rejects(&self) -> Result<Vec<Reject>, SnapshotError> {
        let path = self.dir.join(REJECTS_FILE);
        let bad = |e: csv::Error| SnapshotError::Corrupt {
            path: path.clone(),
            message: e.to_string(),
        };
        let mut r = csv::Reader::from_path(&path).map_err(bad)?;
        let kind_at = r.headers().map_err(bad)?.iter().position(|h| h == "kind");
        let mut out = Vec::new();
        for rec in r.records() {
            let rec = rec.map_err(bad)?;
            let f = |i: usize| rec.get(i).unwrap_or("").to_string();
            let problem = f(3);
            let kind = match kind_at {
                Some(i) => {
                    RejectKind::from_name(rec.get(i).unwrap_or("")).unwrap_or(RejectKind::Other)
                }
                None => RejectKind::from_legacy_problem(&problem),
            };
            out.push(Reject {
                file: f(0),
                line: rec.get(1).and_then(|l| l.parse().ok()).unwrap_or(0),
                column: f(2),
                kind,
                problem,
                record: f(4),
            });
        }
        Ok(out)
    }

    /// Recomputes every array's checksum (O(snapshot size)); the error
    /// names the first damaged array.
    pub fn verify(&self) -> Result<(), SnapshotError> {
        self.file.verify()
    }

    /// The array file's path.
    pub fn data_path(&self) -> &Path {
        self.file.path()
    }
}

/// Opens the live snapshot of `workspace`: reads `CURRENT` and the
/// manifest, maps the array file and checks its header. O(1) in the
/// number of lots.
pub fn load(workspace: &Path) -> Result<Snapshot, SnapshotError> {
    let Some(name) = workspace::live_generation(workspace)? else {
        return Err(SnapshotError::Missing {
            workspace: workspace.to_path_buf(),
        });
    };
    let dir = workspace.join(&name);
    let mpath = dir.join("manifest.json");
    let bytes = std::fs::read(&mpath).map_err(io(&mpath))?;
    let manifest: Manifest =
        serde_json::from_slice(&bytes).map_err(|e| SnapshotError::Corrupt {
            path: mpath.clone(),
            message: e.to_string(),
        })?;
    if manifest.version != SNAPSHOT_VERSION {
        return Err(SnapshotError::Corrupt {
            path: mpath,
            message: format!(
                "snapshot version {} was written by another lotgraph (this one reads {SNAPSHOT_VERSION}): re-run `lotgraph ingest`",
                manifest.version
            ),
        });
    }
    let file = file::MappedFile::open(&dir.join(DATA_FILE))?;
    if hex(&file.dataset_id) != manifest.dataset_id {
        return Err(SnapshotError::Corrupt {
            path: file.path().to_path_buf(),
            message: format!(
                "belongs to another snapshot (dataset id {}, manifest says {})",
                hex(&file.dataset_id),
                manifest.dataset_id
            ),
        });
    }
    let opened = layout::open_arrays(&file)?;
    Ok(Snapshot {
        dataset: opened.dataset,
        genealogy: opened.genealogy,
        balance: opened.balance,
        manifest,
        dir,
        file,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lotgraph_core::ingest::{CsvOnly, ingest_dir};

    fn toy() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/fixtures/toy")
    }

    fn manifest() -> Manifest {
        Manifest {
            version: SNAPSHOT_VERSION,
            dataset_id: String::new(),
            source: "toy".into(),
            created_at: "2024-01-01T00:00:00Z".into(),
            files: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Writes the toy dataset's snapshot into `ws` with `rejects`.
    fn write_toy(ws: &Path, ing: &lotgraph_core::ingest::Ingested, rejects: &[Reject]) -> PathBuf {
        write(
            ws,
            &ing.dataset,
            &ing.genealogy,
            &manifest(),
            rejects,
            WriteOptions {
                lock_timeout: None,
                faults: &mut no_faults,
            },
        )
        .unwrap()
        .live
    }

    #[test]
    fn round_trip_keeps_every_record() {
        let ing = ingest_dir(&toy(), &CsvOnly).unwrap();
        let ws = tempfile::tempdir().unwrap();
        let rejects = vec![Reject {
            file: "lots.csv".into(),
            line: 9,
            column: "quantity".into(),
            kind: RejectKind::Negative,
            problem: "\"-3\" is negative".into(),
            record: "X,FIN,produced,-3".into(),
        }];
        write_toy(ws.path(), &ing, &rejects);
        let snap = load(ws.path()).unwrap();
        let (a, b) = (&ing.dataset, &snap.dataset);
        assert_eq!(a.suppliers, b.suppliers);
        assert_eq!(a.sites, b.sites);
        assert_eq!(a.products, b.products);
        assert_eq!(a.customers, b.customers);
        assert_eq!(a.lots, b.lots);
        assert!(b.lots.quantity.is_mapped(), "tables are read in place");
        assert_eq!(a.lines, b.lines);
        assert_eq!(a.line_sites, b.line_sites);
        assert_eq!(a.consumptions, b.consumptions);
        assert_eq!(a.shipments, b.shipments);
        assert_eq!(a.returns, b.returns);
        assert_eq!(a.inspections, b.inspections);
        assert_eq!(a.extras, b.extras);
        assert_eq!(ing.genealogy, snap.genealogy);
        assert_eq!(Balance::compute(a), snap.balance);
        assert_eq!(snap.rejects().unwrap(), rejects);
        for l in &a.lots {
            assert_eq!(b.lot_ix(l.id), a.lot_ix(l.id));
        }
        assert_eq!(b.lot_ix("nope"), None);
        for i in 0..a.lots.len() {
            let l = lotgraph_core::LotIx::from_ix(i);
            assert_eq!(a.shipments_of(l), b.shipments_of(l));
            assert_eq!(a.returns_of(l), b.returns_of(l));
            assert_eq!(a.inspections_of(l), b.inspections_of(l));
        }
        snap.verify().unwrap();
    }

    /// A rejects.csv written before the `kind` column still reads; its
    /// kinds come from the problem texts.
    #[test]
    fn rejects_without_a_kind_column_read_by_their_problem() {
        let ing = ingest_dir(&toy(), &CsvOnly).unwrap();
        let ws = tempfile::tempdir().unwrap();
        let live = write_toy(ws.path(), &ing, &[]);
        std::fs::write(
            live.join(REJECTS_FILE),
            "file,line,column,problem,record\n\
             consumptions.csv:3,3,input_lot_id,\"unknown lot \"\"Z\"\"\",\"Z,F1,1\"\n\
             lots.csv,4,quantity,\"\"\"-3\"\" is negative\",\"X,FIN,produced,-3\"\n",
        )
        .unwrap();
        let snap = load(ws.path()).unwrap();
        let kinds: Vec<RejectKind> = snap.rejects().unwrap().iter().map(|r| r.kind).collect();
        assert_eq!(kinds, [RejectKind::UnknownLot, RejectKind::Negative]);
    }

    #[test]
    fn rewriting_replaces_the_generation() {
        let ing = ingest_dir(&toy(), &CsvOnly).unwrap();
        let ws = tempfile::tempdir().unwrap();
        let w = || write_toy(ws.path(), &ing, &[]);
        let first = w();
        let second = w();
        assert_ne!(first, second);
        assert!(first.exists(), "the previous generation is kept one round");
        let third = w();
        assert!(!first.exists(), "older generations are removed");
        assert!(second.exists());
        assert_eq!(load(ws.path()).unwrap().dir, third);
    }

    #[test]
    fn a_reader_outlives_the_removal_of_its_generation() {
        let ing = ingest_dir(&toy(), &CsvOnly).unwrap();
        let ws = tempfile::tempdir().unwrap();
        let w = || write_toy(ws.path(), &ing, &[]);
        w();
        let snap = load(ws.path()).unwrap();
        w();
        w();
        assert!(!snap.dir.exists(), "its generation is gone");
        assert_eq!(snap.dataset.lots, ing.dataset.lots, "the map still reads");
    }

    #[test]
    fn a_missing_damaged_or_foreign_snapshot_is_an_error_naming_it() {
        let ws = tempfile::tempdir().unwrap();
        assert!(matches!(
            load(ws.path()),
            Err(SnapshotError::Missing { .. })
        ));
        let ing = ingest_dir(&toy(), &CsvOnly).unwrap();
        let live = write_toy(ws.path(), &ing, &[]);
        let data = live.join(DATA_FILE);
        let good = std::fs::read(&data).unwrap();
        std::fs::write(&data, b"not a snapshot").unwrap();
        let err = load(ws.path()).err().unwrap().to_string();
        assert!(err.contains("snapshot.lgs"), "{err}");
        std::fs::remove_file(&data).unwrap();
        let err = load(ws.path()).err().unwrap().to_string();
        assert!(err.contains("snapshot.lgs"), "{err}");
        // The array file of another ingest of the same data.
        let other = tempfile::tempdir().unwrap();
        let live2 = write_toy(other.path(), &ing, &[]);
        std::fs::copy(live2.join(DATA_FILE), &data).unwrap();
        let err = load(ws.path()).err().unwrap().to_string();
        assert!(err.contains("belongs to another snapshot"), "{err}");
        std::fs::write(&data, &good).unwrap();
        assert!(load(ws.path()).is_ok());
        // An old manifest version.
        let mpath = live.join("manifest.json");
        let m = std::fs::read_to_string(&mpath).unwrap();
        let now = format!("\"version\": {SNAPSHOT_VERSION}");
        let old = format!("\"version\": {}", SNAPSHOT_VERSION - 1);
        assert!(m.contains(&now), "{m}");
        std::fs::write(&mpath, m.replace(&now, &old)).unwrap();
        let err = load(ws.path()).err().unwrap().to_string();
        assert!(err.contains("re-run `lotgraph ingest`"), "{err}");
    }
}
