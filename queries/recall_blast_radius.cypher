// recall_blast_radius: what recalling the seed lots $seeds reaches: the
// seeds (depth 0, share 1) and every lot made from them, with the fewest
// steps from a seed and the share of the seed set in it (record-format.md's
// formula with every seed at 1, as `lotgraph recall simulate`): the sum,
// over every path from a seed that passes through no other seed, of the
// product of the edge weights (see trace_back). Lots carrying less than
// $min_share of the seeds are left out (seeds never are). seed_quantities:
// per unit of the seeds (their canonical `unit`: `KGM` and `kg` are one), how much of the seeds of that unit the lot
// contains (the traced quantity of trace_forward, summed over seeds and
// over every path, through other seeds too), sorted by unit.
//
// param seeds: list<string>        the seed lot ids (give --param seeds=ID once per lot)
// param min_share: float = 0.0     list only lots with at least this share
// columns: lot_id, sku, depth, share, share_basis, seed_quantities, quantity, uom
UNWIND $seeds AS seed_id
MATCH (seed:Lot {lot_id: seed_id})
WITH collect(DISTINCT seed) AS seeds
CALL {
  WITH seeds
  UNWIND seeds AS s
  RETURN s AS lot, 0 AS depth, 1.0 AS share
  UNION ALL
  WITH seeds
  UNWIND seeds AS s
  MATCH p = (s)-[:CONSUMED_INTO*1..]->(l:Lot)
  WHERE NOT l IN seeds AND none(n IN nodes(p)[1..-1] WHERE n IN seeds)
  WITH l, length(p) AS len,
       reduce(f = 1.0, r IN relationships(p) | f * (CASE WHEN r.pack_total IS NOT NULL THEN r.quantity / r.pack_total WHEN endNode(r).share_basis = 'mass' THEN r.mass / endNode(r).content_total ELSE r.quantity / endNode(r).content_total END)) AS fraction
  WITH l, min(len) AS depth, sum(fraction) AS share
  RETURN l AS lot, depth, CASE WHEN share > 1.0 THEN 1.0 ELSE share END AS share
}
WITH seeds, lot, depth, share
WHERE depth = 0 OR share >= $min_share
CALL {
  WITH seeds, lot
  UNWIND seeds AS s
  MATCH p = (s)-[:CONSUMED_INTO*0..]->(lot)
  WITH s.unit AS uom,
       sum(reduce(t = toFloat(s.quantity), r IN relationships(p) | t * r.quantity / startNode(r).quantity)) AS q
  ORDER BY uom
  RETURN collect({uom: uom, quantity: q}) AS seed_quantities
}
RETURN lot.lot_id AS lot_id, lot.sku AS sku, depth, share,
       lot.share_basis AS share_basis, seed_quantities,
       lot.quantity AS quantity, lot.uom AS uom
ORDER BY lot_id
