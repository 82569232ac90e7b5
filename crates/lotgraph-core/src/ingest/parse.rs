//! Parsing of single cells: dates, decimals, integers, enums. Each parser
//! returns the kind and problem text of a rejected cell, worded as
//! `"<value>" is <what is wrong>`, so messages read
//! `lots.csv:42: quantity: "-3" is negative`.

use super::RejectKind;
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use std::fmt;

/// A cell that does not parse: the kind of problem and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    pub kind: RejectKind,
    /// `"<value>" is <what is wrong>`.
    pub problem: String,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problem)
    }
}

fn invalid(kind: RejectKind, problem: String) -> Invalid {
    Invalid { kind, problem }
}

/// Longest value quoted whole in a message; a longer one is cut (so one
/// huge cell cannot make a huge message, copied into every reject that
/// points at it).
const QUOTED_MAX: usize = 100;

/// The value as a message quotes it: `"-3"`, or for a long value its start
/// and its size, `"aaaa…"[1048576 bytes]`.
pub fn quoted(s: &str) -> String {
    if s.len() <= QUOTED_MAX {
        return format!("{s:?}");
    }
    let mut cut = QUOTED_MAX;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{:?}[{} bytes]", format!("{}…", &s[..cut]), s.len())
}

/// Parses an ISO 8601 date, or a timestamp whose date part (in its own
/// offset) is taken.
pub fn date(s: &str) -> Result<NaiveDate, Invalid> {
    let t = s.trim();
    // Fast path for the common `YYYY-MM-DD` (chrono's format parser is ~30x
    // slower and dates are a tenth of ingest time); anything else, including
    // invalid days, falls through to the general parsers and their message.
    if let Some(d) = plain_date(t.as_bytes()) {
        return Ok(d);
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.date_naive());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, fmt) {
            return Ok(dt.date());
        }
    }
    if let Ok(dt) = DateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f%:z") {
        return Ok(dt.date_naive());
    }
    Err(invalid(
        RejectKind::BadDate,
        format!("{} is not an ISO 8601 date (YYYY-MM-DD)", quoted(s)),
    ))
}

fn plain_date(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

/// The largest quantity or cost accepted: sums of a few such values stay
/// far from overflow, so shares never silently become 0 / inf.
pub const MAX_QUANTITY: f64 = 1e15;

/// Parses a finite decimal number no larger than `MAX_QUANTITY`.
fn finite(s: &str) -> Result<f64, Invalid> {
    let t = s.trim();
    // Rust's float parser accepts "inf" and "NaN"; a quantity never is.
    let ok_chars = t
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    match t.parse::<f64>() {
        Ok(v) if ok_chars && v.abs() > MAX_QUANTITY => Err(invalid(
            RejectKind::TooLarge,
            format!("{} is implausibly large (over 1e15)", quoted(s)),
        )),
        Ok(v) if ok_chars && v.is_finite() => Ok(v),
        _ => Err(invalid(
            RejectKind::NotADecimal,
            format!("{} is not a decimal number", quoted(s)),
        )),
    }
}

fn negative(s: &str) -> Invalid {
    invalid(RejectKind::Negative, format!("{} is negative", quoted(s)))
}

/// Parses a decimal that must be > 0 (quantities).
pub fn positive(s: &str) -> Result<f64, Invalid> {
    let v = finite(s)?;
    if v < 0.0 {
        Err(negative(s))
    } else if v == 0.0 {
        Err(invalid(
            RejectKind::Zero,
            format!("{} is zero; it must be greater than 0", quoted(s)),
        ))
    } else {
        Ok(v)
    }
}

/// Parses a decimal that must be ≥ 0 (costs).
pub fn non_negative(s: &str) -> Result<f64, Invalid> {
    let v = finite(s)?;
    if v < 0.0 { Err(negative(s)) } else { Ok(v) }
}

/// Parses a non-negative whole number (days).
pub fn whole(s: &str) -> Result<u32, Invalid> {
    let t = s.trim();
    match t.parse::<i64>() {
        Ok(v) if v < 0 => Err(negative(s)),
        Ok(v) => u32::try_from(v)
            .map_err(|_| invalid(RejectKind::TooLarge, format!("{} is too large", quoted(s)))),
        Err(_) => Err(invalid(
            RejectKind::NotAWholeNumber,
            format!("{} is not a whole number", quoted(s)),
        )),
    }
}

/// Parses one of a closed set of values.
pub fn one_of<E>(
    s: &str,
    parse: fn(&str) -> Option<E>,
    choices: fn() -> String,
) -> Result<E, Invalid> {
    parse(s.trim()).ok_or_else(|| {
        invalid(
            RejectKind::NotAChoice,
            format!("{} is not one of {}", quoted(s), choices()),
        )
    })
}

/// Normalises an ISO 3166 alpha-2 country code (two letters, any case).
pub fn country(s: &str) -> Result<String, Invalid> {
    let t = s.trim();
    if t.len() == 2 && t.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(t.to_ascii_uppercase())
    } else {
        Err(invalid(
            RejectKind::BadCountry,
            format!("{} is not an ISO 3166 alpha-2 country code", quoted(s)),
        ))
    }
}

