//! Record format v2 on `data/fixtures/units` (every expected number is
//! derived by hand in its README): mass and recorded share bases, packaging
//! coverage, traced quantities, the located split of a seed, and yields.

// A test or bench: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ingested, json};
use serde_json::Value;
use std::collections::BTreeMap;

fn close(got: f64, want: f64, what: &str) {
    assert!((got - want).abs() < 1e-9, "{what}: {got} != {want}");
}

/// `lot_id` → (share, `share_basis`) of a trace or recall document.
fn shares(doc: &Value) -> BTreeMap<String, (f64, Option<String>)> {
    doc["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["lot_id"].as_str().unwrap().to_string(),
                (
                    l["share"].as_f64().unwrap(),
                    l["share_basis"].as_str().map(str::to_string),
                ),
            )
        })
        .collect()
}

fn assert_shares(doc: &Value, want: &[(&str, f64, Option<&str>)]) {
    let got = shares(doc);
    assert_eq!(got.len(), want.len(), "{got:?}");
    for (lot, share, basis) in want {
        let (s, b) = &got[*lot];
        close(*s, *share, lot);
        assert_eq!(b.as_deref(), *basis, "{lot}: share_basis");
    }
}

#[test]
fn shares_back_from_the_repack_are_by_mass_and_coverage() {
    let ws = ingested("units");
    let doc = json(ws.path(), &["trace", "back", "R1", "--format", "json"]);
    assert_eq!(doc["root_share_basis"], "mass");
    let (m, r) = (Some("mass"), Some("recorded"));
    assert_shares(
        &doc,
        &[
            ("F1", 0.75, m),
            ("F2", 0.25, r),
            ("SL1", 1.0, None),
            ("M1", 0.975, m),
            ("H1", 0.025, None),
            ("TB1", 0.5625, None),
            ("TB2", 0.4375, None),
            ("LD1", 1.0, None),
            ("CK1", 0.585, m),
            ("K1", 0.585, None),
            ("T1", 0.2925, None),
            ("O1", 0.088725, None),
            ("G1", 0.008775, None),
        ],
    );
    // On a mass basis the supplied content roots make up the whole lot.
    let got = shares(&doc);
    let content: f64 = ["K1", "T1", "O1", "G1", "H1"]
        .iter()
        .map(|l| got[*l].0)
        .sum();
    close(content, 1.0, "content roots of R1");
}

#[test]
fn an_unknown_unit_puts_the_lot_on_the_recorded_basis() {
    let ws = ingested("units");
    let doc = json(ws.path(), &["trace", "back", "F2", "--format", "json"]);
    assert_eq!(doc["root_share_basis"], "recorded");
    let m = Some("mass");
    assert_shares(
        &doc,
        &[
            ("M1", 0.9, m),
            ("H1", 0.1, None),
            ("TB2", 1.0, None),
            ("LD1", 1.0, None),
            ("CK1", 0.54, m),
            ("K1", 0.54, None),
            ("T1", 0.27, None),
            ("O1", 0.0819, None),
            ("G1", 0.0081, None),
        ],
    );
}

#[test]
fn forward_rows_carry_the_seed_quantity() {
    let ws = ingested("units");
    let doc = json(ws.path(), &["trace", "forward", "T1", "--format", "json"]);
    close(doc["seed_quantity"].as_f64().unwrap(), 40.0, "seed");
    assert_eq!(doc["seed_uom"], "kg");
    let tq: BTreeMap<&str, f64> = doc["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["lot_id"].as_str().unwrap(),
                l["seed_quantity"].as_f64().unwrap(),
            )
        })
        .collect();
    let want = [("M1", 30.0), ("F1", 18.0), ("F2", 10.8), ("R1", 7.2)];
    assert_eq!(tq.len(), want.len(), "{tq:?}");
    for (lot, q) in want {
        close(tq[lot], q, lot);
    }
    assert!(doc.get("located").is_none(), "only with --locate");
}

/// (kind, site or customer, lot) → quantity of a `located` object.
fn places(located: &Value) -> BTreeMap<(String, String, String), f64> {
    let mut out = BTreeMap::new();
    for p in located["places"].as_array().unwrap() {
        let place = p["site_id"]
            .as_str()
            .or(p["customer_id"].as_str())
            .unwrap_or("")
            .to_string();
        let key = (
            p["kind"].as_str().unwrap().to_string(),
            place,
            p["lot_id"].as_str().unwrap().to_string(),
        );
        *out.entry(key).or_insert(0.0) += p["quantity"].as_f64().unwrap();
        assert_eq!(p["uom"], "kg");
    }
    out
}

