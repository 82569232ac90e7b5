//! Tests of whole pages rendered from hand-made documents: hostile text is
//! escaped everywhere, markup is balanced and self-contained, empty and
//! oversized charts are handled, and long labels are cut.

use super::bars::ALERT;
use super::genealogy::MAX_NODES;
use super::render;
use super::rows::MAX_ROWS;
use crate::report::document::{Bar, Chart, Document, GraphNode};
use crate::report::{Cell, Tabular};

const HOSTILE: &str = "<script>alert(\"x\")</script> & 'quoted' \"lot\"";

fn bar(label: &str, value: f64, interval: Option<(f64, f64)>, highlight: bool) -> Bar {
    Bar {
        label: label.into(),
        value,
        interval,
        highlight,
    }
}

fn node(id: &str, detail: &str, level: u32, share: f64, seed: bool) -> GraphNode {
    GraphNode {
        id: id.into(),
        detail: detail.into(),
        level,
        share,
        seed,
    }
}

fn hostile_doc() -> Document {
    let mut t = Tabular::new(&["lot_id", "share", "quantity"]);
    t.push(vec![
        Cell::text(HOSTILE),
        Cell::Share(0.5),
        Cell::Num(Some(2.0)),
    ]);
    t.push(vec![
        Cell::text("B\nC 🍓"),
        Cell::Share(1.0),
        Cell::Num(None),
    ]);
    Document {
        title: HOSTILE.into(),
        notes: vec![HOSTILE.into(), "plain note".into()],
        tables: vec![(HOSTILE.into(), t)],
        charts: vec![
            Chart::Bars {
                title: HOSTILE.into(),
                unit: HOSTILE.into(),
                percent: true,
                bars: vec![
                    bar(HOSTILE, 0.12, Some((0.08, 0.17)), true),
                    bar("B\nC 🍓", 0.03, Some((0.01, 0.06)), false),
                    bar("zero", 0.0, None, false),
                    bar("nan", f64::NAN, Some((f64::NAN, 1.0)), false),
                ],
                reference: Some((HOSTILE.into(), 0.05)),
            },
            Chart::Stacked {
                title: HOSTILE.into(),
                series: vec![HOSTILE.into(), "in transit".into(), "delivered".into()],
                rows: vec![
                    (HOSTILE.into(), vec![120.0, 30.0, 500.0]),
                    ("kg".into(), vec![f64::NAN, -3.0, 12.5]),
                    ("short".into(), vec![1.0]),
                ],
            },
            Chart::Genealogy {
                title: HOSTILE.into(),
                nodes: vec![
                    node(HOSTILE, HOSTILE, 0, 1.0, true),
                    node("B\nC 🍓", "sku & co", 1, 0.4, false),
                    node("L3", "", 2, f64::NAN, false),
                ],
                edges: vec![(0, 1), (1, 2), (2, 2), (0, 99)],
            },
        ],
        ..Document::default()
    }
}

fn without_ns(h: &str) -> String {
    h.replace("xmlns=\"http://www.w3.org/2000/svg\"", "")
}

