-- Twin of sql/worker_series.sql.
SELECT worker, seq, anon_start, native_level
FROM (
    SELECT worker, seq, anon_start, anon_start - zend_real_start AS native_level
    FROM leak_requests
    WHERE seq > $worker_warmup AND isNotNull(anon_start) AND isNotNull(zend_real_start)
) AS j
ANY LEFT JOIN (
    SELECT worker, count() AS n
    FROM leak_requests
    WHERE seq > $worker_warmup AND isNotNull(anon_start) AND isNotNull(zend_real_start)
    GROUP BY worker
) AS counts USING (worker)
WHERE (seq - 1) % greatest(1, toInt64(ceil(n / $max_points))) = 0
ORDER BY worker, seq
