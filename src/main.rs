//! The `lotgraph` binary: parse the command line, run, map the outcome to an
//! exit code (0 ok, 1 findings under `--strict`, 2 error). A closed pipe
//! (`lotgraph trace ... | head`) is not an error.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = lotgraph::Cli::parse();
    if cli.command.builds_large_tables() {
        lotgraph::prefer_huge_pages();
    }
    // A panic is a bug, or a snapshot changed on disk after its ingest
    // verified it (an index past its table): either way one line on stderr
    // and exit 2, never an abort with a backtrace.
    std::panic::set_hook(Box::new(|info| {
        // A page of the snapshot that fails its checksum stops the command
        // from wherever it was read (pages are checked on first access).
        if let Some(d) = info
            .payload()
            .downcast_ref::<lotgraph::core::pages::Damaged>()
        {
            // Once, though several threads may have read damaged pages.
            static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
            if !SAID.swap(true, std::sync::atomic::Ordering::Relaxed) {
                eprintln!("lotgraph: error: {d}");
            }
            return;
        }
        eprintln!(
            "lotgraph: error: internal error ({info}); if the workspace snapshot \
             was modified after ingest, `lotgraph check --snapshot` names the damaged array"
        );
    }));
    match std::panic::catch_unwind(|| lotgraph::run(cli)) {
        Ok(Ok(status)) => ExitCode::from(status.code()),
        Ok(Err(e)) if lotgraph::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("lotgraph: error: {e:#}");
            ExitCode::from(2)
        }
        Err(_) => ExitCode::from(2),
    }
}
