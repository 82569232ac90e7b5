//! The HTML exporter: one self-contained page (inline CSS and SVG, no
//! scripts, no external requests) with the document's title and notes, its
//! charts, then its tables.
//!
//! Every piece of data goes through `esc` before it becomes markup; control
//! characters (newlines in ids) become U+FFFD as in text tables. SVG sizes
//! are estimated from character counts (there is no script to measure text),
//! so long labels are cut with an ellipsis and shown whole in a tooltip.

use super::document::{Bar, Chart, Document, GraphNode};
use super::{Tabular, fmt_num, sanitize};

/// Bars in the calm colour, highlighted bars in the alert colour.
const CALM: &str = "#4a7fb5";
const ALERT: &str = "#c0392b";
/// Rows drawn per bar chart; the rest are counted under the chart.
const MAX_ROWS: usize = 40;
/// Lots drawn per genealogy picture.
const MAX_NODES: usize = 200;
/// Width of the row charts' coordinate system.
const ROW_CHART_W: f64 = 900.0;
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

const CSS: &str = "\
*{box-sizing:border-box}\
html{background:#eef1f4}\
body{margin:0;color:#1f2933;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;-webkit-print-color-adjust:exact;print-color-adjust:exact}\
main{max-width:1040px;margin:0 auto;padding:28px 32px 36px;background:#fff;min-height:100vh}\
h1{font-size:24px;line-height:1.25;margin:0 0 10px;overflow-wrap:anywhere}\
h2{font-size:17px;line-height:1.3;margin:0 0 6px;overflow-wrap:anywhere}\
.notes{margin:0 0 24px;padding:10px 14px;background:#f3f6f9;border-left:4px solid #4a7fb5;border-radius:3px}\
.notes p{margin:2px 0;overflow-wrap:anywhere}\
section{margin:0 0 30px}\
.chart{break-inside:avoid}\
.scroll{overflow-x:auto}\
svg.plot{display:block;width:100%;height:auto}\
svg.plot text{font-family:inherit}\
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;margin:0 0 6px;font-size:12.5px;color:#3e4c59}\
.legend span{display:inline-flex;align-items:center;gap:6px;overflow-wrap:anywhere}\
.sw{display:inline-block;flex:none;width:12px;height:12px;border-radius:2px}\
.whisk{display:inline-block;flex:none;width:16px;height:9px;border:solid #1f2933;border-width:0 1.5px;background:linear-gradient(#1f2933,#1f2933) center/100% 1.5px no-repeat}\
.dash{display:inline-block;flex:none;width:0;height:13px;border-left:1.5px dashed #5f4b00}\
.grad{display:inline-block;flex:none;width:56px;height:12px;border:1px solid #8aa1b8;border-radius:2px;background:linear-gradient(90deg,#fff,#1f5f99)}\
.seedbox{display:inline-block;flex:none;width:18px;height:12px;border:2.5px solid #16324f;border-radius:3px}\
.nodebox{display:inline-block;flex:none;width:18px;height:12px;border:1px solid #8aa1b8;border-radius:3px}\
.more,.empty{margin:4px 0 0;font-size:12.5px;color:#616e7c;font-style:italic}\
.lbl{font-size:12px;fill:#1f2933}\
.val{font-size:11px;fill:#3e4c59;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}\
.seg{font-size:11px}\
.tick{font-size:11px;fill:#616e7c}\
.cap{font-size:11.5px;fill:#3e4c59}\
.ref{font-size:11px;fill:#5f4b00;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}\
.colh{font-size:11.5px;fill:#616e7c;font-weight:600}\
.nid{font-size:12px;font-weight:600}\
.ndt{font-size:11px}\
.row:hover .bg{fill:#eef3f8;fill-opacity:1}\
.table{overflow-x:auto;margin:0 0 8px}\
table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}\
th,td{padding:4px 10px;border-bottom:1px solid #e1e5ea;text-align:left;vertical-align:top}\
th{background:#eef1f5;border-bottom:2px solid #cbd2d9;font-weight:600;white-space:nowrap}\
tbody tr:nth-child(even){background:#f8f9fb}\
td.t{overflow-wrap:anywhere;max-width:32em}\
td.n,th.n{text-align:right;white-space:nowrap}\
td.none{color:#616e7c;font-style:italic}\
footer{margin-top:28px;padding-top:8px;border-top:1px solid #e1e5ea;font-size:12px;color:#7b8794}\
@media print{html{background:#fff}main{max-width:none;min-height:0;padding:0}.scroll,.table{overflow:visible}\
.scroll svg{min-width:0!important}tr{break-inside:avoid}thead{display:table-header-group}h2{break-after:avoid}}";

/// Escapes text for element content and attribute values.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if c.is_control() => o.push('\u{fffd}'),
            c => o.push(c),
        }
    }
    o
}

/// A coordinate: one decimal, never NaN or infinite.
fn px(v: f64) -> String {
    if !v.is_finite() {
        return "0".into();
    }
    let s = format!("{v:.1}");
    match s.strip_suffix(".0") {
        Some("-0") => "0".into(),
        Some(i) => i.to_string(),
        None => s,
    }
}

