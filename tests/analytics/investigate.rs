//! `investigate` on the analytics fixture: candidates ranked by p-value
//! (checked against the textbook Poisson tail) and the common source of
//! given lots.

use super::*;

/// (id, kind, `complaint_lots_reached`, `other_lots_reached`) of the first
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
