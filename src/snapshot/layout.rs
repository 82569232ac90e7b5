//! Which arrays a snapshot holds and how the dataset, its genealogy, its
//! balance and its indexes map onto them: [`write_arrays`] lays them out,
//! [`open_arrays`] views them in place again. Names and encodings are
//! specified in `docs/snapshot-format.md`.
//!
//! Record tables, the genealogy, the balance and the indexes are viewed in
//! place (O(1) each). Master data (suppliers, sites, products, customers,
//! lines: at most thousands of rows) is decoded into structs at open, which
//! costs O(master rows) and keeps every `Vec<Product>` user unchanged.

use super::SnapshotError;
use super::file::{FileWriter, MappedFile};
use lotgraph_core::Genealogy;
use lotgraph_core::analytics::balance::Balance;
use lotgraph_core::graph::Csr;
use lotgraph_core::model::*;
use lotgraph_core::store::{Col, Master, NO_CODE, NO_IX, StrCol};
use lotgraph_core::units::Unit;
use std::path::Path;
use std::sync::OnceLock;

/// Master data as columns, owned while a snapshot is being written.
#[derive(Default)]
struct MasterCols {
    cols8: Vec<(String, Col<u8>)>,
    cols32: Vec<(String, Col<u32>)>,
    cols64: Vec<(String, Col<f64>)>,
    strs: Vec<(String, StrCol)>,
}

impl MasterCols {
    fn str<'a>(&mut self, name: &str, v: impl Iterator<Item = Option<&'a str>>) {
        let mut c = StrCol::default();
        for s in v {
            c.push(s);
        }
        self.strs.push((name.into(), c));
    }

    fn code(&mut self, name: &str, v: impl Iterator<Item = Option<u8>>) {
        self.cols8
            .push((name.into(), v.map(|c| c.unwrap_or(NO_CODE)).collect()));
    }

    fn u32(&mut self, name: &str, v: impl Iterator<Item = Option<u32>>) {
        self.cols32
            .push((name.into(), v.map(|c| c.unwrap_or(NO_IX)).collect()));
    }

    fn f64(&mut self, name: &str, v: impl Iterator<Item = Option<f64>>) {
        self.cols64
            .push((name.into(), v.map(|c| c.unwrap_or(f64::NAN)).collect()));
    }

    fn of(ds: &Dataset) -> MasterCols {
        let mut m = MasterCols::default();
        let s = &ds.suppliers;
        m.str("suppliers.id", s.iter().map(|x| Some(x.id.as_str())));
        m.str("suppliers.name", s.iter().map(|x| x.name.as_deref()));
        m.str("suppliers.country", s.iter().map(|x| x.country.as_deref()));
        let s = &ds.sites;
        m.str("sites.id", s.iter().map(|x| Some(x.id.as_str())));
        m.str("sites.name", s.iter().map(|x| x.name.as_deref()));
        m.code(
            "sites.kind",
            s.iter()
                .map(|x| x.kind.map(lotgraph_core::model::SiteKind::code)),
        );
        m.str("sites.region", s.iter().map(|x| x.region.as_deref()));
        let p = &ds.products;
        m.str("products.sku", p.iter().map(|x| Some(x.sku.as_str())));
        m.str("products.name", p.iter().map(|x| x.name.as_deref()));
        m.code(
            "products.category",
            p.iter()
                .map(|x| x.category.map(lotgraph_core::model::Category::code)),
        );
        m.str("products.uom", p.iter().map(|x| x.uom.as_deref()));
        m.code(
            "products.unit",
            p.iter()
                .map(|x| x.unit.map(lotgraph_core::units::Unit::code)),
        );
        m.f64("products.kg_per_uom", p.iter().map(|x| x.kg_per_uom));
        m.u32(
            "products.shelf_life_days",
            p.iter().map(|x| x.shelf_life_days),
        );
        m.f64("products.unit_cost", p.iter().map(|x| x.unit_cost));
        m.code(
            "products.implicit",
            p.iter().map(|x| Some(u8::from(x.implicit))),
        );
        m.str("products.gtin", p.iter().map(|x| x.gtin.as_deref()));
        let l = &ds.lot_schemes;
        m.str(
            "lot_schemes.sku_pattern",
            l.iter().map(|x| Some(x.sku_pattern.as_str())),
        );
        m.str(
            "lot_schemes.template",
            l.iter().map(|x| Some(x.template.as_str())),
        );
        // One cell per scheme, `NAME=VALUE;...` as in the file: codes are
        // a handful per scheme and read only by `lotcode`.
        let codes: Vec<String> = l.iter().map(|x| join_codes(&x.codes)).collect();
        m.str("lot_schemes.codes", codes.iter().map(|c| Some(c.as_str())));
        m.u32(
            "lot_schemes.supplier",
            l.iter().map(|x| x.supplier.map(|s| s.0)),
        );
        m.str(
            "lot_schemes.description",
            l.iter().map(|x| x.description.as_deref()),
        );
        let c = &ds.customers;
        m.str("customers.id", c.iter().map(|x| Some(x.id.as_str())));
        m.str("customers.name", c.iter().map(|x| x.name.as_deref()));
        m.code(
            "customers.kind",
            c.iter()
                .map(|x| x.kind.map(lotgraph_core::model::CustomerKind::code)),
        );
        m.str("customers.region", c.iter().map(|x| x.region.as_deref()));
        m.str("customers.contact", c.iter().map(|x| x.contact.as_deref()));
        m.str("lines.name", ds.lines.iter().map(|x| Some(x.as_str())));
        m.u32("lines.site", ds.line_sites.iter().map(|s| s.map(|s| s.0)));
        for kind in FileKind::ALL {
            let ex = &ds.extras[kind as usize];
            m.str(
                &format!("x.{}.names", kind.stem()),
                ex.columns.iter().map(|c| Some(c.as_str())),
            );
        }
        m
    }
}

