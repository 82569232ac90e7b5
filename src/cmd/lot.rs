//! `lotgraph lot show LOT`: every fact about one lot: what it is, where it
//! came from, where its quantity went, what it was made from and into, and
//! its shipments, returns and inspections.

use super::WorkspaceArgs;
use crate::Status;
use crate::report::row::{Num, table_of};
use crate::report::{Cell, Format, Tabular, fmt_num, open_output, sanitize, write_json};
use chrono::NaiveDate;
use lotgraph_core::analytics::balance::Balance;
use lotgraph_core::model::{Dataset, Destination, LotIx};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

/// What to do with a lot.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Show every fact about one lot.
    Show(ShowArgs),
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The lot id.
    pub lot: String,
    #[command(flatten)]
    pub report: super::ReportArgs,
    #[command(flatten)]
    pub ws: WorkspaceArgs,
}

pub fn run(args: Args) -> anyhow::Result<Status> {
    match args.action {
        Action::Show(a) => show(a),
    }
}

fn show(args: ShowArgs) -> anyhow::Result<Status> {
    let format =
        args.report
            .format_of("lot show", Format::Table, &[Format::Table, Format::Json])?;
    let snap = args.ws.load()?;
    let ix = super::find_lot(&snap, &args.ws, &args.lot)?;
    let facts = LotFacts::collect(&snap.dataset, &snap.genealogy, &snap.balance, ix);
    let mut out = open_output(&args.report.output)?;
    match format {
        Format::Json => write_json(&mut out, &facts)?,
        _ => facts.write_text(&mut out)?,
    }
    out.finish()?;
    Ok(Status::Ok)
}

/// What a lot is, where it came from and where its quantity went.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LotFields {
    pub lot_id: String,
    pub sku: String,
    /// The product's name.
    pub product: Option<String>,
    /// `food`, `pharma`, ... (the product's category).
    pub category: Option<String>,
    pub uom: Option<String>,
    /// `supplied` or `produced`.
    pub origin: String,
    pub supplier_id: Option<String>,
    pub supplier_name: Option<String>,
    pub supplier_lot_code: Option<String>,
    pub site_id: Option<String>,
    pub line: Option<String>,
    pub produced_on: Option<NaiveDate>,
    pub received_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    /// `recorded` or `shelf_life` (computed from the product's shelf life).
    pub expiry_source: Option<String>,
    pub status: String,
    pub quantity: Num,
    pub unit_cost: Option<Num>,
    pub consumed: Num,
    pub shipped_to_customers: Num,
    pub delivered: Num,
    pub in_transit: Num,
    pub on_hand: Num,
    pub returned: Num,
}

/// On hand at one site.
#[derive(Debug, Serialize, JsonSchema)]
pub struct OnHandRow {
    pub site_id: Option<String>,
    pub on_hand: Num,
}

/// A lot this one was made from (parents) or went into (children).
#[derive(Debug, Serialize, JsonSchema)]
pub struct RelativeRow {
    pub lot_id: String,
    pub sku: String,
    /// Consumed, in the input lot's unit.
    pub consumed: Num,
    pub uom: String,
}

/// One shipment of the lot.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ShipmentRow {
    pub shipment_id: String,
    /// `site ID` or `customer ID`.
    pub to: String,
    pub quantity: Num,
    pub status: String,
    pub shipped_on: NaiveDate,
    pub delivered_on: Option<NaiveDate>,
}

/// One return of the lot.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReturnRow {
    pub return_id: String,
    pub customer_id: Option<String>,
    pub quantity: Num,
    pub category: Option<String>,
    pub reported_on: NaiveDate,
    pub reason: Option<String>,
}

/// One inspection of the lot.
#[derive(Debug, Serialize, JsonSchema)]
pub struct InspectionRow {
    pub inspection_id: String,
    pub inspected_on: Option<NaiveDate>,
    /// `pass` or `fail`.
    pub result: String,
    pub defect: Option<String>,
}

