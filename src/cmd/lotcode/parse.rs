//! `lotgraph lotcode parse CODE [--scheme T | --sku S]`: reads a lot code
//! into its fields and the date they encode, listing every reading when it
//! fits a scheme in more than one way or fits two schemes; GS1 element
//! strings and Digital Link URIs (what a scanner at a dock produces) are
//! read into GTIN, batch, expiry and serial first. With a workspace, the
//! code is resolved to its lot (`resolve`).

use super::resolve::{self, ResolvedJson};
use crate::Status;
use crate::report::document::Json;
use crate::report::row::Keyed;
use crate::report::{Document, Format};
use chrono::NaiveDate;
use lotgraph_core::lotcode::gs1::{self, Gs1Keys};
use lotgraph_core::lotcode::rules::{Rule, Rules};
use lotgraph_core::lotcode::scheme::{Reading, Scheme};
use lotgraph_core::model::Dataset;
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, clap::Args)]
pub struct ParseArgs {
    /// The code: a lot id, `(01)…(10)…(17)…`, a raw scanned element
    /// string, or a Digital Link URI.
    pub code: String,
    /// The lot-code template, e.g. `{code:flavour}-{yy}{jjj}{seq:2}`
    /// (docs/lot-codes.md).
    #[arg(long, conflicts_with = "sku")]
    pub scheme: Option<String>,
    /// Read the code with the scheme `lot_schemes.csv` declares for this SKU.
    #[arg(long)]
    pub sku: Option<String>,
    /// The date one-digit years and GS1 two-digit years are read against
    /// (default: today).
    #[arg(long)]
    pub on: Option<NaiveDate>,
    /// Exit 1 when the code does not fit its scheme, contradicts it, or
    /// names no lot of the workspace.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub report: crate::cmd::ReportArgs,
    #[command(flatten)]
    pub ws: crate::cmd::WorkspaceArgs,
}

/// One reading of a code under a scheme.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReadingJson {
    /// The template read with.
    pub scheme: String,
    /// The SKUs the scheme is declared for (`*` for `--scheme`).
    pub sku_pattern: String,
    /// Each field (by its template name) with the text it matched.
    pub fields: Keyed<String>,
    /// The date the fields encode, if they encode one.
    pub date: Option<NaiveDate>,
    /// The batch of the day.
    pub seq: Option<u32>,
    /// `{code:NAME}` values that contradict the scheme's for the SKU.
    pub conflicts: Vec<String>,
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
    /// The template given with `--scheme`, or the one declared for the SKU.
    pub scheme: Option<String>,
    /// Every way the lot code fits (empty: it fits no scheme).
    pub readings: Vec<ReadingJson>,
    /// More than one reading: the code does not say which.
    pub ambiguous: bool,
    pub gs1: Option<Gs1Json>,
    /// The lot of the workspace the code names (none without a workspace).
    pub resolved: Option<ResolvedJson>,
}

/// One field of one reading, for the table.
#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct FieldRow {
    pub reading: u64,
    pub scheme: String,
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

fn reading_json(rule: &Rule, r: Reading) -> ReadingJson {
    let conflicts = rule
        .code_conflicts(&r)
        .into_iter()
        .map(|(n, got, want)| format!("{n} {got}: {} lots carry {want}", rule.sku_pattern))
        .collect();
    ReadingJson {
        scheme: rule.scheme.template.clone(),
        sku_pattern: rule.sku_pattern.clone(),
        fields: Keyed(r.fields.into_iter().map(|(f, t)| (f.name(), t)).collect()),
        date: r.date,
        seq: r.seq,
        conflicts,
    }
}

/// Which schemes the code is read with.
enum Reader {
    /// One scheme (`--scheme`, or the one of a known SKU): every reading,
    /// conflicts listed.
    One(Rule),
    /// Every scheme the dataset declares for lot ids: the readings that
    /// agree with each one's lookup values (which tell the SKUs apart).
    All(Rules),
    /// No scheme at all.
    None,
}

impl Reader {
    fn choose(
        args: &ParseArgs,
        ds: Option<&Dataset>,
        gtin_sku: Option<&str>,
    ) -> anyhow::Result<Reader> {
        if let Some(t) = &args.scheme {
            let rules = Rules::single(Scheme::parse(t)?, "*");
            return Ok(rules
                .rules
                .into_iter()
                .next()
                .map_or(Reader::None, Reader::One));
        }
        let Some(ds) = ds else {
            return Ok(Reader::None);
        };
        let rules = Rules::of_dataset(ds)?;
        if let Some(sku) = args.sku.as_deref().or(gtin_sku) {
            return match rules.for_lot_id(sku) {
                Some(r) => Ok(Reader::One(r.clone())),
                None if args.sku.is_some() => {
                    anyhow::bail!("no scheme in lot_schemes.csv covers SKU {sku:?}")
                }
                None => Ok(Reader::None),
            };
        }
        let mut ids = rules;
        ids.rules.retain(|r| r.supplier.is_none());
        Ok(if ids.is_empty() {
            Reader::None
        } else {
            Reader::All(ids)
        })
    }

