-- The middle of the sandwich covariance: X' diag((w·r)²) X, with the last fit's weights.
SELECT a.x AS i, b.x AS j, sum(w.w * w.w * w.r * w.r * a.n * b.n) AS xx
FROM leak_fit_x a
JOIN leak_fit_x b USING (win)
JOIN leak_fit_w w USING (win)
GROUP BY a.x, b.x;
