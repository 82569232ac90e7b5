//! Reports: turning answers into text for people (tables, trees) and for
//! programs (JSON, CSV, DOT, Mermaid). A report's rows are `Tabular`: one
//! list of column names (from `columns`) and typed cells, which every
//! exporter renders, so a column cannot exist in one format and not another.

pub mod columns;
pub mod document;
pub mod html;
pub mod located;
pub mod trace;

use anyhow::Context;
use chrono::NaiveDate;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A typed cell: the type decides how each format renders it.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text; `None` is an empty cell / JSON null.
    Text(Option<String>),
    /// A count.
    Int(u64),
    /// A quantity or amount; `None` is empty / null.
    Num(Option<f64>),
    /// A fraction in [0, 1]: four decimals in tables, full precision elsewhere.
    Share(f64),
    /// A date.
    Date(Option<NaiveDate>),
    /// A yes/no answer (`true`/`false`).
    Bool(bool),
    /// A probability that may be tiny (a p-value): scientific notation in
    /// tables, full precision elsewhere.
    Prob(f64),
}

impl Cell {
    /// Text cell from anything string-like.
    pub fn text(s: impl AsRef<str>) -> Cell {
        Cell::Text(Some(s.as_ref().to_string()))
    }

    /// Optional text cell.
    pub fn opt(s: Option<impl Into<String>>) -> Cell {
        Cell::Text(s.map(Into::into))
    }

    /// The cell as a JSON value (null when empty): what its `Serialize`
    /// writes.
    pub fn json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Rendering for tables (rounded) and CSV (exact).
    pub(crate) fn render(&self, exact: bool) -> String {
        match self {
            Cell::Text(s) => s.clone().unwrap_or_default(),
            Cell::Int(v) => v.to_string(),
            // CSV keeps every digit (shortest round-trip form), as JSON does.
            Cell::Num(v) if exact => v
                .map(|v| {
                    if v.fract() == 0.0 && v.abs() < 9.0e15 {
                        fmt_num(v)
                    } else {
                        v.to_string()
                    }
                })
                .unwrap_or_default(),
            Cell::Num(v) => v.map(fmt_num).unwrap_or_default(),
            Cell::Share(v) if exact => v.to_string(),
            Cell::Share(v) => format!("{v:.4}"),
            Cell::Date(d) => d.map(|d| d.to_string()).unwrap_or_default(),
            Cell::Bool(b) => b.to_string(),
            Cell::Prob(v) if exact => v.to_string(),
            Cell::Prob(v) if *v != 0.0 && *v < 0.001 => format!("{v:.1e}"),
            Cell::Prob(v) => fmt_num(*v),
        }
    }

    pub(crate) fn is_numeric(&self) -> bool {
        matches!(
            self,
            Cell::Int(_) | Cell::Num(_) | Cell::Share(_) | Cell::Prob(_)
        )
    }
}

impl serde::Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Text(t) => t.serialize(s),
            Cell::Int(v) => s.serialize_u64(*v),
            Cell::Num(None) => s.serialize_none(),
            Cell::Num(Some(v)) | Cell::Share(v) | Cell::Prob(v) => serialize_number(*v, s),
            Cell::Date(d) => match d {
                Some(d) => s.collect_str(d),
                None => s.serialize_none(),
            },
            Cell::Bool(b) => s.serialize_bool(*b),
        }
    }
}

/// Writes `v` as [`json_number`] would make it: integral values without a
/// fraction, non-finite ones as null.
fn serialize_number<S: serde::Serializer>(v: f64, s: S) -> Result<S::Ok, S::Error> {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        s.serialize_i64(v as i64)
    } else if v.is_finite() {
        s.serialize_f64(v)
    } else {
        s.serialize_none()
    }
}

/// The rows of a table as JSON objects keyed by column name, serialised
/// straight from the cells (no JSON tree in between: a report of a
/// million rows streams to its writer).
pub struct TableJson<'a>(pub &'a Tabular);

impl serde::Serialize for TableJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let t = self.0;
        let mut seq = s.serialize_seq(Some(t.rows.len()))?;
        for row in &t.rows {
            seq.serialize_element(&RowJson(&t.columns, row))?;
        }
        seq.end()
    }
}

/// A JSON object of named tables (`{"summary": [...], "findings": [...]}`),
/// each streamed as a [`TableJson`].
pub struct TablesJson<'a>(pub &'a [(&'static str, &'a Tabular)]);

impl serde::Serialize for TablesJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (key, t) in self.0 {
            m.serialize_entry(key, &TableJson(t))?;
        }
        m.end()
    }
}

/// One row of a [`TableJson`].
struct RowJson<'a>(&'a [&'static str], &'a [Cell]);

