// mirror_push: the statements `lotgraph neo4j push` runs, one per section
// (`// --- name ---`). Every statement takes its data as parameters:
//   $rows   a list of maps, one per row (UNWIND $rows AS r), for upserts;
//           deletes get maps {k} (plain keys) or {a, b} (two-id keys);
//   $token  the mirror's token (marker node).
// Upserts are idempotent: MERGE on the unique key, SET r's properties
// (a null property removes it), and links that can move (a lot's supplier,
// a shipment's destination) are deleted and re-created.

// --- constraint_supplier ---
CREATE CONSTRAINT lotgraph_supplier_id IF NOT EXISTS
FOR (n:Supplier) REQUIRE n.supplier_id IS UNIQUE

// --- constraint_site ---
CREATE CONSTRAINT lotgraph_site_id IF NOT EXISTS
FOR (n:Site) REQUIRE n.site_id IS UNIQUE

// --- constraint_product ---
CREATE CONSTRAINT lotgraph_product_sku IF NOT EXISTS
FOR (n:Product) REQUIRE n.sku IS UNIQUE

// --- constraint_customer ---
CREATE CONSTRAINT lotgraph_customer_id IF NOT EXISTS
FOR (n:Customer) REQUIRE n.customer_id IS UNIQUE

// --- constraint_lot ---
CREATE CONSTRAINT lotgraph_lot_id IF NOT EXISTS
FOR (n:Lot) REQUIRE n.lot_id IS UNIQUE

// --- constraint_return ---
CREATE CONSTRAINT lotgraph_return_id IF NOT EXISTS
FOR (n:Return) REQUIRE n.return_id IS UNIQUE

// --- constraint_inspection ---
CREATE CONSTRAINT lotgraph_inspection_id IF NOT EXISTS
FOR (n:Inspection) REQUIRE n.inspection_id IS UNIQUE

// --- constraint_mirror ---
CREATE CONSTRAINT lotgraph_mirror_id IF NOT EXISTS
FOR (n:LotgraphMirror) REQUIRE n.id IS UNIQUE

// --- index_lot_line ---
CREATE INDEX lotgraph_lot_line IF NOT EXISTS FOR (n:Lot) ON (n.line)

// --- index_lot_site ---
CREATE INDEX lotgraph_lot_site IF NOT EXISTS FOR (n:Lot) ON (n.site_id)

// --- read_token ---
// The token of the mirror in this database (no row when never pushed).
MATCH (m:LotgraphMirror {id: 'lotgraph'})
RETURN m.token AS token

// --- write_token ---
MERGE (m:LotgraphMirror {id: 'lotgraph'})
SET m.token = $token, m.started_at = datetime()

// --- wipe_relationships ---
// Removes the mirror's relationships, 10,000 per transaction (first, so
// that deleting a product or customer never drags thousands of them into
// one transaction).
MATCH ()-[r:SUPPLIED|OF_PRODUCT|CONSUMED_INTO|SHIPPED|RETURN_OF|INSPECTION_OF]->()
CALL { WITH r DELETE r } IN TRANSACTIONS OF 10000 ROWS

// --- wipe_nodes ---
// Then the mirror's nodes (DETACH: relationships others added go too).
MATCH (n)
WHERE n:Supplier OR n:Site OR n:Product OR n:Customer OR n:Lot OR n:Return OR n:Inspection
CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS

// --- upsert_supplier ---
UNWIND $rows AS r
MERGE (n:Supplier {supplier_id: r.supplier_id})
SET n += r

// --- upsert_site ---
UNWIND $rows AS r
MERGE (n:Site {site_id: r.site_id})
SET n += r

// --- upsert_product ---
UNWIND $rows AS r
MERGE (n:Product {sku: r.sku})
SET n += r

// --- upsert_customer ---
UNWIND $rows AS r
MERGE (n:Customer {customer_id: r.customer_id})
SET n += r

// --- upsert_lot ---
UNWIND $rows AS r
MERGE (n:Lot {lot_id: r.lot_id})
SET n += r

// --- upsert_supplied ---
UNWIND $rows AS r
MATCH (l:Lot {lot_id: r.lot_id})
OPTIONAL MATCH (l)<-[old:SUPPLIED]-()
DELETE old
WITH DISTINCT l, r
MATCH (s:Supplier {supplier_id: r.supplier_id})
CREATE (s)-[:SUPPLIED]->(l)

