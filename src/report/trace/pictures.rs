//! The trace's pictures: the indented tree people read, and the Graphviz
//! DOT and Mermaid drawings of the traced sub-genealogy.

use super::super::{fmt_num, sanitize};
use super::TraceReport;
use lotgraph_core::Direction;
use lotgraph_core::model::{LotIx, Origin};
use std::collections::{HashMap, HashSet};
use std::io::Write;

/// Levels of the tree output that indent; deeper lines keep the indentation
/// of this level and print their depth, so the output grows linearly with
/// the depth of a chain, not quadratically.
pub const TREE_INDENT_CAP: u32 = 64;

impl TraceReport<'_> {
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

    pub(super) fn write_tree(&self, w: &mut dyn Write) -> anyhow::Result<()> {
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
    pub(super) fn drawn(&self) -> Vec<LotIx> {
        let mut v = vec![self.trace.root];
        v.extend(self.trace.lots.iter().map(|t| t.lot));
        v
    }

    /// Edges input → output among drawn lots, with quantities.
    pub(super) fn drawn_edges(&self, drawn_list: &[LotIx]) -> Vec<(LotIx, LotIx, f64)> {
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
    pub(super) fn shares(&self) -> HashMap<LotIx, f64> {
        self.trace.lots.iter().map(|t| (t.lot, t.share)).collect()
    }

    pub(super) fn write_dot(&self, w: &mut dyn Write) -> anyhow::Result<()> {
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

    pub(super) fn write_mermaid(&self, w: &mut dyn Write) -> anyhow::Result<()> {
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
