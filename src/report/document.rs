//! A report document: the tables, charts and JSON of one analytics answer,
//! and the one exporter per format that renders it. Commands build a
//! `Document`; they never format output themselves, so every format of every
//! command carries the same columns (names from `columns`).

use super::{TableJson, Tabular, write_json};
use anyhow::Context;
use serde_json::Value;
use std::io::Write;

/// Output formats of the analytics commands.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TableFormat {
    /// Aligned text tables for people.
    Table,
    /// The JSON shape of cli-contract.md.
    Json,
    /// The main table as CSV.
    Csv,
    /// The main table as Parquet (binary; write it to a file with --output).
    Parquet,
    /// Every table as GitHub-flavoured Markdown.
    Markdown,
    /// One self-contained HTML page with charts and tables.
    Html,
}

/// One bar of a bar chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// An interval drawn as a whisker (e.g. a 95% Wilson interval).
    pub interval: Option<(f64, f64)>,
    /// Drawn in the alert colour (flagged lots, worst suppliers).
    pub highlight: bool,
}

/// A node of a genealogy picture.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphNode {
    pub id: String,
    /// Second label line (SKU).
    pub detail: String,
    /// Column of the picture (depth from the seeds).
    pub level: u32,
    /// Share in [0, 1]: drawn as fill intensity.
    pub share: f64,
    /// Seeds are outlined.
    pub seed: bool,
}

/// A chart, rendered as inline SVG by the HTML exporter.
#[derive(Clone, Debug, PartialEq)]
pub enum Chart {
    /// Horizontal bars with optional whiskers and a reference line.
    Bars {
        title: String,
        /// Axis caption (e.g. "return rate").
        unit: String,
        /// Values are fractions: the axis is labelled in percent.
        percent: bool,
        bars: Vec<Bar>,
        /// A vertical reference line (e.g. a baseline rate).
        reference: Option<(String, f64)>,
    },
    /// Horizontal stacked bars: one row per label, one segment per series.
    Stacked {
        title: String,
        series: Vec<String>,
        rows: Vec<(String, Vec<f64>)>,
    },
    /// Lots by depth, edges input → output.
    Genealogy {
        title: String,
        nodes: Vec<GraphNode>,
        /// Indices into `nodes`.
        edges: Vec<(usize, usize)>,
    },
}

/// A whole answer, ready for any format.
#[derive(Clone, Debug, Default)]
pub struct Document {
    pub title: String,
    /// Summary lines for people (table, Markdown and HTML formats).
    pub notes: Vec<String>,
    /// Named tables; the first is the main one (CSV and Parquet export it).
    pub tables: Vec<(String, Tabular)>,
    pub charts: Vec<Chart>,
    /// The machine-readable answer.
    pub json: DocJson,
}

/// The JSON of a [`Document`].
#[derive(Clone, Debug)]
pub enum DocJson {
    /// A ready value.
    Value(Value),
    /// `{KEY: [...]}` with the rows of the main table as objects, streamed
    /// from the table when JSON is asked for (never built otherwise: a
    /// per-lot report at 1M lots would otherwise build a JSON tree of
    /// gigabytes for a CSV export).
    MainTable(&'static str),
}

impl Default for DocJson {
    fn default() -> Self {
        DocJson::Value(Value::Null)
    }
}

impl From<Value> for DocJson {
    fn from(v: Value) -> Self {
        DocJson::Value(v)
    }
}

impl Document {
    /// Renders the document in `format` to `w`.
    pub fn write(&self, format: TableFormat, w: &mut dyn Write) -> anyhow::Result<()> {
        let main = self.tables.first().map(|t| &t.1);
        match format {
            TableFormat::Json => match &self.json {
                DocJson::Value(v) => write_json(w, v),
                DocJson::MainTable(key) => {
                    let rows = TableJson(main.context("this report has no table")?);
                    write_json(w, &std::collections::BTreeMap::from([(*key, rows)]))
                }
            },
            TableFormat::Csv => main.context("this report has no table")?.write_csv(w),
            TableFormat::Parquet => write_parquet(main.context("this report has no table")?, w),
            TableFormat::Markdown => self.write_markdown(w),
            TableFormat::Html => {
                w.write_all(super::html::render(self).as_bytes())?;
                Ok(())
            }
            TableFormat::Table => {
                for n in &self.notes {
                    writeln!(w, "{}", super::sanitize(n))?;
                }
                for (i, (name, t)) in self.tables.iter().enumerate() {
                    if i > 0 || !self.notes.is_empty() {
                        writeln!(w)?;
                    }
                    if i > 0 {
                        writeln!(w, "{name}")?;
                    }
                    t.write_table(w)?;
                }
                Ok(())
            }
        }
    }

