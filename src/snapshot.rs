//! The workspace snapshot: the validated dataset stored as Arrow IPC files
//! (one per table, ids interned as `u32` columns) plus a JSON manifest, so
//! query commands load it in a fraction of the time an ingest takes.
//!
//! Layout of a workspace `W`:
//! - `W/CURRENT`: the name of the live generation directory;
//! - `W/gen-*/`: `manifest.json` and `*.arrow` of one snapshot;
//! - `W/rejects.csv`: the rejected rows of the last successful ingest.
//!
//! A new snapshot is written to a temporary directory, fsynced, renamed into
//! place, and only then made live by atomically replacing `CURRENT`; a failed
//! or killed ingest therefore leaves the previous snapshot loadable. Writers
//! take an exclusive lock on `W/LOCK`; the generation that was live before a
//! write is kept until the next one, for readers still loading it.

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Float64Builder, StringBuilder, UInt8Builder, UInt32Builder,
};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Float64Array, RecordBatch, StringArray, UInt8Array,
    UInt32Array, UInt64Array,
};
use arrow_schema::{ArrowError, Field, Schema};
use chrono::NaiveDate;
use lotgraph_core::Genealogy;
use lotgraph_core::ingest::{FileReport, Reject};
use lotgraph_core::model::*;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Bumped whenever the layout of the Arrow tables changes. Version 2 writes
/// large tables in several record batches (version 1 readers expect one);
/// this reader reads both.
pub const SNAPSHOT_VERSION: u32 = 2;

/// The oldest snapshot version this reader understands.
const OLDEST_READABLE: u32 = 1;

/// Errors reading or writing a snapshot; each names the file involved.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// No snapshot has been written to this workspace yet.
    #[error("no snapshot in workspace {}: run `lotgraph ingest DIR` first", workspace.display())]
    Missing { workspace: PathBuf },
    /// A file could not be read or written.
    #[error("{}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// An Arrow file could not be encoded or decoded.
    #[error("{}", path.display())]
    Arrow { path: PathBuf, source: ArrowError },
    /// A file decoded but does not hold what this version expects.
    #[error("{}: {message}", path.display())]
    Corrupt { path: PathBuf, message: String },
}

/// What `manifest.json` records about a snapshot.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    /// The dataset directory ingested.
    pub source: String,
    /// RFC 3339 time of the ingest.
    pub created_at: String,
    pub files: Vec<FileCount>,
    pub warnings: Vec<String>,
}

/// Per-file counts of the ingest that made the snapshot.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FileCount {
    pub file: String,
    pub read: u64,
    pub loaded: u64,
    pub rejected: u64,
}

impl From<&FileReport> for FileCount {
    fn from(r: &FileReport) -> Self {
        FileCount {
            file: r.file.clone(),
            read: r.read,
            loaded: r.loaded,
            rejected: r.rejected,
        }
    }
}

/// A loaded snapshot.
pub struct Snapshot {
    pub dataset: Dataset,
    pub genealogy: Genealogy,
    pub manifest: Manifest,
    /// The generation directory it was loaded from.
    pub dir: PathBuf,
}

