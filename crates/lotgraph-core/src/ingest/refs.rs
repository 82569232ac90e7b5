//! Keys of rejected rows that other rows may refer to: suppliers, sites,
//! products, customers and lots. A reference to one is still unknown, but
//! its message points at the rejected row and says why it was rejected
//! (`unknown supplier "S3" (its row suppliers.csv:4 was rejected: ...)`),
//! instead of leaving the user to wonder where "S3" went. Only the ids of
//! rejected rows are kept, each with the index of its `Reject`, so a clean
//! dataset costs nothing here.

use super::Reject;
use crate::columns::{CUSTOMER_ID, LOT_ID, SITE_ID, SKU, SUPPLIER_ID};
use crate::model::FileKind;
use std::collections::HashMap;

/// Rejected keys, by file kind.
#[derive(Default)]
pub(super) struct RejectedKeys {
    /// Id → index of its first rejected row in the ingest's rejects.
    by_kind: [HashMap<String, usize>; FileKind::ALL.len()],
}

impl RejectedKeys {
    /// The column whose value other files refer to, for the kinds that
    /// are referred to.
    pub(super) fn key_column(kind: FileKind) -> Option<&'static str> {
        match kind {
            FileKind::Suppliers => Some(SUPPLIER_ID),
            FileKind::Sites => Some(SITE_ID),
            FileKind::Products => Some(SKU),
            FileKind::Customers => Some(CUSTOMER_ID),
            FileKind::Lots => Some(LOT_ID),
            _ => None,
        }
    }

    /// Remembers that the row of `id` became reject number `ix` (the
    /// first such row wins; a loaded row of the same id is never asked
    /// about, the caller only records ids that did not load).
    pub(super) fn insert(&mut self, kind: FileKind, id: &str, ix: usize) {
        let map = &mut self.by_kind[kind as usize];
        if !map.contains_key(id) {
            map.insert(id.to_string(), ix);
        }
    }

    /// ` (its row FILE:LINE was rejected: COLUMN: PROBLEM)` when the row of
    /// `id` was rejected, else "".
    pub(super) fn why(&self, kind: FileKind, id: &str, rejects: &[Reject]) -> String {
        match self.by_kind[kind as usize]
            .get(id)
            .and_then(|ix| rejects.get(*ix))
        {
            Some(r) => format!(
                " (its row {}:{} was rejected: {}: {})",
                r.file, r.line, r.column, r.problem
            ),
            None => String::new(),
        }
    }

    /// Drops every map (they only serve references while loading).
    pub(super) fn clear(&mut self) {
        *self = RejectedKeys::default();
    }
}

/// The field at `pos` of a row the source could not split properly
/// (`raw` is its CSV echo): the best guess at the id of a row rejected
/// before any column was read.
pub(super) fn key_of_raw(raw: &str, pos: usize) -> Option<String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(raw.as_bytes());
    let rec = r.records().next()?.ok()?;
    let id = rec.get(pos)?.trim_matches(|c| c == ' ' || c == '\t');
    (!id.is_empty()).then(|| id.to_string())
}

/// Most items a message lists by name.
pub(super) const LIST_MAX: usize = 20;

/// Up to `LIST_MAX` items joined by ", ", then "and N more" (`len` is the
/// number of items in all).
pub(super) fn list_items(items: impl Iterator<Item = String>, len: usize) -> String {
    let mut s = items.take(LIST_MAX).collect::<Vec<_>>().join(", ");
    if len > LIST_MAX {
        s.push_str(&format!(" and {} more", len - LIST_MAX));
    }
    s
}
