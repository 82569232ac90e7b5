//! Helpers shared by the benchmarks (each bench target includes this with
//! `mod common;`): count arguments, and the one synthetic genealogy of a
//! controlled shape (`layered`) that the scale and Neo4j benchmarks
//! measure. Data with planted faults comes from `lotgraph::generate`.

// Each bench uses a different subset of these.
#![allow(dead_code)]

pub(crate) mod layered;

/// A count argument as `lotgraph generate --lots` reads it (`_`, `k`, `M`).
pub(crate) fn parse_count(s: &str) -> u64 {
    lotgraph::cmd::generate::parse_count(s).unwrap_or_else(|e| panic!("{e}"))
}