/// A GS1 GTIN: 8, 12, 13 or 14 digits whose last is the GS1 mod-10 check
/// digit of the others.
///
/// # Errors
/// `bad_gtin`, naming the check digit expected when only it is wrong.
pub fn gtin(s: &str) -> Result<String, Invalid> {
    if !matches!(s.len(), 8 | 12 | 13 | 14) || !s.bytes().all(|b| b.is_ascii_digit()) {
        let problem = format!("{} is not a GTIN (8, 12, 13 or 14 digits)", quoted(s));
        return Err(invalid(RejectKind::BadGtin, problem));
    }
    if crate::lotcode::check::is_valid_gtin(s) {
        return Ok(s.to_string());
    }
    let (data, check) = s.split_at(s.len() - 1);
    let want = crate::lotcode::check::gs1_mod10(data).unwrap_or(0);
    let problem = format!("\"{s}\" ends in check digit {check}, GS1 mod-10 gives {want}");
    Err(invalid(RejectKind::BadGtin, problem))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_timestamps() {
        let d = NaiveDate::from_ymd_opt(2021, 10, 20).unwrap();
        assert_eq!(date("2021-10-20"), Ok(d));
        assert_eq!(date("2021-10-20T23:30:00-05:00"), Ok(d));
        assert_eq!(date("2021-10-20T08:00:00Z"), Ok(d));
        assert_eq!(date("2021-10-20 08:00:00"), Ok(d));
        assert_eq!(
            date("20/10/2021").map_err(|e| (e.kind, e.problem)),
            Err((
                RejectKind::BadDate,
                "\"20/10/2021\" is not an ISO 8601 date (YYYY-MM-DD)".into()
            ))
        );
        assert!(date("2021-02-30").is_err());
    }

    #[test]
    fn quantities() {
        assert_eq!(positive("2.5"), Ok(2.5));
        let kind = |r: Result<f64, Invalid>| r.map_err(|e| e.kind);
        assert_eq!(
            positive("-3").map_err(|e| e.problem),
            Err("\"-3\" is negative".into())
        );
        assert!(positive("0").unwrap_err().problem.contains("zero"));
        assert!(
            positive("NaN")
                .unwrap_err()
                .problem
                .contains("not a decimal")
        );
        assert!(
            positive("inf")
                .unwrap_err()
                .problem
                .contains("not a decimal")
        );
        assert!(
            positive("1,5")
                .unwrap_err()
                .problem
                .contains("not a decimal")
        );
        assert!(
            positive("1e308")
                .unwrap_err()
                .problem
                .contains("implausibly large")
        );
        assert_eq!(kind(positive("0")), Err(RejectKind::Zero));
        assert_eq!(kind(positive("1e308")), Err(RejectKind::TooLarge));
        assert_eq!(kind(non_negative("-1")), Err(RejectKind::Negative));
        assert_eq!(whole("-1").map_err(|e| e.kind), Err(RejectKind::Negative));
        assert_eq!(
            whole("1.5").map_err(|e| e.kind),
            Err(RejectKind::NotAWholeNumber)
        );
        assert_eq!(whole("30"), Ok(30));
        assert!(whole("3.5").is_err());
    }

    #[test]
    fn long_values_are_quoted_by_their_start_and_size() {
        let long = "x".repeat(5000);
        let want = format!(
            "{:?}[5000 bytes] is not a decimal number",
            format!("{}…", &long[..100])
        );
        assert_eq!(positive(&long).map_err(|e| e.problem), Err(want));
        assert_eq!(quoted("ok"), "\"ok\"");
        // A cut never splits a character.
        let wide = "é".repeat(80); // 160 bytes
        assert!(quoted(&wide).starts_with(&format!("\"{}…\"", "é".repeat(50))));
    }

    #[test]
    fn countries() {
        assert_eq!(country("tr"), Ok("TR".into()));
        assert!(country("USA").is_err());
    }
}
