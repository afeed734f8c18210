-- How well the last fit explains its windows: the robust scale (1.4826 × median) of the
-- residuals per square root of the window's requests, comparable across ways of cutting.
SELECT 1.4826 * median(abs(w.r) / sqrt(x.n)) AS scale
FROM leak_fit_w w
JOIN (SELECT win, sum(n) AS n FROM leak_fit_x GROUP BY win) x USING (win);
