//! Lot-code schemes: a small template language (`{code:flavour}-{yy}{jjj}{seq:2}`)
//! parsed once into parts, which both writes a code for a date and a
//! sequence number and reads a code back into its fields, listing every
//! reading when a code fits the template in more than one way.
//!
//! Grammar (docs/lot-codes.md has examples): literal text, `{{` and `}}`
//! for braces, and fields in braces:
//! - dates: `{yyyy}` `{yy}` `{y}` (one digit: the latest year ending in it
//!   on or before the reference date), `{jjj}` day of year (001-366),
//!   `{mm}` `{dd}`, `{ww}` ISO week (01-53, of the ISO week-year);
//! - `{seq:N}`: the batch of the day, N digits (1-9);
//! - text: `{sku}` `{site}` `{line}` and `{code:NAME}` (a value of the
//!   lookup NAME, such as flavour `01`);
//! - check characters over everything before them: `{chk:gs1}` (GS1
//!   mod-10 digit over the digits so far) and `{chk:mod37-36}` (ISO/IEC
//!   7064 MOD 37-36).

use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;
use std::fmt;

/// A check character's algorithm.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum CheckKind {
    /// GS1 mod-10 over the code's digits so far (non-digits skipped).
    Gs1Mod10,
    /// ISO/IEC 7064 MOD 37-36 over the code's letters and digits so far.
    Mod37_36,
}

/// One field of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Field {
    /// `{yyyy}`: the four-digit year.
    Year4,
    /// `{yy}`: the year in the century (2000-2099).
    Year2,
    /// `{y}`: the last digit of the year.
    Year1,
    /// `{jjj}`: day of the year, 001-366.
    DayOfYear,
    /// `{mm}`: month 01-12.
    Month,
    /// `{dd}`: day of the month 01-31.
    Day,
    /// `{ww}`: ISO week 01-53.
    IsoWeek,
    /// `{seq:N}`: the batch of the day, N digits.
    Seq(u8),
    /// `{sku}`.
    Sku,
    /// `{site}`.
    Site,
    /// `{line}`.
    Line,
    /// `{code:NAME}`: a value of lookup NAME.
    Code(String),
    /// `{chk:...}`: a check character.
    Check(CheckKind),
}

impl Field {
    /// The fixed width in characters, or `None` for text fields.
    fn width(&self) -> Option<usize> {
        match self {
            Field::Year4 => Some(4),
            Field::DayOfYear => Some(3),
            Field::Year1 | Field::Check(_) => Some(1),
            Field::Year2 | Field::Month | Field::Day | Field::IsoWeek => Some(2),
            Field::Seq(n) => Some(usize::from(*n)),
            Field::Sku | Field::Site | Field::Line | Field::Code(_) => None,
        }
    }

    /// The field's name as written in a template.
    pub fn name(&self) -> String {
        match self {
            Field::Year4 => "yyyy".into(),
            Field::Year2 => "yy".into(),
            Field::Year1 => "y".into(),
            Field::DayOfYear => "jjj".into(),
            Field::Month => "mm".into(),
            Field::Day => "dd".into(),
            Field::IsoWeek => "ww".into(),
            Field::Seq(n) => format!("seq:{n}"),
            Field::Sku => "sku".into(),
            Field::Site => "site".into(),
            Field::Line => "line".into(),
            Field::Code(n) => format!("code:{n}"),
            Field::Check(CheckKind::Gs1Mod10) => "chk:gs1".into(),
            Field::Check(CheckKind::Mod37_36) => "chk:mod37-36".into(),
        }
    }
}

/// A piece of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Text written as is.
    Literal(String),
    /// A field.
    Field(Field),
}

