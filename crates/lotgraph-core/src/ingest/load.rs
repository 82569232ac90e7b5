//! The ingest's state while files load, and the loading of one file: its
//! header checked, every row read from its source, handed to the row
//! validator of its kind (rows.rs) and counted as loaded or rejected.

use super::keys::ShipmentKeys;
use super::refs::{self, RejectedKeys};
use super::registry::Registry;
use super::row::{Bad, Row};
use super::source::{self, RowSource, SourceRow};
use super::{FileProblem, FileReport, IngestError, Limits, Reject, Warning};
use crate::model::*;
use crate::store::StrCol;
use std::collections::HashMap;

#[derive(Default)]
pub(super) struct Ingester {
    pub(super) ds: Dataset,
    pub(super) present: [bool; FileKind::ALL.len()],
    pub(super) suppliers: Registry,
    pub(super) sites: Registry,
    pub(super) products: Registry,
    /// GTINs given so far (as 14 digits), with their SKU and line.
    pub(super) gtins: HashMap<String, (String, u64)>,
    pub(super) customers: Registry,
    pub(super) lots: Registry,
    pub(super) lines: HashMap<(Option<SiteIx>, String), LineIx>,
    /// Ids of rejected rows that other rows may refer to.
    pub(super) rejected: RejectedKeys,
    pub(super) limits: Limits,
    /// (shipment id, lot) keys seen, for duplicate detection without a
    /// `String` per row (it was half of the ingest's peak memory at 1M
    /// lots): see [`ShipmentKeys`].
    pub(super) shipment_keys: ShipmentKeys,
    pub(super) returns: Registry,
    pub(super) inspections: Registry,
    pub(super) reports: Vec<FileReport>,
    pub(super) rejects: Vec<Reject>,
    pub(super) warnings: Vec<Warning>,
}

type RowFn = fn(&mut Ingester, &Row, u64) -> Result<(), Bad>;

/// Rows read before a source's size estimate is asked for.
const RESERVE_AFTER_ROWS: u64 = 4096;

impl Ingester {
    /// Reserves room for `rows` more rows of `kind` in the dataset and the
    /// id maps, so that large files do not grow (and rehash) them a
    /// doubling at a time.
    pub(super) fn reserve(&mut self, kind: FileKind, rows: usize) {
        let reg = |r: &mut Registry| {
            r.ids.reserve(rows);
            r.lines.reserve(rows);
        };
        match kind {
            FileKind::Lots => {
                self.ds.lots.reserve(rows);
                reg(&mut self.lots);
            }
            FileKind::Consumptions => self.ds.consumptions.reserve(rows),
            FileKind::Shipments => {
                self.ds.shipments.reserve(rows);
                self.shipment_keys.first.reserve(rows);
                self.shipment_keys.lines.reserve(rows);
            }
            FileKind::Returns => {
                self.ds.returns.reserve(rows);
                reg(&mut self.returns);
            }
            FileKind::Inspections => {
                self.ds.inspections.reserve(rows);
                reg(&mut self.inspections);
            }
            _ => {}
        }
    }

    /// Checks a header against the column cap, for duplicates and for the
    /// required columns; returns where each of `kind.columns()` is.
    pub(super) fn check_header(
        &self,
        kind: FileKind,
        file: &str,
        headers: &[String],
    ) -> Result<Vec<Option<usize>>, IngestError> {
        let (columns, limit, file) = (headers.len(), self.limits.max_columns, file.to_string());
        if columns > limit {
            // Before anything per column.
            return Err(FileProblem::TooManyColumns {
                file,
                columns,
                limit,
            }
            .into());
        }
        // A set, not a scan of the earlier names: with --max-columns raised,
        // a header of 100k columns took 86 s that way.
        let mut seen = std::collections::HashSet::with_capacity(headers.len());
        if let Some(h) = headers.iter().find(|h| !seen.insert(h.as_str())) {
            let column = h.clone();
            return Err(IngestError::DuplicateColumn { file, column });
        }
        if let Some(column) = kind
            .required()
            .iter()
            .find(|r| !headers.iter().any(|h| h == *r))
        {
            return Err(IngestError::MissingColumn { file, column });
        }
        let position = |c: &&str| headers.iter().position(|h| h == c);
        Ok(kind.columns().iter().map(position).collect())
    }

