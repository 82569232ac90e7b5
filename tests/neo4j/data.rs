//! Test data for the Neo4j tests: a small random genealogy in the record
//! format, with lot ids of the test's choosing (hostile ones included),
//! and in-place edits of a dataset's CSV files.

use lotgraph::core::columns::*;
use lotgraph::core::model::FileKind;
use lotgraph::generate::rng::Rng;
use std::path::Path;

/// `dir/<kind>.csv` with every column of the format in its header; `cols`
/// are the columns of `rows`, the others stay empty.
pub(crate) fn write_csv(dir: &Path, kind: FileKind, cols: &[&str], rows: &[Vec<String>]) {
    let header = kind.columns();
    let at: Vec<usize> = cols
        .iter()
        .map(|c| header.iter().position(|h| h == c).unwrap())
        .collect();
    let mut w = csv::Writer::from_path(dir.join(format!("{}.csv", kind.stem()))).unwrap();
    w.write_record(header).unwrap();
    for r in rows {
        let mut full = vec![""; header.len()];
        for (i, v) in at.iter().zip(r) {
            full[*i] = v;
        }
        w.write_record(&full).unwrap();
    }
    w.flush().unwrap();
}

/// A random layered DAG genealogy in the record format: `n` lots, a third
/// supplied, the rest produced in up to four levels, each consuming 1-4
/// lots of any lower level (parallel rows included); shipments to
/// customers and to a DC, returns and inspections. `ids` names lot `i`.
#[allow(
    clippy::too_many_lines,
    reason = "test data written top to bottom, one file after the other"
)]
pub(crate) fn random_dataset(dir: &Path, seed: u64, n: usize, ids: &dyn Fn(usize) -> String) {
    let mut rng = Rng::new(seed);
    let s = |x: &str| x.to_string();
    write_csv(
        dir,
        FileKind::Suppliers,
        &[SUPPLIER_ID, NAME],
        &[
            vec![s("S1"), s("One")],
            vec![s("S2"), s("Two")],
            vec![s("S3"), s("Three")],
        ],
    );
    write_csv(
        dir,
        FileKind::Sites,
        &[SITE_ID, KIND],
        &[
            vec![s("P1"), s("plant")],
            vec![s("P2"), s("plant")],
            vec![s("DC1"), s("dc")],
        ],
    );
    let customers: Vec<String> = (0..5).map(|i| format!("K{i}")).collect();
    write_csv(
        dir,
        FileKind::Customers,
        &[CUSTOMER_ID, CONTACT],
        &customers
            .iter()
            .map(|c| vec![c.clone(), format!("{c}@x")])
            .collect::<Vec<_>>(),
    );
    // Record format v2: mass units, a volume with kg_per_uom, a packaging
    // SKU (coverage weights) and finished goods with a mass per unit.
    write_csv(
        dir,
        FileKind::Products,
        &[SKU, CATEGORY, UOM, KG_PER_UOM],
        &[
            vec![s("RAW-0"), s("raw"), s("kg"), s("")],
            vec![s("RAW-1"), s("raw"), s("LTR"), s("0.91")],
            vec![s("RAW-2"), s("packaging"), s("ea"), s("")],
            vec![s("MIX"), s("intermediate"), s("kg"), s("")],
            vec![s("FIN"), s("finished"), s("ea"), s("0.3")],
        ],
    );
    let supplied = (n / 3).max(2);
    let mut level = vec![0usize; n];
    let mut by_level: Vec<Vec<usize>> = vec![Vec::new(); 5];
    let mut lots = Vec::new();
    let mut cons = Vec::new();
    for i in 0..n {
        if i < supplied {
            lots.push(vec![
                ids(i),
                format!("RAW-{}", i % 3),
                s("supplied"),
                format!("S{}", 1 + i % 3),
                s("P1"),
                s(""),
                s(""),
                s("2024-01-02"),
                format!("{}", 50 + rng.below(100)),
            ]);
            by_level[0].push(i);
        } else {
            // Level at most 4: the first input from the level below (when
            // there is one), the others from any lower level. Only earlier
            // lots are inputs, so the genealogy is acyclic.
            let target = 1 + rng.below(4) as usize;
            let below = (0..target)
                .rev()
                .find(|l| !by_level[*l].is_empty())
                .unwrap_or(0);
            let lower: Vec<usize> = by_level[..=below].concat();
            let mut lvl = 0;
            for m in 0..=rng.below(4) {
                let input = if m == 0 {
                    by_level[below][rng.below(by_level[below].len() as u64) as usize]
                } else {
                    lower[rng.below(lower.len() as u64) as usize]
                };
                lvl = lvl.max(level[input] + 1);
                let q = format!("{}.{}", 1 + rng.below(30), rng.below(10));
                cons.push(vec![ids(input), ids(i), q.clone()]);
                if rng.below(8) == 0 {
                    cons.push(vec![ids(input), ids(i), q]); // a parallel row
                }
            }
            level[i] = lvl;
            by_level[lvl].push(i);
            lots.push(vec![
                ids(i),
                if lvl >= 2 { s("FIN") } else { s("MIX") },
                s("produced"),
                s(""),
                format!("P{}", 1 + rng.below(2)),
                format!("L{}", 1 + rng.below(3)),
                s("2024-02-01"),
                s(""),
                format!("{}", 20 + rng.below(200)),
            ]);
        }
    }
    write_csv(
        dir,
        FileKind::Lots,
        &[
            LOT_ID,
            SKU,
            ORIGIN,
            SUPPLIER_ID,
            SITE_ID,
            LINE,
            PRODUCED_ON,
            RECEIVED_ON,
            QUANTITY,
        ],
        &lots,
    );
    write_csv(
        dir,
        FileKind::Consumptions,
        &[INPUT_LOT_ID, OUTPUT_LOT_ID, QUANTITY],
        &cons,
    );
    let mut ships = Vec::new();
    let mut rets = Vec::new();
    for i in supplied..n {
        if rng.below(3) == 0 {
            continue;
        }
        for j in 0..=rng.below(3) {
            let sid = format!("SH-{i}-{j}");
            if rng.below(5) == 0 {
                ships.push(vec![
                    sid,
                    ids(i),
                    s("5"),
                    s("DC1"),
                    s(""),
                    s("2024-03-01"),
                    s("2024-03-02"),
                ]);
            } else {
                let c = customers[rng.below(5) as usize].clone();
                ships.push(vec![
                    sid,
                    ids(i),
                    format!("{}", 10 + rng.below(50)),
                    s(""),
                    c.clone(),
                    s("2024-03-01"),
                    if rng.below(4) == 0 {
                        s("")
                    } else {
                        s("2024-03-03")
                    },
                ]);
                if rng.below(3) == 0 {
                    rets.push(vec![
                        format!("RT-{i}-{j}"),
                        ids(i),
                        c,
                        format!("{}", 1 + rng.below(5)),
                        s(["quality", "safety", "defect"][rng.below(3) as usize]),
                        s("2024-04-01"),
                    ]);
                }
            }
        }
    }
    write_csv(
        dir,
        FileKind::Shipments,
        &[
            SHIPMENT_ID,
            LOT_ID,
            QUANTITY,
            TO_SITE_ID,
            CUSTOMER_ID,
            SHIPPED_ON,
            DELIVERED_ON,
        ],
        &ships,
    );
    write_csv(
        dir,
        FileKind::Returns,
        &[
            RETURN_ID,
            LOT_ID,
            CUSTOMER_ID,
            QUANTITY,
            CATEGORY,
            REPORTED_ON,
        ],
        &rets,
    );
    let insp: Vec<Vec<String>> = (0..supplied)
        .filter(|i| i % 2 == 0)
        .map(|i| {
            vec![
                format!("IN-{i}"),
                ids(i),
                if i % 4 == 0 { s("fail") } else { s("pass") },
            ]
        })
        .collect();
    write_csv(
        dir,
        FileKind::Inspections,
        &[INSPECTION_ID, LOT_ID, RESULT],
        &insp,
    );
}

pub(crate) fn edit_csv(path: &Path, f: impl FnOnce(&mut Vec<csv::StringRecord>)) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().clone();
    let mut rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    f(&mut rows);
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(&header).unwrap();
    for row in rows {
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
}
