// common_source: which upstream sources could explain the complaint lots
// $lots (as `lotgraph investigate`). Candidates are every lot upstream of a
// complaint lot, the suppliers of those lots, and the lines and sites that
// made or held them (a line is a name at a site; its id is `name@site` when
// lots at several sites use the name). A candidate reaches every lot downstream of its own
// lots (its own lots included); for each, the complaint lots it reaches
// (evidence) and how many other population lots (shipped to a customer or
// returned) it reaches. Ranked by complaint lots reached, then fewest other
// lots; lotgraph adds the hypergeometric p-value.
//
// param lots: list<string>   the complaint lot ids (give --param lots=ID once per lot)
// columns: kind, id, complaint_lots_reached, other_lots_reached, evidence
UNWIND $lots AS cid
MATCH (c:Lot {lot_id: cid})
WITH collect(DISTINCT c) AS complaints
UNWIND complaints AS c
MATCH (u:Lot)-[:CONSUMED_INTO*0..]->(c)
WITH complaints, collect(DISTINCT u) AS upstream
UNWIND upstream AS u
CALL {
  WITH u, complaints
  WITH u, complaints
  WHERE NOT u IN complaints OR EXISTS { (u)-[:CONSUMED_INTO]->() }
  RETURN 'lot' AS kind, u.lot_id AS id, null AS name, null AS site
  UNION
  WITH u
  MATCH (sup:Supplier)-[:SUPPLIED]->(u)
  RETURN 'supplier' AS kind, sup.supplier_id AS id, null AS name, null AS site
  UNION
  WITH u
  WITH u WHERE u.line IS NOT NULL
  RETURN 'line' AS kind, null AS id, u.line AS name, u.site_id AS site
  UNION
  WITH u
  WITH u WHERE u.site_id IS NOT NULL
  RETURN 'site' AS kind, u.site_id AS id, null AS name, null AS site
}
WITH complaints, collect(DISTINCT {kind: kind, id: id, name: name, site: site}) AS candidates
UNWIND candidates AS cand
CALL {
  WITH cand
  WITH cand WHERE cand.kind = 'lot'
  MATCH (m:Lot {lot_id: cand.id})
  RETURN m
  UNION
  WITH cand
  WITH cand WHERE cand.kind = 'supplier'
  MATCH (:Supplier {supplier_id: cand.id})-[:SUPPLIED]->(m:Lot)
  RETURN m
  UNION
  WITH cand
  WITH cand WHERE cand.kind = 'line'
  MATCH (m:Lot) WHERE m.line = cand.name
    AND (m.site_id = cand.site OR (m.site_id IS NULL AND cand.site IS NULL))
  RETURN m
  UNION
  WITH cand
  WITH cand WHERE cand.kind = 'site'
  MATCH (m:Lot) WHERE m.site_id = cand.id
  RETURN m
}
WITH complaints, cand, collect(m) AS members
CALL {
  WITH members
  UNWIND members AS m
  MATCH (m)-[:CONSUMED_INTO*0..]->(d:Lot)
  RETURN collect(DISTINCT d) AS reached
}
// A line's id: its name, or name@site when the name is used at several sites.
CALL {
  WITH cand
  WITH cand WHERE cand.kind = 'line'
  MATCH (x:Lot) WHERE x.line = cand.name
  WITH cand, count(DISTINCT x.site_id) + count(DISTINCT CASE WHEN x.site_id IS NULL THEN 1 END) AS places
  RETURN CASE WHEN places > 1 AND cand.site IS NOT NULL THEN cand.name + '@' + cand.site
              ELSE cand.name END AS line_id
  UNION
  WITH cand
  WITH cand WHERE cand.kind <> 'line'
  RETURN cand.id AS line_id
}
WITH cand {.kind, id: line_id} AS cand, reached, complaints
WITH cand, [d IN reached WHERE d IN complaints | d.lot_id] AS hits,
     size([d IN reached WHERE NOT d IN complaints
           AND (EXISTS { (d)-[:SHIPPED]->(:Customer) } OR EXISTS { (d)<-[:RETURN_OF]-(:Return) })]) AS others
WHERE size(hits) > 0
UNWIND hits AS h
WITH cand, others, h
ORDER BY h
WITH cand, others, collect(h) AS evidence
RETURN cand.kind AS kind, cand.id AS id, size(evidence) AS complaint_lots_reached,
       others AS other_lots_reached, evidence
ORDER BY complaint_lots_reached DESC, other_lots_reached, kind, id
