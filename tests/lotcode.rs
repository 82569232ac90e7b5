//! `lotgraph lotcode parse`: the demo's scheme, a packer's Julian code,
//! ambiguous and unreadable codes, and the GS1 forms a scanner produces
//! (docs/lot-codes.md; the expected dates are worked out there).

// A test: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assert_cmd::Command;
use serde_json::Value;

const DEMO: &str = "{code:flavour}-{yy}{jjj}{seq:2}";

fn lotcode(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("lotgraph")
        .unwrap()
        .arg("lotcode")
        .args(args)
        .output()
        .unwrap()
}

fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json", "--on", "2026-12-07"]);
    let out = lotcode(&all);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_demo_code_is_flavour_year_day_and_batch() {
    let v = json(&["parse", "01-2134303", "--scheme", DEMO]);
    assert_eq!(v["ambiguous"], false);
    let r = &v["readings"][0];
    // 2021, day 343 = 2021-12-09; the 3rd batch of the day.
    assert_eq!(r["date"], "2021-12-09");
    assert_eq!(r["seq"], 3);
    assert_eq!(r["fields"]["code:flavour"], "01");
}

#[test]
fn a_packer_julian_code_and_day_366() {
    // 2019 day 250 = 2019-09-07; 2020 is a leap year, 2021 is not.
    let v = json(&["parse", "19250", "--scheme", "{yy}{jjj}"]);
    assert_eq!(v["readings"][0]["date"], "2019-09-07");
    let v = json(&["parse", "20366", "--scheme", "{yy}{jjj}"]);
    assert_eq!(v["readings"][0]["date"], "2020-12-31");
    let v = json(&["parse", "21366", "--scheme", "{yy}{jjj}"]);
    assert_eq!(v["readings"], Value::Array(vec![]));
}

#[test]
fn an_ambiguous_code_lists_every_reading() {
    let v = json(&["parse", "A-B-C", "--scheme", "{sku}-{site}"]);
    assert_eq!(v["ambiguous"], true);
    assert_eq!(v["readings"].as_array().unwrap().len(), 2);
}

#[test]
fn a_code_that_does_not_fit_is_a_finding_under_strict() {
    let out = lotcode(&["parse", "21366", "--scheme", "{yy}{jjj}"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("does not fit"));
    let out = lotcode(&["parse", "21366", "--scheme", "{yy}{jjj}", "--strict"]);
    assert_eq!(out.status.code(), Some(1));
    let out = lotcode(&["parse", "21366"]);
    assert_eq!(out.status.code(), Some(2));
    let out = lotcode(&["parse", "1", "--scheme", "{yy"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no `}`"));
}

#[test]
fn every_gs1_form_of_a_demo_tub_reads_to_the_same_lot() {
    // The same tub as a Digital Link, the human-readable element string
    // and the raw string a scanner emits (]C1 prefix, GS after the lot).
    // AI (17) 220100: day 00 is the month's last day, 2022-01-31.
    let forms = [
        "https://id.gs1.org/01/09506000134352/10/01-2134303?17=220100",
        "(01)09506000134352(10)01-2134303(17)220100",
        "]C101095060001343521001-2134303\u{1d}17220100",
    ];
    for f in forms {
        let v = json(&["parse", f, "--scheme", DEMO]);
        assert_eq!(v["lot"], "01-2134303", "{f}");
        assert_eq!(v["gs1"]["gtin"], "09506000134352", "{f}");
        assert_eq!(v["gs1"]["expiry"], "2022-01-31", "{f}");
        assert_eq!(v["readings"][0]["date"], "2021-12-09", "{f}");
        assert_eq!(
            v["gs1"]["digital_link"],
            "https://id.gs1.org/01/09506000134352/10/01-2134303?17=220100"
        );
    }
    // A wrong GTIN check digit is an error that names it.
    let out = lotcode(&["parse", "(01)09506000134353(10)X", "--on", "2026-12-07"]);
    assert_eq!(out.status.code(), Some(2));
}
