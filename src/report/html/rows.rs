//! The layout shared by the row charts (bars and stacked bars): one row per
//! label with a hover background and tooltip, a label column sized to the
//! labels, the value axis fitted between the labels and the value texts,
//! and the note counting the rows left out.

use super::axis::Axis;
use super::format::px;
use super::text::{esc, text_w, truncate};

/// Rows drawn per row chart; the rest are counted under the chart.
pub(super) const MAX_ROWS: usize = 40;
/// Width of the row charts' coordinate system.
pub(super) const ROW_CHART_W: f64 = 900.0;

/// Width of the label column of a row chart.
fn label_column(labels: &[String]) -> f64 {
    let widest = labels.iter().map(|l| text_w(l, 12.0)).fold(0.0, f64::max);
    widest.clamp(50.0, 240.0) + 20.0
}

/// Places `axis` between the label column and room for the widest of
/// `values` (written after the bars) or the last tick label; returns the
/// width of the label column.
pub(super) fn fit_axis(axis: &mut Axis, labels: &[String], values: &[String]) -> f64 {
    let lw = label_column(labels);
    let last_tick = axis
        .ticks()
        .last()
        .map_or(0.0, |t| text_w(&t.1, 11.0) / 2.0);
    let vw = values
        .iter()
        .map(|v| text_w(v, 11.0) + 12.0)
        .fold(last_tick + 6.0, f64::max);
    axis.x0 = lw;
    axis.x1 = (ROW_CHART_W - vw).max(lw + 100.0);
    lw
}

/// A row's label (right-aligned, cut to the label column).
pub(super) fn row_label(label: &str, lw: f64, yc: f64) -> String {
    format!(
        "<text class=\"lbl\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
        px(lw - 8.0),
        px(yc + 4.0),
        esc(&truncate(label, lw - 20.0, 12.0))
    )
}

/// A row's hover background, which also carries the row's tooltip
/// (`tooltip` is markup, already escaped).
pub(super) fn row_open(tooltip: &str, y: f64, row_h: f64) -> String {
    format!(
        "<g class=\"row\"><title>{}</title><rect class=\"bg\" x=\"0\" y=\"{}\" width=\"{}\" \
         height=\"{}\" fill=\"#ffffff\" fill-opacity=\"0\"/>",
        tooltip,
        px(y),
        px(ROW_CHART_W),
        px(row_h)
    )
}

/// The note under a chart of `total` rows saying how many were not drawn.
pub(super) fn more_rows(total: usize) -> String {
    if total > MAX_ROWS {
        format!(
            "<p class=\"more\">{} more not shown.</p>\n",
            total - MAX_ROWS
        )
    } else {
        String::new()
    }
}
