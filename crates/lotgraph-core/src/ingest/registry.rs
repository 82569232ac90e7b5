//! The ids of one entity kind loaded so far, with the line of each (for
//! duplicate messages) and the ids created from references alone.

use super::RejectKind;
use super::row::{Bad, bad};
use std::collections::HashMap;

/// Ids of one entity kind seen so far.
#[derive(Default)]
pub(super) struct Registry {
    pub(super) ids: HashMap<String, u32>,
    /// Line of each loaded row, by index (for duplicate messages).
    pub(super) lines: Vec<u64>,
    /// Ids created from references rather than from their own file.
    pub(super) implicit: Vec<String>,
}

impl Registry {
    pub(super) fn get(&self, id: &str) -> Option<u32> {
        self.ids.get(id).copied()
    }

    pub(super) fn duplicate(&self, id: &str, col: &'static str) -> Result<(), Bad> {
        match self.get(id) {
            Some(ix) => Err(bad(
                col,
                RejectKind::DuplicateKey,
                format!(
                    "duplicate {id:?} (first on line {})",
                    self.lines[ix as usize]
                ),
            )),
            None => Ok(()),
        }
    }

    pub(super) fn insert(&mut self, id: &str, line: u64) -> u32 {
        let ix = self.lines.len() as u32;
        self.ids.insert(id.to_string(), ix);
        self.lines.push(line);
        ix
    }
}