impl Snapshot {
    /// The rows rejected by the ingest that made this snapshot.
    pub fn rejects(&self) -> Result<Vec<Reject>, SnapshotError> {
        let t = Table::open(&self.dir.join("rejects.arrow"))?;
        let (file, line, column, problem, record) = (
            t.utf8("file")?,
            t.u64("line")?,
            t.utf8("column")?,
            t.utf8("problem")?,
            t.utf8("record")?,
        );
        Ok((0..t.rows())
            .map(|i| Reject {
                file: file.value(i).to_string(),
                line: line.value(i),
                column: column.value(i).to_string(),
                problem: problem.value(i).to_string(),
                record: record.value(i).to_string(),
            })
            .collect())
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SnapshotError + '_ {
    move |source| SnapshotError::Io {
        path: path.to_path_buf(),
        source,
    }
}

const EPOCH_CE_DAYS: i32 = 719_163;

fn to_days(d: NaiveDate) -> i32 {
    use chrono::Datelike;
    d.num_days_from_ce() - EPOCH_CE_DAYS
}

fn from_days(v: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(v + EPOCH_CE_DAYS)
}

/// Builds one record batch column by column.
#[derive(Default)]
struct TableBuilder {
    fields: Vec<Field>,
    cols: Vec<ArrayRef>,
}

impl TableBuilder {
    fn push(mut self, name: &str, nullable: bool, a: ArrayRef) -> Self {
        self.fields
            .push(Field::new(name, a.data_type().clone(), nullable));
        self.cols.push(a);
        self
    }
    fn utf8<'a>(self, name: &str, it: impl Iterator<Item = &'a str>) -> Self {
        let mut b = StringBuilder::new();
        it.for_each(|v| b.append_value(v));
        self.push(name, false, Arc::new(b.finish()))
    }
    fn utf8_opt<'a>(self, name: &str, it: impl Iterator<Item = Option<&'a str>>) -> Self {
        let mut b = StringBuilder::new();
        it.for_each(|v| b.append_option(v));
        self.push(name, true, Arc::new(b.finish()))
    }
    fn u32_opt(self, name: &str, it: impl Iterator<Item = Option<u32>>) -> Self {
        let mut b = UInt32Builder::new();
        it.for_each(|v| b.append_option(v));
        self.push(name, true, Arc::new(b.finish()))
    }
    fn u8_opt(self, name: &str, it: impl Iterator<Item = Option<u8>>) -> Self {
        let mut b = UInt8Builder::new();
        it.for_each(|v| b.append_option(v));
        self.push(name, true, Arc::new(b.finish()))
    }
    fn f64_opt(self, name: &str, it: impl Iterator<Item = Option<f64>>) -> Self {
        let mut b = Float64Builder::new();
        it.for_each(|v| b.append_option(v));
        self.push(name, true, Arc::new(b.finish()))
    }
    fn date_opt(self, name: &str, it: impl Iterator<Item = Option<NaiveDate>>) -> Self {
        let mut b = Date32Builder::new();
        it.for_each(|v| b.append_option(v.map(to_days)));
        self.push(name, true, Arc::new(b.finish()))
    }
    fn bool(self, name: &str, it: impl Iterator<Item = bool>) -> Self {
        let mut b = BooleanBuilder::new();
        it.for_each(|v| b.append_value(v));
        self.push(name, false, Arc::new(b.finish()))
    }
    fn u32(self, name: &str, it: impl Iterator<Item = u32>) -> Self {
        self.push(name, false, Arc::new(it.collect::<UInt32Array>()))
    }
    fn u64(self, name: &str, it: impl Iterator<Item = u64>) -> Self {
        self.push(name, false, Arc::new(it.collect::<UInt64Array>()))
    }
    fn f64(self, name: &str, it: impl Iterator<Item = f64>) -> Self {
        self.push(name, false, Arc::new(it.collect::<Float64Array>()))
    }

    /// The built columns as one record batch.
    fn batch(self) -> Result<RecordBatch, ArrowError> {
        let schema = Arc::new(Schema::new(self.fields));
        // Tables without columns (no extra columns) still need a row count.
        let rows = self.cols.first().map_or(0, |c| c.len());
        let opts = arrow_array::RecordBatchOptions::new().with_row_count(Some(rows));
        RecordBatch::try_new_with_options(schema, self.cols, &opts)
    }

    /// Writes the table as an Arrow IPC file of one record batch and fsyncs it.
    fn write(self, path: &Path) -> Result<(), SnapshotError> {
        write_ipc(path, std::iter::once(self.batch()))
    }
}

/// Rows per record batch of the large tables: the IPC writer encodes a
/// whole batch in memory before writing it, so one batch per table would
/// hold a second copy of the largest table (about 500 MB for the shipments
/// of 1M generated lots) on top of its columns.
const CHUNK_ROWS: usize = 1 << 20;

/// Writes a table of `rows` rows as an Arrow IPC file, building and
/// encoding `CHUNK_ROWS` rows at a time (`build` gets each row range; an
/// empty table is one empty batch), and fsyncs it.
fn write_chunked(
    path: &Path,
    rows: usize,
    build: impl Fn(std::ops::Range<usize>) -> TableBuilder,
) -> Result<(), SnapshotError> {
    write_chunks_of(path, rows, CHUNK_ROWS, build)
}

/// [`write_chunked`] with `chunk` rows per batch (tests use small ones).
fn write_chunks_of(
    path: &Path,
    rows: usize,
    chunk: usize,
    build: impl Fn(std::ops::Range<usize>) -> TableBuilder,
) -> Result<(), SnapshotError> {
    let starts = (0..rows.max(1)).step_by(chunk.max(1));
    write_ipc(
        path,
        starts.map(|at| build(at..rows.min(at + chunk)).batch()),
    )
}

/// Writes record batches (at least one; each is built only when the one
/// before is written) as an Arrow IPC file and fsyncs it.
fn write_ipc(
    path: &Path,
    mut batches: impl Iterator<Item = Result<RecordBatch, ArrowError>>,
) -> Result<(), SnapshotError> {
    let arrow = |source| SnapshotError::Arrow {
        path: path.to_path_buf(),
        source,
    };
    let first = batches
        .next()
        .ok_or_else(|| SnapshotError::Corrupt {
            path: path.to_path_buf(),
            message: "no record batch to write".into(),
        })?
        .map_err(arrow)?;
    let schema = first.schema();
    let file = File::create(path).map_err(io(path))?;
    let mut w = arrow_ipc::writer::FileWriter::try_new(std::io::BufWriter::new(file), &schema)
        .map_err(arrow)?;
    w.write(&first).map_err(arrow)?;
    drop(first);
    for batch in batches {
        w.write(&batch.map_err(arrow)?).map_err(arrow)?;
    }
    w.finish().map_err(arrow)?;
    let buf = w.into_inner().map_err(arrow)?;
    let file = buf.into_inner().map_err(|e| io(path)(e.into_error()))?;
    file.sync_all().map_err(io(path))
}

/// One table read back.
struct Table {
    path: PathBuf,
    batch: RecordBatch,
}