#[test]
fn hostile_text_is_escaped_everywhere() {
    let h = render(&hostile_doc());
    let lower = h.to_lowercase();
    assert!(!lower.contains("<script"), "raw script tag");
    assert!(!lower.contains("javascript:"));
    assert!(!lower.contains("onload=") && !lower.contains("onerror="));
    assert!(h.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;"));
    // Control characters are replaced, emoji kept.
    assert!(h.contains("B\u{fffd}C 🍓"));
    assert!(!h.contains("B\nC"));
    // No NaN or infinity leaks into coordinates or labels.
    assert!(!h.contains("NaN") && !h.contains("inf\"") && !h.contains("inf<"));
    // Every chart kind drew something.
    assert!(h.contains(&format!("fill=\"{ALERT}\"")));
    assert!(h.contains("stroke-dasharray"));
    assert!(h.contains("class=\"node\""));
    assert_eq!(h.matches("class=\"node\"").count(), 3);
}

#[test]
fn markup_is_balanced_and_self_contained() {
    let h = render(&hostile_doc());
    let open = h.matches("<svg").count();
    assert_eq!(open, 3);
    assert_eq!(open, h.matches("</svg>").count());
    for tag in ["section", "g", "text", "title", "table", "tr", "p", "div"] {
        let opens = h.matches(&format!("<{tag}>")).count() + h.matches(&format!("<{tag} ")).count();
        assert_eq!(opens, h.matches(&format!("</{tag}>")).count(), "<{tag}>");
    }
    let page = without_ns(&h);
    assert!(!page.contains("http://") && !page.contains("https://"));
    assert!(!page.contains("url(") && !page.contains("@import") && !page.contains("src="));
    assert!(h.starts_with("<!DOCTYPE html>") && h.ends_with("</html>\n"));
    // Charts come before tables.
    assert!(h.find("<svg").unwrap() < h.find("<table").unwrap());
}

#[test]
fn empty_charts_do_not_panic() {
    let doc = Document {
        title: String::new(),
        charts: vec![
            Chart::Bars {
                title: "b".into(),
                unit: String::new(),
                percent: false,
                bars: vec![],
                reference: Some(("r".into(), f64::NAN)),
            },
            Chart::Stacked {
                title: "s".into(),
                series: vec![],
                rows: vec![("x".into(), vec![1.0])],
            },
            Chart::Stacked {
                title: "s2".into(),
                series: vec!["a".into()],
                rows: vec![("x".into(), vec![]), ("y".into(), vec![0.0])],
            },
            Chart::Genealogy {
                title: "g".into(),
                nodes: vec![],
                edges: vec![(0, 1)],
            },
            Chart::Bars {
                title: "all zero".into(),
                unit: "u".into(),
                percent: true,
                bars: vec![bar("a", 0.0, None, false), bar("b", f64::NAN, None, true)],
                reference: None,
            },
            Chart::Bars {
                title: "huge".into(),
                unit: "u".into(),
                percent: false,
                bars: vec![
                    bar("a", f64::MAX, None, false),
                    bar("b", -1e300, None, false),
                ],
                reference: Some(("inf".into(), f64::INFINITY)),
            },
        ],
        ..Document::default()
    };
    let h = render(&doc);
    assert_eq!(h.matches("No data to chart.").count(), 3);
    assert_eq!(h.matches("<svg").count(), h.matches("</svg>").count());
    assert!(!h.contains("NaN") && !h.contains("inf\""));
    assert!(h.contains("<title>lotgraph report</title>"));
}

fn big_doc() -> Document {
    let bars: Vec<Bar> = (0..100)
        .map(|i| bar(&format!("supplier {i}"), f64::from(i), None, i % 7 == 0))
        .collect();
    let nodes: Vec<GraphNode> = (0..250)
        .map(|i| node(&format!("L{i}"), "SKU", (i % 5) as u32, 0.5, i < 3))
        .collect();
    let edges: Vec<(usize, usize)> = (1..250).map(|i| (i - 1, i)).collect();
    let rows: Vec<(String, Vec<f64>)> =
        (0..45).map(|i| (format!("r{i}"), vec![1.0, 2.0])).collect();
    Document {
        title: "big".into(),
        charts: vec![
            Chart::Bars {
                title: "many".into(),
                unit: "count".into(),
                percent: false,
                bars,
                reference: None,
            },
            Chart::Stacked {
                title: "rows".into(),
                series: vec!["a".into(), "b".into()],
                rows,
            },
            Chart::Genealogy {
                title: "lots".into(),
                nodes,
                edges,
            },
        ],
        ..Document::default()
    }
}

#[test]
fn big_charts_are_capped() {
    let doc = big_doc();
    let h = render(&doc);
    assert!(h.contains("60 more not shown."));
    assert!(h.contains("5 more not shown."));
    assert!(h.contains("50 more lots not drawn."));
    assert_eq!(h.matches("class=\"node\"").count(), MAX_NODES);
    assert_eq!(h.matches("class=\"row\"").count(), 2 * MAX_ROWS);
    // The cut keeps the shallow levels, seeds included.
    assert!(h.contains(">L0<") && h.contains(">L1<"));
}

#[test]
fn long_labels_are_cut_with_the_full_text_in_the_tooltip() {
    let long = "a very long supplier name that goes on and on and on and on and on and on forever";
    let doc = Document {
        charts: vec![Chart::Bars {
            title: "t".into(),
            unit: "u".into(),
            percent: false,
            bars: vec![bar(long, 3.0, None, false)],
            reference: None,
        }],
        ..Document::default()
    };
    let h = render(&doc);
    assert!(h.contains(&format!("<title>{long}: 3</title>")));
    assert!(h.contains("…</text>"));
}

/// Writes a realistic sample page: `cargo test --lib report::html -- --ignored`.
#[test]
#[ignore = "writes a sample page for people to look at"]
fn write_sample() {
    let path = std::env::var("LOTGRAPH_SAMPLE_HTML").unwrap_or_else(|_| "/tmp/sample.html".into());
    let suppliers = [
        ("Acme Foods", 0.112, (0.081, 0.152), true),
        (
            "Nordic Dairy Cooperative of the Northern Lowlands and Islands",
            0.074,
            (0.052, 0.104),
            true,
        ),
        ("Berry & Sons <EU>", 0.041, (0.030, 0.056), false),
        ("\"Quoted\" Farms", 0.029, (0.018, 0.046), false),
        ("Fresh 🍓 GmbH", 0.018, (0.009, 0.035), false),
        ("Zero Returns Ltd", 0.0, (0.0, 0.021), false),
    ];
    let mut t = Tabular::new(&["supplier", "lots", "return_rate"]);
    for (s, r, _, _) in suppliers {
        t.push(vec![
            Cell::text(s),
            Cell::Int((r * 1000.0) as u64 + 40),
            Cell::Share(r),
        ]);
    }
    let nodes = vec![
        node("RM-MILK-0001", "SKU raw-milk", 0, 1.0, true),
        node("RM-SUGAR-17", "SKU sugar-50kg", 0, 0.35, true),
        node("WIP-YOG-2231", "SKU yoghurt-base", 1, 0.8, false),
        node("WIP-YOG-2232", "SKU yoghurt-base", 1, 0.2, false),
        node("FG-STRAW-<1>", "SKU strawberry 150g", 2, 0.6, false),
        node("FG-PLAIN-88", "SKU plain 500g", 2, 0.25, false),
        node(
            "FG-VAN-\"x\"",
            "SKU vanilla 150g with a long name",
            2,
            0.05,
            false,
        ),
        node("SHIP-9001", "customer DE-042", 3, 0.5, false),
    ];
    let edges = vec![
        (0, 2),
        (0, 3),
        (1, 2),
        (2, 4),
        (2, 5),
        (3, 5),
        (3, 6),
        (4, 7),
        (5, 7),
    ];
    let doc = Document {
        title: "Supplier return rates — Q3 <sample>".into(),
        notes: vec![
            "6 suppliers, 1,204 lots, 58 returned lots.".into(),
            "Highlighted suppliers exceed the SKU baseline at 95% confidence.".into(),
        ],
        charts: vec![
            Chart::Bars {
                title: "Return rate by supplier (95% Wilson interval)".into(),
                unit: "return rate".into(),
                percent: true,
                bars: suppliers
                    .iter()
                    .map(|(s, r, i, h)| bar(s, *r, Some(*i), *h))
                    .collect(),
                reference: Some(("SKU baseline".into(), 0.038)),
            },
            Chart::Bars {
                title: "Returned units by reason".into(),
                unit: "units".into(),
                percent: false,
                bars: vec![
                    bar("damaged", 18250.0, None, false),
                    bar("expired", 7400.0, None, false),
                    bar("contaminated", 3100.0, None, true),
                    bar("unknown", f64::NAN, None, false),
                ],
                reference: None,
            },
            Chart::Stacked {
                title: "Units by unit of measure".into(),
                series: vec!["on hand".into(), "in transit".into(), "delivered".into()],
                rows: vec![
                    ("kg".into(), vec![12000.0, 3400.0, 48000.0]),
                    ("each".into(), vec![900.0, 120.0, 5000.0]),
                    ("litre".into(), vec![20000.0, 0.0, 1500.0]),
                    ("pallet".into(), vec![14.0, 3.0, 40.0]),
                ],
            },
            Chart::Genealogy {
                title: "Forward trace of RM-MILK-0001".into(),
                nodes,
                edges,
            },
        ],
        tables: vec![("Suppliers".into(), t)],
        ..Document::default()
    };
    std::fs::write(&path, render(&doc)).unwrap();
    let stem = path.trim_end_matches(".html");
    std::fs::write(format!("{stem}_hostile.html"), render(&hostile_doc())).unwrap();
    std::fs::write(format!("{stem}_big.html"), render(&big_doc())).unwrap();
}
