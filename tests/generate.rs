//! Integration tests of `lotgraph generate`: determinism per seed, exact
//! lot counts, record-format validity of its output (strict ingest with no
//! rejects, no mass-balance findings other than mixed units, in CSV and in
//! Parquet), a mass per unit for every SKU with made lots' mass yields in
//! 0.5-1.5, and truth.json consistent with the data (planted lots exist
//! and every return blamed on a planted lot is downstream of it; returns
//! blamed on a line fault come from lots made on that line in its window
//! or made from them).

// A test or bench: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assert_cmd::Command;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

const LOTS: &str = "2000";

fn lotgraph(ws: &Path) -> Command {
    let mut c = Command::cargo_bin("lotgraph").unwrap();
    c.env("LOTGRAPH_WORKSPACE", ws);
    c
}

/// Generates into a fresh temporary directory.
fn generate(args: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("data");
    lotgraph(tmp.path())
        .args(["generate", "--quiet", "--out"])
        .arg(&out)
        .args(args)
        .assert()
        .success();
    (tmp, out)
}

fn json_out(ws: &Path, args: &[&str]) -> Value {
    let out = lotgraph(ws).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn truth(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("truth.json")).unwrap()).unwrap()
}

fn csv_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn same_seed_same_bytes_other_seed_other_data() {
    let (_a, a) = generate(&["--lots", LOTS, "--seed", "11"]);
    let (_b, b) = generate(&["--lots", LOTS, "--seed", "11"]);
    let (_c, c) = generate(&["--lots", LOTS, "--seed", "12"]);
    let fa = files(&a);
    assert_eq!(fa.len(), 10, "nine record files and truth.json");
    assert_eq!(fa, files(&b));
    let fc = files(&c);
    for name in [
        "lots.csv",
        "consumptions.csv",
        "shipments.csv",
        "returns.csv",
    ] {
        let x = fa.iter().find(|f| f.0 == name).unwrap();
        let y = fc.iter().find(|f| f.0 == name).unwrap();
        assert_ne!(x.1, y.1, "{name} is the same for seeds 11 and 12");
    }
}

#[test]
fn parquet_is_deterministic_and_loads_like_csv() {
    let (_a, a) = generate(&["--lots", LOTS, "--seed", "5", "--format", "parquet"]);
    let (_b, b) = generate(&["--lots", LOTS, "--seed", "5", "--format", "parquet"]);
    assert_eq!(files(&a), files(&b));
    let (_c, c) = generate(&["--lots", LOTS, "--seed", "5"]);
    // The same records either way: identical truth, and identical
    // per-file counts on a strict ingest.
    assert_eq!(
        std::fs::read(a.join("truth.json")).unwrap(),
        std::fs::read(c.join("truth.json")).unwrap()
    );
    let counts = |dir: &Path| {
        let ws = tempfile::tempdir().unwrap();
        let v = json_out(
            ws.path(),
            &[
                "ingest",
                "--strict",
                "--format",
                "json",
                dir.to_str().unwrap(),
            ],
        );
        let text = v.to_string();
        // File names differ in extension only.
        text.replace(".parquet", ".csv")
    };
    let (pq, cs) = (counts(&a), counts(&c));
    let pq: Value = serde_json::from_str(&pq).unwrap();
    let cs: Value = serde_json::from_str(&cs).unwrap();
    assert_eq!(pq["files"], cs["files"]);
}

#[test]
fn exactly_the_lots_asked_for() {
    for n in ["1000", "2345"] {
        let (_t, d) = generate(&["--lots", n, "--seed", "3", "--fault", "none"]);
        assert_eq!(csv_rows(&d.join("lots.csv")).len().to_string(), n);
        // No fault: every return is background noise.
        let t = truth(&d);
        assert!(t["faults"].as_array().unwrap().is_empty());
        let returns = t["returns"].as_array().unwrap();
        assert!(!returns.is_empty());
        assert!(returns.iter().all(|r| r["cause"].is_null()));
    }
}

