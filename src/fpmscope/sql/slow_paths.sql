-- Distinct request lines of the filtered requests, each split into method and path (the query
-- string cut but for its routing parameters), normalized to its endpoint once, with the sums the ranking needs: grouping by
-- the raw line first means no per-request join for a ranking by total, count, mean, max or
-- errors. The query string stays in `request` for rules that route by it.
-- Parameters: the endpoint expression's, over `method` and `path`; `{path}` is the request
-- target cut to its path and its routing parameters (endpoints.route_query_keep_sql).
-- Paths with no query string (nor `&`, nor control marks: `{plain}`) take `{plain_endpoint}`,
-- the same name from the path's segments alone, at a third of the cost
-- (endpoints.plain_endpoint_sql).
CREATE OR REPLACE TEMP TABLE slow_paths AS
WITH lines AS MATERIALIZED (
    SELECT
        request,
        split_part(request, ' ', 1) AS method,
        {path} AS path,
        count(*) AS requests,
        sum(round(t * 1000000)::BIGINT) AS total_us,
        count(t) AS timed,
        max(t) AS max_t,
        count(*) FILTER (WHERE status BETWEEN 500 AND 599 OR status = 499) AS errors
    FROM slow_source
    GROUP BY request
)
SELECT request, method, path, {endpoint} AS endpoint, requests, total_us, timed, max_t, errors
FROM lines
WHERE NOT {plain}
UNION ALL
SELECT request, method, path, {plain_endpoint} AS endpoint, requests, total_us, timed, max_t, errors
FROM lines
WHERE {plain}
