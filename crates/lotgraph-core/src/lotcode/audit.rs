//! Checking every lot id of a dataset against a lot-code scheme: codes
//! that do not fit or fit several ways, dates in the code that disagree
//! with the lot's records, the same batch of the same day twice, ids that
//! collide once case, spaces and leading zeros are ignored, and ids that
//! are not legal GS1 batch numbers (AI 10); supplier lot codes under
//! their supplier's scheme.

use super::gs1::{MAX_LOT_LEN, is_gs1_ai_value};
use super::rules::{Rule, Rules};
use super::scheme::{Field, Reading};
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
    /// A text field of the code (`{sku}`, `{site}`, `{line}`, a
    /// `{code:NAME}` lookup) disagrees with the lot or its SKU's scheme.
    FieldMismatch,
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
            FindingKind::FieldMismatch => "field_mismatch",
        }
    }
}

/// One finding about one lot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    pub lot: LotIx,
    /// Which of the lot's codes it is about.
    pub subject: Subject,
    /// The code checked (empty: the lot id, see `subject`).
    pub code: String,
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

/// Which code of a lot a finding is about.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subject {
    /// The lot's own id (`lot_id`).
    LotId,
    /// The supplier's code for it (`supplier_lot_code`).
    SupplierLotCode,
}

impl Subject {
    /// The column the code is in.
    pub fn column(self) -> &'static str {
        match self {
            Subject::LotId => crate::columns::LOT_ID,
            Subject::SupplierLotCode => crate::columns::SUPPLIER_LOT_CODE,
        }
    }
}

/// How many codes an audit checked against a scheme.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Checked {
    /// Lot ids with a scheme (and admitted by the SKU filter).
    pub lot_ids: usize,
    /// Supplier lot codes whose supplier has a scheme for the SKU.
    pub supplier_codes: usize,
}

/// Checks every lot whose SKU `admits` against its rule in `rules`: its id
/// against the first rule without a supplier whose pattern matches its
/// SKU, its `supplier_lot_code` against the first rule of its supplier
/// (docs/lot-codes.md lists the findings); `reference` resolves one-digit
/// years when a lot has no date of its own. Collisions and GS1 legality
/// are checked on every lot id.
///
/// Result: the findings in lot order, then subject and kind, and how many
/// codes had a scheme. O(lots × readings) with one hash map for
/// collisions and one for day sequences; lot-id patterns are matched once
/// per SKU, supplier-code patterns once per supplied lot with a code (the
/// supplier rules are few: a per-(SKU, supplier) table is not worth it yet).
///
/// ```
/// use lotgraph_core::lotcode::audit::normalized;
/// assert_eq!(normalized(" 000123 "), normalized("123"));
/// assert_eq!(normalized("Lot-007"), "lot-7");
/// assert_eq!(normalized("0"), "0");
/// ```
pub fn audit(
    ds: &Dataset,
    rules: &Rules,
    admits: &dyn Fn(&str) -> bool,
    reference: NaiveDate,
) -> (Vec<Finding>, Checked) {
    let mut found = Vec::new();
    let mut checked = Checked::default();
    let mut by_norm: HashMap<String, LotIx> = HashMap::new();
    let mut by_day: HashMap<(u32, NaiveDate, u32), LotIx> = HashMap::new();
    let rule_of_sku = rules.by_sku(ds);
    let admitted: Vec<bool> = ds.products.iter().map(|p| admits(&p.sku)).collect();
    for i in 0..ds.lot_count() {
        let l = LotIx::from_ix(i);
        let lot = ds.lot(l);
        let id = lot.id;
        if let Some(other) = by_norm.insert(normalized(id), l) {
            let detail = format!(
                "{id:?} and {:?} are one id to a spreadsheet",
                ds.lot_id(other)
            );
            found.push(Finding::of_id(FindingKind::Collides, l, detail));
        }
        if !is_gs1_ai_value(id, MAX_LOT_LEN) {
            let detail = format!("{id:?} is not 1-20 characters of the GS1 set (no spaces, no #)");
            found.push(Finding::of_id(FindingKind::NotGs1, l, detail));
        }
        let sku = ds.lots.sku[i].0 as usize;
        if !admitted.get(sku).copied().unwrap_or(false) {
            continue;
        }
        if let Some(rule) = rule_of_sku
            .get(sku)
            .copied()
            .flatten()
            .map(|r| &rules.rules[r])
        {
            checked.lot_ids += 1;
            let lc = LotCode {
                ds,
                l,
                subject: Subject::LotId,
                code: id,
            };
            if let Some((d, Some(seq))) = lc.check(rule, reference, &mut found)
                && let Some(other) = by_day.insert((sku as u32, d, seq), l)
            {
                let detail = format!(
                    "{id:?} and {:?}: batch {seq} of {d} twice",
                    ds.lot_id(other)
                );
                found.push(Finding::of_id(FindingKind::DuplicateSequence, l, detail));
            }
        }
        let (Some(sup), Some(code)) = (lot.supplier, lot.supplier_lot_code) else {
            continue;
        };
        if let Some(rule) = rules.for_supplier_code(&ds.product_of(l).sku, sup) {
            checked.supplier_codes += 1;
            let lc = LotCode {
                ds,
                l,
                subject: Subject::SupplierLotCode,
                code,
            };
            lc.check(rule, reference, &mut found);
        }
    }
    (found, checked)
}

