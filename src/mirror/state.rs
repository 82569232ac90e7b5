//! What the workspace remembers about its mirror: `WORKSPACE/neo4j-state.json`
//! holds, per set (label or relationship type), the content hash of every
//! row that Neo4j is known to hold, keyed by the row's key, plus a random
//! token that is also stored in the database on a `(:LotgraphMirror)` node.
//!
//! A push sends only rows whose hash differs from the remembered one and
//! deletes remembered keys that are gone. The state only ever records
//! batches whose transaction committed, so it may lag behind the database
//! (after a crash) but never runs ahead of it; every statement is
//! idempotent, so resending is harmless. When the token in the database is
//! not the one remembered (a fresh or wiped database, or another workspace
//! pushed there) the state is discarded and the push starts over.

use super::MirrorError;
use super::rows::Set;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Bumped when the graph model or the hashing changes: an old state is
/// then discarded and the next push is a full one.
pub const STATE_VERSION: u32 = 1;

/// The file name inside the workspace.
pub const STATE_FILE: &str = "neo4j-state.json";

/// The remembered mirror.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SyncState {
    pub version: u32,
    /// The token of the mirror this state describes.
    pub token: Option<String>,
    /// Where it was pushed (URI and database; never credentials).
    pub target: String,
    /// Set name → (row key → content hash).
    pub sets: BTreeMap<String, HashMap<String, u64>>,
}

impl SyncState {
    /// The state file of a workspace.
    pub fn path(workspace: &Path) -> PathBuf {
        workspace.join(STATE_FILE)
    }

    /// Loads the state (empty when there is none, or of another version).
    pub fn load(workspace: &Path) -> Result<SyncState, MirrorError> {
        let path = Self::path(workspace);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(SyncState::default()),
            Err(e) => {
                return Err(MirrorError::State {
                    path,
                    message: e.to_string(),
                });
            }
        };
        let state: SyncState = serde_json::from_slice(&bytes).map_err(|e| MirrorError::State {
            path: path.clone(),
            message: format!("{e} (delete the file to push everything again)"),
        })?;
        Ok(if state.version == STATE_VERSION {
            state
        } else {
            SyncState::default()
        })
    }

    /// Writes the state atomically (temporary file, then rename).
    pub fn save(&self, workspace: &Path) -> Result<(), MirrorError> {
        let path = Self::path(workspace);
        let tmp = workspace.join(format!(".{STATE_FILE}.tmp-{}", std::process::id()));
        let err = |e: std::io::Error| MirrorError::State {
            path: path.clone(),
            message: e.to_string(),
        };
        let file = std::fs::File::create(&tmp).map_err(err)?;
        let mut w = std::io::BufWriter::new(file);
        serde_json::to_writer(&mut w, self).map_err(|e| MirrorError::State {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let file = w.into_inner().map_err(|e| err(e.into_error()))?;
        file.sync_all().map_err(err)?;
        std::fs::rename(&tmp, &path).map_err(err)?;
        Ok(())
    }

    /// Forgets everything and starts a new mirror with `token`.
    pub fn reset(&mut self, token: String, target: String) {
        self.version = STATE_VERSION;
        self.token = Some(token);
        self.target = target;
        self.sets.clear();
    }

    /// The remembered rows of `set`.
    pub fn set(&self, set: Set) -> Option<&HashMap<String, u64>> {
        self.sets.get(set.name())
    }

    /// The remembered rows of `set`, for updating.
    pub fn set_mut(&mut self, set: Set) -> &mut HashMap<String, u64> {
        self.sets.entry(set.name().to_string()).or_default()
    }
}

/// A new random token (from the OS's randomness through std's hasher keys,
/// mixed with the time and process id).
pub fn new_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.write_u32(std::process::id());
    let a = h.finish();
    let mut h2 = std::collections::hash_map::RandomState::new().build_hasher();
    h2.write_u64(a);
    format!("{a:016x}{:016x}", h2.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_hostile_keys() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SyncState::default();
        s.reset(new_token(), "bolt://x".into());
        s.set_mut(Set::Lot)
            .insert("' DETACH DELETE n //\n🧪\"{}\\".into(), u64::MAX);
        s.save(dir.path()).unwrap();
        let t = SyncState::load(dir.path()).unwrap();
        assert_eq!(t.token, s.token);
        assert_eq!(t.sets, s.sets);
    }

    #[test]
    fn tokens_differ() {
        assert_ne!(new_token(), new_token());
    }
}
