//! Tests of `gs1`: element strings, Digital Link, raw scanner strings,
//! the century rule, day 00 and every error.

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

fn keys(gtin: Option<&str>, lot: Option<&str>, exp: Option<&str>, serial: Option<&str>) -> Gs1Keys {
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
    let got = parse(
        "https://brand.example/products/01/x/01/9506000134352/21/S1?linkType=gs1:pip&17=251231#top",
        today(),
    )
    .unwrap();
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
