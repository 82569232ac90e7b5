//! Integration tests of `lotgraph ingest` on bad input: the built binary on
//! `data/fixtures/bad` (every kind of row rejection, see its README.md),
//! `data/fixtures/missing-column` and `data/fixtures/cycle` (whole-ingest
//! errors). The expected messages below were derived from
//! record-format.md / cli-contract.md and the validation rules of
//! `lotgraph-core::ingest`, not copied from the program's output.

// A test or bench: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/fixtures")
        .join(name)
}

fn lotgraph() -> Command {
    let mut c = Command::cargo_bin("lotgraph").unwrap();
    c.env_remove("LOTGRAPH_WORKSPACE")
        .env_remove("LOTGRAPH_TEST_FAULT");
    c
}

/// Runs `lotgraph ingest DIR --workspace WS [extra...]`.
fn ingest(dir: &Path, ws: &Path, extra: &[&str]) -> std::process::Output {
    lotgraph()
        .arg("ingest")
        .arg(dir)
        .arg("--workspace")
        .arg(ws)
        .args(extra)
        .output()
        .unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `W/rejects.csv` as `file:line: column: problem` lines.
fn reject_lines(ws: &Path) -> Vec<String> {
    let mut rdr = csv::Reader::from_path(ws.join("rejects.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        ["file", "line", "column", "problem", "record", "kind"]
    );
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            format!("{}:{}: {}: {}", &r[0], &r[1], &r[2], &r[3])
        })
        .collect()
}

