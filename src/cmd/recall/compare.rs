//! `recall compare`'s typed result: one row per named scenario, with the
//! lots that only it catches.

use super::simulate::UnitTotals;
use crate::report::row::{Keyed, Num};
use schemars::JsonSchema;
use serde::Serialize;

/// One scenario as a table row.
#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct ScenarioRow {
    pub scenario: String,
    /// Seed lots selected.
    pub seeds: u64,
    /// Lots affected.
    pub lots: u64,
    pub customers: u64,
    /// Units per unit of measure, e.g. `120 kg, 40 ea`.
    pub units: String,
    /// Value at cost, rounded to cents.
    pub value: Num,
    /// Lots no other scenario catches.
    pub only_here: u64,
}

/// One scenario (`recall compare --format json`).
#[derive(Debug, Serialize, JsonSchema)]
pub struct ScenarioJson {
    pub name: String,
    pub seeds: Vec<String>,
    pub lots: u64,
    pub customers: u64,
    pub value: f64,
    pub by_uom: Keyed<UnitTotals>,
    /// The lots no other scenario catches, sorted.
    pub only_here: Vec<String>,
    pub elapsed_ms: f64,
}

/// `recall compare --format json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CompareJson {
    pub scenarios: Vec<ScenarioJson>,
}
