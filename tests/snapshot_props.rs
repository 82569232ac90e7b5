//! The mapped snapshot answers exactly as the in-memory engine built from
//! the same records: for every fixture and for random generated datasets
//! (proptest over seed, size and planted fault), ingest, write the v3
//! snapshot, map it back, and compare the typed result of every command's
//! analytics (trace both ways from sampled lots, the id lookup, lot rates,
//! supplier scorecard, recall, investigation, check findings, balance).
//! The commands serialise these results and nothing else, so equal results
//! mean equal JSON; the CLI's JSON itself is pinned by the insta snapshots.

// A test or bench: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use lotgraph::core::analytics::balance::{self, Balance};
use lotgraph::core::analytics::investigate::{Investigation, population};
use lotgraph::core::analytics::recall::simulate;
use lotgraph::core::analytics::returns::{ReturnFilter, lot_rates};
use lotgraph::core::analytics::suppliers::{ScoreInputs, Window, scorecard};
use lotgraph::core::ingest::{Ingested, ingest_dir};
use lotgraph::core::model::Dataset;
use lotgraph::core::{Direction, Genealogy, LotIx, Tracer};
use lotgraph::generate::{self, DataFormat, FaultKind};
use lotgraph::ingest::CsvOrParquet;
use lotgraph::snapshot::{self, Manifest, SNAPSHOT_VERSION};
use proptest::prelude::*;
use std::path::Path;

/// One engine's view: the dataset with its genealogy and balance.
struct Engine<'a> {
    ds: &'a Dataset,
    g: &'a Genealogy,
    bal: &'a Balance,
}

/// Asserts that `mem` and `map` give equal answers to every query; `picks`
/// choose the sampled lots (taken modulo the number of lots).
fn assert_same(mem: &Engine<'_>, map: &Engine<'_>, picks: &[usize]) {
    let n = mem.ds.lots.len();
    assert_eq!(n, map.ds.lots.len());
    let (a, b) = (mem.ds, map.ds);
    assert!(a.lots == b.lots, "lots differ");
    assert!(a.consumptions == b.consumptions, "consumptions differ");
    assert!(a.shipments == b.shipments, "shipments differ");
    assert!(a.returns == b.returns, "returns differ");
    assert!(a.inspections == b.inspections, "inspections differ");
    assert_eq!(a.suppliers, b.suppliers);
    assert_eq!(a.sites, b.sites);
    assert_eq!(a.products, b.products);
    assert_eq!(a.customers, b.customers);
    assert_eq!(a.extras, b.extras);
    assert!(mem.bal == map.bal, "balances differ");
    if n == 0 {
        return;
    }
    let lots: Vec<LotIx> = picks.iter().map(|p| LotIx::from_ix(p % n)).collect();
    // Id lookup: every sampled id, and ids that are not there.
    for &l in &lots {
        let id = mem.ds.lot_id(l);
        assert_eq!(map.ds.lot_ix(id), Some(l), "lookup of {id}");
        let missing = format!("{id}\u{0}x");
        assert_eq!(map.ds.lot_ix(&missing), mem.ds.lot_ix(&missing));
    }
    assert_eq!(map.ds.lot_ix(""), mem.ds.lot_ix(""));
    let (mut tm, mut tp) = (Tracer::new(mem.g), Tracer::new(map.g));
    for &l in &lots {
        for dir in [Direction::Upstream, Direction::Downstream] {
            for depth in [None, Some(1)] {
                assert_eq!(
                    tm.trace(mem.ds, l, dir, depth),
                    tp.trace(map.ds, l, dir, depth),
                    "trace {dir:?} of {}",
                    mem.ds.lot_id(l)
                );
            }
        }
        assert_eq!(mem.ds.shipments_of(l), map.ds.shipments_of(l));
        assert_eq!(mem.ds.returns_of(l), map.ds.returns_of(l));
        assert_eq!(mem.ds.inspections_of(l), map.ds.inspections_of(l));
    }
    assert_eq!(
        simulate(mem.ds, mem.g, mem.bal, &lots, 0.0),
        simulate(map.ds, map.g, map.bal, &lots, 0.0)
    );
    let filter = ReturnFilter::default();
    assert_eq!(lot_rates(mem.ds, &filter), lot_rates(map.ds, &filter));
    let (im, ip) = (
        ScoreInputs::compute(mem.ds, mem.g, &filter),
        ScoreInputs::compute(map.ds, map.g, &filter),
    );
    if let (Ok(im), Ok(ip)) = (&im, &ip) {
        assert_eq!(
            scorecard(mem.ds, mem.g, im, Window::default()),
            scorecard(map.ds, map.g, ip, Window::default())
        );
    } else {
        assert_eq!(im.is_ok(), ip.is_ok());
    }
    let (pm, pp) = (population(mem.ds), population(map.ds));
    assert_eq!(pm, pp);
    let mut complaints: Vec<LotIx> = lots.iter().copied().filter(|l| pm[l.ix()]).collect();
    complaints.sort();
    complaints.dedup();
    assert_eq!(
        Investigation::run(mem.ds, mem.g, &complaints, &pm),
        Investigation::run(map.ds, map.g, &complaints, &pp)
    );
    assert_eq!(
        balance::check(mem.ds, mem.g, mem.bal, balance::YieldBand::default()),
        balance::check(map.ds, map.g, map.bal, balance::YieldBand::default())
    );
}

