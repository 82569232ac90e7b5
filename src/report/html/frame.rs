//! The frame every chart is drawn in: its `<section>` with a heading, the
//! notice shown instead of an empty chart, and the `<svg>` element that
//! scales with the page.

use super::format::px;
use super::text::esc;

/// Closes a chart's section that has nothing to draw.
pub(super) const EMPTY: &str = "<p class=\"empty\">No data to chart.</p>\n</section>\n";

/// Opens a chart's section, with its title as the heading.
pub(super) fn section_open(title: &str) -> String {
    format!("<section class=\"chart\">\n<h2>{}</h2>\n", esc(title))
}

/// Opens an `<svg>` scaled to its container, never wider than `w` px and,
/// with `min_w`, never narrower than that (its container scrolls instead).
pub(super) fn svg_open(w: f64, h: f64, title: &str, min_w: Option<f64>) -> String {
    let min = min_w.map_or(String::new(), |m| format!(";min-width:{}px", px(m)));
    format!(
        "<svg class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" \
         width=\"100%\" style=\"max-width:{w}px{min}\" role=\"img\" aria-label=\"{}\">",
        esc(title),
        w = px(w),
        h = px(h),
    )
}
