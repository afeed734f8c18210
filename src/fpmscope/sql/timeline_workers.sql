-- The workers whose memory timelines the report draws: most anon growth first, at most
-- $max_workers of them. Reads leak_requests (analysis/requests.py).
SELECT
    worker,
    any_value(host) AS host,
    any_value(pool) AS pool,
    any_value(pid) AS pid,
    count(*) AS requests,
    min(ts) AS first_ts,
    max(ts) AS last_ts,
    arg_min(anon_start, seq) AS anon_first,
    arg_max(anon_start, seq) AS anon_last,
    max(anon_start) AS anon_max,
    arg_max(anon_start, seq) - arg_min(anon_start, seq) AS anon_growth,
    count(*) FILTER (WHERE list_contains($suspects, endpoint)) AS suspect_requests,
FROM leak_requests
WHERE anon_start IS NOT NULL
GROUP BY worker
ORDER BY anon_growth DESC, requests DESC, worker
LIMIT $max_workers