/// A template that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemeError {
    /// A `{` without its `}`.
    #[error("template {template:?}: a `{{` at byte {at} has no `}}`")]
    Unclosed { template: String, at: usize },
    /// A `}` that closes nothing (write `}}` for a brace).
    #[error("template {template:?}: a `}}` at byte {at} closes nothing (write `}}}}` for a brace)")]
    StrayClose { template: String, at: usize },
    /// A field name the language does not have.
    #[error("template {template:?}: unknown field {{{field}}}")]
    UnknownField { template: String, field: String },
    /// Two text fields in a row: where one ends would be a guess.
    #[error("template {template:?}: {{{a}}} and {{{b}}} are text fields with nothing between them")]
    AdjacentText {
        template: String,
        a: String,
        b: String,
    },
    /// A template without any field.
    #[error("template {template:?}: has no field")]
    NoField { template: String },
}

/// A parsed template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scheme {
    /// The template as written.
    pub template: String,
    /// Its pieces, in order.
    pub parts: Vec<Part>,
}

/// What a code is made of when it is written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Values {
    /// The production (or receipt) date.
    pub date: Option<NaiveDate>,
    /// The batch of the day (1 = first).
    pub seq: u32,
    pub sku: Option<String>,
    pub site: Option<String>,
    pub line: Option<String>,
    /// Lookup values by lookup name (`flavour` → `01`).
    pub codes: BTreeMap<String, String>,
}

/// Why a code could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    /// A date field without a date.
    #[error("{{{0}}} needs a date")]
    NoDate(String),
    /// A text field without its value.
    #[error("{{{0}}} has no value")]
    Missing(String),
    /// A number wider than its field.
    #[error("{{{field}}}: {value} does not fit in {width} digit(s)")]
    TooWide {
        field: String,
        value: u32,
        width: usize,
    },
    /// A year the field cannot hold.
    #[error("{{yy}}: year {0} is outside 2000-2099")]
    Century(i32),
}

/// One way a code fits a scheme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
    /// Each field with the text it matched, in template order.
    pub fields: Vec<(Field, String)>,
    /// The date the fields encode (none when they encode no full date).
    pub date: Option<NaiveDate>,
    /// The batch of the day.
    pub seq: Option<u32>,
}

impl Scheme {
    /// Parses a template.
    ///
    /// # Errors
    /// Unbalanced braces, an unknown field, two text fields with nothing
    /// between them, or no field at all.
    pub fn parse(template: &str) -> Result<Scheme, SchemeError> {
        let parts = split(template)?;
        let mut last_text: Option<&Field> = None;
        for p in &parts {
            match p {
                Part::Field(f) if f.width().is_none() => {
                    if let Some(a) = last_text {
                        return Err(SchemeError::AdjacentText {
                            template: template.into(),
                            a: a.name(),
                            b: f.name(),
                        });
                    }
                    last_text = Some(f);
                }
                _ => last_text = None,
            }
        }
        if !parts.iter().any(|p| matches!(p, Part::Field(_))) {
            return Err(SchemeError::NoField {
                template: template.into(),
            });
        }
        Ok(Scheme {
            template: template.into(),
            parts,
        })
    }

    /// Writes the code of `v`.
    ///
    /// # Errors
    /// A field without its value, or a value too wide for its field.
    pub fn write(&self, v: &Values) -> Result<String, WriteError> {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Literal(s) => out.push_str(s),
                Part::Field(Field::Check(k)) => {
                    let c = check_char(*k, &out)
                        .ok_or_else(|| WriteError::Missing(Field::Check(*k).name()))?;
                    out.push(c);
                }
                Part::Field(f) => out.push_str(&write_field(f, v)?),
            }
        }
        Ok(out)
    }

    /// Every way `code` fits the scheme (none: it does not), `reference`
    /// resolving a one-digit year.
    pub fn read(&self, code: &str, reference: NaiveDate) -> Vec<Reading> {
        let mut found = Vec::new();
        let mut fields = Vec::new();
        match_parts(&self.parts, code, 0, &mut fields, &mut found, code);
        found
            .into_iter()
            .filter_map(|f| reading(f, reference))
            .collect()
    }
}

