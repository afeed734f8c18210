-- The regression's inputs from leak_windows (analysis/retention.py): per window, the request
-- count of each regressor (x: 1-based position in $regressors, 0 = all other endpoints
-- together), and the window's kept bytes (leak_fit_y, derived from this table's windows).
-- Parameters: $regressors, the endpoints fitted one by one; $subset: all, late (windows in
-- the second half of their worker's life), half0 or half1 (leak_windows.half).
CREATE OR REPLACE TEMP TABLE leak_fit_x AS
SELECT w.win, coalesce(r.x, 0)::INTEGER AS x, sum(w.n)::DOUBLE AS n
FROM leak_windows w
LEFT JOIN (
    SELECT eid, list_position($regressors::VARCHAR[], endpoint) AS x FROM leak_window_endpoints
) r USING (eid)
WHERE CASE $subset
    WHEN 'late' THEN w.late
    WHEN 'half0' THEN w.half = 0
    WHEN 'half1' THEN w.half = 1
    ELSE true
END
GROUP BY ALL;
