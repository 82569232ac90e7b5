//! The `lotgraph` binary: parse the command line, run, map the outcome to an
//! exit code (0 ok, 1 findings under `--strict`, 2 error). A closed pipe
//! (`lotgraph trace ... | head`) is not an error.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    lotgraph::prefer_huge_pages();
    let cli = lotgraph::Cli::parse();
    match lotgraph::run(cli) {
        Ok(status) => ExitCode::from(status.code()),
        Err(e) if lotgraph::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lotgraph: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
