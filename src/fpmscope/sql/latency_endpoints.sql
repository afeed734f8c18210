-- Wall time per endpoint from the probe records (the request as PHP saw it, without nginx's
-- queueing): exact percentiles, ranked by total time spent, at most $top endpoints.
SELECT
    endpoint,
    count(*) AS requests,
    quantile_cont(wall_us, 0.5) AS p50_us,
    quantile_cont(wall_us, 0.95) AS p95_us,
    quantile_cont(wall_us, 0.99) AS p99_us,
    max(wall_us) AS max_us,
    avg(wall_us) AS mean_us,
    sum(wall_us) AS total_us,
    count(*) FILTER (WHERE outcome <> 'ok') AS failed,
FROM leak_requests
WHERE wall_us IS NOT NULL
GROUP BY endpoint
ORDER BY total_us DESC, endpoint
LIMIT $top
