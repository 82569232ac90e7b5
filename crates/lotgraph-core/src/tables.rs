//! The record tables of a dataset as columns (struct of arrays): one
//! [`Col`] or [`StrCol`] per field, so a table can live in a memory-mapped
//! snapshot and be read in place. Rows go in and come out as the borrowed
//! row types of `model` (`Lot<'_>`, `Shipment<'_>`, ...), decoded per
//! access from the columns (a few loads each).
//!
//! Encodings (the snapshot stores exactly these arrays, little-endian):
//! optional indexes use [`NO_IX`], optional dates are days since
//! 1970-01-01 with [`NO_DATE`], enums their `code()` with [`NO_CODE`] for
//! none, optional numbers NaN, optional strings the empty string. An enum
//! code no variant has (a damaged file) reads as the first variant, never
//! a panic; checksums find such damage.

use crate::model::{
    Consumption, CustomerIx, Destination, Inspection, InspectionResult, Lot, LotIx, LotStatus,
    Origin, Return, ReturnCategory, Shipment, ShipmentStatus, SiteIx, SkuIx,
};
use crate::store::{Col, NO_CODE, NO_DATE, NO_IX, StrCol};
use chrono::NaiveDate;

/// Days from 0001-01-01 (chrono's day 1) to 1970-01-01.
const EPOCH_CE_DAYS: i32 = 719_163;

/// A date as days since 1970-01-01.
pub fn date_to_days(d: NaiveDate) -> i32 {
    chrono::Datelike::num_days_from_ce(&d) - EPOCH_CE_DAYS
}

/// Inverse of [`date_to_days`]; `None` for [`NO_DATE`] or out of range.
pub fn days_to_date(v: i32) -> Option<NaiveDate> {
    if v == NO_DATE {
        return None;
    }
    NaiveDate::from_num_days_from_ce_opt(v.checked_add(EPOCH_CE_DAYS)?)
}

fn enc_date(d: Option<NaiveDate>) -> i32 {
    d.map_or(NO_DATE, date_to_days)
}

/// A required date; a damaged value reads as 1970-01-01.
fn req_date(v: i32) -> NaiveDate {
    days_to_date(v).unwrap_or_default()
}

fn enc_ix(i: Option<u32>) -> u32 {
    i.unwrap_or(NO_IX)
}

fn dec_ix(v: u32) -> Option<u32> {
    (v != NO_IX).then_some(v)
}

fn enc_f64(v: Option<f64>) -> f64 {
    v.unwrap_or(f64::NAN)
}

fn dec_f64(v: f64) -> Option<f64> {
    (!v.is_nan()).then_some(v)
}

/// A table whose rows are read by position: what [`RowIter`] walks.
pub trait Rows {
    /// The borrowed row type.
    type Row<'a>
    where
        Self: 'a;
    /// Number of rows.
    fn row_count(&self) -> usize;
    /// Row `i` (`i < row_count()`).
    fn row(&self, i: usize) -> Self::Row<'_>;
}

/// The rows of a table in load order, without boxing: a position range
/// over the table.
pub struct RowIter<'a, T: Rows> {
    table: &'a T,
    next: usize,
    end: usize,
}

impl<'a, T: Rows> Iterator for RowIter<'a, T> {
    type Item = T::Row<'a>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        (self.next < self.end).then(|| {
            self.next += 1;
            self.table.row(self.next - 1)
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end - self.next;
        (n, Some(n))
    }
}

impl<T: Rows> ExactSizeIterator for RowIter<'_, T> {}

/// Generates `len`, `iter`, [`Rows`], `IntoIterator` and `PartialEq` for a
/// table with `get`; `$lt` names the row's borrow in `$row`.
macro_rules! table_access {
    ($table:ident, $lt:lifetime, $row:ty, $len_col:ident) => {
        impl Rows for $table {
            type Row<$lt> = $row;
            #[inline]
            fn row_count(&self) -> usize {
                self.$len_col.len()
            }
            #[inline]
            fn row(&self, i: usize) -> Self::Row<'_> {
                self.get(i)
            }
        }

        impl $table {
            /// Number of rows.
            #[inline]
            pub fn len(&self) -> usize {
                self.$len_col.len()
            }

            /// Has it no rows?
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// Every row, in load order.
            pub fn iter(&self) -> RowIter<'_, $table> {
                RowIter {
                    table: self,
                    next: 0,
                    end: self.len(),
                }
            }
        }

        impl<$lt> IntoIterator for &$lt $table {
            type Item = $row;
            type IntoIter = RowIter<$lt, $table>;
            fn into_iter(self) -> Self::IntoIter {
                self.iter()
            }
        }

        impl PartialEq for $table {
            fn eq(&self, other: &Self) -> bool {
                self.len() == other.len() && self.iter().eq(other.iter())
            }
        }
    };
}

