//! Ingest: reads a dataset directory (record-format.md), validates every row
//! and interns every id, producing a `Dataset` plus an account of what was
//! read, loaded and rejected. Strings are parsed here and nowhere after.
//!
//! Rules beyond the format's own text (documented in the README):
//! - a reference to a supplier, site or customer must resolve when that
//!   entity's file is present; when the file is absent the entity is created
//!   from the reference, with a warning (products are always created, as the
//!   format says);
//! - a shipment with `delivered_on` before `shipped_on`, or with status
//!   `in_transit` and a delivery date, is rejected;
//! - the first row with a given key wins; later duplicates are rejected.

mod keys;
pub mod limits;
pub mod parse;
mod refs;
pub mod scan;
pub mod sniff;
pub mod source;

use crate::columns::*;
use crate::graph::{Genealogy, GraphError, ShareBasis};
use crate::model::*;
use crate::store::StrCol;
use crate::units::Unit;
use csv::StringRecord;
use keys::ShipmentKeys;
pub use limits::{IngestOptions, Limits};
use refs::RejectedKeys;
pub use sniff::FileProblem;
use source::{CsvSource, RowSource, SourceRow};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Errors that stop an ingest: nothing is written when one occurs.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// A file or directory could not be opened or read.
    #[error("{}: cannot read", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A dataset file is not a regular file (a FIFO, a device, a socket):
    /// reading one could block forever or never end.
    #[error("{}: is a {kind}, not a regular file; lotgraph reads datasets from regular files only", path.display())]
    NotAFile { path: PathBuf, kind: &'static str },
    /// A file is empty, UTF-16, or has an unusable header.
    #[error(transparent)]
    File(#[from] FileProblem),
    /// A file's content is not readable as a table at all.
    #[error("{file}: {message}")]
    Format { file: String, message: String },
    /// A required column is absent from a file's header.
    #[error("{file}: missing required column \"{column}\"")]
    MissingColumn { file: String, column: &'static str },
    /// The same column name appears twice in a header.
    #[error("{file}: column \"{column}\" appears twice in the header")]
    DuplicateColumn { file: String, column: String },
    /// The dataset has no lots file.
    #[error("{}: no lots file (lots.csv or lots.parquet); it is the one required file", dir.display())]
    MissingLots { dir: PathBuf },
    /// Two files would provide the same table.
    #[error("{}: both {a} and {b} exist; keep one", dir.display())]
    Ambiguous { dir: PathBuf, a: String, b: String },
    /// The genealogy is not acyclic.
    #[error("genealogy has a cycle through lots {}", list_ids(lots))]
    Cycle { lots: Vec<String> },
}

fn list_ids(ids: &[String]) -> String {
    refs::list_items(ids.iter().map(|i| format!("{i:?}")), ids.len())
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

/// Per-file counts: `loaded + rejected == read`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileReport {
    pub kind: FileKind,
    /// File name as found (`lots.csv`, `shipments.parquet`).
    pub file: String,
    pub read: u64,
    pub loaded: u64,
    pub rejected: u64,
}

impl FileReport {
    fn empty(kind: FileKind, file: String) -> Self {
        let (read, loaded, rejected) = (0, 0, 0);
        FileReport {
            kind,
            file,
            read,
            loaded,
            rejected,
        }
    }
}

/// The result of a successful ingest.
#[derive(Debug)]
pub struct Ingested {
    pub dataset: Dataset,
    pub genealogy: Genealogy,
    pub reports: Vec<FileReport>,
    pub rejects: Vec<Reject>,
    pub warnings: Vec<String>,
}

/// Opens files of the formats a build supports.
pub trait OpenSource {
    /// File extensions handled, in order of preference (`["csv", "parquet"]`).
    fn extensions(&self) -> &[&'static str];
    /// Opens one file.
    fn open(&self, path: &Path) -> Result<Box<dyn RowSource>, IngestError>;
}

/// The CSV-only opener of the core crate.
pub struct CsvOnly;

impl OpenSource for CsvOnly {
    fn extensions(&self) -> &[&'static str] {
        &["csv"]
    }
    fn open(&self, path: &Path) -> Result<Box<dyn RowSource>, IngestError> {
        Ok(Box::new(CsvSource::open(path)?))
    }
}

/// `ingest_dir_with` under the default options.
pub fn ingest_dir(dir: &Path, opener: &dyn OpenSource) -> Result<Ingested, IngestError> {
    ingest_dir_with(dir, opener, &IngestOptions::default())
}

/// Reads, validates and interns every file of the dataset in `dir`.
///
/// Errors when a file cannot be read, a required column is missing, there
/// is no lots file, a file breaks `opts.limits` as a whole, or the genealogy
/// has a cycle. An empty optional file is a table without rows and a
/// warning. Row-level problems are not errors: they become `Reject`s. Runs
/// in O(rows) expected time.
pub fn ingest_dir_with(
    dir: &Path,
    opener: &dyn OpenSource,
    opts: &IngestOptions,
) -> Result<Ingested, IngestError> {
    let entries = std::fs::read_dir(dir).map_err(|source| IngestError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut names: Vec<String> = Vec::new();
    for e in entries {
        let e = e.map_err(|source| IngestError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        names.push(e.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    let mut files: Vec<(FileKind, PathBuf)> = Vec::new();
    let mut ing = Ingester {
        limits: opts.limits,
        ..Ingester::default()
    };
    for kind in FileKind::ALL {
        let found: Vec<&String> = opener
            .extensions()
            .iter()
            .filter_map(|ext| {
                let want = format!("{}.{ext}", kind.stem());
                names.iter().find(|n| **n == want)
            })
            .collect();
        match found.as_slice() {
            [] if kind == FileKind::Lots => {
                return Err(IngestError::MissingLots {
                    dir: dir.to_path_buf(),
                });
            }
            [] => {}
            [one] => files.push((kind, dir.join(one))),
            [a, b, ..] => {
                return Err(IngestError::Ambiguous {
                    dir: dir.to_path_buf(),
                    a: a.to_string(),
                    b: b.to_string(),
                });
            }
        }
    }
    for n in &names {
        let Some((stem, ext)) = n.rsplit_once('.') else {
            continue;
        };
        if opener.extensions().contains(&ext) && !FileKind::ALL.iter().any(|k| k.stem() == stem) {
            ing.warnings
                .push(format!("{n}: ignored, not a file of the record format"));
        }
    }
    for (kind, _) in &files {
        ing.present[*kind as usize] = true;
    }
    for (kind, path) in &files {
        let mut src = match opener.open(path) {
            Err(IngestError::File(FileProblem::NoHeader { file, why }))
                if *kind != FileKind::Lots =>
            {
                ing.warnings
                    .push(format!("{file}: {why}; read as a table with no rows"));
                ing.reports.push(FileReport::empty(*kind, file));
                continue;
            }
            opened => opened?,
        };
        src.set_limits(&opts.limits);
        ing.load(*kind, src.as_mut())?;
    }
    ing.finish()
}

/// Ingests rows from already-open sources (used by tests and by callers that
/// do not read from a directory). `sources` must include lots.
pub fn ingest_sources(
    mut sources: Vec<(FileKind, Box<dyn RowSource>)>,
) -> Result<Ingested, IngestError> {
    sources.sort_by_key(|(k, _)| *k);
    let mut ing = Ingester::default();
    for (kind, _) in &sources {
        ing.present[*kind as usize] = true;
    }
    for (kind, src) in &mut sources {
        ing.load(*kind, src.as_mut())?;
    }
    ing.finish()
}

/// A rejected cell: which column, and what is wrong with it.
struct Bad {
    column: &'static str,
    problem: String,
}

fn bad(column: &'static str, problem: impl Into<String>) -> Bad {
    Bad {
        column,
        problem: problem.into(),
    }
}

/// One record plus where each format column sits in it.
struct Row<'a> {
    kind: FileKind,
    rec: &'a StringRecord,
    /// Position of each of `kind.columns()` in the record, if present.
    pos: &'a [Option<usize>],
}

impl<'a> Row<'a> {
    /// The cell without surrounding spaces and tabs (`"A "` in a CSV is
    /// the id `A`), `None` when the column is absent or the cell blank.
    /// Other characters, line breaks inside quoted ids included, are kept.
    fn text(&self, col: &'static str) -> Option<&'a str> {
        let i = self.kind.columns().iter().position(|c| *c == col)?;
        let s = self.rec.get(self.pos[i]?)?;
        if s.trim().is_empty() {
            None
        } else {
            Some(s.trim_matches(|c| c == ' ' || c == '\t'))
        }
    }

    fn required(&self, col: &'static str) -> Result<&'a str, Bad> {
        self.text(col)
            .ok_or_else(|| bad(col, "is required but empty"))
    }

    fn req_with<T>(
        &self,
        col: &'static str,
        f: impl Fn(&str) -> Result<T, String>,
    ) -> Result<T, Bad> {
        f(self.required(col)?).map_err(|p| bad(col, p))
    }

    fn opt_with<T>(
        &self,
        col: &'static str,
        f: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, Bad> {
        self.text(col)
            .map(|s| f(s).map_err(|p| bad(col, p)))
            .transpose()
    }

    fn opt_string(&self, col: &'static str) -> Option<String> {
        self.text(col).map(str::to_string)
    }
}

fn enum_of<E>(
    parse: fn(&str) -> Option<E>,
    choices: fn() -> String,
) -> impl Fn(&str) -> Result<E, String> {
    move |s| parse::one_of(s, parse, choices)
}

/// Ids of one entity kind seen so far.
#[derive(Default)]
struct Registry {
    ids: HashMap<String, u32>,
    /// Line of each loaded row, by index (for duplicate messages).
    lines: Vec<u64>,
    /// Ids created from references rather than from their own file.
    implicit: Vec<String>,
}

impl Registry {
    fn get(&self, id: &str) -> Option<u32> {
        self.ids.get(id).copied()
    }

    fn duplicate(&self, id: &str, col: &'static str) -> Result<(), Bad> {
        match self.get(id) {
            Some(ix) => Err(bad(
                col,
                format!(
                    "duplicate {id:?} (first on line {})",
                    self.lines[ix as usize]
                ),
            )),
            None => Ok(()),
        }
    }

    fn insert(&mut self, id: &str, line: u64) -> u32 {
        let ix = self.lines.len() as u32;
        self.ids.insert(id.to_string(), ix);
        self.lines.push(line);
        ix
    }
}

#[derive(Default)]
struct Ingester {
    ds: Dataset,
    present: [bool; 9],
    suppliers: Registry,
    sites: Registry,
    products: Registry,
    customers: Registry,
    lots: Registry,
    lines: HashMap<(Option<SiteIx>, String), LineIx>,
    /// Ids of rejected rows that other rows may refer to.
    rejected: RejectedKeys,
    limits: Limits,
    /// (shipment id, lot) keys seen, for duplicate detection without a
    /// `String` per row (it was half of the ingest's peak memory at 1M
    /// lots): see [`ShipmentKeys`].
    shipment_keys: ShipmentKeys,
    returns: Registry,
    inspections: Registry,
    reports: Vec<FileReport>,
    rejects: Vec<Reject>,
    warnings: Vec<String>,
}

type RowFn = fn(&mut Ingester, &Row, u64) -> Result<(), Bad>;

/// Rows read before a source's size estimate is asked for.
const RESERVE_AFTER_ROWS: u64 = 4096;

impl Ingester {
    /// Reserves room for `rows` more rows of `kind` in the dataset and the
    /// id maps, so that large files do not grow (and rehash) them a
    /// doubling at a time.
    fn reserve(&mut self, kind: FileKind, rows: usize) {
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
    fn check_header(
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

    fn load(&mut self, kind: FileKind, src: &mut dyn RowSource) -> Result<(), IngestError> {
        let file = src.file_name().to_string();
        let headers = src.headers().to_vec();
        let pos = self.check_header(kind, &file, &headers)?;
        let extra: Vec<usize> = (0..headers.len())
            .filter(|i| !kind.columns().contains(&headers[*i].as_str()))
            .collect();
        if !extra.is_empty() {
            let names: Vec<&str> = extra.iter().map(|i| headers[*i].as_str()).collect();
            self.warnings.push(format!(
                "{file}: unknown columns kept as extra properties: {}",
                names.join(", ")
            ));
        }
        let mut extras = Extras {
            columns: extra.iter().map(|i| headers[*i].clone()).collect(),
            values: StrCol::default(),
        };
        let handler: RowFn = match kind {
            FileKind::Suppliers => Self::supplier_row,
            FileKind::Sites => Self::site_row,
            FileKind::Products => Self::product_row,
            FileKind::Customers => Self::customer_row,
            FileKind::Lots => Self::lot_row,
            FileKind::Consumptions => Self::consumption_row,
            FileKind::Shipments => Self::shipment_row,
            FileKind::Returns => Self::return_row,
            FileKind::Inspections => Self::inspection_row,
        };
        let implicit_before = self.products.implicit.len();
        let key = RejectedKeys::key_column(kind);
        let key_pos = key.and_then(|k| headers.iter().position(|h| h == k));
        let mut report = FileReport {
            kind,
            file: file.clone(),
            read: 0,
            loaded: 0,
            rejected: 0,
        };
        while let Some(row) = src.next_row()? {
            report.read += 1;
            if report.read == RESERVE_AFTER_ROWS
                && let Some(rows) = src.rows_hint()
            {
                self.reserve(kind, rows + rows / 16);
            }
            match row {
                SourceRow::Bad {
                    line,
                    column,
                    problem,
                    raw,
                } => {
                    report.rejected += 1;
                    if let Some(id) = key_pos.and_then(|p| refs::key_of_raw(&raw, p)) {
                        self.note_rejected(kind, &id);
                    }
                    self.rejects.push(Reject {
                        file: file.clone(),
                        line,
                        column,
                        problem,
                        record: raw,
                    });
                }
                SourceRow::Record { line, record } => {
                    let r = Row {
                        kind,
                        rec: &record,
                        pos: &pos,
                    };
                    match handler(self, &r, line) {
                        Ok(()) => {
                            report.loaded += 1;
                            for i in &extra {
                                extras.values.push(record.get(*i));
                            }
                        }
                        Err(b) => {
                            report.rejected += 1;
                            if let Some(id) = key.and_then(|k| r.text(k)) {
                                self.note_rejected(kind, id);
                            }
                            self.rejects.push(Reject {
                                file: file.clone(),
                                line,
                                column: b.column.to_string(),
                                problem: b.problem,
                                record: source::encode_fields(record.iter().map(str::as_bytes)),
                            });
                        }
                    }
                }
            }
        }
        let created = &self.products.implicit[implicit_before..];
        if !created.is_empty() {
            let why = |s: &String| {
                let why = self.rejected.why(FileKind::Products, s, &self.rejects);
                format!("{s:?}{why}")
            };
            self.warnings.push(format!(
                "{file}: created {} product(s) missing from products: {}",
                created.len(),
                refs::list_items(created.iter().map(why), created.len())
            ));
        }
        self.ds.extras[kind as usize] = extras;
        self.reports.push(report);
        Ok(())
    }

    fn finish(mut self) -> Result<Ingested, IngestError> {
        for (reg, kind, what) in [
            (&self.suppliers, FileKind::Suppliers, "supplier"),
            (&self.sites, FileKind::Sites, "site"),
            (&self.customers, FileKind::Customers, "customer"),
        ] {
            if !reg.implicit.is_empty() {
                self.warnings.push(format!(
                    "{}.csv is absent: created {} {what}(s) from references: {}",
                    kind.stem(),
                    reg.implicit.len(),
                    list_ids(&reg.implicit)
                ));
            }
        }
        // The id maps only resolved references while loading. Dropping them
        // before the genealogy is built keeps them out of the ingest's peak
        // memory (about a fifth of it for the generated datasets); the
        // dataset builds its own lot index again if a caller asks for one.
        self.lots.ids = HashMap::new();
        self.shipment_keys = ShipmentKeys::default();
        self.returns = Registry::default();
        self.inspections = Registry::default();
        self.rejected.clear();
        let genealogy = Genealogy::from_dataset(&self.ds);
        let unknown_units: Vec<String> = self
            .ds
            .products
            .iter()
            .filter_map(|p| match (&p.uom, p.unit) {
                (Some(u), None) => Some(format!("{} ({u})", p.sku)),
                _ => None,
            })
            .collect();
        if !unknown_units.is_empty() {
            self.warnings.push(format!(
                "products: {} SKU(s) have a unit lotgraph does not know, each its own dimension: {}",
                unknown_units.len(),
                list_ids(&unknown_units)
            ));
        }
        let recorded = (0..self.ds.lots.len())
            .filter(|l| genealogy.basis(LotIx::from_ix(*l)) == Some(ShareBasis::Recorded))
            .count();
        if recorded > 0 {
            self.warnings.push(format!(
                "{recorded} lot(s) have shares on the recorded basis: a content input's SKU has no kg_per_uom (list: `lotgraph check`)"
            ));
        }
        if let Err(GraphError::Cycle { lots }) = genealogy.check_acyclic() {
            let mut ids: Vec<String> = lots
                .iter()
                .map(|l| self.ds.lot_id(*l).to_string())
                .collect();
            ids.sort();
            return Err(IngestError::Cycle { lots: ids });
        }
        Ok(Ingested {
            dataset: self.ds,
            genealogy,
            reports: self.reports,
            rejects: self.rejects,
            warnings: self.warnings,
        })
    }

    /// Remembers the id of a rejected row of `kind` that did not load
    /// (a rejected duplicate's id is loaded: references to it resolve).
    fn note_rejected(&mut self, kind: FileKind, id: &str) {
        let loaded = match kind {
            FileKind::Suppliers => &self.suppliers,
            FileKind::Sites => &self.sites,
            FileKind::Products => &self.products,
            FileKind::Customers => &self.customers,
            _ => &self.lots,
        };
        if loaded.get(id).is_none() {
            self.rejected.insert(kind, id, self.rejects.len());
        }
    }

    /// `unknown supplier "S3"`, pointing at the row of that id if it was
    /// rejected.
    fn unknown(&self, kind: FileKind, id: &str, col: &'static str) -> Bad {
        let what = match kind {
            FileKind::Suppliers => "supplier",
            FileKind::Sites => "site",
            FileKind::Products => "product",
            FileKind::Customers => "customer",
            _ => "lot",
        };
        let why = self.rejected.why(kind, id, &self.rejects);
        bad(col, format!("unknown {what} {}{why}", parse::quoted(id)))
    }

    /// Resolves a reference to a supplier/site/customer. When the entity's
    /// file is absent, `Ok(None)` means "create it on commit".
    fn check_ref(&self, kind: FileKind, id: &str, col: &'static str) -> Result<Option<u32>, Bad> {
        let reg = match kind {
            FileKind::Suppliers => &self.suppliers,
            FileKind::Sites => &self.sites,
            _ => &self.customers,
        };
        match reg.get(id) {
            Some(ix) => Ok(Some(ix)),
            None if !self.present[kind as usize] => Ok(None),
            None => Err(self.unknown(kind, id, col)),
        }
    }

    fn lot_ref(&self, row: &Row, col: &'static str) -> Result<LotIx, Bad> {
        let id = row.required(col)?;
        match self.lots.get(id) {
            Some(ix) => Ok(LotIx(ix)),
            None => Err(self.unknown(FileKind::Lots, id, col)),
        }
    }

    fn supplier_commit(&mut self, id: &str, found: Option<u32>) -> SupplierIx {
        SupplierIx(found.unwrap_or_else(|| {
            self.suppliers.implicit.push(id.to_string());
            self.ds.suppliers.push(Supplier {
                id: id.to_string(),
                name: None,
                country: None,
            });
            self.suppliers.insert(id, 0)
        }))
    }

    fn site_commit(&mut self, id: &str, found: Option<u32>) -> SiteIx {
        SiteIx(found.unwrap_or_else(|| {
            self.sites.implicit.push(id.to_string());
            self.ds.sites.push(Site {
                id: id.to_string(),
                name: None,
                kind: None,
                region: None,
            });
            self.sites.insert(id, 0)
        }))
    }

    fn customer_commit(&mut self, id: &str, found: Option<u32>) -> CustomerIx {
        CustomerIx(found.unwrap_or_else(|| {
            self.customers.implicit.push(id.to_string());
            self.ds.customers.push(Customer {
                id: id.to_string(),
                name: None,
                kind: None,
                region: None,
                contact: None,
            });
            self.customers.insert(id, 0)
        }))
    }

    fn site_check<'r>(
        &self,
        row: &Row<'r>,
        col: &'static str,
    ) -> Result<Option<(&'r str, Option<u32>)>, Bad> {
        row.text(col)
            .map(|id| self.check_ref(FileKind::Sites, id, col).map(|f| (id, f)))
            .transpose()
    }

    fn customer_check<'r>(&self, row: &Row<'r>) -> Result<Option<(&'r str, Option<u32>)>, Bad> {
        row.text(CUSTOMER_ID)
            .map(|id| {
                self.check_ref(FileKind::Customers, id, CUSTOMER_ID)
                    .map(|f| (id, f))
            })
            .transpose()
    }

    fn supplier_row(&mut self, r: &Row, line: u64) -> Result<(), Bad> {
        let id = r.required(SUPPLIER_ID)?;
        let country = r.opt_with(COUNTRY, parse::country)?;
        self.suppliers.duplicate(id, SUPPLIER_ID)?;
        self.suppliers.insert(id, line);
        self.ds.suppliers.push(Supplier {
            id: id.to_string(),
            name: r.opt_string(NAME),
            country,
        });
        Ok(())
    }

    fn site_row(&mut self, r: &Row, line: u64) -> Result<(), Bad> {
        let id = r.required(SITE_ID)?;
        let kind = r.opt_with(KIND, enum_of(SiteKind::parse, SiteKind::choices))?;
        self.sites.duplicate(id, SITE_ID)?;
        self.sites.insert(id, line);
        self.ds.sites.push(Site {
            id: id.to_string(),
            name: r.opt_string(NAME),
            kind,
            region: r.opt_string(REGION),
        });
        Ok(())
    }

    fn product_row(&mut self, r: &Row, line: u64) -> Result<(), Bad> {
        let sku = r.required(SKU)?;
        let category = r.opt_with(CATEGORY, enum_of(Category::parse, Category::choices))?;
        let shelf_life_days = r.opt_with(SHELF_LIFE_DAYS, parse::whole)?;
        let unit_cost = r.opt_with(UNIT_COST, parse::non_negative)?;
        let uom = r.text(UOM).map(|s| s.trim().to_string());
        let unit = uom.as_deref().and_then(Unit::parse);
        let recorded_kg = r.opt_with(KG_PER_UOM, parse::positive)?;
        let kg_per_uom = crate::units::kg_per_unit(unit, recorded_kg)
            .map_err(|e| bad(KG_PER_UOM, e.to_string()))?;
        self.products.duplicate(sku, SKU)?;
        self.products.insert(sku, line);
        self.ds.products.push(Product {
            sku: sku.to_string(),
            name: r.opt_string(NAME),
            category,
            uom,
            unit,
            kg_per_uom,
            shelf_life_days,
            unit_cost,
            implicit: false,
        });
        Ok(())
    }

    fn customer_row(&mut self, r: &Row, line: u64) -> Result<(), Bad> {
        let id = r.required(CUSTOMER_ID)?;
        let kind = r.opt_with(KIND, enum_of(CustomerKind::parse, CustomerKind::choices))?;
        self.customers.duplicate(id, CUSTOMER_ID)?;
        self.customers.insert(id, line);
        self.ds.customers.push(Customer {
            id: id.to_string(),
            name: r.opt_string(NAME),
            kind,
            region: r.opt_string(REGION),
            contact: r.opt_string(CONTACT),
        });
        Ok(())
    }

    fn lot_row(&mut self, r: &Row, line: u64) -> Result<(), Bad> {
        let id = r.required(LOT_ID)?;
        let sku = r.required(SKU)?;
        let origin = r.req_with(ORIGIN, enum_of(Origin::parse, Origin::choices))?;
        let quantity = r.req_with(QUANTITY, parse::positive)?;
        let produced_on = r.opt_with(PRODUCED_ON, parse::date)?;
        let received_on = r.opt_with(RECEIVED_ON, parse::date)?;
        let expires_on = r.opt_with(EXPIRES_ON, parse::date)?;
        let unit_cost = r.opt_with(UNIT_COST, parse::non_negative)?;
        let status = r
            .opt_with(STATUS, enum_of(LotStatus::parse, LotStatus::choices))?
            .unwrap_or(LotStatus::Released);
        let supplier = match r.text(SUPPLIER_ID) {
            Some(s) => Some((s, self.check_ref(FileKind::Suppliers, s, SUPPLIER_ID)?)),
            None if origin == Origin::Supplied => {
                return Err(bad(SUPPLIER_ID, "is required when origin is supplied"));
            }
            None => None,
        };
        let site = self.site_check(r, SITE_ID)?;
        self.lots.duplicate(id, LOT_ID)?;
        // Every check passed: from here on the row is loaded.
        let supplier = supplier.map(|(s, f)| self.supplier_commit(s, f));
        let site = site.map(|(s, f)| self.site_commit(s, f));
        let sku = match self.products.get(sku) {
            Some(ix) => SkuIx(ix),
            None => {
                self.products.implicit.push(sku.to_string());
                self.ds.products.push(Product {
                    sku: sku.to_string(),
                    name: None,
                    category: None,
                    uom: None,
                    unit: None,
                    kg_per_uom: None,
                    shelf_life_days: None,
                    unit_cost: None,
                    implicit: true,
                });
                SkuIx(self.products.insert(sku, line))
            }
        };
        let line_ix = r.text(LINE).map(|name| {
            let next = LineIx::from_ix(self.ds.lines.len());
            *self
                .lines
                .entry((site, name.to_string()))
                .or_insert_with(|| {
                    self.ds.lines.push(name.to_string());
                    self.ds.line_sites.push(site);
                    next
                })
        });
        self.lots.insert(id, line);
        self.ds.lots.push(Lot {
            id,
            sku,
            origin,
            supplier,
            supplier_lot_code: r.text(SUPPLIER_LOT_CODE),
            site,
            line: line_ix,
            produced_on,
            received_on,
            expires_on,
            quantity,
            unit_cost,
            status,
        });
        Ok(())
    }

    fn consumption_row(&mut self, r: &Row, _line: u64) -> Result<(), Bad> {
        let input = self.lot_ref(r, INPUT_LOT_ID)?;
        let output = self.lot_ref(r, OUTPUT_LOT_ID)?;
        let quantity = r.req_with(QUANTITY, parse::positive)?;
        let consumed_on = r.opt_with(CONSUMED_ON, parse::date)?;
        if self.ds.lot(output).origin != Origin::Produced {
            return Err(bad(
                OUTPUT_LOT_ID,
                format!(
                    "lot {:?} has origin supplied; only produced lots have inputs",
                    self.ds.lot_id(output)
                ),
            ));
        }
        self.ds.consumptions.push(Consumption {
            input,
            output,
            quantity,
            consumed_on,
        });
        Ok(())
    }

    fn shipment_row(&mut self, r: &Row, line: u64) -> Result<(), Bad> {
        let id = r.required(SHIPMENT_ID)?;
        let lot = self.lot_ref(r, LOT_ID)?;
        let quantity = r.req_with(QUANTITY, parse::positive)?;
        let shipped_on = r.req_with(SHIPPED_ON, parse::date)?;
        let delivered_on = r.opt_with(DELIVERED_ON, parse::date)?;
        let status = r.opt_with(
            STATUS,
            enum_of(ShipmentStatus::parse, ShipmentStatus::choices),
        )?;
        let from = self.site_check(r, FROM_SITE_ID)?;
        let to_site = self.site_check(r, TO_SITE_ID)?;
        let customer = self.customer_check(r)?;
        if to_site.is_some() == customer.is_some() {
            return Err(bad(
                TO_SITE_ID,
                "exactly one of to_site_id and customer_id must be set",
            ));
        }
        if let Some(d) = delivered_on
            && d < shipped_on
        {
            return Err(bad(
                DELIVERED_ON,
                format!("{d} is before shipped_on {shipped_on}"),
            ));
        }
        let status = match (status, delivered_on) {
            (Some(ShipmentStatus::InTransit), Some(_)) => {
                return Err(bad(STATUS, "is \"in_transit\" but delivered_on is set"));
            }
            (Some(s), _) => s,
            (None, Some(_)) => ShipmentStatus::Delivered,
            (None, None) => ShipmentStatus::InTransit,
        };
        if let Some(first) = self.shipment_keys.insert(&self.ds.shipments, id, lot, line) {
            return Err(bad(
                SHIPMENT_ID,
                format!(
                    "duplicate shipment {id:?} for lot {:?} (first on line {first})",
                    self.ds.lot_id(lot)
                ),
            ));
        }
        let from_site = from.map(|(s, f)| self.site_commit(s, f));
        let to = match (to_site, customer) {
            (Some((s, f)), _) => Destination::Site(self.site_commit(s, f)),
            (None, Some((c, f))) => Destination::Customer(self.customer_commit(c, f)),
            (None, None) => unreachable!("checked above: exactly one destination"),
        };
        self.ds.shipments.push(Shipment {
            id,
            lot,
            quantity,
            from_site,
            to,
            shipped_on,
            delivered_on,
            status,
        });
        Ok(())
    }

    fn return_row(&mut self, r: &Row, line: u64) -> Result<(), Bad> {
        let id = r.required(RETURN_ID)?;
        let lot = self.lot_ref(r, LOT_ID)?;
        let quantity = r.req_with(QUANTITY, parse::positive)?;
        let reported_on = r.req_with(REPORTED_ON, parse::date)?;
        let category = r.opt_with(
            CATEGORY,
            enum_of(ReturnCategory::parse, ReturnCategory::choices),
        )?;
        let customer = self.customer_check(r)?;
        self.returns.duplicate(id, RETURN_ID)?;
        self.returns.insert(id, line);
        let customer = customer.map(|(c, f)| self.customer_commit(c, f));
        self.ds.returns.push(Return {
            id,
            lot,
            customer,
            quantity,
            reason: r.text(REASON),
            category,
            reported_on,
        });
        Ok(())
    }

    fn inspection_row(&mut self, r: &Row, line: u64) -> Result<(), Bad> {
        let id = r.required(INSPECTION_ID)?;
        let lot = self.lot_ref(r, LOT_ID)?;
        let result = r.req_with(
            RESULT,
            enum_of(InspectionResult::parse, InspectionResult::choices),
        )?;
        let inspected_on = r.opt_with(INSPECTED_ON, parse::date)?;
        self.inspections.duplicate(id, INSPECTION_ID)?;
        self.inspections.insert(id, line);
        self.ds.inspections.push(Inspection {
            id,
            lot,
            inspected_on,
            result,
            defect: r.text(DEFECT),
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, body) in files {
            std::fs::write(dir.path().join(name), body).unwrap();
        }
        dir
    }

    const LOTS: &str = "lot_id,sku,origin,supplier_id,quantity\nA,RAW,supplied,S1,10\nB,RAW,supplied,S1,10\nP,FIN,produced,,5\nQ,FIN,produced,,5\nR,FIN,produced,,5\n";

    #[test]
    fn lines_count_physical_lines_of_multiline_records() {
        let d = dataset(&[(
            "lots.csv",
            "lot_id,sku,origin,supplier_id,quantity,note\nA,RAW,supplied,S1,10,\"two\nlines\"\nB,RAW,supplied,S1,-3,\n",
        )]);
        let ing = ingest_dir(d.path(), &CsvOnly).unwrap();
        assert_eq!(ing.rejects.len(), 1);
        assert_eq!(
            ing.rejects[0].to_string(),
            "lots.csv:4: quantity: \"-3\" is negative"
        );
        assert_eq!(
            ing.dataset.extras[FileKind::Lots as usize]
                .values
                .iter()
                .collect::<Vec<_>>(),
            vec!["two\nlines"]
        );
        assert_eq!(
            ing.reports[0],
            FileReport {
                kind: FileKind::Lots,
                file: "lots.csv".into(),
                read: 2,
                loaded: 1,
                rejected: 1
            }
        );
    }

    #[test]
    fn a_cycle_names_every_lot_on_it() {
        let d = dataset(&[
            ("lots.csv", LOTS),
            (
                "consumptions.csv",
                "input_lot_id,output_lot_id,quantity\nA,P,1\nP,Q,1\nQ,R,1\nR,P,1\nB,R,1\n",
            ),
        ]);
        let err = ingest_dir(d.path(), &CsvOnly).unwrap_err();
        assert_eq!(
            err.to_string(),
            "genealogy has a cycle through lots \"P\", \"Q\", \"R\""
        );
    }

    #[test]
    fn a_missing_required_column_names_file_and_column() {
        let d = dataset(&[("lots.csv", "lot_id,sku,origin\nA,RAW,supplied\n")]);
        let err = ingest_dir(d.path(), &CsvOnly).unwrap_err();
        assert_eq!(
            err.to_string(),
            "lots.csv: missing required column \"quantity\""
        );
    }

    #[test]
    fn references_to_rejected_lots_say_so() {
        let d = dataset(&[
            (
                "lots.csv",
                "lot_id,sku,origin,supplier_id,quantity\nA,RAW,supplied,,10\nP,FIN,produced,,5\n",
            ),
            (
                "consumptions.csv",
                "input_lot_id,output_lot_id,quantity\nA,P,1\n",
            ),
        ]);
        let ing = ingest_dir(d.path(), &CsvOnly).unwrap();
        let msgs: Vec<String> = ing.rejects.iter().map(|r| r.to_string()).collect();
        assert_eq!(
            msgs,
            vec![
                "lots.csv:2: supplier_id: is required when origin is supplied",
                "consumptions.csv:2: input_lot_id: unknown lot \"A\" (its row lots.csv:2 was rejected: supplier_id: is required when origin is supplied)",
            ]
        );
    }
}

#[cfg(test)]
mod review_tests {
    use super::*;

    #[test]
    fn ids_lose_surrounding_spaces_but_keep_their_insides() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("lots.csv"),
            "lot_id,sku,origin,supplier_id,quantity\n\"A \",RAW,supplied,S1,10\n\"B\nC\",RAW,supplied, S1,1\nP,FIN,produced,,5\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("consumptions.csv"),
            "input_lot_id,output_lot_id,quantity\nA,P,1\n",
        )
        .unwrap();
        let ing = ingest_dir(dir.path(), &CsvOnly).unwrap();
        assert!(ing.rejects.is_empty(), "{:?}", ing.rejects);
        assert_eq!(ing.dataset.lot_ix("A"), Some(LotIx(0)));
        assert_eq!(ing.dataset.lot_ix("B\nC"), Some(LotIx(1)));
        assert_eq!(ing.dataset.suppliers.len(), 1, "\" S1\" is S1");
    }
}
