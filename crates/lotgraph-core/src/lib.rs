//! lotgraph-core: the dependency-light heart of lotgraph. It reads a dataset
//! in the record format (`ingest`), holds it as interned records (`model`),
//! builds the lot genealogy as CSR arrays (`graph`) and answers questions
//! about it (`analytics`). Data flows one way: ingest → model → graph →
//! analytics; no module reaches back up.
//!
//! Formats that need heavy dependencies (Parquet, Arrow snapshots), reports
//! and the Neo4j mirror live in the `lotgraph` crate on top of this one.

pub mod analytics;
pub mod columns;
pub mod graph;
pub mod ingest;
pub mod lotcode;
pub mod model;
pub mod pages;
pub mod store;
pub mod tables;
pub mod units;

pub use graph::{Direction, Genealogy, GraphError, Trace, TraceLot, Tracer};
pub use model::{Dataset, LotIx};