    fn read(&self, lot: &str, on: NaiveDate) -> Vec<ReadingJson> {
        if lot.is_empty() {
            return Vec::new();
        }
        match self {
            Reader::One(r) => r
                .scheme
                .read(lot, on)
                .into_iter()
                .map(|x| reading_json(r, x))
                .collect(),
            Reader::All(rules) => {
                let mut out: Vec<ReadingJson> = Vec::new();
                for r in &rules.rules {
                    for x in r.read_agreeing(lot, on) {
                        let j = reading_json(r, x);
                        // Two rows of one template and codes read alike.
                        if !out
                            .iter()
                            .any(|o| o.scheme == j.scheme && o.fields.0 == j.fields.0)
                        {
                            out.push(j);
                        }
                    }
                }
                out
            }
            Reader::None => Vec::new(),
        }
    }
}

pub(super) fn run(args: ParseArgs) -> anyhow::Result<Status> {
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
    // A workspace is used when there is one (or `--sku` needs it).
    let snap = if args.sku.is_some() || args.ws.workspace.exists() {
        Some(args.ws.load()?)
    } else {
        None
    };
    let ds = snap.as_ref().map(|s| &s.dataset);
    let gtin_sku = ds.and_then(|d| resolve::sku_of_gtin(d, keys.as_ref()?.gtin.as_deref()?));
    let reader = Reader::choose(&args, ds, gtin_sku.as_deref())?;
    if matches!(reader, Reader::None) && keys.is_none() && ds.is_none() {
        anyhow::bail!(
            "{:?} is no GS1 code and there is no workspace: give --scheme to read it",
            args.code
        );
    }
    let readings = reader.read(&lot, on);
    let mut resolved = ds.map(|d| resolve::resolve(d, &lot, keys.as_ref()));
    if let (Some(r), Some(date)) = (resolved.as_mut(), readings.first().and_then(|x| x.date)) {
        // The most common real error: the code's date is not the record's.
        if let Some(own) = r.produced_on.filter(|d| *d != date) {
            r.problems
                .push(format!("the code says {date}, the lot's record says {own}"));
        }
    }
    let (doc, is_finding) = document(
        &args,
        &reader,
        &lot,
        readings,
        keys.as_ref(),
        resolved,
        format,
    )?;
    let status = if args.strict && is_finding {
        Status::Findings
    } else {
        Status::Ok
    };
    crate::after_writing(status, args.report.emit_as(format, &doc))
}

#[allow(clippy::too_many_arguments)] // one call site; the parts of one answer
fn document(
    args: &ParseArgs,
    reader: &Reader,
    lot: &str,
    readings: Vec<ReadingJson>,
    keys: Option<&Gs1Keys>,
    resolved: Option<ResolvedJson>,
    format: Format,
) -> anyhow::Result<(Document, bool)> {
    let mut notes = Vec::new();
    if let Some(k) = keys {
        notes.push(format!("GS1: {}", gs1::element_string(k)));
    }
    let mut schemes: Vec<&str> = readings.iter().map(|r| r.sku_pattern.as_str()).collect();
    schemes.dedup();
    let named = match reader {
        Reader::One(r) => Some(r.scheme.template.clone()),
        _ => None,
    };
    match (reader, readings.len()) {
        (Reader::None, _) => {}
        (Reader::One(r), 0) => notes.push(format!("{lot:?} does not fit {}", r.scheme)),
        (Reader::All(_), 0) => notes.push(format!("{lot:?} fits no declared scheme")),
        (_, 1) => notes.push(format!("{lot:?} fits {} one way", readings[0].scheme)),
        (_, _) if schemes.len() > 1 => notes.push(format!(
            "{lot:?} fits {} schemes ({}): the code does not say which",
            schemes.len(),
            schemes.join(", ")
        )),
        (_, n) => notes.push(format!(
            "{lot:?} fits {n} ways: the code does not say which"
        )),
    }
    for (i, r) in readings.iter().enumerate() {
        if let Some(d) = r.date {
            notes.push(format!("reading {}: date {d} ({})", i + 1, r.sku_pattern));
        }
        for c in &r.conflicts {
            notes.push(format!("reading {}: {c}", i + 1));
        }
    }
    if let Some(r) = &resolved {
        notes.push(resolve::note(r));
    }
    let rows: Vec<FieldRow> = readings
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            r.fields.0.iter().map(move |(f, t)| FieldRow {
                reading: i as u64 + 1,
                scheme: r.sku_pattern.clone(),
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
    let misfit = !matches!(reader, Reader::None)
        && (readings.is_empty() || readings.iter().all(|r| !r.conflicts.is_empty()));
    let unresolved = resolved
        .as_ref()
        .is_some_and(|r| r.lot_id.is_none() || !r.problems.is_empty());
    doc.json = Json::of(ParseJson {
        code: args.code.clone(),
        lot: lot.to_string(),
        scheme: named,
        ambiguous: readings.len() > 1,
        readings,
        gs1: keys.map(gs1_json),
        resolved,
    });
    // What `--strict` fails on.
    Ok((doc, misfit || unresolved))
}
