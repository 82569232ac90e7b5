//! `lotgraph lotcode next --sku S --date D [--scheme T]`: the next free
//! code of a day under the SKU's scheme, from the lots in the snapshot
//! (`lotcode::next`).

use super::rules_of;
use crate::Status;
use crate::report::document::Json;
use crate::report::{Document, Format};
use chrono::NaiveDate;
use lotgraph_core::lotcode::scheme::Values;
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, clap::Args)]
pub struct NextArgs {
    /// The lot-code template (default: the scheme `lot_schemes.csv` declares
    /// for the SKU).
    #[arg(long)]
    pub scheme: Option<String>,
    /// The SKU the lot is of (its code fills `{sku}`).
    #[arg(long)]
    pub sku: String,
    /// The production date.
    #[arg(long)]
    pub date: NaiveDate,
    /// Fills `{site}`.
    #[arg(long)]
    pub site: Option<String>,
    /// Fills `{line}`.
    #[arg(long)]
    pub line: Option<String>,
    /// Fills `{code:NAME}`: `NAME=VALUE` (repeatable), e.g. `flavour=01`;
    /// overrides the declared scheme's value.
    #[arg(long = "code", value_parser = parse_code)]
    pub codes: Vec<(String, String)>,
    #[command(flatten)]
    pub report: crate::cmd::ReportArgs,
    #[command(flatten)]
    pub ws: crate::cmd::WorkspaceArgs,
}

fn parse_code(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected NAME=VALUE, got {s:?}")),
    }
}

/// `lotcode next --format json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct NextJson {
    /// The next free code.
    pub code: String,
    pub sku: String,
    pub date: NaiveDate,
    /// Its batch of the day.
    pub seq: u32,
    /// The template it follows.
    pub scheme: String,
}

pub(super) fn run(args: NextArgs) -> anyhow::Result<Status> {
    let format = args
        .report
        .format_of("lotcode next", Format::Table, Format::DOCUMENT)?;
    let snap = args.ws.load()?;
    let rules = rules_of(&snap.dataset, args.scheme.as_deref(), "*")?;
    let Some(rule) = rules.for_lot_id(&args.sku) else {
        anyhow::bail!(
            "no scheme in lot_schemes.csv covers SKU {:?}: give --scheme TEMPLATE",
            args.sku
        );
    };
    let scheme = &rule.scheme;
    if !scheme.template.contains("{seq:") {
        anyhow::bail!("{scheme} has no {{seq:N}} field: there is no next batch to give");
    }
    let mut codes = rule.codes.clone();
    codes.extend(args.codes.iter().cloned());
    let values = Values {
        date: Some(args.date),
        seq: 1,
        sku: Some(args.sku.clone()),
        site: args.site.clone(),
        line: args.line.clone(),
        codes,
    };
    let (code, seq) =
        lotgraph_core::lotcode::next::next_code(&snap.dataset, scheme, &args.sku, &values)
            .map_err(|e| anyhow::anyhow!("{scheme}: {e}"))?;
    let row = NextJson {
        code,
        sku: args.sku,
        date: args.date,
        seq,
        scheme: scheme.template.clone(),
    };
    let mut doc = Document {
        title: format!("Next lot code under {scheme}"),
        ..Document::default()
    };
    doc.push_table("next", std::slice::from_ref(&row))?;
    doc.json = Json::of(row);
    crate::after_writing(Status::Ok, args.report.emit_as(format, &doc))
}
