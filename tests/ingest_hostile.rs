//! Integration tests of `lotgraph ingest` on hostile input (issue 17): the
//! built binary on `data/fixtures/hostile/<case>` (every case and its
//! expected outcome are in that directory's README.md) and on huge inputs
//! generated into temp dirs. The expected messages are derived from the
//! rules of docs/record-format.md (*Bad input*, *Ingest limits*), not copied
//! from the program's output.

// A test or bench: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn hostile(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/fixtures/hostile")
        .join(case)
}

/// Runs `lotgraph ingest DIR --workspace WS --format json [extra...]`,
/// killed after two minutes so that a hang fails instead of blocking.
fn ingest(dir: &Path, ws: &Path, extra: &[&str]) -> std::process::Output {
    Command::cargo_bin("lotgraph")
        .unwrap()
        .env_remove("LOTGRAPH_WORKSPACE")
        .env_remove("LOTGRAPH_TEST_CRASH_BEFORE_COMMIT")
        .arg("ingest")
        .arg(dir)
        .arg("--workspace")
        .arg(ws)
        .args(["--format", "json"])
        .args(extra)
        .timeout(Duration::from_mins(2))
        .output()
        .unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The one error line of a refused ingest of `dir`.
fn refused(dir: &Path, extra: &[&str]) -> String {
    let ws = tempfile::tempdir().unwrap();
    let out = ingest(dir, ws.path(), extra);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!ws.path().join("CURRENT").exists(), "nothing is written");
    stderr(&out)
}

/// An ingest that must succeed: its JSON summary.
fn accepted(dir: &Path, ws: &Path, extra: &[&str]) -> Value {
    let out = ingest(dir, ws, extra);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `W/rejects.csv` as (`file:line: column: problem`, record) pairs.
fn rejects(ws: &Path) -> Vec<(String, String)> {
    let mut rdr = csv::Reader::from_path(ws.join("rejects.csv")).unwrap();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            (
                format!("{}:{}: {}: {}", &r[0], &r[1], &r[2], &r[3]),
                r[4].to_string(),
            )
        })
        .collect()
}

fn reject_lines(ws: &Path) -> Vec<String> {
    rejects(ws).into_iter().map(|(l, _)| l).collect()
}

fn warnings(doc: &Value) -> Vec<String> {
    doc["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect()
}

/// (file, read, loaded, rejected) per file.
fn counts(doc: &Value) -> Vec<(String, u64, u64, u64)> {
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let n = |k: &str| f[k].as_u64().unwrap();
            let file = f["file"].as_str().unwrap().to_string();
            (file, n("read"), n("loaded"), n("rejected"))
        })
        .collect()
}

/// The required columns of lots.csv, as record-format.md marks them.
const LOTS_REQUIRED: &str = "lot_id, sku, origin, quantity";

#[test]
fn an_empty_required_file_is_exit_2_saying_it_is_empty() {
    let err = refused(&hostile("empty-lots"), &[]);
    let want = format!("lots.csv: is empty (0 bytes); expected a header line with {LOTS_REQUIRED}");
    assert!(err.contains(&want), "{err}");
    assert!(!err.contains("missing required column"), "{err}");
}

#[test]
fn a_blank_lines_only_required_file_is_exit_2_saying_it_has_no_header() {
    let err = refused(&hostile("blank-lots"), &[]);
    assert!(
        err.contains("lots.csv: has no header line (only blank lines)"),
        "{err}"
    );
}

#[test]
fn a_nul_byte_in_the_header_is_exit_2_naming_its_column() {
    // `lot_id,sku,ori\0gin,quantity`: the NUL is in the third name.
    let err = refused(&hostile("nul-header"), &[]);
    assert!(
        err.contains("lots.csv:1: header has a NUL byte in column 3;"),
        "{err}"
    );
}

#[test]
fn empty_optional_files_are_tables_without_rows_and_one_warning_each() {
    let ws = tempfile::tempdir().unwrap();
    let doc = accepted(&hostile("empty-optional"), ws.path(), &[]);
    assert_eq!(
        warnings(&doc),
        [
            "consumptions.csv: is empty (0 bytes); read as a table with no rows",
            "inspections.csv: has no header line (only blank lines); read as a table with no rows",
        ]
    );
    let c = |f: &str, r, l, x| (f.to_string(), r, l, x);
    assert_eq!(
        counts(&doc),
        [
            c("products.csv", 1, 1, 0),
            c("lots.csv", 2, 2, 0),
            c("consumptions.csv", 0, 0, 0),
            c("inspections.csv", 0, 0, 0),
        ]
    );
    assert_eq!(doc["lots"], 2);
    assert_eq!(doc["genealogy_edges"], 0);
}

