-- Twin of sql/slow_totals.sql: how many endpoints, and the time of all requests (whole
-- microseconds, summed exactly).
SELECT
    (SELECT count() FROM slow_rank) AS endpoints,
    sum(total_us) / 1000000 AS total_s
FROM slow_paths