fn split(template: &str) -> Result<Vec<Part>, SchemeError> {
    let mut parts = Vec::new();
    let mut lit = String::new();
    let b = template.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'{' if b.get(i + 1) == Some(&b'{') => {
                lit.push('{');
                i += 2;
            }
            b'}' if b.get(i + 1) == Some(&b'}') => {
                lit.push('}');
                i += 2;
            }
            b'}' => {
                return Err(SchemeError::StrayClose {
                    template: template.into(),
                    at: i,
                });
            }
            b'{' => {
                let end = template[i..].find('}').ok_or(SchemeError::Unclosed {
                    template: template.into(),
                    at: i,
                })? + i;
                if !lit.is_empty() {
                    parts.push(Part::Literal(std::mem::take(&mut lit)));
                }
                parts.push(Part::Field(field(template, &template[i + 1..end])?));
                i = end + 1;
            }
            _ => {
                // Whole characters: the template may hold any UTF-8 text.
                let c = template[i..].chars().next().unwrap_or_default();
                lit.push(c);
                i += c.len_utf8().max(1);
            }
        }
    }
    if !lit.is_empty() {
        parts.push(Part::Literal(lit));
    }
    Ok(parts)
}

fn field(template: &str, name: &str) -> Result<Field, SchemeError> {
    let unknown = || SchemeError::UnknownField {
        template: template.into(),
        field: name.into(),
    };
    Ok(match name {
        "yyyy" => Field::Year4,
        "yy" => Field::Year2,
        "y" => Field::Year1,
        "jjj" => Field::DayOfYear,
        "mm" => Field::Month,
        "dd" => Field::Day,
        "ww" => Field::IsoWeek,
        "sku" => Field::Sku,
        "site" => Field::Site,
        "line" => Field::Line,
        "chk:gs1" => Field::Check(CheckKind::Gs1Mod10),
        "chk:mod37-36" => Field::Check(CheckKind::Mod37_36),
        _ => match name.split_once(':') {
            Some(("seq", n)) => match n.parse::<u8>() {
                Ok(n @ 1..=9) => Field::Seq(n),
                _ => return Err(unknown()),
            },
            // A lookup name is a word: `{code:flavour-{yy}` is a typo.
            Some(("code", n))
                if !n.is_empty()
                    && n.chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '-') =>
            {
                Field::Code(n.into())
            }
            _ => return Err(unknown()),
        },
    })
}

fn padded(field: &Field, value: u32, width: usize) -> Result<String, WriteError> {
    let s = format!("{value:0width$}");
    if s.len() > width {
        return Err(WriteError::TooWide {
            field: field.name(),
            value,
            width,
        });
    }
    Ok(s)
}

fn write_field(f: &Field, v: &Values) -> Result<String, WriteError> {
    let date = || v.date.ok_or_else(|| WriteError::NoDate(f.name()));
    let text = |x: &Option<String>| x.clone().ok_or_else(|| WriteError::Missing(f.name()));
    match f {
        Field::Year4 => padded(f, date()?.year().unsigned_abs(), 4),
        Field::Year2 => {
            let y = date()?.year();
            if !(2000..=2099).contains(&y) {
                return Err(WriteError::Century(y));
            }
            padded(f, y.unsigned_abs() % 100, 2)
        }
        Field::Year1 => padded(f, date()?.year().unsigned_abs() % 10, 1),
        Field::DayOfYear => padded(f, date()?.ordinal(), 3),
        Field::Month => padded(f, date()?.month(), 2),
        Field::Day => padded(f, date()?.day(), 2),
        Field::IsoWeek => padded(f, date()?.iso_week().week(), 2),
        Field::Seq(n) => padded(f, v.seq, usize::from(*n)),
        Field::Sku => text(&v.sku),
        Field::Site => text(&v.site),
        Field::Line => text(&v.line),
        Field::Code(name) => v
            .codes
            .get(name)
            .cloned()
            .ok_or_else(|| WriteError::Missing(f.name())),
        Field::Check(_) => Err(WriteError::Missing(f.name())),
    }
}

