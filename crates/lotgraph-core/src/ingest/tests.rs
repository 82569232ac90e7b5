//! Tests of the ingest as a whole, through `ingest_dir`: physical line
//! numbers, cycles, missing columns, references to rejected rows, ids.

use super::*;
use crate::model::*;

fn dataset(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    dir
}

const LOTS: &str = "lot_id,sku,origin,supplier_id,quantity\nA,RAW,supplied,S1,10\nB,RAW,supplied,S1,10\nP,FIN,produced,,5\nQ,FIN,produced,,5\nR,FIN,produced,,5\n";

#[test]
fn lines_count_physical_lines_of_multiline_records() {
    let d = dataset(&[(
        "lots.csv",
        "lot_id,sku,origin,supplier_id,quantity,note\nA,RAW,supplied,S1,10,\"two\nlines\"\nB,RAW,supplied,S1,-3,\n",
    )]);
    let ing = ingest_dir(d.path(), &CsvOnly).unwrap();
    assert_eq!(ing.rejects.len(), 1);
    assert_eq!(
        ing.rejects[0].to_string(),
        "lots.csv:4: quantity: \"-3\" is negative"
    );
    assert_eq!(
        ing.dataset.extras[FileKind::Lots as usize]
            .values
            .iter()
            .collect::<Vec<_>>(),
        vec!["two\nlines"]
    );
    assert_eq!(
        ing.reports[0],
        FileReport {
            kind: FileKind::Lots,
            file: "lots.csv".into(),
            read: 2,
            loaded: 1,
            rejected: 1
        }
    );
}

#[test]
fn a_cycle_names_every_lot_on_it() {
    let d = dataset(&[
        ("lots.csv", LOTS),
        (
            "consumptions.csv",
            "input_lot_id,output_lot_id,quantity\nA,P,1\nP,Q,1\nQ,R,1\nR,P,1\nB,R,1\n",
        ),
    ]);
    let err = ingest_dir(d.path(), &CsvOnly).unwrap_err();
    assert_eq!(
        err.to_string(),
        "genealogy has a cycle through lots \"P\", \"Q\", \"R\""
    );
}

#[test]
fn a_missing_required_column_names_file_and_column() {
    let d = dataset(&[("lots.csv", "lot_id,sku,origin\nA,RAW,supplied\n")]);
    let err = ingest_dir(d.path(), &CsvOnly).unwrap_err();
    assert_eq!(
        err.to_string(),
        "lots.csv: missing required column \"quantity\""
    );
}

#[test]
fn references_to_rejected_lots_say_so() {
    let d = dataset(&[
        (
            "lots.csv",
            "lot_id,sku,origin,supplier_id,quantity\nA,RAW,supplied,,10\nP,FIN,produced,,5\n",
        ),
        (
            "consumptions.csv",
            "input_lot_id,output_lot_id,quantity\nA,P,1\n",
        ),
    ]);
    let ing = ingest_dir(d.path(), &CsvOnly).unwrap();
    let msgs: Vec<String> = ing
        .rejects
        .iter()
        .map(std::string::ToString::to_string)
        .collect();
    assert_eq!(
        msgs,
        vec![
            "lots.csv:2: supplier_id: is required when origin is supplied",
            "consumptions.csv:2: input_lot_id: unknown lot \"A\" (its row lots.csv:2 was rejected: supplier_id: is required when origin is supplied)",
        ]
    );
}

#[test]
fn ids_lose_surrounding_spaces_but_keep_their_insides() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("lots.csv"),
        "lot_id,sku,origin,supplier_id,quantity\n\"A \",RAW,supplied,S1,10\n\"B\nC\",RAW,supplied, S1,1\nP,FIN,produced,,5\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("consumptions.csv"),
        "input_lot_id,output_lot_id,quantity\nA,P,1\n",
    )
    .unwrap();
    let ing = ingest_dir(dir.path(), &CsvOnly).unwrap();
    assert!(ing.rejects.is_empty(), "{:?}", ing.rejects);
    assert_eq!(ing.dataset.lot_ix("A"), Some(LotIx(0)));
    assert_eq!(ing.dataset.lot_ix("B\nC"), Some(LotIx(1)));
    assert_eq!(ing.dataset.suppliers.len(), 1, "\" S1\" is S1");
}

#[test]
fn warnings_are_typed_and_read_as_before() {
    let d = dataset(&[
        (
            "lots.csv",
            "lot_id,sku,origin,supplier_id,quantity,note\nA,RAW,supplied,S1,10,x\nB,RAW,supplied,S2,10,y\n",
        ),
        ("products.csv", "sku,uom\nOTHER,crate\n"),
        ("inspections.csv", ""),
        ("notes.csv", "a\n"),
    ]);
    let ing = ingest_dir(d.path(), &CsvOnly).unwrap();
    let got: Vec<(&str, String)> = ing
        .warnings
        .iter()
        .map(|w| (w.as_str(), w.to_string()))
        .collect();
    let want = [
        (
            "ignored_file",
            "notes.csv: ignored, not a file of the record format",
        ),
        (
            "extra_columns",
            "lots.csv: unknown columns kept as extra properties: note",
        ),
        (
            "created_products",
            "lots.csv: created 1 product(s) missing from products: \"RAW\"",
        ),
        (
            "no_rows",
            "inspections.csv: is empty (0 bytes); read as a table with no rows",
        ),
        (
            "created_from_references",
            "suppliers.csv is absent: created 2 supplier(s) from references: \"S1\", \"S2\"",
        ),
        (
            "unknown_units",
            "products: 1 SKU(s) have a unit lotgraph does not know, each its own dimension: \"OTHER (crate)\"",
        ),
    ];
    let want: Vec<(&str, String)> = want.iter().map(|(k, t)| (*k, t.to_string())).collect();
    assert_eq!(got, want);
}
