//! Numbers as the page prints them: SVG coordinates with one decimal, and
//! values for people (percentages, grouped thousands). Nothing here lets a
//! NaN or an infinity through as text.

use crate::report::fmt_num;

/// A coordinate: one decimal, never NaN or infinite.
pub(super) fn px(v: f64) -> String {
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

/// Digits grouped by thousands: "1234567.5" → "1,234,567.5".
pub(super) fn group_thousands(s: &str) -> String {
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
pub(super) fn fmt_value(v: f64, percent: bool) -> String {
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
        // Adding zero turns -0 into 0.
        group_thousands(&fmt_num(v + 0.0))
    }
}

/// Decimals needed to print multiples of `step` exactly.
pub(super) fn decimals(step: f64) -> usize {
    (0..12)
        .find(|&d| {
            let s = step * 10f64.powi(d as i32);
            (s - s.round()).abs() < 1e-6 * s.abs().max(1.0)
        })
        .unwrap_or(12)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_group_thousands_and_keep_small_percentages() {
        assert_eq!(fmt_value(1234567.5, false), "1,234,567.5");
        assert_eq!(fmt_value(-0.0, false), "0");
        assert_eq!(fmt_value(0.0004, true), "0.04%");
    }
}
