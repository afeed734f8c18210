-- Twin of sql/leak_growth.sql.
SELECT
    sum(w_judged) AS judged,
    ifNull(sum(w_kept), 0) AS kept,
    sum(w_seconds) AS seconds,
    count() AS workers,
    countIf(w_kept >= $floor * w_judged) AS workers_growing
FROM (
    SELECT worker, count() AS w_judged, sum(retained) AS w_kept, max(ts) - min(ts) AS w_seconds
    FROM leak_requests
    WHERE NOT warmup AND isNotNull(retained)
    GROUP BY worker
) AS per_worker