#[test]
fn output_is_valid_record_format() {
    let (tmp, d) = generate(&["--lots", LOTS, "--seed", "7"]);
    let ws = tmp.path().join("ws");
    let ing = json_out(
        &ws,
        &[
            "ingest",
            "--strict",
            "--format",
            "json",
            d.to_str().unwrap(),
        ],
    );
    let files = ing["files"].as_array().unwrap();
    assert_eq!(files.len(), 9, "{ing}");
    for f in files {
        assert_eq!(f["rejected"], 0, "{f}");
        assert_eq!(f["read"], f["loaded"], "{f}");
    }
    assert_eq!(ing["rejects"], serde_json::json!([]));
    let check = json_out(&ws, &["check", "--format", "json"]);
    for row in check["summary"].as_array().unwrap() {
        let finding = row["finding"].as_str().unwrap();
        if finding != "mixed_units" {
            assert_eq!(row["count"], 0, "{finding}: {check}");
        }
    }
    // Something of everything the issue asks for.
    let shipments = csv_rows(&d.join("shipments.csv"));
    assert!(shipments.iter().any(|s| s["status"] == "in_transit"));
    assert!(shipments.iter().any(|s| !s["to_site_id"].is_empty()));
    let sites = csv_rows(&d.join("sites.csv"));
    for kind in ["plant", "warehouse", "dc"] {
        assert!(sites.iter().any(|s| s["kind"] == kind), "no {kind}");
    }
    let lots = csv_rows(&d.join("lots.csv"));
    for prefix in ["R", "X", "B", "F", "M"] {
        assert!(
            lots.iter().any(|l| l["lot_id"].starts_with(prefix)),
            "no {prefix} lots"
        );
    }
    assert!(lots.iter().any(|l| l["status"] == "on_hold"), "no rework");
    let inspections = csv_rows(&d.join("inspections.csv"));
    assert!(inspections.iter().any(|i| i["result"] == "fail"));
}

#[test]
fn every_sku_has_a_mass_and_made_lots_balance() {
    let (_t, d) = generate(&["--lots", LOTS, "--seed", "7"]);
    let products = csv_rows(&d.join("products.csv"));
    let mut kg: HashMap<String, (f64, String)> = HashMap::new();
    for p in &products {
        let (sku, uom, cell) = (&p["sku"], &p["uom"], &p["kg_per_uom"]);
        // kg SKUs leave it to the unit; everything else carries a mass.
        let m = if uom == "kg" {
            assert_eq!(cell, "", "{sku}: kg SKU with kg_per_uom {cell}");
            1.0
        } else {
            let m: f64 = cell
                .parse()
                .unwrap_or_else(|_| panic!("{sku}: kg_per_uom {cell:?}"));
            assert!(m > 0.0, "{sku}: kg_per_uom {m}");
            m
        };
        kg.insert(sku.clone(), (m, p["category"].clone()));
    }
    let lots = csv_rows(&d.join("lots.csv"));
    let lot: HashMap<&str, &HashMap<String, String>> =
        lots.iter().map(|l| (l["lot_id"].as_str(), l)).collect();
    // Mass in: content (non-packaging) inputs only.
    let mut content: HashMap<String, f64> = HashMap::new();
    for c in csv_rows(&d.join("consumptions.csv")) {
        let (m, cat) = &kg[&lot[c["input_lot_id"].as_str()]["sku"]];
        if cat != "packaging" {
            let q: f64 = c["quantity"].parse().unwrap();
            *content.entry(c["output_lot_id"].clone()).or_default() += q * m;
        }
    }
    let mut multipacks = 0;
    for l in lots.iter().filter(|l| l["origin"] == "produced") {
        let id = &l["lot_id"];
        let q: f64 = l["quantity"].parse().unwrap();
        let y = q * kg[&l["sku"]].0 / content[id];
        assert!(
            (0.5..=1.5).contains(&y),
            "{id} ({}): mass yield {y:.3}",
            l["sku"]
        );
        if id.starts_with('M') {
            assert!((y - 1.0).abs() < 1e-9, "{id}: multipack yield {y}");
            multipacks += 1;
        }
    }
    assert!(multipacks > 0, "no multipacks");
}