/// Estimated advance of `c` in ems of a sans-serif font.
fn char_w(c: char) -> f64 {
    match c {
        '\u{300}'..='\u{36f}'
        | '\u{200b}'..='\u{200f}'
        | '\u{fe00}'..='\u{fe0f}'
        | '\u{e0000}'..='\u{e01ef}' => 0.0,
        'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | 'I' | ' ' => 0.3,
        'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '-' | '/' => 0.4,
        'm' | 'w' | 'M' | 'W' | '@' | '%' => 0.95,
        c if c.is_ascii_uppercase() => 0.74,
        c if c.is_ascii() => 0.63,
        '\u{1100}'..='\u{115f}'
        | '\u{2e80}'..='\u{a4cf}'
        | '\u{ac00}'..='\u{d7a3}'
        | '\u{f900}'..='\u{faff}'
        | '\u{fe30}'..='\u{fe4f}'
        | '\u{ff00}'..='\u{ff60}'
        | '\u{ffe0}'..='\u{ffe6}'
        | '\u{1f000}'..='\u{1faff}'
        | '\u{20000}'..='\u{3fffd}' => 1.2,
        _ => 0.7,
    }
}

/// Estimated width of `s` at `font` px.
fn text_w(s: &str, font: f64) -> f64 {
    s.chars().map(char_w).sum::<f64>() * font
}

/// `s` cut to about `max_w` px at `font` px, ending in an ellipsis when cut.
fn truncate(s: &str, max_w: f64, font: f64) -> String {
    if text_w(s, font) <= max_w {
        return s.to_string();
    }
    let budget = max_w - char_w('…') * font;
    let mut w = 0.0;
    let mut out = String::new();
    for c in s.chars() {
        w += char_w(c) * font;
        if w > budget {
            break;
        }
        out.push(c);
    }
    while out.ends_with('\u{200d}') || out.ends_with(' ') {
        out.pop();
    }
    out.push('…');
    out
}

/// Digits grouped by thousands: "1234567.5" → "1,234,567.5".
fn group_thousands(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    if !int.bytes().all(|b| b.is_ascii_digit()) {
        return s.to_string();
    }
    let mut o = String::from(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            o.push(',');
        }
        o.push(c);
    }
    if let Some(f) = frac {
        o.push('.');
        o.push_str(f);
    }
    o
}

/// A value for people: a percentage with one decimal (two below 0.1%), or a
/// number with grouped thousands.
fn fmt_value(v: f64, percent: bool) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    if percent {
        let p = v * 100.0;
        if p == 0.0 {
            "0%".into()
        } else if p.abs() < 0.1 {
            format!("{p:.2}%")
        } else {
            format!("{p:.1}%")
        }
    } else if v.abs() >= 1e15 {
        format!("{v:.3e}")
    } else {
        group_thousands(&fmt_num(v + 0.0))
    }
}

/// Decimals needed to print multiples of `step` exactly.
fn decimals(step: f64) -> usize {
    (0..12)
        .find(|&d| {
            let s = step * 10f64.powi(d as i32);
            (s - s.round()).abs() < 1e-6 * s.abs().max(1.0)
        })
        .unwrap_or(12)
}

/// A linear value axis with nice ticks, mapped onto `x0..x1`.
struct Axis {
    lo: f64,
    hi: f64,
    step: f64,
    percent: bool,
    x0: f64,
    x1: f64,
}

impl Axis {
    /// An axis covering `lo..hi` (and zero) with 4 to 6 ticks at multiples
    /// of 1, 2, 2.5 or 5 times a power of ten.
    fn new(lo: f64, hi: f64, percent: bool) -> Axis {
        // Clamped so that the span stays finite.
        let (mut lo, mut hi) = (lo.clamp(-1e300, 0.0), hi.clamp(0.0, 1e300));
        if !(lo.is_finite() && hi.is_finite()) {
            (lo, hi) = (0.0, 1.0);
        }
        if hi - lo <= 0.0 {
            hi = lo + 1.0;
        }
        let e = ((hi - lo) / 5.0).log10().floor() as i32;
        let mut pick = None;
        'search: for k in e - 1..=e + 1 {
            for m in [1.0, 2.0, 2.5, 5.0] {
                let step = m * 10f64.powi(k);
                let a = (lo / step + 1e-9).floor();
                let b = (hi / step - 1e-9).ceil();
                if b - a <= 5.0 && b > a {
                    pick = Some((a * step, b * step, step));
                    break 'search;
                }
            }
        }
        let (lo, hi, step) = pick.unwrap_or((lo, hi, (hi - lo) / 5.0));
        Axis {
            lo,
            hi,
            step,
            percent,
            x0: 0.0,
            x1: 1.0,
        }
    }

    /// The x coordinate of `v`.
    fn x(&self, v: f64) -> f64 {
        let t = (v - self.lo) / (self.hi - self.lo);
        let t = if t.is_finite() {
            t.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.x0 + t * (self.x1 - self.x0)
    }

    /// The ticks and their labels.
    fn ticks(&self) -> Vec<(f64, String)> {
        let a = (self.lo / self.step).round();
        let n = ((self.hi - self.lo) / self.step).round();
        if !(a.is_finite() && n.is_finite()) || n > 20.0 {
            return vec![
                (self.lo, self.label(self.lo)),
                (self.hi, self.label(self.hi)),
            ];
        }
        (0..=n as i64)
            .map(|i| {
                let v = (a + i as f64) * self.step;
                (v, self.label(v))
            })
            .collect()
    }

    fn label(&self, v: f64) -> String {
        let v = v + 0.0;
        if v == 0.0 {
            return if self.percent { "0%" } else { "0" }.into();
        }
        if self.percent {
            let d = decimals(self.step * 100.0);
            return format!("{:.*}%", d, v * 100.0 + 0.0);
        }
        let top = self.lo.abs().max(self.hi.abs());
        if top >= 1e15 {
            return format!("{v:.1e}");
        }
        let (div, suffix) = match top {
            t if t >= 1e12 => (1e12, "T"),
            t if t >= 1e9 => (1e9, "G"),
            t if t >= 1e6 => (1e6, "M"),
            t if t >= 1e4 => (1e3, "k"),
            _ => (1.0, ""),
        };
        let d = decimals(self.step / div);
        let s = format!("{:.*}", d, v / div + 0.0);
        format!("{}{suffix}", group_thousands(&s))
    }

    /// Grid lines, the axis line, tick labels and the caption.
    fn svg(&self, top: f64, axis_y: f64, caption: &str) -> String {
        let mut s = String::from("<g class=\"axis\">");
        for (v, label) in self.ticks() {
            let x = px(self.x(v));
            let grid = if v == 0.0 { "#9aa5b1" } else { "#e4e7eb" };
            s.push_str(&format!(
                "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{grid}\"/>",
                px(top),
                px(axis_y)
            ));
            s.push_str(&format!(
                "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#9aa5b1\"/>",
                px(axis_y),
                px(axis_y + 4.0)
            ));
            s.push_str(&format!(
                "<text class=\"tick\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                px(axis_y + 16.0),
                esc(&label)
            ));
        }
        s.push_str(&format!(
            "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#9aa5b1\"/>",
            px(self.x0),
            px(self.x1),
            y = px(axis_y)
        ));
        if !caption.is_empty() {
            let cap = truncate(&sanitize(caption), self.x1 - self.x0, 11.5);
            s.push_str(&format!(
                "<text class=\"cap\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                px((self.x0 + self.x1) / 2.0),
                px(axis_y + 33.0),
                esc(&cap)
            ));
        }
        s.push_str("</g>");
        s
    }
}

