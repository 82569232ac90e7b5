//! The snapshot as the rows the mirror writes: one `Set` per node label or
//! relationship type, each row with a stable key, a content hash (for
//! incremental sync), its properties (for `UNWIND $rows`), and a check
//! item (key, quantity, extra) that `verify` compares with what Neo4j holds.
//!
//! Graph model (see the README):
//! - `(:Supplier {supplier_id})`, `(:Site {site_id})`, `(:Product {sku})`,
//!   `(:Customer {customer_id})`, `(:Lot {lot_id, ..., uom, unit, share_basis,
//!   content_total})`;
//! - `(:Supplier)-[:SUPPLIED]->(:Lot)`, `(:Lot)-[:OF_PRODUCT]->(:Product)`;
//! - `(:Lot)-[:CONSUMED_INTO {quantity, mass, pack_total}]->(:Lot)`, one per
//!   (input, output) pair with parallel consumption rows summed, as in the
//!   engine's CSR;
//! - `(:Lot)-[:SHIPPED {shipment_id, quantity, status, shipped_on,
//!   delivered_on, from_site_id}]->(:Site|:Customer)`;
//! - `(:Return {return_id, ...})-[:RETURN_OF]->(:Lot)` and
//!   `(:Inspection {inspection_id, ...})-[:INSPECTION_OF]->(:Lot)`.
//!
//! The share weight of an edge (record-format.md, "Shares") is computed in
//! Cypher from properties: a packaging edge carries `pack_total` (Σ of the
//! output's inputs of that packaging SKU) and weighs quantity / `pack_total`;
//! a content edge weighs mass / `content_total` of its output on a `mass`
//! basis and quantity / `content_total` on a `recorded` one. `mass` is the
//! quantity times the input SKU's kg per unit (null when unknown).

use chrono::NaiveDate;
use lotgraph_core::Genealogy;
use lotgraph_core::model::{Category, Dataset, Destination, LotIx};
use neo4rs::{BoltMap, BoltType};

/// What a row is: a node label or relationship type of the mirror.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Set {
    Supplier,
    Site,
    Product,
    Customer,
    Lot,
    Supplied,
    OfProduct,
    ConsumedInto,
    Shipped,
    Return,
    Inspection,
}

impl Set {
    /// Every set, in the order upserts run (nodes before what links them).
    pub const ALL: [Set; 11] = [
        Set::Supplier,
        Set::Site,
        Set::Product,
        Set::Customer,
        Set::Lot,
        Set::Supplied,
        Set::OfProduct,
        Set::ConsumedInto,
        Set::Shipped,
        Set::Return,
        Set::Inspection,
    ];

    /// The label or relationship type in Neo4j.
    pub fn name(self) -> &'static str {
        match self {
            Set::Supplier => "Supplier",
            Set::Site => "Site",
            Set::Product => "Product",
            Set::Customer => "Customer",
            Set::Lot => "Lot",
            Set::Supplied => "SUPPLIED",
            Set::OfProduct => "OF_PRODUCT",
            Set::ConsumedInto => "CONSUMED_INTO",
            Set::Shipped => "SHIPPED",
            Set::Return => "Return",
            Set::Inspection => "Inspection",
        }
    }

    /// `node` or `relationship`.
    pub fn kind(self) -> &'static str {
        match self {
            Set::Supplied | Set::OfProduct | Set::ConsumedInto | Set::Shipped => "relationship",
            _ => "node",
        }
    }

    /// Relationships written per row (Return and Inspection rows also
    /// link their node to its lot).
    pub fn relationships_per_row(self) -> u64 {
        match self {
            Set::Supplied
            | Set::OfProduct
            | Set::ConsumedInto
            | Set::Shipped
            | Set::Return
            | Set::Inspection => 1,
            _ => 0,
        }
    }

    /// Suffix of this set's statements in `queries/mirror_push.cypher`
    /// and `queries/mirror_verify.cypher`.
    pub fn stem(self) -> &'static str {
        match self {
            Set::Supplier => "supplier",
            Set::Site => "site",
            Set::Product => "product",
            Set::Customer => "customer",
            Set::Lot => "lot",
            Set::Supplied => "supplied",
            Set::OfProduct => "of_product",
            Set::ConsumedInto => "consumed_into",
            Set::Shipped => "shipped",
            Set::Return => "return",
            Set::Inspection => "inspection",
        }
    }

    /// Is the key made of two ids (relationships keyed by both ends)?
    pub fn composite(self) -> bool {
        matches!(self, Set::ConsumedInto | Set::Shipped)
    }
}