#[test]
fn truth_matches_the_data() {
    let (tmp, d) = generate(&["--lots", LOTS, "--seed", "2", "--fault", "mixed"]);
    let ws = tmp.path().join("ws");
    lotgraph(&ws)
        .args(["ingest", "--strict"])
        .arg(&d)
        .assert()
        .success();
    let t = truth(&d);
    let faults = t["faults"].as_array().unwrap();
    let kinds: Vec<&str> = faults.iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["supplier-lot", "line", "supplier"]);
    assert!(faults.iter().all(|f| f["planted"] == true), "{faults:?}");
    // Returns: one truth entry per row of returns.csv, in order.
    let rows = csv_rows(&d.join("returns.csv"));
    let tr = t["returns"].as_array().unwrap();
    assert_eq!(rows.len(), tr.len());
    for (row, r) in rows.iter().zip(tr) {
        assert_eq!(row["return_id"], r["return_id"].as_str().unwrap());
        assert_eq!(row["lot_id"], r["lot_id"].as_str().unwrap());
    }
    // Every fault caused some returns.
    for f in faults {
        let id = f["id"].as_str().unwrap();
        assert!(tr.iter().any(|r| r["cause"] == id), "{id} caused no return");
    }
    // Planted supplier lots exist and lie upstream of the returns blamed
    // on them.
    let defective = t["defective_supplier_lots"].as_array().unwrap();
    assert!(!defective.is_empty());
    let mut checked = 0;
    for lot in defective {
        let id = lot["lot_id"].as_str().unwrap();
        let shown = json_out(&ws, &["lot", "show", id, "--format", "json"]);
        assert_eq!(shown["origin"], "supplied", "{id}");
        assert_eq!(shown["supplier_id"], lot["supplier_id"], "{id}");
        let fwd = json_out(&ws, &["trace", "forward", id, "--format", "json"]);
        let down: HashSet<&str> = fwd["lots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["lot_id"].as_str().unwrap())
            .collect();
        for r in tr.iter().filter(|r| r["source"] == id) {
            let on = r["lot_id"].as_str().unwrap();
            assert!(down.contains(on), "return {r} is not downstream of {id}");
            checked += 1;
        }
    }
    assert!(checked > 0, "no return blamed on a supplier lot");
    // The supplier-lot fault's source is one of the defective lots.
    let source = faults[0]["source"].as_str().unwrap();
    assert!(defective.iter().any(|l| l["lot_id"] == source));
    // Line faults: the returned lot was made on the line in the window, or
    // is made from such a lot.
    let line = &t["defective_lines"][0];
    let (name, from, to) = (
        line["line"].as_str().unwrap(),
        line["from"].as_str().unwrap(),
        line["to"].as_str().unwrap(),
    );
    let lots = csv_rows(&d.join("lots.csv"));
    let bad: HashSet<&str> = lots
        .iter()
        .filter(|l| {
            l["line"] == name
                && l["produced_on"].as_str() >= from
                && l["produced_on"].as_str() <= to
        })
        .map(|l| l["lot_id"].as_str())
        .collect();
    assert!(!bad.is_empty());
    let mut parents: HashMap<String, Vec<String>> = HashMap::new();
    for c in csv_rows(&d.join("consumptions.csv")) {
        parents
            .entry(c["output_lot_id"].clone())
            .or_default()
            .push(c["input_lot_id"].clone());
    }
    let fault2 = faults[1]["id"].as_str().unwrap();
    let mut line_returns = 0;
    for r in tr.iter().filter(|r| r["cause"] == fault2) {
        assert_eq!(r["source"], name);
        // Walk up from the returned lot until a lot made on the line in
        // the window turns up.
        let mut stack = vec![r["lot_id"].as_str().unwrap().to_string()];
        let mut seen = HashSet::new();
        let mut found = false;
        while let Some(l) = stack.pop() {
            if bad.contains(l.as_str()) {
                found = true;
                break;
            }
            if seen.insert(l.clone()) {
                stack.extend(parents.get(&l).cloned().unwrap_or_default());
            }
        }
        assert!(found, "return {r} is not downstream of {name} {from}..{to}");
        line_returns += 1;
    }
    assert!(line_returns > 0);
    // The bad supplier is named, and its defective lots are its own.
    let bad_sup = t["bad_suppliers"][0].as_str().unwrap();
    assert_eq!(faults[2]["source"], bad_sup);
    let fault3 = faults[2]["id"].as_str().unwrap();
    for l in defective.iter().filter(|l| l["fault"] == fault3) {
        assert_eq!(l["supplier_id"], bad_sup);
    }
}

#[test]
fn refuses_bad_requests() {
    let tmp = tempfile::tempdir().unwrap();
    lotgraph(tmp.path())
        .args(["generate", "--lots", "10", "--out"])
        .arg(tmp.path().join("x"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--lots 10 is out of range"));
    // A directory already holding the other format is ambiguous.
    let d = tmp.path().join("mixed");
    std::fs::create_dir(&d).unwrap();
    std::fs::write(d.join("lots.parquet"), b"").unwrap();
    lotgraph(tmp.path())
        .args(["generate", "--quiet", "--lots", "1000", "--out"])
        .arg(&d)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("already holds"));
}
