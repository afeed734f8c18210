-- The regression's inputs from leak_windows (analysis/retention.py): per window, the request
-- count of each regressor (x: 1-based position in $regressors, 0 = all other endpoints
-- together), and the window's kept bytes (leak_fit_y, derived from this table's windows).
-- Parameters: $regressors, the endpoints fitted one by one; $late_only: only late windows.
CREATE OR REPLACE TEMP TABLE leak_fit_x AS
SELECT win, coalesce(list_position($regressors::VARCHAR[], endpoint), 0)::INTEGER AS x, sum(n)::DOUBLE AS n
FROM leak_windows
WHERE late OR NOT $late_only
GROUP BY ALL;
