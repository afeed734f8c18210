-- Downsampled memory timeline of the chosen workers (DESIGN §7: a 1 M-request log must give a
-- small report). Each worker's requests are cut into $buckets buckets by position; a bucket
-- keeps its lowest and highest anon and its highest shared request, so spikes and dips survive.
-- `suspect` is the rank of the request's endpoint in $suspects (1 = top), 0 for others.
-- Requests of suspect endpoints are all kept up to about $suspect_cap per worker,
-- evenly spread beyond that. Rows come ordered by worker, then request position.
WITH r AS (
    SELECT
        worker,
        seq,
        ts,
        endpoint,
        anon_start,
        coalesce(shared_start, 0) AS shared_start,
        -- The least anon the worker comes back to from here on: what it has kept for good.
        min(anon_start) OVER (PARTITION BY worker ORDER BY seq DESC) AS floor,
        coalesce(list_position($suspects, endpoint), 0) AS suspect,
        (seq - 1) * $buckets // count(*) OVER (PARTITION BY worker) AS bucket
    FROM leak_requests
    WHERE anon_start IS NOT NULL AND list_contains($workers, worker)
),
ranked AS (
    SELECT
        *,
        row_number() OVER (PARTITION BY worker, bucket ORDER BY anon_start, seq) AS low,
        row_number() OVER (PARTITION BY worker, bucket ORDER BY anon_start DESC, seq) AS high,
        row_number() OVER (PARTITION BY worker, bucket ORDER BY shared_start DESC, seq) AS high_shared,
        row_number() OVER (PARTITION BY worker, suspect > 0 ORDER BY seq) AS suspect_seq,
        count(*) OVER (PARTITION BY worker, suspect > 0) AS suspect_count
    FROM r
)
SELECT worker, seq, ts, endpoint, anon_start, shared_start, suspect, floor
FROM ranked
WHERE low = 1 OR high = 1 OR high_shared = 1
    OR (suspect > 0 AND (suspect_seq - 1) % ((suspect_count + $suspect_cap - 1) // $suspect_cap) = 0)
ORDER BY worker, seq