/// Ingests `dir`, writes and maps the snapshot, and compares the two.
fn check_dir(dir: &Path, picks: &[usize]) {
    let Ingested {
        dataset, genealogy, ..
    } = ingest_dir(dir, &CsvOrParquet).expect("ingest");
    let ws = tempfile::tempdir().expect("tempdir");
    let manifest = Manifest {
        version: SNAPSHOT_VERSION,
        dataset_id: String::new(),
        source: dir.display().to_string(),
        created_at: "1970-01-01T00:00:00Z".into(),
        files: Vec::new(),
        warnings: Vec::new(),
    };
    snapshot::write(
        ws.path(),
        &dataset,
        &genealogy,
        &manifest,
        &[],
        snapshot::WriteOptions {
            lock_timeout: None,
            faults: &mut snapshot::no_faults,
        },
    )
    .expect("write");
    let snap = snapshot::load(ws.path()).expect("load");
    snap.verify().expect("checksums");
    let bal = Balance::compute(&dataset);
    let mem = Engine {
        ds: &dataset,
        g: &genealogy,
        bal: &bal,
    };
    let map = Engine {
        ds: &snap.dataset,
        g: &snap.genealogy,
        bal: &snap.balance,
    };
    assert_same(&mem, &map, picks);
}

#[test]
fn every_fixture_answers_the_same_from_the_map() {
    let picks: Vec<usize> = (0..64).map(|i| i * 7 + 3).collect();
    for name in ["toy", "analytics", "imbalance"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("data/fixtures")
            .join(name);
        check_dir(&dir, &picks);
    }
    check_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo"),
        &picks,
    );
}

proptest! {
    // Each case generates and ingests a dataset of 1-3k lots: a handful of
    // cases keeps the test command quick while still varying the shape.
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn generated_datasets_answer_the_same_from_the_map(
        seed in any::<u64>(),
        lots in 1_000u64..3_000,
        fault in prop::sample::select(vec![
            FaultKind::None, FaultKind::Mixed, FaultKind::SupplierLot, FaultKind::Line,
        ]),
        parquet in any::<bool>(),
        picks in prop::collection::vec(any::<usize>(), 1..24),
    ) {
        let out = tempfile::tempdir().expect("tempdir");
        let cfg = generate::Config {
            lots,
            seed,
            out: out.path().to_path_buf(),
            format: if parquet { DataFormat::Parquet } else { DataFormat::Csv },
            fault,
            faults: 2,
            progress: false,
        };
        generate::generate(&cfg).expect("generate");
        check_dir(out.path(), &picks);
    }
}
