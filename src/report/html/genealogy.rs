//! The genealogy picture: lots as boxes in one column per level (filled by
//! their share, seeds outlined), with curved arrows from input to output
//! lots. At most `MAX_NODES` lots are drawn, the shallow levels first.

use super::format::{fmt_value, px};
use super::frame::{EMPTY, section_open, svg_open};
use super::text::{esc, truncate};
use crate::report::document::GraphNode;
use crate::report::sanitize;

/// Lots drawn per genealogy picture.
pub(super) const MAX_NODES: usize = 200;
/// A lot's box.
const BOX_W: f64 = 168.0;
const BOX_H: f64 = 40.0;
/// Space between columns, and between boxes in a column.
const HGAP: f64 = 84.0;
const VGAP: f64 = 12.0;
/// Margin around the picture, and the height of the column headings.
const PAD: f64 = 10.0;
const HEAD: f64 = 24.0;

const LEGEND: &str = "<div class=\"legend\"><span><i class=\"grad\"></i>share 0% → 100%</span>\
     <span><i class=\"seedbox\"></i>seed lot</span><span><i class=\"nodebox\"></i>other lot</span>\
     <span>arrows run input → output</span></div>\n";

/// The lots to draw, as (level, indices into the nodes) per column.
type Columns = Vec<(u32, Vec<usize>)>;

/// Where the lots go: the picture's size and each drawn lot's top-left
/// corner (`None` for the lots left out).
struct Layout {
    width: f64,
    height: f64,
    pos: Vec<Option<(f64, f64)>>,
}

/// A genealogy section of `nodes`, joined by `edges` (input index, output
/// index); edges to lots left out, or from a lot to itself, are not drawn.
pub(super) fn genealogy_chart(
    title: &str,
    nodes: &[GraphNode],
    edges: &[(usize, usize)],
) -> String {
    let mut h = section_open(title);
    if nodes.is_empty() {
        h.push_str(EMPTY);
        return h;
    }
    let columns = columns(nodes);
    h.push_str(LEGEND);
    let Layout { width, height, pos } = layout(nodes.len(), &columns);

    h.push_str("<div class=\"scroll\">");
    h.push_str(&svg_open(
        width,
        height,
        title,
        Some(width.min(720.0).max(width * 0.7)),
    ));
    for (c, (level, _)) in columns.iter().enumerate() {
        h.push_str(&format!(
            "<text class=\"colh\" x=\"{}\" y=\"16\" text-anchor=\"middle\">level {level}</text>",
            px(column_x(c) + BOX_W / 2.0)
        ));
    }
    h.push_str(&edges_svg(edges, &pos));
    for &i in columns.iter().flat_map(|(_, members)| members) {
        let Some((x, y)) = pos[i] else { continue };
        h.push_str(&node_svg(&nodes[i], x, y));
    }
    h.push_str("</svg></div>\n");
    if nodes.len() > MAX_NODES {
        h.push_str(&format!(
            "<p class=\"more\">{} more lots not drawn.</p>\n",
            nodes.len() - MAX_NODES
        ));
    }
    h.push_str("</section>\n");
    h
}

/// The lots drawn, grouped into columns by level.
fn columns(nodes: &[GraphNode]) -> Columns {
    // Shallow lots first, so a cut keeps the seeds; input order within a level.
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    order.sort_by_key(|&i| nodes[i].level);
    order.truncate(MAX_NODES);
    let mut columns: Columns = Vec::new();
    for i in order {
        match columns.last_mut() {
            Some((l, c)) if *l == nodes[i].level => c.push(i),
            _ => columns.push((nodes[i].level, vec![i])),
        }
    }
    columns
}

/// The left edge of column `c`.
fn column_x(c: usize) -> f64 {
    PAD + c as f64 * (BOX_W + HGAP)
}

