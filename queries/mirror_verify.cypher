// mirror_verify: what `lotgraph neo4j verify` reads back, one statement per
// label or relationship type (`// --- name ---`). No parameters. Each returns
// one row per node or relationship with columns
//   k1, k2     the row's key (k2 only for two-id keys)
//   quantity   its quantity, where it has one
//   extra      the other end of a link (supplier, product, destination, lot)
// and lotgraph hashes these rows exactly as it hashes its own.

// --- verify_supplier ---
MATCH (n:Supplier)
RETURN n.supplier_id AS k1, null AS k2, null AS quantity, null AS extra

// --- verify_site ---
MATCH (n:Site)
RETURN n.site_id AS k1, null AS k2, null AS quantity, null AS extra

// --- verify_product ---
MATCH (n:Product)
RETURN n.sku AS k1, null AS k2, null AS quantity, null AS extra

// --- verify_customer ---
MATCH (n:Customer)
RETURN n.customer_id AS k1, null AS k2, null AS quantity, null AS extra

// --- verify_lot ---
MATCH (n:Lot)
RETURN n.lot_id AS k1, null AS k2, n.quantity AS quantity, null AS extra

// --- verify_supplied ---
MATCH (s)-[:SUPPLIED]->(l)
RETURN l.lot_id AS k1, null AS k2, null AS quantity, s.supplier_id AS extra

// --- verify_of_product ---
MATCH (l)-[:OF_PRODUCT]->(p)
RETURN l.lot_id AS k1, null AS k2, null AS quantity, p.sku AS extra

// --- verify_consumed_into ---
MATCH (i)-[c:CONSUMED_INTO]->(o)
RETURN i.lot_id AS k1, o.lot_id AS k2, c.quantity AS quantity, null AS extra

// --- verify_shipped ---
MATCH (l)-[x:SHIPPED]->(d)
RETURN x.shipment_id AS k1, l.lot_id AS k2, x.quantity AS quantity,
       CASE WHEN d:Site THEN 'site:' + d.site_id
            WHEN d:Customer THEN 'customer:' + d.customer_id END AS extra

// --- verify_return ---
MATCH (x:Return)
OPTIONAL MATCH (x)-[:RETURN_OF]->(l:Lot)
RETURN x.return_id AS k1, null AS k2, x.quantity AS quantity, l.lot_id AS extra

// --- verify_inspection ---
MATCH (x:Inspection)
OPTIONAL MATCH (x)-[:INSPECTION_OF]->(l:Lot)
RETURN x.inspection_id AS k1, null AS k2, null AS quantity, l.lot_id AS extra