/// One code of one lot being checked.
struct LotCode<'a> {
    ds: &'a Dataset,
    l: LotIx,
    subject: Subject,
    code: &'a str,
}

impl LotCode<'_> {
    fn push(&self, found: &mut Vec<Finding>, kind: FindingKind, detail: String) {
        found.push(Finding {
            kind,
            lot: self.l,
            subject: self.subject,
            code: self.code.to_string(),
            detail,
        });
    }

    /// Checks the code against `rule`: fit, ambiguity, text fields and
    /// date. Returns the date and batch of the reading checked.
    fn check(
        &self,
        rule: &Rule,
        reference: NaiveDate,
        found: &mut Vec<Finding>,
    ) -> Option<(NaiveDate, Option<u32>)> {
        let (code, scheme) = (self.code, &rule.scheme);
        let lot = self.ds.lot(self.l);
        let own = lot.produced_on.or(lot.received_on);
        let readings = scheme.read(code, own.unwrap_or(reference));
        match readings.len() {
            0 => {
                let detail = format!("{code:?} does not fit {scheme}");
                self.push(found, FindingKind::DoesNotFit, detail);
            }
            1 => {}
            n => {
                let detail = format!("{code:?} fits {scheme} {n} ways");
                self.push(found, FindingKind::Ambiguous, detail);
            }
        }
        // The reading that agrees with the lot's record, if one does.
        let r = readings
            .iter()
            .find(|r| self.disagreements(rule, r).is_empty())
            .or(readings.first())?;
        for d in self.disagreements(rule, r) {
            self.push(found, FindingKind::FieldMismatch, format!("{code:?} {d}"));
        }
        let d = r.date?;
        let late = match self.subject {
            Subject::LotId => {
                let recorded = [lot.produced_on, lot.received_on];
                (recorded.iter().any(Option::is_some) && !recorded.contains(&Some(d))).then(|| {
                    format!(
                        "{code:?} says {d}, the lot's record says {}",
                        own.map_or_else(String::new, |o| o.to_string())
                    )
                })
            }
            // A supplier codes its own production day, which is on or
            // before the day we received the lot: only a later date is wrong.
            Subject::SupplierLotCode => lot
                .received_on
                .filter(|r| d > *r)
                .map(|r| format!("{code:?} says {d}, after the lot was received on {r}")),
        };
        if let Some(detail) = late {
            self.push(found, FindingKind::DateMismatch, detail);
        }
        Some((d, r.seq))
    }

    /// How reading `r`'s text fields disagree with the lot and the rule:
    /// `{sku}`, `{site}` and `{line}` against the lot's, `{code:NAME}`
    /// against the rule's value for the SKU.
    fn disagreements(&self, rule: &Rule, r: &Reading) -> Vec<String> {
        let ds = self.ds;
        let lot = ds.lot(self.l);
        let mut out: Vec<String> = rule
            .code_conflicts(r)
            .into_iter()
            .map(|(name, got, want)| {
                format!("says {name} {got}; {} lots carry {want}", rule.sku_pattern)
            })
            .collect();
        // Supplier codes name the supplier's SKUs and sites, not ours.
        if self.subject == Subject::SupplierLotCode {
            return out;
        }
        for (f, text) in &r.fields {
            let (what, own) = match f {
                Field::Sku => ("SKU", Some(ds.product_of(self.l).sku.as_str())),
                Field::Site => ("site", lot.site.map(|s| ds.site_id(s))),
                Field::Line => (
                    "line",
                    lot.line
                        .and_then(|x| ds.lines.get(x.0 as usize))
                        .map(String::as_str),
                ),
                _ => continue,
            };
            if let Some(own) = own.filter(|o| o != text) {
                out.push(format!("says {what} {text}; the lot's is {own}"));
            }
        }
        out
    }
}

impl Finding {
    fn of_id(kind: FindingKind, lot: LotIx, detail: String) -> Finding {
        Finding {
            kind,
            lot,
            subject: Subject::LotId,
            code: String::new(),
            detail,
        }
    }
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
