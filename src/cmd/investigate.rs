//! `lotgraph investigate`: given complaint lots (by id, or from returns),
//! rank the upstream sources (lots, suppliers, lines, line windows, sites)
//! that best explain them, on per-SKU complaint baselines, and list the
//! group candidates (suppliers, whole lines, sites) separately on the
//! pooled-rate hypergeometric (see `analytics::investigate` and the
//! README), naming the evidence.

use super::{ReturnCategoryArg, WorkspaceArgs};
use crate::Status;
use crate::report::document::{Bar, Chart, Document};
use crate::report::{Cell, Tabular, columns as col};
use chrono::NaiveDate;
use lotgraph_core::Dataset;
use lotgraph_core::LotIx;
use lotgraph_core::analytics::investigate::{Candidate, Investigation, Source, population};
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
    /// How many candidates (and group candidates) to list.
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
    col::FROM,
    col::TO,
    col::COMPLAINT_LOTS_REACHED,
    col::EXPECTED_COMPLAINT_LOTS,
    col::OTHER_LOTS_REACHED,
    col::SCORE,
    col::P_VALUE,
    col::EVIDENCE,
];

/// The group candidates' columns: no line windows among them.
const GROUP_COLUMNS: &[&str] = &[
    col::ID,
    col::KIND,
    col::COMPLAINT_LOTS_REACHED,
    col::EXPECTED_COMPLAINT_LOTS,
    col::OTHER_LOTS_REACHED,
    col::SCORE,
    col::P_VALUE,
    col::EVIDENCE,
];

/// The title of the group candidates' table.
const GROUPS: &str = "groups: suppliers, whole lines and sites on the pooled complaint rate";

/// Round for people (tables); JSON keeps full precision.
fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// A table of candidates (with the `from`/`to` columns of line windows
/// when `windows`) and their JSON rows.
fn rows(
    ds: &Dataset,
    list: &[Candidate],
    top: usize,
    windows: bool,
) -> (Tabular, Vec<serde_json::Value>) {
    let mut t = Tabular::new(if windows { COLUMNS } else { GROUP_COLUMNS });
    let mut out = Vec::new();
    for c in list.iter().take(top) {
        let evidence: Vec<&str> = c.complaint_lots.iter().map(|l| ds.lot_id(*l)).collect();
        let p = c.ln_p.exp();
        let (from, to) = match c.source {
            Source::LineWindow { from, to, .. } => (Some(from), Some(to)),
            _ => (None, None),
        };
        let mut cells = vec![Cell::text(c.source.id(ds)), Cell::text(c.source.kind())];
        if windows {
            cells.extend([Cell::Date(from), Cell::Date(to)]);
        }
        cells.extend([
            Cell::Int(c.complaint_lots.len() as u64),
            Cell::Num(Some(round2(c.expected))),
            Cell::Int(c.other_lots_reached),
            Cell::Num(Some(round2(c.score))),
            Cell::Prob(p),
            Cell::text(evidence.join(" ")),
        ]);
        t.push(cells);
        let mut row = json!({
            "id": c.source.id(ds),
            "kind": c.source.kind(),
            "complaint_lots_reached": c.complaint_lots.len(),
            "other_lots_reached": c.other_lots_reached,
            "expected_complaint_lots": c.expected,
            "score": c.score,
            "p_value": p,
            "ln_p_value": c.ln_p,
            "evidence": evidence,
        });
        if let (Some(from), Some(to), Some(obj)) = (from, to, row.as_object_mut()) {
            obj.insert("from".into(), json!(from.to_string()));
            obj.insert("to".into(), json!(to.to_string()));
        }
        out.push(row);
    }
    (t, out)
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
    let (t, json_c) = rows(ds, ranked, args.top, true);
    let (tg, json_g) = rows(ds, &inv.groups, args.top, false);
    let ids: Vec<&str> = complaints.iter().map(|l| ds.lot_id(*l)).collect();
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
                    label: name(ds, c),
                    value: c.score,
                    interval: None,
                    highlight: i == 0,
                })
                .collect(),
            reference: None,
        }],
        json: json!({ "complaint_lots": ids, "candidates": json_c, "groups": json_g }).into(),
        tables: vec![("candidates".into(), t), (GROUPS.into(), tg)],
    };
    args.report.emit(&doc)?;
    Ok(Status::Ok)
}
