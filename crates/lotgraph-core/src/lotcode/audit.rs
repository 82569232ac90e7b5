//! Checking every lot id of a dataset against a lot-code scheme: codes
//! that do not fit or fit several ways, dates in the code that disagree
//! with the lot's records, the same batch of the same day twice, ids that
//! collide once case, spaces and leading zeros are ignored, and ids that
//! are not legal GS1 batch numbers (AI 10).

use super::gs1::{MAX_LOT_LEN, is_gs1_ai_value};
use super::scheme::Scheme;
use crate::model::{Dataset, LotIx};
use chrono::NaiveDate;
use std::collections::HashMap;

/// What is wrong with a lot id.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingKind {
    /// The id does not fit the scheme.
    DoesNotFit,
    /// The id fits the scheme in more than one way.
    Ambiguous,
    /// The date in the id is neither the lot's production nor its receipt
    /// date (the most common real error).
    DateMismatch,
    /// Two lots of one SKU carry the same date and batch of the day.
    DuplicateSequence,
    /// Two ids are equal once case, surrounding spaces and leading zeros
    /// are ignored (`000123` and `123`): a spreadsheet makes them one.
    Collides,
    /// Not 1-20 characters of GS1's 82-character set: it cannot go into a
    /// barcode as AI (10).
    NotGs1,
}

impl FindingKind {
    /// The finding's name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::DoesNotFit => "does_not_fit",
            FindingKind::Ambiguous => "ambiguous",
            FindingKind::DateMismatch => "date_mismatch",
            FindingKind::DuplicateSequence => "duplicate_sequence",
            FindingKind::Collides => "collides",
            FindingKind::NotGs1 => "not_gs1",
        }
    }
}

/// One finding about one lot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    pub lot: LotIx,
    /// What was found, naming the values.
    pub detail: String,
}

/// The id as a spreadsheet may have turned it: trimmed, lower-case, and
/// each run of digits without its leading zeros.
pub fn normalized(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    let mut in_digits = false;
    let mut zeros = 0usize;
    for c in id.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_digit() {
            if !in_digits && c == '0' {
                zeros += 1;
                continue;
            }
            in_digits = true;
        } else {
            if zeros > 0 && !in_digits {
                out.push('0');
            }
            in_digits = false;
        }
        zeros = 0;
        out.push(c);
    }
    if zeros > 0 && !in_digits {
        out.push('0');
    }
    out
}

/// Checks every lot whose SKU `admits` against `scheme`; `reference`
/// resolves one-digit years when a lot has no date of its own.
///
/// Result: the findings in lot order, then kind, and how many lots the
/// SKU filter admitted. O(lots × readings), with one
/// hash map for collisions and one for day sequences.
///
/// ```
/// use lotgraph_core::lotcode::scheme::Scheme;
/// use lotgraph_core::lotcode::audit::normalized;
/// assert_eq!(normalized(" 000123 "), normalized("123"));
/// assert_eq!(normalized("Lot-007"), "lot-7");
/// assert_eq!(normalized("0"), "0");
/// assert!(Scheme::parse("{yy}{jjj}").is_ok());
/// ```
pub fn audit(
    ds: &Dataset,
    scheme: &Scheme,
    admits: &dyn Fn(&str) -> bool,
    reference: NaiveDate,
) -> (Vec<Finding>, usize) {
    let mut found = Vec::new();
    let mut checked = 0;
    let mut by_norm: HashMap<String, LotIx> = HashMap::new();
    let mut by_day: HashMap<(u32, NaiveDate, u32), LotIx> = HashMap::new();
    for i in 0..ds.lot_count() {
        let l = LotIx::from_ix(i);
        let lot = ds.lot(l);
        let id = lot.id;
        let push = |found: &mut Vec<Finding>, kind, detail: String| {
            found.push(Finding {
                kind,
                lot: l,
                detail,
            });
        };
        if let Some(other) = by_norm.insert(normalized(id), l) {
            let detail = format!(
                "{id:?} and {:?} are one id to a spreadsheet",
                ds.lot_id(other)
            );
            push(&mut found, FindingKind::Collides, detail);
        }
        if !is_gs1_ai_value(id, MAX_LOT_LEN) {
            let detail = format!("{id:?} is not 1-20 characters of the GS1 set (no spaces, no #)");
            push(&mut found, FindingKind::NotGs1, detail);
        }
        if !admits(&ds.product_of(l).sku) {
            continue;
        }
        checked += 1;
        let own = lot.produced_on.or(lot.received_on);
        let readings = scheme.read(id, own.unwrap_or(reference));
        match readings.len() {
            0 => push(
                &mut found,
                FindingKind::DoesNotFit,
                format!("{id:?} does not fit {scheme}"),
            ),
            1 => {}
            n => push(
                &mut found,
                FindingKind::Ambiguous,
                format!("{id:?} fits {scheme} {n} ways"),
            ),
        }
        let Some(r) = readings.first() else { continue };
        if let Some(d) = r.date {
            let recorded = [lot.produced_on, lot.received_on];
            if recorded.iter().any(Option::is_some) && !recorded.contains(&Some(d)) {
                let on = own.map_or_else(String::new, |o| o.to_string());
                let detail = format!("{id:?} says {d}, the lot's record says {on}");
                push(&mut found, FindingKind::DateMismatch, detail);
            }
            if let Some(seq) = r.seq {
                let sku = ds.lots.sku[i].0;
                if let Some(other) = by_day.insert((sku, d, seq), l) {
                    let detail = format!(
                        "{id:?} and {:?}: batch {seq} of {d} twice",
                        ds.lot_id(other)
                    );
                    push(&mut found, FindingKind::DuplicateSequence, detail);
                }
            }
        }
    }
    (found, checked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_collisions_ignore_case_spaces_and_leading_zeros() {
        assert_eq!(normalized("000123"), normalized("123"));
        assert_eq!(normalized(" ab-01 "), normalized("AB-1"));
        assert_ne!(normalized("10"), normalized("1"));
        assert_eq!(normalized("00"), "0");
        assert_eq!(normalized("A0B"), "a0b");
    }
}
