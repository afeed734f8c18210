-- The weighted normal equations X'WX (i, j, xx) and X'Wy (xy, meaningful where i = j).
SELECT a.x AS i, b.x AS j, sum(w.w * a.n * b.n) AS xx, sum(w.w * a.n * y.y) AS xy
FROM leak_fit_x a
JOIN leak_fit_x b USING (win)
JOIN leak_fit_w w USING (win)
JOIN leak_fit_y y USING (win)
GROUP BY a.x, b.x;
