//! `lotgraph ingest DIR`: validate a dataset, write the workspace snapshot
//! atomically, and account for every row (`loaded + rejected = read`).

use super::{ReportFormat, WorkspaceArgs};
use crate::Status;
use crate::report::{Cell, Tabular, columns as col, open_output, write_json};
use crate::snapshot::{self, FileCount, Manifest, SNAPSHOT_VERSION};
use anyhow::Context;
use lotgraph_core::ingest::{IngestOptions, Ingested, Limits, ingest_dir_with};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// Rejected rows printed in the table format (all are in rejects.csv).
const SHOWN_REJECTS: usize = 20;

/// Set to make the process abort after the new snapshot is on disk but
/// before it is made live: the interrupted-ingest test uses it.
pub const CRASH_ENV: &str = "LOTGRAPH_TEST_CRASH_BEFORE_COMMIT";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Dataset directory (record-format.md): lots.csv plus optional files.
    pub dir: PathBuf,
    #[command(flatten)]
    pub ws: WorkspaceArgs,
    /// Exit with code 1 when any row is rejected.
    #[arg(long)]
    pub strict: bool,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Where to write the summary (`-` = stdout).
    #[arg(long, short, default_value = "-")]
    pub output: PathBuf,
    #[command(flatten)]
    pub limits: LimitArgs,
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

pub fn run(args: Args) -> anyhow::Result<Status> {
    let t0 = Instant::now();
    let opts = IngestOptions {
        limits: Limits {
            max_field_bytes: args.limits.max_field_bytes,
            max_record_bytes: args.limits.max_record_bytes,
            max_columns: args.limits.max_columns,
        },
    };
    let ing = ingest_dir_with(&args.dir, &crate::ingest::CsvOrParquet, &opts)
        .with_context(|| format!("cannot ingest {}", args.dir.display()))?;
    let manifest = Manifest {
        version: SNAPSHOT_VERSION,
        dataset_id: String::new(),
        source: args.dir.display().to_string(),
        created_at: chrono::Utc::now().to_rfc3339(),
        files: ing.reports.iter().map(FileCount::from).collect(),
        warnings: ing.warnings.clone(),
    };
    // Open the summary's destination first: failing on it after the snapshot
    // went live would report an error for an ingest that took effect.
    let mut out = open_output(&args.output)?;
    snapshot::write(
        &args.ws.workspace,
        &ing.dataset,
        &ing.genealogy,
        &manifest,
        &ing.rejects,
        || {
            if std::env::var_os(CRASH_ENV).is_some() {
                std::process::abort();
            }
        },
    )
    .with_context(|| {
        format!(
            "cannot write the snapshot to {}",
            args.ws.workspace.display()
        )
    })?;
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
        .write_summary(&ing, elapsed.as_secs_f64(), &mut *out)
        .and_then(|()| Ok(out.flush()?));
    crate::after_writing(status, written)
}

impl Args {
    fn write_summary(&self, ing: &Ingested, secs: f64, w: &mut dyn Write) -> anyhow::Result<()> {
        let mut t = Tabular::new(&[col::FILE, col::READ, col::LOADED, col::REJECTED]);
        for r in &ing.reports {
            t.push(vec![
                Cell::text(&r.file),
                Cell::Int(r.read),
                Cell::Int(r.loaded),
                Cell::Int(r.rejected),
            ]);
        }
        let rejects_path = self.ws.workspace.join("rejects.csv");
        match self.format {
            ReportFormat::Json => {
                let mut rj = Tabular::new(&[col::FILE, col::LINE, col::COLUMN, col::PROBLEM]);
                for r in &ing.rejects {
                    rj.push(vec![
                        Cell::text(&r.file),
                        Cell::Int(r.line),
                        Cell::text(&r.column),
                        Cell::text(&r.problem),
                    ]);
                }
                write_json(
                    w,
                    &json!({
                        "workspace": self.ws.workspace.display().to_string(),
                        "files": t.json_rows(),
                        "rejects": rj.json_rows(),
                        "warnings": ing.warnings,
                        "lots": ing.dataset.lots.len(),
                        "genealogy_edges": ing.genealogy.edge_count(),
                        "seconds": secs,
                    }),
                )
            }
            ReportFormat::Table => {
                t.write_table(w)?;
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
}
