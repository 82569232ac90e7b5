// trace_forward: every lot made from lot $lot (its downstream closure),
// with the fewest consumption steps from it (depth), the share of $lot in
// each (the sum over every path of the product of the edge weights, see
// trace_back) and the traced quantity: how much of $lot, in its own unit,
// each lot contains (the sum over every path of $lot's quantity times, per
// edge, quantity / quantity of the edge's input lot). Enumerates paths
// (see trace_back).
//
// param lot: string             the lot to trace
// param max_depth: int = null   list lots at most this many steps away (shares still use every path)
// columns: lot_id, sku, depth, share, share_basis, seed_quantity, quantity, uom
MATCH (root:Lot {lot_id: $lot})
MATCH p = (root)-[:CONSUMED_INTO*1..]->(d:Lot)
WITH d, length(p) AS len,
     reduce(f = 1.0, r IN relationships(p) | f * (CASE WHEN r.pack_total IS NOT NULL THEN r.quantity / r.pack_total WHEN endNode(r).share_basis = 'mass' THEN r.mass / endNode(r).content_total ELSE r.quantity / endNode(r).content_total END)) AS fraction,
     reduce(t = toFloat(root.quantity), r IN relationships(p) | t * r.quantity / startNode(r).quantity) AS traced
WITH d, min(len) AS depth, sum(fraction) AS share, sum(traced) AS seed_quantity
WHERE $max_depth IS NULL OR depth <= $max_depth
RETURN d.lot_id AS lot_id, d.sku AS sku, depth,
       CASE WHEN share > 1.0 THEN 1.0 ELSE share END AS share,
       d.share_basis AS share_basis, seed_quantity,
       d.quantity AS quantity, d.uom AS uom
ORDER BY depth, lot_id
