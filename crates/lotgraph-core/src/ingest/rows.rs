//! Per-file row validation: one function per file kind turns a record into
//! a row of the dataset, or into the `Bad` cell that rejects it. Every
//! check of a row runs before anything of it is committed.

use super::load::Ingester;
use super::row::{Bad, Row, bad, enum_of};
use super::{RejectKind, parse};
use crate::columns::*;
use crate::model::*;
use crate::units::Unit;

impl Ingester {
    pub(super) fn supplier_row(&mut self, r: &Row, line: u64) -> Result<(), Bad> {
        let id = r.required(SUPPLIER_ID)?;
        let country = r.opt_with(COUNTRY, parse::country)?;
        self.suppliers.duplicate(id, SUPPLIER_ID)?;
        self.suppliers.insert(id, line);
        self.ds.suppliers.push(Supplier {
            id: id.to_string(),
            name: r.opt_string(NAME),
            country,
        });
        Ok(())
    }

    pub(super) fn site_row(&mut self, r: &Row, line: u64) -> Result<(), Bad> {
        let id = r.required(SITE_ID)?;
        let kind = r.opt_with(KIND, enum_of(SiteKind::parse, SiteKind::choices))?;
        self.sites.duplicate(id, SITE_ID)?;
        self.sites.insert(id, line);
        self.ds.sites.push(Site {
            id: id.to_string(),
            name: r.opt_string(NAME),
            kind,
            region: r.opt_string(REGION),
        });
        Ok(())
    }

    pub(super) fn product_row(&mut self, r: &Row, line: u64) -> Result<(), Bad> {
        let sku = r.required(SKU)?;
        let category = r.opt_with(CATEGORY, enum_of(Category::parse, Category::choices))?;
        let shelf_life_days = r.opt_with(SHELF_LIFE_DAYS, parse::whole)?;
        let unit_cost = r.opt_with(UNIT_COST, parse::non_negative)?;
        let uom = r.text(UOM).map(|s| s.trim().to_string());
        let unit = uom.as_deref().and_then(Unit::parse);
        let recorded_kg = r.opt_with(KG_PER_UOM, parse::positive)?;
        let kg_per_uom = crate::units::kg_per_unit(unit, recorded_kg)
            .map_err(|e| bad(KG_PER_UOM, RejectKind::KgConflict, e.to_string()))?;
        let gtin = r.opt_with(GTIN, parse::gtin)?;
        self.products.duplicate(sku, SKU)?;
        if let Some(g) = &gtin {
            self.gtin_unique(g)?;
        }
        self.products.insert(sku, line);
        if let Some(g) = &gtin {
            self.gtins
                .insert(super::schemes::gtin14(g), (sku.to_string(), line));
        }
        self.ds.products.push(Product {
            sku: sku.to_string(),
            name: r.opt_string(NAME),
            category,
            uom,
            unit,
            kg_per_uom,
            shelf_life_days,
            unit_cost,
            gtin,
            implicit: false,
        });
        Ok(())
    }

    pub(super) fn customer_row(&mut self, r: &Row, line: u64) -> Result<(), Bad> {
        let id = r.required(CUSTOMER_ID)?;
        let kind = r.opt_with(KIND, enum_of(CustomerKind::parse, CustomerKind::choices))?;
        self.customers.duplicate(id, CUSTOMER_ID)?;
        self.customers.insert(id, line);
        self.ds.customers.push(Customer {
            id: id.to_string(),
            name: r.opt_string(NAME),
            kind,
            region: r.opt_string(REGION),
            contact: r.opt_string(CONTACT),
        });
        Ok(())
    }

    pub(super) fn lot_row(&mut self, r: &Row, line: u64) -> Result<(), Bad> {
        let id = r.required(LOT_ID)?;
        let sku = r.required(SKU)?;
        let origin = r.req_with(ORIGIN, enum_of(Origin::parse, Origin::choices))?;
        let quantity = r.req_with(QUANTITY, parse::positive)?;
        let produced_on = r.opt_with(PRODUCED_ON, parse::date)?;
        let received_on = r.opt_with(RECEIVED_ON, parse::date)?;
        let expires_on = r.opt_with(EXPIRES_ON, parse::date)?;
        let unit_cost = r.opt_with(UNIT_COST, parse::non_negative)?;
        let status = r
            .opt_with(STATUS, enum_of(LotStatus::parse, LotStatus::choices))?
            .unwrap_or(LotStatus::Released);
        let supplier = match r.text(SUPPLIER_ID) {
            Some(s) => Some((s, self.check_ref(FileKind::Suppliers, s, SUPPLIER_ID)?)),
            None if origin == Origin::Supplied => {
                return Err(bad(
                    SUPPLIER_ID,
                    RejectKind::MissingSupplier,
                    "is required when origin is supplied",
                ));
            }
            None => None,
        };
        let site = self.site_check(r, SITE_ID)?;
        self.lots.duplicate(id, LOT_ID)?;
        // Every check passed: from here on the row is loaded.
        let supplier = supplier.map(|(s, f)| self.supplier_commit(s, f));
        let site = site.map(|(s, f)| self.site_commit(s, f));
        let sku = if let Some(ix) = self.products.get(sku) {
            SkuIx(ix)
        } else {
            self.products.implicit.push(sku.to_string());
            self.ds.products.push(Product {
                sku: sku.to_string(),
                name: None,
                category: None,
                uom: None,
                unit: None,
                kg_per_uom: None,
                shelf_life_days: None,
                unit_cost: None,
                gtin: None,
                implicit: true,
            });
            SkuIx(self.products.insert(sku, line))
        };
        let line_ix = r.text(LINE).map(|name| {
            let next = LineIx::from_ix(self.ds.lines.len());
            *self
                .lines
                .entry((site, name.to_string()))
                .or_insert_with(|| {
                    self.ds.lines.push(name.to_string());
                    self.ds.line_sites.push(site);
                    next
                })
        });
        self.lots.insert(id, line);
        self.ds.lots.push(Lot {
            id,
            sku,
            origin,
            supplier,
            supplier_lot_code: r.text(SUPPLIER_LOT_CODE),
            site,
            line: line_ix,
            produced_on,
            received_on,
            expires_on,
            quantity,
            unit_cost,
            status,
        });
        Ok(())
    }

