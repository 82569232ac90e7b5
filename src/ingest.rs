//! Input formats beyond the core crate's CSV: Parquet files with the same
//! base names and columns (record-format.md). Each Parquet value is rendered
//! to text with Arrow's display rules (dates as `YYYY-MM-DD`, nulls as empty
//! cells) and then goes through exactly the same validation as CSV.
//!
//! Row numbers: Parquet has no lines, so a row is reported as if the file
//! were CSV: the first data row is line 2 (also in "value in row N").
//!
//! Hostile files. Only flat columns are read: a nested column (list,
//! struct, map, union, a dictionary of those) is refused when the file is
//! opened, naming the column and its type, before any data is decoded.
//! BINARY columns (what older writers produce for strings) are read as
//! text when every value is UTF-8 and are an error naming the column and
//! row otherwise; Arrow's display would print them as hex (`R-2` as
//! `522d32`). A malformed file must be exit 2 naming it, but arrow/parquet
//! panic on some damaged pages (an out-of-bounds slice, a division by
//! zero), so every call into the decoder runs under [`guarded`], which
//! turns a panic into an `IngestError::Format`, and the column chunk
//! offsets are checked against the file's length at open. This relies on
//! panics unwinding: no profile may set `panic = "abort"`.

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::DataType;
use csv::StringRecord;
use lotgraph_core::ingest::source::{CsvSource, RowSource, SourceRow, file_name, open_regular};
use lotgraph_core::ingest::{IngestError, OpenSource};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::file::metadata::ParquetMetaData;
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};

/// Rows per decoded batch.
const BATCH_ROWS: usize = 64 * 1024;

/// Opens `.csv` and `.parquet` files.
pub struct CsvOrParquet;

impl OpenSource for CsvOrParquet {
    fn extensions(&self) -> &[&'static str] {
        &["csv", "parquet"]
    }

    fn open(&self, path: &Path) -> Result<Box<dyn RowSource>, IngestError> {
        if path.extension().is_some_and(|e| e == "parquet") {
            Ok(Box::new(ParquetSource::open(path)?))
        } else {
            Ok(Box::new(CsvSource::open(path)?))
        }
    }
}

thread_local! {
    /// Set while this thread is inside [`guarded`]: the panic hook then
    /// stays silent, because the panic is reported as an error instead.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Decoder panics caught so far in this process (the fuzz harness reports
/// them: each one is a library bug that lotgraph turned into exit 2).
static CAUGHT: AtomicU64 = AtomicU64::new(0);

/// How many panics inside arrow/parquet were caught and reported as errors.
pub fn caught_decoder_panics() -> u64 {
    CAUGHT.load(Ordering::Relaxed)
}

/// Wraps the process's panic hook (once) so that it says nothing for
/// panics inside [`guarded`]; outside it, the previous hook (main's one
/// line on stderr) runs unchanged.
fn install_quiet_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Runs `f` (a call into arrow/parquet), turning a panic into
/// `IngestError::Format` naming `file` and, when known, `column`.
fn guarded<T>(file: &str, column: Option<&str>, f: impl FnOnce() -> T) -> Result<T, IngestError> {
    install_quiet_hook();
    let was = QUIET.with(|q| q.replace(true));
    let out = catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was));
    out.map_err(|payload| {
        CAUGHT.fetch_add(1, Ordering::Relaxed);
        let why = payload
            .downcast_ref::<&str>()
            .map(std::string::ToString::to_string)
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic without a message".into());
        malformed(file, column, &format!("the decoder failed: {why}"))
    })
}

/// `lots.parquet: column "x": malformed Parquet file (why)`.
fn malformed(file: &str, column: Option<&str>, why: &str) -> IngestError {
    let at = column.map_or(String::new(), |c| format!("column {c:?}: "));
    IngestError::Format {
        file: file.to_string(),
        message: format!("{at}malformed Parquet file ({why})"),
    }
}

/// How a column's values become text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Render {
    /// Arrow's display rules.
    Display,
    /// Raw bytes that must be UTF-8 (BINARY and its variants).
    Utf8Bytes,
}

fn is_binary(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Binary
            | DataType::LargeBinary
            | DataType::BinaryView
            | DataType::FixedSizeBinary(_)
    )
}

fn render_of(t: &DataType) -> Render {
    match t {
        DataType::Dictionary(_, v) if is_binary(v) => Render::Utf8Bytes,
        t if is_binary(t) => Render::Utf8Bytes,
        _ => Render::Display,
    }
}

