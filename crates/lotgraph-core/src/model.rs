//! The validated records of a dataset, after ingest: every id is interned
//! into a dense index (`LotIx`, `SkuIx`, ...) so that everything downstream
//! works on `Vec`s indexed by those ids instead of on string-keyed maps.
//!
//! The record format itself is specified in `../shared/spec/record-format.md`;
//! the enums here mirror its enum columns one variant per allowed value.

use crate::store::{Col, Master, StrCol};
use crate::units::Unit;
use chrono::NaiveDate;
use std::sync::OnceLock;

pub use crate::tables::{
    ConsumptionTable, Groups, InspectionTable, LotTable, ReturnTable, ShipmentTable,
};

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(transparent)]
        pub struct $name(pub u32);

        impl crate::store::sealed::Sealed for $name {}
        // SAFETY: a #[repr(transparent)] wrapper of u32: no padding, and
        // every bit pattern is a value (an out-of-range index is checked
        // where it is used, never undefined behaviour).
        unsafe impl crate::store::Pod for $name {}

        impl $name {
            /// The index as a `usize`, for indexing the `Vec` it belongs to.
            #[inline]
            pub fn ix(self) -> usize {
                self.0 as usize
            }

            /// Build from a `usize` index (callers guarantee it fits in `u32`).
            #[inline]
            pub fn from_ix(i: usize) -> Self {
                Self(i as u32)
            }
        }
    };
}

index_type!(
    /// A lot (batch), indexing `Dataset::lots`.
    LotIx
);
index_type!(
    /// A supplier, indexing `Dataset::suppliers`.
    SupplierIx
);
index_type!(
    /// A site (plant, warehouse, distribution centre, store), indexing `Dataset::sites`.
    SiteIx
);
index_type!(
    /// A product (SKU), indexing `Dataset::products`.
    SkuIx
);
index_type!(
    /// A customer, indexing `Dataset::customers`.
    CustomerIx
);
index_type!(
    /// A production line name, indexing `Dataset::lines`.
    LineIx
);

/// Defines a closed set of string values with a parser and a canonical spelling.
macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The spelling used in the record format.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the record-format spelling (exact, case-sensitive).
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }

            /// The allowed spellings, comma separated, for error messages.
            pub fn choices() -> String {
                [$($text),+].join(", ")
            }

            /// Position in `ALL`, stable across runs (used by the snapshot).
            pub fn code(self) -> u8 {
                self as u8
            }

            /// Inverse of `code`.
            pub fn from_code(c: u8) -> Option<Self> {
                Self::ALL.get(c as usize).copied()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// What a site is.
    SiteKind {
        /// A production plant: lots are made here.
        Plant = "plant",
        /// A warehouse holding stock between plant and distribution.
        Warehouse = "warehouse",
        /// A distribution centre shipping to customers.
        Dc = "dc",
        /// A company-owned store.
        Store = "store",
    }
);

string_enum!(
    /// The role of a product in the bill of materials.
    Category {
        /// A raw material bought from a supplier.
        Raw = "raw",
        /// Packaging material.
        Packaging = "packaging",
        /// Work in progress, consumed into other products.
        Intermediate = "intermediate",
        /// A finished good sold to customers.
        Finished = "finished",
    }
);

string_enum!(
    /// Where a lot came from.
    Origin {
        /// Received from a supplier: a root of the genealogy.
        Supplied = "supplied",
        /// Made in-house from recorded inputs.
        Produced = "produced",
    }
);

string_enum!(
    /// The disposition of a lot.
    LotStatus {
        /// Free to use and ship (the default).
        Released = "released",
        /// Held pending a quality decision.
        Quarantined = "quarantined",
        /// Blocked for another reason.
        OnHold = "on_hold",
        /// Recalled from the market.
        Recalled = "recalled",
        /// Destroyed / written off.
        Destroyed = "destroyed",
    }
);

string_enum!(
    /// Whether a shipment has arrived.
    ShipmentStatus {
        /// Shipped, not yet delivered.
        InTransit = "in_transit",
        /// Delivered at its destination.
        Delivered = "delivered",
    }
);

