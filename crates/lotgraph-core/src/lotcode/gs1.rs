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
mod tests {
    use super::*;

    const GTIN: &str = "09506000134352";
    const CSET82: &str =
        "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn today() -> NaiveDate {
        day(2026, 12, 7)
    }

    fn expiry(yymmdd: &str) -> Expiry {
        Expiry::parse(yymmdd, today()).unwrap()
    }

    fn keys(
        gtin: Option<&str>,
        lot: Option<&str>,
        exp: Option<&str>,
        serial: Option<&str>,
    ) -> Gs1Keys {
        Gs1Keys {
            gtin: gtin.map(str::to_owned),
            lot: lot.map(str::to_owned),
            expiry: exp.map(expiry),
            serial: serial.map(str::to_owned),
        }
    }

    fn err(input: &str) -> Gs1Error {
        parse(input, today()).unwrap_err()
    }

    #[test]
    fn character_set_82() {
        assert_eq!(CSET82.len(), 82);
        let accepted: String = (0u8..=255)
            .filter(|&b| is_cset82(b))
            .map(char::from)
            .collect();
        assert_eq!(accepted, CSET82);
        assert!(is_gs1_ai_value("ABC123", 20));
        assert!(is_gs1_ai_value(&"x".repeat(20), MAX_LOT_LEN));
        assert!(!is_gs1_ai_value(&"x".repeat(21), MAX_LOT_LEN));
        assert!(!is_gs1_ai_value("", 20));
        for bad in [
            "A B", "A#1", "$", "@", "[", "\\", "]", "^", "`", "{", "|", "}", "~", "é", "\u{1d}",
        ] {
            assert!(!is_gs1_ai_value(bad, 20), "{bad:?}");
        }
    }

    #[test]
    fn century_rule() {
        // Today 2026: YY within 1977..=2076.
        assert_eq!(expiry("761231").date, day(2076, 12, 31));
        assert_eq!(expiry("770101").date, day(1977, 1, 1));
        assert_eq!(expiry("990101").date, day(1999, 1, 1));
        assert_eq!(expiry("260101").date, day(2026, 1, 1));
        assert_eq!(expiry("000101").date, day(2000, 1, 1));
        // Late in a century, small YY are the next one.
        let late = day(2099, 6, 1);
        assert_eq!(Expiry::parse("490101", late).unwrap().date, day(2149, 1, 1));
        assert_eq!(Expiry::parse("500101", late).unwrap().date, day(2050, 1, 1));
        // 2100 is not a leap year: day 00 of February is the 28th.
        assert_eq!(
            Expiry::parse("000200", late).unwrap().date,
            day(2100, 2, 28)
        );
    }

    #[test]
    fn day_00_is_the_last_day_of_the_month() {
        assert_eq!(expiry("240200").date, day(2024, 2, 29), "leap year");
        assert_eq!(expiry("250200").date, day(2025, 2, 28), "common year");
        assert_eq!(expiry("000200").date, day(2000, 2, 29), "400-year leap");
        assert_eq!(expiry("250400").date, day(2025, 4, 30));
        assert_eq!(expiry("251200").date, day(2025, 12, 31));
        assert_eq!(
            expiry("250200").yymmdd,
            "250200",
            "the digits stay as written"
        );
    }

    #[test]
    fn expiry_errors() {
        let t = today();
        assert_eq!(
            Expiry::parse("251341", t),
            Err(Gs1Error::ExpiryMonth {
                value: "251341".into(),
                month: 13
            })
        );
        assert_eq!(
            Expiry::parse("251341", t).unwrap_err().to_string(),
            "AI (17) \"251341\": month 13 is not a month"
        );
        assert!(matches!(
            Expiry::parse("250015", t),
            Err(Gs1Error::ExpiryMonth { month: 0, .. })
        ));
        assert_eq!(
            Expiry::parse("250229", t),
            Err(Gs1Error::ExpiryDay {
                value: "250229".into(),
                day: 29,
                last: 28
            })
        );
        assert!(Expiry::parse("240229", t).is_ok());
        assert!(matches!(
            Expiry::parse("250132", t),
            Err(Gs1Error::ExpiryDay {
                day: 32,
                last: 31,
                ..
            })
        ));
        for bad in ["", "25123", "2512311", "25-231", "２５１２３１"] {
            assert_eq!(
                Expiry::parse(bad, t),
                Err(Gs1Error::ExpiryFormat { value: bad.into() }),
                "{bad}"
            );
        }
    }

    #[test]
    fn element_string_order_and_omission() {
        let all = keys(Some(GTIN), Some("ABC123"), Some("251231"), Some("S/1"));
        assert_eq!(
            element_string(&all),
            "(01)09506000134352(10)ABC123(17)251231(21)S/1"
        );
        let some = keys(Some(GTIN), None, Some("251231"), None);
        assert_eq!(element_string(&some), "(01)09506000134352(17)251231");
        assert_eq!(
            element_string(&keys(None, Some("L1"), None, None)),
            "(10)L1"
        );
        assert_eq!(element_string(&Gs1Keys::default()), "");
    }

    #[test]
    fn digital_link_shape() {
        let all = keys(Some(GTIN), Some("ABC123"), Some("251231"), Some("12345"));
        assert_eq!(
            digital_link(&all, GS1_RESOLVER).unwrap(),
            "https://id.gs1.org/01/09506000134352/10/ABC123/21/12345?17=251231"
        );
        let serial_only = keys(Some(GTIN), None, None, Some("X"));
        assert_eq!(
            digital_link(&serial_only, "https://example.com/").unwrap(),
            "https://example.com/01/09506000134352/21/X"
        );
        let short = keys(Some("9506000134352"), None, None, None);
        assert_eq!(digital_link(&short, "").unwrap(), "/01/09506000134352");
        assert_eq!(
            digital_link(&keys(None, Some("L"), None, None), GS1_RESOLVER),
            None
        );
    }

    #[test]
    fn percent_encoding() {
        assert_eq!(percent_encode("AB/1"), "AB%2F1");
        assert_eq!(percent_encode("a b"), "a%20b");
        assert_eq!(percent_encode("50%"), "50%25");
        assert_eq!(percent_encode("é"), "%C3%A9");
        assert_eq!(percent_encode("!'()*"), "%21%27%28%29%2A");
        assert_eq!(
            percent_encode("\"&+,:;<=>?"),
            "%22%26%2B%2C%3A%3B%3C%3D%3E%3F"
        );
        assert_eq!(percent_encode("Az09-._~"), "Az09-._~");
        let lot = keys(Some(GTIN), Some("A/B C%é"), None, None);
        assert_eq!(
            digital_link(&lot, GS1_RESOLVER).unwrap(),
            "https://id.gs1.org/01/09506000134352/10/A%2FB%20C%25%C3%A9"
        );
        for s in ["AB/1", "a b", "50%", "é", CSET82] {
            assert_eq!(percent_decode(&percent_encode(s)).unwrap(), s);
        }
        assert_eq!(percent_decode("ab%2f%2F").unwrap(), "ab//");
        for bad in ["%", "%2", "%G1", "%C3", "%FF"] {
            assert_eq!(
                percent_decode(bad),
                Err(Gs1Error::PercentEncoding { text: bad.into() }),
                "{bad}"
            );
        }
    }

    #[test]
    fn parse_bracketed() {
        let got = parse("(01)09506000134352(10)ABC123(17)251231", today()).unwrap();
        assert_eq!(got, keys(Some(GTIN), Some("ABC123"), Some("251231"), None));
        // Order does not matter; spaces between fields (as printed) do not either.
        let got = parse(" (21) S1 (17) 250200 (01) 09506000134352\n", today()).unwrap();
        assert_eq!(got, keys(Some(GTIN), None, Some("250200"), Some("S1")));
        // Brackets inside a value that are not (NN)..(NNNN) stay in it.
        let got = parse("(01)09506000134352(10)A(1)B()", today()).unwrap();
        assert_eq!(got.lot.as_deref(), Some("A(1)B()"));
        // The brief's example date 250231 is 31 February: not a real date.
        assert_eq!(
            err("(01)09506000134352(10)ABC123(17)250231"),
            Gs1Error::ExpiryDay {
                value: "250231".into(),
                day: 31,
                last: 28
            }
        );
    }

    #[test]
    fn parse_digital_link() {
        let got = parse(
            "https://example.com/01/09506000134352/10/ABC%2F1?17=250200",
            today(),
        )
        .unwrap();
        assert_eq!(got, keys(Some(GTIN), Some("ABC/1"), Some("250200"), None));
        assert_eq!(got.expiry.unwrap().date, day(2025, 2, 28));
        // A path prefix, a 13-digit GTIN, a serial, other query parameters, a fragment.
        let got = parse(
            "HTTPS://brand.example/products/01/x/01/9506000134352/21/S%201x?linkType=gs1:pip&17=251231#top",
            today(),
        );
        assert_eq!(
            got,
            Err(Gs1Error::ValueChar {
                ai: "21",
                value: "S 1x".into(),
                ch: ' '
            }),
            "the decoded space is still not a legal serial character"
        );
        let got = parse("https://brand.example/products/01/x/01/9506000134352/21/S1?linkType=gs1:pip&17=251231#top", today()).unwrap();
        assert_eq!(got, keys(Some(GTIN), None, Some("251231"), Some("S1")));
        // The path alone, trailing slash, GTIN-8 and GTIN-12 padded.
        let got = parse("/01/96385074/", today()).unwrap();
        assert_eq!(got.gtin.as_deref(), Some("00000096385074"));
        let got = parse("http://h/01/036000291452/10/01", today()).unwrap();
        assert_eq!(got.gtin.as_deref(), Some("00036000291452"));
        assert_eq!(
            got.lot.as_deref(),
            Some("01"),
            "a value \"01\" is not mistaken for the key"
        );
        // A QR symbology identifier before the URI.
        let got = parse("]Q1https://id.gs1.org/01/09506000134352/10/L1", today()).unwrap();
        assert_eq!(got.lot.as_deref(), Some("L1"));
    }

    #[test]
    fn parse_raw_scanner_strings() {
        let want = keys(Some(GTIN), Some("ABC123"), Some("251231"), Some("XYZ"));
        let inputs = [
            "010950600013435217251231".to_owned() + "10ABC123\u{1d}21XYZ",
            "]C1010950600013435217251231".to_owned() + "10ABC123\u{1d}21XYZ",
            "]d2010950600013435217251231".to_owned() + "10ABC123<GS>21XYZ",
            "]Q3\u{1d}0109506000134352\u{1d}17251231\u{1d}10ABC123\u{1d}21XYZ\u{1d}\r\n".to_owned(),
            "01095060001343521725123121XYZ\u{1d}10ABC123".to_owned(),
        ];
        for raw in &inputs {
            assert_eq!(parse(raw, today()).unwrap(), want, "{raw:?}");
        }
        // A variable field at the end needs no separator; a fixed one none before it.
        let got = parse("10L1\u{1d}0109506000134352", today()).unwrap();
        assert_eq!(got, keys(Some(GTIN), Some("L1"), None, None));
    }

    #[test]
    fn round_trips() {
        let mut seed: u64 = 0x5EED_1234_ABCD_0001;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..500 {
            let mut value = |no_brackets: bool| -> String {
                let len = 1 + (next() % 20) as usize;
                (0..len)
                    .map(|_| CSET82.as_bytes()[(next() % 82) as usize])
                    .filter(|&b| !(no_brackets && (b == b'(' || b == b')')))
                    .map(char::from)
                    .collect()
            };
            let (lot, serial) = (value(false), value(false));
            let (lot, serial) = (
                if lot.is_empty() { "L".to_owned() } else { lot },
                if serial.is_empty() {
                    "S".to_owned()
                } else {
                    serial
                },
            );
            let k = keys(Some(GTIN), Some(&lot), Some("240200"), Some(&serial));
            let link = digital_link(&k, GS1_RESOLVER).unwrap();
            assert_eq!(parse(&link, today()).unwrap(), k, "{link}");
            let (lot, serial) = (value(true), value(true));
            if lot.is_empty() || serial.is_empty() {
                continue;
            }
            let k = keys(Some(GTIN), Some(&lot), Some("251200"), Some(&serial));
            let text = element_string(&k);
            assert_eq!(parse(&text, today()).unwrap(), k, "{text}");
        }
    }

    #[test]
    fn error_variants_syntax() {
        assert_eq!(err(""), Gs1Error::Empty);
        assert_eq!(err(" \r\n"), Gs1Error::Empty);
        assert_eq!(err("]C1"), Gs1Error::Empty);
        assert_eq!(err("]C1\u{1d}"), Gs1Error::Empty);
        assert_eq!(err("(01"), Gs1Error::Bracket { at: "(01".into() });
        assert_eq!(err("(1)x"), Gs1Error::Bracket { at: "(1)x".into() });
        assert_eq!(
            err("0109506000134352AB12"),
            Gs1Error::ExpectedAi { at: "AB12".into() }
        );
        assert_eq!(
            err("(00)106141411234567897"),
            Gs1Error::UnknownAi { ai: "00".into() }
        );
        assert_eq!(
            err("(3103)000500").to_string(),
            "unknown or unsupported AI (3103); lot codes use (01), (10), (17) and (21)"
        );
        assert_eq!(
            err("00106141411234567897"),
            Gs1Error::UnknownAi { ai: "00".into() }
        );
        assert_eq!(
            err("/01/09506000134352/22/ABC"),
            Gs1Error::UnknownAi { ai: "22".into() }
        );
        assert_eq!(
            err("/01/09506000134352?3103=000500"),
            Gs1Error::UnknownAi { ai: "3103".into() }
        );
    }

    #[test]
    fn error_variants_gtin() {
        assert_eq!(err("(10)A(10)B"), Gs1Error::DuplicateAi { ai: "10" });
        assert_eq!(
            err("/01/09506000134352?01=09506000134352"),
            Gs1Error::DuplicateAi { ai: "01" }
        );
        assert_eq!(
            err("(01)9506000134352"),
            Gs1Error::GtinFormat {
                value: "9506000134352".into()
            }
        );
        assert_eq!(
            err("/01/950600013435X"),
            Gs1Error::GtinFormat {
                value: "950600013435X".into()
            }
        );
        assert_eq!(
            err("/01/0950600013"),
            Gs1Error::GtinFormat {
                value: "0950600013".into()
            }
        );
        assert_eq!(
            err("(01)09506000134353"),
            Gs1Error::GtinCheckDigit {
                value: "09506000134353".into(),
                expected: 2
            }
        );
        assert_eq!(
            err("(01)09506000134353").to_string(),
            "AI (01) \"09506000134353\": wrong check digit, it should be 2"
        );
        assert_eq!(
            err("01095060001343"),
            Gs1Error::FixedTooShort {
                ai: "01",
                value: "095060001343".into(),
                len: 14
            }
        );
        assert_eq!(
            err("010950600013\u{1d}10A"),
            Gs1Error::FixedTooShort {
                ai: "01",
                value: "0950600013".into(),
                len: 14
            }
        );
        assert_eq!(
            err("1725123"),
            Gs1Error::FixedTooShort {
                ai: "17",
                value: "25123".into(),
                len: 6
            }
        );
    }

    #[test]
    fn error_variants_expiry() {
        assert_eq!(
            err("(17)2512"),
            Gs1Error::ExpiryFormat {
                value: "2512".into()
            }
        );
        assert_eq!(
            err("17251341"),
            Gs1Error::ExpiryMonth {
                value: "251341".into(),
                month: 13
            }
        );
        assert_eq!(
            err("/01/09506000134352?17=250230"),
            Gs1Error::ExpiryDay {
                value: "250230".into(),
                day: 30,
                last: 28
            }
        );
    }

    #[test]
    fn error_variants_values_and_links() {
        assert_eq!(err("(10)(21)X"), Gs1Error::ValueEmpty { ai: "10" });
        assert_eq!(err("10\u{1d}21X"), Gs1Error::ValueEmpty { ai: "10" });
        assert_eq!(
            err(&format!("(21){}", "9".repeat(21))),
            Gs1Error::ValueTooLong {
                ai: "21",
                value: "9".repeat(21),
                max: 20
            }
        );
        // Without its GS, a lot swallows the next field and gets too long.
        assert!(matches!(
            err("10ABC1231725123121XYZ123456"),
            Gs1Error::ValueTooLong { ai: "10", .. }
        ));
        assert_eq!(
            err("(10)AB#1"),
            Gs1Error::ValueChar {
                ai: "10",
                value: "AB#1".into(),
                ch: '#'
            }
        );
        assert_eq!(
            err("/01/09506000134352/10/%C3%A9"),
            Gs1Error::ValueChar {
                ai: "10",
                value: "é".into(),
                ch: 'é'
            }
        );
        assert_eq!(
            err("/01/09506000134352/10/A%2"),
            Gs1Error::PercentEncoding { text: "A%2".into() }
        );
        assert_eq!(
            err("https://example.com/"),
            Gs1Error::NoGtinInLink {
                input: "https://example.com/".into()
            }
        );
        assert_eq!(
            err("https://example.com/01"),
            Gs1Error::NoGtinInLink {
                input: "https://example.com/01".into()
            }
        );
        assert_eq!(
            err("/414/9506000000008"),
            Gs1Error::NoGtinInLink {
                input: "/414/9506000000008".into()
            }
        );
        // Non-ASCII anywhere never panics.
        for odd in [
            "]é",
            "é",
            "(é)",
            "(01)é",
            "01é",
            "01ééééééééééééééé",
            "17ééééééé",
            "/01/é",
            "https://é",
        ] {
            assert!(parse(odd, today()).is_err(), "{odd}");
        }
    }
}