impl Table {
    fn open(path: &Path) -> Result<Table, SnapshotError> {
        let arrow = |source| SnapshotError::Arrow {
            path: path.to_path_buf(),
            source,
        };
        let file = File::open(path).map_err(io(path))?;
        let reader = arrow_ipc::reader::FileReader::try_new(std::io::BufReader::new(file), None)
            .map_err(arrow)?;
        let schema = reader.schema();
        let batches: Vec<RecordBatch> = reader.collect::<Result<_, _>>().map_err(arrow)?;
        let batch = match batches.len() {
            0 => RecordBatch::new_empty(schema),
            1 => batches
                .into_iter()
                .next()
                .ok_or_else(|| SnapshotError::Corrupt {
                    path: path.to_path_buf(),
                    message: "no record batch".into(),
                })?,
            // Large tables are written in chunks (see `write_chunked`).
            _ => arrow_select::concat::concat_batches(&schema, &batches).map_err(arrow)?,
        };
        Ok(Table {
            path: path.to_path_buf(),
            batch,
        })
    }

    fn rows(&self) -> usize {
        self.batch.num_rows()
    }

    fn col<T: Array + 'static>(&self, name: &str) -> Result<&T, SnapshotError> {
        self.batch
            .column_by_name(name)
            .and_then(|c| c.as_any().downcast_ref::<T>())
            .ok_or_else(|| SnapshotError::Corrupt {
                path: self.path.clone(),
                message: format!("column {name:?} is missing or has the wrong type"),
            })
    }
    fn utf8(&self, name: &str) -> Result<&StringArray, SnapshotError> {
        self.col(name)
    }
    fn u32(&self, name: &str) -> Result<&UInt32Array, SnapshotError> {
        self.col(name)
    }
    fn u64(&self, name: &str) -> Result<&UInt64Array, SnapshotError> {
        self.col(name)
    }
    fn u8(&self, name: &str) -> Result<&UInt8Array, SnapshotError> {
        self.col(name)
    }
    fn f64(&self, name: &str) -> Result<&Float64Array, SnapshotError> {
        self.col(name)
    }
    fn date(&self, name: &str) -> Result<&Date32Array, SnapshotError> {
        self.col(name)
    }
    fn bool(&self, name: &str) -> Result<&BooleanArray, SnapshotError> {
        self.col(name)
    }

    /// Decodes an enum code column, naming the file on a bad code.
    fn code<E>(
        &self,
        a: &UInt8Array,
        i: usize,
        from: fn(u8) -> Option<E>,
    ) -> Result<Option<E>, SnapshotError> {
        if a.is_null(i) {
            return Ok(None);
        }
        from(a.value(i))
            .map(Some)
            .ok_or_else(|| SnapshotError::Corrupt {
                path: self.path.clone(),
                message: format!("row {i}: unknown enum code {}", a.value(i)),
            })
    }
}

fn opt_str(a: &StringArray, i: usize) -> Option<String> {
    (!a.is_null(i)).then(|| a.value(i).to_string())
}
fn opt_u32(a: &UInt32Array, i: usize) -> Option<u32> {
    (!a.is_null(i)).then(|| a.value(i))
}
fn opt_f64(a: &Float64Array, i: usize) -> Option<f64> {
    (!a.is_null(i)).then(|| a.value(i))
}
fn opt_date(a: &Date32Array, i: usize) -> Option<NaiveDate> {
    if a.is_null(i) {
        None
    } else {
        from_days(a.value(i))
    }
}

fn required<T>(v: Option<T>, t: &Table, what: &str, i: usize) -> Result<T, SnapshotError> {
    v.ok_or_else(|| SnapshotError::Corrupt {
        path: t.path.clone(),
        message: format!("row {i}: {what} is null"),
    })
}

/// Writes the snapshot tables of `ds` into `dir` (which must exist).
fn write_tables(dir: &Path, ds: &Dataset, rejects: &[Reject]) -> Result<(), SnapshotError> {
    // The movements (shipments, returns, inspections: the largest tables of
    // a real company) are built and encoded on a second core meanwhile.
    std::thread::scope(|scope| {
        let movements = scope.spawn(|| write_movements(dir, ds));
        let rest = write_master_data(dir, ds, rejects);
        let movements = movements
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        rest.and(movements)
    })
}

