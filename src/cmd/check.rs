//! `lotgraph check`: integrity and mass-balance report. Lists over-consumed
//! lots, negative on-hand per site, produced lots without inputs, lots
//! whose shares fall back to the recorded basis (with the SKUs that lack
//! `kg_per_uom`), yields outside a band, and rows the ingest rejected for
//! pointing at unknown lots (shipments, returns, ...), lots returned more
//! than they shipped and shipments from a site to itself. `--strict` exits 1
//! when anything is found; `--snapshot` first verifies the snapshot file's
//! checksums.

use super::{ReportFormat, WorkspaceArgs};
use crate::Status;
use crate::report::{Cell, TablesJson, Tabular, columns as col, fmt_num, open_output, write_json};
use anyhow::bail;
use lotgraph_core::analytics::balance::{self, YieldBand};
use lotgraph_core::model::{Dataset, Destination};
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

/// The kinds of finding, in the order they are listed.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum FindingKind {
    /// consumed + shipped to customers > the lot's quantity.
    OverConsumed,
    /// A (lot, site) whose on hand is below zero.
    NegativeOnHand,
    /// A produced lot with no consumption records.
    ProducedWithoutInputs,
    /// A lot whose shares fall back to recorded quantities.
    RecordedBasis,
    /// A produced lot whose yield is outside the band.
    YieldOutOfBand,
    /// More units returned than shipped to customers.
    OverReturned,
    /// A transfer to the site it leaves from.
    SelfShipment,
    /// A rejected row that named a lot the dataset does not have.
    UnknownLotReference,
}

impl FindingKind {
    const ALL: [FindingKind; 8] = [
        FindingKind::OverConsumed,
        FindingKind::NegativeOnHand,
        FindingKind::ProducedWithoutInputs,
        FindingKind::RecordedBasis,
        FindingKind::YieldOutOfBand,
        FindingKind::OverReturned,
        FindingKind::SelfShipment,
        FindingKind::UnknownLotReference,
    ];

    /// The name in the `finding` column (docs/cli-contract.md).
    fn as_str(self) -> &'static str {
        match self {
            FindingKind::OverConsumed => "over_consumed",
            FindingKind::NegativeOnHand => "negative_on_hand",
            FindingKind::ProducedWithoutInputs => "produced_without_inputs",
            FindingKind::RecordedBasis => "recorded_basis",
            FindingKind::YieldOutOfBand => "yield_out_of_band",
            FindingKind::OverReturned => "over_returned",
            FindingKind::SelfShipment => "self_shipment",
            FindingKind::UnknownLotReference => "unknown_lot_reference",
        }
    }
}

/// The findings table under construction, with a count per kind.
struct Report {
    table: Tabular,
    counts: [u64; FindingKind::ALL.len()],
}

impl Report {
    fn push(&mut self, kind: FindingKind, lot: Option<&str>, site: Option<&str>, detail: String) {
        if let Some(k) = FindingKind::ALL.iter().position(|x| *x == kind) {
            self.counts[k] += 1;
        }
        self.table.push(vec![
            Cell::text(kind.as_str()),
            Cell::opt(lot),
            Cell::opt(site),
            Cell::text(detail),
        ]);
    }
}

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
    let f = balance::check(&snap.dataset, &snap.genealogy, &snap.balance, band);
    let mut r = Report {
        table: Tabular::new(&[col::FINDING, col::LOT_ID, col::SITE_ID, col::DETAIL]),
        counts: [0; FindingKind::ALL.len()],
    };
    balance_findings(&mut r, &snap.dataset, &f, band);
    for j in snap.rejects()? {
        if j.kind == lotgraph_core::ingest::RejectKind::UnknownLot {
            r.push(FindingKind::UnknownLotReference, None, None, j.to_string());
        }
    }
    let mut summary = Tabular::new(&[col::FINDING, col::COUNT]);
    for (kind, n) in FindingKind::ALL.iter().zip(r.counts) {
        summary.push(vec![Cell::text(kind.as_str()), Cell::Int(n)]);
    }
    let t = r.table;
    let status = if args.strict && !t.rows.is_empty() {
        Status::Findings
    } else {
        Status::Ok
    };
    let written = (|| -> anyhow::Result<()> {
        let mut out = open_output(&args.output)?;
        match args.format {
            ReportFormat::Json => write_json(
                &mut out,
                &TablesJson(&[("summary", &summary), ("findings", &t)]),
            )?,
            ReportFormat::Table => {
                summary.write_table(&mut out)?;
                if !t.rows.is_empty() {
                    writeln!(out)?;
                    t.write_table(&mut out)?;
                }
            }
        }
        out.finish()?;
        Ok(())
    })();
    crate::after_writing(status, written)
}

/// Adds the findings of the balance checks, kind by kind.
fn balance_findings(r: &mut Report, ds: &Dataset, f: &balance::Findings, band: YieldBand) {
    for (l, used) in &f.over_consumed {
        let lot = ds.lot(*l);
        let detail = format!(
            "consumed + shipped to customers {} > quantity {} {}",
            fmt_num(*used),
            fmt_num(lot.quantity),
            ds.uom_of(*l)
        );
        r.push(FindingKind::OverConsumed, Some(lot.id), None, detail);
    }
    for s in &f.negative_on_hand {
        let detail = format!("on hand {} {}", fmt_num(s.on_hand), ds.uom_of(s.lot));
        let site = s.site.map(|x| ds.site_id(x));
        r.push(
            FindingKind::NegativeOnHand,
            Some(ds.lot_id(s.lot)),
            site,
            detail,
        );
    }
    for l in &f.produced_without_inputs {
        let detail = "origin produced, no consumption records".to_string();
        r.push(
            FindingKind::ProducedWithoutInputs,
            Some(ds.lot_id(*l)),
            None,
            detail,
        );
    }
    for (l, skus) in &f.recorded_basis {
        let names: Vec<&str> = skus
            .iter()
            .map(|s| ds.products[s.ix()].sku.as_str())
            .collect();
        let detail = format!("no kg_per_uom: {}", names.join(", "));
        r.push(
            FindingKind::RecordedBasis,
            Some(ds.lot_id(*l)),
            None,
            detail,
        );
    }
    for y in &f.yield_out_of_band {
        let detail = format!(
            "yield {:.4} = {} kg out / {} kg content in (band {}-{})",
            y.ratio,
            fmt_num(y.output_kg),
            fmt_num(y.input_kg),
            fmt_num(band.min),
            fmt_num(band.max)
        );
        r.push(
            FindingKind::YieldOutOfBand,
            Some(ds.lot_id(y.lot)),
            None,
            detail,
        );
    }
    for o in &f.over_returned {
        let detail = format!(
            "returned {} > shipped to customers {} {}; returns counts at most the shipped units in baselines",
            fmt_num(o.returned),
            fmt_num(o.shipped),
            ds.uom_of(o.lot)
        );
        r.push(
            FindingKind::OverReturned,
            Some(ds.lot_id(o.lot)),
            None,
            detail,
        );
    }
    for &i in &f.self_shipments {
        let s = ds.shipments.get(i);
        let site = match s.to {
            Destination::Site(t) => Some(ds.site_id(t)),
            Destination::Customer(_) => None,
        };
        let detail = format!(
            "shipment {:?} moves {} {} from site {} to itself",
            s.id,
            fmt_num(s.quantity),
            ds.uom_of(s.lot),
            site.unwrap_or("")
        );
        r.push(
            FindingKind::SelfShipment,
            Some(ds.lot_id(s.lot)),
            site,
            detail,
        );
    }
}
