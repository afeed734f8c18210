-- Twin of sql/timeline_workers.sql.
SELECT
    worker,
    any(host) AS host,
    any(pool) AS pool,
    any(pid) AS pid,
    count() AS requests,
    min(ts) AS first_ts,
    max(ts) AS last_ts,
    argMin(assumeNotNull(anon_start), seq) AS anon_first,
    argMax(assumeNotNull(anon_start), seq) AS anon_last,
    max(assumeNotNull(anon_start)) AS anon_max,
    anon_last - anon_first AS anon_growth,
    countIf(has(CAST($suspects AS Array(String)), endpoint)) AS suspect_requests
FROM leak_requests
WHERE isNotNull(anon_start)
GROUP BY worker
ORDER BY anon_growth DESC, requests DESC, worker
LIMIT $max_workers