impl serde::Serialize for RowJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (c, v) in self.0.iter().zip(self.1) {
            m.serialize_entry(c, v)?;
        }
        m.end()
    }
}

/// A JSON number; integral values print without a fraction.
pub fn json_number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
    }
}

/// A quantity for people: integral values without decimals, others with up
/// to three.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Rows with named columns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tabular {
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

impl Tabular {
    /// An empty table with these columns.
    pub fn new(columns: &[&'static str]) -> Tabular {
        Tabular {
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Appends a row (one cell per column).
    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    /// The rows as JSON objects keyed by column name.
    pub fn json_rows(&self) -> Value {
        serde_json::to_value(TableJson(self)).unwrap_or(Value::Null)
    }

    /// RFC 4180 CSV with a header row, values exact.
    pub fn write_csv(&self, w: &mut dyn Write) -> anyhow::Result<()> {
        let mut cw = csv::Writer::from_writer(w);
        cw.write_record(&self.columns)?;
        for r in &self.rows {
            cw.write_record(r.iter().map(|c| c.render(true)))?;
        }
        cw.flush()?;
        Ok(())
    }

    /// An aligned text table; numbers right-aligned.
    pub fn write_table(&self, w: &mut dyn Write) -> anyhow::Result<()> {
        // Every cell rendered once into one flat string (a per-lot report
        // at 1M lots would otherwise hold millions of small strings).
        let ncol = self.columns.len();
        let mut text = String::new();
        let mut ends: Vec<usize> = Vec::with_capacity(self.rows.len() * ncol);
        let mut width: Vec<usize> = self.columns.iter().map(|c| c.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                let start = text.len();
                text.push_str(&sanitize(&c.render(false)));
                width[i] = width[i].max(text[start..].chars().count());
                ends.push(text.len());
            }
        }
        let numeric: Vec<bool> = (0..ncol)
            .map(|i| self.rows.first().is_some_and(|r| r[i].is_numeric()))
            .collect();
        let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
        let mut line = String::new();
        let mut write_line = |w: &mut dyn Write, vals: &mut dyn Iterator<Item = &str>| {
            line.clear();
            for (i, v) in vals.enumerate() {
                let pad = width[i] - v.chars().count();
                let last = i + 1 == ncol;
                if numeric[i] {
                    line.extend(std::iter::repeat_n(' ', pad));
                    line.push_str(v);
                } else {
                    line.push_str(v);
                    if !last {
                        line.extend(std::iter::repeat_n(' ', pad));
                    }
                }
                if !last {
                    line.push_str("  ");
                }
            }
            writeln!(w, "{}", line.trim_end())
        };
        write_line(&mut w, &mut self.columns.iter().copied())?;
        let mut start = 0;
        for row_ends in ends.chunks(ncol.max(1)) {
            let mut cells = row_ends.iter().map(|&e| {
                let cell = &text[start..e];
                start = e;
                cell
            });
            write_line(&mut w, &mut cells)?;
        }
        w.flush()?;
        Ok(())
    }
}

/// Replaces control characters (newlines in ids) so one record stays on
/// one line of a text table; machine formats keep them.
pub fn sanitize(s: &str) -> String {
    // Bidi overrides and isolates (Unicode Cf) could visually reorder a row.
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if s.chars().any(unsafe_char) {
        s.chars()
            .map(|c| if unsafe_char(c) { '\u{fffd}' } else { c })
            .collect()
    } else {
        s.to_string()
    }
}

/// Opens an output destination: `-` is stdout. A regular file is written
/// under a temporary name beside it and renamed over `path` by
/// [`Output::finish`], so a failed write (a full disk) leaves the previous
/// report in place instead of a truncated one. Devices and pipes
/// (`/dev/null`, `/dev/stdout`, a FIFO) are written directly.
pub fn open_output(path: &Path) -> anyhow::Result<Output> {
    if path == Path::new("-") {
        return Ok(Output::Stdout(std::io::BufWriter::new(
            std::io::stdout().lock(),
        )));
    }
    // Replace the file a symlink points at, not the symlink.
    let target = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path)
            .with_context(|| format!("cannot create {}", path.display()))?,
        _ => path.to_path_buf(),
    };
    let is_special = std::fs::metadata(&target).is_ok_and(|m| !m.is_file());
    let create = |p: &Path| {
        std::fs::File::create(p).with_context(|| format!("cannot create {}", path.display()))
    };
    if is_special {
        let f = create(&target)?;
        return Ok(Output::Direct(
            std::io::BufWriter::new(f),
            path.to_path_buf(),
        ));
    }
    let name = target
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let tmp = target.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let f = create(&tmp)?;
    Ok(Output::File(AtomicFile {
        w: Some(std::io::BufWriter::new(f)),
        tmp,
        target,
        shown: path.to_path_buf(),
    }))
}

