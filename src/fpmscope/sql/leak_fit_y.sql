-- Each window's kept bytes, for the windows leak_fit_inputs chose, with its regressors and
-- their request counts as one list (xn: {x, n} by ascending x): each reweighting step
-- (leak_fit_weights.sql) computes the window's residual from them, without joining
-- leak_fit_x and grouping it again (about half that step's time).
CREATE OR REPLACE TEMP TABLE leak_fit_y AS
SELECT y.win, y.y, x.xn
FROM (
    SELECT win, sum(kept)::DOUBLE AS y
    FROM leak_windows
    WHERE win IN (SELECT win FROM leak_fit_x)
    GROUP BY win
) y
-- Sorted after the fact, which costs less than an ordered aggregate; the order makes the sums
-- the same on every run.
JOIN (SELECT win, list_sort(list({'x': x, 'n': n})) AS xn FROM leak_fit_x GROUP BY win) x USING (win);
