//! The typed cell of a report table, and how each kind of value is
//! written for people (rounded) and for programs (exact).

use chrono::NaiveDate;
use serde_json::Value;

/// A typed cell: the type decides how each format renders it.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text; `None` is an empty cell / JSON null.
    Text(Option<String>),
    /// A count.
    Int(u64),
    /// A quantity or amount; `None` is empty / null.
    Num(Option<f64>),
    /// A fraction in [0, 1]: four decimals in tables, full precision elsewhere.
    Share(f64),
    /// A date.
    Date(Option<NaiveDate>),
    /// A yes/no answer (`true`/`false`).
    Bool(bool),
    /// A probability that may be tiny (a p-value): scientific notation in
    /// tables, full precision elsewhere.
    Prob(f64),
}

impl Cell {
    /// Text cell from anything string-like.
    pub fn text(s: impl AsRef<str>) -> Cell {
        Cell::Text(Some(s.as_ref().to_string()))
    }

    /// Optional text cell.
    pub fn opt(s: Option<impl Into<String>>) -> Cell {
        Cell::Text(s.map(Into::into))
    }

    /// The cell as a JSON value (null when empty): what its `Serialize`
    /// writes.
    pub fn json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Rendering for tables (rounded) and CSV (exact).
    pub(crate) fn render(&self, exact: bool) -> String {
        match self {
            Cell::Text(s) => s.clone().unwrap_or_default(),
            Cell::Int(v) => v.to_string(),
            // CSV keeps every digit (shortest round-trip form), as JSON does.
            Cell::Num(v) if exact => v
                .map(|v| {
                    if v.fract() == 0.0 && v.abs() < 9.0e15 {
                        fmt_num(v)
                    } else {
                        v.to_string()
                    }
                })
                .unwrap_or_default(),
            Cell::Num(v) => v.map(fmt_num).unwrap_or_default(),
            Cell::Share(v) if exact => v.to_string(),
            Cell::Share(v) => format!("{v:.4}"),
            Cell::Date(d) => d.map(|d| d.to_string()).unwrap_or_default(),
            Cell::Bool(b) => b.to_string(),
            Cell::Prob(v) if exact => v.to_string(),
            Cell::Prob(v) if *v != 0.0 && *v < 0.001 => format!("{v:.1e}"),
            Cell::Prob(v) => fmt_num(*v),
        }
    }

    pub(crate) fn is_numeric(&self) -> bool {
        matches!(
            self,
            Cell::Int(_) | Cell::Num(_) | Cell::Share(_) | Cell::Prob(_)
        )
    }
}

impl serde::Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Text(t) => t.serialize(s),
            Cell::Int(v) => s.serialize_u64(*v),
            Cell::Num(None) => s.serialize_none(),
            Cell::Num(Some(v)) | Cell::Share(v) | Cell::Prob(v) => serialize_number(*v, s),
            Cell::Date(d) => match d {
                Some(d) => s.collect_str(d),
                None => s.serialize_none(),
            },
            Cell::Bool(b) => s.serialize_bool(*b),
        }
    }
}

/// Writes `v` as [`json_number`] would make it: integral values without a
/// fraction, non-finite ones as null.
pub(crate) fn serialize_number<S: serde::Serializer>(v: f64, s: S) -> Result<S::Ok, S::Error> {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        s.serialize_i64(v as i64)
    } else if v.is_finite() {
        s.serialize_f64(v)
    } else {
        s.serialize_none()
    }
}

/// A JSON number; integral values print without a fraction.
pub fn json_number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
    }
}

/// A quantity for people: integral values without decimals, others with up
/// to three.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Replaces control characters (newlines in ids) so one record stays on
/// one line of a text table; machine formats keep them.
pub fn sanitize(s: &str) -> String {
    // Bidi overrides and isolates (Unicode Cf) could visually reorder a row.
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if s.chars().any(unsafe_char) {
        s.chars()
            .map(|c| if unsafe_char(c) { '\u{fffd}' } else { c })
            .collect()
    } else {
        s.to_string()
    }
}