/// The check character of `so_far` (`None`: nothing to check over).
pub fn check_char(k: CheckKind, so_far: &str) -> Option<char> {
    match k {
        CheckKind::Gs1Mod10 => {
            let digits: String = so_far.chars().filter(char::is_ascii_digit).collect();
            super::check::gs1_mod10(&digits).map(|d| char::from(b'0' + d))
        }
        CheckKind::Mod37_36 => {
            let alnum: String = so_far.chars().filter(char::is_ascii_alphanumeric).collect();
            super::check::iso7064_mod37_36(&alnum)
        }
    }
}

/// Backtracking match of `parts` against `code[at..]`; complete matches
/// (every field's text) are pushed to `found`. Codes are short (GS1 caps
/// batch numbers at 20 characters), so trying every end of a text field
/// costs little; the number of readings kept is capped.
fn match_parts(
    parts: &[Part],
    code: &str,
    at: usize,
    fields: &mut Vec<(Field, String)>,
    found: &mut Vec<Vec<(Field, String)>>,
    whole: &str,
) {
    const MAX_READINGS: usize = 16;
    if found.len() >= MAX_READINGS {
        return;
    }
    let Some((first, rest)) = parts.split_first() else {
        if at == code.len() {
            found.push(fields.clone());
        }
        return;
    };
    let tail = &code[at..];
    match first {
        Part::Literal(s) => {
            if tail.starts_with(s.as_str()) {
                match_parts(rest, code, at + s.len(), fields, found, whole);
            }
        }
        Part::Field(f) => {
            let ends: Vec<usize> = match f.width() {
                Some(w) => tail
                    .char_indices()
                    .nth(w)
                    .map(|(i, _)| i)
                    .or((tail.chars().count() == w).then_some(tail.len()))
                    .into_iter()
                    .collect(),
                None => tail
                    .char_indices()
                    .map(|(i, _)| i)
                    .skip(1)
                    .chain(std::iter::once(tail.len()))
                    .filter(|&i| i > 0)
                    .collect(),
            };
            for end in ends {
                let text = &tail[..end];
                if !fits(f, text, &whole[..at]) {
                    continue;
                }
                fields.push((f.clone(), text.to_string()));
                match_parts(rest, code, at + end, fields, found, whole);
                fields.pop();
            }
        }
    }
}

/// Can `text` be field `f`, `before` being the code before it?
fn fits(f: &Field, text: &str, before: &str) -> bool {
    match f {
        Field::Check(k) => {
            check_char(*k, before).is_some_and(|c| text.eq_ignore_ascii_case(&c.to_string()))
        }
        Field::Sku | Field::Site | Field::Line | Field::Code(_) => !text.is_empty(),
        _ => text.bytes().all(|b| b.is_ascii_digit()),
    }
}

