//! Duplicate detection for shipments, whose key is a (shipment id, lot)
//! pair: a fingerprint per row instead of a `String` per row, which was half
//! of the ingest's peak memory at 1M lots.

use crate::model::{LotIx, ShipmentTable};
use std::collections::HashMap;

/// The (shipment id, lot) pairs loaded so far. A 64-bit fingerprint of the
/// pair maps to the index of its first row in `Dataset::shipments`; a
/// fingerprint hit is confirmed against that row, so a collision never
/// rejects a good row: two different pairs with one fingerprint go to the
/// exact `spill` map. About 30 bytes per row instead of about 100 for a
/// map keyed by `(String, LotIx)`.
pub(super) struct ShipmentKeys {
    pub(super) first: HashMap<u64, u32, BuildPassThrough>,
    /// Line of each loaded shipment row, by index.
    pub(super) lines: Vec<u64>,
    spill: HashMap<(String, LotIx), u64>,
    /// Randomly keyed, like std's maps, so crafted ids cannot pile into
    /// one bucket.
    keys: std::hash::RandomState,
    /// Replaces the fingerprint in tests, to force collisions.
    pub(super) fixed: Option<u64>,
}

impl Default for ShipmentKeys {
    fn default() -> Self {
        ShipmentKeys {
            first: HashMap::default(),
            lines: Vec::new(),
            spill: HashMap::new(),
            keys: std::hash::RandomState::new(),
            fixed: None,
        }
    }
}

impl ShipmentKeys {
    /// Records the pair of the row about to be pushed at
    /// `shipments.len()`; returns the line of an earlier row with the same
    /// pair instead (and records nothing) when there is one.
    pub(super) fn insert(
        &mut self,
        shipments: &ShipmentTable,
        id: &str,
        lot: LotIx,
        line: u64,
    ) -> Option<u64> {
        use std::collections::hash_map::Entry;
        use std::hash::BuildHasher;
        debug_assert_eq!(self.lines.len(), shipments.len());
        let fp = self
            .fixed
            .unwrap_or_else(|| self.keys.hash_one((id, lot.0)));
        let needs_exact = match self.first.entry(fp) {
            Entry::Occupied(e) => {
                let ix = *e.get() as usize;
                if shipments.id.get(ix) == id && shipments.lot.get(ix) == Some(&lot) {
                    return Some(self.lines[ix]);
                }
                true // a fingerprint collision between different pairs
            }
            Entry::Vacant(e) => match u32::try_from(shipments.len()) {
                Ok(ix) => {
                    e.insert(ix);
                    false
                }
                Err(_) => true, // past 4G shipment rows
            },
        };
        if needs_exact {
            match self.spill.entry((id.to_string(), lot)) {
                Entry::Occupied(e) => return Some(*e.get()),
                Entry::Vacant(e) => {
                    e.insert(line);
                }
            }
        }
        self.lines.push(line);
        None
    }
}

/// A `BuildHasher` for keys that already are well-mixed hashes.
#[derive(Default, Clone, Copy)]
pub(super) struct BuildPassThrough;

impl std::hash::BuildHasher for BuildPassThrough {
    type Hasher = PassThrough;
    fn build_hasher(&self) -> PassThrough {
        PassThrough(0)
    }
}

/// Hashes a `u64` to itself.
#[derive(Default)]
pub(super) struct PassThrough(u64);

impl std::hash::Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    #[test]
    fn shipment_keys_are_exact_even_when_fingerprints_collide() {
        fn ship(id: &str, lot: u32) -> Shipment<'_> {
            Shipment {
                id,
                lot: LotIx(lot),
                quantity: 1.0,
                from_site: None,
                to: Destination::Customer(CustomerIx(0)),
                shipped_on: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
                delivered_on: None,
                status: ShipmentStatus::InTransit,
            }
        }
        for fixed in [None, Some(7)] {
            let mut keys = ShipmentKeys {
                fixed,
                ..ShipmentKeys::default()
            };
            let mut rows = ShipmentTable::default();
            // (id, lot, line, expected: None = loaded, Some(first line) = duplicate)
            for (id, lot, line, want) in [
                ("S1", 0, 2, None),
                ("S1", 1, 3, None),
                ("S2", 0, 4, None),
                ("S1", 0, 5, Some(2)),
                ("S2", 0, 6, Some(4)),
                ("S1", 1, 7, Some(3)),
                ("S3", 2, 8, None),
                ("S3", 2, 9, Some(8)),
            ] {
                let got = keys.insert(&rows, id, LotIx(lot), line);
                assert_eq!(got, want, "{id} lot {lot} line {line}");
                if got.is_none() {
                    rows.push(ship(id, lot));
                }
            }
            assert_eq!(rows.len(), 4);
        }
    }
}
