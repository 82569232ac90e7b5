//! Row sources: the one place that knows how rows are physically stored.
//! CSV is handled here; other formats (Parquet) implement `RowSource` in
//! crates that can afford their dependencies, and reuse every validation rule.

use super::limits::{Bytes, ECHO_FIELD_BYTES, Limits};
use super::scan::{LineIndexed, Note, NoteKind, Scanner};
use super::sniff::{FileProblem, HeaderProblem, NoHeader, sniff};
use super::{IngestError, RejectKind};
use csv::{ByteRecord, StringRecord};
use std::cell::RefCell;
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
        kind: RejectKind,
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
    /// Applies the caps of an ingest to the rows after the header (sources
    /// whose reader needs no caps ignore them).
    fn set_limits(&mut self, _limits: &Limits) {}
}

/// RFC 4180 CSV through the `csv` crate, behind the [`Scanner`].
pub struct CsvSource {
    name: String,
    headers: Vec<String>,
    reader: csv::Reader<LineIndexed<std::fs::File>>,
    buf: ByteRecord,
    scan: Rc<RefCell<Scanner>>,
    /// Size of the file in bytes, for `rows_hint`.
    len: u64,
    /// Bytes `buf` has grown to (fields × 8 + bytes), at least roughly.
    widest: usize,
}

/// The size of a record's buffers: its bytes and 8 per field (the csv
/// crate's bounds).
fn footprint(r: &ByteRecord) -> usize {
    r.as_slice().len() + 8 * r.len()
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
    /// Opens `path` and reads its header; the data rows are read under
    /// the default [`Limits`] until `set_limits` changes them.
    pub fn open(path: &Path) -> Result<Self, IngestError> {
        let name = file_name(path);
        let mut file = open_regular(path)?;
        let len = file.metadata().map_or(0, |m| m.len());
        sniff(&mut file, path, len)?;
        let scan = Rc::new(RefCell::new(Scanner::new()));
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .buffer_capacity(1 << 20)
            .from_reader(LineIndexed {
                inner: file,
                scan: scan.clone(),
            });
        let raw = reader
            .byte_headers()
            .map_err(|e| IngestError::Format {
                file: name.clone(),
                message: e.to_string(),
            })?
            .clone();
        let (line, notes) = {
            let mut sc = scan.borrow_mut();
            (sc.line_at(0), sc.take_notes(reader.position().byte()))
        };
        let header_err = |problem| FileProblem::Header {
            file: name.clone(),
            line,
            problem,
        };
        if let Some(problem) = notes.iter().find_map(header_problem) {
            return Err(header_err(problem).into());
        }
        if raw.is_empty() {
            // The parser skips blank lines; a file of nothing else has no
            // header record at all.
            let why = NoHeader::BlankLines;
            return Err(FileProblem::NoHeader { file: name, why }.into());
        }
        let mut headers = Vec::with_capacity(raw.len());
        for (i, h) in raw.iter().enumerate() {
            if h.contains(&0) {
                return Err(header_err(HeaderProblem::Nul { column: i + 1 }).into());
            }
            let h = std::str::from_utf8(h).map_err(|_| IngestError::Format {
                file: name.clone(),
                message: format!("header column {} is not valid UTF-8", i + 1),
            })?;
            headers.push(h.trim().to_string());
        }
        Ok(Self {
            name,
            headers,
            reader,
            buf: ByteRecord::new(),
            scan,
            len,
            widest: 0,
        })
    }

    /// The rejection of a record the scanner noted a problem in, if any,
    /// most fundamental first: the file ends inside a quote, the record is
    /// over its cap, a field is over its cap, the field count is wrong (with
    /// the quoted field that probably swallowed lines, if one spans lines).
    fn problem(&self, notes: &[Note]) -> Option<(String, RejectKind, String)> {
        let column = |field: usize| {
            self.headers
                .get(field)
                .cloned()
                .unwrap_or_else(|| "(row)".into())
        };
        let rank = |k: &NoteKind| match k {
            NoteKind::Unclosed { .. } => 0,
            NoteKind::RecordOver { .. } => 1,
            NoteKind::FieldOver { .. } => 2,
            NoteKind::Spanning { .. } => 3,
        };
        let worst = notes.iter().min_by_key(|n| rank(&n.kind));
        let fields = self.buf.len();
        let count = format!("has {fields} fields, the header has {}", self.headers.len());
        match worst.map(|n| (n, n.kind)) {
            Some((n, NoteKind::Unclosed { eof_line })) => {
                let at = if eof_line > n.line {
                    format!(", on line {eof_line}")
                } else {
                    String::new()
                };
                Some((
                    column(n.field),
                    RejectKind::UnclosedQuote,
                    format!(
                        "quoted field starting on line {} is never closed (the file ends inside it{at})",
                        n.line
                    ),
                ))
            }
            Some((_, NoteKind::RecordOver { bytes, limit })) => Some((
                "(row)".into(),
                RejectKind::RecordTooLong,
                format!(
                    "record is {bytes} bytes, over the {} limit (--max-record-bytes)",
                    Bytes(limit)
                ),
            )),
            Some((n, NoteKind::FieldOver { bytes, limit })) => Some((
                column(n.field),
                RejectKind::FieldTooLong,
                format!(
                    "field is {bytes} bytes, over the {} limit (--max-field-bytes)",
                    Bytes(limit)
                ),
            )),
            Some((n, NoteKind::Spanning { close_line })) if fields != self.headers.len() => {
                let spans = close_line - n.line + 1;
                Some((
                    column(n.field),
                    RejectKind::WrongFieldCount,
                    format!(
                        "{count}: its quoted field starting on line {} runs to line {close_line} ({spans} lines); an unclosed quote on line {} probably swallowed the {} line(s) after it",
                        n.line,
                        n.line,
                        spans - 1
                    ),
                ))
            }
            _ if fields != self.headers.len() => {
                Some(("(row)".into(), RejectKind::WrongFieldCount, count))
            }
            _ => None,
        }
    }
}