/// Where a command writes its result.
pub enum Output {
    Stdout(std::io::BufWriter<std::io::StdoutLock<'static>>),
    /// A device or pipe, written in place; the path is for messages.
    Direct(std::io::BufWriter<std::fs::File>, PathBuf),
    File(AtomicFile),
}

/// A regular file being written under a temporary name.
pub struct AtomicFile {
    w: Option<std::io::BufWriter<std::fs::File>>,
    tmp: PathBuf,
    target: PathBuf,
    /// The path as the user gave it, for messages.
    shown: PathBuf,
}

impl Output {
    /// Flushes and, for a file, puts it in place of `path`. Errors name
    /// the path; a dropped, unfinished output leaves `path` as it was.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.flush()?;
        if let Output::File(a) = &mut self {
            let w = a.w.take();
            let named = |e: std::io::Error| named_error(&a.shown, e);
            if let Some(w) = w {
                let f = w.into_inner().map_err(|e| named(e.into_error()))?;
                // Durable before it replaces the previous report.
                f.sync_all().map_err(named)?;
            }
            std::fs::rename(&a.tmp, &a.target).map_err(named)?;
        }
        Ok(())
    }

    fn path(&self) -> Option<&Path> {
        match self {
            Output::Stdout(_) => None,
            Output::Direct(_, p) => Some(p),
            Output::File(a) => Some(&a.shown),
        }
    }
}

/// `e` with `path` in its message, keeping its kind (a broken pipe stays
/// one).
fn named_error(path: &Path, e: std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = match self {
            Output::Stdout(w) => w.write(buf),
            Output::Direct(w, _) => w.write(buf),
            Output::File(a) => match &mut a.w {
                Some(w) => w.write(buf),
                None => Ok(0),
            },
        };
        r.map_err(|e| self.name(e))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let r = match self {
            Output::Stdout(w) => w.flush(),
            Output::Direct(w, _) => w.flush(),
            Output::File(a) => a.w.as_mut().map_or(Ok(()), |w| w.flush()),
        };
        r.map_err(|e| self.name(e))
    }
}

impl Output {
    fn name(&self, e: std::io::Error) -> std::io::Error {
        match self.path() {
            Some(p) => named_error(p, e),
            None => e,
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.w.take().is_some() || self.tmp.exists() {
            // Not finished (or the rename failed): the previous report stays.
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes pretty JSON followed by a newline.
pub fn write_json(w: &mut dyn Write, v: &impl serde::Serialize) -> anyhow::Result<()> {
    // serde_json writes many small pieces; a concrete buffer in front of
    // the `dyn Write` turns each into an inlined copy instead of a virtual
    // call (a per-lot report at 1M lots is ~180 MB of JSON).
    let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
    serde_json::to_writer_pretty(&mut w, v)?;
    writeln!(w)?;
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Tabular {
        let mut t = Tabular::new(&[columns::LOT_ID, columns::SHARE, columns::QUANTITY]);
        t.push(vec![
            Cell::text("A,\"1\""),
            Cell::Share(2.0 / 3.0),
            Cell::Num(Some(1.5)),
        ]);
        t.push(vec![Cell::text("B\nC"), Cell::Share(1.0), Cell::Num(None)]);
        t
    }

    #[test]
    fn every_format_has_the_same_columns() {
        let t = sample();
        let mut csv = Vec::new();
        t.write_csv(&mut csv).unwrap();
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.starts_with("lot_id,share,quantity\n"));
        // CSV quotes ids and keeps full precision.
        assert!(csv.contains("\"A,\"\"1\"\"\",0.6666666666666666,1.5"));
        let json = t.json_rows();
        assert_eq!(json[0]["share"], serde_json::json!(2.0 / 3.0));
        assert_eq!(json[1]["quantity"], Value::Null);
        assert_eq!(json[1]["lot_id"], "B\nC");
        let mut table = Vec::new();
        t.write_table(&mut table).unwrap();
        let table = String::from_utf8(table).unwrap();
        // Tables round shares and keep one record per line.
        assert_eq!(table.lines().count(), 3);
        assert!(table.contains("0.6667"));
    }

    #[test]
    fn numbers_print_like_people_write_them() {
        assert_eq!(fmt_num(3.0), "3");
        assert_eq!(fmt_num(2.5), "2.5");
        assert_eq!(fmt_num(1.0 / 3.0), "0.333");
        assert_eq!(Cell::Prob(1.234e-7).render(false), "1.2e-7");
        assert_eq!(json_number(4.0), serde_json::json!(4));
        assert_eq!(json_number(0.25), serde_json::json!(0.25));
    }
}