/// Writes every array of `ds` (with its genealogy, balance and indexes)
/// to `path`. Returns the file length.
pub(super) fn write_arrays(
    path: &Path,
    ds: &Dataset,
    g: &Genealogy,
    bal: &Balance,
    dataset_id: [u8; 16],
) -> Result<u64, SnapshotError> {
    let master = MasterCols::of(ds);
    let (lot_order, by_ship, by_ret, by_insp) = (
        ds.lot_order_col(),
        ds.shipment_groups(),
        ds.return_groups(),
        ds.inspection_groups(),
    );
    let mut w = FileWriter::default();
    for (n, c) in &master.cols8 {
        w.col(n, c);
    }
    for (n, c) in &master.cols32 {
        w.col(n, c);
    }
    for (n, c) in &master.cols64 {
        w.col(n, c);
    }
    for (n, c) in &master.strs {
        w.str(n, c);
    }
    for kind in FileKind::ALL {
        w.str(
            &format!("x.{}.values", kind.stem()),
            &ds.extras[kind as usize].values,
        );
    }
    let l = &ds.lots;
    w.str("lots.id", &l.id);
    w.col("lots.sku", &l.sku);
    w.col("lots.origin", &l.origin);
    w.col("lots.supplier", &l.supplier);
    w.str("lots.supplier_lot_code", &l.supplier_lot_code);
    w.col("lots.site", &l.site);
    w.col("lots.line", &l.line);
    w.col("lots.produced_on", &l.produced_on);
    w.col("lots.received_on", &l.received_on);
    w.col("lots.expires_on", &l.expires_on);
    w.col("lots.quantity", &l.quantity);
    w.col("lots.unit_cost", &l.unit_cost);
    w.col("lots.status", &l.status);
    w.col("lots.order", lot_order);
    let c = &ds.consumptions;
    w.col("consumptions.input", &c.input);
    w.col("consumptions.output", &c.output);
    w.col("consumptions.quantity", &c.quantity);
    w.col("consumptions.consumed_on", &c.consumed_on);
    let s = &ds.shipments;
    w.str("shipments.id", &s.id);
    w.col("shipments.lot", &s.lot);
    w.col("shipments.quantity", &s.quantity);
    w.col("shipments.from_site", &s.from_site);
    w.col("shipments.to_site", &s.to_site);
    w.col("shipments.customer", &s.customer);
    w.col("shipments.shipped_on", &s.shipped_on);
    w.col("shipments.delivered_on", &s.delivered_on);
    w.col("shipments.status", &s.status);
    w.col("shipments.by_lot.offsets", &by_ship.offsets);
    w.col("shipments.by_lot.rows", &by_ship.rows);
    let r = &ds.returns;
    w.str("returns.id", &r.id);
    w.col("returns.lot", &r.lot);
    w.col("returns.customer", &r.customer);
    w.col("returns.quantity", &r.quantity);
    w.str("returns.reason", &r.reason);
    w.col("returns.category", &r.category);
    w.col("returns.reported_on", &r.reported_on);
    w.col("returns.by_lot.offsets", &by_ret.offsets);
    w.col("returns.by_lot.rows", &by_ret.rows);
    let i = &ds.inspections;
    w.str("inspections.id", &i.id);
    w.col("inspections.lot", &i.lot);
    w.col("inspections.inspected_on", &i.inspected_on);
    w.col("inspections.result", &i.result);
    w.str("inspections.defect", &i.defect);
    w.col("inspections.by_lot.offsets", &by_insp.offsets);
    w.col("inspections.by_lot.rows", &by_insp.rows);
    let (inputs, outputs, basis, content_total) = g.parts();
    for (name, csr) in [("inputs", inputs), ("outputs", outputs)] {
        let (o, t, q, wt) = csr.parts();
        w.col(&format!("g.{name}.offsets"), o);
        w.col(&format!("g.{name}.targets"), t);
        w.col(&format!("g.{name}.quantities"), q);
        w.col(&format!("g.{name}.weights"), wt);
    }
    w.col("g.basis", basis);
    w.col("g.content_total", content_total);
    w.col("bal.consumed", &bal.consumed);
    w.col("bal.to_customers", &bal.to_customers);
    w.col("bal.in_transit", &bal.in_transit);
    w.col("bal.delivered", &bal.delivered);
    w.col("bal.returned", &bal.returned);
    w.col("bal.stock_site", &bal.stock_site);
    w.col("bal.stock_on_hand", &bal.stock_on_hand);
    w.col("bal.stock_offsets", &bal.stock_offsets);
    w.col("bal.sales", &bal.sales);
    w.col("bal.sales_offsets", &bal.sales_offsets);
    w.write(path, dataset_id)
}