#[test]
fn a_file_ending_inside_a_quoted_field_rejects_that_row_naming_where_the_quote_opened() {
    // Line 7 is `G,X,produced,"12` and the file ends there: quantity's
    // quote is never closed. The csv crate alone loaded 12.
    let ws = tempfile::tempdir().unwrap();
    let doc = accepted(&hostile("unclosed-eof"), ws.path(), &[]);
    assert_eq!(
        reject_lines(ws.path()),
        [
            "lots.csv:7: quantity: quoted field starting on line 7 is never closed (the file ends inside it)"
        ]
    );
    assert_eq!(doc["lots"], 5);
}

#[test]
fn a_quote_swallowing_lines_is_named_with_the_lines_it_spans() {
    // Line 4 opens a quote in supplier_id (column 4) that the first quote
    // of line 8 closes: lines 4-8 are one record of 5 fields (see README).
    let ws = tempfile::tempdir().unwrap();
    let doc = accepted(&hostile("unclosed-mid"), ws.path(), &[]);
    let (first, last) = (4, 8);
    let spans = last - first + 1;
    assert_eq!(
        reject_lines(ws.path()),
        [format!(
            "lots.csv:{first}: supplier_id: has 5 fields, the header has 8: its quoted field starting on line {first} runs to line {last} ({spans} lines); an unclosed quote on line {first} probably swallowed the {} line(s) after it",
            spans - 1
        )]
    );
    assert_eq!(counts(&doc)[1], ("lots.csv".to_string(), 4, 3, 1));
}

