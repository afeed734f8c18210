-- The middle of the sandwich covariance with the HC3 correction: X' diag((w·r / (1 - h))²) X,
-- with the last fit's weights w and residuals r, and each window's leverage h = w·x'·B·x
-- ($bread: (X'WX)⁻¹ flattened row by row, $k columns). A window that alone pins a rare
-- endpoint's coefficient has h near 1: its residual is near 0 only because the fit bent to
-- it, and HC3 gives it back its weight in the error (leverage capped at 0.99).
WITH leverage AS (
    SELECT a.win, least(any_value(w.w) * sum(a.n * b.n * list_extract($bread::DOUBLE[], a.x * $k + b.x + 1)), 0.99) AS h
    FROM leak_fit_x a
    JOIN leak_fit_x b USING (win)
    JOIN leak_fit_w w USING (win)
    GROUP BY a.win
)
SELECT a.x AS i, b.x AS j, sum(power(w.w * w.r / (1 - l.h), 2) * a.n * b.n) AS xx
FROM leak_fit_x a
JOIN leak_fit_x b USING (win)
JOIN leak_fit_w w USING (win)
JOIN leverage l USING (win)
GROUP BY a.x, b.x;
