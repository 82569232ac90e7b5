//! `lotgraph ingest DIR`: validate a dataset, write the workspace snapshot
//! atomically, and account for every row (`loaded + rejected = read`).

use super::WorkspaceArgs;
use crate::Status;
use crate::report::row::table_of;
use crate::report::{Format, open_output, write_json};
use crate::snapshot::{self, FileCount, Manifest, SNAPSHOT_VERSION};
use anyhow::Context;
use lotgraph_core::ingest::{IngestOptions, Ingested, Limits, ingest_dir_with};
use schemars::JsonSchema;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// Rejected rows printed in the table format (all are in rejects.csv).
const SHOWN_REJECTS: usize = 20;

/// Fault injection for the tests of the write's atomicity:
/// `STEP:abort|enospc|eio` (steps: `snapshot::Step::name`) makes that step
/// of the snapshot write abort the process or fail with that error.
pub const FAULT_ENV: &str = "LOTGRAPH_TEST_FAULT";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Dataset directory (record-format.md): lots.csv plus optional files.
    pub dir: PathBuf,
    #[command(flatten)]
    pub ws: WorkspaceArgs,
    /// Exit with code 1 when any row is rejected.
    #[arg(long)]
    pub strict: bool,
    /// The summary's format (table or json) and destination.
    #[command(flatten)]
    pub report: super::ReportArgs,
    /// Give up (exit 2, nothing written) when another ingest holds the
    /// workspace lock for longer than this: `30s`, `500ms`, `2m`, or
    /// seconds. Default: wait as long as it takes.
    #[arg(long, value_parser = parse_duration)]
    pub lock_timeout: Option<std::time::Duration>,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Check every lot code against its scheme, as `lotgraph lotcode
    /// check` does, and report the findings as a warning (nothing is
    /// rejected): against TEMPLATE for every lot id, or, without a value,
    /// against the dataset's `lot_schemes.csv`.
    #[arg(long, value_name = "TEMPLATE", num_args = 0..=1, default_missing_value = "")]
    pub lot_scheme: Option<String>,
}

/// The warning `--lot-scheme` adds (none when every code fits).
fn lot_code_warning(
    ds: &lotgraph_core::model::Dataset,
    template: &str,
) -> anyhow::Result<Option<lotgraph_core::ingest::Warning>> {
    use lotgraph_core::lotcode::{audit, rules::Rules, scheme::Scheme};
    let rules = if template.is_empty() {
        let r = Rules::of_dataset(ds)?;
        if r.is_empty() {
            anyhow::bail!("--lot-scheme without a template needs lot_schemes.csv in the dataset");
        }
        r
    } else {
        Rules::single(Scheme::parse(template)?, "*")
    };
    let today = chrono::Local::now().date_naive();
    let (findings, checked) = audit::audit(ds, &rules, &|_| true, today);
    if findings.is_empty() {
        return Ok(None);
    }
    let mut counts: Vec<(audit::FindingKind, usize)> = Vec::new();
    for f in &findings {
        match counts.iter_mut().find(|(k, _)| *k == f.kind) {
            Some((_, n)) => *n += 1,
            None => counts.push((f.kind, 1)),
        }
    }
    counts.sort();
    let shown = findings
        .iter()
        .take(10)
        .map(|f| format!("{}: {}", ds.lot_id(f.lot), f.detail))
        .collect();
    Ok(Some(lotgraph_core::ingest::Warning::LotCodes {
        checked: checked.lot_ids + checked.supplier_codes,
        counts: counts.into_iter().map(|(k, n)| (k.as_str(), n)).collect(),
        shown,
    }))
}

/// The caps of record-format.md's *Ingest limits* (`Limits` in the core).
#[derive(Debug, clap::Args)]
pub struct LimitArgs {
    /// Largest CSV field, in bytes as written (quotes included); a longer
    /// one rejects its row, and only its first bytes are ever held.
    #[arg(long, default_value_t = Limits::default().max_field_bytes,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_field_bytes: u64,
    /// Largest CSV record, in bytes; a longer one rejects its row.
    #[arg(long, default_value_t = Limits::default().max_record_bytes,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_record_bytes: u64,
    /// Most columns a header may name; more is an error (exit 2).
    #[arg(long, default_value_t = Limits::default().max_columns)]
    pub max_columns: usize,
}