#[test]
fn references_to_rejected_rows_name_that_row_and_its_reason() {
    let ws = tempfile::tempdir().unwrap();
    let doc = accepted(&hostile("rejected-refs"), ws.path(), &[]);
    // The planted rejects of the referenced files, as *Bad input* words them.
    let sup1 =
        r#"suppliers.csv:2 was rejected: country: "USA" is not an ISO 3166 alpha-2 country code"#;
    let sup3 = "suppliers.csv:4 was rejected: (row): has 2 fields, the header has 3";
    let dc1 =
        r#"sites.csv:3 was rejected: kind: "depot" is not one of plant, warehouse, dc, store"#;
    let fin = r#"products.csv:3 was rejected: category: "snack" is not one of raw, packaging, intermediate, finished"#;
    let c2 = r#"customers.csv:3 was rejected: kind: "wholesaler" is not one of distributor, retailer, consumer"#;
    // Lots rejected for those references, and one for itself.
    let r2 = format!(
        r#"lots.csv:3 was rejected: supplier_id: unknown supplier "SUP-1" (its row {sup1})"#
    );
    let f2 = format!(r#"lots.csv:5 was rejected: site_id: unknown site "DC1" (its row {dc1})"#);
    let r3 = r#"lots.csv:6 was rejected: quantity: "-4" is negative"#;
    let want = [
        format!(
            "suppliers.csv:2: {}",
            sup1.split_once("rejected: ").unwrap().1
        ),
        format!(
            "suppliers.csv:4: {}",
            sup3.split_once("rejected: ").unwrap().1
        ),
        format!("sites.csv:3: {}", dc1.split_once("rejected: ").unwrap().1),
        format!(
            "products.csv:3: {}",
            fin.split_once("rejected: ").unwrap().1
        ),
        format!(
            "customers.csv:3: {}",
            c2.split_once("rejected: ").unwrap().1
        ),
        format!(r#"lots.csv:3: supplier_id: unknown supplier "SUP-1" (its row {sup1})"#),
        format!(r#"lots.csv:5: site_id: unknown site "DC1" (its row {dc1})"#),
        format!("lots.csv:6: {}", r3.split_once("rejected: ").unwrap().1),
        format!(r#"lots.csv:7: supplier_id: unknown supplier "SUP-3" (its row {sup3})"#),
        format!(r#"consumptions.csv:3: input_lot_id: unknown lot "R2" (its row {r2})"#),
        format!(r#"consumptions.csv:4: input_lot_id: unknown lot "R3" (its row {r3})"#),
        format!(r#"shipments.csv:3: customer_id: unknown customer "C2" (its row {c2})"#),
        format!(r#"shipments.csv:4: lot_id: unknown lot "F2" (its row {f2})"#),
        format!(r#"returns.csv:2: lot_id: unknown lot "R3" (its row {r3})"#),
        format!(r#"returns.csv:3: customer_id: unknown customer "C2" (its row {c2})"#),
        format!(r#"inspections.csv:2: lot_id: unknown lot "R2" (its row {r2})"#),
    ];
    assert_eq!(reject_lines(ws.path()), want);
    // A lot whose product row was rejected loads with a created product,
    // and the warning says why the product was missing.
    assert!(
        warnings(&doc).contains(&format!(
            r#"lots.csv: created 1 product(s) missing from products: "FIN" (its row {fin})"#
        )),
        "{:?}",
        warnings(&doc)
    );
}

#[test]
fn utf16_files_are_exit_2_named_as_utf16_with_the_conversion() {
    for (case, what, from) in [
        ("utf16-le-bom", "little-endian, BOM", "UTF-16"),
        ("utf16-be-bom", "big-endian, BOM", "UTF-16"),
        ("utf16-le-nobom", "little-endian, no BOM", "UTF-16LE"),
    ] {
        let err = refused(&hostile(case), &[]);
        let want = format!(
            "lots.csv: is UTF-16 ({what}); lotgraph reads UTF-8: convert it, e.g. iconv -f {from} -t UTF-8"
        );
        assert!(err.contains(&want), "{case}: {err}");
        assert!(!err.contains("not valid UTF-8"), "{case}: {err}");
    }
}

#[test]
fn a_utf8_bom_keeps_working() {
    // Both files start with EF BB BF and use CRLF; the BOM is not part of
    // the first column name, and line numbers are unchanged.
    let ws = tempfile::tempdir().unwrap();
    let doc = accepted(&hostile("utf8-bom"), ws.path(), &[]);
    assert_eq!(
        reject_lines(ws.path()),
        [r#"lots.csv:3: quantity: "-2" is negative"#]
    );
    assert_eq!(doc["lots"], 1);
    assert!(warnings(&doc).is_empty(), "{:?}", warnings(&doc));
}

#[test]
fn a_field_over_the_cap_is_a_reject_with_a_truncated_echo() {
    let ws = tempfile::tempdir().unwrap();
    let doc = accepted(
        &hostile("long-field"),
        ws.path(),
        &["--max-field-bytes", "100"],
    );
    // Line 3: 300 n's. Line 4: `"` 150 q `""` 150 q `"` = 304 bytes as
    // written. Under the cap the parser keeps the first 100 bytes only.
    let got = rejects(ws.path());
    let lines: Vec<&str> = got.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(
        lines,
        [
            "lots.csv:3: note: field is 300 bytes, over the 100 bytes limit (--max-field-bytes)",
            "lots.csv:4: note: field is 304 bytes, over the 100 bytes limit (--max-field-bytes)",
        ]
    );
    assert_eq!(
        got[0].1,
        format!("B,X,produced,2,{}…[300 bytes]", "n".repeat(100))
    );
    assert_eq!(counts(&doc)[1], ("lots.csv".to_string(), 4, 2, 2));
    // The default cap (1 MiB) loads every row.
    let ws = tempfile::tempdir().unwrap();
    let doc = accepted(&hostile("long-field"), ws.path(), &[]);
    assert_eq!(counts(&doc)[1], ("lots.csv".to_string(), 4, 4, 0));
}

#[test]
fn a_record_over_the_cap_is_a_reject() {
    let ws = tempfile::tempdir().unwrap();
    accepted(
        &hostile("long-field"),
        ws.path(),
        &["--max-record-bytes", "200"],
    );
    // `B,X,produced,2,` (15 bytes) + 300 = 315; `C,X,produced,3,` + 304 = 319.
    assert_eq!(
        reject_lines(ws.path()),
        [
            "lots.csv:3: (row): record is 315 bytes, over the 200 bytes limit (--max-record-bytes)",
            "lots.csv:4: (row): record is 319 bytes, over the 200 bytes limit (--max-record-bytes)",
        ]
    );
}

#[test]
fn a_header_over_the_column_limit_is_exit_2() {
    // 4 required + 16 extra names.
    let err = refused(&hostile("many-columns"), &["--max-columns", "10"]);
    assert!(
        err.contains("lots.csv: header has 20 columns, over the limit of 10 (--max-columns)"),
        "{err}"
    );
    // Issue 17: 100k columns took 15 s, then failed in the snapshot writer.
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (5..=100_000).map(|i| format!("x{i}")).collect();
    std::fs::write(
        dir.path().join("lots.csv"),
        format!(
            "lot_id,sku,origin,quantity,{}\nA,X,produced,1\n",
            names.join(",")
        ),
    )
    .unwrap();
    let t = Instant::now();
    let err = refused(dir.path(), &[]);
    assert!(
        err.contains("lots.csv: header has 100000 columns, over the limit of 1024 (--max-columns)"),
        "{err}"
    );
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
}

/// Writes lots.csv (and products.csv) with ordinary data rows before data
/// row `big`, whose `notes` is `field` followed by `tail`.
fn lots_with(dir: &Path, big: usize, field: &[u8], tail: &[u8]) {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("lots.csv")).unwrap());
    f.write_all(b"lot_id,sku,origin,quantity,notes\n").unwrap();
    for i in 1..big {
        writeln!(f, "L{i},X,produced,{i},ok").unwrap();
    }
    write!(f, "L{big},X,produced,{big},").unwrap();
    f.write_all(field).unwrap();
    f.write_all(tail).unwrap();
    f.flush().unwrap();
    std::fs::write(dir.join("products.csv"), "sku,name\nX,Thing\n").unwrap();
}

#[test]
fn a_100mb_field_is_rejected_without_being_held_or_echoed() {
    // Issue 17: rejecting a 100 MB field cost 66 s (its echo in rejects.csv
    // was 100 MB). Data row 8 is physical line 9.
    let dir = tempfile::tempdir().unwrap();
    let size = 100 << 20;
    lots_with(dir.path(), 8, &vec![b'x'; size], b"\nL9,X,produced,9,ok\n");
    let ws = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let doc = accepted(dir.path(), ws.path(), &[]);
    let got = rejects(ws.path());
    assert_eq!(
        got.iter().map(|(l, _)| l.as_str()).collect::<Vec<_>>(),
        [format!(
            "lots.csv:9: notes: field is {size} bytes, over the 1 MiB limit (--max-field-bytes)"
        )
        .as_str()]
    );
    // The echo keeps 256 bytes of the field and says how long it was.
    assert_eq!(
        got[0].1,
        format!("L8,X,produced,8,{}…[{size} bytes]", "x".repeat(256))
    );
    assert!(
        std::fs::metadata(ws.path().join("rejects.csv"))
            .unwrap()
            .len()
            < 4096
    );
    assert_eq!(counts(&doc)[1], ("lots.csv".to_string(), 9, 8, 1));
    assert!(t.elapsed() < Duration::from_mins(1), "{:?}", t.elapsed());
}

#[test]
fn a_field_without_end_is_a_reject_not_an_abort() {
    // An opening quote and 64 MiB without its closing one: the whole rest
    // of the file is one field. The csv crate alone buffers all of it.
    let dir = tempfile::tempdir().unwrap();
    let mut field = vec![b'"'];
    field.extend(b"y,\n".iter().cycle().take(64 << 20));
    lots_with(dir.path(), 3, &field, b"");
    let ws = tempfile::tempdir().unwrap();
    let doc = accepted(dir.path(), ws.path(), &[]);
    // Every third byte is a line break; the last byte is a `y`, on the
    // line after the last break.
    let lines_in_field = (64 << 20) / 3;
    assert_eq!(
        reject_lines(ws.path()),
        [format!(
            "lots.csv:4: notes: quoted field starting on line 4 is never closed (the file ends inside it, on line {})",
            4 + lines_in_field
        )]
    );
    assert_eq!(counts(&doc)[1], ("lots.csv".to_string(), 3, 2, 1));
}

#[test]
fn long_fields_under_the_cap_are_echoed_truncated_in_rejects() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("lots.csv"),
        format!(
            "lot_id,sku,origin,quantity,notes\nA,X,produced,-1,{}\n",
            "é".repeat(200)
        ),
    )
    .unwrap();
    let ws = tempfile::tempdir().unwrap();
    accepted(dir.path(), ws.path(), &[]);
    let got = rejects(ws.path());
    assert_eq!(got[0].0, r#"lots.csv:2: quantity: "-1" is negative"#);
    // 400 bytes of two-byte characters: cut at 256, a character boundary.
    assert_eq!(
        got[0].1,
        format!("A,X,produced,-1,{}…[400 bytes]", "é".repeat(128))
    );
}
