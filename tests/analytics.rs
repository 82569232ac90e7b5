//! Integration tests of the analytics commands (`returns`, `suppliers`,
//! `recall simulate`, `recall compare`, `investigate`): the built binary on
//! `data/fixtures/analytics`, whose README derives by hand every number
//! asserted here, plus the demo story on `data/demo`.

mod common;

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

// ------------------------------------------------------------------ recall

/// One expected recall lot: (id, share, on_hand, in_transit, delivered, value).
type WantLot = (&'static str, f64, f64, f64, f64, f64);

#[track_caller]
fn assert_recall_lots(doc: &Value, want: &[WantLot]) {
    let lots = doc["lots"].as_array().unwrap();
    let got: Vec<&str> = lots.iter().map(|l| l["lot_id"].as_str().unwrap()).collect();
    let want_ids: Vec<&str> = want.iter().map(|w| w.0).collect();
    assert_eq!(got, want_ids);
    for (l, (id, share, on_hand, in_transit, delivered, value)) in lots.iter().zip(want) {
        assert!(
            (l["share"].as_f64().unwrap() - share).abs() < 1e-12,
            "{id}: share {} != {share}",
            l["share"]
        );
        assert_num(&l["on_hand"], *on_hand);
        assert_num(&l["in_transit"], *in_transit);
        assert_num(&l["delivered"], *delivered);
        assert_num(&l["value"], *value);
    }
}

/// (customer, quantity, contact) of a recall document, in order.
fn recall_customers(doc: &Value) -> Vec<(String, f64, String)> {
    doc["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["customer_id"].as_str().unwrap().to_string(),
                c["quantity"].as_f64().unwrap(),
                c["contact"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn cust(id: &str, q: f64, contact: &str) -> (String, f64, String) {
    (id.to_string(), q, contact.to_string())
}

#[track_caller]
fn assert_uom(doc: &Value, uom: &str, on_hand: f64, in_transit: f64, delivered: f64) {
    let t = &doc["totals"]["by_uom"][uom];
    assert_num(&t["on_hand"], on_hand);
    assert_num(&t["in_transit"], in_transit);
    assert_num(&t["delivered"], delivered);
}

#[test]
fn recall_of_one_lot_lists_its_closure_units_value_and_customers() {
    let ws = analytics();
    let doc = json(ws.path(), &["recall", "simulate", "--lot", "A1"]);
    assert_eq!(doc["seeds"], serde_json::json!(["A1"]));
    assert_recall_lots(
        &doc,
        &[
            ("A1", 1.0, 30.0, 0.0, 0.0, 60.0),
            ("F1", 0.75, 10.0, 0.0, 20.0, 90.0),
            ("F2", 0.375, 5.0, 5.0, 10.0, 70.0),
            ("F3", 0.0625, 10.0, 10.0, 20.0, 120.0),
            ("M1", 0.75, 40.0, 0.0, 0.0, 60.0),
            ("M2", 0.25, 0.0, 0.0, 0.0, 0.0),
            ("PK1", 0.375, 0.0, 10.0, 30.0, 80.0),
        ],
    );
    assert_eq!(
        recall_customers(&doc),
        [
            cust("C1", 50.0, "recall@c1.example"),
            cust("C2", 10.0, "+1-555-0102"),
            cust("C3", 15.0, "deli3@c3.example"),
            cust("C4", 20.0, "+1-555-0104"),
        ]
    );
    assert_eq!(doc["totals"]["lots"], 7);
    assert_eq!(doc["totals"]["customers"], 4);
    assert_num(&doc["totals"]["value"], 480.0);
    assert_uom(&doc, "kg", 95.0, 15.0, 50.0);
    assert_uom(&doc, "ea", 0.0, 10.0, 30.0);
    assert_eq!(doc["totals"]["by_uom"].as_object().unwrap().len(), 2);
    // F2's stock is at DC (transferred), none left at PLANT.
    let f2 = row(&doc["lots"], "lot_id", "F2");
    assert_eq!(
        f2["on_hand_by_site"],
        serde_json::json!([{"site_id": "DC", "on_hand": 5}])
    );
}

#[test]
fn recall_min_share_drops_a_low_share_lot_and_the_customer_only_it_reached() {
    let ws = analytics();
    let notify = ws.path().join("notify.csv");
    let doc = json(
        ws.path(),
        &[
            "recall",
            "simulate",
            "--lot",
            "A1",
            "--min-share",
            "0.1",
            "--notify",
            notify.to_str().unwrap(),
        ],
    );
    // F3 carries 1/16 of A1; C4 received only F3.
    assert_recall_lots(
        &doc,
        &[
            ("A1", 1.0, 30.0, 0.0, 0.0, 60.0),
            ("F1", 0.75, 10.0, 0.0, 20.0, 90.0),
            ("F2", 0.375, 5.0, 5.0, 10.0, 70.0),
            ("M1", 0.75, 40.0, 0.0, 0.0, 60.0),
            ("M2", 0.25, 0.0, 0.0, 0.0, 0.0),
            ("PK1", 0.375, 0.0, 10.0, 30.0, 80.0),
        ],
    );
    assert_eq!(
        recall_customers(&doc),
        [
            cust("C1", 50.0, "recall@c1.example"),
            cust("C2", 10.0, "+1-555-0102"),
            cust("C3", 15.0, "deli3@c3.example"),
        ]
    );
    assert_eq!(doc["below_min_share"], 1);
    assert_eq!(doc["totals"]["lots"], 6);
    assert_eq!(doc["totals"]["customers"], 3);
    assert_num(&doc["totals"]["value"], 360.0);
    assert_uom(&doc, "kg", 85.0, 5.0, 30.0);
    assert_uom(&doc, "ea", 0.0, 10.0, 30.0);

    let csv = std::fs::read_to_string(&notify).unwrap();
    assert_eq!(
        csv,
        "customer_id,quantity,contact,name,lots\n\
         C1,50,recall@c1.example,Grocer One,F1;PK1\n\
         C2,10,+1-555-0102,Grocer Two,F2\n\
         C3,15,deli3@c3.example,Deli Three,F2;PK1\n"
    );
}

#[test]
fn recall_by_supplier_uses_the_receipt_window() {
    let ws = analytics();
    let doc = json(
        ws.path(),
        &[
            "recall",
            "simulate",
            "--supplier",
            "S1",
            "--from",
            "2024-02-01",
            "--to",
            "2024-02-28",
        ],
    );
    assert_eq!(doc["seeds"], serde_json::json!(["A2"]));
    assert_recall_lots(
        &doc,
        &[
            ("A2", 1.0, 10.0, 0.0, 0.0, 20.0),
            ("F3", 0.75, 10.0, 10.0, 20.0, 120.0),
            ("F4", 1.0, 4.0, 0.0, 6.0, 30.0),
        ],
    );
    assert_eq!(
        recall_customers(&doc),
        [
            cust("C2", 6.0, "+1-555-0102"),
            cust("C4", 20.0, "+1-555-0104")
        ]
    );
    assert_num(&doc["totals"]["value"], 170.0);
    assert_uom(&doc, "kg", 24.0, 10.0, 26.0);
    assert!(doc["totals"]["by_uom"].get("ea").is_none());

    // Without a window both of S1's lots are seeds: F3 = 1/16 + 3/4.
    let doc = json(ws.path(), &["recall", "simulate", "--supplier", "S1"]);
    assert_eq!(doc["seeds"], serde_json::json!(["A1", "A2"]));
    assert_eq!(
        ids(&doc["lots"], "lot_id"),
        ["A1", "A2", "F1", "F2", "F3", "F4", "M1", "M2", "PK1"]
    );
    assert_num(&row(&doc["lots"], "lot_id", "F3")["share"], 13.0 / 16.0);
}

#[test]
fn recall_by_line_seeds_every_lot_made_on_it() {
    let ws = analytics();
    let doc = json(ws.path(), &["recall", "simulate", "--line", "L2"]);
    assert_eq!(doc["seeds"], serde_json::json!(["F3", "F4", "M2"]));
    assert_recall_lots(
        &doc,
        &[
            ("F2", 0.75, 5.0, 5.0, 10.0, 70.0),
            ("F3", 1.0, 10.0, 10.0, 20.0, 120.0),
            ("F4", 1.0, 4.0, 0.0, 6.0, 30.0),
            ("M2", 1.0, 0.0, 0.0, 0.0, 0.0),
            ("PK1", 0.75, 0.0, 10.0, 30.0, 80.0),
        ],
    );
    assert_eq!(
        recall_customers(&doc),
        [
            cust("C1", 30.0, "recall@c1.example"),
            cust("C2", 16.0, "+1-555-0102"),
            cust("C3", 15.0, "deli3@c3.example"),
            cust("C4", 20.0, "+1-555-0104"),
        ]
    );
    // With a window: only F3 and F4 were made on L2 in February.
    let doc = json(
        ws.path(),
        &[
            "recall",
            "simulate",
            "--line",
            "L2",
            "--from",
            "2024-02-01",
            "--to",
            "2024-02-29",
        ],
    );
    assert_eq!(doc["seeds"], serde_json::json!(["F3", "F4"]));
    assert_eq!(ids(&doc["lots"], "lot_id"), ["F3", "F4"]);
}

#[test]
fn recall_compare_reports_lots_customers_and_only_here() {
    let ws = analytics();
    let doc = json(
        ws.path(),
        &[
            "recall",
            "compare",
            "--scenario",
            "a=lot=A1",
            "--scenario",
            "b=supplier=S1;from=2024-02-01",
        ],
    );
    let s = doc["scenarios"].as_array().unwrap();
    assert_eq!(s.len(), 2);
    assert_eq!(s[0]["name"], "a");
    assert_eq!(s[0]["seeds"], serde_json::json!(["A1"]));
    assert_eq!(s[0]["lots"], 7);
    assert_eq!(s[0]["customers"], 4);
    assert_num(&s[0]["value"], 480.0);
    assert_eq!(
        s[0]["only_here"],
        serde_json::json!(["A1", "F1", "F2", "M1", "M2", "PK1"])
    );
    assert_eq!(s[1]["name"], "b");
    assert_eq!(s[1]["seeds"], serde_json::json!(["A2"]));
    assert_eq!(s[1]["lots"], 3);
    assert_eq!(s[1]["customers"], 2);
    assert_num(&s[1]["value"], 170.0);
    assert_eq!(s[1]["only_here"], serde_json::json!(["A2", "F4"]));

    let doc = json(
        ws.path(),
        &[
            "recall",
            "compare",
            "--scenario",
            "a=lot=A1",
            "--scenario",
            "b=supplier=S2",
        ],
    );
    let s = doc["scenarios"].as_array().unwrap();
    assert_eq!(
        (&s[0]["lots"], &s[1]["lots"]),
        (&Value::from(7), &Value::from(7))
    );
    assert_eq!(s[1]["seeds"], serde_json::json!(["B1"]));
    assert_eq!(s[1]["customers"], 4);
    assert_eq!(s[0]["only_here"], serde_json::json!(["A1"]));
    assert_eq!(s[1]["only_here"], serde_json::json!(["B1"]));
}

// ------------------------------------------------------------- investigate

/// (id, kind, complaint_lots_reached, other_lots_reached) of the first
/// `n` candidates.
fn top(doc: &Value, n: usize) -> Vec<(String, String, u64, u64)> {
    doc["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .take(n)
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["kind"].as_str().unwrap().to_string(),
                c["complaint_lots_reached"].as_u64().unwrap(),
                c["other_lots_reached"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn cand(id: &str, kind: &str, k: u64, other: u64) -> (String, String, u64, u64) {
    (id.to_string(), kind.to_string(), k, other)
}

/// P(X ≥ k | E) for X ~ Poisson(E), k = 1 or 2, from the textbook sums.
fn poisson_tail(k: u64, e: f64) -> f64 {
    match k {
        1 => 1.0 - (-e).exp(),
        2 => 1.0 - (-e).exp() * (1.0 + e),
        _ => unreachable!("only k = 1, 2 occur in the fixture"),
    }
}

/// The candidate of `list` with this kind and id.
#[track_caller]
fn find<'a>(list: &'a Value, kind: &str, id: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == kind && c["id"] == id)
        .unwrap_or_else(|| panic!("no {kind} {id} in {list}"))
}

/// `c` has p-value `p`, `ln_p_value` ln p, `score` −log10 p.
#[track_caller]
fn assert_p(c: &Value, p: f64) {
    assert_num(&c["p_value"], p);
    assert!((c["ln_p_value"].as_f64().unwrap() - p.ln()).abs() < 1e-12);
    assert!((c["score"].as_f64().unwrap() + p.log10()).abs() < 1e-12);
}

#[test]
fn investigate_from_quality_returns_ranks_the_common_lot_first() {
    let ws = analytics();
    let doc = json(
        ws.path(),
        &["investigate", "--from-returns", "--category", "quality"],
    );
    assert_eq!(doc["complaint_lots"], serde_json::json!(["F2", "PK1"]));
    // README: per-SKU rates FIN 37/98, PACK 37/77 (pooled 3/7, no outbreak);
    // F2 first; then the p = 0.350 group, line before lots; then L3 and its
    // one-day window.
    assert_eq!(
        top(&doc, 7),
        [
            cand("F2", "lot", 2, 0),
            cand("L1", "line", 2, 1),
            cand("F1", "lot", 2, 1),
            cand("M1", "lot", 2, 1),
            cand("M2", "lot", 2, 1),
            cand("L3", "line", 1, 0),
            cand("L3", "line-window", 1, 0),
        ]
    );
    let (fin, pack) = (37.0 / 98.0, 37.0 / 77.0);
    let c = &doc["candidates"];
    assert_num(&c[0]["expected_complaint_lots"], fin + pack);
    assert_p(&c[0], poisson_tail(2, fin + pack));
    assert_eq!(c[0]["evidence"], serde_json::json!(["F2", "PK1"]));
    for i in 1..5 {
        assert_num(&c[i]["expected_complaint_lots"], 2.0 * fin + pack);
        assert_p(&c[i], poisson_tail(2, 2.0 * fin + pack));
    }
    for i in 5..7 {
        assert_p(&c[i], poisson_tail(1, pack));
    }
    assert_eq!(
        (&c[6]["from"], &c[6]["to"]),
        (&Value::from("2024-01-09"), &Value::from("2024-01-09"))
    );
    assert!(c[0].get("from").is_none(), "only line windows have dates");
    let p_a1 = poisson_tail(2, 3.0 * fin + pack);
    for (kind, id) in [("lot", "A1"), ("lot", "B1"), ("line", "L2")] {
        assert_p(find(c, kind, id), p_a1);
    }
    assert_p(find(c, "site", "PLANT"), poisson_tail(2, 4.0 * fin + pack));
    // Suppliers by their lots: S2 = Fisher over B1 alone (2 degrees of
    // freedom) = p(B1); S1 over A1 and A2 (A2 reaches no complaint, p = 1),
    // 4 degrees of freedom: Q(2, x/2) = e^(−x/2) (1 + x/2), x = −2 ln p(A1).
    assert_p(find(c, "supplier", "S2"), p_a1);
    assert_p(find(c, "supplier", "S1"), p_a1 * (1.0 - p_a1.ln()));
    // L1's best window is F2's day alone (p = F2's), times 6 windows tried:
    // above 1, so p = 1; L2's (M2's day, p = F1's) times 4: also 1.
    for id in ["L1", "L2"] {
        assert_p(find(c, "line-window", id), 1.0);
    }
    assert_eq!(c.as_array().unwrap().len(), 15);
    // PK1 is a complaint lot without outputs: not a candidate lot.
    assert!(
        !c.as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == "PK1" && x["kind"] == "lot")
    );
    // Groups on the pooled rate: hypergeometric, N = 5, |C| = 2.
    let g = &doc["groups"];
    assert_eq!(
        top(&serde_json::json!({ "candidates": g }), 6),
        [
            cand("L1", "line", 2, 1),
            cand("L3", "line", 1, 0),
            cand("L2", "line", 2, 2),
            cand("S2", "supplier", 2, 2),
            cand("PLANT", "site", 2, 3),
            cand("S1", "supplier", 2, 3),
        ]
    );
    for (i, p) in [0.3, 0.4, 0.6, 0.6, 1.0, 1.0].into_iter().enumerate() {
        assert_p(&g[i], p);
    }
    assert_num(&g[0]["expected_complaint_lots"], 3.0 * 2.0 / 5.0);
}

#[test]
fn investigate_given_lots_finds_their_only_common_source() {
    let ws = analytics();
    let doc = json(ws.path(), &["investigate", "--lot", "F3", "--lot", "F4"]);
    assert_eq!(doc["complaint_lots"], serde_json::json!(["F3", "F4"]));
    assert_eq!(
        top(&doc, 2),
        [cand("A2", "lot", 2, 0), cand("L2", "line", 2, 2)]
    );
    // README: rates FIN 22/49, PACK 30/77.
    let (fin, pack) = (22.0 / 49.0, 30.0 / 77.0);
    let c = &doc["candidates"];
    let p_a2 = poisson_tail(2, 2.0 * fin);
    assert_p(&c[0], p_a2);
    assert_p(&c[1], poisson_tail(2, 3.0 * fin + pack));
    // S1: A2 claims F3 and F4, so A1 is scored on F1, F2, PK1: k = 0, p = 1.
    assert_p(find(c, "supplier", "S1"), p_a2 * (1.0 - p_a2.ln()));
    // L2's best window: F3's and F4's days, 4 windows tried.
    let w = find(c, "line-window", "L2");
    assert_eq!(
        (&w["from"], &w["to"]),
        (&Value::from("2024-02-12"), &Value::from("2024-02-13"))
    );
    assert_eq!(w["evidence"], serde_json::json!(["F3", "F4"]));
    assert_p(w, 4.0 * p_a2);
    assert_eq!(doc["groups"][0]["id"], "L2");
    assert_p(&doc["groups"][0], 0.6);
}

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

// ----------------------------------------------------------------- formats

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
        .map(|l| format!("{l}\n"))
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
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 5);
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
