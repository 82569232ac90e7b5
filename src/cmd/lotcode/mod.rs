//! `lotgraph lotcode`: batch numbers under a scheme (docs/lot-codes.md).
//! `parse` reads one code (a lot id, a GS1 element string or a Digital
//! Link) into its fields and resolves it to a lot of the workspace;
//! `check` audits every lot id (and supplier lot code) against its SKU's
//! scheme; `next` gives a day's next free code; `gs1` writes a lot's
//! element string and Digital Link.

mod check;
mod gs1;
mod next;
mod parse;
mod resolve;

use crate::Status;
use lotgraph_core::lotcode::rules::Rules;
use lotgraph_core::lotcode::scheme::Scheme;
use lotgraph_core::model::Dataset;

pub use check::{CheckArgs, CheckJson, CheckRow, SchemeJson};
pub use gs1::{Gs1Args, Gs1LotJson, digital_link_of};
pub use next::{NextArgs, NextJson};
pub use parse::{ParseArgs, ParseJson};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

/// Lot-code actions.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Read a lot code (or a GS1 element string / Digital Link) into its
    /// fields and date, and find its lot in the workspace.
    Parse(ParseArgs),
    /// Check every lot id (and supplier lot code) against its scheme.
    Check(CheckArgs),
    /// The next free code of a day for a SKU.
    Next(NextArgs),
    /// A lot's GS1 element string and Digital Link URI.
    Gs1(Gs1Args),
}

pub fn run(args: Args) -> anyhow::Result<Status> {
    match args.action {
        Action::Parse(a) => parse::run(a),
        Action::Check(a) => check::run(a),
        Action::Next(a) => next::run(a),
        Action::Gs1(a) => gs1::run(a),
    }
}

/// The schemes a command uses: `--scheme` for the lot ids of SKUs matching
/// `sku_pattern`, else the dataset's `lot_schemes.csv`.
///
/// # Errors
/// A template that does not parse, or neither a template nor a declared
/// scheme.
fn rules_of(ds: &Dataset, scheme: Option<&str>, sku_pattern: &str) -> anyhow::Result<Rules> {
    if let Some(t) = scheme {
        return Ok(Rules::single(Scheme::parse(t)?, sku_pattern));
    }
    let rules = Rules::of_dataset(ds)?;
    if rules.is_empty() {
        anyhow::bail!(
            "the dataset declares no lot schemes (lot_schemes.csv): give --scheme TEMPLATE"
        );
    }
    Ok(rules)
}
