//! The Parquet exporter: a document's main table through arrow-rs, each
//! column typed from its cells (numbers Float64 / `UInt64`, dates Date32,
//! text Utf8).

use super::Tabular;
use std::io::Write;

/// Writes a table as Parquet through arrow-rs: numbers as Float64 / `UInt64`,
/// dates as Date32, text as Utf8.
pub fn write(t: &Tabular, w: &mut dyn Write) -> anyhow::Result<()> {
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
            Some(Cell::Num(_) | Cell::Share(_) | Cell::Prob(_)) => Arc::new(
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

/// The Parquet exporter: the document's main table.
pub struct Parquet;

impl super::format::Exporter for Parquet {
    fn export(&self, doc: &super::Document, w: &mut dyn Write) -> anyhow::Result<()> {
        write(doc.main_table()?, w)
    }
}
