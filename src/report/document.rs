//! A report document: the title, notes, tables, charts and typed JSON of
//! one command's answer, which every exporter ([`super::format`]) renders.
//! Commands build a `Document` from their typed rows; they never format
//! output themselves, so every format of every command carries the same
//! columns.

use super::Tabular;
use super::row::{RowError, table_of};
use std::io::Write;

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
#[derive(Debug, Default)]
pub struct Document {
    pub title: String,
    /// Summary lines for people (table, Markdown and HTML formats).
    pub notes: Vec<String>,
    /// Named tables, in the order people read them. A table named `""`
    /// has no heading in the text format.
    pub tables: Vec<(String, Tabular)>,
    /// The table CSV and Parquet export (an index into `tables`).
    pub main: usize,
    pub charts: Vec<Chart>,
    /// The machine-readable answer.
    pub json: Json,
}

impl Document {
    /// The table CSV and Parquet export.
    pub fn main_table(&self) -> anyhow::Result<&Tabular> {
        self.tables
            .get(self.main)
            .map(|t| &t.1)
            .ok_or_else(|| anyhow::anyhow!("this report has no table"))
    }

    /// Appends the table of `rows` (columns: `R`'s fields).
    ///
    /// # Errors
    /// A row type with a field a table cannot hold (a bug).
    pub fn push_table<R: serde::Serialize + schemars::JsonSchema>(
        &mut self,
        name: impl Into<String>,
        rows: &[R],
    ) -> Result<(), RowError> {
        self.tables.push((name.into(), table_of(rows)?));
        Ok(())
    }
}

/// The JSON of a [`Document`]: the command's typed result, written by
/// serde when JSON is asked for (never turned into a JSON tree: a per-lot
/// report at 1M lots streams straight to its writer).
pub struct Json(Box<dyn JsonBody>);

/// A typed result that can write itself as JSON.
trait JsonBody {
    fn write(&self, w: &mut dyn Write) -> anyhow::Result<()>;
}

impl<T: serde::Serialize> JsonBody for T {
    fn write(&self, w: &mut dyn Write) -> anyhow::Result<()> {
        super::write_json(w, self)
    }
}

impl Json {
    /// The JSON of `result`.
    pub fn of<T: serde::Serialize + 'static>(result: T) -> Json {
        Json(Box::new(result))
    }

    /// Writes it, pretty, with a final newline.
    pub fn write(&self, w: &mut dyn Write) -> anyhow::Result<()> {
        self.0.write(w)
    }
}

impl Default for Json {
    fn default() -> Self {
        Json::of(serde_json::Value::Null)
    }
}

impl std::fmt::Debug for Json {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Json(..)")
    }
}