/// Opens an `<svg>` scaled to its container, never wider than `w` px.
fn svg_open(w: f64, h: f64, title: &str, min_w: Option<f64>) -> String {
    let min = min_w.map_or(String::new(), |m| format!(";min-width:{}px", px(m)));
    format!(
        "<svg class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" \
         width=\"100%\" style=\"max-width:{w}px{min}\" role=\"img\" aria-label=\"{}\">",
        esc(title),
        w = px(w),
        h = px(h),
    )
}

fn section_open(title: &str) -> String {
    format!("<section class=\"chart\">\n<h2>{}</h2>\n", esc(title))
}

const EMPTY: &str = "<p class=\"empty\">No data to chart.</p>\n</section>\n";

/// Width of the label column of a row chart.
fn label_column(labels: &[String]) -> f64 {
    let widest = labels.iter().map(|l| text_w(l, 12.0)).fold(0.0, f64::max);
    widest.clamp(50.0, 240.0) + 20.0
}

/// A row's label (right-aligned, cut to the label column).
fn row_label(label: &str, lw: f64, yc: f64) -> String {
    format!(
        "<text class=\"lbl\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
        px(lw - 8.0),
        px(yc + 4.0),
        esc(&truncate(label, lw - 20.0, 12.0))
    )
}

/// A row's hover background, which also carries the row's tooltip.
fn row_open(tooltip: &str, y: f64, row_h: f64) -> String {
    format!(
        "<g class=\"row\"><title>{}</title><rect class=\"bg\" x=\"0\" y=\"{}\" width=\"{}\" \
         height=\"{}\" fill=\"#ffffff\" fill-opacity=\"0\"/>",
        tooltip,
        px(y),
        px(ROW_CHART_W),
        px(row_h)
    )
}

fn more_rows(total: usize) -> String {
    if total > MAX_ROWS {
        format!(
            "<p class=\"more\">{} more not shown.</p>\n",
            total - MAX_ROWS
        )
    } else {
        String::new()
    }
}

/// A finite interval, ordered.
fn interval(b: &Bar) -> Option<(f64, f64)> {
    b.interval
        .filter(|(a, c)| a.is_finite() && c.is_finite())
        .map(|(a, c)| (a.min(c), a.max(c)))
}

