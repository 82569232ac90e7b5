//! The JSON exporter: pretty JSON from serde, and tables streamed as
//! arrays of objects keyed by column name (no JSON tree in between).

use super::{Cell, Tabular};
use serde_json::Value;
use std::io::Write;

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

impl Tabular {
    /// The rows as JSON objects keyed by column name.
    pub fn json_rows(&self) -> Value {
        serde_json::to_value(TableJson(self)).unwrap_or(Value::Null)
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

/// The JSON exporter: the document's typed result.
pub struct Json;

impl super::format::Exporter for Json {
    fn export(&self, doc: &super::Document, w: &mut dyn Write) -> anyhow::Result<()> {
        doc.json.write(w)
    }
}
