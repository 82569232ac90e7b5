//! `lotgraph lotcode parse CODE --scheme T`: reads a lot code with a
//! scheme (docs/lot-codes.md) into its fields and the date they encode,
//! listing every reading when the code fits in more than one way; GS1
//! element strings and Digital Link URIs (what a scanner at a dock
//! produces) are read into their GTIN, batch, expiry and serial first.
//! `lotgraph lotcode check --scheme T`: every lot id of the workspace
//! against the scheme (`lotcode::audit`). `lotgraph lotcode next`: the
//! next free code of a day.

use crate::Status;
use crate::report::document::Json;
use crate::report::row::Keyed;
use crate::report::{Document, Format};
use chrono::NaiveDate;
use lotgraph_core::lotcode::gs1::{self, Gs1Keys};
use lotgraph_core::lotcode::scheme::{Reading, Scheme};
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

/// Lot-code actions.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Read a lot code (or a GS1 element string / Digital Link) into its
    /// fields and date.
    Parse(ParseArgs),
    /// Check every lot id of the workspace against a scheme.
    Check(CheckArgs),
    /// The next free code of a day for a SKU.
    Next(NextArgs),
}

#[derive(Debug, clap::Args)]
pub struct NextArgs {
    /// The lot-code template.
    #[arg(long)]
    pub scheme: String,
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
    /// Fills `{code:NAME}`: `NAME=VALUE` (repeatable), e.g. `flavour=01`.
    #[arg(long = "code", value_parser = parse_code)]
    pub codes: Vec<(String, String)>,
    #[command(flatten)]
    pub report: super::ReportArgs,
    #[command(flatten)]
    pub ws: super::WorkspaceArgs,
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
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The lot-code template the lots' ids should follow.
    #[arg(long)]
    pub scheme: String,
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
    pub report: super::ReportArgs,
    #[command(flatten)]
    pub ws: super::WorkspaceArgs,
}

/// One finding of `lotcode check`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CheckRow {
    /// `does_not_fit`, `ambiguous`, `date_mismatch`, `duplicate_sequence`,
    /// `collides` or `not_gs1`.
    pub finding: String,
    pub lot_id: String,
    pub sku: String,
    pub detail: String,
}

/// `lotcode check --format json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CheckJson {
    pub scheme: String,
    /// Lots whose SKU the pattern admits.
    pub lots_checked: u64,
    pub findings: Vec<CheckRow>,
}

/// Does `sku` match `pattern` (`*` = any text, case-sensitive)?
fn matches_pattern(pattern: &str, sku: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return true;
    };
    if parts.len() == 1 {
        return pattern == sku;
    }
    if !sku.starts_with(first) || !sku[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &sku[first.len()..sku.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

#[derive(Debug, clap::Args)]
pub struct ParseArgs {
    /// The code: a lot id, `(01)…(10)…(17)…`, a raw scanned element
    /// string, or a Digital Link URI.
    pub code: String,
    /// The lot-code template, e.g. `{code:flavour}-{yy}{jjj}{seq:2}`
    /// (docs/lot-codes.md).
    #[arg(long)]
    pub scheme: Option<String>,
    /// The date one-digit years and GS1 two-digit years are read against
    /// (default: today).
    #[arg(long)]
    pub on: Option<NaiveDate>,
    /// Exit 1 when the code does not fit the scheme.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub report: super::ReportArgs,
}

/// One reading of a code under its scheme.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReadingJson {
    /// Each field (by its template name) with the text it matched.
    pub fields: Keyed<String>,
    /// The date the fields encode, if they encode one.
    pub date: Option<NaiveDate>,
    /// The batch of the day.
    pub seq: Option<u32>,
}

/// The GS1 keys of a scanned code.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Gs1Json {
    pub gtin: Option<String>,
    /// AI (10): the batch or lot number.
    pub lot: Option<String>,
    /// AI (17), day 00 read as the month's last day.
    pub expiry: Option<NaiveDate>,
    /// AI (21).
    pub serial: Option<String>,
    /// `(01)…(10)…(17)…(21)…`.
    pub element_string: String,
    /// The Digital Link URI on id.gs1.org (none without a GTIN).
    pub digital_link: Option<String>,
}

/// `lotcode parse --format json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ParseJson {
    pub code: String,
    /// The lot code read with the scheme (the AI 10 value of a GS1 code).
    pub lot: String,
    pub scheme: Option<String>,
    /// Every way the lot code fits the scheme (empty: it does not).
    pub readings: Vec<ReadingJson>,
    /// More than one reading: the code does not say which.
    pub ambiguous: bool,
    pub gs1: Option<Gs1Json>,
}

/// One field of one reading, for the table.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FieldRow {
    pub reading: u64,
    pub field: String,
    pub value: String,
}

/// Is this a GS1 form rather than a plain lot code?
fn is_gs1(code: &str) -> bool {
    code.starts_with('(')
        || code.starts_with(']')
        || code.contains("://")
        || code.contains('\u{1d}')
        || code.contains("<GS>")
}

pub fn run(args: Args) -> anyhow::Result<Status> {
    match args.action {
        Action::Parse(a) => parse(a),
        Action::Check(a) => check(a),
        Action::Next(a) => next(a),
    }
}

fn gs1_json(k: &Gs1Keys) -> Gs1Json {
    Gs1Json {
        gtin: k.gtin.clone(),
        lot: k.lot.clone(),
        expiry: k.expiry.as_ref().map(|e| e.date),
        serial: k.serial.clone(),
        element_string: gs1::element_string(k),
        digital_link: gs1::digital_link(k, "https://id.gs1.org"),
    }
}