/// Columns side by side, each centred vertically on the tallest.
fn layout(node_count: usize, columns: &Columns) -> Layout {
    let tallest = columns.iter().map(|c| c.1.len()).max().unwrap_or(1) as f64;
    let width = PAD * 2.0 + columns.len() as f64 * BOX_W + (columns.len() as f64 - 1.0) * HGAP;
    let height = HEAD + PAD + tallest * (BOX_H + VGAP) - VGAP + PAD;
    let mut pos: Vec<Option<(f64, f64)>> = vec![None; node_count];
    for (c, (_, members)) in columns.iter().enumerate() {
        let x = column_x(c);
        let offset = (tallest - members.len() as f64) * (BOX_H + VGAP) / 2.0;
        for (r, &i) in members.iter().enumerate() {
            pos[i] = Some((x, HEAD + PAD + offset + r as f64 * (BOX_H + VGAP)));
        }
    }
    Layout { width, height, pos }
}

/// The arrows between drawn lots: all curves first, then all heads, so that
/// no curve is drawn over a head.
fn edges_svg(edges: &[(usize, usize)], pos: &[Option<(f64, f64)>]) -> String {
    let mut lines = String::new();
    let mut heads = String::new();
    for &(a, b) in edges {
        let (Some(Some((xa, ya))), Some(Some((xb, yb)))) = (pos.get(a), pos.get(b)) else {
            continue;
        };
        if a == b {
            continue;
        }
        let (sx, sy) = (xa + BOX_W, ya + BOX_H / 2.0);
        let (tx, ty) = (*xb, yb + BOX_H / 2.0);
        let ex = tx - 6.0;
        let k = ((ex - sx).abs() / 2.0).max(24.0);
        lines.push_str(&format!(
            "<path d=\"M{} {}C{} {} {} {} {} {}\"/>",
            px(sx),
            px(sy),
            px(sx + k),
            px(sy),
            px(ex - k),
            px(ty),
            px(ex),
            px(ty)
        ));
        heads.push_str(&format!(
            "<path d=\"M{} {}L{} {}L{} {}Z\"/>",
            px(tx),
            px(ty),
            px(tx - 7.0),
            px(ty - 3.5),
            px(tx - 7.0),
            px(ty + 3.5)
        ));
    }
    format!(
        "<g fill=\"none\" stroke=\"#7b8fa6\" stroke-width=\"1.2\" stroke-opacity=\"0.75\">{lines}</g>\
         <g fill=\"#5c7088\">{heads}</g>"
    )
}

/// The fill of a node: white at share 0, strong blue at share 1, and the
/// text colours (id, detail) readable on it.
fn node_colours(share: f64) -> (String, &'static str, &'static str) {
    let s = if share.is_finite() {
        share.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mix = |a: f64, b: f64| (a + (b - a) * s).round() as u8;
    let fill = format!(
        "#{:02x}{:02x}{:02x}",
        mix(255.0, 31.0),
        mix(255.0, 95.0),
        mix(255.0, 153.0)
    );
    if s < 0.5 {
        (fill, "#1f2933", "#52606d")
    } else {
        (fill, "#ffffff", "#e4ecf5")
    }
}

/// A lot's box at (`x`, `y`): its id and detail, cut to the box, and the
/// whole of both in the tooltip.
fn node_svg(n: &GraphNode, x: f64, y: f64) -> String {
    let (fill, ink, ink2) = node_colours(n.share);
    let (stroke, sw) = if n.seed {
        ("#16324f", 2.6)
    } else {
        ("#8aa1b8", 1.0)
    };
    let id = sanitize(&n.id);
    let detail = sanitize(&n.detail);
    let mut tip = format!(
        "{}\n{}\nlevel {} · share {}",
        esc(&id),
        esc(&detail),
        n.level,
        esc(&fmt_value(n.share, true))
    );
    if n.seed {
        tip.push_str(" · seed");
    }
    format!(
        "<g class=\"node\"><title>{tip}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" \
         fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{sw}\"/>\
         <text class=\"nid\" x=\"{tx}\" y=\"{}\" fill=\"{ink}\">{}</text>\
         <text class=\"ndt\" x=\"{tx}\" y=\"{}\" fill=\"{ink2}\">{}</text></g>",
        px(x),
        px(y),
        px(BOX_W),
        px(BOX_H),
        px(y + 17.0),
        esc(&truncate(&id, BOX_W - 18.0, 12.6)),
        px(y + 32.0),
        esc(&truncate(&detail, BOX_W - 18.0, 11.0)),
        tx = px(x + 9.0),
    )
}
