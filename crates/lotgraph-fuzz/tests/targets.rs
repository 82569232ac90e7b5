//! The three targets on short runs: the seeds and a few hundred mutants
//! run without a crash, every reproducer kept under `regressions/` runs
//! without a panic, and a panic in the library is seen as a crash (the
//! runner's own tests plant one; here the Parquet guard must keep the
//! decoder's panics from being crashes).

// A test or bench: a failed unwrap is a failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use lotgraph_fuzz::runner::{Config, run};
use std::time::Duration;

fn config(dir: &std::path::Path, runs: u64) -> Config {
    Config {
        seconds: 120.0,
        seed: 42,
        corpus: None,
        crashes: dir.to_path_buf(),
        max_runs: Some(runs),
        run_timeout: Duration::from_mins(1),
        progress: false,
    }
}

#[test]
fn every_target_runs_its_seeds_and_mutants_without_a_crash() {
    for name in ["csv", "parquet", "snapshot"] {
        let mut t = lotgraph_fuzz::target(name).unwrap();
        let seeds = t.seeds().len() as u64;
        assert!(seeds >= 3, "{name}: {seeds} seeds");
        let dir = tempfile::tempdir().unwrap();
        let s = run(t.as_mut(), &config(dir.path(), seeds + 150)).unwrap();
        assert_eq!(s.runs, seeds + 150, "{s}");
        assert_eq!(s.crashes, 0, "{s}");
        assert!(s.signatures > 3, "outcomes must differ: {s}");
    }
}

#[test]
fn regression_inputs_do_not_panic() {
    for name in ["csv", "parquet", "snapshot"] {
        let mut t = lotgraph_fuzz::target(name).unwrap();
        for (i, input) in lotgraph_fuzz::seeds::regressions(name).iter().enumerate() {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| t.exec(input)));
            assert!(r.is_ok(), "{name}: regression input {i} panics");
        }
    }
}

#[test]
fn parquet_regressions_still_reach_a_decoder_panic() {
    let inputs = lotgraph_fuzz::seeds::regressions("parquet");
    assert!(
        !inputs.is_empty(),
        "regressions/parquet/ holds the decoder's panics"
    );
    let mut t = lotgraph_fuzz::target("parquet").unwrap();
    for input in &inputs {
        let before = lotgraph::ingest::caught_decoder_panics();
        let sig = t.exec(input);
        assert!(sig.contains("malformed Parquet file"), "{sig}");
        assert!(
            lotgraph::ingest::caught_decoder_panics() > before,
            "no longer panics inside the decoder: {sig}"
        );
    }
}

/// Snapshot inputs reproduce in another process: the workspace is made
/// byte-identical (fixed dataset id and generation name), so the seeds
/// of one target instance open cleanly in another.
#[test]
fn snapshot_seeds_replay_in_a_fresh_target() {
    let seeds = lotgraph_fuzz::target("snapshot").unwrap().seeds();
    let mut fresh = lotgraph_fuzz::target("snapshot").unwrap();
    for s in seeds.iter().take(3) {
        let sig = fresh.exec(s);
        assert!(!sig.contains("err"), "{sig}");
        assert_eq!(sig.matches(" ok0").count(), 9, "{sig}");
    }
}
