-- Every pair of regressors (i <= j: X'WX is symmetric) that share a window, with their
-- request counts there: X'WX and the sandwich's meat are sums over these rows, weighted by
-- the window's weight (leak_fit_normal.sql, leak_fit_meat.sql). The pairs do not change
-- while the fit reweights, so they are joined once per fit instead of once per iteration.
CREATE OR REPLACE TEMP TABLE leak_fit_pairs AS
SELECT a.win, a.x AS i, b.x AS j, a.n AS an, b.n AS bn
FROM leak_fit_x a
JOIN leak_fit_x b ON a.win = b.win AND a.x <= b.x;