// --- upsert_of_product ---
UNWIND $rows AS r
MATCH (l:Lot {lot_id: r.lot_id})
OPTIONAL MATCH (l)-[old:OF_PRODUCT]->()
DELETE old
WITH DISTINCT l, r
MATCH (p:Product {sku: r.sku})
CREATE (l)-[:OF_PRODUCT]->(p)

// --- upsert_consumed_into ---
UNWIND $rows AS r
MATCH (i:Lot {lot_id: r.input_lot_id})
MATCH (o:Lot {lot_id: r.output_lot_id})
MERGE (i)-[c:CONSUMED_INTO]->(o)
SET c.quantity = r.quantity, c.mass = r.mass, c.pack_total = r.pack_total

// --- upsert_shipped ---
UNWIND $rows AS r
MATCH (l:Lot {lot_id: r.lot_id})
OPTIONAL MATCH (l)-[old:SHIPPED {shipment_id: r.shipment_id}]->()
DELETE old
WITH DISTINCT l, r
OPTIONAL MATCH (site:Site {site_id: r.to_site_id})
OPTIONAL MATCH (cust:Customer {customer_id: r.customer_id})
WITH l, r, coalesce(site, cust) AS dest
CREATE (l)-[x:SHIPPED]->(dest)
SET x.shipment_id = r.shipment_id, x.quantity = r.quantity, x.status = r.status,
    x.shipped_on = r.shipped_on, x.delivered_on = r.delivered_on,
    x.from_site_id = r.from_site_id

// --- upsert_return ---
UNWIND $rows AS r
MERGE (x:Return {return_id: r.return_id})
SET x += r
WITH x, r
OPTIONAL MATCH (x)-[old:RETURN_OF]->()
DELETE old
WITH DISTINCT x, r
MATCH (l:Lot {lot_id: r.lot_id})
CREATE (x)-[:RETURN_OF]->(l)

// --- upsert_inspection ---
UNWIND $rows AS r
MERGE (x:Inspection {inspection_id: r.inspection_id})
SET x += r
WITH x, r
OPTIONAL MATCH (x)-[old:INSPECTION_OF]->()
DELETE old
WITH DISTINCT x, r
MATCH (l:Lot {lot_id: r.lot_id})
CREATE (x)-[:INSPECTION_OF]->(l)

// --- delete_supplier ---
UNWIND $rows AS r
MATCH (n:Supplier {supplier_id: r.k})
DETACH DELETE n

// --- delete_site ---
UNWIND $rows AS r
MATCH (n:Site {site_id: r.k})
DETACH DELETE n

// --- delete_product ---
UNWIND $rows AS r
MATCH (n:Product {sku: r.k})
DETACH DELETE n

// --- delete_customer ---
UNWIND $rows AS r
MATCH (n:Customer {customer_id: r.k})
DETACH DELETE n

// --- delete_lot ---
UNWIND $rows AS r
MATCH (n:Lot {lot_id: r.k})
DETACH DELETE n

// --- delete_supplied ---
UNWIND $rows AS r
MATCH (:Lot {lot_id: r.k})<-[x:SUPPLIED]-()
DELETE x

// --- delete_of_product ---
UNWIND $rows AS r
MATCH (:Lot {lot_id: r.k})-[x:OF_PRODUCT]->()
DELETE x

// --- delete_consumed_into ---
UNWIND $rows AS r
MATCH (:Lot {lot_id: r.a})-[x:CONSUMED_INTO]->(:Lot {lot_id: r.b})
DELETE x

// --- delete_shipped ---
UNWIND $rows AS r
MATCH (:Lot {lot_id: r.b})-[x:SHIPPED {shipment_id: r.a}]->()
DELETE x

// --- delete_return ---
UNWIND $rows AS r
MATCH (n:Return {return_id: r.k})
DETACH DELETE n

// --- delete_inspection ---
UNWIND $rows AS r
MATCH (n:Inspection {inspection_id: r.k})
DETACH DELETE n

// --- naive_consumed_into ---
// One row per statement: the naive way, measured by the benchmark only.
MATCH (i:Lot {lot_id: $input_lot_id})
MATCH (o:Lot {lot_id: $output_lot_id})
MERGE (i)-[c:CONSUMED_INTO]->(o)
SET c.quantity = $quantity

// --- clear_relationships ---
// Every relationship in the database, mirror or not: the tests and the
// benchmark start from empty (relationships first, then nodes).
MATCH ()-[r]->()
CALL { WITH r DELETE r } IN TRANSACTIONS OF 10000 ROWS

// --- clear_nodes ---
MATCH (n)
CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
