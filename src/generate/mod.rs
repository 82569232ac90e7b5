//! `lotgraph generate`: a synthetic but realistic supply network in the
//! record format, with planted ground truth for measuring how well
//! `investigate` and the supplier scorecard find what was planted.
//!
//! The company (see `world`) has plants with mixing and filling lines,
//! raw-material warehouses, distribution centres and customers across
//! regions; suppliers have hidden quality levels that drive incoming
//! inspection results. The simulation (see `sim`) runs day by day: premix
//! and base batches are mixed from supplier lots (fan-in), split over
//! several filling batches (fan-out), merged where a batch straddles two
//! lots, reworked when a batch fails its quality check, repacked into
//! multipacks at distribution centres, shipped with in-transit tail, and
//! returned: a little background noise everywhere, and returns clustered on
//! the lots downstream of planted faults (a defective supplier lot, a line
//! running out of specification for some days, a bad supplier). Everything
//! planted is written to `truth.json` (see `truth`).
//!
//! Output is streamed row by row and the simulation keeps only open
//! inventory (a few integers per lot that can still be drawn from), so
//! memory does not grow with the number of lots. The same seed and options
//! give byte-identical files.

mod faults;
mod ids;
mod masters;
mod names;
pub mod rng;
mod rows;
mod sim;
pub mod sink;
mod truth;
pub mod world;

pub use sink::DataFormat;

use anyhow::Context;
use lotgraph_core::model::FileKind;
use std::path::{Path, PathBuf};

/// What to plant.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FaultKind {
    /// Defective supplier lots: every lot made from one is likely to
    /// bring complaints.
    SupplierLot,
    /// A production line out of specification for a few days.
    Line,
    /// A bad supplier: more of its lots fail inspection and some of the
    /// ones that pass are defective.
    Supplier,
    /// Cycle through supplier lot, line and supplier.
    Mixed,
    /// Nothing planted: background returns only.
    None,
}

impl FaultKind {
    /// The kind of the `i`-th planted fault.
    fn nth(self, i: usize) -> Option<Planted> {
        match self {
            FaultKind::SupplierLot => Some(Planted::SupplierLot),
            FaultKind::Line => Some(Planted::Line),
            FaultKind::Supplier => Some(Planted::Supplier),
            FaultKind::Mixed => {
                Some([Planted::SupplierLot, Planted::Line, Planted::Supplier][i % 3])
            }
            FaultKind::None => None,
        }
    }

    /// The kind's command-line spelling.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::SupplierLot => "supplier-lot",
            FaultKind::Line => "line",
            FaultKind::Supplier => "supplier",
            FaultKind::Mixed => "mixed",
            FaultKind::None => "none",
        }
    }
}

/// The kind of one planted fault.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Planted {
    SupplierLot,
    Line,
    Supplier,
}

impl Planted {
    /// As in truth.json and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Planted::SupplierLot => "supplier-lot",
            Planted::Line => "line",
            Planted::Supplier => "supplier",
        }
    }
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct Config {
    /// Total number of lots (exact).
    pub lots: u64,
    pub seed: u64,
    pub out: PathBuf,
    pub format: DataFormat,
    pub fault: FaultKind,
    /// Number of planted faults (ignored for `FaultKind::None`).
    pub faults: usize,
    /// Print progress lines on stderr.
    pub progress: bool,
}

/// The smallest dataset: below this the network has too few batches for
/// returns to mean anything.
pub const MIN_LOTS: u64 = 1_000;

/// Lots at most (lot serial numbers are 32-bit).
pub const MAX_LOTS: u64 = u32::MAX as u64;

/// What was written.
#[derive(Clone, Debug)]
pub struct Summary {
    /// (table name, data rows), in writing order.
    pub files: Vec<(String, u64)>,
    /// Days simulated and the last date.
    pub days: i32,
    pub end: String,
    /// (fault id, kind, source id, planted?) per fault.
    pub faults: Vec<(String, Planted, String, bool)>,
    pub truth: PathBuf,
}

/// Generates the dataset described by `cfg` into `cfg.out`.
pub fn generate(cfg: &Config) -> anyhow::Result<Summary> {
    if cfg.lots < MIN_LOTS || cfg.lots > MAX_LOTS {
        anyhow::bail!(
            "--lots {} is out of range: between {MIN_LOTS} and {MAX_LOTS}",
            cfg.lots
        );
    }
    prepare_dir(&cfg.out, cfg.format)?;
    sim::run(cfg)
}

/// Creates `dir`, refusing when it already holds record files of the other
/// format (ingest would read both and the dataset would be ambiguous).
fn prepare_dir(dir: &Path, format: DataFormat) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let other = match format {
        DataFormat::Csv => DataFormat::Parquet,
        DataFormat::Parquet => DataFormat::Csv,
    };
    for kind in FileKind::ALL {
        let p = dir.join(format!("{}.{}", kind.stem(), other.extension()));
        if p.exists() {
            anyhow::bail!(
                "{} already holds {}: remove it or choose another --out",
                dir.display(),
                p.display()
            );
        }
    }
    Ok(())
}
