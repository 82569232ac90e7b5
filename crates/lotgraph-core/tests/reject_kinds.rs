//! Every reject the ingest makes carries the kind of its problem, and the
//! legacy classifier (for rejects.csv files written before the `kind`
//! column) agrees with it on every message the ingest words today.

// A test or bench: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use lotgraph_core::ingest::{CsvOnly, Ingested, RejectKind, ingest_dir};
use std::collections::BTreeSet;
use std::path::Path;

fn ingest(dir: &Path) -> Ingested {
    ingest_dir(dir, &CsvOnly).unwrap()
}

fn assert_legacy_agrees(ing: &Ingested) {
    for r in &ing.rejects {
        assert_ne!(r.kind, RejectKind::Other, "{r}");
        assert_eq!(RejectKind::from_legacy_problem(&r.problem), r.kind, "{r}");
    }
}

#[test]
fn the_bad_fixture_rejects_carry_their_kinds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/fixtures/bad");
    let ing = ingest(&dir);
    assert_legacy_agrees(&ing);
    let kinds: BTreeSet<&str> = ing.rejects.iter().map(|r| r.kind.as_str()).collect();
    for want in [
        "unknown_lot",
        "duplicate_key",
        "missing_value",
        "not_a_choice",
        "negative",
    ] {
        assert!(kinds.contains(want), "{want} not in {kinds:?}");
    }
}

#[test]
fn malformed_rows_carry_their_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let mut lots = b"lot_id,sku,origin,supplier_id,quantity,produced_on\n".to_vec();
    lots.extend_from_slice(b"A,RAW,supplied,S1,10,\n");
    lots.extend_from_slice(b"B,RAW,supplied,S1\n");
    lots.extend_from_slice(b"C,RAW,supplied,S1,\xff,\n");
    lots.extend_from_slice(b"D,RAW,supplied,S1,0,\n");
    lots.extend_from_slice(b"E,RAW,supplied,S1,1e300,\n");
    lots.extend_from_slice(b"F,RAW,bought,S1,1,\n");
    lots.extend_from_slice(b"G,RAW,supplied,,1,\n");
    lots.extend_from_slice(b"H,RAW,supplied,S1,x,\n");
    lots.extend_from_slice(b"I,RAW,produced,,1,2024-13-01\n");
    lots.extend_from_slice(b"J,RAW,supplied,S1,1,\"never closed\n");
    std::fs::write(dir.path().join("lots.csv"), lots).unwrap();
    std::fs::write(
        dir.path().join("consumptions.csv"),
        "input_lot_id,output_lot_id,quantity\nA,A,1\nZ,A,1\n",
    )
    .unwrap();
    let ing = ingest(dir.path());
    assert_legacy_agrees(&ing);
    let got: Vec<(String, RejectKind)> = ing
        .rejects
        .iter()
        .map(|r| (format!("{}:{}", r.file, r.line), r.kind))
        .collect();
    let want = [
        ("lots.csv:3", RejectKind::WrongFieldCount),
        ("lots.csv:4", RejectKind::InvalidUtf8),
        ("lots.csv:5", RejectKind::Zero),
        ("lots.csv:6", RejectKind::TooLarge),
        ("lots.csv:7", RejectKind::NotAChoice),
        ("lots.csv:8", RejectKind::MissingSupplier),
        ("lots.csv:9", RejectKind::NotADecimal),
        ("lots.csv:10", RejectKind::BadDate),
        ("lots.csv:11", RejectKind::UnclosedQuote),
        ("consumptions.csv:2", RejectKind::OutputNotProduced),
        ("consumptions.csv:3", RejectKind::UnknownLot),
    ];
    let want: Vec<(String, RejectKind)> = want.iter().map(|(l, k)| (l.to_string(), *k)).collect();
    assert_eq!(got, want);
}