/// A property value.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Null,
    Str(String),
    Num(f64),
    Int(i64),
    Date(NaiveDate),
}

impl Val {
    fn opt_str(s: Option<&str>) -> Val {
        s.map_or(Val::Null, |s| Val::Str(s.to_string()))
    }

    fn opt_num(v: Option<f64>) -> Val {
        v.map_or(Val::Null, Val::Num)
    }

    fn opt_date(d: Option<NaiveDate>) -> Val {
        d.map_or(Val::Null, Val::Date)
    }

    /// The Bolt value sent to Neo4j.
    pub fn bolt(&self) -> BoltType {
        match self {
            Val::Null => BoltType::Null(neo4rs::BoltNull),
            Val::Str(s) => BoltType::from(s.as_str()),
            Val::Num(v) => BoltType::from(*v),
            Val::Int(v) => BoltType::from(*v),
            Val::Date(d) => BoltType::from(*d),
        }
    }

    /// Feeds an unambiguous encoding of the value to the hash.
    fn hash_into(&self, h: &mut Fnv) {
        match self {
            Val::Null => h.write(b"n"),
            Val::Str(s) => {
                h.write(b"s");
                h.write(&(s.len() as u64).to_le_bytes());
                h.write(s.as_bytes());
            }
            Val::Num(v) => {
                h.write(b"f");
                h.write(&v.to_bits().to_le_bytes());
            }
            Val::Int(v) => {
                h.write(b"i");
                h.write(&v.to_le_bytes());
            }
            Val::Date(d) => {
                h.write(b"d");
                h.write(&d.to_string().into_bytes());
            }
        }
    }
}

/// FNV-1a, 64 bit: stable across Rust versions and machines, which the
/// sync state (written by one run, read by the next) needs.
#[derive(Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    pub fn finish(self) -> u64 {
        self.0
    }
}

/// Joins two ids into one unambiguous key: `len(a):a` then `b`.
pub fn join_key(a: &str, b: &str) -> String {
    format!("{}:{a}{b}", a.len())
}

/// Inverse of `join_key`.
pub fn split_key(key: &str) -> Option<(&str, &str)> {
    let (len, rest) = key.split_once(':')?;
    let len: usize = len.parse().ok()?;
    (rest.len() >= len && rest.is_char_boundary(len)).then(|| rest.split_at(len))
}

/// What `verify` compares for one row: its key, its quantity (if the row
/// has one) and one more identifying value (the other end of a link).
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub key: String,
    pub quantity: Option<f64>,
    pub extra: Option<String>,
}

impl Check {
    /// The row's contribution to a set's checksum.
    pub fn hash(&self) -> u64 {
        let mut h = Fnv::default();
        Val::Str(self.key.clone()).hash_into(&mut h);
        Val::opt_num(self.quantity).hash_into(&mut h);
        Val::opt_str(self.extra.as_deref()).hash_into(&mut h);
        h.finish()
    }
}

/// The rows of a snapshot, computed on demand by index.
pub struct Rows<'a> {
    ds: &'a Dataset,
    g: &'a Genealogy,
    /// Distinct (input, output) pairs with summed quantities and weights.
    pairs: Vec<(LotIx, LotIx, f64, f64)>,
    /// Lots with a supplier (origin supplied).
    supplied: Vec<LotIx>,
}

