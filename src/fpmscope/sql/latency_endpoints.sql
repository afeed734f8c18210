-- Wall time per endpoint from the probe records (the request as PHP saw it, without nginx's
-- queueing): exact percentiles, ranked by total time spent, at most $top endpoints.
SELECT
    endpoint,
    count(*),
    quantile_cont(wall_us, 0.5),
    quantile_cont(wall_us, 0.95),
    quantile_cont(wall_us, 0.99),
    max(wall_us),
    avg(wall_us),
    sum(wall_us),
    count(*) FILTER (WHERE outcome <> 'ok'),
FROM leak_requests
WHERE wall_us IS NOT NULL
GROUP BY endpoint
ORDER BY sum(wall_us) DESC, endpoint
LIMIT $top
