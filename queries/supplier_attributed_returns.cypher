// supplier_attributed_returns: per supplier, the returns and shipments of
// everything made from its lots, attributed back by quantity share (as the
// `lotgraph suppliers` scorecard): attributed_returned = sum over its lots
// S and every lot F made from them (S included) of returned(F) x share(S, F),
// attributed_shipped likewise with units shipped to customers, and their
// ratio. Shares are path sums of the edge weights (see trace_back).
//
// param category: string = null   count only returns of this category
// columns: supplier_id, lots, attributed_returned, attributed_shipped, attributed_return_rate
MATCH (sup:Supplier)-[:SUPPLIED]->(s:Lot)
WITH sup, collect(s) AS supplied
UNWIND supplied AS s
MATCH p = (s)-[:CONSUMED_INTO*0..]->(f:Lot)
WITH sup, size(supplied) AS lots, f,
     sum(reduce(x = 1.0, r IN relationships(p) | x * (CASE WHEN r.pack_total IS NOT NULL THEN r.quantity / r.pack_total WHEN endNode(r).share_basis = 'mass' THEN r.mass / endNode(r).content_total ELSE r.quantity / endNode(r).content_total END))) AS share
CALL {
  WITH f
  OPTIONAL MATCH (f)-[sh:SHIPPED]->(:Customer)
  RETURN toFloat(sum(sh.quantity)) AS shipped
}
CALL {
  WITH f
  OPTIONAL MATCH (f)<-[:RETURN_OF]-(ret:Return)
  WHERE $category IS NULL OR ret.category = $category
  RETURN toFloat(sum(ret.quantity)) AS returned
}
WITH sup, lots, sum(share * returned) AS ar, sum(share * shipped) AS ash
RETURN sup.supplier_id AS supplier_id, lots,
       ar AS attributed_returned, ash AS attributed_shipped,
       CASE WHEN ash > 0 THEN ar / ash END AS attributed_return_rate
ORDER BY supplier_id
