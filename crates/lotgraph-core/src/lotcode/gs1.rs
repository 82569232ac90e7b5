//! GS1 element strings and Digital Link URIs for the four Application
//! Identifiers a lot code needs: (01) GTIN, (10) batch/lot, (17) expiry date
//! YYMMDD and (21) serial number. Writes the human-readable element string
//! and the Digital Link URI; parses those and the raw FNC1-separated string
//! a scanner emits. Pure functions; `today` is a parameter wherever the GS1
//! century rule needs it.

use chrono::{Datelike, NaiveDate};

use super::check::gs1_mod10;

/// GS1's own Digital Link resolver, a base for [`digital_link`].
pub const GS1_RESOLVER: &str = "https://id.gs1.org";

/// The longest value of AI (10) and AI (21).
pub const MAX_LOT_LEN: usize = 20;

/// The GS (group separator, ASCII 29) a scanner sends for FNC1.
const GS: char = '\u{1d}';

/// A date in AI (17): the six digits as written and the date they mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expiry {
    pub yymmdd: String,
    pub date: NaiveDate,
}

/// The GS1 keys of a lot code; absent AIs are `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gs1Keys {
    pub gtin: Option<String>,
    pub lot: Option<String>,
    pub expiry: Option<Expiry>,
    pub serial: Option<String>,
}

/// Why a GS1 string does not parse; each variant names the offending AI,
/// value or text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Gs1Error {
    #[error("empty input: no GS1 element string or Digital Link")]
    Empty,
    #[error("expected a bracketed AI such as (10) at \"{at}\"")]
    Bracket { at: String },
    #[error("expected a two-digit AI at \"{at}\"")]
    ExpectedAi { at: String },
    #[error("unknown or unsupported AI ({ai}); lot codes use (01), (10), (17) and (21)")]
    UnknownAi { ai: String },
    #[error("AI ({ai}) appears more than once")]
    DuplicateAi { ai: &'static str },
    #[error(
        "AI (01) \"{value}\": a GTIN is 14 digits (a Digital Link may give 8, 12 or 13, padded with leading zeros)"
    )]
    GtinFormat { value: String },
    #[error("AI (01) \"{value}\": wrong check digit, it should be {expected}")]
    GtinCheckDigit { value: String, expected: u8 },
    #[error("AI ({ai}) \"{value}\": cut short, it takes exactly {len} characters")]
    FixedTooShort {
        ai: &'static str,
        value: String,
        len: usize,
    },
    #[error("AI (17) \"{value}\": a date is six digits YYMMDD")]
    ExpiryFormat { value: String },
    #[error("AI (17) \"{value}\": month {month} is not a month")]
    ExpiryMonth { value: String, month: u32 },
    #[error("AI (17) \"{value}\": day {day} is past the last day of the month, {last}")]
    ExpiryDay { value: String, day: u32, last: u32 },
    #[error("AI ({ai}) is empty")]
    ValueEmpty { ai: &'static str },
    #[error("AI ({ai}) \"{value}\": longer than {max} characters")]
    ValueTooLong {
        ai: &'static str,
        value: String,
        max: usize,
    },
    #[error("AI ({ai}) \"{value}\": {ch:?} is not in GS1's character set 82")]
    ValueChar {
        ai: &'static str,
        value: String,
        ch: char,
    },
    #[error("bad percent-encoding in \"{text}\"")]
    PercentEncoding { text: String },
    #[error("\"{input}\": a Digital Link needs /01/{{gtin}} in its path")]
    NoGtinInLink { input: String },
}

/// Whether a byte is in GS1's AI encodable character set 82 (General
/// Specifications figure 7.11-1): `!"%&'()*+,-./0-9:;<=>?A-Z_a-z`.
fn is_cset82(b: u8) -> bool {
    matches!(b, b'!' | b'"' | b'%'..=b'/' | b'0'..=b'?' | b'A'..=b'Z' | b'_' | b'a'..=b'z')
}

/// Whether `s` can be the value of an alphanumeric AI such as (10) or (21):
/// 1 to `max_len` characters, all from GS1's character set 82 (so no space,
/// `#`, `$`, `@`, `~` or non-ASCII). Case matters in GS1 values, so both
/// cases are simply allowed.
pub fn is_gs1_ai_value(s: &str, max_len: usize) -> bool {
    !s.is_empty() && s.len() <= max_len && s.bytes().all(is_cset82)
}