/// A header note that refuses the file.
fn header_problem(n: &Note) -> Option<HeaderProblem> {
    match n.kind {
        NoteKind::Unclosed { eof_line } => Some(HeaderProblem::Unclosed {
            column: n.field + 1,
            eof_line,
        }),
        NoteKind::FieldOver { bytes, limit } | NoteKind::RecordOver { bytes, limit } => {
            Some(HeaderProblem::TooLong { bytes, limit })
        }
        NoteKind::Spanning { .. } => None,
    }
}

/// The last path component, for messages.
pub fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// Re-encodes fields as one CSV line, for `rejects.csv`. A field over
/// `ECHO_FIELD_BYTES` is cut there (at a character boundary) and followed
/// by `…[N bytes]`.
pub fn encode_fields<'a>(fields: impl IntoIterator<Item = &'a [u8]>) -> String {
    encode_noted(fields, &[])
}

/// `encode_fields`, with the true sizes of the fields the scanner cut.
fn encode_noted<'a>(fields: impl IntoIterator<Item = &'a [u8]>, notes: &[Note]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let mut rec = ByteRecord::new();
    for (i, f) in fields.into_iter().enumerate() {
        let size = notes.iter().find_map(|n| match n.kind {
            NoteKind::FieldOver { bytes, .. } if n.field == i => Some(bytes),
            _ => None,
        });
        let size = size.unwrap_or(f.len() as u64);
        if size as usize <= ECHO_FIELD_BYTES && f.len() <= ECHO_FIELD_BYTES {
            rec.push_field(f);
            continue;
        }
        let mut cut = ECHO_FIELD_BYTES.min(f.len());
        // Back up over UTF-8 continuation bytes to a character's start.
        while cut > 0 && cut < f.len() && f[cut] & 0xC0 == 0x80 {
            cut -= 1;
        }
        let mut v = f[..cut].to_vec();
        v.extend_from_slice(format!("…[{size} bytes]").as_bytes());
        rec.push_field(&v);
    }
    if let Some(bytes) = notes.iter().find_map(|n| match n.kind {
        NoteKind::RecordOver { bytes, .. } => Some(bytes),
        _ => None,
    }) {
        // The parser saw only the record's first bytes: say where it stops.
        rec.push_field(format!("…[record of {bytes} bytes]").as_bytes());
    }
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

    fn set_limits(&mut self, limits: &Limits) {
        self.scan.borrow_mut().set_limits(limits);
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
        // Every row read, rejected ones included, may have grown `buf`.
        self.widest = self.widest.max(footprint(&self.buf));
        let start = self.buf.position().map_or(0, csv::Position::byte);
        let (line, notes) = {
            let mut sc = self.scan.borrow_mut();
            (
                sc.line_at(start),
                sc.take_notes(self.reader.position().byte()),
            )
        };
        if (!notes.is_empty() || self.buf.len() != self.headers.len())
            && let Some((column, kind, problem)) = self.problem(&notes)
        {
            return Ok(Some(SourceRow::Bad {
                line,
                column,
                kind,
                problem,
                raw: encode_noted(self.buf.iter(), &notes),
            }));
        }
        // A ByteRecord keeps its buffers at their high-water size and a
        // clone copies all of it: after one row of a million fields every
        // later row copied 8 MB (found by the fuzz harness: 2,000 rows
        // after it took 65 s). So once the buffer is far larger than the
        // rows it now holds, the record is moved out and the next buffer
        // starts at this row's size; otherwise a clone (cheaper than a
        // fresh buffer per row: 10% of ingest time).
        let size = footprint(&self.buf);
        let record = if self.widest > 4 * size + (64 << 10) {
            self.widest = size;
            let next = ByteRecord::with_capacity(self.buf.as_slice().len(), self.buf.len());
            std::mem::replace(&mut self.buf, next)
        } else {
            self.buf.clone()
        };
        match StringRecord::from_byte_record(record) {
            Ok(record) => Ok(Some(SourceRow::Record { line, record })),
            Err(e) => {
                let field = e.utf8_error().field();
                let record = e.into_byte_record();
                Ok(Some(SourceRow::Bad {
                    line,
                    column: self.headers.get(field).cloned().unwrap_or_default(),
                    kind: RejectKind::InvalidUtf8,
                    problem: "is not valid UTF-8".into(),
                    raw: encode_fields(record.iter()),
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fuzz harness's `wide-row-then-rows`: after one row of 1M
    /// fields, the rows that follow must not each copy the wide row's
    /// buffers (that was O(rows × widest row): 65 s for 2,000 rows).
    #[test]
    fn rows_after_a_wide_row_do_not_pay_for_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shipments.csv");
        let mut text = String::from("shipment_id,lot_id,quantity\nSH1");
        text.push_str(&",".repeat(1_000_000));
        text.push('\n');
        for i in 0..100 {
            text.push_str(&format!("SH{i},F1,1\n"));
        }
        std::fs::write(&path, text).unwrap();
        let mut src = CsvSource::open(&path).unwrap();
        let mut good = 0;
        while let Some(row) = src.next_row().unwrap() {
            if let SourceRow::Record { record, .. } = row {
                assert_eq!(record.len(), 3);
                good += 1;
            }
        }
        assert_eq!(good, 100);
        // The buffer was reset to a row's size after the wide row.
        assert!(src.widest < 64 << 10, "buffer still {} bytes", src.widest);
    }
}
