//! Exporters of a trace: an indented tree for people, a table, JSON exactly
//! as cli-contract.md specifies (plus documented extra fields), CSV, and
//! Graphviz DOT / Mermaid pictures of the traced sub-genealogy.

use super::columns as col;
use super::located;
use super::{Cell, Tabular, fmt_num, json_number, sanitize, write_json};
use lotgraph_core::analytics::locate::Located;
use lotgraph_core::model::{Dataset, Destination, LotIx, Origin};
use lotgraph_core::{Direction, Genealogy, Trace};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;

/// Output formats of `trace`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TraceFormat {
    /// Indented tree: lot, SKU, dates, quantity consumed and share per level.
    Tree,
    /// One row per lot, aligned columns.
    Table,
    /// The JSON shape of cli-contract.md.
    Json,
    /// The table as CSV.
    Csv,
    /// A Graphviz digraph of the traced lots (material flows along arrows).
    Dot,
    /// A Mermaid flowchart of the traced lots.
    Mermaid,
}

/// Levels of the tree output that indent; deeper lines keep the indentation
/// of this level and print their depth, so the output grows linearly with
/// the depth of a chain, not quadratically.
pub const TREE_INDENT_CAP: u32 = 64;

/// A trace with everything its exporters need.
pub struct TraceReport<'a> {
    ds: &'a Dataset,
    g: &'a Genealogy,
    trace: &'a Trace,
    max_depth: Option<u32>,
    /// One row per traced lot (root excluded), in trace order.
    pub rows: Tabular,
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

const TRACE_COLUMNS: &[&str] = &[
    col::LOT_ID,
    col::SKU,
    col::DEPTH,
    col::SHARE,
    col::SHARE_BASIS,
    col::ORIGIN,
    col::QUANTITY,
    col::UOM,
    col::PRODUCED_ON,
    col::RECEIVED_ON,
    col::SUPPLIER_ID,
];