/// The year YY means on `today` by the GS1 century rule (General
/// Specifications 7.12): the one within −49..=+50 years of today's year.
fn gs1_year(yy: i32, today: NaiveDate) -> i32 {
    let current = today.year();
    let century = current - current.rem_euclid(100);
    let diff = yy - current.rem_euclid(100);
    if diff >= 51 {
        century - 100 + yy
    } else if diff <= -50 {
        century + 100 + yy
    } else {
        century + yy
    }
}

/// The last day of `month` (1-12) in `year`.
fn last_day(year: i32, month: u32) -> u32 {
    (28..=31)
        .rev()
        .find(|&d| NaiveDate::from_ymd_opt(year, month, d).is_some())
        .unwrap_or(28)
}

impl Expiry {
    /// Reads an AI (17) value: six digits YYMMDD, the century by the GS1
    /// rule relative to `today`, day `00` the last day of the month.
    pub fn parse(yymmdd: &str, today: NaiveDate) -> Result<Self, Gs1Error> {
        let value = || yymmdd.to_owned();
        if yymmdd.len() != 6 || !yymmdd.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Gs1Error::ExpiryFormat { value: value() });
        }
        let num = |i: usize| {
            yymmdd[i..i + 2]
                .bytes()
                .fold(0u32, |n, b| n * 10 + u32::from(b - b'0'))
        };
        let (yy, month, day) = (num(0), num(2), num(4));
        if !(1..=12).contains(&month) {
            return Err(Gs1Error::ExpiryMonth {
                value: value(),
                month,
            });
        }
        let year = gs1_year(yy as i32, today);
        let last = last_day(year, month);
        let day = if day == 0 { last } else { day };
        let date = NaiveDate::from_ymd_opt(year, month, day)
            .filter(|_| day <= last)
            .ok_or(Gs1Error::ExpiryDay {
                value: value(),
                day,
                last,
            })?;
        Ok(Self {
            yymmdd: value(),
            date,
        })
    }
}

/// The human-readable element string, `(01)…(10)…(17)…(21)…`, in that order
/// and without the absent AIs. It writes the keys as they are; [`parse`]
/// checks them.
pub fn element_string(keys: &Gs1Keys) -> String {
    let mut out = String::new();
    let fields = [
        ("01", keys.gtin.as_deref()),
        ("10", keys.lot.as_deref()),
        ("17", keys.expiry.as_ref().map(|e| e.yymmdd.as_str())),
        ("21", keys.serial.as_deref()),
    ];
    for (ai, value) in fields {
        if let Some(value) = value {
            out.push('(');
            out.push_str(ai);
            out.push(')');
            out.push_str(value);
        }
    }
    out
}

/// Percent-encodes every byte outside the URI unreserved set
/// `A-Za-z0-9-._~` as `%XX` (upper-case hex), as GS1 Digital Link asks for
/// AI values in a path (so `!'()*` and `/` are encoded too).
fn percent_encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// Undoes `%XX` escapes (either case of hex); the bytes must be UTF-8.
fn percent_decode(s: &str) -> Result<String, Gs1Error> {
    let bad = || Gs1Error::PercentEncoding { text: s.to_owned() };
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or_else(bad)?;
            let hex = std::str::from_utf8(hex).map_err(|_| bad())?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| bad())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| bad())
}

/// The GS1 Digital Link URI of `keys` on `base` (for example
/// [`GS1_RESOLVER`]; a trailing `/` is dropped):
/// `{base}/01/{gtin}/10/{lot}/21/{serial}?17={yymmdd}`, absent qualifiers
/// left out, values percent-encoded. A GTIN of 8, 12 or 13 digits is padded
/// to 14. `None` without a GTIN.
pub fn digital_link(keys: &Gs1Keys, base: &str) -> Option<String> {
    let gtin = keys.gtin.as_deref()?;
    let gtin = if gtin.len() < 14 && gtin.bytes().all(|b| b.is_ascii_digit()) {
        format!("{gtin:0>14}")
    } else {
        gtin.to_owned()
    };
    let mut out = base.trim_end_matches('/').to_owned();
    out.push_str("/01/");
    out.push_str(&percent_encode(&gtin));
    for (ai, value) in [("10", &keys.lot), ("21", &keys.serial)] {
        if let Some(value) = value {
            out.push('/');
            out.push_str(ai);
            out.push('/');
            out.push_str(&percent_encode(value));
        }
    }
    if let Some(expiry) = &keys.expiry {
        out.push_str("?17=");
        out.push_str(&percent_encode(&expiry.yymmdd));
    }
    Some(out)
}

