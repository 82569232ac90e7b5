// trace_back: every lot that lot $lot was made from (its upstream closure),
// with the fewest consumption steps to it (depth) and its quantity share in
// $lot, as record-format.md defines it: the sum over every path of the
// product of the edge fractions quantity / input_total (input_total is the
// sum of the output lot's input quantities, stored on each Lot by the push).
// It enumerates paths: cost grows with the number of paths, fine for
// plant-like genealogies, exponential on dense DAGs.
//
// param lot: string             the lot to trace
// param max_depth: int = null   list lots at most this many steps away (shares still use every path)
// columns: lot_id, sku, depth, share, supplier_id
MATCH (root:Lot {lot_id: $lot})
MATCH p = (s:Lot)-[:CONSUMED_INTO*1..]->(root)
WITH s, length(p) AS len,
     reduce(f = 1.0, r IN relationships(p) | f * r.quantity / endNode(r).input_total) AS fraction
WITH s, min(len) AS depth, sum(fraction) AS share
WHERE $max_depth IS NULL OR depth <= $max_depth
RETURN s.lot_id AS lot_id, s.sku AS sku, depth,
       CASE WHEN share > 1.0 THEN 1.0 ELSE share END AS share,
       s.supplier_id AS supplier_id
ORDER BY depth, lot_id
