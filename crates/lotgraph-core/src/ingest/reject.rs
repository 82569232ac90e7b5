//! Rejected rows: the `Reject` of one row and the `RejectKind` of its
//! problem, so that callers (`lotgraph check`, rejects.csv readers) tell
//! problems apart by kind rather than by the wording of their message.

use std::fmt;

/// What is wrong with a rejected row: one variant per kind of problem the
/// ingest produces. [`RejectKind::as_str`] is the stable name written to
/// the `kind` column of rejects.csv.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RejectKind {
    /// The row has another number of fields than the header (possibly
    /// because an unclosed quote swallowed the lines after it).
    WrongFieldCount,
    /// A quoted field is never closed: the file ends inside it.
    UnclosedQuote,
    /// The record is longer than `--max-record-bytes`.
    RecordTooLong,
    /// A field is longer than `--max-field-bytes`.
    FieldTooLong,
    /// A field is not valid UTF-8.
    InvalidUtf8,
    /// A required cell is empty.
    MissingValue,
    /// A lot of origin `supplied` has no `supplier_id`.
    MissingSupplier,
    /// A cell is not a decimal number (or is `inf`, `NaN`, `1,5`...).
    NotADecimal,
    /// A cell is not a whole number where one is required (days).
    NotAWholeNumber,
    /// A number is larger than accepted (over 1e15, or a day count over
    /// 2^32 - 1).
    TooLarge,
    /// A number is negative where it must not be.
    Negative,
    /// A quantity is zero; it must be greater than 0.
    Zero,
    /// A cell is not an ISO 8601 date or timestamp.
    BadDate,
    /// A cell is not one of the values of a closed set (origin, status,
    /// kind, category, result).
    NotAChoice,
    /// A cell is not an ISO 3166 alpha-2 country code.
    BadCountry,
    /// A product's `kg_per_uom` contradicts the mass its `uom` implies.
    KgConflict,
    /// A reference to a lot that is not loaded.
    UnknownLot,
    /// A reference to a supplier missing from a present suppliers file.
    UnknownSupplier,
    /// A reference to a site missing from a present sites file.
    UnknownSite,
    /// A reference to a customer missing from a present customers file.
    UnknownCustomer,
    /// A consumption's output lot has origin `supplied`.
    OutputNotProduced,
    /// A shipment has both or neither of `to_site_id` and `customer_id`.
    DestinationNotOne,
    /// A shipment's `delivered_on` is before its `shipped_on`.
    DeliveredBeforeShipped,
    /// A shipment's status is `in_transit` but it has a `delivered_on`.
    InTransitDelivered,
    /// The row's key was loaded from an earlier row (the first wins).
    DuplicateKey,
    /// A product's `gtin` is not 8, 12, 13 or 14 digits with a valid GS1
    /// check digit.
    BadGtin,
    /// A lot scheme's `template` does not parse (docs/lot-codes.md).
    BadTemplate,
    /// A lot scheme's `codes` is not `NAME=VALUE;...` over the template's
    /// `{code:NAME}` fields.
    BadCodes,
    /// A reject read from a rejects.csv whose `kind` names no kind this
    /// build knows, or (written before the `kind` column) whose problem
    /// text matches no kind: never produced by an ingest.
    Other,
}

impl RejectKind {
    /// Every kind, in declaration order.
    pub const ALL: [RejectKind; 29] = [
        RejectKind::WrongFieldCount,
        RejectKind::UnclosedQuote,
        RejectKind::RecordTooLong,
        RejectKind::FieldTooLong,
        RejectKind::InvalidUtf8,
        RejectKind::MissingValue,
        RejectKind::MissingSupplier,
        RejectKind::NotADecimal,
        RejectKind::NotAWholeNumber,
        RejectKind::TooLarge,
        RejectKind::Negative,
        RejectKind::Zero,
        RejectKind::BadDate,
        RejectKind::NotAChoice,
        RejectKind::BadCountry,
        RejectKind::KgConflict,
        RejectKind::UnknownLot,
        RejectKind::UnknownSupplier,
        RejectKind::UnknownSite,
        RejectKind::UnknownCustomer,
        RejectKind::OutputNotProduced,
        RejectKind::DestinationNotOne,
        RejectKind::DeliveredBeforeShipped,
        RejectKind::InTransitDelivered,
        RejectKind::DuplicateKey,
        RejectKind::BadGtin,
        RejectKind::BadTemplate,
        RejectKind::BadCodes,
        RejectKind::Other,
    ];