/// Lots, one column per field of [`Lot`].
#[derive(Clone, Debug, Default)]
pub struct LotTable {
    pub id: StrCol,
    pub sku: Col<SkuIx>,
    pub origin: Col<u8>,
    pub supplier: Col<u32>,
    pub supplier_lot_code: StrCol,
    pub site: Col<u32>,
    pub line: Col<u32>,
    pub produced_on: Col<i32>,
    pub received_on: Col<i32>,
    pub expires_on: Col<i32>,
    pub quantity: Col<f64>,
    pub unit_cost: Col<f64>,
    pub status: Col<u8>,
}

table_access!(LotTable, 'r, Lot<'r>, quantity);

impl LotTable {
    /// Makes room for `n` more rows.
    pub fn reserve(&mut self, n: usize) {
        self.sku.to_mut().reserve(n);
        self.origin.to_mut().reserve(n);
        self.supplier.to_mut().reserve(n);
        self.site.to_mut().reserve(n);
        self.line.to_mut().reserve(n);
        self.produced_on.to_mut().reserve(n);
        self.received_on.to_mut().reserve(n);
        self.expires_on.to_mut().reserve(n);
        self.quantity.to_mut().reserve(n);
        self.unit_cost.to_mut().reserve(n);
        self.status.to_mut().reserve(n);
        self.id.reserve(n);
    }
    /// Row `i`. Panics only when `i` is out of range, like a slice.
    #[inline]
    pub fn get(&self, i: usize) -> Lot<'_> {
        Lot {
            id: self.id.get(i),
            sku: self.sku[i],
            origin: Origin::from_code(self.origin[i]).unwrap_or(Origin::Supplied),
            supplier: dec_ix(self.supplier[i]).map(crate::model::SupplierIx),
            supplier_lot_code: self.supplier_lot_code.get_opt(i),
            site: self.site_of(i),
            line: dec_ix(self.line[i]).map(crate::model::LineIx),
            produced_on: days_to_date(self.produced_on[i]),
            received_on: days_to_date(self.received_on[i]),
            expires_on: days_to_date(self.expires_on[i]),
            quantity: self.quantity[i],
            unit_cost: dec_f64(self.unit_cost[i]),
            status: LotStatus::from_code(self.status[i]).unwrap_or(LotStatus::Released),
        }
    }

    /// The site of lot `i`, without decoding the rest of the row.
    #[inline]
    pub fn site_of(&self, i: usize) -> Option<SiteIx> {
        dec_ix(self.site[i]).map(SiteIx)
    }

    /// Appends a row.
    pub fn push(&mut self, l: Lot<'_>) {
        self.id.push(Some(l.id));
        self.sku.push(l.sku);
        self.origin.push(l.origin.code());
        self.supplier.push(enc_ix(l.supplier.map(|s| s.0)));
        self.supplier_lot_code.push(l.supplier_lot_code);
        self.site.push(enc_ix(l.site.map(|s| s.0)));
        self.line.push(enc_ix(l.line.map(|s| s.0)));
        self.produced_on.push(enc_date(l.produced_on));
        self.received_on.push(enc_date(l.received_on));
        self.expires_on.push(enc_date(l.expires_on));
        self.quantity.push(l.quantity);
        self.unit_cost.push(enc_f64(l.unit_cost));
        self.status.push(l.status.code());
    }
}

/// Consumptions (genealogy edges), one column per field.
#[derive(Clone, Debug, Default)]
pub struct ConsumptionTable {
    pub input: Col<LotIx>,
    pub output: Col<LotIx>,
    pub quantity: Col<f64>,
    pub consumed_on: Col<i32>,
}

impl ConsumptionTable {
    /// Makes room for `n` more rows.
    pub fn reserve(&mut self, n: usize) {
        self.input.to_mut().reserve(n);
        self.output.to_mut().reserve(n);
        self.quantity.to_mut().reserve(n);
        self.consumed_on.to_mut().reserve(n);
    }

    /// Row `i`.
    #[inline]
    pub fn get(&self, i: usize) -> Consumption {
        Consumption {
            input: self.input[i],
            output: self.output[i],
            quantity: self.quantity[i],
            consumed_on: days_to_date(self.consumed_on[i]),
        }
    }

