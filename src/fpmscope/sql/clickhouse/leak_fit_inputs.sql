-- Twin of sql/leak_fit_inputs.sql, with each window's kept bytes per regressor beside its
-- count (`kept`), so that leak_fit_y needs no join.
DROP TEMPORARY TABLE IF EXISTS leak_fit_x;
CREATE TEMPORARY TABLE leak_fit_x AS
SELECT win, toInt32(indexOf(CAST($regressors AS Array(String)), endpoint)) AS x, toFloat64(sum(n)) AS n,
    toFloat64(sum(kept)) AS kept
FROM leak_windows
WHERE multiIf($subset = 'late', late = 1, $subset = 'half0', half = 0, $subset = 'half1', half = 1, 1)
GROUP BY win, x;
