//! The stacked bar chart: one row per label, its values drawn end to end in
//! the series colours (each segment labelled where it fits), the row's
//! total written after the bar.

use super::axis::Axis;
use super::format::{fmt_value, px};
use super::frame::{EMPTY, section_open, svg_open};
use super::rows::{MAX_ROWS, ROW_CHART_W, fit_axis, more_rows, row_label, row_open};
use super::text::{esc, text_w};
use crate::report::sanitize;

/// Series colours of stacked bars, with a readable text colour on each.
const PALETTE: [(&str, &str); 8] = [
    ("#4a7fb5", "#ffffff"),
    ("#f0a04b", "#1f2933"),
    ("#4e9a5f", "#ffffff"),
    ("#8e6bbf", "#ffffff"),
    ("#e2c044", "#1f2933"),
    ("#3a9b95", "#ffffff"),
    ("#d0617f", "#ffffff"),
    ("#7b8794", "#ffffff"),
];
/// Height of a row, and of the bar drawn in it.
const ROW_H: f64 = 26.0;
const BAR_H: f64 = 18.0;

/// A drawable segment value: finite and positive, else zero.
fn segment(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 { v } else { 0.0 }
}

/// A stacked chart section of `rows` (a label and one value per series;
/// values beyond the series are ignored), the first `MAX_ROWS` drawn.
pub(super) fn stacked_chart(title: &str, series: &[String], rows: &[(String, Vec<f64>)]) -> String {
    let mut h = section_open(title);
    if rows.is_empty() || series.is_empty() {
        h.push_str(EMPTY);
        return h;
    }
    let shown = &rows[..rows.len().min(MAX_ROWS)];
    let names: Vec<String> = series.iter().map(|s| sanitize(s)).collect();
    h.push_str("<div class=\"legend\">");
    for (i, s) in names.iter().enumerate() {
        h.push_str(&format!(
            "<span><i class=\"sw\" style=\"background:{}\"></i>{}</span>",
            PALETTE[i % PALETTE.len()].0,
            esc(s)
        ));
    }
    h.push_str("</div>\n");

    let totals: Vec<f64> = shown
        .iter()
        .map(|(_, v)| v.iter().take(series.len()).map(|&x| segment(x)).sum())
        .collect();
    let mut axis = Axis::new(0.0, totals.iter().copied().fold(0.0, f64::max), false);
    let labels: Vec<String> = shown.iter().map(|r| sanitize(&r.0)).collect();
    let total_text: Vec<String> = totals.iter().map(|&t| fmt_value(t, false)).collect();
    let lw = fit_axis(&mut axis, &labels, &total_text);

    let top = 6.0;
    let axis_y = top + shown.len() as f64 * ROW_H + 4.0;
    let height = axis_y + 24.0;
    h.push_str(&svg_open(ROW_CHART_W, height, title, None));
    h.push_str(&axis.svg(top - 2.0, axis_y, ""));
    for (i, (_, values)) in shown.iter().enumerate() {
        let y = top + i as f64 * ROW_H;
        let yc = y + ROW_H / 2.0;
        let tip = format!("{}: total {}", esc(&labels[i]), esc(&total_text[i]));
        h.push_str(&row_open(&tip, y, ROW_H));
        h.push_str(&row_label(&labels[i], lw, yc));
        let mut acc = 0.0;
        for (j, &raw) in values.iter().take(series.len()).enumerate() {
            let v = segment(raw);
            if v == 0.0 {
                continue;
            }
            let (xa, xb) = (axis.x(acc), axis.x(acc + v));
            acc += v;
            let share = v / totals[i];
            h.push_str(&segment_svg(
                j,
                (xa, xb),
                yc,
                v,
                share,
                &labels[i],
                &names[j],
            ));
        }
        h.push_str(&format!(
            "<text class=\"val\" x=\"{}\" y=\"{}\" font-weight=\"600\">{}</text></g>",
            px(axis.x(totals[i]) + 5.0),
            px(yc + 4.0),
            esc(&total_text[i])
        ));
    }
    h.push_str("</svg>\n");
    h.push_str(&more_rows(rows.len()));
    h.push_str("</section>\n");
    h
}

/// Segment `j` of a row (series `name`, value `v`, `share` of the row's
/// total) spanning `xa..xb`, with its value written inside if it fits.
fn segment_svg(
    j: usize,
    (xa, xb): (f64, f64),
    yc: f64,
    v: f64,
    share: f64,
    label: &str,
    name: &str,
) -> String {
    let (fill, ink) = PALETTE[j % PALETTE.len()];
    let text = fmt_value(v, false);
    let mut h = format!(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"#ffffff\" \
         stroke-width=\"0.8\"><title>{} · {}: {} ({} of total)</title></rect>",
        px(xa),
        px(yc - BAR_H / 2.0),
        px((xb - xa).max(0.5)),
        px(BAR_H),
        esc(label),
        esc(name),
        esc(&text),
        esc(&fmt_value(share, true)),
    );
    if xb - xa >= text_w(&text, 11.0) + 8.0 {
        h.push_str(&format!(
            "<text class=\"seg\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{ink}\" \
             pointer-events=\"none\">{}</text>",
            px(f64::midpoint(xa, xb)),
            px(yc + 4.0),
            esc(&text)
        ));
    }
    h
}
