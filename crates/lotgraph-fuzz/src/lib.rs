//! lotgraph's fuzzing harness as a library: byte mutators (`mutate`), seed
//! corpora (`seeds`), the three targets that run an input through
//! lotgraph in process (`targets`: CSV ingest, Parquet ingest, damaged
//! snapshot files under the query commands) and the loop that counts and
//! keeps crashes (`runner`). The `lotgraph-fuzz` binary is its command
//! line; `lotgraph-fuzz-afl` (feature `afl`) feeds the same targets from
//! AFL++ for coverage-guided runs. See README.md.

pub mod mutate;
pub mod runner;
pub mod seeds;
pub mod targets;

use targets::{IngestTarget, SnapshotTarget, Target};

/// The target called `name` (`csv`, `parquet` or `snapshot`).
pub fn target(name: &str) -> anyhow::Result<Box<dyn Target>> {
    Ok(match name {
        "csv" => Box::new(IngestTarget::new(false)?),
        "parquet" => Box::new(IngestTarget::new(true)?),
        "snapshot" => Box::new(SnapshotTarget::new()?),
        other => anyhow::bail!("unknown target {other:?}: csv, parquet or snapshot"),
    })
}