/// What [`open_arrays`] returns: the dataset and what was derived from it.
pub(super) struct Opened {
    pub dataset: Dataset,
    pub genealogy: Genealogy,
    pub balance: Balance,
}

fn code<E>(v: u8, from: fn(u8) -> Option<E>) -> Option<E> {
    (v != NO_CODE).then(|| from(v)).flatten()
}

fn ix(v: u32) -> Option<u32> {
    (v != NO_IX).then_some(v)
}

fn num(v: f64) -> Option<f64> {
    (!v.is_nan()).then_some(v)
}

fn owned(s: Option<&str>) -> Option<String> {
    s.map(str::to_string)
}

/// Decodes master data (small) and views everything else in place.
pub(super) fn open_arrays(m: &MappedFile) -> Result<Opened, SnapshotError> {
    let mut ds = Dataset::default();
    open_master(m, &mut ds)?;
    ds.lots = LotTable {
        id: m.str("lots.id")?,
        sku: m.col("lots.sku")?,
        origin: m.col("lots.origin")?,
        supplier: m.col("lots.supplier")?,
        supplier_lot_code: m.str("lots.supplier_lot_code")?,
        site: m.col("lots.site")?,
        line: m.col("lots.line")?,
        produced_on: m.col("lots.produced_on")?,
        received_on: m.col("lots.received_on")?,
        expires_on: m.col("lots.expires_on")?,
        quantity: m.col("lots.quantity")?,
        unit_cost: m.col("lots.unit_cost")?,
        status: m.col("lots.status")?,
    };
    ds.consumptions = ConsumptionTable {
        input: m.col("consumptions.input")?,
        output: m.col("consumptions.output")?,
        quantity: m.col("consumptions.quantity")?,
        consumed_on: m.col("consumptions.consumed_on")?,
    };
    ds.shipments = ShipmentTable {
        id: m.str("shipments.id")?,
        lot: m.col("shipments.lot")?,
        quantity: m.col("shipments.quantity")?,
        from_site: m.col("shipments.from_site")?,
        to_site: m.col("shipments.to_site")?,
        customer: m.col("shipments.customer")?,
        shipped_on: m.col("shipments.shipped_on")?,
        delivered_on: m.col("shipments.delivered_on")?,
        status: m.col("shipments.status")?,
    };
    ds.returns = ReturnTable {
        id: m.str("returns.id")?,
        lot: m.col("returns.lot")?,
        customer: m.col("returns.customer")?,
        quantity: m.col("returns.quantity")?,
        reason: m.str("returns.reason")?,
        category: m.col("returns.category")?,
        reported_on: m.col("returns.reported_on")?,
    };
    ds.inspections = InspectionTable {
        id: m.str("inspections.id")?,
        lot: m.col("inspections.lot")?,
        inspected_on: m.col("inspections.inspected_on")?,
        result: m.col("inspections.result")?,
        defect: m.str("inspections.defect")?,
    };
    check_lengths(m, &ds)?;
    let groups = |name: &str| -> Result<Groups, SnapshotError> {
        Ok(Groups {
            offsets: m.col(&format!("{name}.by_lot.offsets"))?,
            rows: m.col(&format!("{name}.by_lot.rows"))?,
        })
    };
    ds.set_indexes(Indexes {
        lot_order: OnceLock::from(m.col::<u32>("lots.order")?),
        shipments_by_lot: OnceLock::from(groups("shipments")?),
        returns_by_lot: OnceLock::from(groups("returns")?),
        inspections_by_lot: OnceLock::from(groups("inspections")?),
    });
    let csr = |name: &str| -> Result<Csr, SnapshotError> {
        Ok(Csr::from_parts(
            m.col(&format!("g.{name}.offsets"))?,
            m.col(&format!("g.{name}.targets"))?,
            m.col(&format!("g.{name}.quantities"))?,
            m.col(&format!("g.{name}.weights"))?,
        ))
    };
    let genealogy = Genealogy::from_parts(
        csr("inputs")?,
        csr("outputs")?,
        m.col("g.basis")?,
        m.col("g.content_total")?,
    );
    let balance = Balance {
        consumed: m.col("bal.consumed")?,
        to_customers: m.col("bal.to_customers")?,
        in_transit: m.col("bal.in_transit")?,
        delivered: m.col("bal.delivered")?,
        returned: m.col("bal.returned")?,
        stock_site: m.col("bal.stock_site")?,
        stock_on_hand: m.col("bal.stock_on_hand")?,
        stock_offsets: m.col("bal.stock_offsets")?,
        sales: m.col("bal.sales")?,
        sales_offsets: m.col("bal.sales_offsets")?,
    };
    check_derived(m, &ds, &genealogy, &balance)?;
    Ok(Opened {
        dataset: ds,
        genealogy,
        balance,
    })
}

