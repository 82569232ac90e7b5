//! `lotgraph suppliers`: the supplier quality scorecard: lots supplied,
//! inspection fail rate, return rate attributed back through the genealogy,
//! recalls involving their lots, and a 0-100 score with empirical-Bayes
//! shrinkage (formula in the README and `analytics::suppliers`).

use super::WorkspaceArgs;
use crate::Status;
use crate::report::Document;
use crate::report::document::{Bar, Chart, Json};
use crate::report::row::Num;
use chrono::NaiveDate;
use lotgraph_core::analytics::returns::ReturnFilter;
use lotgraph_core::analytics::suppliers::{ScoreInputs, SupplierScore, Window, scorecard, trend};
use lotgraph_core::model::Dataset;
use schemars::JsonSchema;
use serde::Serialize;

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

/// One supplier's scorecard row.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SupplierRow {
    pub supplier_id: String,
    /// 0-100, higher is better.
    pub score: Num,
    /// Lots supplied (in the window).
    pub lots: u64,
    pub inspection_fail_rate: Option<Num>,
    /// Returned / shipped, attributed through the genealogy.
    pub attributed_return_rate: Option<Num>,
    pub name: Option<String>,
    pub inspections: u64,
    /// Recalls involving the supplier's lots.
    pub recalls: u64,
    pub attributed_returned: Num,
    pub attributed_shipped: Num,
}

/// A scorecard row with its quarter (`--trend quarter`'s table).
#[derive(Debug, Serialize, JsonSchema)]
pub struct QuarterSupplierRow {
    /// `YYYY-Qn` of the supply date.
    pub quarter: String,
    #[serde(flatten)]
    pub row: SupplierRow,
}

/// One quarter's scorecard (`--trend quarter` JSON).
#[derive(Debug, Serialize, JsonSchema)]
pub struct Quarter {
    pub quarter: String,
    pub suppliers: Vec<SupplierRow>,
}

/// The JSON of `suppliers`: one scorecard, or one per quarter.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum SuppliersJson {
    Scorecard { suppliers: Vec<SupplierRow> },
    Trend { quarters: Vec<Quarter> },
}

fn row(ds: &Dataset, s: &SupplierScore) -> SupplierRow {
    let sup = &ds.suppliers[s.supplier.ix()];
    SupplierRow {
        supplier_id: sup.id.clone(),
        score: Num(s.score),
        lots: s.lots,
        inspection_fail_rate: s.inspection_fail_rate.map(Num),
        attributed_return_rate: s.attributed_return_rate.map(Num),
        name: sup.name.clone(),
        inspections: s.inspections,
        recalls: s.recalls,
        attributed_returned: Num(s.attributed_returned),
        attributed_shipped: Num(s.attributed_shipped),
    }
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
            let table: Vec<SupplierRow> = rows.iter().map(|s| row(ds, s)).collect();
            let worst = rows.first().map(|s| s.supplier);
            let mut doc = Document {
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
                ..Document::default()
            };
            doc.push_table("suppliers", &table)?;
            doc.json = Json::of(SuppliersJson::Scorecard { suppliers: table });
            doc
        }
        Some(Period::Quarter) => {
            let quarters = trend(ds, &snap.genealogy, &inputs, window);
            let mut table = Vec::new();
            let mut json_q = Vec::new();
            for (q, rows) in &quarters {
                let suppliers: Vec<SupplierRow> = rows.iter().map(|s| row(ds, s)).collect();
                table.extend(suppliers.iter().map(|r| QuarterSupplierRow {
                    quarter: q.clone(),
                    row: r.clone(),
                }));
                json_q.push(Quarter {
                    quarter: q.clone(),
                    suppliers,
                });
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
            let mut doc = Document {
                title: "Supplier quality scorecard per quarter".into(),
                notes,
                ..Document::default()
            };
            doc.push_table("quarters", &table)?;
            doc.json = Json::of(SuppliersJson::Trend { quarters: json_q });
            doc
        }
    };
    args.report.emit("suppliers", &doc)?;
    Ok(Status::Ok)
}