/// Forward traces add the traced quantity of the root in each lot.
const FORWARD_COLUMNS: &[&str] = &[
    col::LOT_ID,
    col::SKU,
    col::DEPTH,
    col::SHARE,
    col::SHARE_BASIS,
    col::SEED_QUANTITY,
    col::ORIGIN,
    col::QUANTITY,
    col::UOM,
    col::PRODUCED_ON,
    col::RECEIVED_ON,
    col::SUPPLIER_ID,
];

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
        let mut rows = Tabular::new(if has_traced {
            FORWARD_COLUMNS
        } else {
            TRACE_COLUMNS
        });
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
            let mut row = vec![
                Cell::text(lot.id),
                Cell::text(&ds.product_of(t.lot).sku),
                Cell::Int(u64::from(t.depth)),
                Cell::Share(t.share),
                Cell::opt(g.basis(t.lot).map(|b| b.as_str())),
            ];
            if has_traced {
                row.push(Cell::Num(Some(traced.get(&t.lot).copied().unwrap_or(0.0))));
            }
            row.extend([
                Cell::text(lot.origin.as_str()),
                Cell::Num(Some(lot.quantity)),
                Cell::opt(ds.product_of(t.lot).uom.as_deref()),
                Cell::Date(lot.produced_on),
                Cell::Date(lot.received_on),
                Cell::opt(ds.supplier_id_of(t.lot)),
            ]);
            rows.push(row);
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

    /// The contract's JSON document.
    pub fn json(&self) -> Value {
        let mut m = Map::new();
        m.insert("root".into(), json!(self.ds.lot_id(self.trace.root)));
        m.insert("direction".into(), json!(self.trace.direction.as_str()));
        let root = self.trace.root;
        m.insert(
            "root_share_basis".into(),
            json!(self.g.basis(root).map(|b| b.as_str())),
        );
        if self.has_traced {
            // tq(root → root) is the root's quantity.
            m.insert(
                "seed_quantity".into(),
                json_number(self.ds.lot(root).quantity),
            );
            m.insert("seed_uom".into(), json!(self.ds.uom_of(root)));
        }
        m.insert("lots".into(), self.rows.json_rows());
        m.insert("suppliers".into(), json!(self.suppliers));
        if let Some(c) = &self.customers {
            let rows: Vec<Value> = c
                .iter()
                .map(|(id, q)| json!({col::CUSTOMER_ID: id, col::QUANTITY: json_number(*q)}))
                .collect();
            m.insert("customers".into(), Value::Array(rows));
        }
        if let Some(l) = self.located {
            m.insert(
                "located".into(),
                located::json(self.ds, self.ds.unit_key_of(root), l),
            );
        }
        Value::Object(m)
    }

    /// Writes the report in `format`.
    pub fn write(&self, format: TraceFormat, w: &mut dyn Write) -> anyhow::Result<()> {
        match format {
            TraceFormat::Json => write_json(w, &self.json()),
            TraceFormat::Csv => self.rows.write_csv(w),
            TraceFormat::Table => {
                self.rows.write_table(w)?;
                self.write_footer(w)
            }
            TraceFormat::Tree => {
                self.write_tree(w)?;
                self.write_footer(w)
            }
            TraceFormat::Dot => self.write_dot(w),
            TraceFormat::Mermaid => self.write_mermaid(w),
        }
    }

    fn write_footer(&self, w: &mut dyn Write) -> anyhow::Result<()> {
        writeln!(
            w,
            "\n{} lot(s) {}; suppliers: {}",
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
        )?;
        if let Some(c) = &self.customers {
            let list: Vec<String> = c
                .iter()
                .map(|(id, q)| format!("{} ({})", sanitize(id), fmt_num(*q)))
                .collect();
            writeln!(
                w,
                "customers reached: {}",
                if list.is_empty() {
                    "none".into()
                } else {
                    list.join(", ")
                }
            )?;
        }
        if let Some(l) = self.located {
            let uom = self.ds.uom_of(self.trace.root);
            writeln!(
                w,
                "\nwhere it is now: {}\n",
                located::sentence(self.ds, uom, l)
            )?;
            located::table(self.ds, uom, l).write_table(w)?;
        }
        Ok(())
    }

    /// The descriptive part of a lot's tree line: SKU, dates, origin.
    fn describe(&self, l: LotIx) -> String {
        let ds = self.ds;
        let lot = ds.lot(l);
        let mut s = format!("{}  {}", sanitize(lot.id), sanitize(&ds.product_of(l).sku));
        match (lot.origin, lot.produced_on, lot.received_on) {
            (_, Some(d), _) => s.push_str(&format!("  produced {d}")),
            (_, None, Some(d)) => s.push_str(&format!("  received {d}")),
            _ => {}
        }
        if let (Origin::Supplied, Some(sup)) = (lot.origin, ds.supplier_id_of(l)) {
            s.push_str(&format!("  from {}", sanitize(sup)));
            if let Some(code) = &lot.supplier_lot_code {
                s.push_str(&format!(" lot {}", sanitize(code)));
            }
        }
        s
    }

    fn write_tree(&self, w: &mut dyn Write) -> anyhow::Result<()> {
        let ds = self.ds;
        let root = self.trace.root;
        let share: HashMap<LotIx, f64> = self.trace.lots.iter().map(|t| (t.lot, t.share)).collect();
        let next = match self.trace.direction {
            Direction::Upstream => self.g.inputs(),
            Direction::Downstream => self.g.outputs(),
        };
        writeln!(
            w,
            "{}  quantity {} {}{}",
            self.describe(root),
            fmt_num(ds.lot(root).quantity),
            ds.uom_of(root),
            match (self.trace.direction, self.g.basis(root)) {
                (Direction::Upstream, Some(b)) => format!("  (shares on a {} basis)", b.as_str()),
                _ => String::new(),
            }
        )?;
        let limit = self.max_depth.unwrap_or(u32::MAX);
        // Remaining depth budget each lot was expanded with: a later, shallower
        // occurrence with more budget is expanded again rather than cut short.
        let mut expanded: HashMap<LotIx, u32> = HashMap::new();
        expanded.insert(root, limit);
        // Explicit stack of (lot, parent, edge quantity, depth, prefix, is_last).
        let mut stack: Vec<(LotIx, LotIx, f64, u32, String, bool)> = Vec::new();
        let push_children = |stack: &mut Vec<_>, v: LotIx, depth: u32, prefix: &str| {
            let mut kids: Vec<(LotIx, f64)> = next.edges(v).collect();
            kids.sort_by(|a, b| ds.lot(a.0).id.cmp(ds.lot(b.0).id));
            let n = kids.len();
            for (i, (k, q)) in kids.into_iter().enumerate().rev() {
                stack.push((k, v, q, depth + 1, prefix.to_string(), i + 1 == n));
            }
        };
        if limit > 0 {
            push_children(&mut stack, root, 0, "");
        }
        while let Some((v, parent, q, depth, prefix, last)) = stack.pop() {
            let branch = if last { "└── " } else { "├── " };
            // The consumed quantity is in the input lot's unit of measure.
            let input = match self.trace.direction {
                Direction::Upstream => v,
                Direction::Downstream => parent,
            };
            let verb = match self.trace.direction {
                Direction::Upstream => "consumed",
                Direction::Downstream => "consumed into it",
            };
            let budget = limit.saturating_sub(depth);
            let repeated = next.degree(v) > 0 && expanded.get(&v).is_some_and(|b| *b >= budget);
            // Past TREE_INDENT_CAP levels the indentation stops growing
            // (a 200k-lot chain drew 80 GB of spaces) and each line says
            // its depth instead.
            let deep = if depth > TREE_INDENT_CAP {
                format!("[depth {depth}] ")
            } else {
                String::new()
            };
            writeln!(
                w,
                "{prefix}{branch}{deep}{}  {verb} {} {}  share {:.4}{}",
                self.describe(v),
                fmt_num(q),
                ds.uom_of(input),
                share.get(&v).copied().unwrap_or(0.0),
                if repeated {
                    "  (inputs shown above)"
                } else {
                    ""
                }
            )?;
            if !repeated && depth < limit && next.degree(v) > 0 {
                expanded.insert(v, budget);
                let child_prefix = if depth >= TREE_INDENT_CAP {
                    prefix.clone()
                } else {
                    format!("{prefix}{}", if last { "    " } else { "│   " })
                };
                push_children(&mut stack, v, depth, &child_prefix);
            }
        }
        Ok(())
    }

    /// Lots drawn in pictures: the root and every listed lot.
    fn drawn(&self) -> Vec<LotIx> {
        let mut v = vec![self.trace.root];
        v.extend(self.trace.lots.iter().map(|t| t.lot));
        v
    }

    /// Edges input → output among drawn lots, with quantities.
    fn drawn_edges(&self, drawn_list: &[LotIx]) -> Vec<(LotIx, LotIx, f64)> {
        let drawn: HashSet<LotIx> = drawn_list.iter().copied().collect();
        let mut e = Vec::new();
        for &v in drawn_list {
            for (o, q) in self.g.outputs().edges(v) {
                if drawn.contains(&o) {
                    e.push((v, o, q));
                }
            }
        }
        e
    }

    fn label_lines(&self, l: LotIx, shares: &HashMap<LotIx, f64>) -> Vec<String> {
        let mut lines = vec![
            self.ds.lot_id(l).to_string(),
            self.ds.product_of(l).sku.clone(),
        ];
        if let Some(s) = shares.get(&l) {
            lines.push(format!("share {s:.4}"));
        }
        lines
    }

    /// Share of every listed lot, for labels.
    fn shares(&self) -> HashMap<LotIx, f64> {
        self.trace.lots.iter().map(|t| (t.lot, t.share)).collect()
    }

    fn write_dot(&self, w: &mut dyn Write) -> anyhow::Result<()> {
        let esc = |s: &str| {
            s.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n")
                .replace('\r', "")
        };
        writeln!(w, "digraph trace {{")?;
        writeln!(w, "  rankdir=LR;")?;
        writeln!(w, "  node [shape=box, fontname=\"Helvetica\"];")?;
        let (drawn, shares) = (self.drawn(), self.shares());
        for &l in &drawn {
            let label: Vec<String> = self
                .label_lines(l, &shares)
                .iter()
                .map(|s| esc(s))
                .collect();
            let style = if l == self.trace.root {
                ", style=bold"
            } else {
                ""
            };
            writeln!(w, "  n{} [label=\"{}\"{style}];", l.0, label.join("\\n"))?;
        }
        for (i, o, q) in self.drawn_edges(&drawn) {
            writeln!(
                w,
                "  n{} -> n{} [label=\"{} {}\"];",
                i.0,
                o.0,
                fmt_num(q),
                esc(self.ds.uom_of(i))
            )?;
        }
        writeln!(w, "}}")?;
        Ok(())
    }

    fn write_mermaid(&self, w: &mut dyn Write) -> anyhow::Result<()> {
        // Mermaid labels are quoted; entity codes keep quotes and angle
        // brackets from ending or breaking them.
        let esc = |s: &str| {
            sanitize(s)
                .replace('#', "#35;")
                .replace('"', "#quot;")
                .replace('<', "#lt;")
                .replace('>', "#gt;")
        };
        writeln!(w, "flowchart LR")?;
        let (drawn, shares) = (self.drawn(), self.shares());
        for &l in &drawn {
            let label: Vec<String> = self
                .label_lines(l, &shares)
                .iter()
                .map(|s| esc(s))
                .collect();
            writeln!(w, "  n{}[\"{}\"]", l.0, label.join("<br/>"))?;
        }
        for (i, o, q) in self.drawn_edges(&drawn) {
            writeln!(
                w,
                "  n{} -->|\"{} {}\"| n{}",
                i.0,
                fmt_num(q),
                esc(self.ds.uom_of(i)),
                o.0
            )?;
        }
        writeln!(w, "  style n{} stroke-width:3px", self.trace.root.0)?;
        Ok(())
    }
}