    /// Loads one file: checks its header, reads every row from `src`,
    /// validates it with the row function of `kind` and keeps its extra
    /// columns, or records why it was rejected; then warns about products
    /// created from its references.
    pub(super) fn load(
        &mut self,
        kind: FileKind,
        src: &mut dyn RowSource,
    ) -> Result<(), IngestError> {
        let file = src.file_name().to_string();
        let headers = src.headers().to_vec();
        let pos = self.check_header(kind, &file, &headers)?;
        let extra: Vec<usize> = (0..headers.len())
            .filter(|i| !kind.columns().contains(&headers[*i].as_str()))
            .collect();
        if !extra.is_empty() {
            let columns = extra.iter().map(|i| headers[*i].clone()).collect();
            self.warnings.push(Warning::ExtraColumns {
                file: file.clone(),
                columns,
            });
        }
        let mut extras = Extras {
            columns: extra.iter().map(|i| headers[*i].clone()).collect(),
            values: StrCol::default(),
        };
        let handler = row_fn(kind);
        let implicit_before = self.products.implicit.len();
        let key = RejectedKeys::key_column(kind);
        let key_pos = key.and_then(|k| headers.iter().position(|h| h == k));
        let mut report = FileReport::empty(kind, file.clone());
        while let Some(row) = src.next_row()? {
            report.read += 1;
            if report.read == RESERVE_AFTER_ROWS
                && let Some(rows) = src.rows_hint()
            {
                self.reserve(kind, rows + rows / 16);
            }
            let loaded = match row {
                SourceRow::Bad {
                    line,
                    column,
                    kind: reject,
                    problem,
                    raw,
                } => {
                    if let Some(id) = key_pos.and_then(|p| refs::key_of_raw(&raw, p)) {
                        self.note_rejected(kind, &id);
                    }
                    self.rejects.push(Reject {
                        file: file.clone(),
                        line,
                        column,
                        kind: reject,
                        problem,
                        record: raw,
                    });
                    false
                }
                SourceRow::Record { line, record } => {
                    let r = Row {
                        kind,
                        rec: &record,
                        pos: &pos,
                    };
                    let checked = handler(self, &r, line);
                    if checked.is_ok() {
                        for i in &extra {
                            extras.values.push(record.get(*i));
                        }
                    }
                    checked
                        .map_err(|b| self.reject_record(&file, &r, key, line, b))
                        .is_ok()
                }
            };
            if loaded {
                report.loaded += 1;
            } else {
                report.rejected += 1;
            }
        }
        self.warn_created_products(&file, implicit_before);
        self.ds.extras[kind as usize] = extras;
        self.reports.push(report);
        Ok(())
    }

    /// Records the rejection of a well-formed record of `file`, noting
    /// its key (when its kind has one) for references to it.
    fn reject_record(&mut self, file: &str, r: &Row, key: Option<&'static str>, line: u64, b: Bad) {
        if let Some(id) = key.and_then(|k| r.text(k)) {
            self.note_rejected(r.kind, id);
        }
        self.rejects.push(Reject {
            file: file.to_string(),
            line,
            column: b.column.to_string(),
            kind: b.kind,
            problem: b.problem,
            record: source::encode_fields(r.rec.iter().map(str::as_bytes)),
        });
    }

    /// Warns about the products created from the references of `file`
    /// (those after the first `before`).
    fn warn_created_products(&mut self, file: &str, before: usize) {
        let created = &self.products.implicit[before..];
        if created.is_empty() {
            return;
        }
        // Only the SKUs the message lists are looked up.
        let shown = created
            .iter()
            .take(refs::LIST_MAX)
            .map(|s| {
                let why = self.rejected.why(FileKind::Products, s, &self.rejects);
                (s.clone(), why)
            })
            .collect();
        let w = Warning::CreatedProducts {
            file: file.to_string(),
            count: created.len(),
            shown,
        };
        self.warnings.push(w);
    }
}

/// The row validator of each file kind (rows.rs).
fn row_fn(kind: FileKind) -> RowFn {
    match kind {
        FileKind::Suppliers => Ingester::supplier_row,
        FileKind::Sites => Ingester::site_row,
        FileKind::Products => Ingester::product_row,
        FileKind::Customers => Ingester::customer_row,
        FileKind::LotSchemes => Ingester::lot_scheme_row,
        FileKind::Lots => Ingester::lot_row,
        FileKind::Consumptions => Ingester::consumption_row,
        FileKind::Shipments => Ingester::shipment_row,
        FileKind::Returns => Ingester::return_row,
        FileKind::Inspections => Ingester::inspection_row,
    }
}
