//! Streaming table writers for the generator: one row at a time, straight
//! into a buffered CSV file or into Arrow column builders flushed to Parquet
//! every `BATCH_ROWS` rows, so memory stays flat whatever the dataset size.
//! Values are written through typed calls (text, date, fixed-point number,
//! integer) so that both formats carry the same values: CSV renders them as
//! record-format.md asks, Parquet stores them typed (Utf8, Date32, Float64,
//! Int64), and `lotgraph ingest` reads either back to the same records.

use anyhow::Context;
use arrow_array::builder::{Date32Builder, Float64Builder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use lotgraph_core::model::FileKind;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// File format of a generated dataset.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DataFormat {
    /// One `.csv` file per record kind.
    Csv,
    /// One `.parquet` file per record kind (typed columns, Snappy).
    Parquet,
}

impl DataFormat {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            DataFormat::Csv => "csv",
            DataFormat::Parquet => "parquet",
        }
    }
}

/// The type of one column.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Col {
    /// UTF-8 text.
    Text,
    /// A calendar date (day number relative to the calendar's start).
    Date,
    /// A non-negative fixed-point number (integer and decimal places).
    Num,
    /// A non-negative whole number.
    Int,
}

/// Rows per Parquet record batch: large enough for good compression, small
/// enough that the builders stay a few MB.
const BATCH_ROWS: usize = 64 * 1024;

/// Day numbers to ISO dates. Day 0 is the first day of the simulation.
#[derive(Copy, Clone, Debug)]
pub struct Calendar {
    /// Day 0 as days since 1970-01-01.
    pub start_epoch: i32,
}

impl Calendar {
    /// `YYYY-MM-DD` of `day`.
    pub fn ymd(&self, day: i32) -> [u8; 10] {
        let (y, m, d) = civil(i64::from(self.start_epoch) + i64::from(day));
        let mut b = *b"0000-00-00";
        let y = y.clamp(0, 9999) as u32;
        for (i, v) in [
            (0, y / 1000),
            (1, y / 100 % 10),
            (2, y / 10 % 10),
            (3, y % 10),
        ] {
            b[i] = b'0' + v as u8;
        }
        b[5] = b'0' + (m / 10) as u8;
        b[6] = b'0' + (m % 10) as u8;
        b[8] = b'0' + (d / 10) as u8;
        b[9] = b'0' + (d % 10) as u8;
        b
    }

    /// The date of `day` as a string.
    pub fn date_string(&self, day: i32) -> String {
        String::from_utf8_lossy(&self.ymd(day)).into_owned()
    }

    /// (two-digit year, day of year) of `day`, for date-coded lot numbers.
    pub fn yy_jjj(&self, day: i32) -> (u32, u32) {
        let epoch = i64::from(self.start_epoch) + i64::from(day);
        let (y, _, _) = civil(epoch);
        let jan1 = days_from_civil(y, 1, 1);
        ((y.rem_euclid(100)) as u32, (epoch - jan1 + 1) as u32)
    }
}

/// Days since 1970-01-01 to (year, month, day) (H. Hinnant's algorithm).
fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) to days since 1970-01-01 (the inverse of `civil`).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Appends `v` in decimal.
pub fn push_u64(buf: &mut Vec<u8>, v: u64) {
    push_padded(buf, v, 1);
}

/// Appends `v` in decimal, zero-padded to at least `width` digits.
pub fn push_padded(buf: &mut Vec<u8>, mut v: u64, width: usize) {
    let mut tmp = [b'0'; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let start = i.min(tmp.len().saturating_sub(width));
    buf.extend_from_slice(&tmp[start..]);
}

/// Appends `v / 10^scale` with exactly `scale` decimals.
fn push_fixed(buf: &mut Vec<u8>, v: u64, scale: u8) {
    if scale == 0 {
        push_u64(buf, v);
        return;
    }
    let p = 10u64.pow(u32::from(scale));
    push_u64(buf, v / p);
    buf.push(b'.');
    push_padded(buf, v % p, usize::from(scale));
}

enum Builder {
    Text(StringBuilder),
    Date(Date32Builder),
    Num(Float64Builder),
    Int(Int64Builder),
}

/// Parquet writer state (boxed: it is much larger than the CSV state).
struct Pq {
    w: Option<ArrowWriter<File>>,
    schema: Arc<Schema>,
    builders: Vec<Builder>,
    pending: usize,
    scratch: Vec<u8>,
}

enum Imp {
    Csv { w: BufWriter<File>, line: Vec<u8> },
    Parquet(Box<Pq>),
}

/// One output table (one file), written row by row.
pub struct Table {
    path: PathBuf,
    names: &'static [&'static str],
    cols: &'static [Col],
    col: usize,
    rows: u64,
    cal: Calendar,
    imp: Imp,
}

impl Table {
    /// Creates the record file of `kind` in `dir`, with the format's
    /// columns (`FileKind::columns`) of the given types.
    pub fn record(
        dir: &Path,
        kind: FileKind,
        cols: &'static [Col],
        format: DataFormat,
        cal: Calendar,
    ) -> anyhow::Result<Table> {
        Table::create(dir, kind.stem(), kind.columns(), cols, format, cal)
    }

