//! A trace's typed result and its exporters: the rows of the traced lots
//! (JSON from serde, every table format from the same rows, with the
//! customers and the located split as further tables), and the pictures
//! of [`pictures`] (tree, DOT, Mermaid).

pub mod pictures;

pub use pictures::TREE_INDENT_CAP;

use super::document::{Chart, GraphNode, Json};
use super::located::{self, LocatedJson};
use super::row::{Num, RowError, Share, table_of};
use super::{Document, Format, Tabular, fmt_num, sanitize};
use chrono::NaiveDate;
use lotgraph_core::analytics::locate::Located;
use lotgraph_core::model::{Dataset, Destination, LotIx, Origin};
use lotgraph_core::{Direction, Genealogy, Trace};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;

/// The formats of `trace`: all of them.
pub const FORMATS: &[Format] = Format::ALL;

/// One traced lot (the root excluded), in trace order.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TraceRow {
    pub lot_id: String,
    pub sku: String,
    /// Consumption steps from the root.
    pub depth: u32,
    /// Quantity-weighted share of the lot in the root (back) or of the
    /// root in the lot (forward).
    pub share: Share,
    /// The basis the lot's shares were computed on (`mass`, `recorded`, ...).
    pub share_basis: Option<String>,
    /// Forward traces: the root's quantity inside this lot (in the root's
    /// unit); absent from backward traces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed_quantity: Option<Num>,
    /// `supplied` or `produced`.
    pub origin: String,
    pub quantity: Num,
    pub uom: Option<String>,
    pub produced_on: Option<NaiveDate>,
    pub received_on: Option<NaiveDate>,
    pub supplier_id: Option<String>,
}

/// A customer reached by a forward trace, with the units it received of
/// the root or of any listed lot.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CustomerRow {
    pub customer_id: String,
    pub quantity: Num,
}

/// `trace --format json` (docs/cli-contract.md, "Trace").
#[derive(Debug, Serialize, JsonSchema)]
pub struct TraceJson {
    pub root: String,
    /// `upstream` or `downstream`.
    pub direction: String,
    pub root_share_basis: Option<String>,
    /// Forward traces: the root's quantity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed_quantity: Option<Num>,
    /// Forward traces: the root's unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed_uom: Option<String>,
    pub lots: Vec<TraceRow>,
    /// Suppliers of every supplied lot listed (and of the root), sorted.
    pub suppliers: Vec<String>,
    /// Forward traces: customers reached, sorted by id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customers: Option<Vec<CustomerRow>>,
    /// `--locate`: where the root's units are now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub located: Option<LocatedJson>,
}

/// A trace with everything its exporters need.
pub struct TraceReport<'a> {
    ds: &'a Dataset,
    g: &'a Genealogy,
    trace: &'a Trace,
    max_depth: Option<u32>,
    /// One row per traced lot (root excluded), in trace order.
    pub rows: Vec<TraceRow>,
    /// Supplier ids of every supplied lot listed (and of the root), sorted.
    pub suppliers: Vec<String>,
    /// Forward traces only: customers that received the root or any listed
    /// lot, with quantities, sorted by id.
    pub customers: Option<Vec<(String, f64)>>,
    /// Forward traces only: the traced quantity of the root in each lot.
    has_traced: bool,
    /// `--locate`: where the root's units are now.
    located: Option<&'a Located>,
}