    /// Appends a row.
    pub fn push(&mut self, c: Consumption) {
        self.input.push(c.input);
        self.output.push(c.output);
        self.quantity.push(c.quantity);
        self.consumed_on.push(enc_date(c.consumed_on));
    }
}

table_access!(ConsumptionTable, 'r, Consumption, quantity);

/// Shipments, one column per field; the destination is two columns (a
/// site or a customer, the other `NO_IX`).
#[derive(Clone, Debug, Default)]
pub struct ShipmentTable {
    pub id: StrCol,
    pub lot: Col<LotIx>,
    pub quantity: Col<f64>,
    pub from_site: Col<u32>,
    pub to_site: Col<u32>,
    pub customer: Col<u32>,
    pub shipped_on: Col<i32>,
    pub delivered_on: Col<i32>,
    pub status: Col<u8>,
}

table_access!(ShipmentTable, 'r, Shipment<'r>, quantity);

impl ShipmentTable {
    /// Makes room for `n` more rows.
    pub fn reserve(&mut self, n: usize) {
        self.lot.to_mut().reserve(n);
        self.quantity.to_mut().reserve(n);
        self.from_site.to_mut().reserve(n);
        self.to_site.to_mut().reserve(n);
        self.customer.to_mut().reserve(n);
        self.shipped_on.to_mut().reserve(n);
        self.delivered_on.to_mut().reserve(n);
        self.status.to_mut().reserve(n);
        self.id.reserve(n);
    }
    /// Row `i`.
    #[inline]
    pub fn get(&self, i: usize) -> Shipment<'_> {
        let to = match dec_ix(self.customer[i]) {
            Some(c) => Destination::Customer(CustomerIx(c)),
            None => Destination::Site(SiteIx(self.to_site[i])),
        };
        Shipment {
            id: self.id.get(i),
            lot: self.lot[i],
            quantity: self.quantity[i],
            from_site: dec_ix(self.from_site[i]).map(SiteIx),
            to,
            shipped_on: req_date(self.shipped_on[i]),
            delivered_on: days_to_date(self.delivered_on[i]),
            status: ShipmentStatus::from_code(self.status[i]).unwrap_or(ShipmentStatus::InTransit),
        }
    }

    /// Does shipment `i` go to a customer (rather than to a site)?
    #[inline]
    pub fn is_sale(&self, i: usize) -> bool {
        self.customer[i] != NO_IX
    }

    /// Appends a row.
    pub fn push(&mut self, s: Shipment<'_>) {
        self.id.push(Some(s.id));
        self.lot.push(s.lot);
        self.quantity.push(s.quantity);
        self.from_site.push(enc_ix(s.from_site.map(|x| x.0)));
        let (site, customer) = match s.to {
            Destination::Site(x) => (x.0, NO_IX),
            Destination::Customer(c) => (NO_IX, c.0),
        };
        self.to_site.push(site);
        self.customer.push(customer);
        self.shipped_on.push(date_to_days(s.shipped_on));
        self.delivered_on.push(enc_date(s.delivered_on));
        self.status.push(s.status.code());
    }
}

/// Returns, one column per field.
#[derive(Clone, Debug, Default)]
pub struct ReturnTable {
    pub id: StrCol,
    pub lot: Col<LotIx>,
    pub customer: Col<u32>,
    pub quantity: Col<f64>,
    pub reason: StrCol,
    pub category: Col<u8>,
    pub reported_on: Col<i32>,
}

table_access!(ReturnTable, 'r, Return<'r>, quantity);

impl ReturnTable {
    /// Makes room for `n` more rows.
    pub fn reserve(&mut self, n: usize) {
        self.lot.to_mut().reserve(n);
        self.customer.to_mut().reserve(n);
        self.quantity.to_mut().reserve(n);
        self.category.to_mut().reserve(n);
        self.reported_on.to_mut().reserve(n);
        self.id.reserve(n);
    }
    /// Row `i`.
    #[inline]
    pub fn get(&self, i: usize) -> Return<'_> {
        let category = self.category[i];
        Return {
            id: self.id.get(i),
            lot: self.lot[i],
            customer: dec_ix(self.customer[i]).map(CustomerIx),
            quantity: self.quantity[i],
            reason: self.reason.get_opt(i),
            category: (category != NO_CODE)
                .then(|| ReturnCategory::from_code(category).unwrap_or(ReturnCategory::Other)),
            reported_on: req_date(self.reported_on[i]),
        }
    }

    /// Appends a row.
    pub fn push(&mut self, r: Return<'_>) {
        self.id.push(Some(r.id));
        self.lot.push(r.lot);
        self.customer.push(enc_ix(r.customer.map(|c| c.0)));
        self.quantity.push(r.quantity);
        self.reason.push(r.reason);
        self.category.push(
            r.category
                .map_or(NO_CODE, super::model::ReturnCategory::code),
        );
        self.reported_on.push(date_to_days(r.reported_on));
    }
}

