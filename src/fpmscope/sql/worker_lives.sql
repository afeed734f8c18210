-- One row per worker (a life of a pid on a host and pool) from leak_requests: its first and last
-- request, memory at the start of its first and last request (the start of a request holds
-- everything earlier requests left behind; its end still holds the request's own heap), and
-- when the log ends for its host and pool. Columns by name: analysis/workers.py's _Life.
WITH w AS (
    SELECT
        worker,
        any_value(host) AS host,
        any_value(pool) AS pool,
        any_value(pid) AS pid,
        count(*) AS requests,
        min(ts) AS first_ts,
        max(ts) AS last_ts,
        arg_min(anon_start, seq) AS first_anon,
        arg_max(anon_start, seq) AS last_anon,
        arg_min(shared_start, seq) AS first_shared,
        arg_max(shared_start, seq) AS last_shared,
        coalesce(max(ts - prev_ts), 0) AS max_gap,
        -- Requests the pool served after this worker's last one.
        min(pool_rank) - 1 AS pool_after
    FROM (
        SELECT *,
            lag(ts) OVER (PARTITION BY worker ORDER BY seq) AS prev_ts,
            row_number() OVER (PARTITION BY host, pool ORDER BY ts DESC) AS pool_rank
        FROM leak_requests
    )
    GROUP BY worker
),
p AS (
    SELECT *, max(last_ts) OVER (PARTITION BY host, pool) AS log_end FROM w
)
SELECT
    p.worker, p.host, p.pool, p.pid, p.requests, p.first_ts, p.last_ts,
    p.first_anon, p.last_anon, p.first_shared, p.last_shared, p.max_gap, p.log_end, p.pool_after,
    -- A worker of the same host and pool whose first request came after this one's last.
    EXISTS (
        SELECT 1 FROM p AS later
        WHERE later.host = p.host AND later.pool = p.pool AND later.first_ts > p.last_ts
    ) AS replaced
FROM p
ORDER BY p.host, p.pool, p.first_ts, p.pid
