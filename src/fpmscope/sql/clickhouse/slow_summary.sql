-- Twin of sql/slow_summary.sql: the filtered requests, their time span (unix seconds) and how
-- many timed ones a probe record joined.
SELECT
    count() AS requests,
    min(ts) AS first_ts,
    max(ts) AS last_ts,
    countIf(isNotNull(php) AND isNotNull(t)) AS joined
FROM slow_source
