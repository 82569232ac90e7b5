//! `lotgraph investigate`: given complaint lots (by id, or from returns),
//! rank the upstream sources (lots, suppliers, lines, sites) that best
//! explain them, by a hypergeometric tail probability (see
//! `analytics::investigate` and the README), naming the evidence.

use super::{ReturnCategoryArg, WorkspaceArgs};
use crate::Status;
use crate::report::document::{Bar, Chart, Document};
use crate::report::{Cell, Tabular, columns as col};
use chrono::NaiveDate;
use lotgraph_core::LotIx;
use lotgraph_core::analytics::investigate::{investigate, population};
use serde_json::json;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("complaints").required(true).args(["lot", "from_returns"])))]
pub struct Args {
    /// A complaint lot (repeatable).
    #[arg(long)]
    pub lot: Vec<String>,
    /// Use every lot with a matching return as a complaint lot.
    #[arg(long)]
    pub from_returns: bool,
    /// With --from-returns: only returns of this category.
    #[arg(long, value_enum, requires = "from_returns")]
    pub category: Option<ReturnCategoryArg>,
    /// With --from-returns: only lots of this SKU.
    #[arg(long, requires = "from_returns")]
    pub sku: Option<String>,
    /// With --from-returns: only returns reported on or after this date.
    #[arg(long, requires = "from_returns")]
    pub from: Option<NaiveDate>,
    /// With --from-returns: only returns reported on or before this date.
    #[arg(long, requires = "from_returns")]
    pub to: Option<NaiveDate>,
    /// How many candidates to list.
    #[arg(long, default_value_t = 15)]
    pub top: usize,
    #[command(flatten)]
    pub report: super::ReportArgs,
    #[command(flatten)]
    pub ws: WorkspaceArgs,
}

const COLUMNS: &[&str] = &[
    col::ID,
    col::KIND,
    col::COMPLAINT_LOTS_REACHED,
    col::OTHER_LOTS_REACHED,
    col::SCORE,
    col::P_VALUE,
    col::EVIDENCE,
];

pub fn run(args: Args) -> anyhow::Result<Status> {
    let snap = args.ws.load()?;
    let ds = &snap.dataset;
    let mut complaints: Vec<LotIx> = args
        .lot
        .iter()
        .map(|l| super::find_lot(&snap, &args.ws, l))
        .collect::<anyhow::Result<_>>()?;
    if args.from_returns {
        let filter = super::return_filter(
            &snap,
            args.sku.as_deref(),
            args.category,
            args.from,
            args.to,
        )?;
        for (i, r) in ds.returns.iter().enumerate() {
            if filter.admits(ds, i) {
                complaints.push(r.lot);
            }
        }
    }
    complaints.sort_by(|a, b| ds.lot(*a).id.cmp(&ds.lot(*b).id));
    complaints.dedup();
    if complaints.is_empty() {
        anyhow::bail!("no complaint lots: no return matches the filters");
    }
    let ranked = investigate(ds, &snap.genealogy, &complaints, &population(ds));
    let mut t = Tabular::new(COLUMNS);
    let mut json_c = Vec::new();
    for c in ranked.iter().take(args.top) {
        let evidence: Vec<&str> = c
            .complaint_lots
            .iter()
            .map(|l| ds.lot(*l).id.as_str())
            .collect();
        let p = c.ln_p.exp();
        t.push(vec![
            Cell::text(c.source.id(ds)),
            Cell::text(c.source.kind()),
            Cell::Int(c.complaint_lots.len() as u64),
            Cell::Int(c.other_lots_reached),
            Cell::Num(Some((c.score * 100.0).round() / 100.0)),
            Cell::Prob(p),
            Cell::text(evidence.join(" ")),
        ]);
        json_c.push(json!({
            "id": c.source.id(ds),
            "kind": c.source.kind(),
            "complaint_lots_reached": c.complaint_lots.len(),
            "other_lots_reached": c.other_lots_reached,
            "score": c.score,
            "p_value": p,
            "ln_p_value": c.ln_p,
            "evidence": evidence,
        }));
    }
    let ids: Vec<&str> = complaints.iter().map(|l| ds.lot(*l).id.as_str()).collect();
    let mut notes = vec![format!(
        "{} complaint lot(s); {} candidate source(s) reach at least one of them.",
        complaints.len(),
        ranked.len()
    )];
    if let Some(best) = ranked.first() {
        notes.push(format!(
            "Best explanation: {} {} reaches {} of {} complaint lots and {} other shipped lot(s) (p = {:.3e}).",
            best.source.kind(),
            best.source.id(ds),
            best.complaint_lots.len(),
            complaints.len(),
            best.other_lots_reached,
            best.ln_p.exp()
        ));
    }
    let doc = Document {
        title: "Common-source investigation".into(),
        notes,
        charts: vec![Chart::Bars {
            title: "Candidate sources by evidence (−log10 p)".into(),
            unit: "score".into(),
            percent: false,
            bars: ranked
                .iter()
                .take(args.top)
                .enumerate()
                .map(|(i, c)| Bar {
                    label: format!("{} {}", c.source.kind(), c.source.id(ds)),
                    value: c.score,
                    interval: None,
                    highlight: i == 0,
                })
                .collect(),
            reference: None,
        }],
        json: json!({ "complaint_lots": ids, "candidates": json_c }),
        tables: vec![("candidates".into(), t)],
    };
    args.report.emit(&doc)?;
    Ok(Status::Ok)
}