/// Every planted problem of `data/fixtures/bad`, in load order (suppliers,
/// sites, products, customers, lots, consumptions, shipments, returns,
/// inspections), rows in file order. Lines are physical (header = 1):
/// lots.csv lines 5-7 and returns.csv lines 3-4 are one quoted multi-line
/// record each, so the lines after them are not record numbers + 1.
const EXPECTED_REJECTS: &[&str] = &[
    r#"suppliers.csv:4: country: "USA" is not an ISO 3166 alpha-2 country code"#,
    r"suppliers.csv:5: supplier_id: is required but empty",
    r#"suppliers.csv:6: supplier_id: duplicate "S1" (first on line 2)"#,
    r#"sites.csv:4: kind: "depot" is not one of plant, warehouse, dc, store"#,
    r#"sites.csv:5: site_id: duplicate "P1" (first on line 2)"#,
    r#"products.csv:6: category: "gadget" is not one of raw, packaging, intermediate, finished"#,
    r#"products.csv:7: sku: duplicate "RAW-A" (first on line 2)"#,
    r#"products.csv:8: shelf_life_days: "-5" is negative"#,
    r#"products.csv:9: shelf_life_days: "3.5" is not a whole number"#,
    r#"products.csv:10: unit_cost: "-1" is negative"#,
    r"products.csv:11: kg_per_uom: 0.5 conflicts with uom kg, which implies 1 kg per kg",
    r#"products.csv:12: kg_per_uom: "0" is zero; it must be greater than 0"#,
    r#"customers.csv:4: kind: "wholesaler" is not one of distributor, retailer, consumer"#,
    r#"customers.csv:5: customer_id: duplicate "C1" (first on line 2)"#,
    r"customers.csv:6: name: is not valid UTF-8",
    r"lots.csv:10: sku: is required but empty",
    r#"lots.csv:11: origin: "bought" is not one of supplied, produced"#,
    r#"lots.csv:12: quantity: "ten" is not a decimal number"#,
    r#"lots.csv:13: quantity: "-5" is negative"#,
    r#"lots.csv:14: quantity: "0" is zero; it must be greater than 0"#,
    r#"lots.csv:15: produced_on: "2024-02-30" is not an ISO 8601 date (YYYY-MM-DD)"#,
    r#"lots.csv:16: status: "expired" is not one of released, quarantined, on_hold, recalled, destroyed"#,
    r"lots.csv:17: supplier_id: is required when origin is supplied",
    r#"lots.csv:18: supplier_id: unknown supplier "S9""#,
    r#"lots.csv:19: supplier_id: unknown supplier "S3" (its row suppliers.csv:4 was rejected: country: "USA" is not an ISO 3166 alpha-2 country code)"#,
    r#"lots.csv:20: site_id: unknown site "P9""#,
    r#"lots.csv:21: lot_id: duplicate "F2" (first on line 8)"#,
    r"lots.csv:22: (row): has 5 fields, the header has 14",
    r#"consumptions.csv:7: input_lot_id: unknown lot "ZZZ""#,
    r#"consumptions.csv:8: output_lot_id: unknown lot "YYY""#,
    r#"consumptions.csv:9: output_lot_id: lot "B" has origin supplied; only produced lots have inputs"#,
    r#"consumptions.csv:10: input_lot_id: unknown lot "L-QTYX" (its row lots.csv:12 was rejected: quantity: "ten" is not a decimal number)"#,
    r#"consumptions.csv:11: output_lot_id: unknown lot "L-DATE" (its row lots.csv:15 was rejected: produced_on: "2024-02-30" is not an ISO 8601 date (YYYY-MM-DD))"#,
    r#"consumptions.csv:12: quantity: "-2" is negative"#,
    r"consumptions.csv:13: input_lot_id: is required but empty",
    r#"consumptions.csv:14: consumed_on: "2024/01/05" is not an ISO 8601 date (YYYY-MM-DD)"#,
    r#"shipments.csv:6: shipment_id: duplicate shipment "SH2" for lot "F1" (first on line 3)"#,
    r"shipments.csv:7: to_site_id: exactly one of to_site_id and customer_id must be set",
    r"shipments.csv:8: to_site_id: exactly one of to_site_id and customer_id must be set",
    r"shipments.csv:9: delivered_on: 2024-01-10 is before shipped_on 2024-01-12",
    r#"shipments.csv:10: status: is "in_transit" but delivered_on is set"#,
    r#"shipments.csv:11: status: "lost" is not one of in_transit, delivered"#,
    r#"shipments.csv:12: customer_id: unknown customer "C9""#,
    r#"shipments.csv:13: to_site_id: unknown site "DC9""#,
    r#"shipments.csv:14: from_site_id: unknown site "P9""#,
    r#"shipments.csv:15: quantity: "0" is zero; it must be greater than 0"#,
    r"shipments.csv:16: shipped_on: is required but empty",
    r#"shipments.csv:17: lot_id: unknown lot "L-QTYX" (its row lots.csv:12 was rejected: quantity: "ten" is not a decimal number)"#,
    r"shipments.csv:18: shipment_id: is required but empty",
    r#"returns.csv:5: return_id: duplicate "RT1" (first on line 2)"#,
    r#"returns.csv:6: category: "smell" is not one of defect, quality, safety, damage, other"#,
    r#"returns.csv:7: customer_id: unknown customer "C9""#,
    r#"returns.csv:8: quantity: "-1" is negative"#,
    r#"returns.csv:9: reported_on: "17/01/2024" is not an ISO 8601 date (YYYY-MM-DD)"#,
    r#"returns.csv:10: lot_id: unknown lot "NOPE""#,
    r#"returns.csv:11: customer_id: unknown customer "C3" (its row customers.csv:4 was rejected: kind: "wholesaler" is not one of distributor, retailer, consumer)"#,
    r#"inspections.csv:4: inspection_id: duplicate "I1" (first on line 2)"#,
    r#"inspections.csv:5: result: "maybe" is not one of pass, fail"#,
    r"inspections.csv:6: result: is required but empty",
    r#"inspections.csv:7: inspected_on: "yesterday" is not an ISO 8601 date (YYYY-MM-DD)"#,
    r#"inspections.csv:8: lot_id: unknown lot "L-QTYX" (its row lots.csv:12 was rejected: quantity: "ten" is not a decimal number)"#,
];

