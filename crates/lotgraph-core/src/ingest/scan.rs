//! The byte scanner between a CSV file and the csv crate. It sees every
//! byte once, on its way to the parser, and keeps what the parser does not
//! say: where each physical line starts, where a quoted field opened (the
//! csv crate accepts a file that ends inside quotes as if they were closed),
//! which quoted fields span lines, and the true size of fields and records
//! over the caps of [`Limits`]. Bytes of a field past its cap are counted and
//! dropped here, never buffered by the parser, so one field without end
//! cannot exhaust memory.
//!
//! It mirrors csv-core's state machine for the settings `CsvSource` uses
//! (comma, `"` quoting with doubled quotes, CR, LF or CRLF terminators, no
//! comments): a quote opens quoting only at the start of a field, and a
//! closing quote followed by other bytes continues the field unquoted.
//! Ordinary bytes are skipped by a table lookup; only `,` `"` CR LF and
//! crossings of a cap take the slow path, so the hot path costs about what
//! the line table alone did.
//!
//! Offsets in [`Note`]s and the line table are *forwarded* offsets, the
//! positions the csv crate reports, which differ from file offsets once
//! bytes were dropped.

use super::limits::{HEADER_MAX_BYTES, Limits};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{Read, Seek, SeekFrom};
use std::rc::Rc;

const ORD: u8 = 0;
const COMMA: u8 = 1;
const QUOTE: u8 = 2;
const LF: u8 = 3;
const CR: u8 = 4;

/// The class of every byte: ordinary, or one of the four the syntax uses.
static CLASS: [u8; 256] = {
    let mut t = [ORD; 256];
    t[b',' as usize] = COMMA;
    t[b'"' as usize] = QUOTE;
    t[b'\n' as usize] = LF;
    t[b'\r' as usize] = CR;
    t
};

/// Where the lexer is, as csv-core would be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lex {
    /// Between records: line breaks here are blank lines, skipped.
    RecordStart,
    /// After a comma, or at a record's first byte.
    FieldStart,
    Unquoted,
    Quoted,
    /// Just after a `"` inside a quoted field: an escaped quote if another
    /// follows, else the field's closing quote.
    QuoteInQuoted,
}

/// What is being dropped (not forwarded to the parser).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dropping {
    No,
    /// The rest of the current field's content (it crossed the field cap).
    Field,
    /// The rest of the record but its line break (it crossed the record
    /// cap): the parser sees a shorter record, the note says why.
    Record,
}

/// Something the scanner noticed about one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteKind {
    /// A quoted field that contains line breaks, closed on `close_line`.
    Spanning { close_line: u64 },
    /// The file ends inside this quoted field, on `eof_line`.
    Unclosed { eof_line: u64 },
    /// A field over the field cap, `bytes` long in all.
    FieldOver { bytes: u64, limit: u64 },
    /// A record over the record cap, `bytes` long in all.
    RecordOver { bytes: u64, limit: u64 },
}

/// A note about the field `field` (0-based) of the record that holds
/// forwarded offset `at`; `line` is where that field (for `RecordOver`,
/// the record) starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Note {
    pub at: u64,
    pub field: usize,
    pub line: u64,
    pub kind: NoteKind,
}

/// Where the lines of the bytes forwarded so far start and whether they
/// hold anything but line breaks. The csv crate reports a record's position
/// as where the previous record ended, which lags behind the record's first
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
}

impl LineTable {
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

/// What to forward for one byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Emit {
    Keep,
    Drop,
    /// The held closing quote, then this byte.
    QuoteThen,
    /// The held closing quote; this byte is dropped.
    QuoteOnly,
}

