//! `lotgraph suppliers`: the supplier quality scorecard: lots supplied,
//! inspection fail rate, return rate attributed back through the genealogy,
//! recalls involving their lots, and a 0-100 score with empirical-Bayes
//! shrinkage (formula in the README and `analytics::suppliers`).

use super::WorkspaceArgs;
use crate::Status;
use crate::report::document::{Bar, Chart, DocJson, Document};
use crate::report::{Cell, Tabular, columns as col};
use chrono::NaiveDate;
use lotgraph_core::analytics::returns::ReturnFilter;
use lotgraph_core::analytics::suppliers::{ScoreInputs, SupplierScore, Window, scorecard, trend};
use lotgraph_core::model::Dataset;
use serde_json::json;

/// Period of a trend table.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Period {
    /// Calendar quarters of the supply (received) date.
    Quarter,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Count supplier lots received on or after this date.
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Count supplier lots received on or before this date.
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// One scorecard per period instead of one overall.
    #[arg(long, value_enum)]
    pub trend: Option<Period>,
    #[command(flatten)]
    pub report: super::ReportArgs,
    #[command(flatten)]
    pub ws: WorkspaceArgs,
}

const COLUMNS: &[&str] = &[
    col::SUPPLIER_ID,
    col::SCORE,
    col::LOTS,
    col::INSPECTION_FAIL_RATE,
    col::ATTRIBUTED_RETURN_RATE,
    col::NAME,
    col::INSPECTIONS,
    col::RECALLS,
    col::ATTRIBUTED_RETURNED,
    col::ATTRIBUTED_SHIPPED,
];

fn row(ds: &Dataset, s: &SupplierScore) -> Vec<Cell> {
    let sup = &ds.suppliers[s.supplier.ix()];
    vec![
        Cell::text(&sup.id),
        Cell::Num(Some(s.score)),
        Cell::Int(s.lots),
        Cell::Num(s.inspection_fail_rate),
        Cell::Num(s.attributed_return_rate),
        Cell::opt(sup.name.as_deref()),
        Cell::Int(s.inspections),
        Cell::Int(s.recalls),
        Cell::Num(Some(s.attributed_returned)),
        Cell::Num(Some(s.attributed_shipped)),
    ]
}

pub fn run(args: Args) -> anyhow::Result<Status> {
    let snap = args.ws.load()?;
    let ds = &snap.dataset;
    let inputs = ScoreInputs::compute(ds, &snap.genealogy, &ReturnFilter::default())?;
    let window = Window {
        from: args.from,
        to: args.to,
    };
    let doc = match args.trend {
        None => {
            let rows = scorecard(ds, &snap.genealogy, &inputs, window);
            let mut t = Tabular::new(COLUMNS);
            for s in &rows {
                t.push(row(ds, s));
            }
            let worst = rows.first().map(|s| s.supplier);
            Document {
                title: "Supplier quality scorecard".into(),
                notes: vec![format!(
                    "{} supplier(s), worst first. Score 0-100 (higher is better): shrunk attributed return rate (70%) and inspection fail rate (30%), 0.9x per recall.",
                    rows.len()
                )],
                charts: vec![Chart::Bars {
                    title: "Supplier score (0-100, higher is better)".into(),
                    unit: "score".into(),
                    percent: false,
                    bars: rows
                        .iter()
                        .map(|s| Bar {
                            label: ds.suppliers[s.supplier.ix()].id.clone(),
                            value: s.score,
                            interval: None,
                            highlight: Some(s.supplier) == worst || s.score < 40.0,
                        })
                        .collect(),
                    reference: Some(("average".into(), 50.0)),
                }],
                json: DocJson::MainTable("suppliers"),
                tables: vec![("suppliers".into(), t)],
            }
        }
        Some(Period::Quarter) => {
            let quarters = trend(ds, &snap.genealogy, &inputs, window);
            let mut cols = vec![col::QUARTER];
            cols.extend_from_slice(COLUMNS);
            let mut t = Tabular::new(&cols);
            let mut json_q = Vec::new();
            for (q, rows) in &quarters {
                let mut qt = Tabular::new(COLUMNS);
                for s in rows {
                    let mut r = vec![Cell::text(q)];
                    r.extend(row(ds, s));
                    t.push(r);
                    qt.push(row(ds, s));
                }
                json_q.push(json!({ "quarter": q, "suppliers": qt.json_rows() }));
            }
            let undated = ds
                .lots
                .iter()
                .filter(|l| {
                    l.origin == lotgraph_core::model::Origin::Supplied
                        && l.supplier.is_some()
                        && l.received_on.or(l.produced_on).is_none()
                })
                .count();
            let mut notes = vec![format!(
                "{} quarter(s) of supply; each quarter scores the lots received in it.",
                quarters.len()
            )];
            if undated > 0 {
                notes.push(format!(
                    "{undated} supplier lot(s) without a receipt or production date are in no quarter."
                ));
            }
            Document {
                title: "Supplier quality scorecard per quarter".into(),
                notes,
                charts: Vec::new(),
                json: json!({ "quarters": json_q }).into(),
                tables: vec![("quarters".into(), t)],
            }
        }
    };
    args.report.emit(&doc)?;
    Ok(Status::Ok)
}