impl<'a> TraceReport<'a> {
    /// Collects the report of `trace`, traced with `max_depth`; `traced`
    /// (forward traces) is each lot's traced quantity of the root, and
    /// `located` (`--locate`) the split of the root over its resting places.
    pub fn new(
        ds: &'a Dataset,
        g: &'a Genealogy,
        trace: &'a Trace,
        max_depth: Option<u32>,
        traced: Option<&[(LotIx, f64)]>,
        located: Option<&'a Located>,
    ) -> Self {
        let has_traced = traced.is_some();
        let traced: HashMap<LotIx, f64> = traced
            .map(|t| t.iter().copied().collect())
            .unwrap_or_default();
        let mut rows = Vec::with_capacity(trace.lots.len());
        let mut suppliers: Vec<String> = Vec::new();
        let mut add_supplier = |l: LotIx| {
            if let (Origin::Supplied, Some(s)) = (ds.lot(l).origin, ds.supplier_id_of(l)) {
                suppliers.push(s.to_string());
            }
        };
        add_supplier(trace.root);
        for t in &trace.lots {
            let lot = ds.lot(t.lot);
            add_supplier(t.lot);
            let product = ds.product_of(t.lot);
            rows.push(TraceRow {
                lot_id: lot.id.to_string(),
                sku: product.sku.clone(),
                depth: t.depth,
                share: Share(t.share),
                share_basis: g.basis(t.lot).map(|b| b.as_str().to_string()),
                seed_quantity: has_traced.then(|| Num(traced.get(&t.lot).copied().unwrap_or(0.0))),
                origin: lot.origin.as_str().to_string(),
                quantity: Num(lot.quantity),
                uom: product.uom.clone(),
                produced_on: lot.produced_on,
                received_on: lot.received_on,
                supplier_id: ds.supplier_id_of(t.lot).map(str::to_string),
            });
        }
        suppliers.sort();
        suppliers.dedup();
        let customers = (trace.direction == Direction::Downstream).then(|| {
            let listed: HashSet<LotIx> = trace
                .lots
                .iter()
                .map(|t| t.lot)
                .chain([trace.root])
                .collect();
            let mut by: BTreeMap<&str, f64> = BTreeMap::new();
            // The listed lots' shipments, summed in file order as before
            // (float sums depend on order): O(their shipments).
            let mut rows: Vec<u32> = listed
                .iter()
                .flat_map(|l| ds.shipments_of(*l))
                .copied()
                .collect();
            rows.sort_unstable();
            for s in rows.iter().map(|&r| ds.shipments.get(r as usize)) {
                if let (Destination::Customer(c), true) = (s.to, listed.contains(&s.lot)) {
                    *by.entry(ds.customers[c.ix()].id.as_str()).or_default() += s.quantity;
                }
            }
            by.into_iter().map(|(c, q)| (c.to_string(), q)).collect()
        });
        TraceReport {
            ds,
            g,
            trace,
            max_depth,
            rows,
            suppliers,
            customers,
            has_traced,
            located,
        }
    }

    /// The table of the traced lots (backward traces have no
    /// `seed_quantity` column).
    ///
    /// # Errors
    /// Never for [`TraceRow`] (a row type a table cannot hold is a bug).
    pub fn table(&self) -> Result<Tabular, RowError> {
        let mut t = table_of(&self.rows)?;
        if !self.has_traced {
            t.remove_column("seed_quantity");
        }
        Ok(t)
    }

    fn customer_rows(&self) -> Option<Vec<CustomerRow>> {
        self.customers.as_ref().map(|c| {
            c.iter()
                .map(|(id, q)| CustomerRow {
                    customer_id: id.clone(),
                    quantity: Num(*q),
                })
                .collect()
        })
    }

    fn located_json(&self) -> Option<LocatedJson> {
        let root = self.trace.root;
        self.located
            .map(|l| located::json(self.ds, self.ds.unit_key_of(root), l))
    }

    /// The contract's JSON document (consumes the rows: it is the last
    /// use of them).
    pub fn into_json(self) -> TraceJson {
        let root = self.trace.root;
        let customers = self.customer_rows();
        let located = self.located_json();
        TraceJson {
            root: self.ds.lot_id(root).to_string(),
            direction: self.trace.direction.as_str().to_string(),
            root_share_basis: self.g.basis(root).map(|b| b.as_str().to_string()),
            seed_quantity: self.has_traced.then(|| Num(self.ds.lot(root).quantity)),
            seed_uom: self.has_traced.then(|| self.ds.uom_of(root).to_string()),
            lots: self.rows,
            suppliers: self.suppliers,
            customers,
            located,
        }
    }

