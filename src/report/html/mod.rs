//! The HTML exporter: one self-contained page (inline CSS and SVG, no
//! scripts, no external requests) with the document's title and notes, its
//! charts, then its tables. This file puts the page together; each part is
//! drawn by its own module.
//!
//! Every piece of data goes through `text::esc` before it becomes markup;
//! control characters (newlines in ids) become U+FFFD as in text tables.
//! SVG sizes are estimated from character counts (there is no script to
//! measure text), so long labels are cut with an ellipsis and shown whole
//! in a tooltip.
//!
//! The modules, from the page down: `page` (head, style sheet, header,
//! footer), `tables`, the charts `bars`, `stacked` and `genealogy`, what
//! they share (`rows` for the row charts, `axis`, `frame`), and at the
//! bottom `text` (escaping, text widths) and `format` (numbers).

mod axis;
mod bars;
mod format;
mod frame;
mod genealogy;
mod page;
mod rows;
mod stacked;
mod tables;
#[cfg(test)]
mod tests;
mod text;

use super::document::{Chart, Document};

/// Renders `doc` as a complete HTML page.
pub fn render(doc: &Document) -> String {
    let title = if doc.title.trim().is_empty() {
        "lotgraph report"
    } else {
        doc.title.as_str()
    };
    let mut h = String::with_capacity(32 * 1024);
    h.push_str(&page::head(title));
    h.push_str(&page::header(title, &doc.notes));
    for c in &doc.charts {
        h.push_str(&chart(c));
    }
    for (name, t) in &doc.tables {
        h.push_str(&tables::table(name, t));
    }
    h.push_str(&page::footer());
    h
}

/// The section of one chart, drawn by the module of its kind.
fn chart(c: &Chart) -> String {
    match c {
        Chart::Bars {
            title,
            unit,
            percent,
            bars,
            reference,
        } => bars::bars_chart(title, unit, *percent, bars, reference.as_ref()),
        Chart::Stacked {
            title,
            series,
            rows,
        } => stacked::stacked_chart(title, series, rows),
        Chart::Genealogy {
            title,
            nodes,
            edges,
        } => genealogy::genealogy_chart(title, nodes, edges),
    }
}

/// The HTML exporter: one self-contained page.
pub struct Html;

impl super::format::Exporter for Html {
    fn export(&self, doc: &Document, w: &mut dyn std::io::Write) -> anyhow::Result<()> {
        w.write_all(render(doc).as_bytes())?;
        Ok(())
    }
}