/// Inspections, one column per field.
#[derive(Clone, Debug, Default)]
pub struct InspectionTable {
    pub id: StrCol,
    pub lot: Col<LotIx>,
    pub inspected_on: Col<i32>,
    pub result: Col<u8>,
    pub defect: StrCol,
}

table_access!(InspectionTable, 'r, Inspection<'r>, result);

impl InspectionTable {
    /// Makes room for `n` more rows.
    pub fn reserve(&mut self, n: usize) {
        self.lot.to_mut().reserve(n);
        self.inspected_on.to_mut().reserve(n);
        self.result.to_mut().reserve(n);
        self.id.reserve(n);
    }
    /// Row `i`.
    #[inline]
    pub fn get(&self, i: usize) -> Inspection<'_> {
        Inspection {
            id: self.id.get(i),
            lot: self.lot[i],
            inspected_on: days_to_date(self.inspected_on[i]),
            result: InspectionResult::from_code(self.result[i]).unwrap_or(InspectionResult::Pass),
            defect: self.defect.get_opt(i),
        }
    }

    /// Appends a row.
    pub fn push(&mut self, r: Inspection<'_>) {
        self.id.push(Some(r.id));
        self.lot.push(r.lot);
        self.inspected_on.push(enc_date(r.inspected_on));
        self.result.push(r.result.code());
        self.defect.push(r.defect);
    }
}

/// Rows of a table grouped by lot: the rows of lot `l` are
/// `rows[offsets[l]..offsets[l + 1]]`, in load order. Built at ingest (a
/// counting sort) and stored in the snapshot, so "the shipments of this
/// lot" costs O(its shipments), not a scan of the table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Groups {
    pub offsets: Col<u32>,
    pub rows: Col<u32>,
}

impl Groups {
    /// Groups the rows of a table by their lot column. O(lots + rows).
    pub fn build(lots: usize, lot_of_row: &[LotIx]) -> Groups {
        Groups::build_where(lots, lot_of_row, |_| true)
    }

    /// Groups the rows `r` for which `keep(r)` holds by their lot column:
    /// a stable counting sort, so rows stay in file order within a lot.
    /// Rows whose lot is out of range are left out. O(lots + rows).
    pub fn build_where(lots: usize, lot_of_row: &[LotIx], keep: impl Fn(usize) -> bool) -> Groups {
        let mut offsets = vec![0u32; lots + 1];
        for (r, l) in lot_of_row.iter().enumerate() {
            if let Some(c) = offsets.get_mut(l.ix() + 1).filter(|_| keep(r)) {
                *c += 1;
            }
        }
        for i in 0..lots {
            offsets[i + 1] += offsets[i];
        }
        let mut next = offsets.clone();
        let mut rows = vec![0u32; offsets[lots] as usize];
        for (r, l) in lot_of_row.iter().enumerate() {
            if let Some(at) = next.get_mut(l.ix()).filter(|_| keep(r)) {
                rows[*at as usize] = r as u32;
                *at += 1;
            }
        }
        Groups {
            offsets: offsets.into(),
            rows: rows.into(),
        }
    }

    /// The rows of lot `l` (empty when out of range or damaged).
    #[inline]
    pub fn of(&self, l: LotIx) -> &[u32] {
        let (Some(&a), Some(&b)) = (self.offsets.get(l.ix()), self.offsets.get(l.ix() + 1)) else {
            return &[];
        };
        self.rows.get(a as usize..b as usize).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_survive_the_epoch_conversion() {
        for d in ["1900-03-01", "1970-01-01", "2021-10-20", "2400-02-29"] {
            let d = NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
            assert_eq!(days_to_date(date_to_days(d)), Some(d));
        }
        assert_eq!(days_to_date(NO_DATE), None);
        assert_eq!(days_to_date(i32::MAX), None);
    }

    #[test]
    fn groups_keep_load_order_within_a_lot() {
        let g = Groups::build(3, &[LotIx(2), LotIx(0), LotIx(2), LotIx(9)]);
        assert_eq!(g.of(LotIx(0)), &[1]);
        assert_eq!(g.of(LotIx(1)), &[] as &[u32]);
        assert_eq!(g.of(LotIx(2)), &[0, 2]);
        assert_eq!(g.of(LotIx(7)), &[] as &[u32]);
    }
}