    /// Creates `dir/name.{csv,parquet}` with columns `names` of types
    /// `cols` (one each).
    pub fn create(
        dir: &Path,
        name: &str,
        names: &'static [&'static str],
        cols: &'static [Col],
        format: DataFormat,
        cal: Calendar,
    ) -> anyhow::Result<Table> {
        if names.len() != cols.len() {
            anyhow::bail!(
                "internal error: {name} has {} columns and {} types",
                names.len(),
                cols.len()
            );
        }
        let path = dir.join(format!("{name}.{}", format.extension()));
        let file =
            File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        let imp = match format {
            DataFormat::Csv => {
                let mut w = BufWriter::with_capacity(1 << 20, file);
                writeln!(w, "{}", names.join(","))
                    .with_context(|| format!("cannot write {}", path.display()))?;
                Imp::Csv {
                    w,
                    line: Vec::with_capacity(256),
                }
            }
            DataFormat::Parquet => {
                let schema = Arc::new(Schema::new(
                    names
                        .iter()
                        .zip(cols)
                        .map(|(n, c)| {
                            let t = match c {
                                Col::Text => DataType::Utf8,
                                Col::Date => DataType::Date32,
                                Col::Num => DataType::Float64,
                                Col::Int => DataType::Int64,
                            };
                            Field::new(*n, t, true)
                        })
                        .collect::<Vec<_>>(),
                ));
                let props = WriterProperties::builder()
                    .set_compression(Compression::SNAPPY)
                    .build();
                let w = ArrowWriter::try_new(file, schema.clone(), Some(props))
                    .with_context(|| format!("cannot start {}", path.display()))?;
                Imp::Parquet(Box::new(Pq {
                    w: Some(w),
                    builders: new_builders(cols),
                    schema,
                    pending: 0,
                    scratch: Vec::with_capacity(64),
                }))
            }
        };
        Ok(Table {
            path,
            names,
            cols,
            col: 0,
            rows: 0,
            cal,
            imp,
        })
    }

    fn next_col(&mut self, want: Col) {
        debug_assert_eq!(
            self.cols[self.col],
            want,
            "{}: column {}",
            self.path.display(),
            self.names[self.col]
        );
        if let Imp::Csv { line, .. } = &mut self.imp
            && self.col > 0
        {
            line.push(b',');
        }
        self.col += 1;
    }

    /// A text cell, quoted when it holds a comma, quote or line break.
    pub fn text(&mut self, s: &str) {
        self.next_col(Col::Text);
        match &mut self.imp {
            Imp::Csv { line, .. } => {
                if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
                    line.push(b'"');
                    for b in s.bytes() {
                        if b == b'"' {
                            line.push(b'"');
                        }
                        line.push(b);
                    }
                    line.push(b'"');
                } else {
                    line.extend_from_slice(s.as_bytes());
                }
            }
            Imp::Parquet(pq) => {
                if let Builder::Text(b) = &mut pq.builders[self.col - 1] {
                    b.append_value(s);
                }
            }
        }
    }

    /// A text cell built in place by `f`, which must write plain ASCII
    /// without commas or quotes (identifiers): no quoting, no allocation.
    pub fn text_with(&mut self, f: impl FnOnce(&mut Vec<u8>)) {
        self.next_col(Col::Text);
        match &mut self.imp {
            Imp::Csv { line, .. } => f(line),
            Imp::Parquet(pq) => {
                pq.scratch.clear();
                f(&mut pq.scratch);
                let Pq {
                    builders, scratch, ..
                } = &mut **pq;
                if let Builder::Text(b) = &mut builders[self.col - 1] {
                    b.append_value(String::from_utf8_lossy(scratch));
                }
            }
        }
    }

    /// An empty cell (unknown value).
    pub fn null(&mut self) {
        let want = self.cols[self.col];
        self.next_col(want);
        if let Imp::Parquet(pq) = &mut self.imp {
            match &mut pq.builders[self.col - 1] {
                Builder::Text(b) => b.append_null(),
                Builder::Date(b) => b.append_null(),
                Builder::Num(b) => b.append_null(),
                Builder::Int(b) => b.append_null(),
            }
        }
    }

    /// A date cell.
    pub fn date(&mut self, day: i32) {
        self.next_col(Col::Date);
        match &mut self.imp {
            Imp::Csv { line, .. } => line.extend_from_slice(&self.cal.ymd(day)),
            Imp::Parquet(pq) => {
                if let Builder::Date(b) = &mut pq.builders[self.col - 1] {
                    b.append_value(self.cal.start_epoch + day);
                }
            }
        }
    }

    /// A date cell, empty when `None`.
    pub fn opt_date(&mut self, day: Option<i32>) {
        match day {
            Some(d) => self.date(d),
            None => self.null(),
        }
    }

    /// The number `v / 10^scale`, written with `scale` decimals.
    pub fn num(&mut self, v: u64, scale: u8) {
        self.next_col(Col::Num);
        match &mut self.imp {
            Imp::Csv { line, .. } => push_fixed(line, v, scale),
            Imp::Parquet(pq) => {
                if let Builder::Num(b) = &mut pq.builders[self.col - 1] {
                    b.append_value(v as f64 / 10f64.powi(i32::from(scale)));
                }
            }
        }
    }

    /// A whole-number cell.
    pub fn int(&mut self, v: u64) {
        self.next_col(Col::Int);
        match &mut self.imp {
            Imp::Csv { line, .. } => push_u64(line, v),
            Imp::Parquet(pq) => {
                if let Builder::Int(b) = &mut pq.builders[self.col - 1] {
                    b.append_value(v as i64);
                }
            }
        }
    }

    /// Ends the row.
    pub fn end(&mut self) -> anyhow::Result<()> {
        debug_assert_eq!(self.col, self.cols.len(), "{}", self.path.display());
        self.col = 0;
        self.rows += 1;
        match &mut self.imp {
            Imp::Csv { w, line } => {
                line.push(b'\n');
                let r = w.write_all(line);
                line.clear();
                r.with_context(|| format!("cannot write {}", self.path.display()))
            }
            Imp::Parquet(pq) => {
                pq.pending += 1;
                if pq.pending >= BATCH_ROWS {
                    self.flush_batch()?;
                }
                Ok(())
            }
        }
    }

    fn flush_batch(&mut self) -> anyhow::Result<()> {
        if let Imp::Parquet(pq) = &mut self.imp {
            if pq.pending == 0 {
                return Ok(());
            }
            pq.pending = 0;
            let arrays: Vec<ArrayRef> = pq
                .builders
                .iter_mut()
                .map(|b| -> ArrayRef {
                    match b {
                        Builder::Text(b) => Arc::new(b.finish()),
                        Builder::Date(b) => Arc::new(b.finish()),
                        Builder::Num(b) => Arc::new(b.finish()),
                        Builder::Int(b) => Arc::new(b.finish()),
                    }
                })
                .collect();
            let batch = RecordBatch::try_new(pq.schema.clone(), arrays)?;
            if let Some(w) = &mut pq.w {
                w.write(&batch)
                    .with_context(|| format!("cannot write {}", self.path.display()))?;
            }
        }
        Ok(())
    }

    /// Flushes and closes the file; returns the number of data rows.
    pub fn finish(mut self) -> anyhow::Result<u64> {
        self.flush_batch()?;
        let path = self.path.display().to_string();
        match &mut self.imp {
            Imp::Csv { w, .. } => w.flush().with_context(|| format!("cannot write {path}"))?,
            Imp::Parquet(pq) => {
                if let Some(w) = pq.w.take() {
                    w.close().with_context(|| format!("cannot finish {path}"))?;
                }
            }
        }
        Ok(self.rows)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn new_builders(cols: &[Col]) -> Vec<Builder> {
    cols.iter()
        .map(|c| match c {
            Col::Text => Builder::Text(StringBuilder::with_capacity(BATCH_ROWS, BATCH_ROWS * 16)),
            Col::Date => Builder::Date(Date32Builder::with_capacity(BATCH_ROWS)),
            Col::Num => Builder::Num(Float64Builder::with_capacity(BATCH_ROWS)),
            Col::Int => Builder::Int(Int64Builder::with_capacity(BATCH_ROWS)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        let cal = Calendar {
            start_epoch: days_from_civil(2023, 1, 2) as i32,
        };
        assert_eq!(&cal.ymd(0), b"2023-01-02");
        assert_eq!(&cal.ymd(58), b"2023-03-01");
        assert_eq!(&cal.ymd(-2), b"2022-12-31");
        assert_eq!(cal.yy_jjj(0), (23, 2));
        assert_eq!(cal.yy_jjj(364), (24, 1));
    }

    #[test]
    fn fixed_point() {
        let mut b = Vec::new();
        push_fixed(&mut b, 12345, 1);
        b.push(b' ');
        push_fixed(&mut b, 7, 3);
        b.push(b' ');
        push_fixed(&mut b, 40, 0);
        b.push(b' ');
        push_padded(&mut b, 42, 5);
        assert_eq!(String::from_utf8(b).unwrap(), "1234.5 0.007 40 00042");
    }

    #[test]
    fn csv_quotes_only_when_needed() {
        const NAMES: &[&str] = &["a", "b", "d"];
        const COLS: &[Col] = &[Col::Text, Col::Text, Col::Date];
        let dir = tempfile::tempdir().unwrap();
        let cal = Calendar { start_epoch: 0 };
        let mut t = Table::create(dir.path(), "t", NAMES, COLS, DataFormat::Csv, cal).unwrap();
        t.text("Foods, Inc. \"best\"");
        t.text("plain");
        t.date(1);
        t.end().unwrap();
        assert_eq!(t.finish().unwrap(), 1);
        let s = std::fs::read_to_string(dir.path().join("t.csv")).unwrap();
        assert_eq!(s, "a,b,d\n\"Foods, Inc. \"\"best\"\"\",plain,1970-01-02\n");
    }
}
