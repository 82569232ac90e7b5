//! `lotgraph neo4j` in a build without the `neo4j` cargo feature: it takes
//! any arguments and fails with how to build a binary that has the mirror.

use crate::Status;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Whatever the full command would take (ignored here).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub rest: Vec<String>,
}

/// Always an error (exit 2) that says how to get the command.
pub fn run(_args: Args) -> anyhow::Result<Status> {
    anyhow::bail!(
        "this lotgraph was built without the `neo4j` feature, so it has no Neo4j mirror; \
         rebuild with the default features (`cargo install --path . --features neo4j`, \
         or `cargo build --release` without --no-default-features)"
    )
}