/// Every column of a table has the table's length (O(tables): only
/// lengths are compared).
fn check_lengths(m: &MappedFile, ds: &Dataset) -> Result<(), SnapshotError> {
    let l = &ds.lots;
    let n = l.len();
    let s = &ds.shipments;
    let r = &ds.returns;
    let i = &ds.inspections;
    let c = &ds.consumptions;
    let tables: [(&str, usize, Vec<usize>); 5] = [
        (
            "lots",
            n,
            vec![
                l.id.len(),
                l.sku.len(),
                l.origin.len(),
                l.supplier.len(),
                l.supplier_lot_code.len(),
                l.site.len(),
                l.line.len(),
                l.produced_on.len(),
                l.received_on.len(),
                l.expires_on.len(),
                l.unit_cost.len(),
                l.status.len(),
            ],
        ),
        (
            "consumptions",
            c.len(),
            vec![c.input.len(), c.output.len(), c.consumed_on.len()],
        ),
        (
            "shipments",
            s.len(),
            vec![
                s.id.len(),
                s.lot.len(),
                s.from_site.len(),
                s.to_site.len(),
                s.customer.len(),
                s.shipped_on.len(),
                s.delivered_on.len(),
                s.status.len(),
            ],
        ),
        (
            "returns",
            r.len(),
            vec![
                r.id.len(),
                r.lot.len(),
                r.customer.len(),
                r.reason.len(),
                r.category.len(),
                r.reported_on.len(),
            ],
        ),
        (
            "inspections",
            i.len(),
            vec![
                i.id.len(),
                i.lot.len(),
                i.inspected_on.len(),
                i.defect.len(),
            ],
        ),
    ];
    for (name, len, cols) in tables {
        if cols.iter().any(|c| *c != len) {
            return Err(SnapshotError::Corrupt {
                path: m.path().to_path_buf(),
                message: format!("the columns of table {name} differ in length"),
            });
        }
    }
    Ok(())
}

