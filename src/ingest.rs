//! Input formats beyond the core crate's CSV: Parquet files with the same
//! base names and columns (record-format.md). Each Parquet value is rendered
//! to text with Arrow's display rules (dates as `YYYY-MM-DD`, nulls as empty
//! cells) and then goes through exactly the same validation as CSV.
//!
//! Row numbers: Parquet has no lines, so a row is reported as if the file
//! were CSV: the first data row is line 2.

use arrow_cast::display::{ArrayFormatter, FormatOptions};
use csv::StringRecord;
use lotgraph_core::ingest::source::{CsvSource, RowSource, SourceRow, file_name};
use lotgraph_core::ingest::{IngestError, OpenSource};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use std::path::Path;

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

/// Rows of a Parquet file as text records.
pub struct ParquetSource {
    name: String,
    headers: Vec<String>,
    reader: ParquetRecordBatchReader,
    /// Rows of the current batch, already rendered.
    pending: std::vec::IntoIter<StringRecord>,
    next_line: u64,
}

impl ParquetSource {
    /// Opens `path` and reads its schema.
    pub fn open(path: &Path) -> Result<Self, IngestError> {
        let name = file_name(path);
        let file = lotgraph_core::ingest::source::open_regular(path)?;
        let format = |e: parquet::errors::ParquetError| IngestError::Format {
            file: name.clone(),
            message: format!("not a readable Parquet file: {e}"),
        };
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(format)?;
        let headers = builder
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().trim().to_string())
            .collect();
        let reader = builder.with_batch_size(64 * 1024).build().map_err(format)?;
        Ok(ParquetSource {
            name,
            headers,
            reader,
            pending: Vec::new().into_iter(),
            next_line: 2,
        })
    }

    fn render(&self, batch: &arrow_array::RecordBatch) -> Result<Vec<StringRecord>, IngestError> {
        let opts = FormatOptions::default().with_null("");
        let err = |e: arrow_schema::ArrowError| IngestError::Format {
            file: self.name.clone(),
            message: e.to_string(),
        };
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &opts))
            .collect::<Result<Vec<_>, _>>()
            .map_err(err)?;
        let mut rows = Vec::with_capacity(batch.num_rows());
        for i in 0..batch.num_rows() {
            let mut rec = StringRecord::with_capacity(64, formatters.len());
            for f in &formatters {
                rec.push_field(&f.value(i).to_string());
            }
            rows.push(rec);
        }
        Ok(rows)
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
            match self.reader.next() {
                None => return Ok(None),
                Some(Err(e)) => {
                    return Err(IngestError::Format {
                        file: self.name.clone(),
                        message: e.to_string(),
                    });
                }
                Some(Ok(batch)) => self.pending = self.render(&batch)?.into_iter(),
            }
        }
    }
}
