//! Warnings of an ingest: things that loaded, but not quite as written
//! (a file ignored, entities created from references, units unknown). Each
//! is a typed variant whose `Display` is the message users see.

use super::refs::list_items;
use super::{NoHeader, list_ids};
use crate::model::FileKind;
use std::fmt;

/// One warning of an ingest. [`Warning::as_str`] names its kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// A file with a handled extension whose name is not one of the record
    /// format's files; it was not read.
    IgnoredFile {
        /// Its file name.
        file: String,
    },
    /// An optional file without a header (empty, or only blank lines): read
    /// as a table with no rows.
    NoRows {
        file: String,
        /// Why it has no header.
        why: NoHeader,
    },
    /// Columns the record format does not define, kept as extra properties
    /// of the rows.
    ExtraColumns {
        file: String,
        /// Their names, in file order.
        columns: Vec<String>,
    },
    /// Products created because rows of `file` refer to SKUs missing from
    /// products.
    CreatedProducts {
        file: String,
        /// How many were created.
        count: usize,
        /// The first of them (at most as many as the message lists), each
        /// SKU with ` (its row FILE:LINE was rejected: ...)` when its own
        /// product row was rejected, else "".
        shown: Vec<(String, String)>,
    },
    /// Suppliers, sites or customers created from references because
    /// their file is absent.
    CreatedFromReferences {
        /// `Suppliers`, `Sites` or `Customers`.
        kind: FileKind,
        /// The ids created, in the order first referred to.
        ids: Vec<String>,
    },
    /// SKUs whose unit lotgraph does not know: each is its own dimension.
    UnknownUnits {
        /// (SKU, its uom as written).
        skus: Vec<(String, String)>,
    },
    /// Lots whose input shares fall back to the recorded quantities,
    /// because a content input's SKU has no `kg_per_uom`.
    RecordedShares {
        /// How many lots.
        lots: usize,
    },
    /// Lot codes that do not follow their scheme (`ingest --lot-scheme`,
    /// the checks of `lotcode check`): they load all the same.
    LotCodes {
        /// Codes checked against a scheme.
        checked: usize,
        /// Findings per kind (`date_mismatch`, ...), in kind order.
        counts: Vec<(&'static str, usize)>,
        /// The first findings, as `LOT: detail`.
        shown: Vec<String>,
    },
}

impl Warning {
    /// The stable `snake_case` name of the warning's kind.
    pub fn as_str(&self) -> &'static str {
        match self {
            Warning::IgnoredFile { .. } => "ignored_file",
            Warning::NoRows { .. } => "no_rows",
            Warning::ExtraColumns { .. } => "extra_columns",
            Warning::CreatedProducts { .. } => "created_products",
            Warning::CreatedFromReferences { .. } => "created_from_references",
            Warning::UnknownUnits { .. } => "unknown_units",
            Warning::RecordedShares { .. } => "recorded_shares",
            Warning::LotCodes { .. } => "lot_codes",
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::IgnoredFile { file } => {
                write!(f, "{file}: ignored, not a file of the record format")
            }
            Warning::NoRows { file, why } => {
                write!(f, "{file}: {why}; read as a table with no rows")
            }
            Warning::ExtraColumns { file, columns } => write!(
                f,
                "{file}: unknown columns kept as extra properties: {}",
                columns.join(", ")
            ),
            Warning::CreatedProducts { file, count, shown } => write!(
                f,
                "{file}: created {count} product(s) missing from products: {}",
                list_items(shown.iter().map(|(s, why)| format!("{s:?}{why}")), *count)
            ),
            Warning::CreatedFromReferences { kind, ids } => {
                let what = match kind {
                    FileKind::Suppliers => "supplier",
                    FileKind::Sites => "site",
                    _ => "customer",
                };
                write!(
                    f,
                    "{}.csv is absent: created {} {what}(s) from references: {}",
                    kind.stem(),
                    ids.len(),
                    list_ids(ids)
                )
            }
            Warning::UnknownUnits { skus } => {
                let items: Vec<String> = skus.iter().map(|(s, u)| format!("{s} ({u})")).collect();
                write!(
                    f,
                    "products: {} SKU(s) have a unit lotgraph does not know, each its own dimension: {}",
                    items.len(),
                    list_ids(&items)
                )
            }
            Warning::RecordedShares { lots } => write!(
                f,
                "{lots} lot(s) have shares on the recorded basis: a content input's SKU has no kg_per_uom (list: `lotgraph check`)"
            ),
            Warning::LotCodes {
                checked,
                counts,
                shown,
            } => {
                let total: usize = counts.iter().map(|(_, n)| n).sum();
                let kinds: Vec<String> = counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
                write!(
                    f,
                    "lot codes: {total} finding(s) in {checked} code(s) checked ({}): {} (all: `lotgraph lotcode check`)",
                    kinds.join(", "),
                    list_items(shown.iter().cloned(), total)
                )
            }
        }
    }
}
