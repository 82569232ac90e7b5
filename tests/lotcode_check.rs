//! `lotgraph lotcode check` on a small dataset with one planted mistake of
//! each kind (the expected findings are listed beside the rows).

// A test: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ingested_dir, lotgraph};
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
    assert_eq!(v["lots_checked"], 4);
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
