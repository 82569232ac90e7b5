//! Integration tests of the analytics commands (`returns`, `suppliers`,
//! `recall simulate`, `recall compare`, `investigate`): the built binary on
//! `data/fixtures/analytics`, whose README derives by hand every number
//! asserted here, plus the demo story on `data/demo`.

// A test or bench: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
// Beside this file rather than a tests/analytics/main.rs: insta keeps the
// snapshots in `snapshots/` next to the test's source, tests/snapshots.
#[path = "analytics/investigate.rs"]
mod investigate;
#[path = "analytics/recall.rs"]
mod recall;

use common::{fixture, ingested_dir, run, text};
use serde_json::Value;
use std::path::Path;

/// A temp workspace with `data/fixtures/analytics` ingested.
fn analytics() -> tempfile::TempDir {
    ingested_dir(&fixture("analytics"))
}

fn json(ws: &Path, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    serde_json::from_slice(&run(ws, &a)).unwrap()
}

/// `v` is a number within 1e-12 of `want`.
#[track_caller]
fn assert_num(v: &Value, want: f64) {
    let got = v
        .as_f64()
        .unwrap_or_else(|| panic!("{v} is not a number (want {want})"));
    assert!((got - want).abs() < 1e-12, "{got} != {want}");
}

/// The row of `list` whose `key` is `id`.
#[track_caller]
fn row<'a>(list: &'a Value, key: &str, id: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|r| r[key] == id)
        .unwrap_or_else(|| panic!("no {key} = {id} in {list}"))
}

/// The `key` of every row of `list`, in order.
fn ids(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r[key].as_str().unwrap().to_string())
        .collect()
}

/// The 95% Wilson score interval, written from the textbook formula.
fn wilson(x: f64, n: f64) -> (f64, f64) {
    let z = 1.959_963_984_540_054_f64;
    let p = x / n;
    let d = 1.0 + z * z / n;
    let c = (p + z * z / (2.0 * n)) / d;
    let h = z / d * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    ((c - h).max(0.0), (c + h).min(1.0))
}

// ---------------------------------------------------------------- returns