/// The scanner's state; shared (`Rc<RefCell>`) between the reader that
/// feeds it and the `CsvSource` that asks it about records.
pub struct Scanner {
    field_cap: u64,
    record_cap: u64,
    /// Until the header record ends: its caps are `HEADER_MAX_BYTES`, and
    /// reading stops at its end so that the data is scanned under the caps
    /// set after the header was read.
    header: bool,
    st: Lex,
    drop: Dropping,
    /// Whether the parser saw the current quoted field's opening quote (a
    /// field that starts inside a dropped record is dropped whole).
    open_fwd: bool,
    /// A `"` held back while dropping: forwarded only if it closes the field.
    pub(crate) pending_quote: bool,
    quoted: bool,
    field: usize,
    /// File offsets of the current field's and record's first bytes.
    field_start: u64,
    record_start: u64,
    field_line: u64,
    record_line: u64,
    field_at: u64,
    record_at: u64,
    /// The current field's or record's over-the-cap note, while it grows.
    field_over: Option<u64>,
    record_over: Option<u64>,
    /// Bytes seen (file offset of the next byte) and forwarded.
    raw: u64,
    fwd: u64,
    /// Number of the line being read.
    line: u64,
    lines: LineTable,
    notes: VecDeque<Note>,
    eof: bool,
    /// The last record ended with the last byte scanned.
    record_ended: bool,
    /// Data caps set while the header is still being read.
    pending_caps: Option<(u64, u64)>,
}

impl Default for Scanner {
    fn default() -> Self {
        Self::new()
    }
}

impl Scanner {
    /// A scanner at the start of a file, in its header.
    pub fn new() -> Self {
        Scanner {
            field_cap: HEADER_MAX_BYTES,
            record_cap: HEADER_MAX_BYTES,
            header: true,
            st: Lex::RecordStart,
            drop: Dropping::No,
            open_fwd: false,
            pending_quote: false,
            quoted: false,
            field: 0,
            field_start: 0,
            record_start: 0,
            field_line: 1,
            record_line: 1,
            field_at: 0,
            record_at: 0,
            field_over: None,
            record_over: None,
            raw: 0,
            fwd: 0,
            line: 1,
            lines: LineTable {
                first_no: 1,
                ..LineTable::default()
            },
            notes: VecDeque::new(),
            eof: false,
            record_ended: false,
            pending_caps: None,
        }
    }

    /// The caps of the data records, from the end of the header on.
    pub fn set_limits(&mut self, limits: &Limits) {
        let (f, r) = (
            limits.max_field_bytes.max(1),
            limits.max_record_bytes.max(1),
        );
        if self.header {
            // The header's own caps stay until it ends; see `end_record`.
            self.pending_caps = Some((f, r));
        } else {
            self.field_cap = f;
            self.record_cap = r;
        }
    }

    /// The 1-based line of the first content byte at or after forwarded
    /// offset `pos`.
    pub fn line_at(&mut self, pos: u64) -> u64 {
        self.lines.line_at(pos)
    }

    /// The notes of the record that ends at forwarded offset `end` (and of
    /// nothing before it): every note before `end`, or every note left when
    /// the file has ended there.
    pub fn take_notes(&mut self, end: u64) -> Vec<Note> {
        let end = if self.eof && end >= self.fwd {
            u64::MAX
        } else {
            end
        };
        let mut out = Vec::new();
        while let Some(n) = self.notes.front() {
            if n.at >= end && end != u64::MAX {
                break;
            }
            out.extend(self.notes.pop_front());
        }
        out
    }

