-- Twin of sql/leak_fit_inputs.sql, with each window's kept bytes per regressor beside its
-- count (`kept`), so that leak_fit_y needs no join. Endpoint ids become regressor numbers
-- through leak_window_endpoints' names.
DROP TEMPORARY TABLE IF EXISTS leak_fit_x;
CREATE TEMPORARY TABLE leak_fit_x AS
SELECT win, x, toFloat64(sum(n)) AS n, toFloat64(sum(kept)) AS kept
FROM (
    SELECT win, n, kept, late, half, x
    FROM leak_windows
    ANY LEFT JOIN (
        SELECT eid, toInt32(indexOf(CAST($regressors AS Array(String)), endpoint)) AS x FROM leak_window_endpoints
    ) AS r USING (eid)
) AS windows
WHERE multiIf($subset = 'late', late = 1, $subset = 'half0', half = 0, $subset = 'half1', half = 1, 1)
GROUP BY win, x;