impl Default for LimitArgs {
    fn default() -> Self {
        let l = Limits::default();
        LimitArgs {
            max_field_bytes: l.max_field_bytes,
            max_record_bytes: l.max_record_bytes,
            max_columns: l.max_columns,
        }
    }
}

/// `500ms`, `30s`, `2m`, `1h`, or a number of seconds (`1.5`).
fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let scale = match unit.trim() {
        "" | "s" => 1.0,
        "ms" => 1e-3,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        u => return Err(format!("unknown unit {u:?} (use ms, s, m or h)")),
    };
    let v: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration such as 30s or 500ms"))?;
    std::time::Duration::try_from_secs_f64(v * scale)
        .map_err(|_| format!("{s:?} is not a duration such as 30s or 500ms"))
}

/// `e` and its sources, `: `-separated.
fn chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}

/// The fault hook `LOTGRAPH_TEST_FAULT` asks for (tests only), else none.
fn fault_hook() -> anyhow::Result<Box<dyn FnMut(snapshot::Step) -> std::io::Result<()>>> {
    let Some(spec) = std::env::var_os(FAULT_ENV) else {
        return Ok(Box::new(snapshot::no_faults));
    };
    let spec = spec.to_string_lossy().into_owned();
    let (name, kind) = spec.split_once(':').unwrap_or((spec.as_str(), "abort"));
    let at = snapshot::Step::ALL
        .into_iter()
        .find(|s| s.name() == name)
        .with_context(|| format!("{FAULT_ENV}={spec}: unknown step {name:?}"))?;
    let errno = match kind {
        "abort" => None,
        "enospc" => Some(28),
        "eio" => Some(5),
        k => anyhow::bail!("{FAULT_ENV}={spec}: unknown fault {k:?}"),
    };
    Ok(Box::new(move |s| match errno {
        _ if s != at => Ok(()),
        None => std::process::abort(),
        Some(e) => Err(std::io::Error::from_raw_os_error(e)),
    }))
}

pub fn run(args: Args) -> anyhow::Result<Status> {
    let t0 = Instant::now();
    let opts = IngestOptions {
        limits: Limits {
            max_field_bytes: args.limits.max_field_bytes,
            max_record_bytes: args.limits.max_record_bytes,
            max_columns: args.limits.max_columns,
        },
    };
    let mut ing = ingest_dir_with(&args.dir, &crate::ingest::CsvOrParquet, &opts)
        .with_context(|| format!("cannot ingest {}", args.dir.display()))?;
    if let Some(t) = &args.lot_scheme {
        let w = lot_code_warning(&ing.dataset, t).context("--lot-scheme")?;
        ing.warnings.extend(w);
    }
    let manifest = Manifest {
        version: SNAPSHOT_VERSION,
        dataset_id: String::new(),
        source: args.dir.display().to_string(),
        created_at: chrono::Utc::now().to_rfc3339(),
        files: ing.reports.iter().map(FileCount::from).collect(),
        warnings: ing.warnings.iter().map(ToString::to_string).collect(),
    };
    // Open the summary's destination first: failing on it after the snapshot
    // went live would report an error for an ingest that took effect.
    let format = args
        .report
        .format_of("ingest", Format::Table, &[Format::Table, Format::Json])?;
    let mut out = open_output(&args.report.output)?;
    let mut faults = fault_hook()?;
    let written = snapshot::write(
        &args.ws.workspace,
        &ing.dataset,
        &ing.genealogy,
        &manifest,
        &ing.rejects,
        snapshot::WriteOptions {
            lock_timeout: args.lock_timeout,
            faults: &mut *faults,
        },
    )
    .with_context(|| {
        format!(
            "cannot write the snapshot to {}; the previous snapshot is still live",
            args.ws.workspace.display()
        )
    })?;
    if let Some(e) = &written.not_durable {
        eprintln!(
            "lotgraph: warning: the new snapshot is live, but making the switch durable failed ({}): \
             a power failure now may bring back the previous snapshot",
            chain(e)
        );
    }
    let elapsed = t0.elapsed();
    for w in &ing.warnings {
        eprintln!("lotgraph: warning: {w}");
    }
    let rejected: u64 = ing.reports.iter().map(|r| r.rejected).sum();
    let status = if args.strict && rejected > 0 {
        Status::Findings
    } else {
        Status::Ok
    };
    let written = args
        .write_summary(format, &ing, elapsed.as_secs_f64(), &mut out)
        .and_then(|()| Ok(out.finish()?));
    crate::after_writing(status, written)
}

