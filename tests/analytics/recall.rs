//! `recall simulate` and `recall compare` on the analytics fixture: the
//! closure of a seed with shares, units and value by state, the customers
//! reached, and seeds by supplier and by line.

use super::*;

/// One expected recall lot: (id, share, `on_hand`, `in_transit`, delivered, value).
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
