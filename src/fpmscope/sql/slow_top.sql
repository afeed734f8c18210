-- The first $top endpoints by rank, each with its figures, then one row (endpoint NULL) for all
-- the others together: sums of slow_paths' per-line sums, exact percentiles over their
-- requests' times (unnested from the lines' lists). The renderers get these rows and nothing
-- else, however many endpoints the logs hold.
-- Sums and means add whole microseconds, so the same log gives the same figures to the digit.
WITH lines AS (
    SELECT CASE WHEN k.rank <= $top THEN p.endpoint END AS endpoint, CASE WHEN k.rank <= $top THEN k.rank END AS rank, p.*
        EXCLUDE (endpoint)
    FROM slow_paths p JOIN slow_rank k USING (endpoint)
),
sums AS (
    SELECT
        endpoint,
        min(rank) AS rank,
        sum(requests) AS requests,
        sum(total_us) / 1000000.0 AS total_s,
        sum(total_us) / sum(timed) / 1000000.0 AS mean_s,
        max(max_t) AS max_s,
        sum(status_2xx) AS status_2xx,
        sum(status_3xx) AS status_3xx,
        sum(status_4xx) AS status_4xx,
        sum(status_5xx) AS status_5xx,
        sum(status_499) AS status_499,
        sum(status_504) AS status_504,
        sum(bytes_total) AS bytes_total,
        sum(upstream_us) / sum(upstream_n) / 1000000.0 AS upstream_mean_s,
        sum(upstream_us) / 1000000.0 AS upstream_total_s,
        sum(php_us) / 1000000.0 AS php_total_s,
        sum(cpu_us) / 1000000.0 AS cpu_total_s,
        sum(php_us) / sum(php_n) / 1000000.0 AS php_mean_s,
        sum(cpu_us) / sum(cpu_n) / 1000000.0 AS cpu_mean_s,
        sum(joined) AS joined,
        sum(joined_t_us) / 1000000.0 AS joined_t_s,
        sum(joined_php_us) / 1000000.0 AS joined_php_s,
        sum(joined_cpu_us) / 1000000.0 AS joined_cpu_s
    FROM lines
    GROUP BY endpoint
),
quantiles AS (
    SELECT endpoint, quantile_cont(t, [0.5, 0.9, 0.95, 0.99]) AS quantiles_s
    FROM (SELECT endpoint, unnest(times) AS t FROM lines)
    GROUP BY endpoint
)
SELECT
    s.endpoint, s.rank, s.requests, s.total_s, s.mean_s, q.quantiles_s, s.max_s,
    s.status_2xx, s.status_3xx, s.status_4xx, s.status_5xx, s.status_499, s.status_504,
    s.bytes_total, s.upstream_mean_s, s.upstream_total_s, s.php_total_s, s.cpu_total_s, s.php_mean_s, s.cpu_mean_s,
    s.joined, s.joined_t_s, s.joined_php_s, s.joined_cpu_s
FROM sums s
LEFT JOIN quantiles q ON s.endpoint IS NOT DISTINCT FROM q.endpoint
ORDER BY s.rank NULLS LAST
