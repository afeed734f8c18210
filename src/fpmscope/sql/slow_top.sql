-- The first $top endpoints by rank, each with its figures, then one row (endpoint NULL) for all
-- the others together: exact percentiles over their requests, summed counts and times. The
-- renderers get these rows and nothing else, however many endpoints the logs hold.
-- Sums and means add whole microseconds, so the same log gives the same figures to the digit.
SELECT
    r.endpoint AS endpoint,
    min(r.rank) AS rank,
    count(*) AS requests,
    sum(round(t * 1000000)::BIGINT) / 1000000.0 AS total_s,
    sum(round(t * 1000000)::BIGINT) / count(t) / 1000000.0 AS mean_s,
    quantile_cont(t, [0.5, 0.9, 0.95, 0.99]) AS quantiles_s,
    max(t) AS max_s,
    count(*) FILTER (WHERE status BETWEEN 200 AND 299) AS status_2xx,
    count(*) FILTER (WHERE status BETWEEN 300 AND 399) AS status_3xx,
    count(*) FILTER (WHERE status BETWEEN 400 AND 499 AND status <> 499) AS status_4xx,
    count(*) FILTER (WHERE status BETWEEN 500 AND 599 AND status <> 504) AS status_5xx,
    count(*) FILTER (WHERE status = 499) AS status_499,
    count(*) FILTER (WHERE status = 504) AS status_504,
    sum(bytes) AS bytes_total,
    sum(round(upstream * 1000000)::BIGINT) / count(upstream) / 1000000.0 AS upstream_mean_s,
    sum(round(upstream * 1000000)::BIGINT) / 1000000.0 AS upstream_total_s,
    sum(round(php * 1000000)::BIGINT) / 1000000.0 AS php_total_s,
    sum(round(cpu * 1000000)::BIGINT) / 1000000.0 AS cpu_total_s,
    sum(round(php * 1000000)::BIGINT) / count(php) / 1000000.0 AS php_mean_s,
    sum(round(cpu * 1000000)::BIGINT) / count(cpu) / 1000000.0 AS cpu_mean_s,
    count(*) FILTER (WHERE php IS NOT NULL AND t IS NOT NULL) AS joined,
    sum(round(t * 1000000)::BIGINT) FILTER (WHERE php IS NOT NULL) / 1000000.0 AS joined_t_s,
    sum(round(php * 1000000)::BIGINT) FILTER (WHERE t IS NOT NULL) / 1000000.0 AS joined_php_s,
    sum(round(cpu * 1000000)::BIGINT) FILTER (WHERE t IS NOT NULL) / 1000000.0 AS joined_cpu_s
FROM slow_source s
LEFT JOIN (
    SELECT p.request, p.endpoint, k.rank FROM slow_paths p JOIN slow_rank k USING (endpoint) WHERE k.rank <= $top
) r USING (request)
GROUP BY 1
ORDER BY min(r.rank) NULLS LAST
