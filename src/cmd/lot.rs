//! `lotgraph lot show LOT`: every fact about one lot: what it is, where it
//! came from, where its quantity went, what it was made from and into, and
//! its shipments, returns and inspections.

use super::{ReportFormat, WorkspaceArgs};
use crate::Status;
use crate::report::{Cell, Tabular, columns as col, fmt_num, open_output, sanitize, write_json};
use lotgraph_core::analytics::balance::Balance;
use lotgraph_core::model::{Dataset, Destination, LotIx};
use serde_json::{Map, Value, json};
use std::io::Write;
use std::path::PathBuf;

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
    #[arg(long, short, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Where to write (`-` = stdout).
    #[arg(long, short, default_value = "-")]
    pub output: PathBuf,
    #[command(flatten)]
    pub ws: WorkspaceArgs,
}

pub fn run(args: Args) -> anyhow::Result<Status> {
    match args.action {
        Action::Show(a) => show(a),
    }
}

fn show(args: ShowArgs) -> anyhow::Result<Status> {
    let snap = args.ws.load()?;
    let ix = super::find_lot(&snap, &args.ws, &args.lot)?;
    let facts = LotFacts::collect(&snap.dataset, &snap.genealogy, &snap.balance, ix);
    let mut out = open_output(&args.output)?;
    match args.format {
        ReportFormat::Json => write_json(&mut out, &facts.json())?,
        ReportFormat::Table => facts.write_text(&mut out)?,
    }
    out.finish()?;
    Ok(Status::Ok)
}

/// The facts of one lot, as named fields plus tables.
pub struct LotFacts {
    /// `(field, value)` in display order.
    pub fields: Vec<(&'static str, Cell)>,
    pub on_hand: Tabular,
    pub parents: Tabular,
    pub children: Tabular,
    pub shipments: Tabular,
    pub returns: Tabular,
    pub inspections: Tabular,
    /// Extra (unknown) columns of the lot's row.
    pub extra: Vec<(String, String)>,
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
        let lot = ds.lot(ix);
        let product = ds.product_of(ix);
        let i = ix.ix();
        let expiry = ds.expiry(ix);
        let supplier = lot.supplier.map(|s| &ds.suppliers[s.ix()]);
        let fields: Vec<(&'static str, Cell)> = vec![
            ("lot_id", Cell::text(lot.id)),
            ("sku", Cell::text(&product.sku)),
            ("product", Cell::opt(product.name.as_deref())),
            ("category", Cell::opt(product.category.map(|c| c.as_str()))),
            ("uom", Cell::opt(product.uom.as_deref())),
            ("origin", Cell::text(lot.origin.as_str())),
            ("supplier_id", Cell::opt(supplier.map(|s| s.id.as_str()))),
            (
                "supplier_name",
                Cell::opt(supplier.and_then(|s| s.name.as_deref())),
            ),
            ("supplier_lot_code", Cell::opt(lot.supplier_lot_code)),
            ("site_id", Cell::opt(lot.site.map(|s| ds.site_id(s)))),
            ("line", Cell::opt(lot.line.map(|l| ds.line_label(l)))),
            ("produced_on", Cell::Date(lot.produced_on)),
            ("received_on", Cell::Date(lot.received_on)),
            ("expires_on", Cell::Date(expiry.map(|e| e.0))),
            (
                "expiry_source",
                Cell::opt(expiry.map(|e| match e.1 {
                    lotgraph_core::model::ExpirySource::Recorded => "recorded",
                    lotgraph_core::model::ExpirySource::ShelfLife => "shelf_life",
                })),
            ),
            ("status", Cell::text(lot.status.as_str())),
            ("quantity", Cell::Num(Some(lot.quantity))),
            ("unit_cost", Cell::Num(ds.unit_cost(ix))),
            ("consumed", Cell::Num(Some(bal.consumed[i]))),
            ("shipped_to_customers", Cell::Num(Some(bal.to_customers[i]))),
            ("delivered", Cell::Num(Some(bal.delivered[i]))),
            ("in_transit", Cell::Num(Some(bal.in_transit[i]))),
            ("on_hand", Cell::Num(Some(bal.on_hand(ix)))),
            ("returned", Cell::Num(Some(bal.returned[i]))),
        ];
        let mut on_hand = Tabular::new(&[col::SITE_ID, col::ON_HAND]);
        for s in bal.stock_of(ix) {
            on_hand.push(vec![
                Cell::opt(s.site.map(|t| ds.site_id(t))),
                Cell::Num(Some(s.on_hand)),
            ]);
        }
        // Consumed quantities are in the input lot's unit: the relative's
        // for parents (upstream), this lot's for children (downstream).
        let relatives = |way: lotgraph_core::Direction| {
            let csr = match way {
                lotgraph_core::Direction::Upstream => g.inputs(),
                lotgraph_core::Direction::Downstream => g.outputs(),
            };
            let mut t = Tabular::new(&[col::LOT_ID, col::SKU, col::CONSUMED, col::UOM]);
            let mut v: Vec<(LotIx, f64)> = csr.edges(ix).collect();
            v.sort_by(|a, b| ds.lot(a.0).id.cmp(ds.lot(b.0).id));
            for (o, q) in v {
                let input = match way {
                    lotgraph_core::Direction::Upstream => o,
                    lotgraph_core::Direction::Downstream => ix,
                };
                t.push(vec![
                    Cell::text(ds.lot_id(o)),
                    Cell::text(&ds.product_of(o).sku),
                    Cell::Num(Some(q)),
                    Cell::text(ds.uom_of(input)),
                ]);
            }
            t
        };
        let parents = relatives(lotgraph_core::Direction::Upstream);
        let children = relatives(lotgraph_core::Direction::Downstream);
        let mut shipments = Tabular::new(&[
            col::SHIPMENT_ID,
            col::TO,
            col::QUANTITY,
            col::STATUS,
            col::SHIPPED_ON,
            col::DELIVERED_ON,
        ]);
        for s in ds
            .shipments_of(ix)
            .iter()
            .map(|&r| ds.shipments.get(r as usize))
        {
            let to = match s.to {
                Destination::Site(t) => format!("site {}", ds.site_id(t)),
                Destination::Customer(c) => format!("customer {}", ds.customers[c.ix()].id),
            };
            shipments.push(vec![
                Cell::text(s.id),
                Cell::text(to),
                Cell::Num(Some(s.quantity)),
                Cell::text(s.status.as_str()),
                Cell::Date(Some(s.shipped_on)),
                Cell::Date(s.delivered_on),
            ]);
        }
        let mut returns = Tabular::new(&[
            col::RETURN_ID,
            col::CUSTOMER_ID,
            col::QUANTITY,
            col::CATEGORY,
            col::REPORTED_ON,
            col::REASON,
        ]);
        for r in ds
            .returns_of(ix)
            .iter()
            .map(|&r| ds.returns.get(r as usize))
        {
            returns.push(vec![
                Cell::text(r.id),
                Cell::opt(r.customer.map(|c| ds.customers[c.ix()].id.as_str())),
                Cell::Num(Some(r.quantity)),
                Cell::opt(r.category.map(|c| c.as_str())),
                Cell::Date(Some(r.reported_on)),
                Cell::opt(r.reason),
            ]);
        }
        let mut inspections = Tabular::new(&[
            col::INSPECTION_ID,
            col::INSPECTED_ON,
            col::RESULT,
            col::DEFECT,
        ]);
        for n in ds
            .inspections_of(ix)
            .iter()
            .map(|&r| ds.inspections.get(r as usize))
        {
            inspections.push(vec![
                Cell::text(n.id),
                Cell::Date(n.inspected_on),
                Cell::text(n.result.as_str()),
                Cell::opt(n.defect),
            ]);
        }
        let ex = &ds.extras[lotgraph_core::model::FileKind::Lots as usize];
        let extra = ex
            .columns
            .iter()
            .zip(ex.row(i))
            .map(|(c, v)| (c.clone(), v.to_string()))
            .collect();
        LotFacts {
            fields,
            on_hand,
            parents,
            children,
            shipments,
            returns,
            inspections,
            extra,
        }
    }

