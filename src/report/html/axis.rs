//! The value axis of the row charts: a linear scale with 4 to 6 nice ticks,
//! its mapping onto x coordinates, and its SVG (grid, ticks, caption).

use super::format::{decimals, group_thousands, px};
use super::text::{esc, truncate};
use crate::report::sanitize;

/// A linear value axis with nice ticks, mapped onto `x0..x1`.
pub(super) struct Axis {
    lo: f64,
    hi: f64,
    step: f64,
    percent: bool,
    /// Where `lo` is drawn; set by the chart once its label column is known.
    pub(super) x0: f64,
    /// Where `hi` is drawn.
    pub(super) x1: f64,
}

impl Axis {
    /// An axis covering `lo..hi` (and zero) with 4 to 6 ticks at multiples
    /// of 1, 2, 2.5 or 5 times a power of ten.
    pub(super) fn new(lo: f64, hi: f64, percent: bool) -> Axis {
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
    pub(super) fn x(&self, v: f64) -> f64 {
        let t = (v - self.lo) / (self.hi - self.lo);
        let t = if t.is_finite() {
            t.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.x0 + t * (self.x1 - self.x0)
    }

    /// The ticks and their labels.
    pub(super) fn ticks(&self) -> Vec<(f64, String)> {
        let a = (self.lo / self.step).round();
        let n = ((self.hi - self.lo) / self.step).round();
        // A step too small for the span (huge values) gives just the ends.
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

    /// The label of the tick at `v`: as many decimals as the step needs,
    /// large numbers with a k/M/G/T suffix.
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
    pub(super) fn svg(&self, top: f64, axis_y: f64, caption: &str) -> String {
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
                px(f64::midpoint(self.x0, self.x1)),
                px(axis_y + 33.0),
                esc(&cap)
            ));
        }
        s.push_str("</g>");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