/// The shipments, returns and inspections tables.
fn write_movements(dir: &Path, ds: &Dataset) -> Result<(), SnapshotError> {
    let p = |n: &str| dir.join(format!("{n}.arrow"));
    let to_site = |d: &Destination| match d {
        Destination::Site(s) => Some(s.0),
        Destination::Customer(_) => None,
    };
    let to_customer = |d: &Destination| match d {
        Destination::Customer(c) => Some(c.0),
        Destination::Site(_) => None,
    };
    write_chunked(&p("shipments"), ds.shipments.len(), |r| {
        let s = &ds.shipments[r];
        TableBuilder::default()
            .utf8("shipment_id", s.iter().map(|x| x.id.as_str()))
            .u32("lot", s.iter().map(|x| x.lot.0))
            .f64("quantity", s.iter().map(|x| x.quantity))
            .u32_opt("from_site", s.iter().map(|x| x.from_site.map(|v| v.0)))
            .u32_opt("to_site", s.iter().map(|x| to_site(&x.to)))
            .u32_opt("customer", s.iter().map(|x| to_customer(&x.to)))
            .date_opt("shipped_on", s.iter().map(|x| Some(x.shipped_on)))
            .date_opt("delivered_on", s.iter().map(|x| x.delivered_on))
            .u8_opt("status", s.iter().map(|x| Some(x.status.code())))
    })?;
    write_chunked(&p("returns"), ds.returns.len(), |rows| {
        let r = &ds.returns[rows];
        TableBuilder::default()
            .utf8("return_id", r.iter().map(|x| x.id.as_str()))
            .u32("lot", r.iter().map(|x| x.lot.0))
            .u32_opt("customer", r.iter().map(|x| x.customer.map(|v| v.0)))
            .f64("quantity", r.iter().map(|x| x.quantity))
            .utf8_opt("reason", r.iter().map(|x| x.reason.as_deref()))
            .u8_opt("category", r.iter().map(|x| x.category.map(|v| v.code())))
            .date_opt("reported_on", r.iter().map(|x| Some(x.reported_on)))
    })?;
    write_chunked(&p("inspections"), ds.inspections.len(), |r| {
        let n = &ds.inspections[r];
        TableBuilder::default()
            .utf8("inspection_id", n.iter().map(|x| x.id.as_str()))
            .u32("lot", n.iter().map(|x| x.lot.0))
            .date_opt("inspected_on", n.iter().map(|x| x.inspected_on))
            .u8_opt("result", n.iter().map(|x| Some(x.result.code())))
            .utf8_opt("defect", n.iter().map(|x| x.defect.as_deref()))
    })?;
    Ok(())
}

/// Every table but the movements.
fn write_master_data(dir: &Path, ds: &Dataset, rejects: &[Reject]) -> Result<(), SnapshotError> {
    let p = |n: &str| dir.join(format!("{n}.arrow"));
    TableBuilder::default()
        .utf8("supplier_id", ds.suppliers.iter().map(|s| s.id.as_str()))
        .utf8_opt("name", ds.suppliers.iter().map(|s| s.name.as_deref()))
        .utf8_opt("country", ds.suppliers.iter().map(|s| s.country.as_deref()))
        .write(&p("suppliers"))?;
    TableBuilder::default()
        .utf8("site_id", ds.sites.iter().map(|s| s.id.as_str()))
        .utf8_opt("name", ds.sites.iter().map(|s| s.name.as_deref()))
        .u8_opt("kind", ds.sites.iter().map(|s| s.kind.map(|k| k.code())))
        .utf8_opt("region", ds.sites.iter().map(|s| s.region.as_deref()))
        .write(&p("sites"))?;
    TableBuilder::default()
        .utf8("sku", ds.products.iter().map(|s| s.sku.as_str()))
        .utf8_opt("name", ds.products.iter().map(|s| s.name.as_deref()))
        .u8_opt(
            "category",
            ds.products.iter().map(|s| s.category.map(|k| k.code())),
        )
        .utf8_opt("uom", ds.products.iter().map(|s| s.uom.as_deref()))
        .u32_opt(
            "shelf_life_days",
            ds.products.iter().map(|s| s.shelf_life_days),
        )
        .f64_opt("unit_cost", ds.products.iter().map(|s| s.unit_cost))
        .bool("implicit", ds.products.iter().map(|s| s.implicit))
        .write(&p("products"))?;
    TableBuilder::default()
        .utf8("customer_id", ds.customers.iter().map(|s| s.id.as_str()))
        .utf8_opt("name", ds.customers.iter().map(|s| s.name.as_deref()))
        .u8_opt(
            "kind",
            ds.customers.iter().map(|s| s.kind.map(|k| k.code())),
        )
        .utf8_opt("region", ds.customers.iter().map(|s| s.region.as_deref()))
        .utf8_opt("contact", ds.customers.iter().map(|s| s.contact.as_deref()))
        .write(&p("customers"))?;
    TableBuilder::default()
        .utf8("line", ds.lines.iter().map(String::as_str))
        .u32_opt("site", ds.line_sites.iter().map(|s| s.map(|s| s.0)))
        .write(&p("lines"))?;
    write_chunked(&p("lots"), ds.lots.len(), |r| {
        let l = &ds.lots[r];
        TableBuilder::default()
            .utf8("lot_id", l.iter().map(|x| x.id.as_str()))
            .u32("sku", l.iter().map(|x| x.sku.0))
            .u32("origin", l.iter().map(|x| u32::from(x.origin.code())))
            .u32_opt("supplier", l.iter().map(|x| x.supplier.map(|s| s.0)))
            .utf8_opt(
                "supplier_lot_code",
                l.iter().map(|x| x.supplier_lot_code.as_deref()),
            )
            .u32_opt("site", l.iter().map(|x| x.site.map(|s| s.0)))
            .u32_opt("line", l.iter().map(|x| x.line.map(|s| s.0)))
            .date_opt("produced_on", l.iter().map(|x| x.produced_on))
            .date_opt("received_on", l.iter().map(|x| x.received_on))
            .date_opt("expires_on", l.iter().map(|x| x.expires_on))
            .f64("quantity", l.iter().map(|x| x.quantity))
            .f64_opt("unit_cost", l.iter().map(|x| x.unit_cost))
            .u8_opt("status", l.iter().map(|x| Some(x.status.code())))
    })?;
    write_chunked(&p("consumptions"), ds.consumptions.len(), |r| {
        let c = &ds.consumptions[r];
        TableBuilder::default()
            .u32("input", c.iter().map(|x| x.input.0))
            .u32("output", c.iter().map(|x| x.output.0))
            .f64("quantity", c.iter().map(|x| x.quantity))
            .date_opt("consumed_on", c.iter().map(|x| x.consumed_on))
    })?;
    for kind in FileKind::ALL {
        let ex = &ds.extras[kind as usize];
        let mut b = TableBuilder::default();
        for (name, vals) in ex.columns.iter().zip(&ex.values) {
            b = b.utf8(name, vals.iter().map(String::as_str));
        }
        b.write(&p(&format!("extras_{}", kind.stem())))?;
    }
    TableBuilder::default()
        .utf8("file", rejects.iter().map(|x| x.file.as_str()))
        .u64("line", rejects.iter().map(|x| x.line))
        .utf8("column", rejects.iter().map(|x| x.column.as_str()))
        .utf8("problem", rejects.iter().map(|x| x.problem.as_str()))
        .utf8("record", rejects.iter().map(|x| x.record.as_str()))
        .write(&p("rejects"))?;
    Ok(())
}

