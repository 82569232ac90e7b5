//! The output formats, and the one trait every exporter of a [`Document`]
//! implements. Each format is one file of this module's parent (`table`,
//! `json`, `csv`, `parquet`, `markdown`, `html`); the genealogy pictures
//! (`tree`, `dot`, `mermaid`) are the trace's own, in [`super::trace`].

use super::Document;
use std::io::Write;

/// Every output format of every command. A command accepts the ones that
/// make sense for its answer and says so when given another.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned text tables for people.
    Table,
    /// `trace` only: an indented tree, lot by lot, level by level.
    Tree,
    /// JSON for programs (shapes in docs/schema/).
    Json,
    /// The main table as CSV.
    Csv,
    /// The main table as Parquet (binary; write it to a file with --output).
    Parquet,
    /// Every table as GitHub-flavoured Markdown.
    Markdown,
    /// One self-contained HTML page with charts and tables.
    Html,
    /// `trace` only: a Graphviz digraph of the traced lots.
    Dot,
    /// `trace` only: a Mermaid flowchart of the traced lots.
    Mermaid,
}

impl Format {
    /// Every format (`trace` writes them all).
    pub const ALL: &'static [Format] = &[
        Format::Tree,
        Format::Table,
        Format::Json,
        Format::Csv,
        Format::Parquet,
        Format::Markdown,
        Format::Html,
        Format::Dot,
        Format::Mermaid,
    ];

    /// The formats of a document of tables and charts.
    pub const DOCUMENT: &'static [Format] = &[
        Format::Table,
        Format::Json,
        Format::Csv,
        Format::Parquet,
        Format::Markdown,
        Format::Html,
    ];

    /// The format's name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Tree => "tree",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Dot => "dot",
            Format::Mermaid => "mermaid",
        }
    }

    /// The exporter of a document in this format (`None`: a trace picture).
    pub fn exporter(self) -> Option<&'static dyn Exporter> {
        match self {
            Format::Table => Some(&super::table::Text),
            Format::Json => Some(&super::json::Json),
            Format::Csv => Some(&super::csv::Csv),
            Format::Parquet => Some(&super::parquet::Parquet),
            Format::Markdown => Some(&super::markdown::Markdown),
            Format::Html => Some(&super::html::Html),
            Format::Tree | Format::Dot | Format::Mermaid => None,
        }
    }

    /// `self` if `accepted` has it, else an error that lists them.
    ///
    /// # Errors
    /// The format is not one of `accepted`.
    pub fn accepted_by(self, command: &str, accepted: &[Format]) -> anyhow::Result<Format> {
        if accepted.contains(&self) {
            return Ok(self);
        }
        let names: Vec<&str> = accepted.iter().map(|f| f.as_str()).collect();
        anyhow::bail!(
            "--format {}: {command} writes {}",
            self.as_str(),
            names.join(", ")
        )
    }
}

/// Writes a [`Document`] in one format.
pub trait Exporter {
    /// Writes `doc` to `w`.
    ///
    /// # Errors
    /// The writer's errors; a document without the table the format needs.
    fn export(&self, doc: &Document, w: &mut dyn Write) -> anyhow::Result<()>;
}

impl Document {
    /// Renders the document in `format` to `w`.
    ///
    /// # Errors
    /// The exporter's errors, or a format documents do not have (`tree`,
    /// `dot`, `mermaid`).
    pub fn write(&self, format: Format, w: &mut dyn Write) -> anyhow::Result<()> {
        match format.exporter() {
            Some(e) => e.export(self, w),
            None => anyhow::bail!("--format {} is only for trace", format.as_str()),
        }
    }
}