    /// Scans `buf[start..n]`, just read from the file, and moves the bytes
    /// to forward to `buf[..w]`. Returns `w` and how many of the `n - start`
    /// bytes were consumed (fewer only when the header ends early in them:
    /// the rest must be read again). `buf[..start]` is free room for a held
    /// quote (see `LineIndexed::read`).
    fn feed(&mut self, buf: &mut [u8], start: usize, n: usize) -> (usize, usize) {
        let mut w = 0;
        let mut i = start;
        while i < n {
            if self.drop == Dropping::No {
                // Hot path. A field's (or record's) first ordinary byte
                // makes it unquoted.
                if CLASS[buf[i] as usize] == ORD {
                    match self.st {
                        Lex::FieldStart => self.st = Lex::Unquoted,
                        Lex::RecordStart if !self.header => {
                            self.begin_record();
                            self.st = Lex::Unquoted;
                        }
                        _ => {}
                    }
                }
                if matches!(self.st, Lex::Unquoted | Lex::Quoted) {
                    // Ordinary bytes up to the next cap.
                    let room = self.cap_at().saturating_sub(self.raw).min((n - i) as u64) as usize;
                    let j = i;
                    while i < j + room && CLASS[buf[i] as usize] == ORD {
                        i += 1;
                    }
                    if i > j {
                        if w != j {
                            buf.copy_within(j..i, w);
                        }
                        w += i - j;
                        self.raw += (i - j) as u64;
                        self.fwd += (i - j) as u64;
                        self.lines.open_content = Some(self.fwd - 1);
                    }
                    if i == n {
                        break;
                    }
                }
                // A comma or line break after an unquoted (or empty) field,
                // with no note to take: what `step` would do, inline.
                let b = buf[i];
                let plain = matches!(self.st, Lex::Unquoted | Lex::FieldStart) && !self.quoted;
                if plain && (b == b',' || (!self.header && (b == b'\n' || b == b'\r'))) {
                    buf[w] = b;
                    w += 1;
                    i += 1;
                    self.plain_break(b);
                    continue;
                }
            } else if matches!(self.st, Lex::Unquoted | Lex::Quoted) {
                // Dropping: ordinary bytes are counted, not copied.
                let j = i;
                while i < n && CLASS[buf[i] as usize] == ORD {
                    i += 1;
                }
                if i > j {
                    self.raw += (i - j) as u64;
                    self.lines.open_content = Some(self.fwd);
                }
                if i == n {
                    break;
                }
            }
            let b = buf[i];
            let emit = self.step(b);
            self.raw += 1;
            let kept = match emit {
                Emit::Keep => {
                    buf[w] = b;
                    w += 1;
                    true
                }
                Emit::Drop => false,
                Emit::QuoteThen => {
                    buf[w] = b'"';
                    buf[w + 1] = b;
                    w += 2;
                    self.fwd += 1;
                    true
                }
                Emit::QuoteOnly => {
                    buf[w] = b'"';
                    w += 1;
                    self.fwd += 1;
                    false
                }
            };
            if kept {
                self.fwd += 1;
            }
            let at = if kept { self.fwd - 1 } else { self.fwd };
            match CLASS[b as usize] {
                LF => {
                    let content = self.lines.open_content.take();
                    self.lines.done.push_back((at, content));
                    self.line += 1;
                }
                CR => {}
                _ => self.lines.open_content = Some(at),
            }
            i += 1;
            if self.header && self.st == Lex::RecordStart && self.record_ended {
                // Take the LF of a CRLF header along, so the parser has the
                // whole header without asking for more bytes.
                if b == b'\r' && i < n && buf[i] == b'\n' {
                    continue;
                }
                self.end_header();
                return (w, i - start);
            }
        }
        (w, n - start)
    }

    /// Forwards a comma or line break outside quotes that has no note to
    /// take: what `step` and the line bookkeeping of `feed` would do.
    #[inline]
    fn plain_break(&mut self, b: u8) {
        self.raw += 1;
        self.fwd += 1;
        if b == b',' {
            self.lines.open_content = Some(self.fwd - 1);
            self.field += 1;
            self.st = Lex::FieldStart;
            self.begin_field(self.raw, self.fwd);
        } else {
            if b == b'\n' {
                let content = self.lines.open_content.take();
                self.lines.done.push_back((self.fwd - 1, content));
                self.line += 1;
            }
            self.st = Lex::RecordStart;
            self.record_ended = true;
        }
    }

    /// File offset at which the next byte of the current field or record
    /// crosses a cap.
    fn cap_at(&self) -> u64 {
        (self.field_start + self.field_cap).min(self.record_start + self.record_cap)
    }

