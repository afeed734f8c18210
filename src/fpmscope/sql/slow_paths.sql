-- Distinct request lines of the filtered requests, each split into method and path (the query
-- string cut but for its routing parameters), normalized to its endpoint once, with every sum
-- the report needs and the list of its times: grouping by the raw line is the one pass over
-- the requests; the ranking and the figures of the first --top (sql/slow_top.sql) add these up
-- per endpoint, and only percentiles unnest the times. Sums of times are whole microseconds,
-- so adding them per line first gives the same figures to the digit. The query string stays
-- in `request` for rules that route by it.
-- Parameters: the endpoint expression's, over `method` and `path`; `{path}` is the request
-- target cut to its path and its routing parameters (endpoints.route_query_keep_sql); `{php}`
-- the PHP-time sums of analysis/slow.py's PHP_SUMS (constants for access logs alone: their
-- PHP times are all NULL, and summing them cost a fifth of the grouping).
CREATE OR REPLACE TEMP TABLE slow_paths AS
SELECT request, method, path, {endpoint} AS endpoint, * EXCLUDE (request, method, path)
FROM (
    SELECT
        request,
        split_part(request, ' ', 1) AS method,
        {path} AS path,
        count(*) AS requests,
        sum(round(t * 1000000)::BIGINT) AS total_us,
        count(t) AS timed,
        max(t) AS max_t,
        count(*) FILTER (WHERE status BETWEEN 500 AND 599 OR status = 499) AS errors,
        list(t) FILTER (WHERE t IS NOT NULL) AS times,
        count(*) FILTER (WHERE status BETWEEN 200 AND 299) AS status_2xx,
        count(*) FILTER (WHERE status BETWEEN 300 AND 399) AS status_3xx,
        count(*) FILTER (WHERE status BETWEEN 400 AND 499 AND status <> 499) AS status_4xx,
        count(*) FILTER (WHERE status BETWEEN 500 AND 599 AND status <> 504) AS status_5xx,
        count(*) FILTER (WHERE status = 499) AS status_499,
        count(*) FILTER (WHERE status = 504) AS status_504,
        sum(bytes) AS bytes_total,
        sum(round(upstream * 1000000)::BIGINT) AS upstream_us,
        count(upstream) AS upstream_n,
        {php}
    FROM slow_source
    GROUP BY request
)