fn bars_chart(
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

    let highlighted = shown.iter().any(|b| b.highlight);
    let whiskers = shown.iter().any(|b| interval(b).is_some());
    if highlighted || whiskers {
        h.push_str("<div class=\"legend\">");
        if highlighted {
            h.push_str(&format!(
                "<span><i class=\"sw\" style=\"background:{ALERT}\"></i>highlighted</span>\
                 <span><i class=\"sw\" style=\"background:{CALM}\"></i>other</span>"
            ));
        }
        if whiskers {
            h.push_str("<span><i class=\"whisk\"></i>interval</span>");
        }
        h.push_str("</div>\n");
    }

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
    let mut axis = Axis::new(lo, hi, percent);

    let labels: Vec<String> = shown.iter().map(|b| sanitize(&b.label)).collect();
    let values: Vec<String> = shown.iter().map(|b| fmt_value(b.value, percent)).collect();
    let lw = label_column(&labels);
    let ticks = axis.ticks();
    let last_tick = ticks.last().map_or(0.0, |t| text_w(&t.1, 11.0) / 2.0);
    let vw = values
        .iter()
        .map(|v| text_w(v, 11.0) + 12.0)
        .fold(last_tick + 6.0, f64::max);
    axis.x0 = lw;
    axis.x1 = (ROW_CHART_W - vw).max(lw + 100.0);

    let row_h = 22.0;
    let bar_h = 14.0;
    let top = if reference.is_some() { 24.0 } else { 6.0 };
    let axis_y = top + shown.len() as f64 * row_h + 4.0;
    let height = axis_y + if unit.is_empty() { 24.0 } else { 40.0 };

    h.push_str(&svg_open(ROW_CHART_W, height, title, None));
    h.push_str(&axis.svg(top - 2.0, axis_y, unit));
    for (i, b) in shown.iter().enumerate() {
        let y = top + i as f64 * row_h;
        let yc = y + row_h / 2.0;
        let mut tip = format!("{}: {}", esc(&labels[i]), esc(&values[i]));
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
        h.push_str(&row_open(&tip, y, row_h));
        h.push_str(&row_label(&labels[i], lw, yc));
        let mut end = axis.x(0.0);
        if b.value.is_finite() {
            let (xa, xb) = (axis.x(b.value.min(0.0)), axis.x(b.value.max(0.0)));
            end = xb;
            if xb - xa > 0.0 {
                h.push_str(&format!(
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"2\" fill=\"{}\"/>",
                    px(xa),
                    px(yc - bar_h / 2.0),
                    px((xb - xa).max(0.5)),
                    px(bar_h),
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
            esc(&values[i])
        ));
    }
    if let Some((label, r)) = reference {
        let x = axis.x(*r);
        let text = format!("{} {}", sanitize(label), fmt_value(*r, percent))
            .trim()
            .to_string();
        let text = truncate(&text, axis.x1 - axis.x0, 11.0);
        let span = axis.x1 - axis.x0;
        let anchor = if x > axis.x0 + span * 0.8 {
            "end"
        } else if x < axis.x0 + span * 0.2 {
            "start"
        } else {
            "middle"
        };
        h.push_str(&format!(
            "<g class=\"refline\"><title>{}</title><line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" \
             stroke=\"#5f4b00\" stroke-width=\"1.4\" stroke-dasharray=\"5 4\"/>\
             <text class=\"ref\" x=\"{x}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text></g>",
            esc(&format!("{} {}", sanitize(label), fmt_value(*r, percent))),
            px(top - 8.0),
            px(axis_y),
            px(top - 12.0),
            esc(&text),
            x = px(x),
        ));
    }
    h.push_str("</svg>\n");
    h.push_str(&more_rows(bars.len()));
    h.push_str("</section>\n");
    h
}

/// A drawable segment value: finite and positive, else zero.
fn segment(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 { v } else { 0.0 }
}

fn stacked_chart(title: &str, series: &[String], rows: &[(String, Vec<f64>)]) -> String {
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
    let lw = label_column(&labels);
    let last_tick = axis
        .ticks()
        .last()
        .map_or(0.0, |t| text_w(&t.1, 11.0) / 2.0);
    let vw = total_text
        .iter()
        .map(|v| text_w(v, 11.0) + 12.0)
        .fold(last_tick + 6.0, f64::max);
    axis.x0 = lw;
    axis.x1 = (ROW_CHART_W - vw).max(lw + 100.0);

    let row_h = 26.0;
    let bar_h = 18.0;
    let top = 6.0;
    let axis_y = top + shown.len() as f64 * row_h + 4.0;
    let height = axis_y + 24.0;
    h.push_str(&svg_open(ROW_CHART_W, height, title, None));
    h.push_str(&axis.svg(top - 2.0, axis_y, ""));
    for (i, (_, values)) in shown.iter().enumerate() {
        let y = top + i as f64 * row_h;
        let yc = y + row_h / 2.0;
        let tip = format!("{}: total {}", esc(&labels[i]), esc(&total_text[i]));
        h.push_str(&row_open(&tip, y, row_h));
        h.push_str(&row_label(&labels[i], lw, yc));
        let mut acc = 0.0;
        for (j, &raw) in values.iter().take(series.len()).enumerate() {
            let v = segment(raw);
            if v == 0.0 {
                continue;
            }
            let (xa, xb) = (axis.x(acc), axis.x(acc + v));
            acc += v;
            let (fill, ink) = PALETTE[j % PALETTE.len()];
            let text = fmt_value(v, false);
            let share = fmt_value(v / totals[i], true);
            h.push_str(&format!(
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"#ffffff\" \
                 stroke-width=\"0.8\"><title>{} · {}: {} ({} of total)</title></rect>",
                px(xa),
                px(yc - bar_h / 2.0),
                px((xb - xa).max(0.5)),
                px(bar_h),
                esc(&labels[i]),
                esc(&names[j]),
                esc(&text),
                esc(&share),
            ));
            if xb - xa >= text_w(&text, 11.0) + 8.0 {
                h.push_str(&format!(
                    "<text class=\"seg\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{ink}\" \
                     pointer-events=\"none\">{}</text>",
                    px((xa + xb) / 2.0),
                    px(yc + 4.0),
                    esc(&text)
                ));
            }
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

/// The fill of a node: white at share 0, strong blue at share 1, and the
/// text colour readable on it.
fn node_colours(share: f64) -> (String, &'static str, &'static str) {
    let s = if share.is_finite() {
        share.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mix = |a: f64, b: f64| (a + (b - a) * s).round() as u8;
    let fill = format!(
        "#{:02x}{:02x}{:02x}",
        mix(255.0, 31.0),
        mix(255.0, 95.0),
        mix(255.0, 153.0)
    );
    if s < 0.5 {
        (fill, "#1f2933", "#52606d")
    } else {
        (fill, "#ffffff", "#e4ecf5")
    }
}

fn genealogy_chart(title: &str, nodes: &[GraphNode], edges: &[(usize, usize)]) -> String {
    let mut h = section_open(title);
    if nodes.is_empty() {
        h.push_str(EMPTY);
        return h;
    }
    // Shallow lots first, so a cut keeps the seeds; input order within a level.
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    order.sort_by_key(|&i| nodes[i].level);
    order.truncate(MAX_NODES);
    let mut columns: Vec<(u32, Vec<usize>)> = Vec::new();
    for &i in &order {
        match columns.last_mut() {
            Some((l, c)) if *l == nodes[i].level => c.push(i),
            _ => columns.push((nodes[i].level, vec![i])),
        }
    }

    h.push_str(
        "<div class=\"legend\"><span><i class=\"grad\"></i>share 0% → 100%</span>\
         <span><i class=\"seedbox\"></i>seed lot</span><span><i class=\"nodebox\"></i>other lot</span>\
         <span>arrows run input → output</span></div>\n",
    );

    let (bw, bh, hgap, vgap, pad, head) = (168.0, 40.0, 84.0, 12.0, 10.0, 24.0);
    let tallest = columns.iter().map(|c| c.1.len()).max().unwrap_or(1) as f64;
    let width = pad * 2.0 + columns.len() as f64 * bw + (columns.len() as f64 - 1.0) * hgap;
    let height = head + pad + tallest * (bh + vgap) - vgap + pad;
    let mut pos: Vec<Option<(f64, f64)>> = vec![None; nodes.len()];
    for (c, (_, members)) in columns.iter().enumerate() {
        let x = pad + c as f64 * (bw + hgap);
        let offset = (tallest - members.len() as f64) * (bh + vgap) / 2.0;
        for (r, &i) in members.iter().enumerate() {
            pos[i] = Some((x, head + pad + offset + r as f64 * (bh + vgap)));
        }
    }

    h.push_str("<div class=\"scroll\">");
    h.push_str(&svg_open(
        width,
        height,
        title,
        Some(width.min(720.0).max(width * 0.7)),
    ));
    for (c, (level, _)) in columns.iter().enumerate() {
        h.push_str(&format!(
            "<text class=\"colh\" x=\"{}\" y=\"16\" text-anchor=\"middle\">level {level}</text>",
            px(pad + c as f64 * (bw + hgap) + bw / 2.0)
        ));
    }
    let mut lines = String::new();
    let mut heads = String::new();
    for &(a, b) in edges {
        let (Some(Some((xa, ya))), Some(Some((xb, yb)))) = (pos.get(a), pos.get(b)) else {
            continue;
        };
        if a == b {
            continue;
        }
        let (sx, sy) = (xa + bw, ya + bh / 2.0);
        let (tx, ty) = (*xb, yb + bh / 2.0);
        let ex = tx - 6.0;
        let k = ((ex - sx).abs() / 2.0).max(24.0);
        lines.push_str(&format!(
            "<path d=\"M{} {}C{} {} {} {} {} {}\"/>",
            px(sx),
            px(sy),
            px(sx + k),
            px(sy),
            px(ex - k),
            px(ty),
            px(ex),
            px(ty)
        ));
        heads.push_str(&format!(
            "<path d=\"M{} {}L{} {}L{} {}Z\"/>",
            px(tx),
            px(ty),
            px(tx - 7.0),
            px(ty - 3.5),
            px(tx - 7.0),
            px(ty + 3.5)
        ));
    }
    h.push_str(&format!(
        "<g fill=\"none\" stroke=\"#7b8fa6\" stroke-width=\"1.2\" stroke-opacity=\"0.75\">{lines}</g>\
         <g fill=\"#5c7088\">{heads}</g>"
    ));
    for &i in &order {
        let n = &nodes[i];
        let Some((x, y)) = pos[i] else { continue };
        let (fill, ink, ink2) = node_colours(n.share);
        let (stroke, sw) = if n.seed {
            ("#16324f", 2.6)
        } else {
            ("#8aa1b8", 1.0)
        };
        let id = sanitize(&n.id);
        let detail = sanitize(&n.detail);
        let mut tip = format!(
            "{}\n{}\nlevel {} · share {}",
            esc(&id),
            esc(&detail),
            n.level,
            esc(&fmt_value(n.share, true))
        );
        if n.seed {
            tip.push_str(" · seed");
        }
        h.push_str(&format!(
            "<g class=\"node\"><title>{tip}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" \
             fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{sw}\"/>\
             <text class=\"nid\" x=\"{tx}\" y=\"{}\" fill=\"{ink}\">{}</text>\
             <text class=\"ndt\" x=\"{tx}\" y=\"{}\" fill=\"{ink2}\">{}</text></g>",
            px(x),
            px(y),
            px(bw),
            px(bh),
            px(y + 17.0),
            esc(&truncate(&id, bw - 18.0, 12.6)),
            px(y + 32.0),
            esc(&truncate(&detail, bw - 18.0, 11.0)),
            tx = px(x + 9.0),
        ));
    }
    h.push_str("</svg></div>\n");
    if nodes.len() > MAX_NODES {
        h.push_str(&format!(
            "<p class=\"more\">{} more lots not drawn.</p>\n",
            nodes.len() - MAX_NODES
        ));
    }
    h.push_str("</section>\n");
    h
}

fn chart(c: &Chart) -> String {
    match c {
        Chart::Bars {
            title,
            unit,
            percent,
            bars,
            reference,
        } => bars_chart(title, unit, *percent, bars, reference.as_ref()),
        Chart::Stacked {
            title,
            series,
            rows,
        } => stacked_chart(title, series, rows),
        Chart::Genealogy {
            title,
            nodes,
            edges,
        } => genealogy_chart(title, nodes, edges),
    }
}

fn table(name: &str, t: &Tabular) -> String {
    let numeric: Vec<bool> = (0..t.columns.len())
        .map(|i| {
            t.rows
                .iter()
                .find_map(|r| r.get(i))
                .is_some_and(|c| c.is_numeric())
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

/// Renders `doc` as a complete HTML page.
pub fn render(doc: &Document) -> String {
    let title = if doc.title.trim().is_empty() {
        "lotgraph report"
    } else {
        doc.title.as_str()
    };
    let mut h = String::with_capacity(32 * 1024);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // No scripts and no requests, even if something slipped through.
    h.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
    );
    h.push_str(&format!("<title>{}</title>\n", esc(title)));
    h.push_str(&format!("<style>{CSS}</style>\n</head>\n<body>\n<main>\n"));
    h.push_str(&format!("<header>\n<h1>{}</h1>\n", esc(title)));
    if !doc.notes.is_empty() {
        h.push_str("<div class=\"notes\">\n");
        for n in &doc.notes {
            h.push_str(&format!("<p>{}</p>\n", esc(n)));
        }
        h.push_str("</div>\n");
    }
    h.push_str("</header>\n");
    for c in &doc.charts {
        h.push_str(&chart(c));
    }
    for (name, t) in &doc.tables {
        h.push_str(&table(name, t));
    }
    h.push_str(&format!(
        "<footer>Generated by lotgraph {}</footer>\n</main>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    ));
    h
}

#[cfg(test)]
mod tests {
    use super::super::Cell;
    use super::*;

    const HOSTILE: &str = "<script>alert(\"x\")</script> & 'quoted' \"lot\"";

    fn bar(label: &str, value: f64, interval: Option<(f64, f64)>, highlight: bool) -> Bar {
        Bar {
            label: label.into(),
            value,
            interval,
            highlight,
        }
    }

    fn node(id: &str, detail: &str, level: u32, share: f64, seed: bool) -> GraphNode {
        GraphNode {
            id: id.into(),
            detail: detail.into(),
            level,
            share,
            seed,
        }
    }

    fn hostile_doc() -> Document {
        let mut t = Tabular::new(&["lot_id", "share", "quantity"]);
        t.push(vec![
            Cell::text(HOSTILE),
            Cell::Share(0.5),
            Cell::Num(Some(2.0)),
        ]);
        t.push(vec![
            Cell::text("B\nC 🍓"),
            Cell::Share(1.0),
            Cell::Num(None),
        ]);
        Document {
            title: HOSTILE.into(),
            notes: vec![HOSTILE.into(), "plain note".into()],
            tables: vec![(HOSTILE.into(), t)],
            charts: vec![
                Chart::Bars {
                    title: HOSTILE.into(),
                    unit: HOSTILE.into(),
                    percent: true,
                    bars: vec![
                        bar(HOSTILE, 0.12, Some((0.08, 0.17)), true),
                        bar("B\nC 🍓", 0.03, Some((0.01, 0.06)), false),
                        bar("zero", 0.0, None, false),
                        bar("nan", f64::NAN, Some((f64::NAN, 1.0)), false),
                    ],
                    reference: Some((HOSTILE.into(), 0.05)),
                },
                Chart::Stacked {
                    title: HOSTILE.into(),
                    series: vec![HOSTILE.into(), "in transit".into(), "delivered".into()],
                    rows: vec![
                        (HOSTILE.into(), vec![120.0, 30.0, 500.0]),
                        ("kg".into(), vec![f64::NAN, -3.0, 12.5]),
                        ("short".into(), vec![1.0]),
                    ],
                },
                Chart::Genealogy {
                    title: HOSTILE.into(),
                    nodes: vec![
                        node(HOSTILE, HOSTILE, 0, 1.0, true),
                        node("B\nC 🍓", "sku & co", 1, 0.4, false),
                        node("L3", "", 2, f64::NAN, false),
                    ],
                    edges: vec![(0, 1), (1, 2), (2, 2), (0, 99)],
                },
            ],
            json: serde_json::Value::Null.into(),
        }
    }

    fn without_ns(h: &str) -> String {
        h.replace("xmlns=\"http://www.w3.org/2000/svg\"", "")
    }

    #[test]
    fn hostile_text_is_escaped_everywhere() {
        let h = render(&hostile_doc());
        let lower = h.to_lowercase();
        assert!(!lower.contains("<script"), "raw script tag");
        assert!(!lower.contains("javascript:"));
        assert!(!lower.contains("onload=") && !lower.contains("onerror="));
        assert!(
            h.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;")
        );
        // Control characters are replaced, emoji kept.
        assert!(h.contains("B\u{fffd}C 🍓"));
        assert!(!h.contains("B\nC"));
        // No NaN or infinity leaks into coordinates or labels.
        assert!(!h.contains("NaN") && !h.contains("inf\"") && !h.contains("inf<"));
        // Every chart kind drew something.
        assert!(h.contains(&format!("fill=\"{ALERT}\"")));
        assert!(h.contains("stroke-dasharray"));
        assert!(h.contains("class=\"node\""));
        assert_eq!(h.matches("class=\"node\"").count(), 3);
    }

    #[test]
    fn markup_is_balanced_and_self_contained() {
        let h = render(&hostile_doc());
        let open = h.matches("<svg").count();
        assert_eq!(open, 3);
        assert_eq!(open, h.matches("</svg>").count());
        for tag in ["section", "g", "text", "title", "table", "tr", "p", "div"] {
            let opens =
                h.matches(&format!("<{tag}>")).count() + h.matches(&format!("<{tag} ")).count();
            assert_eq!(opens, h.matches(&format!("</{tag}>")).count(), "<{tag}>");
        }
        let page = without_ns(&h);
        assert!(!page.contains("http://") && !page.contains("https://"));
        assert!(!page.contains("url(") && !page.contains("@import") && !page.contains("src="));
        assert!(h.starts_with("<!DOCTYPE html>") && h.ends_with("</html>\n"));
        // Charts come before tables.
        assert!(h.find("<svg").unwrap() < h.find("<table").unwrap());
    }

    #[test]
    fn empty_charts_do_not_panic() {
        let doc = Document {
            title: String::new(),
            charts: vec![
                Chart::Bars {
                    title: "b".into(),
                    unit: String::new(),
                    percent: false,
                    bars: vec![],
                    reference: Some(("r".into(), f64::NAN)),
                },
                Chart::Stacked {
                    title: "s".into(),
                    series: vec![],
                    rows: vec![("x".into(), vec![1.0])],
                },
                Chart::Stacked {
                    title: "s2".into(),
                    series: vec!["a".into()],
                    rows: vec![("x".into(), vec![]), ("y".into(), vec![0.0])],
                },
                Chart::Genealogy {
                    title: "g".into(),
                    nodes: vec![],
                    edges: vec![(0, 1)],
                },
                Chart::Bars {
                    title: "all zero".into(),
                    unit: "u".into(),
                    percent: true,
                    bars: vec![bar("a", 0.0, None, false), bar("b", f64::NAN, None, true)],
                    reference: None,
                },
                Chart::Bars {
                    title: "huge".into(),
                    unit: "u".into(),
                    percent: false,
                    bars: vec![
                        bar("a", f64::MAX, None, false),
                        bar("b", -1e300, None, false),
                    ],
                    reference: Some(("inf".into(), f64::INFINITY)),
                },
            ],
            ..Document::default()
        };
        let h = render(&doc);
        assert_eq!(h.matches("No data to chart.").count(), 3);
        assert_eq!(h.matches("<svg").count(), h.matches("</svg>").count());
        assert!(!h.contains("NaN") && !h.contains("inf\""));
        assert!(h.contains("<title>lotgraph report</title>"));
    }

    fn big_doc() -> Document {
        let bars: Vec<Bar> = (0..100)
            .map(|i| bar(&format!("supplier {i}"), i as f64, None, i % 7 == 0))
            .collect();
        let nodes: Vec<GraphNode> = (0..250)
            .map(|i| node(&format!("L{i}"), "SKU", (i % 5) as u32, 0.5, i < 3))
            .collect();
        let edges: Vec<(usize, usize)> = (1..250).map(|i| (i - 1, i)).collect();
        let rows: Vec<(String, Vec<f64>)> =
            (0..45).map(|i| (format!("r{i}"), vec![1.0, 2.0])).collect();
        Document {
            title: "big".into(),
            charts: vec![
                Chart::Bars {
                    title: "many".into(),
                    unit: "count".into(),
                    percent: false,
                    bars,
                    reference: None,
                },
                Chart::Stacked {
                    title: "rows".into(),
                    series: vec!["a".into(), "b".into()],
                    rows,
                },
                Chart::Genealogy {
                    title: "lots".into(),
                    nodes,
                    edges,
                },
            ],
            ..Document::default()
        }
    }

    #[test]
    fn big_charts_are_capped() {
        let doc = big_doc();
        let h = render(&doc);
        assert!(h.contains("60 more not shown."));
        assert!(h.contains("5 more not shown."));
        assert!(h.contains("50 more lots not drawn."));
        assert_eq!(h.matches("class=\"node\"").count(), MAX_NODES);
        assert_eq!(h.matches("class=\"row\"").count(), 2 * MAX_ROWS);
        // The cut keeps the shallow levels, seeds included.
        assert!(h.contains(">L0<") && h.contains(">L1<"));
    }

    #[test]
    fn long_labels_are_cut_with_the_full_text_in_the_tooltip() {
        let long =
            "a very long supplier name that goes on and on and on and on and on and on forever";
        let doc = Document {
            charts: vec![Chart::Bars {
                title: "t".into(),
                unit: "u".into(),
                percent: false,
                bars: vec![bar(long, 3.0, None, false)],
                reference: None,
            }],
            ..Document::default()
        };
        let h = render(&doc);
        assert!(h.contains(&format!("<title>{long}: 3</title>")));
        assert!(h.contains("…</text>"));
    }

    #[test]
    fn axes_have_four_to_six_nice_ticks() {
        for hi in [
            0.001, 0.0137, 0.05, 0.137, 0.3, 0.9999, 1.0, 3.0, 7.0, 12.0, 99.0, 1234.0, 5e6,
        ] {
            for lo in [0.0, -hi / 3.0] {
                let a = Axis::new(lo, hi, false);
                let t = a.ticks();
                assert!((4..=6).contains(&t.len()), "{lo}..{hi}: {t:?}");
                assert!(a.lo <= lo && a.hi >= hi);
            }
        }
        let labels: Vec<String> = Axis::new(0.0, 0.137, true)
            .ticks()
            .into_iter()
            .map(|t| t.1)
            .collect();
        assert_eq!(labels, ["0%", "5%", "10%", "15%"]);
        let labels: Vec<String> = Axis::new(0.0, 0.0137, true)
            .ticks()
            .into_iter()
            .map(|t| t.1)
            .collect();
        assert_eq!(labels, ["0%", "0.5%", "1.0%", "1.5%"]);
        let labels: Vec<String> = Axis::new(0.0, 45_000.0, false)
            .ticks()
            .into_iter()
            .map(|t| t.1)
            .collect();
        assert_eq!(labels, ["0", "10k", "20k", "30k", "40k", "50k"]);
        assert_eq!(fmt_value(1234567.5, false), "1,234,567.5");
        assert_eq!(fmt_value(-0.0, false), "0");
        assert_eq!(fmt_value(0.0004, true), "0.04%");
    }

    /// Writes a realistic sample page: `cargo test --lib report::html -- --ignored`.
    #[test]
    #[ignore]
    fn write_sample() {
        let path =
            std::env::var("LOTGRAPH_SAMPLE_HTML").unwrap_or_else(|_| "/tmp/sample.html".into());
        let suppliers = [
            ("Acme Foods", 0.112, (0.081, 0.152), true),
            (
                "Nordic Dairy Cooperative of the Northern Lowlands and Islands",
                0.074,
                (0.052, 0.104),
                true,
            ),
            ("Berry & Sons <EU>", 0.041, (0.030, 0.056), false),
            ("\"Quoted\" Farms", 0.029, (0.018, 0.046), false),
            ("Fresh 🍓 GmbH", 0.018, (0.009, 0.035), false),
            ("Zero Returns Ltd", 0.0, (0.0, 0.021), false),
        ];
        let mut t = Tabular::new(&["supplier", "lots", "return_rate"]);
        for (s, r, _, _) in suppliers {
            t.push(vec![
                Cell::text(s),
                Cell::Int((r * 1000.0) as u64 + 40),
                Cell::Share(r),
            ]);
        }
        let nodes = vec![
            node("RM-MILK-0001", "SKU raw-milk", 0, 1.0, true),
            node("RM-SUGAR-17", "SKU sugar-50kg", 0, 0.35, true),
            node("WIP-YOG-2231", "SKU yoghurt-base", 1, 0.8, false),
            node("WIP-YOG-2232", "SKU yoghurt-base", 1, 0.2, false),
            node("FG-STRAW-<1>", "SKU strawberry 150g", 2, 0.6, false),
            node("FG-PLAIN-88", "SKU plain 500g", 2, 0.25, false),
            node(
                "FG-VAN-\"x\"",
                "SKU vanilla 150g with a long name",
                2,
                0.05,
                false,
            ),
            node("SHIP-9001", "customer DE-042", 3, 0.5, false),
        ];
        let edges = vec![
            (0, 2),
            (0, 3),
            (1, 2),
            (2, 4),
            (2, 5),
            (3, 5),
            (3, 6),
            (4, 7),
            (5, 7),
        ];
        let doc = Document {
            title: "Supplier return rates — Q3 <sample>".into(),
            notes: vec![
                "6 suppliers, 1,204 lots, 58 returned lots.".into(),
                "Highlighted suppliers exceed the SKU baseline at 95% confidence.".into(),
            ],
            charts: vec![
                Chart::Bars {
                    title: "Return rate by supplier (95% Wilson interval)".into(),
                    unit: "return rate".into(),
                    percent: true,
                    bars: suppliers
                        .iter()
                        .map(|(s, r, i, h)| bar(s, *r, Some(*i), *h))
                        .collect(),
                    reference: Some(("SKU baseline".into(), 0.038)),
                },
                Chart::Bars {
                    title: "Returned units by reason".into(),
                    unit: "units".into(),
                    percent: false,
                    bars: vec![
                        bar("damaged", 18250.0, None, false),
                        bar("expired", 7400.0, None, false),
                        bar("contaminated", 3100.0, None, true),
                        bar("unknown", f64::NAN, None, false),
                    ],
                    reference: None,
                },
                Chart::Stacked {
                    title: "Units by unit of measure".into(),
                    series: vec!["on hand".into(), "in transit".into(), "delivered".into()],
                    rows: vec![
                        ("kg".into(), vec![12000.0, 3400.0, 48000.0]),
                        ("each".into(), vec![900.0, 120.0, 5000.0]),
                        ("litre".into(), vec![20000.0, 0.0, 1500.0]),
                        ("pallet".into(), vec![14.0, 3.0, 40.0]),
                    ],
                },
                Chart::Genealogy {
                    title: "Forward trace of RM-MILK-0001".into(),
                    nodes,
                    edges,
                },
            ],
            tables: vec![("Suppliers".into(), t)],
            json: serde_json::Value::Null.into(),
        };
        std::fs::write(&path, render(&doc)).unwrap();
        let stem = path.trim_end_matches(".html");
        std::fs::write(format!("{stem}_hostile.html"), render(&hostile_doc())).unwrap();
        std::fs::write(format!("{stem}_big.html"), render(&big_doc())).unwrap();
    }
}
