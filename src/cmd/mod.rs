//! One module per subcommand, each with a clap `Args` and `run(args)`.
//! Options shared by several commands live here.

pub mod check;
pub mod demo;
pub mod ingest;
pub mod lot;
pub mod stats;
pub mod trace;

use crate::snapshot::{self, Snapshot};
use anyhow::Context;
use std::path::PathBuf;

/// Where the snapshot lives.
#[derive(Debug, Clone, clap::Args)]
pub struct WorkspaceArgs {
    /// Workspace directory holding the snapshot.
    #[arg(
        long,
        short = 'w',
        env = "LOTGRAPH_WORKSPACE",
        default_value = ".lotgraph"
    )]
    pub workspace: PathBuf,
}

impl WorkspaceArgs {
    /// Loads the live snapshot.
    pub fn load(&self) -> anyhow::Result<Snapshot> {
        snapshot::load(&self.workspace).context("cannot load the snapshot")
    }
}

/// Formats of commands that print a report rather than a table.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Aligned text for people.
    Table,
    /// JSON for programs.
    Json,
}

/// Looks a lot up by id, with an error that names it and the workspace.
pub fn find_lot(
    snap: &Snapshot,
    ws: &WorkspaceArgs,
    id: &str,
) -> anyhow::Result<lotgraph_core::LotIx> {
    snap.dataset.lot_ix(id).ok_or_else(|| {
        anyhow::anyhow!(
            "lot {id:?} is not in the snapshot of {} ({} lots)",
            ws.workspace.display(),
            snap.dataset.lot_count()
        )
    })
}