    /// Writes the report in `format`.
    pub fn write(self, format: Format, w: &mut dyn Write) -> anyhow::Result<()> {
        match format {
            Format::Json => super::write_json(w, &self.into_json()),
            Format::Csv => self.table()?.write_csv(w),
            Format::Table => {
                self.table()?.write_table(w)?;
                self.write_footer(w)
            }
            Format::Tree => {
                self.write_tree(w)?;
                self.write_footer(w)
            }
            Format::Dot => self.write_dot(w),
            Format::Mermaid => self.write_mermaid(w),
            Format::Parquet | Format::Markdown | Format::Html => self.document()?.write(format, w),
        }
    }

    /// The trace as a document: the lots, the customers reached and the
    /// located split as tables, and the traced lots as a genealogy chart.
    fn document(self) -> anyhow::Result<Document> {
        let ds = self.ds;
        let root = self.trace.root;
        let way = match self.trace.direction {
            Direction::Upstream => "back",
            Direction::Downstream => "forward",
        };
        let (lots, customers, where_now) = self.summary();
        let notes = [Some(lots), customers, where_now]
            .into_iter()
            .flatten()
            .collect();
        let drawn = self.drawn();
        let index: HashMap<LotIx, usize> = drawn.iter().enumerate().map(|(i, l)| (*l, i)).collect();
        let depth: HashMap<LotIx, u32> = self.trace.lots.iter().map(|t| (t.lot, t.depth)).collect();
        let shares = self.shares();
        let nodes = drawn
            .iter()
            .map(|&l| GraphNode {
                id: ds.lot_id(l).to_string(),
                detail: ds.product_of(l).sku.clone(),
                level: depth.get(&l).copied().unwrap_or(0),
                share: shares.get(&l).copied().unwrap_or(1.0),
                seed: l == root,
            })
            .collect();
        let edges = self
            .drawn_edges(&drawn)
            .into_iter()
            .filter_map(|(i, o, _)| Some((*index.get(&i)?, *index.get(&o)?)))
            .collect();
        let mut doc = Document {
            title: format!("Trace {way} {}", ds.lot_id(root)),
            notes,
            charts: vec![Chart::Genealogy {
                title: format!("Lots traced {way} from {}", ds.lot_id(root)),
                nodes,
                edges,
            }],
            ..Document::default()
        };
        doc.tables.push(("lots".into(), self.table()?));
        if let Some(c) = self.customer_rows() {
            doc.push_table("customers", &c)?;
        }
        if let Some(l) = self.located {
            let uom = ds.uom_of(root);
            doc.tables
                .push(("located".into(), located::table(ds, uom, l)?));
        }
        doc.json = Json::of(self.into_json());
        Ok(doc)
    }

    /// The summary lines: lots and suppliers, customers reached (forward),
    /// where the units are now (`--locate`).
    fn summary(&self) -> (String, Option<String>, Option<String>) {
        let lots = format!(
            "{} lot(s) {}; suppliers: {}",
            self.trace.lots.len(),
            match self.trace.direction {
                Direction::Upstream => "upstream",
                Direction::Downstream => "downstream",
            },
            if self.suppliers.is_empty() {
                "none".to_string()
            } else {
                sanitize(&self.suppliers.join(", "))
            }
        );
        let customers = self.customers.as_ref().map(|c| {
            let list: Vec<String> = c
                .iter()
                .map(|(id, q)| format!("{} ({})", sanitize(id), fmt_num(*q)))
                .collect();
            format!(
                "customers reached: {}",
                if list.is_empty() {
                    "none".into()
                } else {
                    list.join(", ")
                }
            )
        });
        let located = self.located.map(|l| {
            let uom = self.ds.uom_of(self.trace.root);
            format!("where it is now: {}", located::sentence(self.ds, uom, l))
        });
        (lots, customers, located)
    }

    fn write_footer(&self, w: &mut dyn Write) -> anyhow::Result<()> {
        let (lots, customers, where_now) = self.summary();
        writeln!(w, "\n{lots}")?;
        if let Some(c) = customers {
            writeln!(w, "{c}")?;
        }
        if let (Some(l), Some(line)) = (self.located, where_now) {
            writeln!(w, "\n{line}\n")?;
            let uom = self.ds.uom_of(self.trace.root);
            located::table(self.ds, uom, l)?.write_table(w)?;
        }
        Ok(())
    }
}