/// Reads the snapshot tables in `dir` back into a dataset.
fn read_tables(dir: &Path) -> Result<Dataset, SnapshotError> {
    let p = |n: &str| dir.join(format!("{n}.arrow"));
    let mut ds = Dataset::default();

    let t = Table::open(&p("suppliers"))?;
    let (id, name, country) = (t.utf8("supplier_id")?, t.utf8("name")?, t.utf8("country")?);
    ds.suppliers = (0..t.rows())
        .map(|i| Supplier {
            id: id.value(i).to_string(),
            name: opt_str(name, i),
            country: opt_str(country, i),
        })
        .collect();

    let t = Table::open(&p("sites"))?;
    let (id, name, kind, region) = (
        t.utf8("site_id")?,
        t.utf8("name")?,
        t.u8("kind")?,
        t.utf8("region")?,
    );
    ds.sites = (0..t.rows())
        .map(|i| {
            Ok(Site {
                id: id.value(i).to_string(),
                name: opt_str(name, i),
                kind: t.code(kind, i, SiteKind::from_code)?,
                region: opt_str(region, i),
            })
        })
        .collect::<Result<_, SnapshotError>>()?;

    let t = Table::open(&p("products"))?;
    let (sku, name, cat, uom, shelf, cost, implicit) = (
        t.utf8("sku")?,
        t.utf8("name")?,
        t.u8("category")?,
        t.utf8("uom")?,
        t.u32("shelf_life_days")?,
        t.f64("unit_cost")?,
        t.bool("implicit")?,
    );
    ds.products = (0..t.rows())
        .map(|i| {
            Ok(Product {
                sku: sku.value(i).to_string(),
                name: opt_str(name, i),
                category: t.code(cat, i, Category::from_code)?,
                uom: opt_str(uom, i),
                shelf_life_days: opt_u32(shelf, i),
                unit_cost: opt_f64(cost, i),
                implicit: implicit.value(i),
            })
        })
        .collect::<Result<_, SnapshotError>>()?;

    let t = Table::open(&p("customers"))?;
    let (id, name, kind, region, contact) = (
        t.utf8("customer_id")?,
        t.utf8("name")?,
        t.u8("kind")?,
        t.utf8("region")?,
        t.utf8("contact")?,
    );
    ds.customers = (0..t.rows())
        .map(|i| {
            Ok(Customer {
                id: id.value(i).to_string(),
                name: opt_str(name, i),
                kind: t.code(kind, i, CustomerKind::from_code)?,
                region: opt_str(region, i),
                contact: opt_str(contact, i),
            })
        })
        .collect::<Result<_, SnapshotError>>()?;

    let t = Table::open(&p("lines"))?;
    let line = t.utf8("line")?;
    let line_site = t.u32("site")?;
    ds.lines = (0..t.rows()).map(|i| line.value(i).to_string()).collect();
    ds.line_sites = (0..t.rows())
        .map(|i| opt_u32(line_site, i).map(SiteIx))
        .collect();

    let t = Table::open(&p("lots"))?;
    let (id, sku, origin, supplier, slc, site, line, prod, recv, exp, qty, cost, status) = (
        t.utf8("lot_id")?,
        t.u32("sku")?,
        t.u32("origin")?,
        t.u32("supplier")?,
        t.utf8("supplier_lot_code")?,
        t.u32("site")?,
        t.u32("line")?,
        t.date("produced_on")?,
        t.date("received_on")?,
        t.date("expires_on")?,
        t.f64("quantity")?,
        t.f64("unit_cost")?,
        t.u8("status")?,
    );
    ds.lots = (0..t.rows())
        .map(|i| {
            Ok(Lot {
                id: id.value(i).to_string(),
                sku: SkuIx(sku.value(i)),
                origin: required(Origin::from_code(origin.value(i) as u8), &t, "origin", i)?,
                supplier: opt_u32(supplier, i).map(SupplierIx),
                supplier_lot_code: opt_str(slc, i),
                site: opt_u32(site, i).map(SiteIx),
                line: opt_u32(line, i).map(LineIx),
                produced_on: opt_date(prod, i),
                received_on: opt_date(recv, i),
                expires_on: opt_date(exp, i),
                quantity: qty.value(i),
                unit_cost: opt_f64(cost, i),
                status: required(t.code(status, i, LotStatus::from_code)?, &t, "status", i)?,
            })
        })
        .collect::<Result<_, SnapshotError>>()?;

    let t = Table::open(&p("consumptions"))?;
    let (input, output, qty, on) = (
        t.u32("input")?.values(),
        t.u32("output")?.values(),
        t.f64("quantity")?.values(),
        t.date("consumed_on")?,
    );
    ds.consumptions = (0..t.rows())
        .map(|i| Consumption {
            input: LotIx(input[i]),
            output: LotIx(output[i]),
            quantity: qty[i],
            consumed_on: opt_date(on, i),
        })
        .collect();

    let t = Table::open(&p("shipments"))?;
    let (id, lot, qty, from, to_site, customer, shipped, delivered, status) = (
        t.utf8("shipment_id")?,
        t.u32("lot")?,
        t.f64("quantity")?,
        t.u32("from_site")?,
        t.u32("to_site")?,
        t.u32("customer")?,
        t.date("shipped_on")?,
        t.date("delivered_on")?,
        t.u8("status")?,
    );
    ds.shipments = (0..t.rows())
        .map(|i| {
            let to = match (opt_u32(to_site, i), opt_u32(customer, i)) {
                (Some(s), _) => Destination::Site(SiteIx(s)),
                (None, Some(c)) => Destination::Customer(CustomerIx(c)),
                (None, None) => required(None, &t, "destination", i)?,
            };
            Ok(Shipment {
                id: id.value(i).to_string(),
                lot: LotIx(lot.value(i)),
                quantity: qty.value(i),
                from_site: opt_u32(from, i).map(SiteIx),
                to,
                shipped_on: required(opt_date(shipped, i), &t, "shipped_on", i)?,
                delivered_on: opt_date(delivered, i),
                status: required(
                    t.code(status, i, ShipmentStatus::from_code)?,
                    &t,
                    "status",
                    i,
                )?,
            })
        })
        .collect::<Result<_, SnapshotError>>()?;

    let t = Table::open(&p("returns"))?;
    let (id, lot, customer, qty, reason, cat, reported) = (
        t.utf8("return_id")?,
        t.u32("lot")?,
        t.u32("customer")?,
        t.f64("quantity")?,
        t.utf8("reason")?,
        t.u8("category")?,
        t.date("reported_on")?,
    );
    ds.returns = (0..t.rows())
        .map(|i| {
            Ok(Return {
                id: id.value(i).to_string(),
                lot: LotIx(lot.value(i)),
                customer: opt_u32(customer, i).map(CustomerIx),
                quantity: qty.value(i),
                reason: opt_str(reason, i),
                category: t.code(cat, i, ReturnCategory::from_code)?,
                reported_on: required(opt_date(reported, i), &t, "reported_on", i)?,
            })
        })
        .collect::<Result<_, SnapshotError>>()?;

    let t = Table::open(&p("inspections"))?;
    let (id, lot, on, result, defect) = (
        t.utf8("inspection_id")?,
        t.u32("lot")?,
        t.date("inspected_on")?,
        t.u8("result")?,
        t.utf8("defect")?,
    );
    ds.inspections = (0..t.rows())
        .map(|i| {
            Ok(Inspection {
                id: id.value(i).to_string(),
                lot: LotIx(lot.value(i)),
                inspected_on: opt_date(on, i),
                result: required(
                    t.code(result, i, InspectionResult::from_code)?,
                    &t,
                    "result",
                    i,
                )?,
                defect: opt_str(defect, i),
            })
        })
        .collect::<Result<_, SnapshotError>>()?;

    for kind in FileKind::ALL {
        let t = Table::open(&p(&format!("extras_{}", kind.stem())))?;
        let mut ex = Extras::default();
        for f in t.batch.schema().fields() {
            let a = t.utf8(f.name())?;
            ex.columns.push(f.name().clone());
            ex.values
                .push((0..a.len()).map(|i| a.value(i).to_string()).collect());
        }
        ds.extras[kind as usize] = ex;
    }
    check_references(&ds, dir)?;
    Ok(ds)
}

