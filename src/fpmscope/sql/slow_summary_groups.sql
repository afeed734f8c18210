-- slow_summary.sql over grouped requests (unfiltered: every distinct time of the logs).
SELECT
    (SELECT coalesce(sum(n), 0)::BIGINT FROM slow_source) AS requests,
    min(ts) AS first_ts,
    max(ts) AS last_ts,
    0 AS joined
FROM hit_times
