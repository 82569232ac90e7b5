//! `lotgraph trace back|forward LOT`: the upstream or downstream closure of
//! a lot with depths and quantity shares.

use super::WorkspaceArgs;
use crate::Status;
use crate::report::trace::{FORMATS, TraceReport};
use crate::report::{Format, open_output};
use lotgraph_core::analytics::locate::{self, locate_with};
use lotgraph_core::{Direction, Tracer};

/// The direction as typed on the command line.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Way {
    /// Upstream: everything the lot was made from, down to suppliers.
    Back,
    /// Downstream: everything made from the lot, out to customers.
    Forward,
}

impl From<Way> for Direction {
    fn from(w: Way) -> Direction {
        match w {
            Way::Back => Direction::Upstream,
            Way::Forward => Direction::Downstream,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// `back` (upstream) or `forward` (downstream).
    #[arg(value_enum)]
    pub way: Way,
    /// The lot id to trace.
    pub lot: String,
    /// List lots at most this many consumption steps away (shares are
    /// always computed over the whole genealogy).
    #[arg(long)]
    pub max_depth: Option<u32>,
    /// Forward traces: also say where every unit of the lot is now (on
    /// hand per site, in transit, delivered per customer, inside which
    /// lots), with the part the records cannot place.
    #[arg(long)]
    pub locate: bool,
    #[command(flatten)]
    pub report: super::ReportArgs,
    #[command(flatten)]
    pub ws: WorkspaceArgs,
}

pub fn run(args: Args) -> anyhow::Result<Status> {
    let format = args.report.format_of("trace", Format::Tree, FORMATS)?;
    let snap = args.ws.load()?;
    let root = super::find_lot(&snap, &args.ws, &args.lot)?;
    let mut tracer = Tracer::new(&snap.genealogy);
    let trace = tracer.trace(&snap.dataset, root, args.way.into(), args.max_depth);
    let located = match (args.way, args.locate) {
        (Way::Back, true) => anyhow::bail!("--locate goes with `trace forward`"),
        // The located split is a second table: CSV, Parquet, DOT and
        // Mermaid have one shape each and no place for it, so asking is an
        // error rather than a silent omission.
        (Way::Forward, true)
            if matches!(
                format,
                Format::Csv | Format::Parquet | Format::Dot | Format::Mermaid
            ) =>
        {
            anyhow::bail!("--locate is shown by --format tree, table, json, markdown or html")
        }
        (Way::Forward, true) => Some(locate_with(
            &mut tracer,
            &snap.dataset,
            &snap.balance,
            &[root],
        )),
        (_, false) => None,
    };
    // Forward rows carry the traced quantity; without --locate only that
    // is computed, not the places (a scan of every closure lot's shipments).
    let traced = match (args.way, &located) {
        (Way::Forward, None) => Some(locate::traced(&mut tracer, &snap.dataset, &[root])),
        _ => None,
    };
    let traced = traced
        .as_deref()
        .or(located.as_ref().map(|l| l.traced.as_slice()));
    let report = TraceReport::new(
        &snap.dataset,
        &snap.genealogy,
        &trace,
        args.max_depth,
        traced,
        located.as_ref(),
    );
    let mut out = open_output(&args.report.output)?;
    report.write(format, &mut out)?;
    out.finish()?;
    Ok(Status::Ok)
}
