-- Twin of sql/leak_fit_y.sql: each window's kept bytes, with its regressors and their counts
-- as arrays (xs, ns), which the later steps of the fit read instead of joining leak_fit_x.
DROP TEMPORARY TABLE IF EXISTS leak_fit_y;
CREATE TEMPORARY TABLE leak_fit_y AS
SELECT win, sum(kept) AS y, groupArray(x) AS xs, groupArray(n) AS ns
FROM leak_fit_x
GROUP BY win;