/// The facts of one lot (`lot show --format json`): the fields, one array
/// per section, then the extra columns of its row.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LotFacts {
    #[serde(flatten)]
    pub fields: LotFields,
    pub on_hand_by_site: Vec<OnHandRow>,
    pub parents: Vec<RelativeRow>,
    pub children: Vec<RelativeRow>,
    pub shipments: Vec<ShipmentRow>,
    pub returns: Vec<ReturnRow>,
    pub inspections: Vec<InspectionRow>,
    /// Extra (unknown) columns of the lot's row, in file order (null:
    /// empty, which the record format reads as unknown).
    #[schemars(with = "BTreeMap<String, Option<String>>")]
    pub extra: Extra,
}

/// Extra columns in file order, written as a JSON object.
#[derive(Debug, Default)]
pub struct Extra(pub Vec<(String, String)>);

impl Serialize for Extra {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            // Empty cells mean "unknown" in the record format.
            let v = (!v.trim().is_empty()).then_some(v);
            m.serialize_entry(k, &v)?;
        }
        m.end()
    }
}

impl LotFields {
    /// The fields of lot `ix`: O(1) but for the product and supplier.
    fn collect(ds: &Dataset, bal: &Balance, ix: LotIx) -> LotFields {
        let lot = ds.lot(ix);
        let product = ds.product_of(ix);
        let i = ix.ix();
        let expiry = ds.expiry(ix);
        let supplier = lot.supplier.map(|s| &ds.suppliers[s.ix()]);
        let text = |v: Option<&str>| v.map(str::to_string);
        LotFields {
            lot_id: lot.id.to_string(),
            sku: product.sku.clone(),
            product: product.name.clone(),
            category: product.category.map(|c| c.as_str().to_string()),
            uom: product.uom.clone(),
            origin: lot.origin.as_str().to_string(),
            supplier_id: supplier.map(|s| s.id.clone()),
            supplier_name: supplier.and_then(|s| s.name.clone()),
            supplier_lot_code: text(lot.supplier_lot_code),
            site_id: text(lot.site.map(|s| ds.site_id(s))),
            line: lot.line.map(|l| ds.line_label(l)),
            produced_on: lot.produced_on,
            received_on: lot.received_on,
            expires_on: expiry.map(|e| e.0),
            expiry_source: expiry.map(|e| {
                match e.1 {
                    lotgraph_core::model::ExpirySource::Recorded => "recorded",
                    lotgraph_core::model::ExpirySource::ShelfLife => "shelf_life",
                }
                .to_string()
            }),
            status: lot.status.as_str().to_string(),
            quantity: Num(lot.quantity),
            unit_cost: ds.unit_cost(ix).map(Num),
            consumed: Num(bal.consumed[i]),
            shipped_to_customers: Num(bal.to_customers[i]),
            delivered: Num(bal.delivered[i]),
            in_transit: Num(bal.in_transit[i]),
            on_hand: Num(bal.on_hand(ix)),
            returned: Num(bal.returned[i]),
        }
    }
}