/// Rows of a Parquet file as text records.
pub struct ParquetSource {
    name: String,
    path: PathBuf,
    headers: Vec<String>,
    renders: Vec<Render>,
    /// `None` once decoding failed: a reader that panicked is not reused.
    reader: Option<ParquetRecordBatchReader>,
    /// Batches taken from `reader` so far.
    batches: usize,
    /// Rows of the current batch, already rendered.
    pending: std::vec::IntoIter<StringRecord>,
    next_line: u64,
}

/// Opens the file and decodes its footer, under the panic guard.
fn builder(
    path: &Path,
    name: &str,
) -> Result<ParquetRecordBatchReaderBuilder<std::fs::File>, IngestError> {
    let file = open_regular(path)?;
    let len = file.metadata().map_or(0, |m| m.len());
    let builder = guarded(name, None, || {
        ParquetRecordBatchReaderBuilder::try_new(file)
    })?
    .map_err(|e| IngestError::Format {
        file: name.to_string(),
        message: format!("not a readable Parquet file: {e}"),
    })?;
    check_chunks(name, builder.metadata(), len)?;
    Ok(builder)
}

/// Every column chunk must lie inside the file: the reader trusts the
/// footer's offsets and sizes (a negative one is an assertion, not an error).
fn check_chunks(name: &str, meta: &ParquetMetaData, file_len: u64) -> Result<(), IngestError> {
    for (g, rg) in meta.row_groups().iter().enumerate() {
        if rg.num_rows() < 0 {
            return Err(malformed(
                name,
                None,
                &format!("row group {g} has {} rows", rg.num_rows()),
            ));
        }
        for col in rg.columns() {
            let column = col.column_descr().name();
            let start = col
                .dictionary_page_offset()
                .unwrap_or(col.data_page_offset());
            let len = col.compressed_size();
            let end = u64::try_from(start)
                .ok()
                .zip(u64::try_from(len).ok())
                .and_then(|(s, l)| s.checked_add(l));
            if end.is_none_or(|e| e > file_len) || col.num_values() < 0 {
                return Err(malformed(
                    name,
                    Some(column),
                    &format!(
                        "its chunk in row group {g} claims {len} bytes at offset {start} \
                         and {} values, in a file of {file_len} bytes",
                        col.num_values()
                    ),
                ));
            }
        }
    }
    Ok(())
}

impl ParquetSource {
    /// Opens `path`, reads its schema and refuses nested columns.
    pub fn open(path: &Path) -> Result<Self, IngestError> {
        let name = file_name(path);
        let builder = builder(path, &name)?;
        let mut headers = Vec::new();
        let mut renders = Vec::new();
        for f in builder.schema().fields() {
            if f.data_type().is_nested() {
                return Err(IngestError::Format {
                    file: name,
                    message: format!(
                        "column {:?} has nested type {}; lotgraph reads flat columns only",
                        f.name(),
                        f.data_type()
                    ),
                });
            }
            headers.push(f.name().trim().to_string());
            renders.push(render_of(f.data_type()));
        }
        let reader = guarded(&name, None, || builder.with_batch_size(BATCH_ROWS).build())?
            .map_err(|e| malformed(&name, None, &e.to_string()))?;
        Ok(ParquetSource {
            name,
            path: path.to_path_buf(),
            headers,
            renders,
            reader: Some(reader),
            batches: 0,
            pending: Vec::new().into_iter(),
            next_line: 2,
        })
    }

    /// Decoding the whole row failed (`why`): decodes the file again one
    /// column at a time, up to the failing batch, to name the column. Only
    /// on the error path, so the normal read decodes every column once.
    fn diagnose(&self, why: &str) -> IngestError {
        for (i, column) in self.headers.iter().enumerate() {
            let single = builder(&self.path, &self.name).and_then(|b| {
                let mask = ProjectionMask::roots(b.parquet_schema(), [i]);
                guarded(&self.name, Some(column), || {
                    b.with_projection(mask).with_batch_size(BATCH_ROWS).build()
                })?
                .map_err(|e| malformed(&self.name, Some(column), &e.to_string()))
            });
            let mut reader = match single {
                Ok(r) => r,
                Err(e) => return e,
            };
            for _ in 0..=self.batches {
                match guarded(&self.name, Some(column), || reader.next()) {
                    Ok(None) => break,
                    Ok(Some(Ok(_))) => {}
                    Ok(Some(Err(e))) => {
                        return malformed(&self.name, Some(column), &e.to_string());
                    }
                    Err(e) => return e,
                }
            }
        }
        malformed(&self.name, None, why)
    }

