//! The whole supply network as one petgraph `Graph`: lots, suppliers, sites
//! and customers as nodes; supplied-by, consumed-into and shipped as edges.
//! Built on demand (it is several times larger than the CSR genealogy) for
//! whole-network questions: counts per kind, exports, the Neo4j mirror.

use crate::model::{CustomerIx, Dataset, Destination, LotIx, SiteIx, SupplierIx};
use petgraph::graph::{DiGraph, NodeIndex};

/// A node of the network.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// A lot; node index == lot index.
    Lot(LotIx),
    /// A supplier.
    Supplier(SupplierIx),
    /// A site.
    Site(SiteIx),
    /// A customer.
    Customer(CustomerIx),
}

/// An edge of the network.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Edge {
    /// Supplier → supplied lot.
    Supplied,
    /// Input lot → output lot, with the quantity of the input consumed.
    ConsumedInto { quantity: f64 },
    /// Lot → site or customer; `shipment` indexes `Dataset::shipments`.
    Shipped { shipment: u32 },
}

/// Builds the network. Lots get node indices `0..lots`, then suppliers,
/// sites and customers in order, so `NodeIndex::new(lot.ix())` is the lot.
/// O(entities + records).
pub fn build(ds: &Dataset) -> DiGraph<Node, Edge> {
    let (nl, ns, nt, nc) = (
        ds.lots.len(),
        ds.suppliers.len(),
        ds.sites.len(),
        ds.customers.len(),
    );
    let mut g = DiGraph::with_capacity(
        nl + ns + nt + nc,
        nl + ds.consumptions.len() + ds.shipments.len(),
    );
    for i in 0..nl {
        g.add_node(Node::Lot(LotIx::from_ix(i)));
    }
    for i in 0..ns {
        g.add_node(Node::Supplier(SupplierIx::from_ix(i)));
    }
    for i in 0..nt {
        g.add_node(Node::Site(SiteIx::from_ix(i)));
    }
    for i in 0..nc {
        g.add_node(Node::Customer(CustomerIx::from_ix(i)));
    }
    let supplier = |s: SupplierIx| NodeIndex::new(nl + s.ix());
    let site = |s: SiteIx| NodeIndex::new(nl + ns + s.ix());
    let customer = |c: CustomerIx| NodeIndex::new(nl + ns + nt + c.ix());
    for (i, lot) in ds.lots.iter().enumerate() {
        if let (crate::model::Origin::Supplied, Some(s)) = (lot.origin, lot.supplier) {
            g.add_edge(supplier(s), NodeIndex::new(i), Edge::Supplied);
        }
    }
    for c in &ds.consumptions {
        g.add_edge(
            NodeIndex::new(c.input.ix()),
            NodeIndex::new(c.output.ix()),
            Edge::ConsumedInto {
                quantity: c.quantity,
            },
        );
    }
    for (i, s) in ds.shipments.iter().enumerate() {
        let to = match s.to {
            Destination::Site(t) => site(t),
            Destination::Customer(c) => customer(c),
        };
        g.add_edge(
            NodeIndex::new(s.lot.ix()),
            to,
            Edge::Shipped { shipment: i as u32 },
        );
    }
    g
}
