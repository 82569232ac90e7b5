//! References between files: a supplier, site, customer or lot id of one
//! row resolved against the rows loaded before it, an unknown one rejected
//! (pointing at its own rejected row when it has one), and an entity
//! created from a reference when its file is absent.

use super::load::Ingester;
use super::row::{Bad, Row, bad};
use super::{RejectKind, parse};
use crate::columns::CUSTOMER_ID;
use crate::model::*;

impl Ingester {
    /// Remembers the id of a rejected row of `kind` that did not load
    pub(super) fn note_rejected(&mut self, kind: FileKind, id: &str) {
        let loaded = match kind {
            FileKind::Suppliers => &self.suppliers,
            FileKind::Sites => &self.sites,
            FileKind::Products => &self.products,
            FileKind::Customers => &self.customers,
            _ => &self.lots,
        };
        if loaded.get(id).is_none() {
            self.rejected.insert(kind, id, self.rejects.len());
        }
    }

    /// `unknown supplier "S3"`, pointing at the row of that id if it was
    /// rejected.
    pub(super) fn unknown(&self, kind: FileKind, id: &str, col: &'static str) -> Bad {
        // Products are never unknown: a reference to one creates it.
        let (what, reject) = match kind {
            FileKind::Suppliers => ("supplier", RejectKind::UnknownSupplier),
            FileKind::Sites => ("site", RejectKind::UnknownSite),
            FileKind::Customers => ("customer", RejectKind::UnknownCustomer),
            _ => ("lot", RejectKind::UnknownLot),
        };
        let why = self.rejected.why(kind, id, &self.rejects);
        bad(
            col,
            reject,
            format!("unknown {what} {}{why}", parse::quoted(id)),
        )
    }

    /// Resolves a reference to a supplier/site/customer. When the entity's
    /// file is absent, `Ok(None)` means "create it on commit".
    pub(super) fn check_ref(
        &self,
        kind: FileKind,
        id: &str,
        col: &'static str,
    ) -> Result<Option<u32>, Bad> {
        let reg = match kind {
            FileKind::Suppliers => &self.suppliers,
            FileKind::Sites => &self.sites,
            _ => &self.customers,
        };
        match reg.get(id) {
            Some(ix) => Ok(Some(ix)),
            None if !self.present[kind as usize] => Ok(None),
            None => Err(self.unknown(kind, id, col)),
        }
    }

    pub(super) fn lot_ref(&self, row: &Row, col: &'static str) -> Result<LotIx, Bad> {
        let id = row.required(col)?;
        match self.lots.get(id) {
            Some(ix) => Ok(LotIx(ix)),
            None => Err(self.unknown(FileKind::Lots, id, col)),
        }
    }

    pub(super) fn supplier_commit(&mut self, id: &str, found: Option<u32>) -> SupplierIx {
        SupplierIx(found.unwrap_or_else(|| {
            self.suppliers.implicit.push(id.to_string());
            self.ds.suppliers.push(Supplier {
                id: id.to_string(),
                name: None,
                country: None,
            });
            self.suppliers.insert(id, 0)
        }))
    }

    pub(super) fn site_commit(&mut self, id: &str, found: Option<u32>) -> SiteIx {
        SiteIx(found.unwrap_or_else(|| {
            self.sites.implicit.push(id.to_string());
            self.ds.sites.push(Site {
                id: id.to_string(),
                name: None,
                kind: None,
                region: None,
            });
            self.sites.insert(id, 0)
        }))
    }

    pub(super) fn customer_commit(&mut self, id: &str, found: Option<u32>) -> CustomerIx {
        CustomerIx(found.unwrap_or_else(|| {
            self.customers.implicit.push(id.to_string());
            self.ds.customers.push(Customer {
                id: id.to_string(),
                name: None,
                kind: None,
                region: None,
                contact: None,
            });
            self.customers.insert(id, 0)
        }))
    }

    pub(super) fn site_check<'r>(
        &self,
        row: &Row<'r>,
        col: &'static str,
    ) -> Result<Option<(&'r str, Option<u32>)>, Bad> {
        row.text(col)
            .map(|id| self.check_ref(FileKind::Sites, id, col).map(|f| (id, f)))
            .transpose()
    }

    pub(super) fn customer_check<'r>(
        &self,
        row: &Row<'r>,
    ) -> Result<Option<(&'r str, Option<u32>)>, Bad> {
        row.text(CUSTOMER_ID)
            .map(|id| {
                self.check_ref(FileKind::Customers, id, CUSTOMER_ID)
                    .map(|f| (id, f))
            })
            .transpose()
    }
}
