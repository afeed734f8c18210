-- The distinct normalized paths of slow_lines' endpoints (after the method, without the
-- routing query), from which fleet/slow.py infers templates in process as analysis/slow.py
-- does over slow_paths.
SELECT DISTINCT splitByChar('?', substring(endpoint, position(endpoint, ' ') + 1))[1] AS path FROM slow_lines