/// (lot, shipped, returned) of a `returns --format json` document, in order.
fn lot_units(doc: &Value) -> Vec<(String, f64, f64)> {
    doc["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["lot_id"].as_str().unwrap().to_string(),
                r["shipped"].as_f64().unwrap(),
                r["returned"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn returns_per_lot_rates_and_wilson_intervals() {
    let ws = analytics();
    let doc = json(ws.path(), &["returns"]);
    // Rate descending, ties by lot id (README "returns").
    let want = [
        ("F2", "FIN", 15.0, 3.0),
        ("PK1", "PACK", 40.0, 4.0),
        ("F1", "FIN", 20.0, 1.0),
        ("F3", "FIN", 20.0, 1.0),
        ("F4", "FIN", 6.0, 0.0),
    ];
    let lots = doc["lots"].as_array().unwrap();
    assert_eq!(lots.len(), want.len(), "{doc}");
    for (r, (id, sku, shipped, returned)) in lots.iter().zip(want) {
        assert_eq!(r["lot_id"], id);
        assert_eq!(r["sku"], sku);
        assert_num(&r["shipped"], shipped);
        assert_num(&r["returned"], returned);
        assert_num(&r["rate"], returned / shipped);
        let (lo, hi) = wilson(returned, shipped);
        assert_num(&r["ci_low"], lo);
        assert_num(&r["ci_high"], hi);
        // A JSON bool, and false for every lot (README: no p-value passes BH).
        assert_eq!(
            r["flagged"].as_bool(),
            Some(false),
            "{id}: {}",
            r["flagged"]
        );
    }
    // The hand-computed intervals of the README (6 decimals).
    for (id, lo, hi) in [
        ("F2", 0.070475, 0.451854),
        ("PK1", 0.039580, 0.230518),
        ("F1", 0.008881, 0.236131),
        ("F4", 0.0, 0.390334),
    ] {
        let r = row(&doc["lots"], "lot_id", id);
        assert!((r["ci_low"].as_f64().unwrap() - lo).abs() < 1e-6, "{id}");
        assert!((r["ci_high"].as_f64().unwrap() - hi).abs() < 1e-6, "{id}");
    }
    assert_num(&row(&doc["lots"], "lot_id", "F2")["rate"], 0.2);
    assert_num(&row(&doc["lots"], "lot_id", "PK1")["rate"], 0.1);
}

#[test]
fn returns_by_sku_sums_lots() {
    let ws = analytics();
    let doc = json(ws.path(), &["returns", "--by", "sku"]);
    assert_eq!(doc["by"], "sku");
    assert_eq!(ids(&doc["groups"], "sku"), ["FIN", "PACK"]);
    let fin = row(&doc["groups"], "sku", "FIN");
    assert_eq!(fin["lots"], 4);
    assert_num(&fin["shipped"], 61.0);
    assert_num(&fin["returned"], 5.0);
    assert_num(&fin["rate"], 5.0 / 61.0);
    let (lo, hi) = wilson(5.0, 61.0);
    assert_num(&fin["ci_low"], lo);
    assert_num(&fin["ci_high"], hi);
    let pack = row(&doc["groups"], "sku", "PACK");
    assert_eq!(pack["lots"], 1);
    assert_num(&pack["shipped"], 40.0);
    assert_num(&pack["returned"], 4.0);
    assert_num(&pack["rate"], 0.1);
}

#[test]
fn returns_by_supplier_are_attributed_through_shares() {
    let ws = analytics();
    let doc = json(ws.path(), &["returns", "--by", "supplier"]);
    assert_eq!(ids(&doc["groups"], "supplier_id"), ["S1", "S2"]);
    // A1 + A2 for S1, B1 for S2 (README "Attributed returns").
    let s1 = row(&doc["groups"], "supplier_id", "S1");
    assert_eq!(s1["lots"], 2);
    assert_num(&s1["shipped"], 36.875 + 21.0);
    assert_num(&s1["returned"], 3.4375 + 0.75);
    assert_num(&s1["rate"], 4.1875 / 57.875);
    let s2 = row(&doc["groups"], "supplier_id", "S2");
    assert_eq!(s2["lots"], 1);
    assert_num(&s2["shipped"], 43.125);
    assert_num(&s2["returned"], 4.8125);
    assert_num(&s2["rate"], 4.8125 / 43.125);
    // Every shipped lot is fully supplied: the attributions add up.
    assert_num(
        &Value::from(s1["returned"].as_f64().unwrap() + s2["returned"].as_f64().unwrap()),
        9.0,
    );
}

#[test]

fn returns_by_supplier_respects_the_sku_filter() {
    let ws = analytics();
    let doc = json(ws.path(), &["returns", "--by", "supplier", "--sku", "PACK"]);
    // Only PK1 (40 shipped, 4 returned) counts: A1 carries 3/8 of it, B1 5/8.
    let s1 = row(&doc["groups"], "supplier_id", "S1");
    assert_num(&s1["shipped"], 15.0);
    assert_num(&s1["returned"], 1.5);
    let s2 = row(&doc["groups"], "supplier_id", "S2");
    assert_num(&s2["shipped"], 25.0);
    assert_num(&s2["returned"], 2.5);
}

#[test]
fn returns_category_filter_counts_only_that_category() {
    let ws = analytics();
    let doc = json(ws.path(), &["returns", "--category", "quality"]);
    assert_eq!(
        lot_units(&doc),
        [
            ("F2".to_string(), 15.0, 2.0),
            ("PK1".to_string(), 40.0, 4.0),
            ("F1".to_string(), 20.0, 0.0),
            ("F3".to_string(), 20.0, 0.0),
            ("F4".to_string(), 6.0, 0.0),
        ]
    );
    let f2 = row(&doc["lots"], "lot_id", "F2");
    assert_num(&f2["rate"], 2.0 / 15.0);
    let (lo, hi) = wilson(2.0, 15.0);
    assert_num(&f2["ci_low"], lo);
    assert_num(&f2["ci_high"], hi);
}

#[test]
fn returns_date_window_counts_only_returns_reported_in_it() {
    let ws = analytics();
    let doc = json(
        ws.path(),
        &["returns", "--from", "2024-01-26", "--to", "2024-02-10"],
    );
    // RT3 (PK1, 01-28) and RT4 (F2, 02-05) only.
    assert_eq!(
        lot_units(&doc),
        [
            ("PK1".to_string(), 40.0, 4.0),
            ("F2".to_string(), 15.0, 1.0),
            ("F1".to_string(), 20.0, 0.0),
            ("F3".to_string(), 20.0, 0.0),
            ("F4".to_string(), 6.0, 0.0),
        ]
    );
    assert_num(&row(&doc["lots"], "lot_id", "F2")["rate"], 1.0 / 15.0);
}

// --------------------------------------------------------------- suppliers

#[test]
fn supplier_scorecard_attributes_returns_and_counts_recalls() {
    let ws = analytics();
    let doc = json(ws.path(), &["suppliers"]);
    let rows = doc["suppliers"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    // Worst first; the README derives 44.09 for S1 and 53.32 for S2.
    assert_eq!(ids(&doc["suppliers"], "supplier_id"), ["S1", "S2"]);
    let scores: Vec<f64> = rows.iter().map(|r| r["score"].as_f64().unwrap()).collect();
    assert!(
        scores.iter().all(|s| (0.0..=100.0).contains(s)),
        "{scores:?}"
    );
    assert!(scores.windows(2).all(|w| w[0] <= w[1]), "{scores:?}");

    let s1 = row(&doc["suppliers"], "supplier_id", "S1");
    assert_eq!(s1["lots"], 2);
    assert_eq!(s1["inspections"], 2);
    assert_num(&s1["inspection_fail_rate"], 0.5);
    assert_num(&s1["attributed_returned"], 4.1875);
    assert_num(&s1["attributed_shipped"], 57.875);
    assert_num(&s1["attributed_return_rate"], 4.1875 / 57.875);
    assert_eq!(s1["recalls"], 1); // F4 (recalled) is made from A2

    let s2 = row(&doc["suppliers"], "supplier_id", "S2");
    assert_eq!(s2["lots"], 1);
    assert_eq!(s2["inspections"], 2);
    assert_num(&s2["inspection_fail_rate"], 0.0);
    assert_num(&s2["attributed_returned"], 4.8125);
    assert_num(&s2["attributed_shipped"], 43.125);
    assert_num(&s2["attributed_return_rate"], 4.8125 / 43.125);
    assert_eq!(s2["recalls"], 0);
}

#[test]
fn supplier_scorecard_window_counts_lots_received_in_it() {
    let ws = analytics();
    let doc = json(ws.path(), &["suppliers", "--from", "2024-02-01"]);
    assert_eq!(ids(&doc["suppliers"], "supplier_id"), ["S1"]);
    let s1 = &doc["suppliers"][0];
    assert_eq!(s1["lots"], 1); // A2 only
    assert_num(&s1["inspection_fail_rate"], 1.0);
    assert_num(&s1["attributed_return_rate"], 0.75 / 21.0);
    assert_eq!(s1["recalls"], 1);
    let score = s1["score"].as_f64().unwrap();
    assert!((0.0..=100.0).contains(&score), "{score}");
}
// ----------------------------------------------------------------- formats

#[test]
fn investigate_markdown_snapshot() {
    let ws = analytics();
    insta::assert_snapshot!(
        "investigate_markdown",
        text(
            ws.path(),
            &[
                "investigate",
                "--lot",
                "F3",
                "--lot",
                "F4",
                "--format",
                "markdown"
            ]
        )
    );
}

#[test]
fn returns_markdown_snapshot() {
    let ws = analytics();
    insta::assert_snapshot!(
        "returns_markdown",
        text(ws.path(), &["returns", "--format", "markdown"])
    );
}

#[test]
fn recall_simulate_markdown_snapshot() {
    let ws = analytics();
    let out = text(
        ws.path(),
        &["recall", "simulate", "--lot", "A1", "--format", "markdown"],
    );
    // The time taken is the one line that changes between runs.
    let out: String = out
        .lines()
        .map(|l| {
            if l.starts_with("Simulated in ") {
                "Simulated in [elapsed] ms.  "
            } else {
                l
            }
        })
        .flat_map(|l| [l, "\n"])
        .collect();
    insta::assert_snapshot!("recall_simulate_markdown", out);
}

#[test]
fn parquet_output_is_a_readable_table() {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let ws = analytics();
    let file = ws.path().join("returns.parquet");
    run(
        ws.path(),
        &[
            "returns",
            "--format",
            "parquet",
            "--output",
            file.to_str().unwrap(),
        ],
    );
    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&file).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<_> = reader.collect::<Result<_, _>>().unwrap();
    assert_eq!(
        batches
            .iter()
            .map(arrow_array::RecordBatch::num_rows)
            .sum::<usize>(),
        5
    );
    let schema = batches[0].schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(
        names,
        [
            "lot_id", "sku", "shipped", "returned", "rate", "ci_low", "ci_high", "flagged",
            "baseline", "p_value"
        ]
    );
}

#[test]
fn html_output_is_a_page() {
    let ws = analytics();
    for args in [
        &["returns", "--format", "html"][..],
        &["recall", "simulate", "--lot", "A1", "--format", "html"][..],
    ] {
        let out = text(ws.path(), args);
        assert!(
            out.starts_with("<!DOCTYPE html>"),
            "{args:?}: {}",
            &out[..out.len().min(80)]
        );
    }
}

// ------------------------------------------------------------------- demo

#[test]
fn demo_story_points_at_the_tahini_lot_and_its_supplier() {
    let ws = ingested_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data/demo")));
    let doc = json(ws.path(), &["investigate", "--from-returns"]);
    let first = &doc["candidates"][0];
    assert_eq!(
        (&first["id"], &first["kind"]),
        (&Value::from("R-2112-002"), &Value::from("lot"))
    );

    let doc = json(ws.path(), &["suppliers"]);
    let rows = doc["suppliers"].as_array().unwrap();
    assert_eq!(rows[0]["supplier_id"], "SUP-03");
    let worst = rows[0]["attributed_return_rate"].as_f64().unwrap();
    for r in &rows[1..] {
        let rate = r["attributed_return_rate"].as_f64().unwrap_or(0.0);
        assert!(
            rate < worst,
            "{} has {rate} >= SUP-03's {worst}",
            r["supplier_id"]
        );
    }
}
