//! Row sources: the one place that knows how rows are physically stored.
//! CSV is handled here; other formats (Parquet) implement `RowSource` in
//! crates that can afford their dependencies, and reuse every validation rule.

use super::IngestError;
use csv::{ByteRecord, StringRecord};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Read;
use std::path::Path;
use std::rc::Rc;

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
    /// An estimate of the rows in the whole source, once some have been
    /// read (to reserve memory up front); `None` when unknown.
    fn rows_hint(&self) -> Option<usize> {
        None
    }
}

/// RFC 4180 CSV through the `csv` crate.
pub struct CsvSource {
    name: String,
    headers: Vec<String>,
    reader: csv::Reader<LineIndexed<std::fs::File>>,
    buf: ByteRecord,
    lines: Rc<RefCell<LineTable>>,
    /// Size of the file in bytes, for `rows_hint`.
    len: u64,
}

/// Where the lines of the bytes read so far start and whether they hold
/// anything but line breaks. The csv crate reports a record's position as
/// where the previous record ended, which lags behind the record's first
/// line after blank lines or CRLF breaks; this finds the line where the
/// record's first byte really is.
#[derive(Default)]
struct LineTable {
    /// Number of the first line in `done`.
    first_no: u64,
    /// Completed lines: (offset of their `\n`, offset of their last byte
    /// that is not a line break).
    done: VecDeque<(u64, Option<u64>)>,
    /// The line being read: offset of its last non-break byte.
    open_content: Option<u64>,
    /// Bytes seen so far.
    seen: u64,
}

impl LineTable {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            match b {
                b'\n' => self.done.push_back((self.seen, self.open_content.take())),
                b'\r' => {}
                _ => self.open_content = Some(self.seen),
            }
            self.seen += 1;
        }
    }

    /// The 1-based line of the first content byte at or after `pos`.
    fn line_at(&mut self, pos: u64) -> u64 {
        // Lines that end before `pos` are never asked about again.
        while self.done.front().is_some_and(|(nl, _)| *nl < pos) {
            self.done.pop_front();
            self.first_no += 1;
        }
        for (i, (_, content)) in self.done.iter().enumerate() {
            if content.is_some_and(|c| c >= pos) {
                return self.first_no + i as u64;
            }
        }
        self.first_no + self.done.len() as u64
    }
}

/// A reader that feeds every byte it passes through to a `LineTable`.
struct LineIndexed<R> {
    inner: R,
    lines: Rc<RefCell<LineTable>>,
}

impl<R: Read> Read for LineIndexed<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.lines.borrow_mut().feed(&buf[..n]);
        Ok(n)
    }
}

/// Opens a dataset file, refusing anything but a regular file *before*
/// opening it: opening a FIFO blocks until a writer appears, and a device
/// such as /dev/zero never ends.
pub fn open_regular(path: &Path) -> Result<std::fs::File, IngestError> {
    use std::os::unix::fs::FileTypeExt;
    let io_err = |source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    };
    let t = std::fs::metadata(path).map_err(io_err)?.file_type();
    let kind = if t.is_file() {
        return std::fs::File::open(path).map_err(io_err);
    } else if t.is_dir() {
        "directory"
    } else if t.is_fifo() {
        "FIFO (named pipe)"
    } else if t.is_char_device() || t.is_block_device() {
        "device"
    } else if t.is_socket() {
        "socket"
    } else {
        "special file"
    };
    Err(IngestError::NotAFile {
        path: path.to_path_buf(),
        kind,
    })
}

impl CsvSource {
    /// Opens `path` and reads its header.
    pub fn open(path: &Path) -> Result<Self, IngestError> {
        let name = file_name(path);
        let file = open_regular(path)?;
        let len = file.metadata().map_or(0, |m| m.len());
        let lines = Rc::new(RefCell::new(LineTable {
            first_no: 1,
            ..LineTable::default()
        }));
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .buffer_capacity(1 << 20)
            .from_reader(LineIndexed {
                inner: file,
                lines: lines.clone(),
            });
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
            lines,
            len,
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

    fn rows_hint(&self) -> Option<usize> {
        // The file's size over the mean size of the rows read so far.
        let pos = self.reader.position();
        let (bytes, rows) = (pos.byte(), pos.record());
        (bytes > 0 && rows > 1).then(|| (self.len as f64 * rows as f64 / bytes as f64) as usize)
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
        let start = self.buf.position().map_or(0, |p| p.byte());
        let line = self.lines.borrow_mut().line_at(start);
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