/// (file, read, loaded, rejected) of `data/fixtures/bad`, in load order.
const EXPECTED_COUNTS: &[(&str, u64, u64, u64)] = &[
    ("suppliers.csv", 5, 2, 3),
    ("sites.csv", 4, 2, 2),
    ("products.csv", 11, 4, 7),
    ("customers.csv", 5, 2, 3),
    ("lots.csv", 20, 7, 13),
    ("consumptions.csv", 14, 6, 8),
    ("shipments.csv", 18, 5, 13),
    ("returns.csv", 10, 3, 7),
    ("inspections.csv", 8, 3, 5),
];

const EXPECTED_WARNINGS: &[&str] = &[
    "lots.csv: unknown columns kept as extra properties: note",
    r#"lots.csv: created 1 product(s) missing from products: "NOPROD""#,
];

fn assert_same_lines(actual: &[String], expected: &[&str]) {
    let missing: Vec<&&str> = expected
        .iter()
        .filter(|e| !actual.iter().any(|a| a == **e))
        .collect();
    let unexpected: Vec<&String> = actual
        .iter()
        .filter(|a| !expected.contains(&a.as_str()))
        .collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "rejects differ\n  missing:    {missing:#?}\n  unexpected: {unexpected:#?}"
    );
    assert_eq!(actual, expected, "same rejects, different order");
}

/// Per-file (file, read, loaded, rejected) of an ingest's JSON summary,
/// checking `loaded + rejected == read` on the way.
fn file_counts(doc: &Value) -> Vec<(String, u64, u64, u64)> {
    doc["files"]
        .as_array()
        .expect("files is a list")
        .iter()
        .map(|f| {
            let n = |k: &str| f[k].as_u64().unwrap_or_else(|| panic!("{k} in {f}"));
            let file = f["file"].as_str().unwrap().to_string();
            let (read, loaded, rejected) = (n("read"), n("loaded"), n("rejected"));
            assert_eq!(loaded + rejected, read, "{file}: loaded + rejected != read");
            (file, read, loaded, rejected)
        })
        .collect()
}

fn expected_counts() -> Vec<(String, u64, u64, u64)> {
    EXPECTED_COUNTS
        .iter()
        .map(|(f, r, l, x)| (f.to_string(), *r, *l, *x))
        .collect()
}

#[test]
fn bad_fixture_rejects_exactly_the_planted_rows() {
    let ws = tempfile::tempdir().unwrap();
    let out = ingest(&fixture("bad"), ws.path(), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();

    // rejects.csv: the exact list.
    assert_same_lines(&reject_lines(ws.path()), EXPECTED_REJECTS);

    // The JSON summary lists the same rejects.
    let json_rejects: Vec<String> = doc["rejects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}:{}: {}: {}",
                r["file"].as_str().unwrap(),
                r["line"].as_u64().unwrap(),
                r["column"].as_str().unwrap(),
                r["problem"].as_str().unwrap()
            )
        })
        .collect();
    assert_same_lines(&json_rejects, EXPECTED_REJECTS);

    // Counts per file, and loaded + rejected == read.
    let counts = file_counts(&doc);
    assert_eq!(counts, expected_counts());
    let rejected: u64 = counts.iter().map(|c| c.3).sum();
    assert_eq!(rejected as usize, EXPECTED_REJECTS.len());

    // The product-less SKU and the extra column are warnings, not rejects.
    let warnings: Vec<&str> = doc["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(warnings, EXPECTED_WARNINGS);
    let err = stderr(&out);
    for w in EXPECTED_WARNINGS {
        assert!(err.contains(&format!("lotgraph: warning: {w}")), "{err}");
    }
    assert_eq!(doc["lots"], 7);
    assert_eq!(doc["genealogy_edges"], 6);
}

