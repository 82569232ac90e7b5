//! `lotgraph stats`: counts per entity and edge kind, the depth of the
//! genealogy, and the lots with the largest fan-out.

use super::{ReportFormat, WorkspaceArgs};
use crate::Status;
use crate::report::{Cell, Tabular, columns as col, open_output, write_json};
use lotgraph_core::model::{LotIx, Origin, ShipmentStatus};
use lotgraph_core::store::NO_IX;
use lotgraph_core::{Direction, Tracer};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many of the largest lots by fan-out to list.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    #[arg(long, short, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Where to write (`-` = stdout).
    #[arg(long, short, default_value = "-")]
    pub output: PathBuf,
    #[command(flatten)]
    pub ws: WorkspaceArgs,
}

pub fn run(args: Args) -> anyhow::Result<Status> {
    let snap = args.ws.load()?;
    let ds = &snap.dataset;
    let g = &snap.genealogy;
    // Counted on the columns: the network the mirror exports has a node
    // per lot, supplier, site and customer, a supplied-by edge per
    // supplied lot with a supplier, a consumed-into edge per consumption
    // row and a shipped edge per shipment.
    let mut counts = Tabular::new(&[col::ENTITY, col::COUNT]);
    let mut count = |name: &str, n: usize| counts.push(vec![Cell::text(name), Cell::Int(n as u64)]);
    let lots = &ds.lots;
    let origin_is = |o: Origin| lots.origin.iter().filter(|c| **c == o.code()).count();
    count("lots", lots.len());
    count("lots supplied", origin_is(Origin::Supplied));
    count("lots produced", origin_is(Origin::Produced));
    count("suppliers", ds.suppliers.len());
    count("sites", ds.sites.len());
    count("customers", ds.customers.len());
    count("products", ds.products.len());
    let supplied_by = lots
        .origin
        .iter()
        .zip(lots.supplier.iter())
        .filter(|(o, s)| **o == Origin::Supplied.code() && **s != NO_IX)
        .count();
    count("edges supplied-by", supplied_by);
    count("edges consumed-into (rows)", ds.consumptions.len());
    count("edges consumed-into (distinct pairs)", g.edge_count());
    count("edges shipped", ds.shipments.len());
    let sh = &ds.shipments;
    count(
        "shipments to customers",
        (0..sh.len()).filter(|i| sh.is_sale(*i)).count(),
    );
    let in_transit = ShipmentStatus::InTransit.code();
    count(
        "shipments in transit",
        sh.status.iter().filter(|c| **c == in_transit).count(),
    );
    count("returns", ds.returns.len());
    count("inspections", ds.inspections.len());
    let levels = g.levels()?;
    let depth = levels.iter().copied().max().unwrap_or(0);
    let roots = (0..ds.lots.len())
        .filter(|i| g.inputs().degree(LotIx::from_ix(*i)) == 0)
        .count();
    let leaves = (0..ds.lots.len())
        .filter(|i| g.outputs().degree(LotIx::from_ix(*i)) == 0)
        .count();
    count("genealogy depth (levels)", depth as usize);
    count("lots without inputs", roots);
    count("lots not consumed", leaves);

    let mut by_fan: Vec<LotIx> = (0..ds.lots.len()).map(LotIx::from_ix).collect();
    let k = args.top.min(by_fan.len());
    // Ties broken by lot id, through id ranks (integers, not strings).
    let rank = ds.lot_ranks();
    let key = |l: &LotIx| (std::cmp::Reverse(g.outputs().degree(*l)), rank[l.ix()]);
    if k > 0 && k < by_fan.len() {
        by_fan.select_nth_unstable_by(k - 1, |a, b| key(a).cmp(&key(b)));
    }
    by_fan.truncate(k);
    by_fan.sort_by_key(key);
    let mut top = Tabular::new(&[
        col::LOT_ID,
        col::SKU,
        col::ORIGIN,
        col::FAN_OUT,
        col::DOWNSTREAM_LOTS,
    ]);
    let mut tracer = Tracer::new(g);
    for l in by_fan {
        let mut reach = 0u64;
        tracer.walk(&[l], Direction::Downstream, |_, _, _| reach += 1);
        top.push(vec![
            Cell::text(ds.lot_id(l)),
            Cell::text(&ds.product_of(l).sku),
            Cell::text(ds.lot(l).origin.as_str()),
            Cell::Int(g.outputs().degree(l) as u64),
            Cell::Int(reach - 1),
        ]);
    }
    let mut out = open_output(&args.output)?;
    match args.format {
        ReportFormat::Json => write_json(
            &mut out,
            &json!({"counts": counts.json_rows(), "depth": depth, "largest_fan_out": top.json_rows()}),
        )?,
        ReportFormat::Table => {
            counts.write_table(&mut out)?;
            writeln!(out, "\nlargest lots by fan-out (direct outputs)")?;
            top.write_table(&mut out)?;
        }
    }
    out.finish()?;
    Ok(Status::Ok)
}