string_enum!(
    /// What a customer is.
    CustomerKind {
        /// Resells to retailers.
        Distributor = "distributor",
        /// Sells to consumers.
        Retailer = "retailer",
        /// An end consumer.
        Consumer = "consumer",
    }
);

string_enum!(
    /// Why an item came back.
    ReturnCategory {
        /// A manufacturing defect.
        Defect = "defect",
        /// A quality complaint (taste, texture, appearance).
        Quality = "quality",
        /// A safety complaint (contamination, foreign body, illness).
        Safety = "safety",
        /// Damaged in transit or handling.
        Damage = "damage",
        /// Anything else.
        Other = "other",
    }
);

string_enum!(
    /// The outcome of a quality inspection.
    InspectionResult {
        /// The lot met its specification.
        Pass = "pass",
        /// The lot failed its specification.
        Fail = "fail",
    }
);

/// A supplier of raw materials.
#[derive(Clone, Debug, PartialEq)]
pub struct Supplier {
    /// `supplier_id`, unique.
    pub id: String,
    pub name: Option<String>,
    /// ISO 3166 alpha-2.
    pub country: Option<String>,
}

/// A place where stock is held.
#[derive(Clone, Debug, PartialEq)]
pub struct Site {
    pub id: String,
    pub name: Option<String>,
    pub kind: Option<SiteKind>,
    pub region: Option<String>,
}

/// A material, intermediate or finished good.
#[derive(Clone, Debug, PartialEq)]
pub struct Product {
    pub sku: String,
    pub name: Option<String>,
    pub category: Option<Category>,
    /// The unit as written (trimmed); see `unit` for the parsed one.
    pub uom: Option<String>,
    /// `uom` parsed against the unit table; `None` when empty or unknown.
    pub unit: Option<Unit>,
    /// Mass of one unit in kg: the recorded `kg_per_uom`, else implied by
    /// a mass unit, else unknown (`units::kg_per_unit`).
    pub kg_per_uom: Option<f64>,
    pub shelf_life_days: Option<u32>,
    pub unit_cost: Option<f64>,
    /// The GS1 GTIN (8, 12, 13 or 14 digits, check digit verified at
    /// ingest), as written.
    pub gtin: Option<String>,
    /// Created because a lot referenced an SKU missing from products.csv.
    pub implicit: bool,
}

/// A row of `lot_schemes.csv`: the template the lot codes of the SKUs
/// matching a pattern follow (docs/lot-codes.md), or, with a supplier,
/// the template of that supplier's own lot codes (`supplier_lot_code`).
#[derive(Clone, Debug, PartialEq)]
pub struct LotScheme {
    /// SKUs it covers: `*` matches any text (`HUM-01-*`).
    pub sku_pattern: String,
    /// The template, checked to parse at ingest.
    pub template: String,
    /// Values of the template's `{code:NAME}` lookups for these SKUs
    /// (`flavour` → `01`), in name order.
    pub codes: Vec<(String, String)>,
    /// Set: the scheme of this supplier's lot codes, not of lot ids.
    pub supplier: Option<SupplierIx>,
    pub description: Option<String>,
}

/// A customer shipments go to.
#[derive(Clone, Debug, PartialEq)]
pub struct Customer {
    pub id: String,
    pub name: Option<String>,
    pub kind: Option<CustomerKind>,
    pub region: Option<String>,
    pub contact: Option<String>,
}

/// A lot (batch): the unit of traceability. A row of [`LotTable`],
/// borrowed from it (`Dataset::lot`) or handed to it (`LotTable::push`).
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Lot<'a> {
    pub id: &'a str,
    pub sku: SkuIx,
    pub origin: Origin,
    pub supplier: Option<SupplierIx>,
    pub supplier_lot_code: Option<&'a str>,
    pub site: Option<SiteIx>,
    pub line: Option<LineIx>,
    pub produced_on: Option<NaiveDate>,
    pub received_on: Option<NaiveDate>,
    /// As recorded; see `Dataset::expiry` for the derived value.
    pub expires_on: Option<NaiveDate>,
    pub quantity: f64,
    pub unit_cost: Option<f64>,
    pub status: LotStatus,
}