/// One file's counts: `loaded + rejected == read`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FileRow {
    pub file: String,
    pub read: u64,
    pub loaded: u64,
    pub rejected: u64,
}

/// One rejected row (all of them are in the workspace's rejects.csv).
#[derive(Debug, Serialize, JsonSchema)]
pub struct RejectRow {
    pub file: String,
    /// Physical line where the record starts (header = 1).
    pub line: u64,
    pub column: String,
    pub problem: String,
    /// What kind of problem (`bad_number`, `unknown_lot`, ...; the
    /// `kind` column of rejects.csv, docs/record-format.md).
    pub kind: String,
}

/// `ingest --format json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct IngestJson {
    pub workspace: String,
    pub files: Vec<FileRow>,
    pub rejects: Vec<RejectRow>,
    pub warnings: Vec<String>,
    pub lots: u64,
    pub genealogy_edges: u64,
    pub seconds: f64,
}

impl Args {
    fn write_summary(
        &self,
        format: Format,
        ing: &Ingested,
        secs: f64,
        w: &mut dyn Write,
    ) -> anyhow::Result<()> {
        let files: Vec<FileRow> = ing
            .reports
            .iter()
            .map(|r| FileRow {
                file: r.file.clone(),
                read: r.read,
                loaded: r.loaded,
                rejected: r.rejected,
            })
            .collect();
        let rejects_path = self.ws.workspace.join("rejects.csv");
        if format == Format::Json {
            write_json(
                w,
                &IngestJson {
                    workspace: self.ws.workspace.display().to_string(),
                    files,
                    rejects: ing
                        .rejects
                        .iter()
                        .map(|r| RejectRow {
                            file: r.file.clone(),
                            line: r.line,
                            column: r.column.clone(),
                            problem: r.problem.clone(),
                            kind: r.kind.as_str().to_string(),
                        })
                        .collect(),
                    warnings: ing
                        .warnings
                        .iter()
                        .map(std::string::ToString::to_string)
                        .collect(),
                    lots: ing.dataset.lots.len() as u64,
                    genealogy_edges: ing.genealogy.edge_count() as u64,
                    seconds: secs,
                },
            )
        } else {
            table_of(&files)?.write_table(w)?;
            if !ing.rejects.is_empty() {
                writeln!(w)?;
                for r in ing.rejects.iter().take(SHOWN_REJECTS) {
                    writeln!(w, "{}", crate::report::sanitize(&r.to_string()))?;
                }
                if ing.rejects.len() > SHOWN_REJECTS {
                    writeln!(w, "... and {} more", ing.rejects.len() - SHOWN_REJECTS)?;
                }
                writeln!(
                    w,
                    "{} row(s) rejected: see {}",
                    ing.rejects.len(),
                    rejects_path.display()
                )?;
            }
            writeln!(
                w,
                "\nsnapshot: {} lots, {} genealogy edges -> {} ({secs:.2} s)",
                ing.dataset.lots.len(),
                ing.genealogy.edge_count(),
                self.ws.workspace.display()
            )?;
            Ok(())
        }
    }
}