/// The date and sequence of a complete match, or `None` when its date
/// fields name no date (day 367, month 13).
fn reading(fields: Vec<(Field, String)>, reference: NaiveDate) -> Option<Reading> {
    let num = |f: &Field| -> Option<u32> {
        fields
            .iter()
            .find(|(g, _)| g == f)
            .and_then(|(_, t)| t.parse().ok())
    };
    let year = if let Some(y) = num(&Field::Year4) {
        Some(i32::try_from(y).ok()?)
    } else if let Some(y) = num(&Field::Year2) {
        Some(2000 + i32::try_from(y).ok()?)
    } else {
        num(&Field::Year1).map(|d| {
            // The latest year ending in d on or before the reference.
            let r = reference.year();
            r - (r - i32::try_from(d).unwrap_or(0)).rem_euclid(10)
        })
    };
    let date = match (
        year,
        num(&Field::DayOfYear),
        num(&Field::Month),
        num(&Field::Day),
    ) {
        (Some(y), Some(j), _, _) => Some(NaiveDate::from_yo_opt(y, j)?),
        (Some(y), None, Some(m), Some(d)) => Some(NaiveDate::from_ymd_opt(y, m, d)?),
        (Some(y), None, _, _) => match num(&Field::IsoWeek) {
            // A week names its Monday.
            Some(w) => Some(NaiveDate::from_isoywd_opt(y, w, chrono::Weekday::Mon)?),
            None => None,
        },
        _ => None,
    };
    // Date fields that disagree (a day of year and a month) are no date.
    if let (Some(d), Some(m)) = (date, num(&Field::Month))
        && d.month() != m
    {
        return None;
    }
    let seq = fields.iter().find_map(|(f, t)| match f {
        Field::Seq(_) => t.parse().ok(),
        _ => None,
    });
    Some(Reading { fields, date, seq })
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.template)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_demo_code_reads_as_flavour_year_day_and_batch() {
        let s = Scheme::parse("{code:flavour}-{yy}{jjj}{seq:2}").unwrap();
        let r = s.read("01-2134303", day(2026, 1, 1));
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].date, Some(day(2021, 12, 9)));
        assert_eq!(r[0].seq, Some(3));
        assert_eq!(r[0].fields[0], (Field::Code("flavour".into()), "01".into()));
        let v = Values {
            date: Some(day(2021, 12, 9)),
            seq: 3,
            codes: [("flavour".to_string(), "01".to_string())].into(),
            ..Values::default()
        };
        assert_eq!(s.write(&v).unwrap(), "01-2134303");
    }

    #[test]
    fn a_packer_code_and_a_one_digit_year() {
        let s = Scheme::parse("{yy}{jjj}").unwrap();
        assert_eq!(
            s.read("19250", day(2026, 1, 1))[0].date,
            Some(day(2019, 9, 7))
        );
        assert!(s.read("19367", day(2026, 1, 1)).is_empty(), "day 367");
        let s = Scheme::parse("{y}{jjj}").unwrap();
        // 5 on or before 2026-06-01 is 2025; 7 is 2017.
        assert_eq!(
            s.read("5001", day(2026, 6, 1))[0].date,
            Some(day(2025, 1, 1))
        );
        assert_eq!(
            s.read("7001", day(2026, 6, 1))[0].date,
            Some(day(2017, 1, 1))
        );
        // Day 366 exists in leap years only.
        let s = Scheme::parse("{yyyy}{jjj}").unwrap();
        assert_eq!(
            s.read("2024366", day(2026, 1, 1))[0].date,
            Some(day(2024, 12, 31))
        );
        assert!(s.read("2023366", day(2026, 1, 1)).is_empty());
    }

    #[test]
    fn text_fields_list_every_reading() {
        let s = Scheme::parse("{sku}-{site}").unwrap();
        let r = s.read("A-B-C", day(2026, 1, 1));
        assert_eq!(r.len(), 2, "{r:?}");
        assert!(s.read("ABC", day(2026, 1, 1)).is_empty());
    }

    #[test]
    fn bad_templates_say_what_is_wrong() {
        assert!(matches!(
            Scheme::parse("{yy"),
            Err(SchemeError::Unclosed { .. })
        ));
        assert!(matches!(
            Scheme::parse("yy}"),
            Err(SchemeError::StrayClose { .. })
        ));
        assert!(matches!(
            Scheme::parse("{yyy}"),
            Err(SchemeError::UnknownField { .. })
        ));
        assert!(matches!(
            Scheme::parse("{seq:0}"),
            Err(SchemeError::UnknownField { .. })
        ));
        assert!(matches!(
            Scheme::parse("{sku}{site}"),
            Err(SchemeError::AdjacentText { .. })
        ));
        assert!(matches!(
            Scheme::parse("LOT"),
            Err(SchemeError::NoField { .. })
        ));
        assert_eq!(
            Scheme::parse("{{{yy}}}").unwrap().parts[0],
            Part::Literal("{".into())
        );
    }

    #[test]
    fn a_number_wider_than_its_field_is_refused() {
        let s = Scheme::parse("{yy}{seq:1}").unwrap();
        let v = Values {
            date: Some(day(2024, 1, 1)),
            seq: 12,
            ..Values::default()
        };
        assert!(matches!(s.write(&v), Err(WriteError::TooWide { .. })));
    }
}
