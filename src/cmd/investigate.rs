//! `lotgraph investigate`: given complaint lots (by id, or from returns),
//! rank the upstream sources (lots, suppliers, lines, line windows, sites)
//! that best explain them, on per-SKU complaint baselines, and list the
//! group candidates (suppliers, whole lines, sites) separately on the
//! pooled-rate hypergeometric (see `analytics::investigate` and the
//! README), naming the evidence.

use super::{ReturnCategoryArg, WorkspaceArgs};
use crate::Status;
use crate::report::Document;
use crate::report::document::{Bar, Chart, Json};
use crate::report::row::{Num, Prob};
use chrono::NaiveDate;
use lotgraph_core::Dataset;
use lotgraph_core::LotIx;
use lotgraph_core::analytics::investigate::{Candidate, Investigation, Source, population};
use schemars::JsonSchema;
use serde::Serialize;

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
    /// How many candidates (and group candidates) to list.
    #[arg(long, default_value_t = 15)]
    pub top: usize,
    #[command(flatten)]
    pub report: super::ReportArgs,
    #[command(flatten)]
    pub ws: WorkspaceArgs,
}

/// A candidate source (`investigate --format json`), full precision.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CandidateRow {
    /// The source's id (lot, supplier, line, site).
    pub id: String,
    /// `lot`, `supplier`, `line`, `line-window` or `site`.
    pub kind: String,
    pub complaint_lots_reached: u64,
    /// Shipped population lots reached that are not complaint lots.
    pub other_lots_reached: u64,
    /// Complaint lots expected among those reached, from their SKUs'
    /// baselines.
    pub expected_complaint_lots: f64,
    /// −log10 p.
    pub score: f64,
    pub p_value: f64,
    /// ln p (keeps the magnitude of p values below f64's range).
    pub ln_p_value: f64,
    /// The complaint lots reached.
    pub evidence: Vec<String>,
    /// Line windows: the first production day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Line windows: the last production day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
}

/// `investigate --format json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct InvestigateJson {
    pub complaint_lots: Vec<String>,
    /// Ranked on per-SKU baselines, best first.
    pub candidates: Vec<CandidateRow>,
    /// Suppliers, whole lines and sites on the pooled complaint rate.
    pub groups: Vec<CandidateRow>,
}

/// A candidate as people read it (table, CSV, Markdown, HTML): rounded
/// figures, the evidence as one space-separated cell, and the window's
/// days beside its kind. Built from the [`CandidateRow`] it shows.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CandidateView {
    pub id: String,
    pub kind: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub complaint_lots_reached: u64,
    pub expected_complaint_lots: Num,
    pub other_lots_reached: u64,
    pub score: Num,
    pub p_value: Prob,
    pub evidence: String,
}

impl From<&CandidateRow> for CandidateView {
    fn from(c: &CandidateRow) -> Self {
        CandidateView {
            id: c.id.clone(),
            kind: c.kind.clone(),
            from: c.from,
            to: c.to,
            complaint_lots_reached: c.complaint_lots_reached,
            expected_complaint_lots: Num(round2(c.expected_complaint_lots)),
            other_lots_reached: c.other_lots_reached,
            score: Num(round2(c.score)),
            p_value: Prob(c.p_value),
            evidence: c.evidence.join(" "),
        }
    }
}

/// The title of the group candidates' table.
const GROUPS: &str = "groups: suppliers, whole lines and sites on the pooled complaint rate";

/// Round for people (tables); JSON keeps full precision.
fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The rows of the first `top` candidates.
fn rows(ds: &Dataset, list: &[Candidate], top: usize) -> Vec<CandidateRow> {
    list.iter()
        .take(top)
        .map(|c| {
            let (from, to) = match c.source {
                Source::LineWindow { from, to, .. } => (Some(from), Some(to)),
                _ => (None, None),
            };
            CandidateRow {
                id: c.source.id(ds).to_string(),
                kind: c.source.kind().to_string(),
                complaint_lots_reached: c.complaint_lots.len() as u64,
                other_lots_reached: c.other_lots_reached,
                expected_complaint_lots: c.expected,
                score: c.score,
                p_value: c.ln_p.exp(),
                ln_p_value: c.ln_p,
                evidence: c
                    .complaint_lots
                    .iter()
                    .map(|l| ds.lot_id(*l).to_string())
                    .collect(),
                from,
                to,
            }
        })
        .collect()
}

/// "line-window PL-1 2024-01-02..2024-01-05" or "lot L-1".
fn name(ds: &Dataset, c: &Candidate) -> String {
    match c.source {
        Source::LineWindow { from, to, .. } => {
            format!("{} {} {from}..{to}", c.source.kind(), c.source.id(ds))
        }
        _ => format!("{} {}", c.source.kind(), c.source.id(ds)),
    }
}

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
    complaints.sort_by(|a, b| ds.lot_id(*a).cmp(ds.lot_id(*b)));
    complaints.dedup();
    if complaints.is_empty() {
        anyhow::bail!("no complaint lots: no return matches the filters");
    }
    let inv = Investigation::run(ds, &snap.genealogy, &complaints, &population(ds));
    let ranked = &inv.candidates;
    let candidates = rows(ds, ranked, args.top);
    let groups = rows(ds, &inv.groups, args.top);
    let ids: Vec<String> = complaints
        .iter()
        .map(|l| ds.lot_id(*l).to_string())
        .collect();
    let mut notes = vec![format!(
        "{} complaint lot(s); {} candidate source(s) reach at least one of them.",
        complaints.len(),
        ranked.len()
    )];
    if let Some(best) = ranked.first() {
        notes.push(format!(
            "Best explanation: {} reaches {} of {} complaint lots ({:.2} expected from its SKUs) and {} other shipped lot(s) (p = {:.3e}).",
            name(ds, best),
            best.complaint_lots.len(),
            complaints.len(),
            best.expected,
            best.other_lots_reached,
            best.ln_p.exp()
        ));
    }
    if inv.outbreak_lots > 0 {
        notes.push(format!(
            "Baselines: per-SKU complaint rates without the {} population lot(s) reached by the {} lot(s) significant on their own.",
            inv.excluded_lots, inv.outbreak_lots
        ));
    }
    if let Some(g) = inv.groups.first() {
        notes.push(format!(
            "Strongest group on the pooled rate: {} reaches {} complaint lots and {} other shipped lot(s) (p = {:.3e}).",
            name(ds, g),
            g.complaint_lots.len(),
            g.other_lots_reached,
            g.ln_p.exp()
        ));
    }
    let mut doc = Document {
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
                    label: name(ds, c),
                    value: c.score,
                    interval: None,
                    highlight: i == 0,
                })
                .collect(),
            reference: None,
        }],
        ..Document::default()
    };
    let views: Vec<CandidateView> = candidates.iter().map(CandidateView::from).collect();
    doc.push_table("candidates", &views)?;
    // Group candidates are never line windows: no from/to columns.
    let views: Vec<CandidateView> = groups.iter().map(CandidateView::from).collect();
    doc.push_table(GROUPS, &views)?;
    if let Some((_, t)) = doc.tables.last_mut() {
        t.remove_column("from");
        t.remove_column("to");
    }
    doc.json = Json::of(InvestigateJson {
        complaint_lots: ids,
        candidates,
        groups,
    });
    args.report.emit("investigate", &doc)?;
    Ok(Status::Ok)
}