    fn write_markdown(&self, w: &mut dyn Write) -> anyhow::Result<()> {
        // Markdown renderers turn these into markup (and some allow inline
        // HTML): escape them so ids stay literal text.
        let esc = |s: &str| {
            let mut out = String::new();
            for c in super::sanitize(s).chars() {
                if matches!(
                    c,
                    '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '!'
                ) {
                    out.push('\\');
                }
                out.push(c);
            }
            out
        };
        writeln!(w, "# {}\n", esc(&self.title))?;
        for n in &self.notes {
            writeln!(w, "{}  ", esc(n))?;
        }
        for (name, t) in &self.tables {
            writeln!(w, "\n## {}\n", esc(name))?;
            writeln!(w, "| {} |", t.columns.join(" | "))?;
            let aligns: Vec<&str> = (0..t.columns.len())
                .map(|i| {
                    if t.rows.first().is_some_and(|r| r[i].is_numeric()) {
                        "---:"
                    } else {
                        "---"
                    }
                })
                .collect();
            writeln!(w, "|{}|", aligns.join("|"))?;
            for r in &t.rows {
                let cells: Vec<String> = r.iter().map(|c| esc(&c.render(false))).collect();
                writeln!(w, "| {} |", cells.join(" | "))?;
            }
        }
        Ok(())
    }
}

/// Writes a table as Parquet through arrow-rs: numbers as Float64 / UInt64,
/// dates as Date32, text as Utf8.
pub fn write_parquet(t: &Tabular, w: &mut dyn Write) -> anyhow::Result<()> {
    use super::Cell;
    use arrow_array::{ArrayRef, Date32Array, Float64Array, RecordBatch, StringArray, UInt64Array};
    use std::sync::Arc;
    let mut cols: Vec<(String, ArrayRef)> = Vec::new();
    for (i, name) in t.columns.iter().enumerate() {
        let cells = t.rows.iter().map(|r| &r[i]);
        let kind = t
            .rows
            .iter()
            .map(|r| &r[i])
            .find(|c| !matches!(c, Cell::Text(None) | Cell::Num(None) | Cell::Date(None)));
        let arr: ArrayRef = match kind {
            Some(Cell::Int(_)) => Arc::new(
                cells
                    .map(|c| match c {
                        Cell::Int(v) => Some(*v),
                        _ => None,
                    })
                    .collect::<UInt64Array>(),
            ),
            Some(Cell::Num(_)) | Some(Cell::Share(_)) | Some(Cell::Prob(_)) => Arc::new(
                cells
                    .map(|c| match c {
                        Cell::Num(v) => *v,
                        Cell::Share(v) | Cell::Prob(v) => Some(*v),
                        _ => None,
                    })
                    .collect::<Float64Array>(),
            ),
            Some(Cell::Date(_)) => Arc::new(
                cells
                    .map(|c| match c {
                        // NaiveDate's default is the Unix epoch, Date32's origin.
                        Cell::Date(Some(d)) => {
                            Some((*d - chrono::NaiveDate::default()).num_days() as i32)
                        }
                        _ => None,
                    })
                    .collect::<Date32Array>(),
            ),
            _ => Arc::new(
                cells
                    .map(|c| match c {
                        Cell::Text(v) => v.clone(),
                        other => Some(other.render(true)),
                    })
                    .collect::<StringArray>(),
            ),
        };
        cols.push((name.to_string(), arr));
    }
    let batch = RecordBatch::try_from_iter(cols)?;
    let mut buf = Vec::new();
    let mut pw = parquet::arrow::ArrowWriter::try_new(&mut buf, batch.schema(), None)?;
    pw.write(&batch)?;
    pw.close()?;
    w.write_all(&buf)?;
    Ok(())
}
