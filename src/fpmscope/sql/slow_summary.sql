-- The filtered requests: how many, their time span, and how many timed ones a probe record joined.
SELECT
    count(*) AS requests,
    min(ts) AS first_ts,
    max(ts) AS last_ts,
    count(php) FILTER (WHERE t IS NOT NULL) AS joined
FROM slow_source
