//! The workspace: generations of snapshots made live atomically.
//!
//! Layout of a workspace `W`:
//! - `W/CURRENT`: a symlink to the live generation directory (a file
//!   holding its name in workspaces written before issue 17);
//! - `W/gen-*/`: `manifest.json`, `snapshot.lgs` (every array, see
//!   `docs/snapshot-format.md`) and `rejects.csv` of one snapshot;
//! - `W/rejects.csv`: the symlink `CURRENT/rejects.csv`.
//!
//! A new snapshot is written to a temporary directory, read back and
//! checksummed, fsynced, renamed into place, and only then made live by
//! atomically replacing `CURRENT`; everything an ingest writes is inside
//! the generation, so the switch is the one moment it takes effect. A
//! failed or killed ingest leaves the previous snapshot loadable. Writers take an exclusive lock on
//! `W/LOCK`; the generation that was live before a write is kept until the
//! next one, for readers that opened it just before the switch. A reader
//! whose generation is removed later keeps answering from its map (Linux
//! frees an unlinked file only when its last map goes away).

use super::file::MappedFile;
use super::layout::write_arrays;
use super::{DATA_FILE, Manifest, REJECTS_FILE, SNAPSHOT_VERSION, SnapshotError, io};
use lotgraph_core::Genealogy;
use lotgraph_core::analytics::balance::Balance;
use lotgraph_core::ingest::Reject;
use lotgraph_core::model::Dataset;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A fresh random id for a dataset snapshot, so a table file of another
/// snapshot is recognised as foreign.
fn new_dataset_id() -> [u8; 16] {
    use std::hash::{BuildHasher, Hasher};
    let mut id = [0u8; 16];
    for (k, chunk) in id.chunks_mut(8).enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        h.write_u32(std::process::id());
        h.write_usize(k);
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    id
}

/// Lower-case hex of `b`.
pub fn hex(b: &[u8]) -> String {
    use std::fmt::Write;
    b.iter()
        .fold(String::with_capacity(2 * b.len()), |mut s, x| {
            let _ = write!(s, "{x:02x}");
            s
        })
}

/// The link naming the live generation.
pub(super) fn current_file(workspace: &Path) -> PathBuf {
    workspace.join("CURRENT")
}

/// What `W/rejects.csv` links to: the live generation's rejects, through
/// `CURRENT`, so it changes exactly when `CURRENT` does.
const REJECTS_LINK: &str = "CURRENT/rejects.csv";

/// The name of the live generation of `workspace`: the target of the
/// `CURRENT` symlink, or (workspaces written before issue 17) the content
/// of a `CURRENT` file. `Ok(None)` when there is none yet.
pub(super) fn live_generation(workspace: &Path) -> Result<Option<String>, SnapshotError> {
    let cur = current_file(workspace);
    let name = match std::fs::read_link(&cur) {
        Ok(target) => target.to_string_lossy().into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        // Not a symlink: an older workspace's file.
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            std::fs::read_to_string(&cur).map_err(io(&cur))?
        }
        Err(e) => return Err(io(&cur)(e)),
    };
    let name = name.trim();
    let plain = !name.is_empty() && !name.contains(['/', '\\']) && name != "." && name != "..";
    if !(plain && name.starts_with("gen-")) {
        let what = if name.is_empty() {
            "is empty".to_string()
        } else {
            format!("names {name:?}, which is not a generation of this workspace")
        };
        return Err(SnapshotError::Corrupt {
            path: cur,
            message: format!("{what}; the workspace is damaged: re-run `lotgraph ingest`"),
        });
    }
    Ok(Some(name.to_string()))
}

fn sync_dir(dir: &Path) -> Result<(), SnapshotError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

/// The durable steps of a snapshot write, in order. A [`Faults`] hook runs
/// before each, so tests can fail any of them as a full disk or a failing
/// device would.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Writing `snapshot.lgs` into the temporary generation.
    Data,
    /// Writing the generation's `rejects.csv`.
    Rejects,
    /// Writing the generation's `manifest.json`.
    Manifest,
    /// fsync of the temporary generation directory.
    SyncGeneration,
    /// Renaming the temporary directory to `gen-*`.
    RenameGeneration,
    /// Pointing `W/rejects.csv` at `CURRENT/rejects.csv` (once per workspace).
    RejectsLink,
    /// Creating the new `CURRENT` link under a temporary name.
    WriteCurrent,
    /// Renaming it over `CURRENT`: the switch.
    Switch,
    /// fsync of the workspace directory after the switch.
    SyncSwitch,
}

