-- Wall-time histogram in half-octave bins (bin b holds 2^(b/2) <= wall_us < 2^((b+1)/2)),
-- clamped to [$low_bin, $high_bin]: over all requests (endpoint NULL), and per endpoint of
-- $endpoints.
WITH b AS (
    SELECT
        endpoint,
        least(greatest(floor(2 * log2(greatest(wall_us, 1)))::INTEGER, $low_bin), $high_bin) AS bin
    FROM leak_requests
    WHERE wall_us IS NOT NULL
)
SELECT NULL AS endpoint, bin, count(*) AS n FROM b GROUP BY bin
UNION ALL
SELECT endpoint, bin, count(*) AS n FROM b WHERE list_contains($endpoints, endpoint) GROUP BY endpoint, bin
ORDER BY endpoint NULLS FIRST, bin
