//! The master-data files of a generated dataset: suppliers, sites,
//! products and customers, written from the network before the simulation
//! starts.

use super::sink::{Col, DataFormat, Table};
use super::world::{SiteKind, World};
use std::path::Path;

/// Writes suppliers, sites, products and customers.
pub fn write(w: &World, dir: &Path, format: DataFormat) -> anyhow::Result<Vec<(String, u64)>> {
    const SUPPLIERS: &[(&str, Col)] = &[
        ("supplier_id", Col::Text),
        ("name", Col::Text),
        ("country", Col::Text),
    ];
    const SITES: &[(&str, Col)] = &[
        ("site_id", Col::Text),
        ("name", Col::Text),
        ("kind", Col::Text),
        ("region", Col::Text),
    ];
    const PRODUCTS: &[(&str, Col)] = &[
        ("sku", Col::Text),
        ("name", Col::Text),
        ("category", Col::Text),
        ("uom", Col::Text),
        ("shelf_life_days", Col::Int),
        ("unit_cost", Col::Num),
        ("kg_per_uom", Col::Num),
    ];
    const CUSTOMERS: &[(&str, Col)] = &[
        ("customer_id", Col::Text),
        ("name", Col::Text),
        ("kind", Col::Text),
        ("region", Col::Text),
        ("contact", Col::Text),
    ];
    let mut counts = Vec::new();
    let mut t = Table::create(dir, "suppliers", SUPPLIERS, format, w.cal)?;
    for s in &w.suppliers {
        t.text(&s.id);
        t.text(&s.name);
        t.text(s.country);
        t.end()?;
    }
    counts.push(("suppliers".to_string(), t.finish()?));
    let mut t = Table::create(dir, "sites", SITES, format, w.cal)?;
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
    counts.push(("sites".to_string(), t.finish()?));
    let mut t = Table::create(dir, "products", PRODUCTS, format, w.cal)?;
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
        t.end()?;
    }
    counts.push(("products".to_string(), t.finish()?));
    let mut t = Table::create(dir, "customers", CUSTOMERS, format, w.cal)?;
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
    counts.push(("customers".to_string(), t.finish()?));
    Ok(counts)
}
