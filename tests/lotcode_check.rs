//! `lotgraph lotcode check` on a small dataset with one planted mistake of
//! each kind (the expected findings are listed beside the rows).

// A test: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ingested, ingested_dir, lotgraph};
use serde_json::Value;

const LOTS: &str = "\
lot_id,sku,origin,produced_on,quantity
01-2134301,HUM-01,produced,2021-12-09,100
01-2134302,HUM-01,produced,2021-12-10,100
02-2134301,HUM-01,produced,2021-12-09,100
01-21343,HUM-01,produced,2021-12-09,100
000123,RAW-1,produced,2021-12-09,5
123,RAW-1,produced,2021-12-09,5
LOT #5,RAW-1,produced,2021-12-09,5
";
// 01-2134301: fits, day 343 = 2021-12-09: nothing.
// 01-2134302: says 2021-12-09, produced 2021-12-10: date_mismatch.
// 02-2134301: batch 1 of 2021-12-09 for HUM-01 again: duplicate_sequence.
// 01-21343: too short for the scheme: does_not_fit.
// 123 after 000123: collides. "LOT #5": not_gs1 (space and #).

#[test]
fn every_kind_of_mistake_is_found_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lots.csv"), LOTS).unwrap();
    let ws = ingested_dir(dir.path());
    let out = lotgraph(ws.path())
        .args([
            "lotcode",
            "check",
            "--scheme",
            "{code:flavour}-{yy}{jjj}{seq:2}",
            "--sku",
            "HUM-*",
            "--format",
            "json",
            "--strict",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["lot_ids_checked"], 4);
    let mut got: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["finding"].as_str().unwrap().to_string(),
                f["lot_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    let want = [
        ("collides", "123"),
        ("date_mismatch", "01-2134302"),
        ("does_not_fit", "01-21343"),
        ("duplicate_sequence", "02-2134301"),
        ("not_gs1", "LOT #5"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
        .collect();
    assert_eq!(got, want);
    let text = String::from_utf8_lossy(
        &lotgraph(ws.path())
            .args([
                "lotcode",
                "check",
                "--scheme",
                "{code:flavour}-{yy}{jjj}{seq:2}",
                "--sku",
                "HUM-*",
            ])
            .output()
            .unwrap()
            .stdout,
    )
    .into_owned();
    assert!(
        text.contains("\"01-2134302\" says 2021-12-09, the lot's record says 2021-12-10"),
        "{text}"
    );
}

#[test]
fn the_next_code_follows_the_highest_batch_of_the_day() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lots.csv"), LOTS).unwrap();
    let ws = ingested_dir(dir.path());
    let next = |flavour: &str, date: &str| -> Value {
        let out = lotgraph(ws.path())
            .args([
                "lotcode",
                "next",
                "--scheme",
                "{code:flavour}-{yy}{jjj}{seq:2}",
            ])
            .args(["--sku", "HUM-01", "--date", date, "--code"])
            .arg(format!("flavour={flavour}"))
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    // Flavour 01 on 2021-12-09: batches 01 and 02 are taken (02's code
    // says that day even though its record says the 10th).
    assert_eq!(next("01", "2021-12-09")["code"], "01-2134303");
    // Flavour 02 has its own sequence: 02-2134301 is taken.
    assert_eq!(next("02", "2021-12-09")["code"], "02-2134302");
    // A day without lots starts at batch 1.
    assert_eq!(next("01", "2021-12-11")["code"], "01-2134501");
    assert_eq!(next("01", "2021-12-11")["seq"], 1);
    let out = lotgraph(ws.path())
        .args([
            "lotcode",
            "next",
            "--scheme",
            "{yy}{jjj}",
            "--sku",
            "HUM-01",
            "--date",
            "2021-12-09",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no {seq:N} field"));
}

/// Runs `lotcode ARGS --format json` on `ws`; returns the exit code and JSON.
fn json(ws: &std::path::Path, args: &[&str]) -> (Option<i32>, Value) {
    let out = lotgraph(ws)
        .arg("lotcode")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), v)
}

#[test]
fn the_fixtures_declared_schemes_find_each_mistake_with_its_message() {
    // data/fixtures/lotcodes/README.md derives every row.
    let ws = ingested("lotcodes");
    let (code, v) = json(ws.path(), &["check", "--strict"]);
    assert_eq!(code, Some(1));
    assert_eq!(v["lot_ids_checked"], 12);
    assert_eq!(v["supplier_codes_checked"], 3);
    let got: Vec<(String, String, String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap().to_string();
            (s("finding"), s("lot_id"), s("column"), s("detail"))
        })
        .collect();
    let want = [
        (
            "date_mismatch",
            "01-2134302",
            "lot_id",
            r#""01-2134302" says 2021-12-09, the lot's record says 2021-12-10"#,
        ),
        (
            "field_mismatch",
            "02-2134303",
            "lot_id",
            r#""02-2134303" says flavour 02; HUM-01 lots carry 01"#,
        ),
        (
            "does_not_fit",
            "01-21343",
            "lot_id",
            r#""01-21343" does not fit {code:flavour}-{yy}{jjj}{seq:2}"#,
        ),
        (
            "duplicate_sequence",
            "B-2134301",
            "lot_id",
            r#""B-2134301" and "A-2134301": batch 1 of 2021-12-09 twice"#,
        ),
        (
            "field_mismatch",
            "21343-L2",
            "lot_id",
            r#""21343-L2" says line L2; the lot's is L1"#,
        ),
        (
            "ambiguous",
            "A-B-C",
            "lot_id",
            r#""A-B-C" fits {code:kit}-{code:size} 2 ways"#,
        ),
        (
            "date_mismatch",
            "R-2112-002",
            "supplier_lot_code",
            r#""AS2134001" says 2021-12-06, after the lot was received on 2021-12-05"#,
        ),
        (
            "does_not_fit",
            "R-2112-003",
            "supplier_lot_code",
            r#""ACME-77" does not fit AS{yy}{jjj}{seq:2}"#,
        ),
        (
            "collides",
            "123",
            "lot_id",
            r#""123" and "000123" are one id to a spreadsheet"#,
        ),
        (
            "not_gs1",
            "LOT #5",
            "lot_id",
            r#""LOT #5" is not 1-20 characters of the GS1 set (no spaces, no #)"#,
        ),
    ];
    let want: Vec<(String, String, String, String)> = want
        .iter()
        .map(|(a, b, c, d)| ((*a).into(), (*b).into(), (*c).into(), (*d).into()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn bad_gtins_and_schemes_are_rejected_with_their_reason() {
    let ws = ingested("lotcodes");
    let rejects = std::fs::read_to_string(ws.path().join("rejects.csv")).unwrap();
    let mut r = csv::Reader::from_reader(rejects.as_bytes());
    let got: Vec<(String, String, String, String)> = r
        .records()
        .map(|x| {
            let x = x.unwrap();
            (
                format!("{}:{}", &x[0], &x[1]),
                x[2].to_string(),
                x[3].to_string(),
                x[5].to_string(),
            )
        })
        .collect();
    let want = [
        (
            "products.csv:4",
            "gtin",
            r#""0614141000037" ends in check digit 7, GS1 mod-10 gives 6"#,
            "bad_gtin",
        ),
        (
            "products.csv:5",
            "gtin",
            r#"duplicate "00614141000012" (first on line 2, SKU "HUM-01")"#,
            "duplicate_key",
        ),
        (
            "lot_schemes.csv:5",
            "template",
            r#"template "{code:flavour-{yy}": unknown field {code:flavour-{yy}"#,
            "bad_template",
        ),
        (
            "lot_schemes.csv:6",
            "codes",
            r#""size" is not a {code:NAME} field of {yy}{jjj}"#,
            "bad_codes",
        ),
        (
            "lot_schemes.csv:10",
            "supplier_id",
            r#"unknown supplier "SUP-Z""#,
            "unknown_supplier",
        ),
    ];
    let want: Vec<(String, String, String, String)> = want
        .iter()
        .map(|(a, b, c, d)| ((*a).into(), (*b).into(), (*c).into(), (*d).into()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn a_scanned_digital_link_resolves_to_its_lot_and_mismatches_are_named() {
    let ws = ingested("lotcodes");
    let (code, v) = json(ws.path(), &["gs1", "01-2134301"]);
    assert_eq!(code, Some(0));
    assert_eq!(v["element_string"], "(01)00614141000012(10)01-2134301");
    let link = v["digital_link"].as_str().unwrap().to_string();
    assert_eq!(link, "https://id.gs1.org/01/00614141000012/10/01-2134301");
    let (code, v) = json(ws.path(), &["parse", &link, "--strict"]);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["resolved"]["how"], "exact");
    assert_eq!(v["resolved"]["lot_id"], "01-2134301");
    assert_eq!(v["resolved"]["problems"], serde_json::json!([]));
    // The GTIN picks HUM-01's scheme: one reading, flavour 01, batch 1.
    assert_eq!(v["readings"].as_array().unwrap().len(), 1);
    assert_eq!(v["readings"][0]["fields"]["code:flavour"], "01");
    assert_eq!(v["readings"][0]["date"], "2021-12-09");
    let (code, v) = json(
        ws.path(),
        &["parse", "(01)00614141000029(10)01-2134301", "--strict"],
    );
    assert_eq!(code, Some(1));
    assert_eq!(
        v["resolved"]["problems"][0],
        "GTIN 00614141000029 is SKU HUM-02, lot 01-2134301 is SKU HUM-01"
    );
    let (code, v) = json(ws.path(), &["parse", "1-2134301", "--strict"]);
    assert_eq!(code, Some(1));
    assert_eq!(v["resolved"]["how"], "spreadsheet");
    assert_eq!(v["resolved"]["lot_id"], "01-2134301");
    assert_eq!(v["ambiguous"], true);
    let fits: Vec<&str> = v["readings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["sku_pattern"].as_str().unwrap())
        .collect();
    assert_eq!(fits, ["HUM-02", "KIT-*"]);
    let out = lotgraph(ws.path())
        .args(["lotcode", "gs1", "21343-L2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SKU HUM-04 has no gtin"));
}

#[test]
fn the_demo_passes_its_scheme_but_for_the_planted_miscoded_batch() {
    let ws = ingested_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo"));
    let (code, v) = json(ws.path(), &["check", "--strict", "--on", "2022-03-04"]);
    assert_eq!(code, Some(1));
    assert_eq!(v["lot_ids_checked"], 195);
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["lot_id"], "03-2131402");
    assert_eq!(f[0]["finding"], "date_mismatch");
    // A tub of the complained-about batch, as a customer's scanner reads it.
    let (_, g) = json(ws.path(), &["gs1", "01-2134303"]);
    let link = g["digital_link"].as_str().unwrap();
    assert_eq!(
        link,
        "https://id.gs1.org/01/00614141000012/10/01-2134303?17=220222"
    );
    let (code, v) = json(
        ws.path(),
        &["parse", link, "--strict", "--on", "2022-03-04"],
    );
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["resolved"]["lot_id"], "01-2134303");
    assert_eq!(v["readings"][0]["date"], "2021-12-09");
    assert_eq!(v["readings"][0]["seq"], 3);
    let (_, n) = json(
        ws.path(),
        &["next", "--sku", "HUM-01-10", "--date", "2021-12-09"],
    );
    assert_eq!(n["code"], "01-2134304");
}
