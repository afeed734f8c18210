-- The filtered requests: how many, their time span (over their distinct raw times), and how
-- many timed ones a probe record joined.
SELECT
    (SELECT count(*) FROM slow_source) AS requests,
    min(tm.ts) AS first_ts,
    max(tm.ts) AS last_ts,
    (SELECT count(php) FILTER (WHERE t IS NOT NULL) FROM slow_source) AS joined
FROM (SELECT DISTINCT ts_key FROM slow_source) k
JOIN slow_times tm USING (ts_key)