impl<'a> Rows<'a> {
    /// Prepares the row sets of a snapshot. O(lots + edges).
    pub fn new(ds: &'a Dataset, g: &'a Genealogy) -> Rows<'a> {
        let mut pairs = Vec::with_capacity(g.edge_count());
        for i in 0..ds.lots.len() {
            let l = LotIx::from_ix(i);
            for (o, q, w) in g.outputs().weighted_edges(l) {
                pairs.push((l, o, q, w));
            }
        }
        let supplied = (0..ds.lots.len())
            .map(LotIx::from_ix)
            .filter(|l| {
                let lot = ds.lot(*l);
                lot.origin == lotgraph_core::model::Origin::Supplied && lot.supplier.is_some()
            })
            .collect();
        Rows {
            ds,
            g,
            pairs,
            supplied,
        }
    }

    /// Number of rows of `set`.
    pub fn len(&self, set: Set) -> usize {
        let ds = self.ds;
        match set {
            Set::Supplier => ds.suppliers.len(),
            Set::Site => ds.sites.len(),
            Set::Product => ds.products.len(),
            Set::Customer => ds.customers.len(),
            Set::Lot | Set::OfProduct => ds.lots.len(),
            Set::Supplied => self.supplied.len(),
            Set::ConsumedInto => self.pairs.len(),
            Set::Shipped => ds.shipments.len(),
            Set::Return => ds.returns.len(),
            Set::Inspection => ds.inspections.len(),
        }
    }

    /// Are there no rows at all?
    pub fn is_empty(&self) -> bool {
        Set::ALL.iter().all(|s| self.len(*s) == 0)
    }

    fn lot_id(&self, l: LotIx) -> &str {
        self.ds.lot_id(l)
    }

    /// The key of row `i` of `set` (unique within the set).
    pub fn key(&self, set: Set, i: usize) -> String {
        let ds = self.ds;
        match set {
            Set::Supplier => ds.suppliers[i].id.clone(),
            Set::Site => ds.sites[i].id.clone(),
            Set::Product => ds.products[i].sku.clone(),
            Set::Customer => ds.customers[i].id.clone(),
            Set::Lot | Set::OfProduct => ds.lots.id.get(i).to_string(),
            Set::Supplied => self.lot_id(self.supplied[i]).to_string(),
            Set::ConsumedInto => {
                let (a, b, _, _) = self.pairs[i];
                join_key(self.lot_id(a), self.lot_id(b))
            }
            Set::Shipped => {
                let s = ds.shipments.get(i);
                join_key(s.id, self.lot_id(s.lot))
            }
            Set::Return => ds.returns.id.get(i).to_string(),
            Set::Inspection => ds.inspections.id.get(i).to_string(),
        }
    }

    /// The properties of row `i` of `set`, in a fixed order.
    pub fn props(&self, set: Set, i: usize) -> Vec<(&'static str, Val)> {
        match set {
            Set::Supplier => self.supplier_props(i),
            Set::Site => self.site_props(i),
            Set::Product => self.product_props(i),
            Set::Customer => self.customer_props(i),
            Set::Lot => self.lot_props(i),
            Set::Supplied => self.supplied_props(i),
            Set::OfProduct => self.of_product_props(i),
            Set::ConsumedInto => self.consumed_into_props(i),
            Set::Shipped => self.shipped_props(i),
            Set::Return => self.return_props(i),
            Set::Inspection => self.inspection_props(i),
        }
    }

    /// Properties of supplier `i`.
    fn supplier_props(&self, i: usize) -> Vec<(&'static str, Val)> {
        let ds = self.ds;
        let s = |v: &str| Val::Str(v.to_string());
        let x = &ds.suppliers[i];
        vec![
            ("supplier_id", s(&x.id)),
            ("name", Val::opt_str(x.name.as_deref())),
            ("country", Val::opt_str(x.country.as_deref())),
        ]
    }

    /// Properties of site `i`.
    fn site_props(&self, i: usize) -> Vec<(&'static str, Val)> {
        let ds = self.ds;
        let s = |v: &str| Val::Str(v.to_string());
        let x = &ds.sites[i];
        vec![
            ("site_id", s(&x.id)),
            ("name", Val::opt_str(x.name.as_deref())),
            (
                "kind",
                Val::opt_str(x.kind.map(lotgraph_core::model::SiteKind::as_str)),
            ),
            ("region", Val::opt_str(x.region.as_deref())),
        ]
    }

    /// Properties of product `i`.
    fn product_props(&self, i: usize) -> Vec<(&'static str, Val)> {
        let ds = self.ds;
        let s = |v: &str| Val::Str(v.to_string());
        let x = &ds.products[i];
        vec![
            ("sku", s(&x.sku)),
            ("name", Val::opt_str(x.name.as_deref())),
            (
                "category",
                Val::opt_str(x.category.map(lotgraph_core::model::Category::as_str)),
            ),
            ("uom", Val::opt_str(x.uom.as_deref())),
            (
                "shelf_life_days",
                x.shelf_life_days
                    .map_or(Val::Null, |d| Val::Int(i64::from(d))),
            ),
            ("unit_cost", Val::opt_num(x.unit_cost)),
            ("gtin", Val::opt_str(x.gtin.as_deref())),
        ]
    }

    /// Properties of customer `i`.
    fn customer_props(&self, i: usize) -> Vec<(&'static str, Val)> {
        let ds = self.ds;
        let s = |v: &str| Val::Str(v.to_string());
        let x = &ds.customers[i];
        vec![
            ("customer_id", s(&x.id)),
            ("name", Val::opt_str(x.name.as_deref())),
            (
                "kind",
                Val::opt_str(x.kind.map(lotgraph_core::model::CustomerKind::as_str)),
            ),
            ("region", Val::opt_str(x.region.as_deref())),
            ("contact", Val::opt_str(x.contact.as_deref())),
        ]
    }

    /// Properties of lot `i`.
    fn lot_props(&self, i: usize) -> Vec<(&'static str, Val)> {
        let ds = self.ds;
        let s = |v: &str| Val::Str(v.to_string());
        let l = LotIx::from_ix(i);
        let x = ds.lot(l);
        vec![
            ("lot_id", s(x.id)),
            ("sku", s(&ds.product_of(l).sku)),
            ("origin", s(x.origin.as_str())),
            ("supplier_id", Val::opt_str(ds.supplier_id_of(l))),
            ("supplier_lot_code", Val::opt_str(x.supplier_lot_code)),
            ("site_id", Val::opt_str(x.site.map(|t| ds.site_id(t)))),
            (
                "line",
                Val::opt_str(x.line.map(|t| ds.lines[t.ix()].as_str())),
            ),
            ("produced_on", Val::opt_date(x.produced_on)),
            ("received_on", Val::opt_date(x.received_on)),
            ("expires_on", Val::opt_date(x.expires_on)),
            ("quantity", Val::Num(x.quantity)),
            ("uom", Val::opt_str(ds.product_of(l).uom.as_deref())),
            // The canonical unit (`KGM` is `kg`): what seed
            // quantities are summed under.
            (
                "unit",
                Val::opt_str(Some(ds.unit_key_of(l)).filter(|u| !u.is_empty())),
            ),
            ("unit_cost", Val::opt_num(x.unit_cost)),
            ("status", s(x.status.as_str())),
            (
                "share_basis",
                Val::opt_str(
                    self.g
                        .basis(l)
                        .map(lotgraph_core::graph::ShareBasis::as_str),
                ),
            ),
            ("content_total", Val::Num(self.g.content_total(l))),
        ]
    }

    /// Properties of SUPPLIED row `i` (a supplied lot and its supplier).
    fn supplied_props(&self, i: usize) -> Vec<(&'static str, Val)> {
        let ds = self.ds;
        let s = |v: &str| Val::Str(v.to_string());
        let l = self.supplied[i];
        vec![
            ("lot_id", s(self.lot_id(l))),
            ("supplier_id", Val::opt_str(ds.supplier_id_of(l))),
        ]
    }

    /// Properties of `OF_PRODUCT` row `i` (lot `i` and its SKU).
    fn of_product_props(&self, i: usize) -> Vec<(&'static str, Val)> {
        let ds = self.ds;
        let s = |v: &str| Val::Str(v.to_string());
        let l = LotIx::from_ix(i);
        vec![
            ("lot_id", s(self.lot_id(l))),
            ("sku", s(&ds.product_of(l).sku)),
        ]
    }

    /// Properties of `CONSUMED_INTO` row `i`: an (input, output) pair with its summed quantity, mass and packaging total.
    fn consumed_into_props(&self, i: usize) -> Vec<(&'static str, Val)> {
        let ds = self.ds;
        let s = |v: &str| Val::Str(v.to_string());
        let (a, b, q, w) = self.pairs[i];
        let input = ds.product_of(a);
        let is_packaging = input.category == Some(Category::Packaging);
        vec![
            ("input_lot_id", s(self.lot_id(a))),
            ("output_lot_id", s(self.lot_id(b))),
            ("quantity", Val::Num(q)),
            ("mass", Val::opt_num(input.kg_per_uom.map(|kg| q * kg))),
            (
                "pack_total",
                Val::opt_num((is_packaging && w > 0.0).then(|| q / w)),
            ),
        ]
    }

    /// Properties of SHIPPED row `i` (shipment `i`).
    fn shipped_props(&self, i: usize) -> Vec<(&'static str, Val)> {
        let ds = self.ds;
        let s = |v: &str| Val::Str(v.to_string());
        let x = ds.shipments.get(i);
        let (site, customer) = match x.to {
            Destination::Site(t) => (Some(ds.site_id(t)), None),
            Destination::Customer(c) => (None, Some(ds.customers[c.ix()].id.as_str())),
        };
        vec![
            ("shipment_id", s(x.id)),
            ("lot_id", s(self.lot_id(x.lot))),
            ("quantity", Val::Num(x.quantity)),
            ("status", s(x.status.as_str())),
            ("shipped_on", Val::Date(x.shipped_on)),
            ("delivered_on", Val::opt_date(x.delivered_on)),
            (
                "from_site_id",
                Val::opt_str(x.from_site.map(|t| ds.site_id(t))),
            ),
            ("to_site_id", Val::opt_str(site)),
            ("customer_id", Val::opt_str(customer)),
        ]
    }

    /// Properties of return `i`.
    fn return_props(&self, i: usize) -> Vec<(&'static str, Val)> {
        let ds = self.ds;
        let s = |v: &str| Val::Str(v.to_string());
        let x = ds.returns.get(i);
        vec![
            ("return_id", s(x.id)),
            ("lot_id", s(self.lot_id(x.lot))),
            (
                "customer_id",
                Val::opt_str(x.customer.map(|c| ds.customers[c.ix()].id.as_str())),
            ),
            ("quantity", Val::Num(x.quantity)),
            ("reason", Val::opt_str(x.reason)),
            (
                "category",
                Val::opt_str(x.category.map(lotgraph_core::model::ReturnCategory::as_str)),
            ),
            ("reported_on", Val::Date(x.reported_on)),
        ]
    }

    /// Properties of inspection `i`.
    fn inspection_props(&self, i: usize) -> Vec<(&'static str, Val)> {
        let ds = self.ds;
        let s = |v: &str| Val::Str(v.to_string());
        let x = ds.inspections.get(i);
        vec![
            ("inspection_id", s(x.id)),
            ("lot_id", s(self.lot_id(x.lot))),
            ("inspected_on", Val::opt_date(x.inspected_on)),
            ("result", s(x.result.as_str())),
            ("defect", Val::opt_str(x.defect)),
        ]
    }

    /// The content hash of row `i`: changes whenever anything written for
    /// the row changes.
    pub fn hash(&self, set: Set, i: usize) -> u64 {
        let mut h = Fnv::default();
        h.write(set.name().as_bytes());
        for (name, v) in self.props(set, i) {
            h.write(name.as_bytes());
            v.hash_into(&mut h);
        }
        h.finish()
    }

    /// Row `i` as the Bolt map an `UNWIND $rows AS r` statement reads.
    pub fn bolt(&self, set: Set, i: usize) -> BoltType {
        let props = self.props(set, i);
        let mut m = BoltMap::with_capacity(props.len());
        for (name, v) in props {
            m.put(name.into(), v.bolt());
        }
        BoltType::Map(m)
    }

    /// What `verify` compares for row `i`.
    pub fn check(&self, set: Set, i: usize) -> Check {
        let ds = self.ds;
        let key = self.key(set, i);
        let (quantity, extra) = match set {
            Set::Supplier | Set::Site | Set::Product | Set::Customer => (None, None),
            Set::Lot => (Some(ds.lots.quantity[i]), None),
            Set::Supplied => (None, ds.supplier_id_of(self.supplied[i]).map(String::from)),
            Set::OfProduct => (None, Some(ds.product_of(LotIx::from_ix(i)).sku.clone())),
            Set::ConsumedInto => (Some(self.pairs[i].2), None),
            Set::Shipped => {
                let x = ds.shipments.get(i);
                let to = match x.to {
                    Destination::Site(t) => format!("site:{}", ds.site_id(t)),
                    Destination::Customer(c) => format!("customer:{}", ds.customers[c.ix()].id),
                };
                (Some(x.quantity), Some(to))
            }
            Set::Return => {
                let x = ds.returns.get(i);
                (Some(x.quantity), Some(self.lot_id(x.lot).to_string()))
            }
            Set::Inspection => {
                let x = ds.inspections.get(i);
                (None, Some(self.lot_id(x.lot).to_string()))
            }
        };
        Check {
            key,
            quantity,
            extra,
        }
    }
}

/// The Bolt map a delete statement reads for `key`: `{k}` for plain keys,
/// `{a, b}` for composite ones.
pub fn delete_row(set: Set, key: &str) -> BoltType {
    let mut m = BoltMap::with_capacity(2);
    if set.composite() {
        let (a, b) = split_key(key).unwrap_or((key, ""));
        m.put("a".into(), BoltType::from(a));
        m.put("b".into(), BoltType::from(b));
    } else {
        m.put("k".into(), BoltType::from(key));
    }
    BoltType::Map(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composite_keys_round_trip_whatever_the_ids() {
        for (a, b) in [("A", "B"), ("1:2", "3"), ("", "x"), ("🧪:'", "\n}")] {
            assert_eq!(split_key(&join_key(a, b)), Some((a, b)));
        }
        assert_ne!(join_key("ab", "c"), join_key("a", "bc"));
    }

    #[test]
    fn fnv_is_stable() {
        let mut h = Fnv::default();
        h.write(b"a");
        assert_eq!(h.finish(), 0xaf63_dc4c_8601_ec8c);
    }
}