#[test]
fn strict_turns_rejects_into_exit_1() {
    let ws = tempfile::tempdir().unwrap();
    let out = ingest(&fixture("bad"), ws.path(), &["--strict"]);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    // The rejects are still reported in full.
    assert_same_lines(&reject_lines(ws.path()), EXPECTED_REJECTS);

    // A clean dataset passes --strict.
    let ws = tempfile::tempdir().unwrap();
    let out = ingest(&fixture("toy"), ws.path(), &["--strict"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
}

/// `stats --format json` as entity -> count.
fn stats(ws: &Path) -> std::collections::BTreeMap<String, u64> {
    let out = lotgraph()
        .args(["stats", "--format", "json", "--workspace"])
        .arg(ws)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "stats: {}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["entity"].as_str().unwrap().to_string(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn lot_show(ws: &Path, lot: &str) -> Value {
    let out = lotgraph()
        .args(["lot", "show", lot, "--format", "json", "--workspace"])
        .arg(ws)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "lot show {lot}: {}",
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// "A rejected row never silently changes another row": first rows win,
/// and nothing is created from a rejected row.
#[test]
fn rejected_rows_change_nothing_else() {
    let ws = tempfile::tempdir().unwrap();
    let out = ingest(&fixture("bad"), ws.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));

    let s = stats(ws.path());
    for (entity, n) in [
        ("lots", 7),
        ("suppliers", 2),
        ("sites", 2),
        ("customers", 2),
        ("products", 5),
        ("edges consumed-into (rows)", 6),
        ("edges shipped", 5),
        ("returns", 3),
        ("inspections", 3),
    ] {
        assert_eq!(s.get(entity), Some(&n), "{entity} in {s:?}");
    }

    let a = lot_show(ws.path(), "A");
    assert_eq!(a["supplier_name"], "Alpha Sesame"); // not "Alpha Again"
    assert_eq!(a["product"], "Tahini"); // not "Tahini again"
    let f2 = lot_show(ws.path(), "F2");
    assert_eq!(f2["quantity"], 50); // not the duplicate's 70
    assert_eq!(f2["produced_on"], "2024-01-06");
    // F2's only input is M: the consumption from the rejected lot L-QTYX is gone.
    let parents: Vec<&str> = f2["parents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["lot_id"].as_str().unwrap())
        .collect();
    assert_eq!(parents, ["M"]);

    // The lot with a product-less SKU is loaded; its product is implicit.
    let n1 = lot_show(ws.path(), "N1");
    assert_eq!(n1["sku"], "NOPROD");
    assert_eq!(n1["product"], Value::Null);
    // The multi-line quoted cell is kept whole as an extra property.
    let f1 = lot_show(ws.path(), "F1");
    assert_eq!(f1["extra"]["note"], "tub lids\nreplaced after\nline stop");
}

#[test]
fn missing_required_column_is_exit_2_naming_file_and_column() {
    let ws = tempfile::tempdir().unwrap();
    let out = ingest(&fixture("missing-column"), ws.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(r#"lots.csv: missing required column "quantity""#),
        "{err}"
    );
    // Nothing was written.
    assert!(!ws.path().join("CURRENT").exists());
    assert!(!ws.path().join("rejects.csv").exists());
}

#[test]
fn cycle_is_exit_2_naming_exactly_the_lots_on_it() {
    let ws = tempfile::tempdir().unwrap();
    let out = ingest(&fixture("cycle"), ws.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(r#"genealogy has a cycle through lots "CY-A", "CY-B", "CY-C""#),
        "{err}"
    );
    // Exactly those three: the list ends there, and the innocent lot is absent.
    assert!(
        err.trim_end()
            .ends_with(r#"genealogy has a cycle through lots "CY-A", "CY-B", "CY-C""#),
        "{err}"
    );
    assert!(!err.contains("OK-1"), "{err}");
    assert!(!ws.path().join("CURRENT").exists());
}

/// Writes `lots.csv` (all produced, sku X) and `consumptions.csv` with
/// the given edges into a new temp dir.
fn genealogy_dir(n: usize, edges: impl Iterator<Item = (usize, usize)>) -> tempfile::TempDir {
    use std::fmt::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let mut lots = String::from("lot_id,sku,origin,quantity\n");
    for i in 0..n {
        writeln!(lots, "L{i},X,produced,10").unwrap();
    }
    let mut cons = String::from("input_lot_id,output_lot_id,quantity\n");
    for (a, b) in edges {
        writeln!(cons, "L{a},L{b},1").unwrap();
    }
    std::fs::write(dir.path().join("lots.csv"), lots).unwrap();
    std::fs::write(dir.path().join("consumptions.csv"), cons).unwrap();
    dir
}

#[test]
fn a_cycle_through_150k_lots_is_exit_2_not_a_stack_overflow() {
    // Issue 17: Tarjan's recursive SCC overflowed the stack (exit 134).
    let n = 150_000;
    let data = genealogy_dir(n, (0..n).map(|i| (i, (i + 1) % n)));
    let ws = tempfile::tempdir().unwrap();
    let out = ingest(data.path(), ws.path(), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("genealogy has a cycle through lots"), "{err}");
    assert!(err.contains("and 149980 more"), "{err}");
}

#[test]
fn a_90k_chain_into_a_2_lot_cycle_names_only_the_cycle() {
    let n = 90_000;
    let chain = (0..n - 1).map(|i| (i, i + 1));
    let data = genealogy_dir(n, chain.chain([(n - 1, n - 2)]));
    let ws = tempfile::tempdir().unwrap();
    let out = ingest(data.path(), ws.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.trim_end()
            .ends_with(r#"genealogy has a cycle through lots "L89998", "L89999""#),
        "{err}"
    );
}

#[test]
fn nonexistent_directory_is_exit_2() {
    let ws = tempfile::tempdir().unwrap();
    let dir = ws.path().join("no-such-dataset");
    let out = ingest(&dir, &ws.path().join("ws"), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("no-such-dataset"), "{err}");
    assert!(err.contains("cannot read"), "{err}");
}

/// A failed re-ingest leaves the previous snapshot (and its rejects.csv)
/// intact, and every other command keeps working on it.
#[test]
fn failed_ingest_keeps_the_previous_snapshot() {
    let ws = tempfile::tempdir().unwrap();
    let out = ingest(&fixture("bad"), ws.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let stats_before = stats(ws.path());
    let rejects_before = std::fs::read(ws.path().join("rejects.csv")).unwrap();
    let current_before = std::fs::read_link(ws.path().join("CURRENT")).unwrap();

    for (bad, needle) in [
        ("missing-column", r#"missing required column "quantity""#),
        ("cycle", "genealogy has a cycle"),
    ] {
        let out = ingest(&fixture(bad), ws.path(), &[]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(stderr(&out).contains(needle), "{bad}: {}", stderr(&out));

        assert_eq!(stats(ws.path()), stats_before, "after {bad}");
        assert_eq!(
            std::fs::read(ws.path().join("rejects.csv")).unwrap(),
            rejects_before,
            "after {bad}"
        );
        assert_eq!(
            std::fs::read_link(ws.path().join("CURRENT")).unwrap(),
            current_before,
            "after {bad}"
        );
    }
    // Plain `stats` (the table) works too.
    lotgraph()
        .arg("stats")
        .arg("--workspace")
        .arg(ws.path())
        .assert()
        .success();
}

/// Copies every file of `src` into `dst`, applying `f` to its bytes.
fn copy_transformed(src: &Path, dst: &Path, f: impl Fn(&[u8]) -> Vec<u8>) {
    for e in std::fs::read_dir(src).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "csv") {
            let bytes = std::fs::read(&p).unwrap();
            std::fs::write(dst.join(p.file_name().unwrap()), f(&bytes)).unwrap();
        }
    }
}

/// RFC 4180 line breaks are CRLF (what Excel writes). Physical line numbers
/// must not depend on the line-break style: the CRLF copy of the bad fixture
/// (multi-line cells included) has exactly the same rejects and lines.
#[test]
fn line_numbers_are_physical_with_crlf_line_breaks() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("bad-crlf");
    std::fs::create_dir(&data).unwrap();
    copy_transformed(&fixture("bad"), &data, |b| {
        let mut out = Vec::with_capacity(b.len() + 64);
        for &c in b {
            if c == b'\n' {
                out.push(b'\r');
            }
            out.push(c);
        }
        out
    });
    let ws = tmp.path().join("ws");
    let out = ingest(&data, &ws, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(file_counts(&doc), expected_counts());
    assert_same_lines(&reject_lines(&ws), EXPECTED_REJECTS);
}

/// Blank lines are not rows, but they are physical lines: a reject after
/// them names the line its record is on.
#[test]
fn line_numbers_are_physical_after_blank_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("blank");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(
        data.join("lots.csv"),
        "lot_id,sku,origin,quantity\n\
         A,X,produced,1\n\
         \n\
         B,X,produced,-1\n\
         \n\
         \n\
         A,X,produced,2\n",
    )
    .unwrap();
    let ws = tmp.path().join("ws");
    let out = ingest(&data, &ws, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(file_counts(&doc), [("lots.csv".to_string(), 3, 1, 2)]);
    assert_same_lines(
        &reject_lines(&ws),
        &[
            r#"lots.csv:4: quantity: "-1" is negative"#,
            r#"lots.csv:7: lot_id: duplicate "A" (first on line 2)"#,
        ],
    );
}

#[test]
fn temporary_files_of_killed_ingests_are_removed_by_the_next_one() {
    // Issue 17: `.CURRENT.tmp-*` and `.rejects.csv.tmp-*` of interrupted
    // ingests were never removed. Pid 999999999 is above any pid_max.
    let ws = tempfile::tempdir().unwrap();
    let stale = [
        ".CURRENT.tmp-20260101T000000.000000000-999999999",
        ".rejects.csv.tmp-20260101T000000.000000000-999999999",
    ];
    for name in stale {
        std::fs::write(ws.path().join(name), b"left by a killed ingest").unwrap();
    }
    std::fs::create_dir(
        ws.path()
            .join(".tmp-gen-20260101T000000.000000000-999999999"),
    )
    .unwrap();
    let out = ingest(&fixture("toy"), ws.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let left: Vec<String> = std::fs::read_dir(ws.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// `ingest DIR --workspace WS`, killed after a minute: a hang fails the
/// test instead of blocking it.
fn ingest_within_a_minute(dir: &Path, ws: &Path) -> std::process::Output {
    lotgraph()
        .arg("ingest")
        .arg(dir)
        .arg("--workspace")
        .arg(ws)
        .timeout(std::time::Duration::from_mins(1))
        .output()
        .unwrap()
}

#[test]
fn a_fifo_or_device_as_a_dataset_file_is_exit_2_not_a_hang() {
    // Issue 17: a lots.csv that is a FIFO blocked forever.
    let data = tempfile::tempdir().unwrap();
    let fifo = data.path().join("lots.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let ws = tempfile::tempdir().unwrap();
    let out = ingest_within_a_minute(data.path(), ws.path());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("lots.csv: is a FIFO (named pipe), not a regular file"),
        "{}",
        stderr(&out)
    );
    // A device, through a symlink: /dev/zero never ends.
    let data = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/dev/zero", data.path().join("lots.csv")).unwrap();
    let out = ingest_within_a_minute(data.path(), ws.path());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is a device, not a regular file"),
        "{}",
        stderr(&out)
    );
}