impl Step {
    /// Every step, in the order they run.
    pub const ALL: [Step; 9] = [
        Step::Data,
        Step::Rejects,
        Step::Manifest,
        Step::SyncGeneration,
        Step::RenameGeneration,
        Step::RejectsLink,
        Step::WriteCurrent,
        Step::Switch,
        Step::SyncSwitch,
    ];

    /// The step's name in `LOTGRAPH_TEST_FAULT`.
    pub fn name(self) -> &'static str {
        match self {
            Step::Data => "data",
            Step::Rejects => "rejects",
            Step::Manifest => "manifest",
            Step::SyncGeneration => "sync-generation",
            Step::RenameGeneration => "rename-generation",
            Step::RejectsLink => "rejects-link",
            Step::WriteCurrent => "write-current",
            Step::Switch => "switch",
            Step::SyncSwitch => "sync-switch",
        }
    }
}

/// A hook run before each step of a write; an error fails that step as if
/// the file system had returned it. Production passes [`no_faults`].
pub type Faults<'a> = &'a mut dyn FnMut(Step) -> std::io::Result<()>;

/// The hook that never fails.
pub fn no_faults(_: Step) -> std::io::Result<()> {
    Ok(())
}

/// What a successful write reports.
#[derive(Debug)]
pub struct Written {
    /// The generation directory now live.
    pub live: PathBuf,
    /// Set when the switch is visible to every process but could not be
    /// made durable (the workspace's fsync failed after the rename): a
    /// power failure may bring the previous generation back.
    pub not_durable: Option<SnapshotError>,
}

/// How a write waits and where it may be made to fail.
pub struct WriteOptions<'a> {
    /// Give up waiting for another writer's lock after this long (`None`:
    /// wait as long as it takes).
    pub lock_timeout: Option<std::time::Duration>,
    /// Runs before every durable step.
    pub faults: Faults<'a>,
}

/// Writes a complete new snapshot and makes it live atomically; then
/// removes generations older than the one it replaced.
///
/// `Err` means the previous generation is still live and nothing of this
/// write remains; `Ok` means the new one is live. `opts.faults` runs before
/// every durable step (see [`Step`]).
pub fn write(
    workspace: &Path,
    ds: &Dataset,
    genealogy: &Genealogy,
    manifest: &Manifest,
    rejects: &[Reject],
    opts: WriteOptions<'_>,
) -> Result<Written, SnapshotError> {
    std::fs::create_dir_all(workspace).map_err(io(workspace))?;
    let _lock = super::lock::acquire(workspace, opts.lock_timeout)?;
    let faults = opts.faults;
    // The generation live before this write is kept one round, so a reader
    // that is loading it right now is not cut off.
    let previous = live_generation(workspace)
        .ok()
        .flatten()
        .unwrap_or_default();
    let stamp = format!(
        "{}-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.9f"),
        std::process::id()
    );
    let tmp = workspace.join(format!(".tmp-gen-{stamp}"));
    std::fs::create_dir(&tmp).map_err(io(&tmp))?;
    let gen_name = format!("gen-{stamp}");
    let live = workspace.join(&gen_name);
    let cur_tmp = workspace.join(format!(".CURRENT.tmp-{stamp}"));
    let staged = (|| {
        stage(&tmp, &live, ds, genealogy, manifest, rejects, faults)?;
        link_rejects(workspace, &stamp, faults)?;
        step(faults, Step::WriteCurrent, &cur_tmp)?;
        std::os::unix::fs::symlink(&gen_name, &cur_tmp).map_err(io(&cur_tmp))?;
        let cur = current_file(workspace);
        step(faults, Step::Switch, &cur)?;
        std::fs::rename(&cur_tmp, &cur).map_err(io(&cur))
    })();
    if let Err(e) = staged {
        // Nothing points at what this write made: remove all of it.
        let _ = std::fs::remove_file(&cur_tmp);
        let _ = std::fs::remove_dir_all(&live);
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    // The new snapshot is live for every process from here on: nothing
    // that follows may turn the ingest into a failure.
    let not_durable = step(faults, Step::SyncSwitch, workspace)
        .and_then(|()| sync_dir(workspace))
        .err();
    remove_stale(workspace, &[gen_name.as_str(), previous.as_str()]);
    Ok(Written { live, not_durable })
}