/// Guards every index against the table it points into, so a damaged
/// snapshot is an error rather than a panic later.
fn check_references(ds: &Dataset, dir: &Path) -> Result<(), SnapshotError> {
    let bad = |what: &str| SnapshotError::Corrupt {
        path: dir.to_path_buf(),
        message: format!("{what} points outside its table"),
    };
    let (nl, ns, nt, np, nc, nn) = (
        ds.lots.len() as u32,
        ds.suppliers.len() as u32,
        ds.sites.len() as u32,
        ds.products.len() as u32,
        ds.customers.len() as u32,
        ds.lines.len() as u32,
    );
    let ok = |v: Option<u32>, n: u32| v.is_none_or(|v| v < n);
    for l in &ds.lots {
        if l.sku.0 >= np
            || !ok(l.supplier.map(|s| s.0), ns)
            || !ok(l.site.map(|s| s.0), nt)
            || !ok(l.line.map(|s| s.0), nn)
        {
            return Err(bad("a lot reference"));
        }
    }
    if ds
        .consumptions
        .iter()
        .any(|c| c.input.0 >= nl || c.output.0 >= nl)
    {
        return Err(bad("a consumption lot"));
    }
    for s in &ds.shipments {
        let to_ok = match s.to {
            Destination::Site(t) => t.0 < nt,
            Destination::Customer(c) => c.0 < nc,
        };
        if s.lot.0 >= nl || !ok(s.from_site.map(|v| v.0), nt) || !to_ok {
            return Err(bad("a shipment reference"));
        }
    }
    if ds
        .returns
        .iter()
        .any(|r| r.lot.0 >= nl || !ok(r.customer.map(|c| c.0), nc))
        || ds.inspections.iter().any(|r| r.lot.0 >= nl)
    {
        return Err(bad("a return or inspection lot"));
    }
    Ok(())
}

