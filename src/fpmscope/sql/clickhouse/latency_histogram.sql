-- Twin of sql/latency_histogram.sql.
SELECT endpoint, bin, n
FROM (
    SELECT CAST(NULL AS Nullable(String)) AS endpoint, bin, count() AS n
    FROM (
        SELECT least(greatest(toInt32(floor(2 * log2(greatest(assumeNotNull(wall_us), 1)))), $low_bin), $high_bin) AS bin
        FROM leak_requests
        WHERE isNotNull(wall_us)
    ) AS b
    GROUP BY bin
    UNION ALL
    SELECT toNullable(endpoint) AS endpoint, bin, count() AS n
    FROM (
        SELECT
            endpoint,
            least(greatest(toInt32(floor(2 * log2(greatest(assumeNotNull(wall_us), 1)))), $low_bin), $high_bin) AS bin
        FROM leak_requests
        WHERE isNotNull(wall_us) AND has(CAST($endpoints AS Array(String)), endpoint)
    ) AS b
    GROUP BY endpoint, bin
) AS bins
ORDER BY endpoint NULLS FIRST, bin