/// Runs the fault hook for `s`, as an I/O error on `path`.
fn step(faults: Faults<'_>, s: Step, path: &Path) -> Result<(), SnapshotError> {
    faults(s).map_err(io(path))
}

/// Writes every file of the new generation into `tmp`, verifies it, and
/// renames it to `live` (not yet pointed at).
fn stage(
    tmp: &Path,
    live: &Path,
    ds: &Dataset,
    genealogy: &Genealogy,
    manifest: &Manifest,
    rejects: &[Reject],
    faults: Faults<'_>,
) -> Result<(), SnapshotError> {
    let id = new_dataset_id();
    let data = tmp.join(DATA_FILE);
    let balance = Balance::compute(ds);
    step(faults, Step::Data, &data)?;
    write_arrays(&data, ds, genealogy, &balance, id)?;
    // Read back what was written before it can go live: a disk that
    // returns other bytes than it was given fails the ingest here.
    MappedFile::open(&data)?.verify()?;
    let rpath = tmp.join(REJECTS_FILE);
    step(faults, Step::Rejects, &rpath)?;
    write_durably(&rpath, &rejects_csv(rejects))?;
    let mpath = tmp.join("manifest.json");
    let manifest = Manifest {
        version: SNAPSHOT_VERSION,
        dataset_id: hex(&id),
        ..manifest.clone()
    };
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| io(&mpath)(e.into()))?;
    step(faults, Step::Manifest, &mpath)?;
    write_durably(&mpath, &json)?;
    step(faults, Step::SyncGeneration, tmp)?;
    sync_dir(tmp)?;
    step(faults, Step::RenameGeneration, live)?;
    std::fs::rename(tmp, live).map_err(io(live))
}

/// Makes `W/rejects.csv` the symlink `CURRENT/rejects.csv`, unless it is
/// already. It resolves through `CURRENT`, so it always shows the live
/// generation's rejects, before and after the switch alike.
fn link_rejects(workspace: &Path, stamp: &str, faults: Faults<'_>) -> Result<(), SnapshotError> {
    let rj = workspace.join(REJECTS_FILE);
    if std::fs::read_link(&rj).is_ok_and(|t| t == Path::new(REJECTS_LINK)) {
        return Ok(());
    }
    let tmp = workspace.join(format!(".rejects.csv.tmp-{stamp}"));
    let made = step(faults, Step::RejectsLink, &rj)
        .and_then(|()| std::os::unix::fs::symlink(REJECTS_LINK, &tmp).map_err(io(&tmp)))
        .and_then(|()| std::fs::rename(&tmp, &rj).map_err(io(&rj)));
    if made.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    made
}

/// Encodes rejected rows as `rejects.csv`. The `kind` column comes last,
/// so readers of the five earlier columns by position are unaffected.
pub fn rejects_csv(rejects: &[Reject]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["file", "line", "column", "problem", "record", "kind"]);
    for r in rejects {
        let line = r.line.to_string();
        let _ = w.write_record([
            r.file.as_str(),
            line.as_str(),
            r.column.as_str(),
            r.problem.as_str(),
            r.record.as_str(),
            r.kind.as_str(),
        ]);
    }
    w.into_inner().unwrap_or_default()
}

fn write_durably(path: &Path, bytes: &[u8]) -> Result<(), SnapshotError> {
    let mut f = File::create(path).map_err(io(path))?;
    f.write_all(bytes).map_err(io(path))?;
    f.sync_all().map_err(io(path))
}

/// Removes old generations and the temporary directories and files of
/// ingests that are no longer running.
fn remove_stale(workspace: &Path, keep: &[&str]) {
    let Ok(entries) = std::fs::read_dir(workspace) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let stale = if name.starts_with("gen-") {
            !keep.contains(&name.as_str())
        } else if let Some(rest) = [".tmp-gen-", ".CURRENT.tmp-", ".rejects.csv.tmp-"]
            .iter()
            .find_map(|p| name.strip_prefix(p))
        {
            // A temp dir or file whose writer process is gone (killed
            // between writing it and its rename).
            rest.rsplit('-')
                .next()
                .and_then(|pid| pid.parse::<u32>().ok())
                .is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists())
        } else {
            false
        };
        if stale {
            let path = e.path();
            // Not `is_dir`, which follows a (temporary CURRENT) symlink.
            let is_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
            let _ = if is_dir {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
        }
    }
}