/// The file naming the live generation.
fn current_file(workspace: &Path) -> PathBuf {
    workspace.join("CURRENT")
}

fn sync_dir(dir: &Path) -> Result<(), SnapshotError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

/// Writes a complete new snapshot and makes it live atomically; then removes
/// generations older than the one it replaced. `before_commit` runs after every file is durable and
/// before the switch (tests use it to simulate a crash at the worst moment).
pub fn write(
    workspace: &Path,
    ds: &Dataset,
    manifest: &Manifest,
    rejects: &[Reject],
    before_commit: impl FnOnce(),
) -> Result<PathBuf, SnapshotError> {
    std::fs::create_dir_all(workspace).map_err(io(workspace))?;
    // One writer at a time: a second ingest waits here rather than deleting
    // the first one's generation under it. The lock goes with the handle.
    let lock_path = workspace.join("LOCK");
    let lock = File::create(&lock_path).map_err(io(&lock_path))?;
    lock.lock().map_err(io(&lock_path))?;
    // The generation live before this write is kept one round, so a reader
    // that is loading it right now is not cut off.
    let previous = std::fs::read_to_string(current_file(workspace))
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let stamp = format!(
        "{}-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.9f"),
        std::process::id()
    );
    let tmp = workspace.join(format!(".tmp-gen-{stamp}"));
    std::fs::create_dir(&tmp).map_err(io(&tmp))?;
    let result = (|| {
        write_tables(&tmp, ds, rejects)?;
        let mpath = tmp.join("manifest.json");
        let json = serde_json::to_vec_pretty(manifest).map_err(|e| io(&mpath)(e.into()))?;
        write_durably(&mpath, &json)?;
        sync_dir(&tmp)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let gen_name = format!("gen-{stamp}");
    let live = workspace.join(&gen_name);
    std::fs::rename(&tmp, &live).map_err(io(&live))?;
    sync_dir(workspace)?;
    before_commit();
    let cur = current_file(workspace);
    let cur_tmp = workspace.join(format!(".CURRENT.tmp-{stamp}"));
    write_durably(&cur_tmp, format!("{gen_name}\n").as_bytes())?;
    std::fs::rename(&cur_tmp, &cur).map_err(io(&cur))?;
    sync_dir(workspace)?;
    // The new snapshot is live; what follows is housekeeping.
    let rj = workspace.join("rejects.csv");
    let rj_tmp = workspace.join(format!(".rejects.csv.tmp-{stamp}"));
    write_durably(&rj_tmp, &rejects_csv(rejects))?;
    std::fs::rename(&rj_tmp, &rj).map_err(io(&rj))?;
    remove_stale(workspace, &[gen_name.as_str(), previous.as_str()]);
    drop(lock);
    Ok(live)
}

/// Encodes rejected rows as `rejects.csv`.
pub fn rejects_csv(rejects: &[Reject]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["file", "line", "column", "problem", "record"]);
    for r in rejects {
        let line = r.line.to_string();
        let _ = w.write_record([
            r.file.as_str(),
            line.as_str(),
            r.column.as_str(),
            r.problem.as_str(),
            r.record.as_str(),
        ]);
    }
    w.into_inner().unwrap_or_default()
}

fn write_durably(path: &Path, bytes: &[u8]) -> Result<(), SnapshotError> {
    let mut f = File::create(path).map_err(io(path))?;
    f.write_all(bytes).map_err(io(path))?;
    f.sync_all().map_err(io(path))
}

