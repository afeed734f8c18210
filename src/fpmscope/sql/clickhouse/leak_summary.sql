-- Twin of sql/leak_summary.sql.
SELECT
    count() AS requests,
    uniqExact(worker) AS workers,
    uniqExact(host) AS hosts,
    min(ts) AS first_ts,
    max(ts) AS last_ts,
    countIf(warmup) AS warmup_requests,
    countIf(isNull(retained)) AS unknown_requests,
    countIf(isNull(anon_start)) AS unmeasured_requests
FROM leak_requests