/// One input lot consumed into one output lot: a genealogy edge.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Consumption {
    pub input: LotIx,
    pub output: LotIx,
    /// In the input SKU's unit of measure.
    pub quantity: f64,
    pub consumed_on: Option<NaiveDate>,
}

/// Where a shipment goes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// An internal transfer to another site.
    Site(SiteIx),
    /// A sale / delivery to a customer.
    Customer(CustomerIx),
}

/// A movement of part of a lot.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Shipment<'a> {
    pub id: &'a str,
    pub lot: LotIx,
    pub quantity: f64,
    /// Where it left from; when empty in the data, the lot's own site.
    pub from_site: Option<SiteIx>,
    pub to: Destination,
    pub shipped_on: NaiveDate,
    pub delivered_on: Option<NaiveDate>,
    pub status: ShipmentStatus,
}

/// A return or complaint against a lot.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Return<'a> {
    pub id: &'a str,
    pub lot: LotIx,
    pub customer: Option<CustomerIx>,
    pub quantity: f64,
    pub reason: Option<&'a str>,
    pub category: Option<ReturnCategory>,
    pub reported_on: NaiveDate,
}

/// A quality inspection of a lot.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Inspection<'a> {
    pub id: &'a str,
    pub lot: LotIx,
    pub inspected_on: Option<NaiveDate>,
    pub result: InspectionResult,
    pub defect: Option<&'a str>,
}

/// The files of a dataset, in the order they are loaded (references point
/// only to files earlier in this order).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    /// suppliers.csv
    Suppliers,
    /// sites.csv
    Sites,
    /// products.csv
    Products,
    /// customers.csv
    Customers,
    /// `lot_schemes.csv`: how lot codes are written, per SKU pattern
    LotSchemes,
    /// lots.csv (the only required file)
    Lots,
    /// consumptions.csv: the genealogy edges
    Consumptions,
    /// shipments.csv
    Shipments,
    /// returns.csv
    Returns,
    /// inspections.csv
    Inspections,
}

impl FileKind {
    /// Every file, in load order.
    pub const ALL: [FileKind; 10] = [
        FileKind::Suppliers,
        FileKind::Sites,
        FileKind::Products,
        FileKind::Customers,
        FileKind::LotSchemes,
        FileKind::Lots,
        FileKind::Consumptions,
        FileKind::Shipments,
        FileKind::Returns,
        FileKind::Inspections,
    ];

