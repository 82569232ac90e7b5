// trace_forward: every lot made from lot $lot (its downstream closure),
// with the fewest consumption steps from it (depth) and the share of $lot
// in each: the sum over every path of the product of the edge fractions
// quantity / input_total of the edge's output. Enumerates paths (see
// trace_back).
//
// param lot: string             the lot to trace
// param max_depth: int = null   list lots at most this many steps away (shares still use every path)
// columns: lot_id, sku, depth, share, quantity, uom
MATCH (root:Lot {lot_id: $lot})
MATCH p = (root)-[:CONSUMED_INTO*1..]->(d:Lot)
WITH d, length(p) AS len,
     reduce(f = 1.0, r IN relationships(p) | f * r.quantity / endNode(r).input_total) AS fraction
WITH d, min(len) AS depth, sum(fraction) AS share
WHERE $max_depth IS NULL OR depth <= $max_depth
RETURN d.lot_id AS lot_id, d.sku AS sku, depth,
       CASE WHEN share > 1.0 THEN 1.0 ELSE share END AS share,
       d.quantity AS quantity, d.uom AS uom
ORDER BY depth, lot_id
