//! Tests of the investigation on small built datasets: an outbreak with
//! background complaints, and chains that must cost linear work.

use super::*;
use crate::analytics::stats::ln_poisson_upper_tail;
use crate::ingest::{CsvOnly, ingest_dir};

/// 60 FIN lots P01..P60 made one a day on line L1 from 2024-01-01;
/// supplier lot X (of SX) went into P21..P25, and Y1..Y5 (of SY) into
/// twelve consecutive lots each. Complaint lots: P21..P25 (X's outbreak)
/// and P03, P40, P55 (background). Every P lot is in the population.
fn outbreak() -> (Dataset, Genealogy, Vec<LotIx>, Vec<bool>) {
    let dir = tempfile::tempdir().unwrap();
    let mut lots = String::from("lot_id,sku,origin,supplier_id,line,produced_on,quantity\n");
    lots.push_str("X,RAW,supplied,SX,,,100\n");
    for j in 1..=5 {
        lots.push_str(&format!("Y{j},RAW,supplied,SY,,,100\n"));
    }
    let mut cons = String::from("input_lot_id,output_lot_id,quantity\n");
    let jan1 = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    for i in 1..=60u64 {
        let day = jan1 + chrono::Days::new(i - 1);
        lots.push_str(&format!("P{i:02},FIN,produced,,L1,{day},10\n"));
        cons.push_str(&format!("Y{},P{i:02},1\n", (i - 1) / 12 + 1));
        if (21..=25).contains(&i) {
            cons.push_str(&format!("X,P{i:02},1\n"));
        }
    }
    std::fs::write(dir.path().join("lots.csv"), lots).unwrap();
    std::fs::write(dir.path().join("consumptions.csv"), cons).unwrap();
    let ds = ingest_dir(dir.path(), &CsvOnly).unwrap().dataset;
    let g = Genealogy::from_dataset(&ds);
    let mut complaints: Vec<LotIx> = [21, 22, 23, 24, 25, 3, 40, 55]
        .iter()
        .map(|i| ds.lot_ix(&format!("P{i:02}")).unwrap())
        .collect();
    complaints.sort();
    let pop = ds.lots.iter().map(|l| l.id.starts_with('P')).collect();
    (ds, g, complaints, pop)
}

/// A chain L0 -> L1 -> ... -> L(n-1), the last lot shipped and
/// complained about; plus, when `merge`, a second input M into the
/// middle lot (a merge, so the lots above it are walked).
fn chain(n: usize, merge: bool) -> (Dataset, Genealogy, Vec<LotIx>, Vec<bool>) {
    let dir = tempfile::tempdir().unwrap();
    let mut lots = String::from("lot_id,sku,origin,supplier_id,quantity\nL0,RAW,supplied,S1,10\n");
    let mut cons = String::from("input_lot_id,output_lot_id,quantity\n");
    for i in 1..n {
        lots.push_str(&format!("L{i},MID,produced,,10\n"));
        cons.push_str(&format!("L{},L{i},10\n", i - 1));
    }
    if merge {
        lots.push_str("M,RAW,supplied,S2,10\n");
        cons.push_str(&format!("M,L{},1\n", n / 2));
    }
    std::fs::write(dir.path().join("lots.csv"), lots).unwrap();
    std::fs::write(dir.path().join("consumptions.csv"), cons).unwrap();
    let ds = ingest_dir(dir.path(), &CsvOnly).unwrap().dataset;
    let g = Genealogy::from_dataset(&ds);
    let last = ds.lot_ix(&format!("L{}", n - 1)).unwrap();
    let mut pop = vec![false; ds.lots.len()];
    pop[last.ix()] = true;
    (ds, g, vec![last], pop)
}

/// Issue 17: one walk per candidate made a 200k-lot chain quadratic
/// (209 s). The work must stay linear: a few visits per lot, on a
/// chain and on a chain with a merge into its middle. Asserted on
/// operation counts, not time.
#[test]
fn investigating_a_chain_costs_linear_work() {
    for (n, merge) in [(1_000usize, false), (4_000, false), (4_000, true)] {
        let (ds, g, complaints, pop) = chain(n, merge);
        let inv = Investigation::run(&ds, &g, &complaints, &pop);
        assert_eq!(inv.candidates[0].complaint_lots, complaints);
        // Lot candidates L0..L(n-2) (and M), suppliers S1 (and S2).
        let lots = inv
            .candidates
            .iter()
            .filter(|c| c.source.kind() == "lot")
            .count();
        assert_eq!(lots, n - 1 + usize::from(merge));
        // Tree steps ~3n, two supplier walks and their Fisher walks,
        // the outbreak walk: about 7n; one walk per lot would be n²/2.
        assert!(inv.work <= 10 * n as u64, "n = {n}: work {}", inv.work);
    }
}

#[test]
fn outbreaks_leave_the_baselines_and_windows_find_the_days() {
    let (ds, g, complaints, pop) = outbreak();
    let inv = Investigation::run(&ds, &g, &complaints, &pop);
    // First rates: FIN = (8 + 10 ρ) / 70 with ρ = 9/62; X reaches 5
    // lots, all complaints: p far below 0.05 / 6 lot candidates.
    assert_eq!((inv.outbreak_lots, inv.excluded_lots), (1, 5));
    // Robust rates without P21..P25: ρ = 4/57, FIN = (3 + 40/57) / 65.
    let fin = (3.0 + 40.0 / 57.0) / 65.0;
    let best = &inv.candidates[0];
    assert_eq!(best.source, Source::Lot(ds.lot_ix("X").unwrap()));
    assert!((best.expected - 5.0 * fin).abs() < 1e-12);
    let ln_p_x = ln_poisson_upper_tail(5, 5.0 * fin);
    assert!((best.ln_p - ln_p_x).abs() < 1e-12);
    // SX has one lot: its Fisher p is X's, and it never outranks X.
    assert_eq!(inv.candidates[1].source.kind(), "supplier");
    assert!((inv.candidates[1].ln_p - ln_p_x).abs() < 1e-9);
    // L1's best window is X's five days; windows tried: 40 starts with
    // 21 ends each, then 20, 19, ..., 1.
    let w = inv
        .candidates
        .iter()
        .find(|c| c.source.kind() == "line-window")
        .unwrap();
    let day = |d| NaiveDate::from_ymd_opt(2024, 1, d).unwrap();
    assert_eq!(
        w.source,
        Source::LineWindow {
            line: LineIx(0),
            from: day(21),
            to: day(25)
        }
    );
    assert_eq!((w.complaint_lots.len(), w.other_lots_reached), (5, 0));
    assert!((w.ln_p - (ln_p_x + (40.0 * 21.0 + 210.0f64).ln())).abs() < 1e-9);
    // The groups keep the pooled hypergeometric: L1 reaches everything.
    let l1 = inv
        .groups
        .iter()
        .find(|c| c.source.kind() == "line")
        .unwrap();
    assert_eq!(l1.ln_p, 0.0);
}

#[test]
fn no_complaints_no_candidates() {
    let (ds, g, _, pop) = outbreak();
    let inv = Investigation::run(&ds, &g, &[], &pop);
    assert!(inv.candidates.is_empty() && inv.groups.is_empty());
    assert!(investigate(&ds, &g, &[], &pop).is_empty());
}
