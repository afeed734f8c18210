-- Per endpoint: what its judged requests (not warm-up, with a successor on the same worker)
-- left for the next one, how consistently, on how many workers, and footprint and time over
-- all its requests. Rows map by name onto analysis/leaks.py's EndpointStats.
-- Parameters: $page, one page in bytes (what counts as "grew the worker"); $cache_min.
-- Grouped and partitioned by the integer ids of leak_requests (endpoint_id, worker_id: one
-- per name), not by the name strings: 30 % less time; the name rides along per endpoint.
WITH j AS (
    SELECT *, NOT warmup AND retained IS NOT NULL AS judged FROM leak_requests
),
per_worker AS (
    SELECT
        endpoint_id,
        worker_id,
        count(*) FILTER (WHERE judged) AS n,
        median(retained) FILTER (WHERE judged) AS typical
    FROM j
    GROUP BY endpoint_id, worker_id
),
workers AS (
    SELECT
        endpoint_id,
        count(*) FILTER (WHERE n >= 3) AS workers,
        count(*) FILTER (WHERE n >= 3 AND typical >= $page) AS workers_grew
    FROM per_worker
    GROUP BY endpoint_id
),
-- On each worker where its requests kept at least $cache_min in all: after how many of its
-- requests 90% of that was kept. A leak goes on to its last request; a cache that fills
-- stops early.
running AS (
    SELECT
        endpoint_id, worker_id, eseq,
        sum(retained) OVER (PARTITION BY endpoint_id, worker_id ORDER BY eseq ROWS UNBOUNDED PRECEDING) AS kept_so_far,
        sum(retained) OVER (PARTITION BY endpoint_id, worker_id) AS kept,
        max(eseq) OVER (PARTITION BY endpoint_id, worker_id) AS seen
    FROM j
    WHERE judged
),
filled AS (
    SELECT endpoint_id, worker_id, min(eseq) FILTER (WHERE kept_so_far >= 0.9 * kept) AS grew_until, seen, kept
    FROM running
    WHERE kept >= $cache_min
    GROUP BY endpoint_id, worker_id, seen, kept
),
cache AS (
    SELECT
        endpoint_id,
        median(grew_until) AS grew_until,
        median(grew_until / seen) AS grew_until_share,
        median(kept) AS kept_until
    FROM filled
    GROUP BY endpoint_id
),
stats AS (
    SELECT
        endpoint_id,
        any_value(endpoint) AS endpoint,
        count(*) AS requests,
        count(*) FILTER (WHERE warmup) AS warmup,
        count(*) FILTER (WHERE retained IS NULL) AS unknown,
        count(*) FILTER (WHERE judged) AS judged,
        coalesce(avg(retained) FILTER (WHERE judged), 0) AS mean,
        coalesce(median(retained) FILTER (WHERE judged), 0) AS median,
        coalesce(avg((retained >= $page)::INTEGER) FILTER (WHERE judged), 0) AS positive_share,
        coalesce(avg(d_shared) FILTER (WHERE judged), 0) AS shared_mean,
        coalesce(median(d_shared) FILTER (WHERE judged), 0) AS shared_median,
        coalesce(avg(d_zend) FILTER (WHERE judged), 0) AS zend_mean,
        coalesce(sum(d_anon + d_shared) FILTER (WHERE warmup), 0) AS warmup_total,
        coalesce(max(footprint), 0) AS footprint_max,
        coalesce(quantile_disc(footprint, 0.5), 0) AS footprint_median,
        coalesce(avg(wall_us), 0) AS wall_mean_us,
        coalesce(quantile_disc(wall_us, 0.95), 0) AS wall_p95_us,
        coalesce(avg(cpu_user_us + cpu_sys_us), 0) AS cpu_mean_us,
        count(*) FILTER (WHERE outcome <> 'ok') AS failed
    FROM j
    GROUP BY endpoint_id
)
SELECT
    stats.* EXCLUDE (endpoint_id), workers.workers, workers.workers_grew,
    coalesce(cache.grew_until, 0) AS grew_until,
    coalesce(cache.grew_until_share, 1) AS grew_until_share,
    coalesce(cache.kept_until, 0) AS kept_until
FROM stats
JOIN workers USING (endpoint_id)
LEFT JOIN cache USING (endpoint_id)
