-- Twin of sql/latency_endpoints.sql: exact percentiles interpolated as DuckDB's quantile_cont
-- (position (n - 1)·q in the sorted times, linear between its two neighbours).
SELECT
    endpoint, requests,
    s[lo50 + 1] + (s[hi50 + 1] - s[lo50 + 1]) * (p50 - lo50) AS p50_us,
    s[lo95 + 1] + (s[hi95 + 1] - s[lo95 + 1]) * (p95 - lo95) AS p95_us,
    s[lo99 + 1] + (s[hi99 + 1] - s[lo99 + 1]) * (p99 - lo99) AS p99_us,
    max_us, mean_us, total_us, failed
FROM (
    SELECT
        endpoint,
        count() AS requests,
        arraySort(groupArray(assumeNotNull(wall_us))) AS s,
        (requests - 1) * 0.5 AS p50, toUInt64(floor(p50)) AS lo50, toUInt64(ceil(p50)) AS hi50,
        (requests - 1) * 0.95 AS p95, toUInt64(floor(p95)) AS lo95, toUInt64(ceil(p95)) AS hi95,
        (requests - 1) * 0.99 AS p99, toUInt64(floor(p99)) AS lo99, toUInt64(ceil(p99)) AS hi99,
        max(assumeNotNull(wall_us)) AS max_us,
        avg(assumeNotNull(wall_us)) AS mean_us,
        sum(assumeNotNull(wall_us)) AS total_us,
        countIf(outcome != 'ok' AND outcome != '') AS failed
    FROM leak_requests
    WHERE isNotNull(wall_us)
    GROUP BY endpoint
) AS per_endpoint
ORDER BY total_us DESC, endpoint
LIMIT $top
