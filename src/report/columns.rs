//! Every column name of every report, in one place: the table, CSV and JSON
//! exporters all take their headers and keys from here, so formats cannot
//! drift apart. Names used by cli-contract.md keep its spelling.

pub const LOT_ID: &str = "lot_id";
pub const SKU: &str = "sku";
pub const DEPTH: &str = "depth";
pub const SHARE: &str = "share";
pub const ORIGIN: &str = "origin";
pub const QUANTITY: &str = "quantity";
pub const UOM: &str = "uom";
pub const PRODUCED_ON: &str = "produced_on";
pub const RECEIVED_ON: &str = "received_on";
pub const SUPPLIER_ID: &str = "supplier_id";
pub const SITE_ID: &str = "site_id";
pub const CUSTOMER_ID: &str = "customer_id";
pub const ON_HAND: &str = "on_hand";
pub const FILE: &str = "file";
pub const LINE: &str = "line";
pub const COLUMN: &str = "column";
pub const PROBLEM: &str = "problem";
pub const READ: &str = "read";
pub const LOADED: &str = "loaded";
pub const REJECTED: &str = "rejected";
pub const ENTITY: &str = "entity";
pub const COUNT: &str = "count";
pub const FAN_OUT: &str = "fan_out";
pub const DOWNSTREAM_LOTS: &str = "downstream_lots";
pub const FINDING: &str = "finding";
pub const DETAIL: &str = "detail";
pub const USED: &str = "used";
pub const UOMS: &str = "uoms";
pub const SHIPMENT_ID: &str = "shipment_id";
pub const STATUS: &str = "status";
pub const SHIPPED_ON: &str = "shipped_on";
pub const DELIVERED_ON: &str = "delivered_on";
pub const TO: &str = "to";
pub const RETURN_ID: &str = "return_id";
pub const CATEGORY: &str = "category";
pub const REASON: &str = "reason";
pub const REPORTED_ON: &str = "reported_on";
pub const INSPECTION_ID: &str = "inspection_id";
pub const INSPECTED_ON: &str = "inspected_on";
pub const RESULT: &str = "result";
pub const DEFECT: &str = "defect";
pub const FIELD: &str = "field";
pub const VALUE: &str = "value";
pub const CONSUMED: &str = "consumed";