fn reading_json(r: Reading) -> ReadingJson {
    ReadingJson {
        fields: Keyed(r.fields.into_iter().map(|(f, t)| (f.name(), t)).collect()),
        date: r.date,
        seq: r.seq,
    }
}

fn parse(args: ParseArgs) -> anyhow::Result<Status> {
    let format = args
        .report
        .format_of("lotcode parse", Format::Table, Format::DOCUMENT)?;
    let on = args.on.unwrap_or_else(|| chrono::Local::now().date_naive());
    let keys = if is_gs1(&args.code) {
        Some(gs1::parse(&args.code, on)?)
    } else {
        None
    };
    let lot = match &keys {
        Some(k) => k.lot.clone().unwrap_or_default(),
        None => args.code.clone(),
    };
    let scheme = args.scheme.as_deref().map(Scheme::parse).transpose()?;
    if scheme.is_none() && keys.is_none() {
        anyhow::bail!("{:?} is no GS1 code: give --scheme to read it", args.code);
    }
    let readings: Vec<ReadingJson> = match &scheme {
        Some(s) if !lot.is_empty() => s.read(&lot, on).into_iter().map(reading_json).collect(),
        _ => Vec::new(),
    };
    let mut notes = Vec::new();
    if let Some(k) = &keys {
        notes.push(format!("GS1: {}", gs1::element_string(k)));
    }
    if let Some(s) = &scheme {
        notes.push(match readings.len() {
            0 => format!("{lot:?} does not fit {s}"),
            1 => format!("{lot:?} fits {s} one way"),
            n => format!("{lot:?} fits {s} {n} ways: the code does not say which"),
        });
    }
    for (i, r) in readings.iter().enumerate() {
        if let Some(d) = r.date {
            notes.push(format!("reading {}: date {d}", i + 1));
        }
    }
    let rows: Vec<FieldRow> = readings
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            r.fields.0.iter().map(move |(f, t)| FieldRow {
                reading: i as u64 + 1,
                field: f.clone(),
                value: t.clone(),
            })
        })
        .collect();
    let mut doc = Document {
        title: format!("Lot code {}", args.code),
        notes,
        ..Document::default()
    };
    // People see the fields table only when a reading has fields.
    if format != Format::Table || !rows.is_empty() {
        doc.push_table("fields", &rows)?;
    }
    let is_finding = scheme.is_some() && readings.is_empty();
    doc.json = Json::of(ParseJson {
        code: args.code.clone(),
        lot,
        scheme: scheme.map(|s| s.template),
        ambiguous: readings.len() > 1,
        readings,
        gs1: keys.as_ref().map(gs1_json),
    });
    let status = if args.strict && is_finding {
        Status::Findings
    } else {
        Status::Ok
    };
    crate::after_writing(status, args.report.emit_as(format, &doc))
}

fn check(args: CheckArgs) -> anyhow::Result<Status> {
    let format = args
        .report
        .format_of("lotcode check", Format::Table, Format::DOCUMENT)?;
    let scheme = Scheme::parse(&args.scheme)?;
    let snap = args.ws.load()?;
    let ds = &snap.dataset;
    let on = args.on.unwrap_or_else(|| chrono::Local::now().date_naive());
    let admits = |sku: &str| matches_pattern(&args.sku, sku);
    let (findings, checked) = lotgraph_core::lotcode::audit::audit(ds, &scheme, &admits, on);
    let rows: Vec<CheckRow> = findings
        .iter()
        .map(|f| CheckRow {
            finding: f.kind.as_str().to_string(),
            lot_id: ds.lot_id(f.lot).to_string(),
            sku: ds.product_of(f.lot).sku.clone(),
            detail: f.detail.clone(),
        })
        .collect();
    let mut doc = Document {
        title: format!("Lot codes against {scheme}"),
        notes: vec![format!(
            "{checked} lot(s) checked against {scheme}; {} finding(s).",
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
        scheme: scheme.template,
        lots_checked: checked as u64,
        findings: rows,
    });
    crate::after_writing(status, args.report.emit_as(format, &doc))
}

fn next(args: NextArgs) -> anyhow::Result<Status> {
    let format = args
        .report
        .format_of("lotcode next", Format::Table, Format::DOCUMENT)?;
    let scheme = Scheme::parse(&args.scheme)?;
    if !args.scheme.contains("{seq:") {
        anyhow::bail!("{scheme} has no {{seq:N}} field: there is no next batch to give");
    }
    let snap = args.ws.load()?;
    let values = lotgraph_core::lotcode::scheme::Values {
        date: Some(args.date),
        seq: 1,
        sku: Some(args.sku.clone()),
        site: args.site.clone(),
        line: args.line.clone(),
        codes: args.codes.iter().cloned().collect(),
    };
    let (code, seq) =
        lotgraph_core::lotcode::next::next_code(&snap.dataset, &scheme, &args.sku, &values)
            .map_err(|e| anyhow::anyhow!("{scheme}: {e}"))?;
    let row = NextJson {
        code,
        sku: args.sku,
        date: args.date,
        seq,
    };
    let mut doc = Document {
        title: format!("Next lot code under {scheme}"),
        ..Document::default()
    };
    doc.push_table("next", std::slice::from_ref(&row))?;
    doc.json = Json::of(row);
    crate::after_writing(Status::Ok, args.report.emit_as(format, &doc))
}