    /// Moves the lexer over one byte and says what to forward.
    fn step(&mut self, b: u8) -> Emit {
        let c = CLASS[b as usize];
        if self.st == Lex::RecordStart {
            if c == LF || c == CR {
                return Emit::Keep; // a blank line, or the LF of a CRLF
            }
            self.begin_record();
            self.st = Lex::FieldStart;
        }
        let ends = c == LF || c == CR || (c == COMMA && self.st != Lex::Quoted);
        // The second quote of a pair is forwarded whatever the caps: the
        // parser saw the first, and would take the next quote it sees for
        // the second. The next byte crosses the cap instead.
        let pair = self.st == Lex::QuoteInQuoted && c == QUOTE;
        if !ends
            && !pair
            && self.drop != Dropping::Record
            && self.raw >= self.record_start + self.record_cap
        {
            self.start_drop(Dropping::Record);
        }
        match self.st {
            // `RecordStart` became `FieldStart` above.
            Lex::RecordStart | Lex::FieldStart => match c {
                LF | CR | COMMA => self.end_field(b),
                QUOTE => {
                    self.st = Lex::Quoted;
                    self.quoted = true;
                    self.open_fwd = self.drop == Dropping::No;
                    self.kept_unless_dropping()
                }
                _ => {
                    self.st = Lex::Unquoted;
                    self.in_field()
                }
            },
            Lex::Unquoted => {
                if ends {
                    self.end_field(b)
                } else {
                    self.in_field()
                }
            }
            Lex::Quoted => {
                if c == QUOTE {
                    self.st = Lex::QuoteInQuoted;
                    if self.drop == Dropping::No {
                        return Emit::Keep;
                    }
                    // Held: forwarded only if it turns out to close the field.
                    self.pending_quote = self.open_fwd;
                    return Emit::Drop;
                }
                self.in_field()
            }
            Lex::QuoteInQuoted => {
                if c == QUOTE {
                    self.st = Lex::Quoted;
                    if self.drop == Dropping::No {
                        return Emit::Keep; // see `pair` above
                    }
                    self.pending_quote = false; // an escaped quote: dropped
                    return Emit::Drop;
                }
                let held = std::mem::take(&mut self.pending_quote);
                let emit = if ends {
                    self.end_field(b)
                } else {
                    // The field goes on unquoted after its closing quote.
                    self.st = Lex::Unquoted;
                    self.in_field()
                };
                match (held, emit) {
                    (false, e) => e,
                    (true, Emit::Keep) => Emit::QuoteThen,
                    (true, _) => Emit::QuoteOnly,
                }
            }
        }
    }

    /// A byte of the current field's content.
    fn in_field(&mut self) -> Emit {
        if self.drop == Dropping::No && self.raw >= self.field_start + self.field_cap {
            self.start_drop(Dropping::Field);
        }
        self.kept_unless_dropping()
    }

    fn kept_unless_dropping(&self) -> Emit {
        if self.drop == Dropping::No {
            Emit::Keep
        } else {
            Emit::Drop
        }
    }

    fn start_drop(&mut self, what: Dropping) {
        if what == Dropping::Record {
            self.record_over = Some(self.record_cap);
        } else if self.field_over.is_none() {
            self.field_over = Some(self.field_cap);
        }
        if self.drop == Dropping::No {
            // The parser saw this field's opening quote, if any.
            self.open_fwd = self.quoted;
        }
        self.drop = what;
    }

    /// A record starts with the next byte.
    fn begin_record(&mut self) {
        self.record_ended = false;
        self.record_start = self.raw;
        self.record_line = self.line;
        self.record_at = self.fwd;
        self.field = 0;
        self.begin_field(self.raw, self.fwd);
    }

    /// A field starts at file offset `raw`, forwarded offset `at`.
    fn begin_field(&mut self, raw: u64, at: u64) {
        self.field_start = raw;
        self.field_line = self.line;
        self.field_at = at;
        self.quoted = false;
    }