    fn sections(&self) -> [(&'static str, &Tabular); 6] {
        [
            ("on_hand_by_site", &self.on_hand),
            ("parents", &self.parents),
            ("children", &self.children),
            ("shipments", &self.shipments),
            ("returns", &self.returns),
            ("inspections", &self.inspections),
        ]
    }

    /// JSON: the fields, then one array per section, then `extra`.
    pub fn json(&self) -> Value {
        let mut m = Map::new();
        for (k, v) in &self.fields {
            m.insert((*k).to_string(), v.json());
        }
        for (name, t) in self.sections() {
            m.insert(name.into(), t.json_rows());
        }
        let extra: Map<String, Value> = self
            .extra
            .iter()
            .map(|(k, v)| {
                // Empty cells mean "unknown" in the record format.
                let v = if v.trim().is_empty() {
                    Value::Null
                } else {
                    json!(v)
                };
                (k.clone(), v)
            })
            .collect();
        m.insert("extra".into(), Value::Object(extra));
        Value::Object(m)
    }

    /// Text: aligned `field: value` lines, then each non-empty section.
    pub fn write_text(&self, w: &mut dyn Write) -> anyhow::Result<()> {
        let width = self.fields.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        for (k, v) in &self.fields {
            let s = match v {
                Cell::Text(s) => s.clone().unwrap_or_else(|| "-".into()),
                Cell::Num(n) => n.map(fmt_num).unwrap_or_else(|| "-".into()),
                Cell::Date(d) => d.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
                Cell::Int(n) => n.to_string(),
                Cell::Share(x) => format!("{x:.4}"),
                Cell::Bool(b) => b.to_string(),
                Cell::Prob(x) => x.to_string(),
            };
            writeln!(w, "{k:<width$}  {}", sanitize(&s))?;
        }
        for (k, v) in &self.extra {
            writeln!(w, "{:<width$}  {}", sanitize(k), sanitize(v))?;
        }
        for (name, t) in self.sections() {
            writeln!(w, "\n{name} ({})", t.rows.len())?;
            if !t.rows.is_empty() {
                t.write_table(w)?;
            }
        }
        Ok(())
    }
}
