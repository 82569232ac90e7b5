//! The master-data files of a generated dataset: suppliers, sites,
//! products and customers, written from the network before the simulation
//! starts.

use super::sink::{Col, DataFormat, Table};
use super::world::{SiteKind, World};
use lotgraph_core::model::FileKind;
use std::path::Path;

/// Writes suppliers, sites, products and customers.
pub(super) fn write(
    w: &World,
    dir: &Path,
    format: DataFormat,
) -> anyhow::Result<Vec<(String, u64)>> {
    // Column types in the order of `FileKind::columns()`, which names them.
    const SUPPLIERS: &[Col] = &[Col::Text, Col::Text, Col::Text];
    const SITES: &[Col] = &[Col::Text, Col::Text, Col::Text, Col::Text];
    const PRODUCTS: &[Col] = &[
        Col::Text, // sku
        Col::Text, // name
        Col::Text, // category
        Col::Text, // uom
        Col::Int,  // shelf_life_days
        Col::Num,  // unit_cost
        Col::Num,  // kg_per_uom
        Col::Text, // gtin
    ];
    const CUSTOMERS: &[Col] = &[Col::Text, Col::Text, Col::Text, Col::Text, Col::Text];
    let mut counts = Vec::new();
    let mut t = Table::record(dir, FileKind::Suppliers, SUPPLIERS, format, w.cal)?;
    for s in &w.suppliers {
        t.text(&s.id);
        t.text(&s.name);
        t.text(s.country);
        t.end()?;
    }
    counts.push((FileKind::Suppliers.stem().to_string(), t.finish()?));
    let mut t = Table::record(dir, FileKind::Sites, SITES, format, w.cal)?;
    for s in &w.sites {
        t.text(&s.id);
        t.text(&s.name);
        t.text(match s.kind {
            SiteKind::Plant => "plant",
            SiteKind::Warehouse => "warehouse",
            SiteKind::Dc => "dc",
        });
        t.text(&w.region_names[s.region]);
        t.end()?;
    }
    counts.push((FileKind::Sites.stem().to_string(), t.finish()?));
    let mut t = Table::record(dir, FileKind::Products, PRODUCTS, format, w.cal)?;
    for s in &w.skus {
        t.text(&s.code);
        t.text(&s.name);
        t.text(s.category.name());
        t.text(s.uom);
        t.int(u64::from(s.shelf_life));
        t.num(s.unit_cost, 3);
        match s.grams {
            Some(g) => t.num(g, 3),
            None => t.null(),
        }
        // Generated SKUs carry no GTIN: their codes are not GS1 keys.
        t.null();
        t.end()?;
    }
    counts.push((FileKind::Products.stem().to_string(), t.finish()?));
    let mut t = Table::record(dir, FileKind::Customers, CUSTOMERS, format, w.cal)?;
    for (i, c) in w.customers.iter().enumerate() {
        t.text(&c.id);
        t.text(&c.name);
        t.text(c.kind);
        t.text(&w.region_names[c.region]);
        if i % 2 == 0 {
            t.text(&format!("qa@{}.example", c.id.to_ascii_lowercase()));
        } else {
            t.text(&format!("+1-555-{:04}", 100 + i % 9_900));
        }
        t.end()?;
    }
    counts.push((FileKind::Customers.stem().to_string(), t.finish()?));
    Ok(counts)
}
