//! `lotgraph lotcode check [--scheme T] [--sku PATTERN] [--strict]`: every
//! lot id of the workspace against its SKU's scheme (the dataset's
//! `lot_schemes.csv`, or one template for the SKUs matching PATTERN), and
//! each supplier lot code against its supplier's scheme
//! (`lotcode::audit`).

use super::rules_of;
use crate::Status;
use crate::report::document::Json;
use crate::report::row::Keyed;
use crate::report::{Document, Format};
use chrono::NaiveDate;
use lotgraph_core::lotcode::audit::{self, Finding};
use lotgraph_core::lotcode::rules::{Rules, matches_pattern};
use lotgraph_core::model::Dataset;
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// A lot-code template for the lots' ids (default: the dataset's
    /// `lot_schemes.csv`).
    #[arg(long)]
    pub scheme: Option<String>,
    /// Only lots whose SKU matches this pattern (`*` matches any text;
    /// default every lot).
    #[arg(long, default_value = "*")]
    pub sku: String,
    /// The date one-digit years are read against for lots without dates
    /// (default: today).
    #[arg(long)]
    pub on: Option<NaiveDate>,
    /// Exit 1 when anything is found.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub report: crate::cmd::ReportArgs,
    #[command(flatten)]
    pub ws: crate::cmd::WorkspaceArgs,
}

/// One finding of `lotcode check`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CheckRow {
    /// `does_not_fit`, `ambiguous`, `date_mismatch`, `field_mismatch`,
    /// `duplicate_sequence`, `collides` or `not_gs1`.
    pub finding: String,
    pub lot_id: String,
    pub sku: String,
    /// The code checked: `lot_id` or `supplier_lot_code`.
    pub column: String,
    /// Its text.
    pub code: String,
    pub detail: String,
}

/// A scheme the check used.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SchemeJson {
    pub sku_pattern: String,
    pub template: String,
    /// Its `{code:NAME}` values for these SKUs.
    pub codes: Keyed<String>,
    /// Set: the scheme of this supplier's lot codes.
    pub supplier_id: Option<String>,
}

/// `lotcode check --format json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CheckJson {
    /// The schemes, in the order they are tried.
    pub schemes: Vec<SchemeJson>,
    /// Lot ids with a scheme (and admitted by `--sku`).
    pub lot_ids_checked: u64,
    /// Supplier lot codes whose supplier has a scheme.
    pub supplier_codes_checked: u64,
    pub findings: Vec<CheckRow>,
}

/// The check's findings as rows.
pub(super) fn rows_of(ds: &Dataset, findings: &[Finding]) -> Vec<CheckRow> {
    findings
        .iter()
        .map(|f| {
            let lot_id = ds.lot_id(f.lot).to_string();
            CheckRow {
                finding: f.kind.as_str().to_string(),
                sku: ds.product_of(f.lot).sku.clone(),
                column: f.subject.column().to_string(),
                code: if f.code.is_empty() {
                    lot_id.clone()
                } else {
                    f.code.clone()
                },
                lot_id,
                detail: f.detail.clone(),
            }
        })
        .collect()
}

/// The rules as the report lists them.
pub(super) fn schemes_json(ds: &Dataset, rules: &Rules) -> Vec<SchemeJson> {
    rules
        .rules
        .iter()
        .map(|r| SchemeJson {
            sku_pattern: r.sku_pattern.clone(),
            template: r.scheme.template.clone(),
            codes: Keyed(r.codes.clone().into_iter().collect()),
            supplier_id: r
                .supplier
                .and_then(|s| ds.suppliers.get(s.0 as usize))
                .map(|s| s.id.clone()),
        })
        .collect()
}

pub(super) fn run(args: CheckArgs) -> anyhow::Result<Status> {
    let format = args
        .report
        .format_of("lotcode check", Format::Table, Format::DOCUMENT)?;
    let snap = args.ws.load()?;
    let ds = &snap.dataset;
    let rules = rules_of(ds, args.scheme.as_deref(), &args.sku)?;
    let on = args.on.unwrap_or_else(|| chrono::Local::now().date_naive());
    let admits = |sku: &str| matches_pattern(&args.sku, sku);
    let (findings, checked) = audit::audit(ds, &rules, &admits, on);
    let rows = rows_of(ds, &findings);
    let named = match &args.scheme {
        Some(t) => t.clone(),
        None => format!("{} declared scheme(s)", rules.rules.len()),
    };
    let mut doc = Document {
        title: format!("Lot codes against {named}"),
        notes: vec![format!(
            "{} lot id(s) and {} supplier lot code(s) checked; {} finding(s).",
            checked.lot_ids,
            checked.supplier_codes,
            rows.len()
        )],
        ..Document::default()
    };
    if format != Format::Table || !rows.is_empty() {
        doc.push_table("findings", &rows)?;
    }
    let status = if args.strict && !rows.is_empty() {
        Status::Findings
    } else {
        Status::Ok
    };
    doc.json = Json::of(CheckJson {
        schemes: schemes_json(ds, &rules),
        lot_ids_checked: checked.lot_ids as u64,
        supplier_codes_checked: checked.supplier_codes as u64,
        findings: rows,
    });
    crate::after_writing(status, args.report.emit_as(format, &doc))
}