    /// The file's base name without extension (`lots`).
    pub fn stem(self) -> &'static str {
        match self {
            FileKind::Suppliers => "suppliers",
            FileKind::Sites => "sites",
            FileKind::Products => "products",
            FileKind::Customers => "customers",
            FileKind::LotSchemes => "lot_schemes",
            FileKind::Lots => "lots",
            FileKind::Consumptions => "consumptions",
            FileKind::Shipments => "shipments",
            FileKind::Returns => "returns",
            FileKind::Inspections => "inspections",
        }
    }

    /// Every column the format defines for this file, in spec order.
    pub fn columns(self) -> &'static [&'static str] {
        use crate::columns::*;
        match self {
            FileKind::Suppliers => &[SUPPLIER_ID, NAME, COUNTRY],
            FileKind::Sites => &[SITE_ID, NAME, KIND, REGION],
            FileKind::Products => &[
                SKU,
                NAME,
                CATEGORY,
                UOM,
                SHELF_LIFE_DAYS,
                UNIT_COST,
                KG_PER_UOM,
                GTIN,
            ],
            FileKind::Customers => &[CUSTOMER_ID, NAME, KIND, REGION, CONTACT],
            FileKind::LotSchemes => &[SKU_PATTERN, TEMPLATE, CODES, SUPPLIER_ID, DESCRIPTION],
            FileKind::Lots => &[
                LOT_ID,
                SKU,
                ORIGIN,
                SUPPLIER_ID,
                SUPPLIER_LOT_CODE,
                SITE_ID,
                LINE,
                PRODUCED_ON,
                RECEIVED_ON,
                EXPIRES_ON,
                QUANTITY,
                UNIT_COST,
                STATUS,
            ],
            FileKind::Consumptions => &[INPUT_LOT_ID, OUTPUT_LOT_ID, QUANTITY, CONSUMED_ON],
            FileKind::Shipments => &[
                SHIPMENT_ID,
                LOT_ID,
                QUANTITY,
                FROM_SITE_ID,
                TO_SITE_ID,
                CUSTOMER_ID,
                SHIPPED_ON,
                DELIVERED_ON,
                STATUS,
            ],
            FileKind::Returns => &[
                RETURN_ID,
                LOT_ID,
                CUSTOMER_ID,
                QUANTITY,
                REASON,
                CATEGORY,
                REPORTED_ON,
            ],
            FileKind::Inspections => &[INSPECTION_ID, LOT_ID, INSPECTED_ON, RESULT, DEFECT],
        }
    }

    /// The columns marked `*` (required) in the format.
    pub fn required(self) -> &'static [&'static str] {
        use crate::columns::*;
        match self {
            FileKind::Suppliers => &[SUPPLIER_ID],
            FileKind::Sites => &[SITE_ID],
            FileKind::Products => &[SKU],
            FileKind::Customers => &[CUSTOMER_ID],
            FileKind::LotSchemes => &[SKU_PATTERN, TEMPLATE],
            FileKind::Lots => &[LOT_ID, SKU, ORIGIN, QUANTITY],
            FileKind::Consumptions => &[INPUT_LOT_ID, OUTPUT_LOT_ID, QUANTITY],
            FileKind::Shipments => &[SHIPMENT_ID, LOT_ID, QUANTITY, SHIPPED_ON],
            FileKind::Returns => &[RETURN_ID, LOT_ID, QUANTITY, REPORTED_ON],
            FileKind::Inspections => &[INSPECTION_ID, LOT_ID, RESULT],
        }
    }
}

/// Columns of the input files that the format does not define, kept as
/// extra properties. The cells are one string column in row-major order,
/// so a file with many extra columns is two arrays in a snapshot whatever
/// their number, and costs a command nothing until it reads a cell.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extras {
    pub columns: Vec<String>,
    /// Row `r`'s cell of column `k` is at `r * columns.len() + k`; empty
    /// cells are empty strings.
    pub values: StrCol,
}

impl Extras {
    /// The cells of loaded row `row`, one per column (empty when the row
    /// has none, as in a damaged snapshot).
    pub fn row(&self, row: usize) -> impl Iterator<Item = &str> + '_ {
        let n = self.columns.len();
        let start = row.saturating_mul(n);
        (start..start.saturating_add(n))
            .filter(|&i| i < self.values.len())
            .map(|i| self.values.get(i))
    }

    /// Loaded rows with cells: `values.len() / columns.len()`.
    pub fn rows(&self) -> usize {
        self.values
            .len()
            .checked_div(self.columns.len())
            .unwrap_or(0)
    }
}

/// Where a lot's expiry date came from.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ExpirySource {
    /// `expires_on` was recorded on the lot.
    Recorded,
    /// Derived: `produced_on` (or `received_on`) + the SKU's `shelf_life_days`.
    ShelfLife,
}

/// A whole validated dataset. Row order is load order; every `*Ix` indexes
/// the matching table. Master data (suppliers, sites, products, customers,
/// lines: thousands of rows at most) is held as rows of structs, decoded
/// from a snapshot on first use ([`Master`]); the
/// record tables, which reach tens of millions of rows, are columns that
/// may be read in place from a memory-mapped snapshot.
#[derive(Debug, Default)]
pub struct Dataset {
    pub suppliers: Master<Supplier>,
    pub sites: Master<Site>,
    pub products: Master<Product>,
    pub customers: Master<Customer>,
    /// `lot_schemes.csv`, in file order (the first match wins).
    pub lot_schemes: Master<LotScheme>,
    pub lots: LotTable,
    /// Interned production lines: a line is a name *at a site* (two plants
    /// may both have a `LINE-1`), so a name can appear more than once here.
    pub lines: Master<String>,
    /// The site of each line in `lines` (the site of the lots made on it).
    pub line_sites: Master<Option<SiteIx>>,
    pub consumptions: ConsumptionTable,
    pub shipments: ShipmentTable,
    pub returns: ReturnTable,
    pub inspections: InspectionTable,
    /// Unknown columns per file, indexed by `FileKind as usize`.
    pub extras: [Extras; FileKind::ALL.len()],
    index: Indexes,
}