    /// The stable `snake_case` name (the `kind` column of rejects.csv).
    pub fn as_str(self) -> &'static str {
        match self {
            RejectKind::WrongFieldCount => "wrong_field_count",
            RejectKind::UnclosedQuote => "unclosed_quote",
            RejectKind::RecordTooLong => "record_too_long",
            RejectKind::FieldTooLong => "field_too_long",
            RejectKind::InvalidUtf8 => "invalid_utf8",
            RejectKind::MissingValue => "missing_value",
            RejectKind::MissingSupplier => "missing_supplier",
            RejectKind::NotADecimal => "not_a_decimal",
            RejectKind::NotAWholeNumber => "not_a_whole_number",
            RejectKind::TooLarge => "too_large",
            RejectKind::Negative => "negative",
            RejectKind::Zero => "zero",
            RejectKind::BadDate => "bad_date",
            RejectKind::NotAChoice => "not_a_choice",
            RejectKind::BadCountry => "bad_country",
            RejectKind::KgConflict => "kg_conflict",
            RejectKind::UnknownLot => "unknown_lot",
            RejectKind::UnknownSupplier => "unknown_supplier",
            RejectKind::UnknownSite => "unknown_site",
            RejectKind::UnknownCustomer => "unknown_customer",
            RejectKind::OutputNotProduced => "output_not_produced",
            RejectKind::DestinationNotOne => "destination_not_one",
            RejectKind::DeliveredBeforeShipped => "delivered_before_shipped",
            RejectKind::InTransitDelivered => "in_transit_delivered",
            RejectKind::DuplicateKey => "duplicate_key",
            RejectKind::BadGtin => "bad_gtin",
            RejectKind::BadTemplate => "bad_template",
            RejectKind::BadCodes => "bad_codes",
            RejectKind::Other => "other",
        }
    }

    /// The kind named `name` (as [`as_str`](RejectKind::as_str) spells
    /// it), `None` for any other text.
    pub fn from_name(name: &str) -> Option<RejectKind> {
        RejectKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The kind of a problem text as this build words it: **only** for
    /// rejects.csv files written before the `kind` column existed, whose
    /// rows carry no kind. Every other caller reads `Reject::kind`. Text
    /// that matches no kind is `Other`.
    pub fn from_legacy_problem(problem: &str) -> RejectKind {
        // Fixed wording first (a quoted value can contain anything, so
        // prefixes, which come before any value, are matched first).
        const PREFIXES: [(&str, RejectKind); 11] = [
            ("unknown lot ", RejectKind::UnknownLot),
            ("unknown supplier ", RejectKind::UnknownSupplier),
            ("unknown site ", RejectKind::UnknownSite),
            ("unknown customer ", RejectKind::UnknownCustomer),
            ("duplicate ", RejectKind::DuplicateKey),
            ("is required but empty", RejectKind::MissingValue),
            (
                "is required when origin is supplied",
                RejectKind::MissingSupplier,
            ),
            ("quoted field starting on line ", RejectKind::UnclosedQuote),
            ("record is ", RejectKind::RecordTooLong),
            ("field is ", RejectKind::FieldTooLong),
            ("exactly one of to_site_id", RejectKind::DestinationNotOne),
        ];
        const SUFFIXES: [(&str, RejectKind); 10] = [
            (" is negative", RejectKind::Negative),
            (" is zero; it must be greater than 0", RejectKind::Zero),
            (" is not a decimal number", RejectKind::NotADecimal),
            (" is not a whole number", RejectKind::NotAWholeNumber),
            (" is implausibly large (over 1e15)", RejectKind::TooLarge),
            (" is too large", RejectKind::TooLarge),
            (" is not an ISO 8601 date (YYYY-MM-DD)", RejectKind::BadDate),
            (
                " is not an ISO 3166 alpha-2 country code",
                RejectKind::BadCountry,
            ),
            (
                " only produced lots have inputs",
                RejectKind::OutputNotProduced,
            ),
            (" but delivered_on is set", RejectKind::InTransitDelivered),
        ];
        if let Some((_, k)) = PREFIXES.iter().find(|(p, _)| problem.starts_with(p)) {
            return *k;
        }
        if problem == "is not valid UTF-8" {
            return RejectKind::InvalidUtf8;
        }
        if let Some((_, k)) = SUFFIXES.iter().find(|(s, _)| problem.ends_with(s)) {
            return *k;
        }
        if problem.starts_with("has ") && problem.contains(" fields, the header has ") {
            RejectKind::WrongFieldCount
        } else if problem.contains(" is not one of ") {
            RejectKind::NotAChoice
        } else if problem.contains(" conflicts with uom ") {
            RejectKind::KgConflict
        } else if problem.contains(" is before shipped_on ") {
            RejectKind::DeliveredBeforeShipped
        } else {
            RejectKind::Other
        }
    }
}

impl fmt::Display for RejectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rejected row and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Reject {
    /// File name (`lots.csv`).
    pub file: String,
    /// Physical line where the record starts (header = 1).
    pub line: u64,
    /// The offending column (`(row)` when the row as a whole is malformed).
    pub column: String,
    /// What kind of problem it is.
    pub kind: RejectKind,
    /// What is wrong, quoting the value.
    pub problem: String,
    /// The row as read, re-encoded as CSV.
    pub record: String,
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file, self.line, self.column, self.problem
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for k in RejectKind::ALL {
            assert!(seen.insert(k.as_str()), "{k} twice");
            assert_eq!(RejectKind::from_name(k.as_str()), Some(k));
        }
        assert_eq!(RejectKind::from_name("nonsense"), None);
    }

    #[test]
    fn legacy_problems_classify_by_their_fixed_wording() {
        for (problem, kind) in [
            (
                "\"x is negative\" is not a decimal number",
                RejectKind::NotADecimal,
            ),
            (
                "unknown lot \"A\" (its row lots.csv:2 was rejected: quantity: \"-3\" is negative)",
                RejectKind::UnknownLot,
            ),
            (
                "has 3 fields, the header has 5",
                RejectKind::WrongFieldCount,
            ),
            (
                "2024-02-01 is before shipped_on 2024-03-01",
                RejectKind::DeliveredBeforeShipped,
            ),
            ("something new", RejectKind::Other),
        ] {
            assert_eq!(RejectKind::from_legacy_problem(problem), kind, "{problem}");
        }
    }
}
