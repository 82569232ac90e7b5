//! Integration tests: the built binary on the `data/fixtures` datasets, one
//! or more per command, with hand-computed expected answers (see
//! `data/fixtures/toy/README.md`) and insta snapshots of every trace format.

// A test or bench: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{fixture, ingested, json, lotgraph, text};
use predicates::prelude::*;
use serde_json::Value;

/// (`lot_id`, depth, share) of a trace document.
fn lots(doc: &Value) -> Vec<(String, u64, f64)> {
    doc["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["lot_id"].as_str().unwrap().to_string(),
                l["depth"].as_u64().unwrap(),
                l["share"].as_f64().unwrap(),
            )
        })
        .collect()
}

fn assert_lots(doc: &Value, want: &[(&str, u64, f64)]) {
    let got = lots(doc);
    assert_eq!(got.len(), want.len(), "{got:?}");
    for ((g, gd, gs), (w, wd, ws)) in got.iter().zip(want) {
        assert_eq!((g.as_str(), *gd), (*w, *wd));
        assert!((gs - ws).abs() < 1e-12, "{g}: share {gs} != {ws}");
    }
}

#[test]
fn ingest_counts_every_row() {
    let ws = tempfile::tempdir().unwrap();
    let doc = json(
        ws.path(),
        &[
            "ingest",
            fixture("toy").to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 9);
    for f in files {
        assert_eq!(f["loaded"], f["read"]);
        assert_eq!(f["rejected"], 0);
    }
    assert_eq!(doc["lots"], 6);
    assert!(ws.path().join("rejects.csv").exists());
}

#[test]
fn trace_back_gives_exact_shares() {
    let ws = ingested("toy");
    let doc = json(ws.path(), &["trace", "back", "R", "--format", "json"]);
    assert_eq!(doc["root"], "R");
    assert_eq!(doc["direction"], "back");
    assert_lots(
        &doc,
        &[
            ("F1", 1, 1.0),
            ("A", 2, 0.75),
            ("M", 2, 0.75),
            ("B", 3, 0.25),
        ],
    );
    assert_eq!(doc["suppliers"], serde_json::json!(["S1", "S2"]));
    assert!(doc.get("customers").is_none());
}

#[test]
fn trace_forward_reaches_customers() {
    let ws = ingested("toy");
    let doc = json(ws.path(), &["trace", "forward", "A", "--format", "json"]);
    let third = 2.0 / 3.0;
    assert_lots(
        &doc,
        &[
            ("F1", 1, 0.75),
            ("M", 1, third),
            ("F2", 2, third),
            ("R", 2, 0.75),
        ],
    );
    assert_eq!(doc["suppliers"], serde_json::json!(["S1"]));
    assert_eq!(
        doc["customers"],
        serde_json::json!([{"customer_id": "C1", "quantity": 90}, {"customer_id": "C2", "quantity": 10}])
    );
}

#[test]
fn max_depth_limits_the_listing_not_the_shares() {
    let ws = ingested("toy");
    let doc = json(
        ws.path(),
        &["trace", "back", "R", "--max-depth", "2", "--format", "json"],
    );
    assert_lots(&doc, &[("F1", 1, 1.0), ("A", 2, 0.75), ("M", 2, 0.75)]);
    // B is beyond the limit, so its supplier is not listed.
    assert_eq!(doc["suppliers"], serde_json::json!(["S1"]));
}

#[test]
fn trace_formats_snapshot() {
    let ws = ingested("toy");
    for format in ["tree", "table", "csv", "json", "dot", "mermaid"] {
        let out = text(ws.path(), &["trace", "back", "R", "--format", format]);
        insta::assert_snapshot!(format!("trace_back_R_{format}"), out);
    }
    let out = text(ws.path(), &["trace", "forward", "A", "--format", "tree"]);
    insta::assert_snapshot!("trace_forward_A_tree", out);
}

#[test]
fn trace_writes_to_a_file() {
    let ws = ingested("toy");
    let out = ws.path().join("t.csv");
    lotgraph(ws.path())
        .args(["trace", "back", "F2", "--format", "csv", "--output"])
        .arg(&out)
        .assert()
        .success()
        .stdout("");
    let body = std::fs::read_to_string(out).unwrap();
    assert!(body.starts_with("lot_id,sku,depth,share,"));
    assert_eq!(body.lines().count(), 4);
}

#[test]
fn unknown_lot_is_one_clear_line_and_exit_2() {
    let ws = ingested("toy");
    lotgraph(ws.path())
        .args(["trace", "back", "NOPE"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "lot \"NOPE\" is not in the snapshot",
        ));
}

#[test]
fn missing_snapshot_says_what_to_do() {
    let ws = tempfile::tempdir().unwrap();
    lotgraph(&ws.path().join("none"))
        .args(["stats"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("run `lotgraph ingest DIR` first"));
}

#[test]
fn lot_show_has_every_fact() {
    let ws = ingested("toy");
    let doc = json(ws.path(), &["lot", "show", "F1", "--format", "json"]);
    assert_eq!(doc["sku"], "FIN");
    assert_eq!(doc["line"], "L1");
    // Derived from 60 days of shelf life.
    assert_eq!(doc["expires_on"], "2024-03-06");
    assert_eq!(doc["expiry_source"], "shelf_life");
    assert_eq!(doc["consumed"], 20);
    assert_eq!(doc["shipped_to_customers"], 50);
    assert_eq!(doc["delivered"], 40);
    assert_eq!(doc["in_transit"], 10);
    assert_eq!(doc["on_hand"], 30);
    assert_eq!(doc["returned"], 3);
    assert_eq!(
        doc["on_hand_by_site"],
        serde_json::json!([{"site_id": "P1", "on_hand": 20}, {"site_id": "DC1", "on_hand": 10}])
    );
    assert_eq!(doc["parents"].as_array().unwrap().len(), 2);
    assert_eq!(doc["children"][0]["lot_id"], "R");
    assert_eq!(doc["shipments"].as_array().unwrap().len(), 3);
    assert_eq!(doc["returns"][0]["reason"], "bitter taste, \"off\" smell");
    let a = json(ws.path(), &["lot", "show", "A", "--format", "json"]);
    assert_eq!(a["supplier_id"], "S1");
    assert_eq!(a["supplier_lot_code"], "T-77");
    assert_eq!(a["extra"]["note"], "sesame");
    assert_eq!(a["inspections"][0]["result"], "pass");
    insta::assert_snapshot!("lot_show_F1", text(ws.path(), &["lot", "show", "F1"]));
}

#[test]
fn stats_counts_entities_and_depth() {
    let ws = ingested("toy");
    let doc = json(ws.path(), &["stats", "--format", "json"]);
    assert_eq!(doc["depth"], 3);
    let count = |name: &str| {
        doc["counts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["entity"] == name)
            .map(|c| c["count"].as_u64().unwrap())
    };
    assert_eq!(count("lots"), Some(6));
    assert_eq!(count("edges consumed-into (rows)"), Some(6));
    assert_eq!(count("shipments in transit"), Some(1));
    assert_eq!(doc["largest_fan_out"][0]["lot_id"], "A");
    assert_eq!(doc["largest_fan_out"][0]["downstream_lots"], 4);
    insta::assert_snapshot!("stats_toy", text(ws.path(), &["stats"]));
}

#[test]
fn check_is_clean_on_clean_data() {
    let ws = ingested("toy");
    lotgraph(ws.path())
        .args(["check", "--strict"])
        .assert()
        .success();
}

#[test]
fn check_finds_every_planted_problem() {
    let ws = ingested("imbalance");
    let out = lotgraph(ws.path())
        .args(["check", "--strict", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(String, String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["finding"].as_str().unwrap().to_string(),
                f["lot_id"].as_str().unwrap_or("").to_string(),
                f["site_id"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let want = [
        ("over_consumed", "R1", ""),
        ("negative_on_hand", "R1", "P1"),
        ("negative_on_hand", "F1", "DC1"),
        ("produced_without_inputs", "F3", ""),
        ("unknown_lot_reference", "", ""),
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(found, want);
    assert!(
        doc["findings"][4]["detail"]
            .as_str()
            .unwrap()
            .contains("shipments.csv:4: lot_id: unknown lot \"NOPE\"")
    );
    // Without --strict the same findings are a report, not a failure.
    lotgraph(ws.path()).args(["check"]).assert().success();
}

#[test]
fn interrupted_ingest_leaves_the_previous_snapshot() {
    let ws = ingested("toy");
    // Crash after the new snapshot is fully written, before it goes live.
    let out = lotgraph(ws.path())
        .env("LOTGRAPH_TEST_FAULT", "write-current:abort")
        .arg("ingest")
        .arg(fixture("imbalance"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let doc = json(ws.path(), &["trace", "back", "R", "--format", "json"]);
    assert_eq!(lots(&doc).len(), 4);
    // The next ingest succeeds and cleans up the orphaned generation.
    lotgraph(ws.path())
        .arg("ingest")
        .arg(fixture("imbalance"))
        .assert()
        .success();
    let gens = std::fs::read_dir(ws.path())
        .unwrap()
        .filter(|e| {
            let n = e.as_ref().unwrap().file_name();
            let n = n.to_string_lossy();
            n.starts_with("gen-") || n.starts_with(".tmp-gen-")
        })
        .count();
    assert_eq!(gens, 2);
    lotgraph(ws.path())
        .args(["lot", "show", "F3"])
        .assert()
        .success();
}

#[test]
fn failed_ingest_leaves_the_previous_snapshot() {
    let ws = ingested("toy");
    let empty = tempfile::tempdir().unwrap();
    lotgraph(ws.path())
        .arg("ingest")
        .arg(empty.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no lots file"));
    lotgraph(ws.path())
        .args(["lot", "show", "R"])
        .assert()
        .success();
}

#[test]
fn parquet_input_gives_the_same_answers() {
    use arrow_array::{ArrayRef, Date32Array, Float64Array, RecordBatch, StringArray};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(fixture("toy")).unwrap() {
        let f = f.unwrap();
        let name = f.file_name().to_string_lossy().into_owned();
        if name.ends_with(".csv") && name != "consumptions.csv" {
            std::fs::copy(f.path(), dir.path().join(&name)).unwrap();
        }
    }
    // consumptions as Parquet, with typed columns.
    let days = |s: &str| {
        let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        (d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days() as i32
    };
    let cols: Vec<(&str, ArrayRef)> = vec![
        (
            "input_lot_id",
            Arc::new(StringArray::from(vec!["A", "B", "M", "A", "M", "F1"])),
        ),
        (
            "output_lot_id",
            Arc::new(StringArray::from(vec!["M", "M", "F1", "F1", "F2", "R"])),
        ),
        (
            "quantity",
            Arc::new(Float64Array::from(vec![40.0, 20.0, 30.0, 10.0, 30.0, 20.0])),
        ),
        (
            "consumed_on",
            Arc::new(Date32Array::from(vec![
                days("2024-01-05"),
                days("2024-01-05"),
                days("2024-01-06"),
                days("2024-01-06"),
                days("2024-01-06"),
                days("2024-01-08"),
            ])),
        ),
    ];
    let batch = RecordBatch::try_from_iter(cols).unwrap();
    let file = std::fs::File::create(dir.path().join("consumptions.parquet")).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();

    let ws = tempfile::tempdir().unwrap();
    lotgraph(ws.path())
        .arg("ingest")
        .arg(dir.path())
        .assert()
        .success();
    let from_parquet = json(ws.path(), &["trace", "back", "R", "--format", "json"]);
    let csv_ws = ingested("toy");
    let from_csv = json(csv_ws.path(), &["trace", "back", "R", "--format", "json"]);
    assert_eq!(from_parquet, from_csv);
}

#[test]
fn demo_tells_the_planted_story() {
    let ws = tempfile::tempdir().unwrap();
    lotgraph(ws.path())
        .arg("demo")
        .assert()
        .success()
        .stdout(predicate::str::contains("R-2112-002  ING-TAHINI"))
        .stdout(predicate::str::contains("suppliers: SUP-03"))
        .stdout(predicate::str::contains("customers reached: C-001"));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    // `lotgraph ... | head -c1` on output much larger than a pipe buffer.
    // The demo prints for a while after `head` has gone: every later write
    // hits a closed pipe, which must end the program quietly with 0.
    let bin = assert_cmd::cargo::cargo_bin("lotgraph");
    let code = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "\"{}\" demo 2>/tmp/lotgraph-pipe.err | head -c1 >/dev/null; echo ${{PIPESTATUS[0]}}",
            bin.display()
        ))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&code.stdout).trim(), "0");
}

/// Writes a dataset of inline CSV files into a temp dir.
fn dataset(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    dir
}

#[test]
fn tree_with_max_depth_shows_every_listed_lot() {
    // R <- A <- B <- C <- D, and B -> R directly: B is at depth 1 via the
    // short path but is first drawn at depth 2 under A, where the limit
    // would cut its inputs; the shallow occurrence must still show them.
    let d = dataset(&[
        (
            "lots.csv",
            "lot_id,sku,origin,supplier_id,quantity\nD,RAW,supplied,S1,10\nC,MID,produced,,10\nB,MID,produced,,10\nA,MID,produced,,10\nR,FIN,produced,,10\n",
        ),
        (
            "consumptions.csv",
            "input_lot_id,output_lot_id,quantity\nD,C,1\nC,B,1\nB,A,1\nA,R,1\nB,R,1\n",
        ),
    ]);
    let ws = common::ingested_dir(d.path());
    let tree = text(ws.path(), &["trace", "back", "R", "--max-depth", "3"]);
    assert!(tree.contains("D  RAW"), "{tree}");
    let table = text(
        ws.path(),
        &["trace", "back", "R", "--max-depth", "3", "--format", "csv"],
    );
    assert_eq!(table.lines().count(), 5, "{table}");
}

#[test]
fn a_bad_output_path_fails_before_the_snapshot_changes() {
    let ws = ingested("toy");
    lotgraph(ws.path())
        .arg("ingest")
        .arg(fixture("imbalance"))
        .args(["--output", "/nonexistent/dir/summary.txt"])
        .assert()
        .code(2);
    // Still the toy snapshot: lot R exists, lot F3 (imbalance) does not.
    lotgraph(ws.path())
        .args(["lot", "show", "R"])
        .assert()
        .success();
    lotgraph(ws.path())
        .args(["lot", "show", "F3"])
        .assert()
        .code(2);
}

#[test]
fn min_share_must_be_a_fraction() {
    let ws = ingested("toy");
    for bad in ["NaN", "7", "-0.1"] {
        lotgraph(ws.path())
            .args(["recall", "simulate", "--lot", "A"])
            .arg(format!("--min-share={bad}"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains("not a fraction between 0 and 1"));
    }
}

#[test]
fn lines_are_names_at_a_site() {
    // Two plants both have a LINE-1: they are two lines, not one.
    let d = dataset(&[(
        "lots.csv",
        "lot_id,sku,origin,site_id,line,produced_on,quantity\nF,FIN,produced,P1,LINE-1,2024-01-01,5\nG,FIN,produced,P2,LINE-1,2024-01-01,5\n",
    )]);
    let ws = common::ingested_dir(d.path());
    let f = json(ws.path(), &["lot", "show", "F", "--format", "json"]);
    assert_eq!(f["line"], "LINE-1@P1");
    let r = json(
        ws.path(),
        &[
            "recall", "simulate", "--line", "LINE-1", "--site", "P2", "--format", "json",
        ],
    );
    assert_eq!(r["seeds"], serde_json::json!(["G"]));
    let both = json(
        ws.path(),
        &["recall", "simulate", "--line", "LINE-1", "--format", "json"],
    );
    assert_eq!(both["seeds"], serde_json::json!(["F", "G"]));
}

/// Runs lotgraph with stdout a pipe whose reading end is already closed.
fn exit_code_into_a_closed_pipe(ws: &std::path::Path, args: &[&str]) -> Option<i32> {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("lotgraph"));
    cmd.env("LOTGRAPH_WORKSPACE", ws)
        .args(args)
        .stdout(writer)
        .stderr(std::process::Stdio::null());
    cmd.status().unwrap().code()
}

#[test]
fn strict_findings_keep_exit_1_through_a_closed_pipe() {
    // Issue 17: `check --strict | head -1` exited 0.
    let ws = ingested("imbalance");
    assert_eq!(
        exit_code_into_a_closed_pipe(ws.path(), &["check", "--strict"]),
        Some(1)
    );
    assert_eq!(exit_code_into_a_closed_pipe(ws.path(), &["check"]), Some(0));
    // The demo has 9 flagged lots.
    let ws =
        common::ingested_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo"));
    assert_eq!(
        exit_code_into_a_closed_pipe(ws.path(), &["returns", "--strict"]),
        Some(1)
    );
    assert_eq!(
        exit_code_into_a_closed_pipe(ws.path(), &["returns"]),
        Some(0)
    );
    // A closed pipe on a command without findings is still success.
    assert_eq!(
        exit_code_into_a_closed_pipe(ws.path(), &["trace", "forward", "R-2112-002"]),
        Some(0)
    );
    // Ingest --strict of rejected rows, summary into a closed pipe.
    let ws = tempfile::tempdir().unwrap();
    let bad = fixture("bad");
    let bad = bad.to_str().unwrap();
    assert_eq!(
        exit_code_into_a_closed_pipe(ws.path(), &["ingest", bad, "--strict"]),
        Some(1)
    );
}

#[test]
fn tree_indentation_stops_growing_on_a_deep_chain() {
    // Issue 17: the tree of a 200k-lot chain was ~80 GB of indentation.
    use std::fmt::Write as _;
    let data = tempfile::tempdir().unwrap();
    let n = 300;
    let mut lots = String::from("lot_id,sku,origin,supplier_id,quantity\nL0,X,supplied,S1,10\n");
    let mut cons = String::from("input_lot_id,output_lot_id,quantity\n");
    for i in 1..n {
        writeln!(lots, "L{i},X,produced,,10").unwrap();
        writeln!(cons, "L{},L{i},10", i - 1).unwrap();
    }
    std::fs::write(data.path().join("lots.csv"), lots).unwrap();
    std::fs::write(data.path().join("consumptions.csv"), cons).unwrap();
    let ws = common::ingested_dir(data.path());
    let out = text(ws.path(), &["trace", "back", &format!("L{}", n - 1)]);
    let lines: Vec<&str> = out.lines().filter(|l| l.contains("  share ")).collect();
    assert_eq!(lines.len(), n - 1);
    let widest = lines.iter().map(|l| l.chars().count()).max().unwrap();
    assert!(widest < 64 * 4 + 80, "a line of {widest} chars");
    assert!(
        lines[63].trim_start().starts_with("└── L235"),
        "{}",
        lines[63]
    );
    assert!(
        lines[64].trim_start().starts_with("└── [depth 65] L234"),
        "{}",
        lines[64]
    );
    assert!(lines[n - 2].contains("[depth 299] L0"), "{}", lines[n - 2]);
}
