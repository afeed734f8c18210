-- How well the last fit explains its windows, comparable across ways of cutting them: the
-- mean absolute residual per square root of the window's requests. Not a median: a cut that
-- leaves most windows at exactly zero (a leak's growth hidden in a pool that the cut refills,
-- shown only by the rare request that re-extends the heap) would win on a median while its
-- windows with that request are far off (analysis/retention.py).
SELECT avg(abs(w.r) / sqrt(x.n)) AS scale
FROM leak_fit_w w
JOIN (SELECT win, sum(n) AS n FROM leak_fit_x GROUP BY win) x USING (win);
