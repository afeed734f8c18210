-- Each window's kept bytes, for the windows leak_fit_inputs chose.
CREATE OR REPLACE TEMP TABLE leak_fit_y AS
SELECT win, sum(kept)::DOUBLE AS y
FROM leak_windows
WHERE win IN (SELECT win FROM leak_fit_x)
GROUP BY win;