/// Removes old generations and temporary directories of ingests that are no
/// longer running.
fn remove_stale(workspace: &Path, keep: &[&str]) {
    let Ok(entries) = std::fs::read_dir(workspace) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let stale = if name.starts_with("gen-") {
            !keep.contains(&name.as_str())
        } else if let Some(rest) = name.strip_prefix(".tmp-gen-") {
            // A temp dir whose writer process is gone.
            rest.rsplit('-')
                .next()
                .and_then(|pid| pid.parse::<u32>().ok())
                .is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists())
        } else {
            false
        };
        if stale {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Loads the live snapshot of `workspace`.
pub fn load(workspace: &Path) -> Result<Snapshot, SnapshotError> {
    let cur = current_file(workspace);
    let name = match std::fs::read_to_string(&cur) {
        Ok(s) => s.trim().to_string(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(SnapshotError::Missing {
                workspace: workspace.to_path_buf(),
            });
        }
        Err(e) => return Err(io(&cur)(e)),
    };
    let dir = workspace.join(&name);
    let mpath = dir.join("manifest.json");
    let bytes = std::fs::read(&mpath).map_err(io(&mpath))?;
    let manifest: Manifest =
        serde_json::from_slice(&bytes).map_err(|e| SnapshotError::Corrupt {
            path: mpath.clone(),
            message: e.to_string(),
        })?;
    if !(OLDEST_READABLE..=SNAPSHOT_VERSION).contains(&manifest.version) {
        return Err(SnapshotError::Corrupt {
            path: mpath,
            message: format!(
                "snapshot version {} is not {OLDEST_READABLE} to {SNAPSHOT_VERSION}: re-run `lotgraph ingest`",
                manifest.version
            ),
        });
    }
    let dataset = read_tables(&dir)?;
    let genealogy = Genealogy::from_dataset(&dataset);
    Ok(Snapshot {
        dataset,
        genealogy,
        manifest,
        dir,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lotgraph_core::ingest::{CsvOnly, ingest_dir};

    fn toy() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/fixtures/toy")
    }

    fn manifest() -> Manifest {
        Manifest {
            version: SNAPSHOT_VERSION,
            source: "toy".into(),
            created_at: "2024-01-01T00:00:00Z".into(),
            files: Vec::new(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn round_trip_keeps_every_record() {
        let ing = ingest_dir(&toy(), &CsvOnly).unwrap();
        let ws = tempfile::tempdir().unwrap();
        let rejects = vec![Reject {
            file: "lots.csv".into(),
            line: 9,
            column: "quantity".into(),
            problem: "\"-3\" is negative".into(),
            record: "X,FIN,produced,-3".into(),
        }];
        write(ws.path(), &ing.dataset, &manifest(), &rejects, || {}).unwrap();
        let snap = load(ws.path()).unwrap();
        let (a, b) = (&ing.dataset, &snap.dataset);
        assert_eq!(a.suppliers, b.suppliers);
        assert_eq!(a.sites, b.sites);
        assert_eq!(a.products, b.products);
        assert_eq!(a.customers, b.customers);
        assert_eq!(a.lots, b.lots);
        assert_eq!(a.lines, b.lines);
        assert_eq!(a.line_sites, b.line_sites);
        assert_eq!(a.consumptions, b.consumptions);
        assert_eq!(a.shipments, b.shipments);
        assert_eq!(a.returns, b.returns);
        assert_eq!(a.inspections, b.inspections);
        assert_eq!(a.extras, b.extras);
        assert_eq!(ing.genealogy, snap.genealogy);
        assert_eq!(snap.rejects().unwrap(), rejects);
        assert_eq!(b.lot_ix("F1"), a.lot_ix("F1"));
    }

    #[test]
    fn rewriting_replaces_the_generation() {
        let ing = ingest_dir(&toy(), &CsvOnly).unwrap();
        let ws = tempfile::tempdir().unwrap();
        let first = write(ws.path(), &ing.dataset, &manifest(), &[], || {}).unwrap();
        let second = write(ws.path(), &ing.dataset, &manifest(), &[], || {}).unwrap();
        assert_ne!(first, second);
        assert!(first.exists(), "the previous generation is kept one round");
        let third = write(ws.path(), &ing.dataset, &manifest(), &[], || {}).unwrap();
        assert!(!first.exists(), "older generations are removed");
        assert!(second.exists());
        assert_eq!(load(ws.path()).unwrap().dir, third);
    }

    #[test]
    fn a_missing_or_damaged_snapshot_is_an_error_naming_it() {
        let ws = tempfile::tempdir().unwrap();
        assert!(matches!(
            load(ws.path()),
            Err(SnapshotError::Missing { .. })
        ));
        let ing = ingest_dir(&toy(), &CsvOnly).unwrap();
        let live = write(ws.path(), &ing.dataset, &manifest(), &[], || {}).unwrap();
        std::fs::write(live.join("lots.arrow"), b"not arrow").unwrap();
        let err = load(ws.path()).err().unwrap().to_string();
        assert!(err.contains("lots.arrow"), "{err}");
    }

    #[test]
    fn a_table_written_in_chunks_reads_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let ids: Vec<String> = (0..10).map(|i| format!("L{i}")).collect();
        for (rows, chunk) in [(10, 3), (10, 10), (10, 64), (0, 3)] {
            let path = dir.path().join(format!("t{rows}-{chunk}.arrow"));
            write_chunks_of(&path, rows, chunk, |r| {
                TableBuilder::default()
                    .utf8("id", ids[r.clone()].iter().map(String::as_str))
                    .u32("n", r.map(|i| i as u32))
            })
            .unwrap();
            let t = Table::open(&path).unwrap();
            assert_eq!(t.rows(), rows);
            let id = t
                .batch
                .column(0)
                .as_any()
                .downcast_ref::<StringArray>()
                .unwrap();
            let n = t
                .batch
                .column(1)
                .as_any()
                .downcast_ref::<UInt32Array>()
                .unwrap();
            for (i, want) in ids.iter().take(rows).enumerate() {
                assert_eq!((id.value(i), n.value(i)), (want.as_str(), i as u32));
            }
        }
    }

    #[test]
    fn dates_survive_the_epoch_conversion() {
        for d in ["1900-03-01", "1970-01-01", "2021-10-20", "2400-02-29"] {
            let d = NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
            assert_eq!(from_days(to_days(d)), Some(d));
        }
    }
}