/// Checks an AI (01) value: 14 digits (or 8, 12, 13 when `pad`, then padded
/// with leading zeros) with a correct check digit; returns the 14 digits.
fn read_gtin(value: &str, pad: bool) -> Result<String, Gs1Error> {
    let lengths: &[usize] = if pad { &[8, 12, 13, 14] } else { &[14] };
    if !lengths.contains(&value.len()) || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Gs1Error::GtinFormat {
            value: value.to_owned(),
        });
    }
    let gtin = format!("{value:0>14}");
    let (data, check) = gtin.split_at(13);
    let expected = gs1_mod10(data).unwrap_or_default();
    if check.as_bytes()[0] - b'0' != expected {
        return Err(Gs1Error::GtinCheckDigit {
            value: value.to_owned(),
            expected,
        });
    }
    Ok(gtin)
}

/// Checks an AI (10) or (21) value against [`is_gs1_ai_value`], naming
/// what is wrong.
fn read_text(ai: &'static str, value: &str) -> Result<String, Gs1Error> {
    if value.is_empty() {
        return Err(Gs1Error::ValueEmpty { ai });
    }
    if let Some(ch) = value
        .chars()
        .find(|&c| !u8::try_from(c).is_ok_and(is_cset82))
    {
        return Err(Gs1Error::ValueChar {
            ai,
            value: value.to_owned(),
            ch,
        });
    }
    if value.len() > MAX_LOT_LEN {
        return Err(Gs1Error::ValueTooLong {
            ai,
            value: value.to_owned(),
            max: MAX_LOT_LEN,
        });
    }
    Ok(value.to_owned())
}

/// Stores one AI's value in `keys` after checking it; `link` allows the
/// short GTINs of a Digital Link.
fn set_ai(
    keys: &mut Gs1Keys,
    ai: &str,
    value: &str,
    today: NaiveDate,
    link: bool,
) -> Result<(), Gs1Error> {
    fn put<T>(slot: &mut Option<T>, ai: &'static str, value: T) -> Result<(), Gs1Error> {
        if slot.is_some() {
            return Err(Gs1Error::DuplicateAi { ai });
        }
        *slot = Some(value);
        Ok(())
    }
    match ai {
        "01" => put(&mut keys.gtin, "01", read_gtin(value, link)?),
        "10" => put(&mut keys.lot, "10", read_text("10", value)?),
        "17" => put(&mut keys.expiry, "17", Expiry::parse(value, today)?),
        "21" => put(&mut keys.serial, "21", read_text("21", value)?),
        _ => Err(Gs1Error::UnknownAi { ai: ai.to_owned() }),
    }
}

/// The first dozen characters of `s`, for error messages.
fn snippet(s: &str) -> String {
    s.chars().take(12).collect()
}

/// Reads GS1 keys from a scan or a printed code, whichever of:
/// - the bracketed element string, `(01)09506000134352(10)ABC123(17)251231`
///   (spaces around values are ignored; a value ends at the next `(NN)` to
///   `(NNNN)`, so a value holding such text cannot be read this way);
/// - a Digital Link URI on any host and after any path prefix,
///   `https://example.com/x/01/09506000134352/10/ABC%2F1?17=250200`, or its
///   path alone; GTINs of 8, 12 or 13 digits are padded to 14; query
///   parameters that are not AIs (`linkType=…`) are ignored;
/// - the raw element string a scanner sends, `0109506000134352` `10ABC123`,
///   variable-length values ended by GS (`\u{1d}`) or the text `<GS>`.
///
/// A symbology identifier such as `]C1`, `]d2`, `]Q3` (or `]Q1` before a
/// Digital Link) is skipped. Unknown AIs are errors; in raw strings the AI
/// is named by its first two digits. `today` decides the century of (17).
pub fn parse(input: &str, today: NaiveDate) -> Result<Gs1Keys, Gs1Error> {
    let mut text = input.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'));
    let b = text.as_bytes();
    if b.len() >= 3 && b[0] == b']' && b[1].is_ascii_alphabetic() && b[2].is_ascii_alphanumeric() {
        text = &text[3..];
    }
    if text.trim_matches(GS).is_empty() {
        return Err(Gs1Error::Empty);
    }
    let scheme = |s: &str| {
        text.get(..s.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(s))
    };
    if text.starts_with('(') {
        parse_bracketed(text, today)
    } else if text.starts_with('/') || scheme("https://") || scheme("http://") {
        parse_link(text, today)
    } else {
        parse_raw(text, today)
    }
}

