//! Tables: rows of typed cells under named columns, and the text
//! exporter that aligns them for people (numbers right-aligned, one
//! record per line).

use super::{Cell, sanitize};
use std::io::Write;

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

    /// Drops the column `name` (if there is one) and its cells.
    pub fn remove_column(&mut self, name: &str) {
        if let Some(i) = self.columns.iter().position(|c| *c == name) {
            self.columns.remove(i);
            for r in &mut self.rows {
                r.remove(i);
            }
        }
    }

    /// Appends a row (one cell per column).
    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
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

/// The text exporter: a document's notes, then each table (headed by its
/// name after the first, unless the name is empty).
pub struct Text;

impl super::format::Exporter for Text {
    fn export(&self, doc: &super::Document, w: &mut dyn Write) -> anyhow::Result<()> {
        for n in &doc.notes {
            writeln!(w, "{}", sanitize(n))?;
        }
        for (i, (name, t)) in doc.tables.iter().enumerate() {
            if i > 0 || !doc.notes.is_empty() {
                writeln!(w)?;
            }
            if i > 0 && !name.is_empty() {
                writeln!(w, "{name}")?;
            }
            t.write_table(w)?;
        }
        Ok(())
    }
}
