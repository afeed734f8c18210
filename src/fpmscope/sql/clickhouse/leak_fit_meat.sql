-- Twin of sql/leak_fit_meat.sql: the HC3 sandwich's middle over the upper triangle (i <= j),
-- each window's leverage h = w·x'·B·x (capped at 0.99) from its pairs ($bread: k×k, row by
-- row; a pair i < j stands for itself and its mirror).
SELECT i, j, sum(pow(w * r / (1 - h), 2) * an * bn) AS xx
FROM leak_fit_pairs
ANY LEFT JOIN (
    SELECT win, w, r, least(w * s, 0.99) AS h
    FROM leak_fit_w
    ANY LEFT JOIN (
        SELECT win, sum(if(i = j, 1.0, 2.0) * an * bn * $bread[i * $k + j + 1]) AS s
        FROM leak_fit_pairs
        GROUP BY win
    ) AS quadratic USING (win)
) AS leverage USING (win)
GROUP BY i, j
