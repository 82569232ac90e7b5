//! The workspace: generations of snapshots made live atomically.
//!
//! Layout of a workspace `W`:
//! - `W/CURRENT`: the name of the live generation directory;
//! - `W/gen-*/`: `manifest.json`, `snapshot.lgs` (every array, see
//!   `docs/snapshot-format.md`) and `rejects.csv` of one snapshot;
//! - `W/rejects.csv`: a copy of the live generation's rejects.
//!
//! A new snapshot is written to a temporary directory, read back and
//! checksummed, fsynced, renamed into place, and only then made live by
//! atomically replacing `CURRENT`; a failed or killed ingest therefore
//! leaves the previous snapshot loadable. Writers take an exclusive lock on
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
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The file naming the live generation.
pub(super) fn current_file(workspace: &Path) -> PathBuf {
    workspace.join("CURRENT")
}

fn sync_dir(dir: &Path) -> Result<(), SnapshotError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

/// Writes a complete new snapshot and makes it live atomically; then removes
/// generations older than the one it replaced. `before_commit` runs after every file is durable and
/// before the switch (tests use it to simulate a crash at the worst moment).
pub fn write(
    workspace: &Path,
    ds: &Dataset,
    genealogy: &Genealogy,
    manifest: &Manifest,
    rejects: &[Reject],
    before_commit: impl FnOnce(),
) -> Result<PathBuf, SnapshotError> {
    std::fs::create_dir_all(workspace).map_err(io(workspace))?;
    // One writer at a time: a second ingest waits here rather than deleting
    // the first one's generation under it. The lock goes with the handle.
    let lock_path = workspace.join("LOCK");
    let lock = File::create(&lock_path).map_err(io(&lock_path))?;
    lock.lock().map_err(io(&lock_path))?;
    // The generation live before this write is kept one round, so a reader
    // that is loading it right now is not cut off.
    let previous = std::fs::read_to_string(current_file(workspace))
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let stamp = format!(
        "{}-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.9f"),
        std::process::id()
    );
    let tmp = workspace.join(format!(".tmp-gen-{stamp}"));
    std::fs::create_dir(&tmp).map_err(io(&tmp))?;
    let result = (|| {
        let id = new_dataset_id();
        let data = tmp.join(DATA_FILE);
        let balance = Balance::compute(ds);
        write_arrays(&data, ds, genealogy, &balance, id)?;
        // Read back what was written before it can go live: a disk that
        // returns other bytes than it was given fails the ingest here.
        MappedFile::open(&data)?.verify()?;
        write_durably(&tmp.join(REJECTS_FILE), &rejects_csv(rejects))?;
        let mpath = tmp.join("manifest.json");
        let manifest = Manifest {
            version: SNAPSHOT_VERSION,
            dataset_id: hex(&id),
            ..manifest.clone()
        };
        let json = serde_json::to_vec_pretty(&manifest).map_err(|e| io(&mpath)(e.into()))?;
        write_durably(&mpath, &json)?;
        sync_dir(&tmp)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let gen_name = format!("gen-{stamp}");
    let live = workspace.join(&gen_name);
    std::fs::rename(&tmp, &live).map_err(io(&live))?;
    sync_dir(workspace)?;
    before_commit();
    let cur = current_file(workspace);
    let cur_tmp = workspace.join(format!(".CURRENT.tmp-{stamp}"));
    write_durably(&cur_tmp, format!("{gen_name}\n").as_bytes())?;
    std::fs::rename(&cur_tmp, &cur).map_err(io(&cur))?;
    sync_dir(workspace)?;
    // The new snapshot is live; what follows is housekeeping, which must
    // not fail an ingest that took effect. W/rejects.csv is the copy users
    // open (the generation holds the authoritative one).
    let rj = workspace.join("rejects.csv");
    let rj_tmp = workspace.join(format!(".rejects.csv.tmp-{stamp}"));
    if write_durably(&rj_tmp, &rejects_csv(rejects))
        .and_then(|()| std::fs::rename(&rj_tmp, &rj).map_err(io(&rj)))
        .is_err()
    {
        let _ = std::fs::remove_file(&rj_tmp);
        eprintln!(
            "lotgraph: warning: could not update {}; the rejects are in {}",
            rj.display(),
            live.join(REJECTS_FILE).display()
        );
    }
    remove_stale(workspace, &[gen_name.as_str(), previous.as_str()]);
    drop(lock);
    Ok(live)
}

/// Encodes rejected rows as `rejects.csv`.
pub fn rejects_csv(rejects: &[Reject]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["file", "line", "column", "problem", "record"]);
    for r in rejects {
        let line = r.line.to_string();
        let _ = w.write_record([
            r.file.as_str(),
            line.as_str(),
            r.column.as_str(),
            r.problem.as_str(),
            r.record.as_str(),
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
            let _ = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
        }
    }
}