impl LotFacts {
    /// Gathers the facts: O(degree + the lot's own shipments, returns and
    /// inspections); the balance comes precomputed.
    pub fn collect(
        ds: &Dataset,
        g: &lotgraph_core::Genealogy,
        bal: &Balance,
        ix: LotIx,
    ) -> LotFacts {
        let id = |l: LotIx| ds.lot_id(l).to_string();
        let i = ix.ix();
        let text = |v: Option<&str>| v.map(str::to_string);
        let fields = LotFields::collect(ds, bal, ix);
        let on_hand = bal
            .stock_of(ix)
            .map(|s| OnHandRow {
                site_id: s.site.map(|t| ds.site_id(t).to_string()),
                on_hand: Num(s.on_hand),
            })
            .collect();
        // Consumed quantities are in the input lot's unit: the relative's
        // for parents (upstream), this lot's for children (downstream).
        let relatives = |way: lotgraph_core::Direction| {
            let csr = match way {
                lotgraph_core::Direction::Upstream => g.inputs(),
                lotgraph_core::Direction::Downstream => g.outputs(),
            };
            let mut t = Vec::new();
            let mut v: Vec<(LotIx, f64)> = csr.edges(ix).collect();
            v.sort_by(|a, b| ds.lot(a.0).id.cmp(ds.lot(b.0).id));
            for (o, q) in v {
                let input = match way {
                    lotgraph_core::Direction::Upstream => o,
                    lotgraph_core::Direction::Downstream => ix,
                };
                t.push(RelativeRow {
                    lot_id: id(o),
                    sku: ds.product_of(o).sku.clone(),
                    consumed: Num(q),
                    uom: ds.uom_of(input).to_string(),
                });
            }
            t
        };
        let parents = relatives(lotgraph_core::Direction::Upstream);
        let children = relatives(lotgraph_core::Direction::Downstream);
        let mut shipments = Vec::new();
        for s in ds
            .shipments_of(ix)
            .iter()
            .map(|&r| ds.shipments.get(r as usize))
        {
            let to = match s.to {
                Destination::Site(t) => format!("site {}", ds.site_id(t)),
                Destination::Customer(c) => format!("customer {}", ds.customers[c.ix()].id),
            };
            shipments.push(ShipmentRow {
                shipment_id: s.id.to_string(),
                to,
                quantity: Num(s.quantity),
                status: s.status.as_str().to_string(),
                shipped_on: s.shipped_on,
                delivered_on: s.delivered_on,
            });
        }
        let mut returns = Vec::new();
        for r in ds
            .returns_of(ix)
            .iter()
            .map(|&r| ds.returns.get(r as usize))
        {
            returns.push(ReturnRow {
                return_id: r.id.to_string(),
                customer_id: r.customer.map(|c| ds.customers[c.ix()].id.clone()),
                quantity: Num(r.quantity),
                category: r.category.map(|c| c.as_str().to_string()),
                reported_on: r.reported_on,
                reason: text(r.reason),
            });
        }
        let mut inspections = Vec::new();
        for n in ds
            .inspections_of(ix)
            .iter()
            .map(|&r| ds.inspections.get(r as usize))
        {
            inspections.push(InspectionRow {
                inspection_id: n.id.to_string(),
                inspected_on: n.inspected_on,
                result: n.result.as_str().to_string(),
                defect: text(n.defect),
            });
        }
        let ex = &ds.extras[lotgraph_core::model::FileKind::Lots as usize];
        let extra = Extra(
            ex.columns
                .iter()
                .zip(ex.row(i))
                .map(|(c, v)| (c.clone(), v.to_string()))
                .collect(),
        );
        LotFacts {
            fields,
            on_hand_by_site: on_hand,
            parents,
            children,
            shipments,
            returns,
            inspections,
            extra,
        }
    }

    /// The sections as tables, in display order.
    fn sections(&self) -> anyhow::Result<[(&'static str, Tabular); 6]> {
        Ok([
            ("on_hand_by_site", table_of(&self.on_hand_by_site)?),
            ("parents", table_of(&self.parents)?),
            ("children", table_of(&self.children)?),
            ("shipments", table_of(&self.shipments)?),
            ("returns", table_of(&self.returns)?),
            ("inspections", table_of(&self.inspections)?),
        ])
    }

    /// Text: aligned `field: value` lines, then each non-empty section.
    pub fn write_text(&self, w: &mut dyn Write) -> anyhow::Result<()> {
        let fields = table_of(std::slice::from_ref(&self.fields))?;
        let width = fields.columns.iter().map(|k| k.len()).max().unwrap_or(0);
        let values = fields.rows.first().map_or(&[][..], |r| &r[..]);
        for (k, v) in fields.columns.iter().zip(values) {
            let s = match v {
                Cell::Text(s) => s.clone().unwrap_or_else(|| "-".into()),
                Cell::Num(n) => n.map_or_else(|| "-".into(), fmt_num),
                Cell::Date(d) => d.map_or_else(|| "-".into(), |d| d.to_string()),
                Cell::Int(n) => n.to_string(),
                Cell::Share(x) => format!("{x:.4}"),
                Cell::Bool(b) => b.to_string(),
                Cell::Prob(x) => x.to_string(),
            };
            writeln!(w, "{k:<width$}  {}", sanitize(&s))?;
        }
        for (k, v) in &self.extra.0 {
            writeln!(w, "{:<width$}  {}", sanitize(k), sanitize(v))?;
        }
        for (name, t) in self.sections()? {
            writeln!(w, "\n{name} ({})", t.rows.len())?;
            if !t.rows.is_empty() {
                t.write_table(w)?;
            }
        }
        Ok(())
    }
}
