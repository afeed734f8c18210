-- Per endpoint: counts, exact time percentiles (seconds), status mix, bytes, upstream and PHP
-- time. Column order is analysis/slow.py's EndpointRow.
-- Sums and means add whole microseconds: integer sums do not depend on the order DuckDB's
-- threads add them in, so the same log gives the same figures to the last digit.
SELECT
    p.endpoint,
    count(*),
    sum(round(t * 1000000)::BIGINT) / 1000000.0,
    sum(round(t * 1000000)::BIGINT) / count(t) / 1000000.0,
    quantile_cont(t, [0.5, 0.9, 0.95, 0.99]),
    max(t),
    count(*) FILTER (WHERE status BETWEEN 200 AND 299),
    count(*) FILTER (WHERE status BETWEEN 300 AND 399),
    count(*) FILTER (WHERE status BETWEEN 400 AND 499 AND status <> 499),
    count(*) FILTER (WHERE status BETWEEN 500 AND 599 AND status <> 504),
    count(*) FILTER (WHERE status = 499),
    count(*) FILTER (WHERE status = 504),
    sum(bytes),
    sum(round(upstream * 1000000)::BIGINT) / count(upstream) / 1000000.0,
    sum(round(upstream * 1000000)::BIGINT) / 1000000.0,
    sum(round(php * 1000000)::BIGINT) / 1000000.0,
    sum(round(cpu * 1000000)::BIGINT) / 1000000.0,
    sum(round(php * 1000000)::BIGINT) / count(php) / 1000000.0,
    sum(round(cpu * 1000000)::BIGINT) / count(cpu) / 1000000.0,
    count(*) FILTER (WHERE php IS NOT NULL AND t IS NOT NULL),
    sum(round(t * 1000000)::BIGINT) FILTER (WHERE php IS NOT NULL) / 1000000.0,
    sum(round(php * 1000000)::BIGINT) FILTER (WHERE t IS NOT NULL) / 1000000.0,
    sum(round(cpu * 1000000)::BIGINT) FILTER (WHERE t IS NOT NULL) / 1000000.0
FROM slow_source s
JOIN slow_paths p USING (method, path)
GROUP BY p.endpoint