    /// The byte `b` (a comma or line break outside quotes) ends the field.
    fn end_field(&mut self, b: u8) -> Emit {
        self.close_field();
        let emit = if self.drop == Dropping::Record && b == b',' {
            Emit::Drop
        } else {
            Emit::Keep
        };
        if b == b',' {
            self.field += 1;
            self.st = Lex::FieldStart;
            // The next field starts after the comma.
            let at = self.fwd + u64::from(emit == Emit::Keep);
            self.begin_field(self.raw + 1, at);
        } else {
            self.end_record();
        }
        emit
    }

    /// Notes what the field that ends at `self.raw` was.
    fn close_field(&mut self) {
        if let Some(limit) = self.field_over.take() {
            self.notes.push_back(Note {
                at: self.field_at,
                field: self.field,
                line: self.field_line,
                kind: NoteKind::FieldOver {
                    bytes: self.raw - self.field_start,
                    limit,
                },
            });
        }
        if self.quoted && self.line > self.field_line && self.st != Lex::Quoted {
            self.notes.push_back(Note {
                at: self.field_at,
                field: self.field,
                line: self.field_line,
                kind: NoteKind::Spanning {
                    close_line: self.line,
                },
            });
        }
        if self.drop == Dropping::Field {
            self.drop = Dropping::No;
        }
    }

    fn end_record(&mut self) {
        if let Some(limit) = self.record_over.take() {
            self.notes.push_back(Note {
                at: self.record_at,
                field: 0,
                line: self.record_line,
                kind: NoteKind::RecordOver {
                    bytes: self.raw - self.record_start,
                    limit,
                },
            });
        }
        self.drop = Dropping::No;
        self.st = Lex::RecordStart;
        self.record_ended = true;
    }

    fn end_header(&mut self) {
        self.header = false;
        let (f, r) = self.pending_caps.take().unwrap_or((
            Limits::default().max_field_bytes,
            Limits::default().max_record_bytes,
        ));
        self.field_cap = f;
        self.record_cap = r;
    }

    /// The file has ended. Returns whether a held closing quote must still
    /// be forwarded.
    fn finish(&mut self) -> bool {
        if self.eof {
            return false;
        }
        self.eof = true;
        let held = std::mem::take(&mut self.pending_quote);
        if held {
            self.fwd += 1;
        }
        if self.st != Lex::RecordStart {
            if self.st == Lex::Quoted {
                // A final line break ends the last line; no line follows it.
                let empty_last = self.lines.open_content.is_none() && self.line > 1;
                let eof_line = self.line - u64::from(empty_last);
                self.notes.push_back(Note {
                    at: self.field_at,
                    field: self.field,
                    line: self.field_line,
                    kind: NoteKind::Unclosed { eof_line },
                });
            }
            self.close_field();
            self.end_record();
        }
        if self.header {
            self.end_header();
        }
        held
    }
}

/// A reader that passes every byte through the [`Scanner`], which may drop
/// some of them (see the module doc).
pub struct LineIndexed<R> {
    pub inner: R,
    pub scan: Rc<RefCell<Scanner>>,
}

impl<R: Read + Seek> Read for LineIndexed<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let mut sc = self.scan.borrow_mut();
        loop {
            // Room in front for a held quote that must be forwarded with
            // the first byte of this read.
            let start = usize::from(sc.pending_quote);
            if buf.len() <= start {
                return Err(std::io::Error::other("CSV read buffer of 1 byte"));
            }
            let got = self.inner.read(&mut buf[start..])?;
            if got == 0 {
                if sc.finish() {
                    buf[0] = b'"';
                    return Ok(1);
                }
                return Ok(0);
            }
            let (w, used) = sc.feed(buf, start, start + got);
            if used < got {
                // The header ended inside this read: the data after it is
                // read again, under the data caps.
                self.inner.seek(SeekFrom::Current(-((got - used) as i64)))?;
            }
            if w > 0 {
                return Ok(w);
            }
            // Every byte was dropped: read on (0 would mean the end).
        }
    }
}

#[cfg(test)]
#[path = "scan_tests.rs"]
mod tests;
