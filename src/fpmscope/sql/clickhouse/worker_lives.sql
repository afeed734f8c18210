-- Twin of sql/worker_lives.sql: one row per worker life, the same columns. lag() is the
-- previous element of the worker's times in order (arrayDifference); "requests the pool
-- served after this worker's last one" is the worker's best position among its pool's
-- requests sorted by time, latest first; "replaced" compares with the pool's latest first
-- request of a worker. One JOIN per SELECT: 18.16 allows no more.
SELECT
    worker, host, pool, pid, requests, first_ts, last_ts, first_anon, last_anon, first_shared, last_shared,
    max_gap, log_end, pool_after, max_first > last_ts AS replaced
FROM (
    SELECT *
    FROM (
        SELECT
            worker,
            any(host) AS host,
            any(pool) AS pool,
            any(pid) AS pid,
            count() AS requests,
            min(ts) AS first_ts,
            max(ts) AS last_ts,
            argMin(anon_start, seq) AS first_anon,
            argMax(anon_start, seq) AS last_anon,
            argMin(shared_start, seq) AS first_shared,
            argMax(shared_start, seq) AS last_shared,
            arrayReduce('max', arrayDifference(arrayMap(x -> x.2, arraySort(groupArray((seq, ts)))))) AS max_gap
        FROM leak_requests
        GROUP BY worker
    ) AS w
    ANY LEFT JOIN (
        SELECT worker, toInt64(min(pos)) - 1 AS pool_after
        FROM (
            SELECT ranked.2 AS worker, pos
            FROM (SELECT arraySort(x -> -x.1, groupArray((ts, worker))) AS rs FROM leak_requests GROUP BY host, pool) AS p
            ARRAY JOIN rs AS ranked, arrayEnumerate(rs) AS pos
        ) AS positions
        GROUP BY worker
    ) AS after USING (worker)
) AS lives
ANY LEFT JOIN (
    SELECT host, pool, max(last_ts) AS log_end, max(first_ts) AS max_first
    FROM (
        SELECT worker, any(host) AS host, any(pool) AS pool, min(ts) AS first_ts, max(ts) AS last_ts
        FROM leak_requests
        GROUP BY worker
    ) AS per_worker
    GROUP BY host, pool
) AS pools USING (host, pool)
ORDER BY host, pool, first_ts, pid
