//! lotgraph: batch/lot genealogy analytics. This crate holds the command
//! line (one module per subcommand under `cmd`), the Parquet reader, the
//! memory-mapped snapshot and the reports; the engine itself (records, validation,
//! genealogy, traversals) is the `lotgraph-core` crate, re-exported as
//! `core` so tests and benches use one name.

pub mod cmd;
pub mod generate;
pub mod ingest;
#[cfg(feature = "neo4j")]
pub mod mirror;
pub mod report;
pub mod snapshot;

pub use lotgraph_core as core;

use clap::{Parser, Subcommand};

/// Batch/lot genealogy analytics: trace lots back to suppliers and forward
/// to customers, check mass balance, and more.
#[derive(Debug, Parser)]
#[command(name = "lotgraph", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load a dataset directory into the workspace snapshot.
    Ingest(cmd::ingest::Args),
    /// Trace a lot back to its sources or forward to its uses.
    Trace(cmd::trace::Args),
    /// Everything about one lot.
    Lot(cmd::lot::Args),
    /// Counts, genealogy depth, largest lots by fan-out.
    Stats(cmd::stats::Args),
    /// Integrity and mass-balance report.
    Check(cmd::check::Args),
    /// Return rates per lot (or per SKU, site, line, supplier) with flags.
    Returns(cmd::returns::Args),
    /// Supplier quality scorecard.
    Suppliers(cmd::suppliers::Args),
    /// What-if recall simulation.
    Recall(cmd::recall::Args),
    /// Rank the upstream sources that best explain complaint lots.
    Investigate(cmd::investigate::Args),
    /// Lot codes: read a code with its scheme, or a scanned GS1 code.
    Lotcode(cmd::lotcode::Args),
    /// Ingest the bundled demo dataset and walk through an investigation.
    Demo(cmd::demo::Args),
    /// Write a synthetic supply network with planted faults and truth.json.
    Generate(cmd::generate::Args),
    /// Mirror the snapshot to Neo4j, verify the mirror, query it in Cypher.
    Neo4j(cmd::neo4j::Args),
}

impl Command {
    /// Does this command build tables of the whole dataset in memory (and
    /// so gain from huge pages, see [`prefer_huge_pages`])? Query commands
    /// read the mapped snapshot and touch a few pages: for them the
    /// restart is pure cost (an exec, and 2 MiB zeroed per first touch of
    /// their lazily allocated scratch arrays).
    pub fn builds_large_tables(&self) -> bool {
        matches!(self, Command::Ingest(_) | Command::Generate(_))
    }
}

/// How a command ended when it did not fail.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Nothing to report beyond the output.
    Ok,
    /// Findings that `--strict` turns into exit code 1.
    Findings,
}

impl Status {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::Findings => 1,
        }
    }
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<Status> {
    match cli.command {
        Command::Ingest(a) => cmd::ingest::run(a),
        Command::Trace(a) => cmd::trace::run(a),
        Command::Lot(a) => cmd::lot::run(a),
        Command::Stats(a) => cmd::stats::run(a),
        Command::Check(a) => cmd::check::run(a),
        Command::Returns(a) => cmd::returns::run(a),
        Command::Suppliers(a) => cmd::suppliers::run(a),
        Command::Recall(a) => cmd::recall::run(a),
        Command::Investigate(a) => cmd::investigate::run(a),
        Command::Lotcode(a) => cmd::lotcode::run(a),
        Command::Demo(a) => cmd::demo::run(a),
        Command::Generate(a) => cmd::generate::run(a),
        Command::Neo4j(a) => cmd::neo4j::run(a),
    }
}

/// The status of a command whose result was `written`: a closed pipe
/// (`lotgraph check --strict | head -1`) keeps the findings' status
/// instead of turning it into success; any other write error is an error.
pub fn after_writing(status: Status, written: anyhow::Result<()>) -> anyhow::Result<Status> {
    match written {
        Ok(()) => Ok(status),
        Err(e) if is_broken_pipe(&e) => Ok(status),
        Err(e) => Err(e),
    }
}

/// Did this error come from writing to a closed pipe?
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<csv::Error>().is_some_and(|ce| {
                matches!(ce.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
            })
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|je| je.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}

/// The glibc setting that maps large allocations with transparent huge pages.
pub const HUGE_PAGES_TUNABLE: &str = "glibc.malloc.hugetlb=1";

/// Restarts the process once with [`HUGE_PAGES_TUNABLE`] in
/// `GLIBC_TUNABLES` (Linux only, and only when `GLIBC_TUNABLES` is not set
/// already or `LOTGRAPH_NO_HUGEPAGES` is set).
///
/// Why: at 10M lots the ingest's id maps and tables take ~10 GB, and its
/// hash lookups then miss the TLB on nearly every access with 4 KiB pages.
/// With the kernel's transparent huge pages in `madvise` mode (Debian's
/// default), glibc uses them only when this tunable is set before the
/// process starts. Measured: 10M generated lots ingest in 142 s instead of
/// 174 s. If the restart fails, the process simply goes on without.
pub fn prefer_huge_pages() {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        if std::env::var_os("GLIBC_TUNABLES").is_some()
            || std::env::var_os("LOTGRAPH_NO_HUGEPAGES").is_some()
        {
            return;
        }
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        let mut args = std::env::args_os();
        let argv0 = args.next().unwrap_or_else(|| exe.clone().into_os_string());
        // `exec` returns only when it failed; then carry on as we are.
        let _failed = std::process::Command::new(&exe)
            .arg0(argv0)
            .args(args)
            .env("GLIBC_TUNABLES", HUGE_PAGES_TUNABLE)
            .exec();
    }
}

#[cfg(test)]
mod tests {
    /// clap's own checks of the command line (conflicting names, defaults
    /// that fail their parser, ...), which it runs only in debug builds
    /// when a command is parsed: here for every command at once.
    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
