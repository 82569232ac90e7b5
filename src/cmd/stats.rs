//! `lotgraph stats`: counts per entity and edge kind, the depth of the
//! genealogy, and the lots with the largest fan-out.

use super::WorkspaceArgs;
use crate::Status;
use crate::report::Document;
use crate::report::document::Json;
use lotgraph_core::model::{LotIx, Origin, ShipmentStatus};
use lotgraph_core::store::NO_IX;
use lotgraph_core::{Direction, Tracer};
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many of the largest lots by fan-out to list.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    #[command(flatten)]
    pub report: super::ReportArgs,
    #[command(flatten)]
    pub ws: WorkspaceArgs,
}

/// One count of `stats`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CountRow {
    /// What is counted (`lots`, `edges shipped`, ...).
    pub entity: String,
    pub count: u64,
}

/// One of the lots with the largest fan-out.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FanOutRow {
    pub lot_id: String,
    pub sku: String,
    /// `supplied` or `produced`.
    pub origin: String,
    /// Direct outputs.
    pub fan_out: u64,
    /// Lots reachable downstream.
    pub downstream_lots: u64,
}

/// `stats --format json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct StatsJson {
    pub counts: Vec<CountRow>,
    /// Levels of the genealogy (0: no consumption).
    pub depth: u32,
    pub largest_fan_out: Vec<FanOutRow>,
}

pub fn run(args: Args) -> anyhow::Result<Status> {
    let snap = args.ws.load()?;
    let ds = &snap.dataset;
    let g = &snap.genealogy;
    // Counted on the columns: the network the mirror exports has a node
    // per lot, supplier, site and customer, a supplied-by edge per
    // supplied lot with a supplier, a consumed-into edge per consumption
    // row and a shipped edge per shipment.
    let mut counts = Vec::new();
    let mut count = |name: &str, n: usize| {
        counts.push(CountRow {
            entity: name.to_string(),
            count: n as u64,
        });
    };
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
    let mut top = Vec::with_capacity(by_fan.len());
    let mut tracer = Tracer::new(g);
    for l in by_fan {
        let mut reach = 0u64;
        tracer.walk(&[l], Direction::Downstream, |_, _, _| reach += 1);
        top.push(FanOutRow {
            lot_id: ds.lot_id(l).to_string(),
            sku: ds.product_of(l).sku.clone(),
            origin: ds.lot(l).origin.as_str().to_string(),
            fan_out: g.outputs().degree(l) as u64,
            downstream_lots: reach - 1,
        });
    }
    let mut doc = Document {
        title: "Dataset statistics".into(),
        ..Document::default()
    };
    doc.push_table("counts", &counts)?;
    doc.push_table("largest lots by fan-out (direct outputs)", &top)?;
    doc.json = Json::of(StatsJson {
        counts,
        depth,
        largest_fan_out: top,
    });
    args.report.emit("stats", &doc)?;
    Ok(Status::Ok)
}
