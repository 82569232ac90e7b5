// trace_back: every lot that lot $lot was made from (its upstream closure),
// with the fewest consumption steps to it (depth) and its quantity share in
// $lot, as docs/record-format.md defines it: the sum over every path of
// the product of the edge weights w(input -> output). A packaging edge
// weighs quantity / pack_total (its output's inputs of that SKU); a content
// edge mass / content_total of its output on a `mass` basis, else
// quantity / content_total (the push stores these properties).
// It enumerates paths: cost grows with the number of paths, fine for
// plant-like genealogies, exponential on dense DAGs.
//
// param lot: string             the lot to trace
// param max_depth: int = null   list lots at most this many steps away (shares still use every path)
// columns: lot_id, sku, depth, share, share_basis, supplier_id
MATCH (root:Lot {lot_id: $lot})
MATCH p = (s:Lot)-[:CONSUMED_INTO*1..]->(root)
WITH s, length(p) AS len,
     reduce(f = 1.0, r IN relationships(p) | f * (CASE WHEN r.pack_total IS NOT NULL THEN r.quantity / r.pack_total WHEN endNode(r).share_basis = 'mass' THEN r.mass / endNode(r).content_total ELSE r.quantity / endNode(r).content_total END)) AS fraction
WITH s, min(len) AS depth, sum(fraction) AS share
WHERE $max_depth IS NULL OR depth <= $max_depth
RETURN s.lot_id AS lot_id, s.sku AS sku, depth,
       CASE WHEN share > 1.0 THEN 1.0 ELSE share END AS share,
       s.share_basis AS share_basis, s.supplier_id AS supplier_id
ORDER BY depth, lot_id
