//! `lotgraph demo`: ingests the bundled Keuka Lake Hummus Company dataset
//! (`data/demo`, compiled into the binary) into a temporary workspace and
//! walks through a short investigation with real output: the complained-
//! about batch, its trace back to the suspect tahini lot, and the trace
//! forward from that lot to every affected batch and customer.

use super::{ReportArgs, WorkspaceArgs};
use crate::Status;
use crate::report::Format;
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;

/// The demo dataset, file name and contents.
const FILES: &[(&str, &str)] = &[
    (
        "suppliers.csv",
        include_str!("../../data/demo/suppliers.csv"),
    ),
    ("sites.csv", include_str!("../../data/demo/sites.csv")),
    ("products.csv", include_str!("../../data/demo/products.csv")),
    (
        "customers.csv",
        include_str!("../../data/demo/customers.csv"),
    ),
    (
        "lot_schemes.csv",
        include_str!("../../data/demo/lot_schemes.csv"),
    ),
    ("lots.csv", include_str!("../../data/demo/lots.csv")),
    (
        "consumptions.csv",
        include_str!("../../data/demo/consumptions.csv"),
    ),
    (
        "shipments.csv",
        include_str!("../../data/demo/shipments.csv"),
    ),
    ("returns.csv", include_str!("../../data/demo/returns.csv")),
    (
        "inspections.csv",
        include_str!("../../data/demo/inspections.csv"),
    ),
];

/// Names the planted story's lots (`complained_lot: ...` lines).
const STORY: &str = include_str!("../../data/demo/STORY.md");

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Keep the demo workspace here instead of a temporary directory
    /// (then explore it with `--workspace DIR`).
    #[arg(long)]
    pub keep: Option<PathBuf>,
}

impl Args {
    fn story(key: &str) -> anyhow::Result<String> {
        STORY
            .lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
            .map(|v| v.trim().to_string())
            .with_context(|| format!("data/demo/STORY.md names no {key}"))
    }
}

/// The walkthrough's second part: the batch numbers checked against the
/// declared scheme (which finds the planted miscoded batch) and a Digital
/// Link scanned from a tub of the complained-about batch resolved to it.
fn lot_codes(ws: &WorkspaceArgs, complained: &str) -> anyhow::Result<()> {
    use super::lotcode::{Action, Args as LotcodeArgs, CheckArgs, Gs1Args, ParseArgs};
    let report = || ReportArgs {
        format: None,
        output: PathBuf::from("-"),
    };
    // A fixed reference date: the data extract's, so the output never
    // depends on the day the demo runs.
    let on = chrono::NaiveDate::from_ymd_opt(2022, 3, 4);
    say(
        "Do the batch numbers say what the records say?",
        "lotgraph lotcode check",
    )?;
    super::lotcode::run(LotcodeArgs {
        action: Action::Check(CheckArgs {
            scheme: None,
            sku: "*".into(),
            on,
            strict: false,
            report: report(),
            ws: ws.clone(),
        }),
    })?;
    say(
        "The label of a tub of the complained-about batch",
        &format!("lotgraph lotcode gs1 {complained}"),
    )?;
    super::lotcode::run(LotcodeArgs {
        action: Action::Gs1(Gs1Args {
            lot: complained.to_string(),
            base: lotgraph_core::lotcode::gs1::GS1_RESOLVER.into(),
            report: report(),
            ws: ws.clone(),
        }),
    })?;
    let snap = ws.load()?;
    let link = super::lotcode::digital_link_of(&snap.dataset, complained)?;
    drop(snap);
    say(
        "A customer's scanner reads that tub's QR code",
        &format!("lotgraph lotcode parse '{link}'"),
    )?;
    super::lotcode::run(LotcodeArgs {
        action: Action::Parse(ParseArgs {
            code: link,
            scheme: None,
            sku: None,
            on,
            strict: false,
            report: report(),
            ws: ws.clone(),
        }),
    })?;
    Ok(())
}

fn say(title: &str, command: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "\n## {title}\n$ {command}\n")?;
    out.flush()?;
    Ok(())
}

pub fn run(args: Args) -> anyhow::Result<Status> {
    let tmp = tempfile::tempdir().context("cannot create a temporary directory")?;
    let data = tmp.path().join("demo-data");
    std::fs::create_dir(&data).context("cannot create the demo data directory")?;
    for (name, body) in FILES {
        std::fs::write(data.join(name), body).with_context(|| format!("cannot write {name}"))?;
    }
    let workspace = args
        .keep
        .clone()
        .unwrap_or_else(|| tmp.path().join("workspace"));
    let ws = WorkspaceArgs {
        workspace: workspace.clone(),
    };
    let complained = Args::story("complained_lot")?;
    let suspect = Args::story("suspect_lot")?;
    let stdout = PathBuf::from("-");

    let mut out = std::io::stdout();
    writeln!(
        out,
        "Keuka Lake Hummus Company: customers complain about hummus batch {complained}."
    )?;
    writeln!(
        out,
        "Which ingredient lot is behind it, and what else did that lot go into?"
    )?;
    say("Load the records", "lotgraph ingest data/demo")?;
    super::ingest::run(super::ingest::Args {
        dir: data.clone(),
        ws: ws.clone(),
        strict: false,
        report: ReportArgs {
            format: None,
            output: stdout.clone(),
        },
        lock_timeout: None,
        limits: super::ingest::LimitArgs::default(),
        lot_scheme: None,
    })?;
    say(
        "The complained-about batch",
        &format!("lotgraph lot show {complained}"),
    )?;
    super::lot::run(super::lot::Args {
        action: super::lot::Action::Show(super::lot::ShowArgs {
            lot: complained.clone(),
            report: ReportArgs {
                format: None,
                output: stdout.clone(),
            },
            ws: ws.clone(),
        }),
    })?;
    say(
        "What it was made from",
        &format!("lotgraph trace back {complained}"),
    )?;
    super::trace::run(super::trace::Args {
        way: super::trace::Way::Back,
        lot: complained.clone(),
        max_depth: None,
        locate: false,
        report: ReportArgs {
            format: Some(Format::Tree),
            output: stdout.clone(),
        },
        ws: ws.clone(),
    })?;
    say(
        "Everything the suspect tahini lot went into, and where every kilogram of it is now",
        &format!("lotgraph trace forward {suspect} --format table --locate"),
    )?;
    super::trace::run(super::trace::Args {
        way: super::trace::Way::Forward,
        lot: suspect.clone(),
        max_depth: None,
        locate: true,
        report: ReportArgs {
            format: Some(Format::Table),
            output: stdout.clone(),
        },
        ws: ws.clone(),
    })?;
    writeln!(
        out,
        "\nEvery batch above shares tahini lot {suspect}; its customers are the ones to call."
    )?;
    lot_codes(&ws, &complained)?;
    if args.keep.is_some() {
        writeln!(
            out,
            "Workspace kept: explore it with --workspace {}",
            workspace.display()
        )?;
    }
    Ok(Status::Ok)
}