/// Lookup structures derived from the tables: built on first use for a
/// dataset made in memory, or handed over ready-made by a snapshot (which
/// stores them, so opening one builds nothing).
#[derive(Debug, Default)]
pub struct Indexes {
    /// Every lot index, sorted by lot id (binary search by id).
    pub lot_order: OnceLock<Col<u32>>,
    /// Shipment rows per lot.
    pub shipments_by_lot: OnceLock<Groups>,
    /// Return rows per lot.
    pub returns_by_lot: OnceLock<Groups>,
    /// Inspection rows per lot.
    pub inspections_by_lot: OnceLock<Groups>,
}

impl Dataset {
    /// Number of lots.
    pub fn lot_count(&self) -> usize {
        self.lots.len()
    }

    /// Installs ready-made indexes (a snapshot's). Indexes already built
    /// are replaced.
    pub fn set_indexes(&mut self, index: Indexes) {
        self.index = index;
    }

    /// Every lot index sorted by lot id. Built on first use (O(n log n)).
    pub fn lot_order(&self) -> &[u32] {
        self.lot_order_col()
    }

    /// The position of every lot in id order (the inverse of
    /// [`Dataset::lot_order`]): sort keys that order lots by id without
    /// comparing strings. O(lots).
    pub fn lot_ranks(&self) -> Vec<u32> {
        let mut rank = vec![0u32; self.lots.len()];
        for (k, &l) in self.lot_order().iter().enumerate() {
            if let Some(r) = rank.get_mut(l as usize) {
                *r = k as u32;
            }
        }
        rank
    }

    /// [`Dataset::lot_order`] as its column (for writing a snapshot).
    pub fn lot_order_col(&self) -> &Col<u32> {
        self.index.lot_order.get_or_init(|| {
            let mut order: Vec<u32> = (0..self.lots.len() as u32).collect();
            let id = &self.lots.id;
            order.sort_unstable_by(|a, b| id.get_bytes(*a as usize).cmp(id.get_bytes(*b as usize)));
            order.into()
        })
    }

