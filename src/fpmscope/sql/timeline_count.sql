-- How many workers have a memory timeline at all (the report draws at most $max_workers).
SELECT count(DISTINCT worker) AS workers FROM leak_requests WHERE anon_start IS NOT NULL