/// Every per-lot array of the built genealogy, balance and indexes has
/// one entry per lot (offsets one more), and every group covers its
/// table: O(1), only lengths are compared.
fn check_derived(
    m: &MappedFile,
    ds: &Dataset,
    g: &Genealogy,
    bal: &Balance,
) -> Result<(), SnapshotError> {
    let n = ds.lots.len();
    let (inputs, outputs, basis, content_total) = g.parts();
    let per_lot: [(&str, usize, usize); 15] = [
        ("lots.order", ds.lot_order_col().len(), n),
        ("g.basis", basis.len(), n),
        ("g.content_total", content_total.len(), n),
        ("g.inputs.offsets", inputs.parts().0.len(), n + 1),
        ("g.outputs.offsets", outputs.parts().0.len(), n + 1),
        ("bal.consumed", bal.consumed.len(), n),
        ("bal.to_customers", bal.to_customers.len(), n),
        ("bal.in_transit", bal.in_transit.len(), n),
        ("bal.delivered", bal.delivered.len(), n),
        ("bal.returned", bal.returned.len(), n),
        ("bal.stock_offsets", bal.stock_offsets.len(), n + 1),
        ("bal.sales_offsets", bal.sales_offsets.len(), n + 1),
        (
            "shipments.by_lot.offsets",
            ds.shipment_groups().offsets.len(),
            n + 1,
        ),
        (
            "returns.by_lot.offsets",
            ds.return_groups().offsets.len(),
            n + 1,
        ),
        (
            "inspections.by_lot.offsets",
            ds.inspection_groups().offsets.len(),
            n + 1,
        ),
    ];
    let rows: [(&str, usize, usize); 7] = [
        (
            "g.inputs.quantities",
            inputs.parts().2.len(),
            inputs.edge_count(),
        ),
        (
            "g.outputs.quantities",
            outputs.parts().2.len(),
            outputs.edge_count(),
        ),
        (
            "g.inputs.weights",
            inputs.parts().3.len(),
            inputs.edge_count(),
        ),
        (
            "g.outputs.weights",
            outputs.parts().3.len(),
            outputs.edge_count(),
        ),
        (
            "shipments.by_lot.rows",
            ds.shipment_groups().rows.len(),
            ds.shipments.len(),
        ),
        (
            "returns.by_lot.rows",
            ds.return_groups().rows.len(),
            ds.returns.len(),
        ),
        (
            "inspections.by_lot.rows",
            ds.inspection_groups().rows.len(),
            ds.inspections.len(),
        ),
    ];
    for (name, got, want) in per_lot.into_iter().chain(rows) {
        if got != want {
            return Err(SnapshotError::Corrupt {
                path: m.path().to_path_buf(),
                message: format!("array {name} has {got} elements where {want} belong ({n} lots)"),
            });
        }
    }
    Ok(())
}

