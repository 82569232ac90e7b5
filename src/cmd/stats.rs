//! `lotgraph stats`: counts per entity and edge kind, the depth of the
//! genealogy, and the lots with the largest fan-out.

use super::{ReportFormat, WorkspaceArgs};
use crate::Status;
use crate::report::{Cell, Tabular, columns as col, open_output, write_json};
use lotgraph_core::graph::network::{self, Edge, Node};
use lotgraph_core::model::{Destination, LotIx, Origin, ShipmentStatus};
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
    // Node and edge kinds are counted on the petgraph network so the counts
    // describe the same graph the mirror exports.
    let net = network::build(ds);
    let mut counts = Tabular::new(&[col::ENTITY, col::COUNT]);
    let mut count = |name: &str, n: usize| counts.push(vec![Cell::text(name), Cell::Int(n as u64)]);
    let nodes = |f: fn(&Node) -> bool| net.node_weights().filter(|n| f(n)).count();
    let edges = |f: fn(&Edge) -> bool| net.edge_weights().filter(|e| f(e)).count();
    count("lots", nodes(|n| matches!(n, Node::Lot(_))));
    count(
        "lots supplied",
        ds.lots
            .iter()
            .filter(|l| l.origin == Origin::Supplied)
            .count(),
    );
    count(
        "lots produced",
        ds.lots
            .iter()
            .filter(|l| l.origin == Origin::Produced)
            .count(),
    );
    count("suppliers", nodes(|n| matches!(n, Node::Supplier(_))));
    count("sites", nodes(|n| matches!(n, Node::Site(_))));
    count("customers", nodes(|n| matches!(n, Node::Customer(_))));
    count("products", ds.products.len());
    count("edges supplied-by", edges(|e| matches!(e, Edge::Supplied)));
    count(
        "edges consumed-into (rows)",
        edges(|e| matches!(e, Edge::ConsumedInto { .. })),
    );
    count("edges consumed-into (distinct pairs)", g.edge_count());
    count(
        "edges shipped",
        edges(|e| matches!(e, Edge::Shipped { .. })),
    );
    count(
        "shipments to customers",
        ds.shipments
            .iter()
            .filter(|s| matches!(s.to, Destination::Customer(_)))
            .count(),
    );
    count(
        "shipments in transit",
        ds.shipments
            .iter()
            .filter(|s| s.status == ShipmentStatus::InTransit)
            .count(),
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
    let key = |l: &LotIx| (std::cmp::Reverse(g.outputs().degree(*l)), ds.lot_id(*l));
    if k > 0 && k < by_fan.len() {
        by_fan.select_nth_unstable_by(k - 1, |a, b| key(a).cmp(&key(b)));
    }
    by_fan.truncate(k);
    by_fan.sort_by(|a, b| key(a).cmp(&key(b)));
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
            &mut *out,
            &json!({"counts": counts.json_rows(), "depth": depth, "largest_fan_out": top.json_rows()}),
        )?,
        ReportFormat::Table => {
            counts.write_table(&mut *out)?;
            writeln!(out, "\nlargest lots by fan-out (direct outputs)")?;
            top.write_table(&mut *out)?;
        }
    }
    out.flush()?;
    Ok(Status::Ok)
}
