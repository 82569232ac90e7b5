// return_rates: per lot shipped to customers or returned: units shipped to
// customers (any status), units returned, the rate, its 95% Wilson
// interval, and the baseline: the lot's SKU's pooled rate over its other
// lots with half a returned unit added to the pool, (sum returned + 0.5) /
// (sum shipped + 1) excluding the lot (as `lotgraph returns`; the binomial
// flag stays in lotgraph).
//
// param category: string = null   count only returns of this category (defect, quality, safety, damage, other)
// param sku: string = null        list only lots of this SKU (baselines still use every lot)
// columns: lot_id, sku, shipped, returned, rate, ci_low, ci_high, baseline
MATCH (l:Lot)
OPTIONAL MATCH (l)-[s:SHIPPED]->(:Customer)
WITH l, toFloat(sum(s.quantity)) AS shipped
OPTIONAL MATCH (l)<-[:RETURN_OF]-(r:Return)
WHERE $category IS NULL OR r.category = $category
WITH l, shipped, toFloat(sum(r.quantity)) AS returned
WHERE shipped > 0 OR returned > 0
WITH l.sku AS sku,
     collect({lot_id: l.lot_id, shipped: shipped, returned: returned}) AS lots,
     sum(shipped) AS sku_shipped, sum(returned) AS sku_returned
UNWIND lots AS x
WITH sku, x, sku_shipped - x.shipped AS other_shipped, sku_returned - x.returned AS other_returned
WHERE $sku IS NULL OR sku = $sku
WITH sku, x, other_shipped, other_returned, x.shipped AS n, x.returned AS k,
     1.959963984540054 AS z
WITH sku, x, other_shipped, other_returned, n, k, z,
     CASE WHEN n > 0 THEN k / n END AS rate,
     CASE WHEN n > 0 THEN
       CASE WHEN k / n > 1.0 THEN 1.0 WHEN k / n < 0.0 THEN 0.0 ELSE k / n END
     END AS p
WITH sku, x, other_shipped, other_returned, n, z, rate, p,
     CASE WHEN n > 0 THEN 1.0 + z * z / n END AS denom
WITH sku, x, other_shipped, other_returned, rate,
     (p + z * z / (2.0 * n)) / denom AS center,
     z / denom * sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) AS half
RETURN x.lot_id AS lot_id, sku, x.shipped AS shipped, x.returned AS returned, rate,
       CASE WHEN center - half < 0.0 THEN 0.0 ELSE center - half END AS ci_low,
       CASE WHEN center + half > 1.0 THEN 1.0 ELSE center + half END AS ci_high,
       CASE WHEN other_shipped > 1e-9 THEN
         CASE WHEN (other_returned + 0.5) / (other_shipped + 1.0) > 1.0 THEN 1.0
              WHEN (other_returned + 0.5) / (other_shipped + 1.0) < 0.0 THEN 0.0
              ELSE (other_returned + 0.5) / (other_shipped + 1.0) END
       END AS baseline
ORDER BY coalesce(rate, -1.0) DESC, lot_id
