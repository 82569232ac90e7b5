//! A document's table as an HTML `<table>` in its own section: numeric
//! columns (judged by their first cell) right-aligned, every cell escaped.

use super::text::esc;
use crate::report::Tabular;

/// The section of table `t`, headed `name`.
pub(super) fn table(name: &str, t: &Tabular) -> String {
    let numeric: Vec<bool> = (0..t.columns.len())
        .map(|i| {
            t.rows
                .iter()
                .find_map(|r| r.get(i))
                .is_some_and(super::super::cell::Cell::is_numeric)
        })
        .collect();
    let mut h = format!(
        "<section>\n<h2>{}</h2>\n<div class=\"table\"><table>\n<thead><tr>",
        esc(name)
    );
    for (c, n) in t.columns.iter().zip(&numeric) {
        let class = if *n { " class=\"n\"" } else { "" };
        h.push_str(&format!("<th{class}>{}</th>", esc(c)));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    if t.rows.is_empty() {
        h.push_str(&format!(
            "<tr><td class=\"none\" colspan=\"{}\">no rows</td></tr>\n",
            t.columns.len().max(1)
        ));
    }
    for r in &t.rows {
        h.push_str("<tr>");
        for c in r {
            let class = if c.is_numeric() { "n" } else { "t" };
            h.push_str(&format!(
                "<td class=\"{class}\">{}</td>",
                esc(&c.render(false))
            ));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></div>\n</section>\n");
    h
}
