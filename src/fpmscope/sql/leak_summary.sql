-- What the judged requests hold, for every probe-log report's inputs section
-- (analysis/requests.py: prepare).
SELECT
    count(*) AS requests,
    count(DISTINCT worker) AS workers,
    count(DISTINCT host) AS hosts,
    min(ts) AS first_ts,
    max(ts) AS last_ts,
    count(*) FILTER (WHERE warmup) AS warmup_requests,
    count(*) FILTER (WHERE retained IS NULL) AS unknown_requests,
    count(*) FILTER (WHERE anon_start IS NULL) AS unmeasured_requests
FROM leak_requests