    pub(super) fn consumption_row(&mut self, r: &Row, _line: u64) -> Result<(), Bad> {
        let input = self.lot_ref(r, INPUT_LOT_ID)?;
        let output = self.lot_ref(r, OUTPUT_LOT_ID)?;
        let quantity = r.req_with(QUANTITY, parse::positive)?;
        let consumed_on = r.opt_with(CONSUMED_ON, parse::date)?;
        if self.ds.lot(output).origin != Origin::Produced {
            return Err(bad(
                OUTPUT_LOT_ID,
                RejectKind::OutputNotProduced,
                format!(
                    "lot {:?} has origin supplied; only produced lots have inputs",
                    self.ds.lot_id(output)
                ),
            ));
        }
        self.ds.consumptions.push(Consumption {
            input,
            output,
            quantity,
            consumed_on,
        });
        Ok(())
    }

    pub(super) fn shipment_row(&mut self, r: &Row, line: u64) -> Result<(), Bad> {
        let id = r.required(SHIPMENT_ID)?;
        let lot = self.lot_ref(r, LOT_ID)?;
        let quantity = r.req_with(QUANTITY, parse::positive)?;
        let shipped_on = r.req_with(SHIPPED_ON, parse::date)?;
        let delivered_on = r.opt_with(DELIVERED_ON, parse::date)?;
        let status = r.opt_with(
            STATUS,
            enum_of(ShipmentStatus::parse, ShipmentStatus::choices),
        )?;
        let from = self.site_check(r, FROM_SITE_ID)?;
        let to_site = self.site_check(r, TO_SITE_ID)?;
        let customer = self.customer_check(r)?;
        if to_site.is_some() == customer.is_some() {
            return Err(bad(
                TO_SITE_ID,
                RejectKind::DestinationNotOne,
                "exactly one of to_site_id and customer_id must be set",
            ));
        }
        if let Some(d) = delivered_on
            && d < shipped_on
        {
            return Err(bad(
                DELIVERED_ON,
                RejectKind::DeliveredBeforeShipped,
                format!("{d} is before shipped_on {shipped_on}"),
            ));
        }
        let status = match (status, delivered_on) {
            (Some(ShipmentStatus::InTransit), Some(_)) => {
                return Err(bad(
                    STATUS,
                    RejectKind::InTransitDelivered,
                    "is \"in_transit\" but delivered_on is set",
                ));
            }
            (Some(s), _) => s,
            (None, Some(_)) => ShipmentStatus::Delivered,
            (None, None) => ShipmentStatus::InTransit,
        };
        if let Some(first) = self.shipment_keys.insert(&self.ds.shipments, id, lot, line) {
            return Err(bad(
                SHIPMENT_ID,
                RejectKind::DuplicateKey,
                format!(
                    "duplicate shipment {id:?} for lot {:?} (first on line {first})",
                    self.ds.lot_id(lot)
                ),
            ));
        }
        let from_site = from.map(|(s, f)| self.site_commit(s, f));
        let to = match (to_site, customer) {
            (Some((s, f)), _) => Destination::Site(self.site_commit(s, f)),
            (None, Some((c, f))) => Destination::Customer(self.customer_commit(c, f)),
            (None, None) => unreachable!("checked above: exactly one destination"),
        };
        self.ds.shipments.push(Shipment {
            id,
            lot,
            quantity,
            from_site,
            to,
            shipped_on,
            delivered_on,
            status,
        });
        Ok(())
    }

    pub(super) fn return_row(&mut self, r: &Row, line: u64) -> Result<(), Bad> {
        let id = r.required(RETURN_ID)?;
        let lot = self.lot_ref(r, LOT_ID)?;
        let quantity = r.req_with(QUANTITY, parse::positive)?;
        let reported_on = r.req_with(REPORTED_ON, parse::date)?;
        let category = r.opt_with(
            CATEGORY,
            enum_of(ReturnCategory::parse, ReturnCategory::choices),
        )?;
        let customer = self.customer_check(r)?;
        self.returns.duplicate(id, RETURN_ID)?;
        self.returns.insert(id, line);
        let customer = customer.map(|(c, f)| self.customer_commit(c, f));
        self.ds.returns.push(Return {
            id,
            lot,
            customer,
            quantity,
            reason: r.text(REASON),
            category,
            reported_on,
        });
        Ok(())
    }

    pub(super) fn inspection_row(&mut self, r: &Row, line: u64) -> Result<(), Bad> {
        let id = r.required(INSPECTION_ID)?;
        let lot = self.lot_ref(r, LOT_ID)?;
        let result = r.req_with(
            RESULT,
            enum_of(InspectionResult::parse, InspectionResult::choices),
        )?;
        let inspected_on = r.opt_with(INSPECTED_ON, parse::date)?;
        self.inspections.duplicate(id, INSPECTION_ID)?;
        self.inspections.insert(id, line);
        self.ds.inspections.push(Inspection {
            id,
            lot,
            inspected_on,
            result,
            defect: r.text(DEFECT),
        });
        Ok(())
    }
}
