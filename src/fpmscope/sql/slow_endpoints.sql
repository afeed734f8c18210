-- Per endpoint: counts, exact time percentiles (seconds), status mix, bytes, upstream and PHP
-- time. Column order is analysis/slow.py's EndpointRow.
SELECT
    p.endpoint,
    count(*),
    sum(t),
    avg(t),
    quantile_cont(t, [0.5, 0.9, 0.95, 0.99]),
    max(t),
    count(*) FILTER (WHERE status BETWEEN 200 AND 299),
    count(*) FILTER (WHERE status BETWEEN 300 AND 399),
    count(*) FILTER (WHERE status BETWEEN 400 AND 499 AND status <> 499),
    count(*) FILTER (WHERE status BETWEEN 500 AND 599 AND status <> 504),
    count(*) FILTER (WHERE status = 499),
    count(*) FILTER (WHERE status = 504),
    sum(bytes),
    avg(upstream),
    sum(upstream),
    sum(php),
    sum(cpu),
    avg(php),
    avg(cpu),
    count(*) FILTER (WHERE php IS NOT NULL AND t IS NOT NULL),
    sum(t) FILTER (WHERE php IS NOT NULL),
    sum(php) FILTER (WHERE t IS NOT NULL),
    sum(cpu) FILTER (WHERE t IS NOT NULL)
FROM slow_source s
JOIN slow_paths p USING (method, path)
GROUP BY p.endpoint
