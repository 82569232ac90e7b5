//! The bar chart: one horizontal bar per row, optionally with an interval
//! whisker, highlighted rows in the alert colour, and a dashed reference
//! line (a baseline) across all rows.

use super::axis::Axis;
use super::format::{fmt_value, px};
use super::frame::{EMPTY, section_open, svg_open};
use super::rows::{MAX_ROWS, ROW_CHART_W, fit_axis, more_rows, row_label, row_open};
use super::text::{esc, truncate};
use crate::report::document::Bar;
use crate::report::sanitize;

/// Bars in the calm colour, highlighted bars in the alert colour.
pub(super) const CALM: &str = "#4a7fb5";
pub(super) const ALERT: &str = "#c0392b";
/// Height of a row, and of the bar drawn in it.
const ROW_H: f64 = 22.0;
const BAR_H: f64 = 14.0;

/// A finite interval, ordered.
fn interval(b: &Bar) -> Option<(f64, f64)> {
    b.interval
        .filter(|(a, c)| a.is_finite() && c.is_finite())
        .map(|(a, c)| (a.min(c), a.max(c)))
}

/// A bar chart section of `bars` (the first `MAX_ROWS` drawn), in `unit`,
/// with the optional `reference` line (its label and value).
pub(super) fn bars_chart(
    title: &str,
    unit: &str,
    percent: bool,
    bars: &[Bar],
    reference: Option<&(String, f64)>,
) -> String {
    let mut h = section_open(title);
    if bars.is_empty() {
        h.push_str(EMPTY);
        return h;
    }
    let shown = &bars[..bars.len().min(MAX_ROWS)];
    let reference = reference.filter(|r| r.1.is_finite());
    h.push_str(&legend(shown));

    let (lo, hi) = value_range(shown, reference);
    let mut axis = Axis::new(lo, hi, percent);
    let labels: Vec<String> = shown.iter().map(|b| sanitize(&b.label)).collect();
    let values: Vec<String> = shown.iter().map(|b| fmt_value(b.value, percent)).collect();
    let lw = fit_axis(&mut axis, &labels, &values);

    // Room above the rows for the reference line's label.
    let top = if reference.is_some() { 24.0 } else { 6.0 };
    let axis_y = top + shown.len() as f64 * ROW_H + 4.0;
    let height = axis_y + if unit.is_empty() { 24.0 } else { 40.0 };

    h.push_str(&svg_open(ROW_CHART_W, height, title, None));
    h.push_str(&axis.svg(top - 2.0, axis_y, unit));
    for (i, b) in shown.iter().enumerate() {
        let y = top + i as f64 * ROW_H;
        h.push_str(&bar_row(b, &labels[i], &values[i], percent, &axis, lw, y));
    }
    if let Some((label, r)) = reference {
        h.push_str(&reference_line(label, *r, percent, &axis, top, axis_y));
    }
    h.push_str("</svg>\n");
    h.push_str(&more_rows(bars.len()));
    h.push_str("</section>\n");
    h
}

/// The legend of the drawn bars: colours if some are highlighted, the
/// whisker if some have an interval; nothing if neither.
fn legend(shown: &[Bar]) -> String {
    let any_highlighted = shown.iter().any(|b| b.highlight);
    let any_interval = shown.iter().any(|b| interval(b).is_some());
    if !(any_highlighted || any_interval) {
        return String::new();
    }
    let mut h = String::from("<div class=\"legend\">");
    if any_highlighted {
        h.push_str(&format!(
            "<span><i class=\"sw\" style=\"background:{ALERT}\"></i>highlighted</span>\
             <span><i class=\"sw\" style=\"background:{CALM}\"></i>other</span>"
        ));
    }
    if any_interval {
        h.push_str("<span><i class=\"whisk\"></i>interval</span>");
    }
    h.push_str("</div>\n");
    h
}

/// The finite range the axis must cover: every value and interval end of
/// the drawn bars, the reference, and zero.
fn value_range(shown: &[Bar], reference: Option<&(String, f64)>) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for b in shown {
        let (a, c) = interval(b).unwrap_or((b.value, b.value));
        for v in [b.value, a, c].into_iter().filter(|v| v.is_finite()) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if let Some((_, r)) = reference {
        lo = lo.min(*r);
        hi = hi.max(*r);
    }
    (lo, hi)
}

/// One row at `y`: tooltip, label, bar, whisker and the value text after
/// whichever ends further right.
fn bar_row(
    b: &Bar,
    label: &str,
    value: &str,
    percent: bool,
    axis: &Axis,
    lw: f64,
    y: f64,
) -> String {
    let yc = y + ROW_H / 2.0;
    let mut tip = format!("{}: {}", esc(label), esc(value));
    if let Some((a, c)) = interval(b) {
        tip.push_str(&format!(
            " (interval {} – {})",
            esc(&fmt_value(a, percent)),
            esc(&fmt_value(c, percent))
        ));
    }
    if b.highlight {
        tip.push_str(" — highlighted");
    }
    let mut h = row_open(&tip, y, ROW_H);
    h.push_str(&row_label(label, lw, yc));
    let mut end = axis.x(0.0);
    if b.value.is_finite() {
        let (xa, xb) = (axis.x(b.value.min(0.0)), axis.x(b.value.max(0.0)));
        end = xb;
        if xb - xa > 0.0 {
            h.push_str(&format!(
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"2\" fill=\"{}\"/>",
                px(xa),
                px(yc - BAR_H / 2.0),
                px((xb - xa).max(0.5)),
                px(BAR_H),
                if b.highlight { ALERT } else { CALM }
            ));
        }
    }
    if let Some((a, c)) = interval(b) {
        let (xa, xc) = (axis.x(a), axis.x(c));
        end = end.max(xc);
        h.push_str(&format!(
            "<g stroke=\"#1f2933\" stroke-width=\"1.4\"><line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\"/>\
             <line x1=\"{xa}\" y1=\"{t}\" x2=\"{xa}\" y2=\"{b}\"/><line x1=\"{xc}\" y1=\"{t}\" x2=\"{xc}\" y2=\"{b}\"/></g>",
            px(xa),
            px(xc),
            y = px(yc),
            xa = px(xa),
            xc = px(xc),
            t = px(yc - 4.5),
            b = px(yc + 4.5),
        ));
    }
    h.push_str(&format!(
        "<text class=\"val\" x=\"{}\" y=\"{}\">{}</text></g>",
        px(end + 5.0),
        px(yc + 4.0),
        esc(value)
    ));
    h
}

/// The dashed reference line at `r`, labelled above the rows; the label is
/// anchored so that it stays inside the plot near either end.
fn reference_line(
    label: &str,
    r: f64,
    percent: bool,
    axis: &Axis,
    top: f64,
    axis_y: f64,
) -> String {
    let x = axis.x(r);
    let full = format!("{} {}", sanitize(label), fmt_value(r, percent));
    let text = truncate(full.trim(), axis.x1 - axis.x0, 11.0);
    let span = axis.x1 - axis.x0;
    let anchor = if x > axis.x0 + span * 0.8 {
        "end"
    } else if x < axis.x0 + span * 0.2 {
        "start"
    } else {
        "middle"
    };
    format!(
        "<g class=\"refline\"><title>{}</title><line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" \
         stroke=\"#5f4b00\" stroke-width=\"1.4\" stroke-dasharray=\"5 4\"/>\
         <text class=\"ref\" x=\"{x}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text></g>",
        esc(&full),
        px(top - 8.0),
        px(axis_y),
        px(top - 12.0),
        esc(&text),
        x = px(x),
    )
}
