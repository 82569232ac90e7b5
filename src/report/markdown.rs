//! The Markdown exporter: a document's title, notes and every table as
//! GitHub-flavoured Markdown, ids escaped so they stay literal text.

use super::Document;
use std::io::Write;

/// Writes every table of `doc` as GitHub-flavoured Markdown, after its
/// title and notes.
pub fn write(doc: &Document, w: &mut dyn Write) -> anyhow::Result<()> {
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
    writeln!(w, "# {}\n", esc(&doc.title))?;
    for n in &doc.notes {
        writeln!(w, "{}  ", esc(n))?;
    }
    for (name, t) in &doc.tables {
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

/// The Markdown exporter.
pub struct Markdown;

impl super::format::Exporter for Markdown {
    fn export(&self, doc: &Document, w: &mut dyn Write) -> anyhow::Result<()> {
        write(doc, w)
    }
}
