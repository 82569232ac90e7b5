//! The CSV exporter: a table as RFC 4180 CSV with a header row, values
//! exact (shortest round-trip form), ids quoted as needed.

use super::Tabular;
use std::io::Write;

impl Tabular {
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
}

/// The CSV exporter: the document's main table.
pub struct Csv;

impl super::format::Exporter for Csv {
    fn export(&self, doc: &super::Document, w: &mut dyn Write) -> anyhow::Result<()> {
        doc.main_table()?.write_csv(w)
    }
}