/// `(NN)` to `(NNNN)` at the start of `s`: the AI and the text after it.
fn bracket_ai(s: &str) -> Option<(&str, &str)> {
    let inner = s.strip_prefix('(')?;
    let close = inner.find(')')?;
    let ai = &inner[..close];
    ((2..=4).contains(&ai.len()) && ai.bytes().all(|b| b.is_ascii_digit()))
        .then(|| (ai, &inner[close + 1..]))
}

fn parse_bracketed(text: &str, today: NaiveDate) -> Result<Gs1Keys, Gs1Error> {
    let mut keys = Gs1Keys::default();
    let mut rest = text;
    while !rest.is_empty() {
        let (ai, after) =
            bracket_ai(rest).ok_or_else(|| Gs1Error::Bracket { at: snippet(rest) })?;
        let end = after
            .match_indices('(')
            .map(|(i, _)| i)
            .find(|&i| bracket_ai(&after[i..]).is_some())
            .unwrap_or(after.len());
        set_ai(&mut keys, ai, after[..end].trim_matches(' '), today, false)?;
        rest = &after[end..];
    }
    Ok(keys)
}

fn parse_link(text: &str, today: NaiveDate) -> Result<Gs1Keys, Gs1Error> {
    let no_fragment = text.split('#').next().unwrap_or_default();
    let (path, query) = no_fragment.split_once('?').unwrap_or((no_fragment, ""));
    let path = match path.find("://") {
        Some(i) => path[i + 3..].find('/').map_or("", |j| &path[i + 3 + j..]),
        None => path,
    };
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    // The key/value pairs end the path, so "01" at an even distance from
    // the end is a key; a value never is (its distance is odd).
    let start = (0..segments.len())
        .rev()
        .find(|&i| segments[i] == "01" && (segments.len() - i).is_multiple_of(2))
        .ok_or_else(|| Gs1Error::NoGtinInLink {
            input: text.to_owned(),
        })?;
    let mut keys = Gs1Keys::default();
    for pair in segments[start..].chunks(2) {
        if let [ai, value] = pair {
            set_ai(&mut keys, ai, &percent_decode(value)?, today, true)?;
        }
    }
    for param in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = param.split_once('=').unwrap_or((param, ""));
        if !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) {
            set_ai(&mut keys, key, &percent_decode(value)?, today, true)?;
        }
    }
    Ok(keys)
}

fn parse_raw(text: &str, today: NaiveDate) -> Result<Gs1Keys, Gs1Error> {
    let text = text.replace("<GS>", "\u{1d}");
    let mut keys = Gs1Keys::default();
    let mut rest = text.trim_start_matches(GS);
    while !rest.is_empty() {
        let ai = rest
            .get(..2)
            .filter(|ai| ai.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| Gs1Error::ExpectedAi { at: snippet(rest) })?;
        let body = &rest[2..];
        let (value, next) = match ai {
            "01" => fixed(body, "01", 14)?,
            "17" => fixed(body, "17", 6)?,
            "10" | "21" => body.split_at(body.find(GS).unwrap_or(body.len())),
            _ => return Err(Gs1Error::UnknownAi { ai: ai.to_owned() }),
        };
        set_ai(&mut keys, ai, value, today, false)?;
        rest = next.trim_start_matches(GS);
    }
    Ok(keys)
}

/// Splits a fixed-length value of `len` characters off `body`.
fn fixed<'a>(body: &'a str, ai: &'static str, len: usize) -> Result<(&'a str, &'a str), Gs1Error> {
    let end = body.char_indices().nth(len).map_or(body.len(), |(i, _)| i);
    let value = &body[..end];
    let cut = value.find(GS);
    if cut.is_some() || value.chars().count() < len {
        return Err(Gs1Error::FixedTooShort {
            ai,
            value: value[..cut.unwrap_or(value.len())].to_owned(),
            len,
        });
    }
    Ok(body.split_at(end))
}

#[cfg(test)]
#[path = "gs1_tests.rs"]
mod tests;