fn assert_t1_located(located: &Value) {
    assert_eq!(located["uom"], "kg");
    close(located["seed_quantity"].as_f64().unwrap(), 40.0, "seed");
    close(located["accounted"].as_f64().unwrap(), 40.0, "accounted");
    close(located["accounted_share"].as_f64().unwrap(), 1.0, "share");
    close(located["unexplained"].as_f64().unwrap(), 0.0, "unexplained");
    let t = &located["totals"];
    close(t["on_hand"].as_f64().unwrap(), 17.68 + 2.25, "on hand");
    close(t["in_transit"].as_f64().unwrap(), 4.95, "in transit");
    close(t["delivered"].as_f64().unwrap(), 15.12, "delivered");
    let got = places(located);
    let k = |kind: &str, place: &str, lot: &str| (kind.into(), place.into(), lot.into());
    let want = [
        (k("on_hand", "P1", "T1"), 10.0),
        (k("on_hand", "P1", "M1"), 1.2),
        (k("on_hand", "P1", "F1"), 2.7),
        (k("on_hand", "DC1", "F1"), 2.25),
        (k("on_hand", "P1", "F2"), 0.9),
        (k("on_hand", "P1", "R1"), 2.88),
        (k("delivered", "C1", "F1"), 6.3),
        (k("delivered", "C2", "F2"), 4.5),
        (k("delivered", "C3", "R1"), 4.32),
    ];
    for (key, q) in &want {
        close(*got.get(key).unwrap_or(&f64::NAN), *q, &format!("{key:?}"));
    }
    let in_transit: f64 = got
        .iter()
        .filter(|(key, _)| key.0 == "in_transit")
        .map(|(_, q)| q)
        .sum();
    close(in_transit, 1.35 + 3.6, "in transit rows");
    assert_eq!(got.len(), want.len() + 2, "{got:?}");
}

#[test]
fn trace_forward_locate_accounts_for_every_kilogram() {
    let ws = ingested("units");
    let doc = json(
        ws.path(),
        &["trace", "forward", "T1", "--locate", "--format", "json"],
    );
    assert_t1_located(&doc["located"]);
}

#[test]
fn recall_rows_and_located_follow_the_same_rules() {
    let ws = ingested("units");
    let doc = json(
        ws.path(),
        &["recall", "simulate", "--lot", "T1", "--format", "json"],
    );
    let got = shares(&doc);
    close(got["R1"].0, 0.2925, "R1");
    assert_eq!(got["F2"].1.as_deref(), Some("recorded"));
    let r1 = doc["lots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["lot_id"] == "R1")
        .unwrap();
    close(
        r1["seed_quantity"].as_f64().unwrap(),
        7.2,
        "R1 seed_quantity",
    );
    assert_t1_located(&doc["located"]["kg"]);
}

#[test]
fn seeds_in_two_units_are_located_per_unit() {
    let ws = ingested("units");
    // O1 is olive oil in litres; CK1's `KGM` is kg, so it joins T1.
    let doc = json(
        ws.path(),
        &[
            "recall", "simulate", "--lot", "T1", "--lot", "O1", "--lot", "CK1", "--format", "json",
        ],
    );
    let located = doc["located"].as_object().unwrap();
    assert_eq!(located.keys().collect::<Vec<_>>(), ["kg", "l"]);
    close(
        located["kg"]["seed_quantity"].as_f64().unwrap(),
        100.0,
        "kg",
    );
    close(located["l"]["seed_quantity"].as_f64().unwrap(), 20.0, "l");
    for l in located.values() {
        close(l["unexplained"].as_f64().unwrap(), 0.0, "unexplained");
    }
    // M1 holds 30 kg of T1 and all 60 kg of CK1, and 10 l of O1.
    let m1 = doc["lots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["lot_id"] == "M1")
        .unwrap();
    close(m1["seed_quantity"]["kg"].as_f64().unwrap(), 90.0, "M1 kg");
    close(m1["seed_quantity"]["l"].as_f64().unwrap(), 10.0, "M1 l");
}

#[test]
fn check_lists_the_recorded_basis_and_the_yield_out_of_band() {
    let ws = ingested("units");
    let doc = json(ws.path(), &["check", "--format", "json"]);
    let found: Vec<(&str, &str, &str)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["finding"].as_str().unwrap(),
                f["lot_id"].as_str().unwrap(),
                f["detail"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].0, "recorded_basis");
    assert_eq!(found[0].1, "F2");
    assert!(found[0].2.contains("RAW-PAR"), "{found:?}");
    assert_eq!(found[1].0, "yield_out_of_band");
    assert_eq!(found[1].1, "CK1");
    assert!(found[1].2.starts_with("yield 2.4000"), "{found:?}");
    // A wider band accepts CK1's 2.4.
    let doc = json(
        ws.path(),
        &["check", "--max-yield", "2.5", "--format", "json"],
    );
    let kinds: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["finding"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["recorded_basis"]);
}

#[test]
fn ingest_warns_about_an_unknown_unit_and_the_recorded_basis() {
    let ws = tempfile::tempdir().unwrap();
    let out = common::lotgraph(ws.path())
        .arg("ingest")
        .arg(common::fixture("units"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(r#"1 SKU(s) have a unit lotgraph does not know, each its own dimension: "RAW-PAR (bunch)""#),
        "{err}"
    );
    assert!(
        err.contains("1 lot(s) have shares on the recorded basis"),
        "{err}"
    );
}

#[test]
fn locate_in_a_format_without_room_for_it_is_an_error() {
    let ws = ingested("units");
    for format in ["csv", "parquet", "dot", "mermaid"] {
        let out = common::lotgraph(ws.path())
            .args(["trace", "forward", "T1", "--locate", "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{format}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("--locate is shown by --format tree, table, json, markdown or html"),
            "{err}"
        );
    }
}
