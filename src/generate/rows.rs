//! The record rows of a generated dataset: lots, consumptions, shipments,
//! returns and inspections, formatted from the simulation's decisions
//! (lot numbers, shipment numbers, quantities in the lot's unit) into the
//! five record tables. Nothing here draws random numbers: every choice is
//! made by the simulation before a row is written.

use super::ids::{Ids, Kind, LotRef};
use super::sink::{Calendar, Col, DataFormat, Table, push_padded};
use super::world::World;
use lotgraph_core::model::FileKind;
use std::path::{Path, PathBuf};

// Column types of the record files, in the order of
// `FileKind::columns()`, which names them.
const LOTS: &[Col] = &[
    Col::Text, // lot_id
    Col::Text, // sku
    Col::Text, // origin
    Col::Text, // supplier_id
    Col::Text, // supplier_lot_code
    Col::Text, // site_id
    Col::Text, // line
    Col::Date, // produced_on
    Col::Date, // received_on
    Col::Date, // expires_on
    Col::Num,  // quantity
    Col::Num,  // unit_cost
    Col::Text, // status
];
const CONSUMPTIONS: &[Col] = &[Col::Text, Col::Text, Col::Num, Col::Date];
const SHIPMENTS: &[Col] = &[
    Col::Text, // shipment_id
    Col::Text, // lot_id
    Col::Num,  // quantity
    Col::Text, // from_site_id
    Col::Text, // to_site_id
    Col::Text, // customer_id
    Col::Date, // shipped_on
    Col::Date, // delivered_on
    Col::Text, // status
];
const RETURNS: &[Col] = &[
    Col::Text, // return_id
    Col::Text, // lot_id
    Col::Text, // customer_id
    Col::Num,  // quantity
    Col::Text, // reason
    Col::Text, // category
    Col::Date, // reported_on
];
const INSPECTIONS: &[Col] = &[Col::Text, Col::Text, Col::Date, Col::Text, Col::Text];

/// A row of lots.csv.
pub(super) struct LotRow {
    pub lot: LotRef,
    pub sku: usize,
    /// (supplier, number of the supplier's own lot code).
    pub supplier: Option<(usize, u64)>,
    pub site: usize,
    pub line: Option<usize>,
    pub produced: Option<i32>,
    pub received: Option<i32>,
    pub expires: Option<i32>,
    pub qty: u64,
    pub cost: Option<u64>,
    pub status: &'static str,
}

/// Where a shipment goes, which also decides how it is numbered: transfers
/// between sites share a number per route and day, sales per distribution
/// centre, customer and day.
#[derive(Copy, Clone)]
pub(super) enum ShipTo {
    /// A transfer to another site (index into `World::sites`).
    Site(usize),
    /// A sale to a customer (index into `World::customers`).
    Customer(usize),
}

/// The five record tables being written, and the row counters that number
/// returns and inspections.
pub(super) struct Rows<'w> {
    w: &'w World,
    ids: Ids,
    /// Last simulated day: shipments delivered later are in transit.
    end: i32,
    lots: Table,
    cons: Table,
    ships: Table,
    rets: Table,
    insps: Table,
    n_returns: u64,
    n_inspections: u64,
}

