-- Twin of sql/slow_top.sql: the first $top endpoints by rank, each with its figures, then one
-- row (endpoint NULL) for all the others together (place 0). Percentiles are DuckDB's quantile_cont:
-- position (n - 1)·q in the sorted times, linear between its two neighbours (an empty list
-- when no request carries a time, which fleet/slow.py reads as DuckDB's NULL). Sums and means
-- add whole microseconds, as DuckDB's do.
SELECT
    if(place = 0, NULL, name) AS endpoint,
    if(place = 0, NULL, place) AS rank,
    requests,
    total_us / 1000000 AS total_s,
    if(timed = 0, NULL, total_us / timed / 1000000) AS mean_s,
    if(timed = 0, emptyArrayFloat64(), [
        s[lo50 + 1] + (s[hi50 + 1] - s[lo50 + 1]) * (p50 - lo50),
        s[lo90 + 1] + (s[hi90 + 1] - s[lo90 + 1]) * (p90 - lo90),
        s[lo95 + 1] + (s[hi95 + 1] - s[lo95 + 1]) * (p95 - lo95),
        s[lo99 + 1] + (s[hi99 + 1] - s[lo99 + 1]) * (p99 - lo99)
    ]) AS quantiles_s,
    max_s,
    status_2xx, status_3xx, status_4xx, status_5xx, status_499, status_504,
    bytes_total,
    if(upstream_n = 0, NULL, upstream_us / upstream_n / 1000000) AS upstream_mean_s,
    upstream_us / 1000000 AS upstream_total_s,
    php_us / 1000000 AS php_total_s,
    cpu_us / 1000000 AS cpu_total_s,
    if(php_n = 0, NULL, php_us / php_n / 1000000) AS php_mean_s,
    if(cpu_n = 0, NULL, cpu_us / cpu_n / 1000000) AS cpu_mean_s,
    joined,
    joined_t_us / 1000000 AS joined_t_s,
    joined_php_us / 1000000 AS joined_php_s,
    joined_cpu_us / 1000000 AS joined_cpu_s
FROM (
    SELECT
        rank AS place,
        any(endpoint) AS name,
        count() AS requests,
        sum(toInt64(floor(t * 1000000 + 0.5))) AS total_us,
        count(t) AS timed,
        arraySort(groupArray(t)) AS s,
        (timed - 1) * 0.5 AS p50, toUInt64(floor(p50)) AS lo50, toUInt64(ceil(p50)) AS hi50,
        (timed - 1) * 0.9 AS p90, toUInt64(floor(p90)) AS lo90, toUInt64(ceil(p90)) AS hi90,
        (timed - 1) * 0.95 AS p95, toUInt64(floor(p95)) AS lo95, toUInt64(ceil(p95)) AS hi95,
        (timed - 1) * 0.99 AS p99, toUInt64(floor(p99)) AS lo99, toUInt64(ceil(p99)) AS hi99,
        max(t) AS max_s,
        countIf(status >= 200 AND status <= 299) AS status_2xx,
        countIf(status >= 300 AND status <= 399) AS status_3xx,
        countIf(status >= 400 AND status <= 499 AND status != 499) AS status_4xx,
        countIf(status >= 500 AND status <= 599 AND status != 504) AS status_5xx,
        countIf(status = 499) AS status_499,
        countIf(status = 504) AS status_504,
        sum(bytes) AS bytes_total,
        sum(toInt64(floor(upstream * 1000000 + 0.5))) AS upstream_us,
        count(upstream) AS upstream_n,
        sum(toInt64(floor(php * 1000000 + 0.5))) AS php_us,
        count(php) AS php_n,
        sum(toInt64(floor(cpu * 1000000 + 0.5))) AS cpu_us,
        count(cpu) AS cpu_n,
        countIf(isNotNull(php) AND isNotNull(t)) AS joined,
        sumIf(toInt64(floor(t * 1000000 + 0.5)), isNotNull(php)) AS joined_t_us,
        sumIf(toInt64(floor(php * 1000000 + 0.5)), isNotNull(t)) AS joined_php_us,
        sumIf(toInt64(floor(cpu * 1000000 + 0.5)), isNotNull(t)) AS joined_cpu_us
    FROM slow_source
    ANY LEFT JOIN (
        SELECT request, endpoint, rank
        FROM slow_paths
        ALL INNER JOIN (SELECT endpoint, rank FROM slow_rank WHERE rank <= $top) AS ranked USING (endpoint)
    ) AS named USING (request)
    GROUP BY rank
) AS per_rank
ORDER BY place = 0, place
