-- Each worker's memory level after warm-up, thinned to at most $max_points evenly spaced requests
-- (the robust slope is quadratic in the number of points). native level = anon minus Zend's
-- chunk cache, so a spike that Zend keeps cached for a while does not look like a trend.
WITH j AS (
    SELECT worker, seq, anon_start, anon_start - zend_real_start AS native_level,
        count(*) OVER (PARTITION BY worker) AS n
    FROM leak_requests
    WHERE NOT (seq <= $worker_warmup) AND anon_start IS NOT NULL AND zend_real_start IS NOT NULL
)
SELECT worker, seq, anon_start, native_level
FROM j
WHERE (seq - 1) % greatest(1, ceil(n / $max_points)::BIGINT) = 0
ORDER BY worker, seq
