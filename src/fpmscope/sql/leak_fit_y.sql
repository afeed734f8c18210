-- Each window's kept bytes, for the windows leak_fit_inputs chose, with its regressors and
-- their request counts as two lists (xs ascending, ns in step): each reweighting step
-- (leak_fit_weights.sql) computes the window's residual from them, without joining
-- leak_fit_x and grouping it again (about half that step's time).
CREATE OR REPLACE TEMP TABLE leak_fit_y AS
SELECT y.win, y.y, x.xs, x.ns
FROM (
    SELECT win, sum(kept)::DOUBLE AS y
    FROM leak_windows
    WHERE win IN (SELECT win FROM leak_fit_x)
    GROUP BY win
) y
JOIN (SELECT win, list(x ORDER BY x) AS xs, list(n ORDER BY x) AS ns FROM leak_fit_x GROUP BY win) x USING (win);