impl<'w> Rows<'w> {
    /// Creates the five tables in `dir`.
    pub(super) fn create(
        w: &'w World,
        ids: Ids,
        end: i32,
        dir: &Path,
        format: DataFormat,
        cal: Calendar,
    ) -> anyhow::Result<Rows<'w>> {
        Ok(Rows {
            w,
            ids,
            end,
            lots: Table::record(dir, FileKind::Lots, LOTS, format, cal)?,
            cons: Table::record(dir, FileKind::Consumptions, CONSUMPTIONS, format, cal)?,
            ships: Table::record(dir, FileKind::Shipments, SHIPMENTS, format, cal)?,
            rets: Table::record(dir, FileKind::Returns, RETURNS, format, cal)?,
            insps: Table::record(dir, FileKind::Inspections, INSPECTIONS, format, cal)?,
            n_returns: 0,
            n_inspections: 0,
        })
    }

    /// The lot numbering the rows use.
    pub(super) fn ids(&self) -> &Ids {
        &self.ids
    }

    /// The directory the tables are written into.
    pub(super) fn dir(&self) -> PathBuf {
        self.lots
            .path()
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default()
    }

    /// A row of lots.
    pub(super) fn lot(&mut self, r: &LotRow) -> anyhow::Result<()> {
        let w = self.w;
        let ids = &self.ids;
        let t = &mut self.lots;
        let sku = &w.skus[r.sku];
        t.text_with(|b| ids.lot(b, r.lot));
        t.text(&sku.code);
        t.text(if r.lot.kind == Kind::Supplied {
            "supplied"
        } else {
            "produced"
        });
        if let Some((s, code)) = r.supplier {
            let sup = &w.suppliers[s];
            t.text(&sup.id);
            let day = r.received.unwrap_or(r.lot.day) - 3;
            t.text_with(|b| {
                b.extend_from_slice(sup.country.as_bytes());
                b.extend_from_slice(&ids.day(day));
                b.push(b'-');
                push_padded(b, code, 4);
            });
        } else {
            t.null();
            t.null();
        }
        t.text(&w.sites[r.site].id);
        match r.line {
            Some(l) => t.text(&w.lines[l]),
            None => t.null(),
        }
        t.opt_date(r.produced);
        t.opt_date(r.received);
        t.opt_date(r.expires);
        qty(t, r.qty, r.lot.whole);
        match r.cost {
            Some(c) => t.num(c, 3),
            None => t.null(),
        }
        t.text(r.status);
        t.end()
    }

    /// A row of consumptions: `q` (tenths) of `input` went into `out`.
    pub(super) fn consumption(
        &mut self,
        input: LotRef,
        q: u64,
        out: LotRef,
        day: i32,
    ) -> anyhow::Result<()> {
        let ids = &self.ids;
        let t = &mut self.cons;
        t.text_with(|b| ids.lot(b, input));
        t.text_with(|b| ids.lot(b, out));
        qty(t, q, input.whole);
        t.date(day);
        t.end()
    }

    /// A shipment; in transit (no delivery date) when `delivered` is after
    /// the last day.
    pub(super) fn shipment(
        &mut self,
        lot: LotRef,
        q: u64,
        from: usize,
        to: ShipTo,
        shipped: i32,
        delivered: i32,
    ) -> anyhow::Result<()> {
        let w = self.w;
        let ids = &self.ids;
        let t = &mut self.ships;
        let from_id = &w.sites[from].id;
        t.text_with(|b| {
            match to {
                ShipTo::Site(s) => {
                    b.extend_from_slice(b"TR-");
                    b.extend_from_slice(from_id.as_bytes());
                    b.push(b'-');
                    b.extend_from_slice(w.sites[s].id.as_bytes());
                }
                ShipTo::Customer(c) => {
                    b.extend_from_slice(b"SO-");
                    b.extend_from_slice(from_id.as_bytes());
                    b.push(b'-');
                    b.extend_from_slice(w.customers[c].id.as_bytes());
                }
            }
            b.push(b'-');
            b.extend_from_slice(&ids.day(shipped));
        });
        t.text_with(|b| ids.lot(b, lot));
        qty(t, q, lot.whole);
        t.text(from_id);
        match to {
            ShipTo::Site(s) => {
                t.text(&w.sites[s].id);
                t.null();
            }
            ShipTo::Customer(c) => {
                t.null();
                t.text(&w.customers[c].id);
            }
        }
        t.date(shipped);
        if delivered <= self.end {
            t.date(delivered);
            t.text("delivered");
        } else {
            t.null();
            t.text("in_transit");
        }
        t.end()
    }

    /// An inspection of `lot`: failed with `defect`, or passed.
    pub(super) fn inspection(
        &mut self,
        lot: LotRef,
        day: i32,
        failed: bool,
        defect: Option<&str>,
    ) -> anyhow::Result<()> {
        self.n_inspections += 1;
        let n = self.n_inspections;
        let ids = &self.ids;
        let t = &mut self.insps;
        t.text_with(|b| {
            b.extend_from_slice(b"QI-");
            push_padded(b, n, 7);
        });
        t.text_with(|b| ids.lot(b, lot));
        t.date(day);
        t.text(if failed { "fail" } else { "pass" });
        match defect {
            Some(d) => t.text(d),
            None => t.null(),
        }
        t.end()
    }

    /// A return of `q` units of `lot` by customer `cust`; gives its serial
    /// number (the `n` of `RT-nnnnnnn`).
    pub(super) fn ret(
        &mut self,
        lot: LotRef,
        cust: usize,
        q: u64,
        reason: &str,
        category: &str,
        day: i32,
    ) -> anyhow::Result<u64> {
        self.n_returns += 1;
        let n = self.n_returns;
        let ids = &self.ids;
        let t = &mut self.rets;
        t.text_with(|b| push_return_id(b, n));
        t.text_with(|b| ids.lot(b, lot));
        t.text(&self.w.customers[cust].id);
        t.num(q, 0);
        t.text(reason);
        t.text(category);
        t.date(day);
        t.end()?;
        Ok(n)
    }

    /// Closes the tables; gives (table name, data rows) in writing order,
    /// and the lot numbering for truth.json.
    pub(super) fn finish(self) -> anyhow::Result<(Vec<(String, u64)>, Ids)> {
        let mut files = Vec::new();
        for (kind, t) in [
            (FileKind::Lots, self.lots),
            (FileKind::Consumptions, self.cons),
            (FileKind::Shipments, self.ships),
            (FileKind::Returns, self.rets),
            (FileKind::Inspections, self.insps),
        ] {
            files.push((kind.stem().to_string(), t.finish()?));
        }
        Ok((files, self.ids))
    }
}

/// Appends return number `n` (`RT-0000042`).
pub(super) fn push_return_id(b: &mut Vec<u8>, n: u64) {
    b.extend_from_slice(b"RT-");
    push_padded(b, n, 7);
}

/// A quantity in tenths: whole units for `ea`, one decimal otherwise.
fn qty(t: &mut Table, q: u64, whole: bool) {
    if whole {
        t.num(q / 10, 0);
    } else {
        t.num(q, 1);
    }
}
