-- The middle of the sandwich covariance with the HC3 correction: X' diag((w·r / (1 - h))²) X
-- (its upper triangle, i <= j), with the last fit's weights w and residuals r, and each
-- window's leverage h = w·x'·B·x ($bread: (X'WX)⁻¹ flattened row by row, $k columns; each
-- pair i < j stands for itself and its mirror). A window that alone pins a rare endpoint's
-- coefficient has h near 1: its residual is near 0 only because the fit bent to it, and
-- HC3 gives it back its weight in the error (leverage capped at 0.99).
WITH leverage AS (
    SELECT
        p.win,
        least(
            any_value(w.w) * sum(
                CASE WHEN p.i = p.j THEN 1.0 ELSE 2.0 END * p.an * p.bn
                * list_extract($bread::DOUBLE[], p.i * $k + p.j + 1)
            ),
            0.99
        ) AS h
    FROM leak_fit_pairs p
    JOIN leak_fit_w w USING (win)
    GROUP BY p.win
)
SELECT p.i, p.j, sum(power(w.w * w.r / (1 - l.h), 2) * p.an * p.bn) AS xx
FROM leak_fit_pairs p
JOIN leak_fit_w w USING (win)
JOIN leverage l USING (win)
GROUP BY p.i, p.j;