/// Views the master-data columns (O(1) each) and decodes their rows into
/// structs only when something first reads them ([`Master::lazy`]).
fn open_master(m: &MappedFile, ds: &mut Dataset) -> Result<(), SnapshotError> {
    let (id, name, country) = (
        m.str("suppliers.id")?,
        m.str("suppliers.name")?,
        m.str("suppliers.country")?,
    );
    ds.suppliers = Master::lazy(move || {
        (0..id.len())
            .map(|i| Supplier {
                id: id.get(i).to_string(),
                name: owned(name.get_opt(i)),
                country: owned(country.get_opt(i)),
            })
            .collect()
    });
    let (id, name, kind, region) = (
        m.str("sites.id")?,
        m.str("sites.name")?,
        m.col::<u8>("sites.kind")?,
        m.str("sites.region")?,
    );
    ds.sites = Master::lazy(move || {
        (0..id.len())
            .map(|i| Site {
                id: id.get(i).to_string(),
                name: owned(name.get_opt(i)),
                kind: kind.get(i).and_then(|k| code(*k, SiteKind::from_code)),
                region: owned(region.get_opt(i)),
            })
            .collect()
    });
    let (sku, name, cat, uom, unit, kg, shelf, cost, implicit) = (
        m.str("products.sku")?,
        m.str("products.name")?,
        m.col::<u8>("products.category")?,
        m.str("products.uom")?,
        m.col::<u8>("products.unit")?,
        m.col::<f64>("products.kg_per_uom")?,
        m.col::<u32>("products.shelf_life_days")?,
        m.col::<f64>("products.unit_cost")?,
        m.col::<u8>("products.implicit")?,
    );
    let gtin = m.str("products.gtin")?;
    ds.products = Master::lazy(move || {
        (0..sku.len())
            .map(|i| Product {
                sku: sku.get(i).to_string(),
                name: owned(name.get_opt(i)),
                category: cat.get(i).and_then(|k| code(*k, Category::from_code)),
                uom: owned(uom.get_opt(i)),
                unit: unit.get(i).and_then(|u| code(*u, Unit::from_code)),
                kg_per_uom: kg.get(i).and_then(|v| num(*v)).filter(|v| *v > 0.0),
                shelf_life_days: shelf.get(i).and_then(|v| ix(*v)),
                unit_cost: cost.get(i).and_then(|v| num(*v)),
                gtin: owned(gtin.get_opt(i)),
                implicit: implicit.get(i).is_some_and(|v| *v == 1),
            })
            .collect()
    });
    let (id, name, kind, region, contact) = (
        m.str("customers.id")?,
        m.str("customers.name")?,
        m.col::<u8>("customers.kind")?,
        m.str("customers.region")?,
        m.str("customers.contact")?,
    );
    ds.customers = Master::lazy(move || {
        (0..id.len())
            .map(|i| Customer {
                id: id.get(i).to_string(),
                name: owned(name.get_opt(i)),
                kind: kind.get(i).and_then(|k| code(*k, CustomerKind::from_code)),
                region: owned(region.get_opt(i)),
                contact: owned(contact.get_opt(i)),
            })
            .collect()
    });
    open_lot_schemes(m, ds)?;
    let (names, sites) = (m.str("lines.name")?, m.col::<u32>("lines.site")?);
    let n = names.len();
    ds.lines = Master::lazy(move || names.iter().map(str::to_string).collect());
    ds.line_sites = Master::lazy(move || {
        (0..n)
            .map(|i| sites.get(i).and_then(|v| ix(*v)).map(SiteIx))
            .collect()
    });
    for kind in FileKind::ALL {
        let names = m.str(&format!("x.{}.names", kind.stem()))?;
        ds.extras[kind as usize] = Extras {
            columns: names.iter().map(str::to_string).collect(),
            values: m.str(&format!("x.{}.values", kind.stem()))?,
        };
    }
    Ok(())
}

/// `NAME=VALUE;NAME=VALUE`, the form of `lot_schemes.codes`.
fn join_codes(codes: &[(String, String)]) -> String {
    let parts: Vec<String> = codes.iter().map(|(n, v)| format!("{n}={v}")).collect();
    parts.join(";")
}

/// The codes of a `lot_schemes.codes` cell (as written by `join_codes`).
fn split_codes(cell: &str) -> Vec<(String, String)> {
    cell.split(';')
        .filter_map(|kv| kv.split_once('='))
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

/// Views the lot schemes; decoded on first use like the other masters.
fn open_lot_schemes(m: &MappedFile, ds: &mut Dataset) -> Result<(), SnapshotError> {
    let (pattern, template, codes, supplier, description) = (
        m.str("lot_schemes.sku_pattern")?,
        m.str("lot_schemes.template")?,
        m.str("lot_schemes.codes")?,
        m.col::<u32>("lot_schemes.supplier")?,
        m.str("lot_schemes.description")?,
    );
    ds.lot_schemes = Master::lazy(move || {
        (0..pattern.len())
            .map(|i| LotScheme {
                sku_pattern: pattern.get(i).to_string(),
                template: template.get(i).to_string(),
                codes: split_codes(codes.get(i)),
                supplier: supplier.get(i).and_then(|v| ix(*v)).map(SupplierIx),
                description: owned(description.get_opt(i)),
            })
            .collect()
    });
    Ok(())
}
