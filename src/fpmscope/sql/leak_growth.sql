-- How much workers kept after warm-up: judged requests, the bytes they kept (native +
-- shared), the seconds the workers spent serving them, workers, and workers whose own
-- requests kept at least $floor bytes each on average.
WITH per_worker AS (
    SELECT
        worker,
        count(*) AS judged,
        sum(retained) AS kept,
        max(ts) - min(ts) AS seconds
    FROM leak_requests
    WHERE NOT warmup AND retained IS NOT NULL
    GROUP BY worker
)
SELECT
    coalesce(sum(judged), 0) AS judged,
    coalesce(sum(kept), 0) AS kept,
    coalesce(sum(seconds), 0) AS seconds,
    count(*) AS workers,
    count(*) FILTER (WHERE kept >= $floor * judged) AS workers_growing
FROM per_worker
