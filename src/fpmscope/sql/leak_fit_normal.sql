-- The weighted normal equations: X'WX over its upper triangle (i <= j, xx; leak_fit_pairs)
-- and X'Wy (xy, on the rows where i = j; from leak_fit_x, one row per window and regressor).
SELECT p.i, p.j, sum(w.w * p.an * p.bn) AS xx, NULL::DOUBLE AS xy
FROM leak_fit_pairs p
JOIN leak_fit_w w USING (win)
WHERE p.i < p.j
GROUP BY p.i, p.j
UNION ALL
SELECT x.x AS i, x.x AS j, sum(w.w * x.n * x.n) AS xx, sum(w.w * x.n * w.y) AS xy
FROM leak_fit_x x
JOIN leak_fit_w w USING (win)
GROUP BY x.x;