    /// The next batch, or the error naming the column that failed.
    fn next_batch(&mut self) -> Result<Option<RecordBatch>, IngestError> {
        let Some(reader) = self.reader.as_mut() else {
            return Ok(None);
        };
        let why = match guarded(&self.name, None, || reader.next()) {
            Ok(None) => return Ok(None),
            Ok(Some(Ok(batch))) => {
                self.batches += 1;
                return Ok(Some(batch));
            }
            Ok(Some(Err(e))) => e.to_string(),
            Err(IngestError::Format { message, .. }) => message,
            Err(e) => return Err(e),
        };
        self.reader = None;
        Err(self.diagnose(&why))
    }

    /// Renders a batch column by column (so a failure names its column).
    fn render(&self, batch: &RecordBatch) -> Result<Vec<StringRecord>, IngestError> {
        let opts = FormatOptions::default().with_null("");
        let mut rows: Vec<StringRecord> = (0..batch.num_rows())
            .map(|_| StringRecord::with_capacity(64, batch.num_columns()))
            .collect();
        for (c, array) in batch.columns().iter().enumerate() {
            let column = self.headers.get(c).map_or("", String::as_str);
            let render = self.renders.get(c).copied().unwrap_or(Render::Display);
            guarded(&self.name, Some(column), || match render {
                Render::Display => {
                    let f = ArrayFormatter::try_new(array.as_ref(), &opts)
                        .map_err(|e| malformed(&self.name, Some(column), &e.to_string()))?;
                    let mut cell = String::new();
                    for (i, row) in rows.iter_mut().enumerate() {
                        cell.clear();
                        use std::fmt::Write;
                        write!(cell, "{}", f.value(i))
                            .map_err(|e| malformed(&self.name, Some(column), &e.to_string()))?;
                        row.push_field(&cell);
                    }
                    Ok(())
                }
                Render::Utf8Bytes => self.push_utf8(array, column, &mut rows),
            })??;
        }
        Ok(rows)
    }

    /// Appends a BINARY column's values as text, refusing any value that
    /// is not UTF-8 (naming its row) rather than guessing an encoding.
    fn push_utf8(
        &self,
        array: &ArrayRef,
        column: &str,
        rows: &mut [StringRecord],
    ) -> Result<(), IngestError> {
        let values = match array.data_type() {
            DataType::Dictionary(_, v) => arrow_cast::cast(array, v)
                .map_err(|e| malformed(&self.name, Some(column), &e.to_string()))?,
            _ => array.clone(),
        };
        let a = values.as_ref();
        for (i, row) in rows.iter_mut().enumerate() {
            let bytes: &[u8] = if a.is_null(i) {
                b""
            } else {
                match a.data_type() {
                    DataType::Binary => a.as_binary::<i32>().value(i),
                    DataType::LargeBinary => a.as_binary::<i64>().value(i),
                    DataType::BinaryView => a.as_binary_view().value(i),
                    DataType::FixedSizeBinary(_) => a.as_fixed_size_binary().value(i),
                    other => {
                        return Err(malformed(
                            &self.name,
                            Some(column),
                            &format!("BINARY column decoded as {other}"),
                        ));
                    }
                }
            };
            let text = std::str::from_utf8(bytes).map_err(|_| IngestError::Format {
                file: self.name.clone(),
                message: format!(
                    "column {column:?}: value in row {} is not valid UTF-8 (BINARY column)",
                    self.next_line + i as u64
                ),
            })?;
            row.push_field(text);
        }
        Ok(())
    }
}

impl RowSource for ParquetSource {
    fn file_name(&self) -> &str {
        &self.name
    }

    fn headers(&self) -> &[String] {
        &self.headers
    }

    fn next_row(&mut self) -> Result<Option<SourceRow>, IngestError> {
        loop {
            if let Some(record) = self.pending.next() {
                let line = self.next_line;
                self.next_line += 1;
                return Ok(Some(SourceRow::Record { line, record }));
            }
            match self.next_batch()? {
                None => return Ok(None),
                Some(batch) => {
                    let rendered = self.render(&batch);
                    if rendered.is_err() {
                        self.reader = None;
                    }
                    self.pending = rendered?.into_iter();
                }
            }
        }
    }
}
