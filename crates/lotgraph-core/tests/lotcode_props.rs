//! Lot-code schemes round-trip: a code written for a date and a batch
//! reads back to the same fields, date and batch, over random schemes and
//! dates (leap years and day 366 included).

// A test: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Datelike, NaiveDate};
use lotgraph_core::lotcode::scheme::{Scheme, Values};
use proptest::prelude::*;

/// Templates whose fields encode a whole date, so the date reads back.
fn template() -> impl Strategy<Value = String> {
    let date = prop_oneof![
        Just("{yy}{jjj}"),
        Just("{yyyy}{jjj}"),
        Just("{yyyy}{mm}{dd}"),
        Just("{yy}-{mm}-{dd}"),
        Just("{dd}{mm}{yy}"),
    ];
    let prefix = prop_oneof![Just(""), Just("{code:flavour}-"), Just("L"), Just("{sku}/")];
    let suffix = prop_oneof![
        Just(""),
        Just("{seq:2}"),
        Just("-{seq:3}"),
        Just("{seq:1}{chk:gs1}"),
        Just("{seq:2}{chk:mod37-36}"),
    ];
    (prefix, date, suffix).prop_map(|(p, d, s)| format!("{p}{d}{s}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_written_code_reads_back(
        template in template(),
        days in 0i64..(365 * 99 + 24),
        seq in 1u32..10,
        flavour in "[0-9]{2}",
        sku in "[A-Z]{2,5}",
    ) {
        let scheme = Scheme::parse(&template).unwrap();
        // 2000-01-01 .. 2098-12-31: every leap day and day 366 of the range.
        let date = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Days::new(days as u64);
        let v = Values {
            date: Some(date),
            seq,
            sku: Some(sku),
            codes: [("flavour".to_string(), flavour)].into(),
            ..Values::default()
        };
        let code = scheme.write(&v).unwrap();
        let readings = scheme.read(&code, NaiveDate::from_ymd_opt(2099, 1, 1).unwrap());
        prop_assert!(!readings.is_empty(), "{code} does not read with {template}");
        let has_seq = template.contains("{seq");
        prop_assert!(
            readings.iter().any(|r| r.date == Some(date) && (!has_seq || r.seq == Some(seq))),
            "{code} with {template}: {readings:?}, wrote {date} batch {seq}"
        );
        // Day 366 exists only in leap years: its code reads to Dec 31.
        if date.ordinal() == 366 {
            prop_assert_eq!(date.month(), 12);
        }
    }

    #[test]
    fn a_changed_character_breaks_the_check(
        days in 0i64..36_000,
        seq in 1u32..100,
        at in 0usize..9,
        to in "[0-9A-Z]",
    ) {
        let scheme = Scheme::parse("{yy}{jjj}{seq:2}{chk:mod37-36}").unwrap();
        let date = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Days::new(days as u64);
        let code = scheme.write(&Values { date: Some(date), seq, ..Values::default() }).unwrap();
        let mut chars: Vec<char> = code.chars().collect();
        let at = at % chars.len();
        let to = to.chars().next().unwrap();
        prop_assume!(chars[at] != to);
        chars[at] = to;
        let changed: String = chars.into_iter().collect();
        prop_assert!(
            scheme.read(&changed, NaiveDate::from_ymd_opt(2099, 1, 1).unwrap()).is_empty(),
            "{code} changed to {changed} still reads"
        );
    }
}
