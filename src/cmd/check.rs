//! `lotgraph check`: integrity and mass-balance report. Lists over-consumed
//! lots, negative on-hand per site, produced lots without inputs, lots
//! whose shares fall back to the recorded basis (with the SKUs that lack
//! `kg_per_uom`), yields outside a band, and rows the ingest rejected for
//! pointing at unknown lots (shipments, returns, ...). `--strict` exits 1
//! when anything is found; `--snapshot` first verifies the snapshot file's
//! checksums.

use super::{ReportFormat, WorkspaceArgs};
use crate::Status;
use crate::report::{Cell, TablesJson, Tabular, columns as col, fmt_num, open_output, write_json};
use anyhow::bail;
use lotgraph_core::analytics::balance::{self, YieldBand};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Exit with code 1 when anything is found.
    #[arg(long)]
    pub strict: bool,
    /// Also verify the checksum of every array of the snapshot file (reads
    /// the whole file; queries only check its structure). A damaged file
    /// is an error (exit 2) naming the first damaged array.
    #[arg(long)]
    pub snapshot: bool,
    /// Report produced lots whose yield (output mass / content input
    /// mass) is below this: possible unrecorded losses or a wrong
    /// quantity.
    #[arg(long, default_value_t = YieldBand::default().min)]
    pub min_yield: f64,
    /// Report produced lots whose yield is above this: possible
    /// missing inputs (a genealogy gap), such as untracked water.
    #[arg(long, default_value_t = YieldBand::default().max)]
    pub max_yield: f64,
    #[arg(long, short, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Where to write (`-` = stdout).
    #[arg(long, short, default_value = "-")]
    pub output: PathBuf,
    #[command(flatten)]
    pub ws: WorkspaceArgs,
}

/// The kinds of finding, as they appear in the `finding` column.
const OVER_CONSUMED: &str = "over_consumed";
const NEGATIVE_ON_HAND: &str = "negative_on_hand";
const NO_INPUTS: &str = "produced_without_inputs";
const RECORDED_BASIS: &str = "recorded_basis";
const YIELD_OUT_OF_BAND: &str = "yield_out_of_band";
const UNKNOWN_LOT: &str = "unknown_lot_reference";

pub fn run(args: Args) -> anyhow::Result<Status> {
    let snap = args.ws.load()?;
    if args.snapshot {
        snap.verify()?;
        eprintln!(
            "lotgraph: snapshot {}: every array matches its checksum",
            snap.data_path().display()
        );
    }
    let band = YieldBand {
        min: args.min_yield,
        max: args.max_yield,
    };
    if !(band.min.is_finite() && band.max.is_finite() && 0.0 <= band.min && band.min <= band.max) {
        bail!(
            "--min-yield {} and --max-yield {}: need 0 <= min <= max",
            band.min,
            band.max
        );
    }
    let ds = &snap.dataset;
    let f = balance::check(ds, &snap.genealogy, &snap.balance, band);
    let mut t = Tabular::new(&[col::FINDING, col::LOT_ID, col::SITE_ID, col::DETAIL]);
    for (l, used) in &f.over_consumed {
        let lot = ds.lot(*l);
        t.push(vec![
            Cell::text(OVER_CONSUMED),
            Cell::text(lot.id),
            Cell::Text(None),
            Cell::text(format!(
                "consumed + shipped to customers {} > quantity {} {}",
                fmt_num(*used),
                fmt_num(lot.quantity),
                ds.uom_of(*l)
            )),
        ]);
    }
    for s in &f.negative_on_hand {
        t.push(vec![
            Cell::text(NEGATIVE_ON_HAND),
            Cell::text(ds.lot_id(s.lot)),
            Cell::opt(s.site.map(|x| ds.site_id(x))),
            Cell::text(format!(
                "on hand {} {}",
                fmt_num(s.on_hand),
                ds.uom_of(s.lot)
            )),
        ]);
    }
    for l in &f.produced_without_inputs {
        t.push(vec![
            Cell::text(NO_INPUTS),
            Cell::text(ds.lot_id(*l)),
            Cell::Text(None),
            Cell::text("origin produced, no consumption records"),
        ]);
    }
    for (l, skus) in &f.recorded_basis {
        let names: Vec<&str> = skus
            .iter()
            .map(|s| ds.products[s.ix()].sku.as_str())
            .collect();
        t.push(vec![
            Cell::text(RECORDED_BASIS),
            Cell::text(ds.lot_id(*l)),
            Cell::Text(None),
            Cell::text(format!("no kg_per_uom: {}", names.join(", "))),
        ]);
    }
    for y in &f.yield_out_of_band {
        t.push(vec![
            Cell::text(YIELD_OUT_OF_BAND),
            Cell::text(ds.lot_id(y.lot)),
            Cell::Text(None),
            Cell::text(format!(
                "yield {:.4} = {} kg out / {} kg content in (band {}-{})",
                y.ratio,
                fmt_num(y.output_kg),
                fmt_num(y.input_kg),
                fmt_num(band.min),
                fmt_num(band.max)
            )),
        ]);
    }
    for r in snap.rejects()? {
        if r.problem.starts_with("unknown lot") {
            t.push(vec![
                Cell::text(UNKNOWN_LOT),
                Cell::Text(None),
                Cell::Text(None),
                Cell::text(r.to_string()),
            ]);
        }
    }
    let mut summary = Tabular::new(&[col::FINDING, col::COUNT]);
    for kind in [
        OVER_CONSUMED,
        NEGATIVE_ON_HAND,
        NO_INPUTS,
        RECORDED_BASIS,
        YIELD_OUT_OF_BAND,
        UNKNOWN_LOT,
    ] {
        let is_kind = |c: &Cell| matches!(c, Cell::Text(Some(k)) if k == kind);
        let n = t.rows.iter().filter(|r| is_kind(&r[0])).count();
        summary.push(vec![Cell::text(kind), Cell::Int(n as u64)]);
    }
    let status = if args.strict && !t.rows.is_empty() {
        Status::Findings
    } else {
        Status::Ok
    };
    let written = (|| -> anyhow::Result<()> {
        let mut out = open_output(&args.output)?;
        match args.format {
            ReportFormat::Json => write_json(
                &mut *out,
                &TablesJson(&[("summary", &summary), ("findings", &t)]),
            )?,
            ReportFormat::Table => {
                summary.write_table(&mut *out)?;
                if !t.rows.is_empty() {
                    writeln!(out)?;
                    t.write_table(&mut *out)?;
                }
            }
        }
        out.flush()?;
        Ok(())
    })();
    crate::after_writing(status, written)
}
