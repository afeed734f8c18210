-- The workers whose memory timelines the report draws: most anon growth first, at most
-- $max_workers of them. Reads leak_requests (analysis/leaks.py: prepare).
SELECT
    worker,
    any_value(host),
    any_value(pool),
    any_value(pid),
    count(*),
    min(ts),
    max(ts),
    arg_min(anon_start, seq),
    arg_max(anon_start, seq),
    max(anon_start),
    arg_max(anon_start, seq) - arg_min(anon_start, seq),
    count(*) FILTER (WHERE list_contains($suspects, endpoint)),
FROM leak_requests
WHERE anon_start IS NOT NULL
GROUP BY worker
ORDER BY 11 DESC, 5 DESC, worker
LIMIT $max_workers
