//! `lotgraph check`: integrity and mass-balance report. Lists over-consumed
//! lots, negative on-hand per site, produced lots without inputs, lots
//! whose shares fall back to the recorded basis (with the SKUs that lack
//! `kg_per_uom`), yields outside a band, and rows the ingest rejected for
//! pointing at unknown lots (shipments, returns, ...), lots returned more
//! than they shipped and shipments from a site to itself. `--strict` exits 1
//! when anything is found; `--snapshot` first verifies the snapshot file's
//! checksums.

use super::WorkspaceArgs;
use crate::Status;
use crate::report::document::Json;
use crate::report::{Document, Format, fmt_num};
use anyhow::bail;
use lotgraph_core::analytics::balance::{self, YieldBand};
use lotgraph_core::model::{Dataset, Destination};
use schemars::JsonSchema;
use serde::Serialize;

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
    #[command(flatten)]
    pub report: super::ReportArgs,
    #[command(flatten)]
    pub ws: WorkspaceArgs,
}

/// The kinds of finding, in the order they are listed; serialised by
/// their names in the `finding` column.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
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
}

/// One finding.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FindingRow {
    pub finding: FindingKind,
    pub lot_id: Option<String>,
    pub site_id: Option<String>,
    /// What was found, with the figures.
    pub detail: String,
}

/// How many findings of one kind.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SummaryRow {
    pub finding: FindingKind,
    pub count: u64,
}

/// `check --format json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CheckJson {
    /// One row per kind, every kind listed.
    pub summary: Vec<SummaryRow>,
    pub findings: Vec<FindingRow>,
}

/// The findings under construction, with a count per kind.
struct Report {
    table: Vec<FindingRow>,
    counts: [u64; FindingKind::ALL.len()],
}

impl Report {
    fn push(&mut self, kind: FindingKind, lot: Option<&str>, site: Option<&str>, detail: String) {
        if let Some(k) = FindingKind::ALL.iter().position(|x| *x == kind) {
            self.counts[k] += 1;
        }
        self.table.push(FindingRow {
            finding: kind,
            lot_id: lot.map(str::to_string),
            site_id: site.map(str::to_string),
            detail,
        });
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
    let format = args
        .report
        .format_of("check", Format::Table, Format::DOCUMENT)?;
    let mut r = Report {
        table: Vec::new(),
        counts: [0; FindingKind::ALL.len()],
    };
    balance_findings(&mut r, &snap.dataset, &f, band);
    for j in snap.rejects()? {
        if j.kind == lotgraph_core::ingest::RejectKind::UnknownLot {
            r.push(FindingKind::UnknownLotReference, None, None, j.to_string());
        }
    }
    let summary: Vec<SummaryRow> = FindingKind::ALL
        .iter()
        .zip(r.counts)
        .map(|(kind, n)| SummaryRow {
            finding: *kind,
            count: n,
        })
        .collect();
    let findings = r.table;
    let status = if args.strict && !findings.is_empty() {
        Status::Findings
    } else {
        Status::Ok
    };
    let mut doc = Document {
        title: "Integrity and mass-balance check".into(),
        ..Document::default()
    };
    doc.push_table("summary", &summary)?;
    // People see the findings table only when there are findings; the
    // other formats always have it, and it is what CSV and Parquet export.
    if format != Format::Table || !findings.is_empty() {
        doc.push_table("", &findings)?;
        doc.main = 1;
    }
    doc.json = Json::of(CheckJson { summary, findings });
    crate::after_writing(status, args.report.emit_as(format, &doc))
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