    /// Looks a lot up by its id: a binary search over [`Dataset::lot_order`],
    /// O(log lots) string comparisons.
    pub fn lot_ix(&self, id: &str) -> Option<LotIx> {
        // Element by element, not through the slice: a mapped column then
        // reads (and checks) only the ~log2(lots) pages the search probes.
        let order = self.lot_order_col();
        let key = |k: usize| order.get(k).map(|&i| self.lots.id.get_bytes(i as usize));
        let (mut lo, mut hi) = (0usize, order.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match key(mid)?.cmp(id.as_bytes()) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    return order
                        .get(mid)
                        .map(|i| LotIx(*i))
                        .filter(|l| l.ix() < self.lots.len());
                }
            }
        }
        None
    }

    /// Shipment rows grouped by lot (built on first use: O(shipments)).
    pub fn shipment_groups(&self) -> &Groups {
        self.index
            .shipments_by_lot
            .get_or_init(|| Groups::build(self.lots.len(), &self.shipments.lot))
    }

    /// Return rows grouped by lot.
    pub fn return_groups(&self) -> &Groups {
        self.index
            .returns_by_lot
            .get_or_init(|| Groups::build(self.lots.len(), &self.returns.lot))
    }

    /// Inspection rows grouped by lot.
    pub fn inspection_groups(&self) -> &Groups {
        self.index
            .inspections_by_lot
            .get_or_init(|| Groups::build(self.lots.len(), &self.inspections.lot))
    }

    /// The shipment rows of a lot, in load order: O(its shipments).
    pub fn shipments_of(&self, lot: LotIx) -> &[u32] {
        self.shipment_groups().of(lot)
    }

    /// The return rows of a lot, in load order.
    pub fn returns_of(&self, lot: LotIx) -> &[u32] {
        self.return_groups().of(lot)
    }

    /// The inspection rows of a lot, in load order.
    pub fn inspections_of(&self, lot: LotIx) -> &[u32] {
        self.inspection_groups().of(lot)
    }

    /// Looks a supplier up by id (linear: suppliers are few).
    pub fn supplier_ix(&self, id: &str) -> Option<SupplierIx> {
        self.suppliers
            .iter()
            .position(|s| s.id == id)
            .map(SupplierIx::from_ix)
    }

    /// The lot at `ix`.
    #[inline]
    pub fn lot(&self, ix: LotIx) -> Lot<'_> {
        self.lots.get(ix.ix())
    }

    /// The id of a lot: one column read, where [`Dataset::lot`] decodes
    /// the whole row.
    #[inline]
    pub fn lot_id(&self, ix: LotIx) -> &str {
        self.lots.id.get(ix.ix())
    }

    /// The product of a lot.
    #[inline]
    pub fn product_of(&self, ix: LotIx) -> &Product {
        &self.products[self.lots.sku[ix.ix()].ix()]
    }

    /// The unit of measure of a lot (its SKU's), or `""` when unknown.
    pub fn uom_of(&self, ix: LotIx) -> &str {
        self.product_of(ix).uom.as_deref().unwrap_or("")
    }

    /// The unit of a lot's SKU by its canonical code when the units table
    /// knows it (`KGM` and `Kg` are both `kg`), else as written ("" when
    /// none): the key quantities of different lots are added under.
    pub fn unit_key_of(&self, ix: LotIx) -> &str {
        let p = self.product_of(ix);
        match p.unit {
            Some(u) => u.as_str(),
            None => p.uom.as_deref().unwrap_or(""),
        }
    }

    /// The supplier id of a lot, if it has one.
    pub fn supplier_id_of(&self, ix: LotIx) -> Option<&str> {
        self.lot(ix)
            .supplier
            .map(|s| self.suppliers[s.ix()].id.as_str())
    }

    /// A line as people name it: its name, qualified as `name@site` when
    /// another site has a line of the same name.
    pub fn line_label(&self, ix: LineIx) -> String {
        let name = &self.lines[ix.ix()];
        let site = self.line_sites.get(ix.ix()).copied().flatten();
        let shared = self
            .lines
            .iter()
            .enumerate()
            .any(|(i, n)| i != ix.ix() && n == name);
        match (shared, site) {
            (true, Some(s)) => format!("{name}@{}", self.site_id(s)),
            _ => name.clone(),
        }
    }

    /// Every line with this name (at `site`, when given).
    pub fn lines_named(&self, name: &str, site: Option<SiteIx>) -> Vec<LineIx> {
        (0..self.lines.len())
            .filter(|i| {
                self.lines[*i] == name
                    && site.is_none_or(|s| self.line_sites.get(*i).copied().flatten() == Some(s))
            })
            .map(LineIx::from_ix)
            .collect()
    }

    /// The site id of a site index.
    pub fn site_id(&self, ix: SiteIx) -> &str {
        &self.sites[ix.ix()].id
    }

    /// The expiry of a lot: recorded, or derived from its SKU's shelf life
    /// counted from `produced_on` (or `received_on` when it was not produced).
    pub fn expiry(&self, ix: LotIx) -> Option<(NaiveDate, ExpirySource)> {
        let lot = self.lot(ix);
        if let Some(d) = lot.expires_on {
            return Some((d, ExpirySource::Recorded));
        }
        let days = self.product_of(ix).shelf_life_days?;
        let start = lot.produced_on.or(lot.received_on)?;
        start
            .checked_add_days(chrono::Days::new(u64::from(days)))
            .map(|d| (d, ExpirySource::ShelfLife))
    }

    /// Is the lot past its (recorded or derived) expiry on `day`?
    pub fn is_expired(&self, ix: LotIx, day: NaiveDate) -> bool {
        self.expiry(ix).is_some_and(|(d, _)| d < day)
    }

    /// Unit cost of a lot: its own, else its SKU's.
    pub fn unit_cost(&self, ix: LotIx) -> Option<f64> {
        self.lot(ix).unit_cost.or(self.product_of(ix).unit_cost)
    }
}
