-- Twin of sql/leak_fit_normal.sql: X'WX over its upper triangle (i <= j, xx) from
-- leak_fit_pairs, and X'Wy (xy, meaningful where i = j: there an = bn is the regressor's count).
SELECT i, j, sum(w * an * bn) AS xx, sum(w * an * y) AS xy
FROM leak_fit_pairs
ANY LEFT JOIN (SELECT win, w, y FROM leak_fit_w) AS weights USING (win)
GROUP BY i, j
