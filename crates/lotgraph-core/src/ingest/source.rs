//! Row sources: the one place that knows how rows are physically stored.
//! CSV is handled here; other formats (Parquet) implement `RowSource` in
//! crates that can afford their dependencies, and reuse every validation rule.

use super::IngestError;
use csv::{ByteRecord, StringRecord};
use std::path::Path;

/// One physical row, or a row that could not even be split into fields.
#[derive(Debug)]
pub enum SourceRow {
    /// A well-formed row: `line` is the physical line where it starts
    /// (header = line 1), so quoted multi-line fields count correctly.
    Record { line: u64, record: StringRecord },
    /// A row that is malformed as a whole (wrong number of fields, bad UTF-8).
    Bad {
        line: u64,
        column: String,
        problem: String,
        raw: String,
    },
}

/// A table of text cells with a header.
pub trait RowSource {
    /// The file name used in messages (`lots.csv`).
    fn file_name(&self) -> &str;
    /// Column names, in file order.
    fn headers(&self) -> &[String];
    /// The next row, `None` at the end; `Err` only when the file cannot be read on.
    fn next_row(&mut self) -> Result<Option<SourceRow>, IngestError>;
}

/// RFC 4180 CSV through the `csv` crate.
pub struct CsvSource {
    name: String,
    headers: Vec<String>,
    reader: csv::Reader<std::io::BufReader<std::fs::File>>,
    buf: ByteRecord,
}

impl CsvSource {
    /// Opens `path` and reads its header.
    pub fn open(path: &Path) -> Result<Self, IngestError> {
        let name = file_name(path);
        let io_err = |source| IngestError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io_err)?;
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .from_reader(std::io::BufReader::with_capacity(1 << 20, file));
        let raw = reader.byte_headers().map_err(|e| IngestError::Format {
            file: name.clone(),
            message: e.to_string(),
        })?;
        let mut headers = Vec::with_capacity(raw.len());
        for (i, h) in raw.iter().enumerate() {
            let h = std::str::from_utf8(h).map_err(|_| IngestError::Format {
                file: name.clone(),
                message: format!("header column {} is not valid UTF-8", i + 1),
            })?;
            // A UTF-8 byte-order mark (Excel) is not part of the first name.
            let h = h.strip_prefix('\u{feff}').unwrap_or(h);
            headers.push(h.trim().to_string());
        }
        Ok(Self {
            name,
            headers,
            reader,
            buf: ByteRecord::new(),
        })
    }
}

/// The last path component, for messages.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Re-encodes fields as one CSV line, for `rejects.csv`.
pub fn encode_fields<'a>(fields: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let rec: ByteRecord = fields.into_iter().collect();
    // Writing to a Vec cannot fail.
    let _ = w.write_byte_record(&rec);
    let bytes = w.into_inner().unwrap_or_default();
    let s = String::from_utf8_lossy(&bytes);
    s.strip_suffix('\n').unwrap_or(&s).to_string()
}

impl RowSource for CsvSource {
    fn file_name(&self) -> &str {
        &self.name
    }

    fn headers(&self) -> &[String] {
        &self.headers
    }

    fn next_row(&mut self) -> Result<Option<SourceRow>, IngestError> {
        let more =
            self.reader
                .read_byte_record(&mut self.buf)
                .map_err(|e| IngestError::Format {
                    file: self.name.clone(),
                    message: e.to_string(),
                })?;
        if !more {
            return Ok(None);
        }
        let line = self.buf.position().map(|p| p.line()).unwrap_or(0);
        if self.buf.len() != self.headers.len() {
            return Ok(Some(SourceRow::Bad {
                line,
                column: "(row)".into(),
                problem: format!(
                    "has {} fields, the header has {}",
                    self.buf.len(),
                    self.headers.len()
                ),
                raw: encode_fields(self.buf.iter()),
            }));
        }
        match StringRecord::from_byte_record(self.buf.clone()) {
            Ok(record) => Ok(Some(SourceRow::Record { line, record })),
            Err(e) => {
                let field = e.utf8_error().field();
                Ok(Some(SourceRow::Bad {
                    line,
                    column: self.headers.get(field).cloned().unwrap_or_default(),
                    problem: "is not valid UTF-8".into(),
                    raw: encode_fields(self.buf.iter()),
                }))
            }
        }
    }
}
