//! The end of an ingest: the dataset-wide warnings, the genealogy built
//! from the loaded dataset and checked for cycles, and the `Ingested`.

use super::keys::ShipmentKeys;
use super::load::Ingester;
use super::registry::Registry;
use super::{IngestError, Ingested, Warning};
use crate::graph::{Genealogy, GraphError, ShareBasis};
use crate::model::*;
use std::collections::HashMap;

impl Ingester {
    pub(super) fn finish(mut self) -> Result<Ingested, IngestError> {
        for (reg, kind) in [
            (&self.suppliers, FileKind::Suppliers),
            (&self.sites, FileKind::Sites),
            (&self.customers, FileKind::Customers),
        ] {
            if !reg.implicit.is_empty() {
                let ids = reg.implicit.clone();
                self.warnings
                    .push(Warning::CreatedFromReferences { kind, ids });
            }
        }
        // The id maps only resolved references while loading. Dropping them
        // before the genealogy is built keeps them out of the ingest's peak
        // memory (about a fifth of it for the generated datasets); the
        // dataset builds its own lot index again if a caller asks for one.
        self.lots.ids = HashMap::new();
        self.shipment_keys = ShipmentKeys::default();
        self.returns = Registry::default();
        self.inspections = Registry::default();
        self.rejected.clear();
        let genealogy = Genealogy::from_dataset(&self.ds);
        let unknown_units: Vec<(String, String)> = self
            .ds
            .products
            .iter()
            .filter_map(|p| match (&p.uom, p.unit) {
                (Some(u), None) => Some((p.sku.clone(), u.clone())),
                _ => None,
            })
            .collect();
        if !unknown_units.is_empty() {
            self.warnings.push(Warning::UnknownUnits {
                skus: unknown_units,
            });
        }
        let recorded = (0..self.ds.lots.len())
            .filter(|l| genealogy.basis(LotIx::from_ix(*l)) == Some(ShareBasis::Recorded))
            .count();
        if recorded > 0 {
            self.warnings
                .push(Warning::RecordedShares { lots: recorded });
        }
        if let Err(GraphError::Cycle { lots }) = genealogy.check_acyclic() {
            let mut ids: Vec<String> = lots
                .iter()
                .map(|l| self.ds.lot_id(*l).to_string())
                .collect();
            ids.sort();
            return Err(IngestError::Cycle { lots: ids });
        }
        Ok(Ingested {
            dataset: self.ds,
            genealogy,
            reports: self.reports,
            rejects: self.rejects,
            warnings: self.warnings,
        })
    }
}
