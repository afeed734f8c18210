-- Twin of sql/slow_paths.sql: each distinct request line of slow_source once, split into method
-- and path (the query string cut but for its routing parameters), named by its endpoint, with
-- the sums the ranking needs. Into `slow_lines`: slow_templates_apply.sql then makes
-- `slow_paths` of it with the inferred templates applied (ClickHouse cannot UPDATE a
-- temporary table). Parameters: the endpoint expression's, over `method` and `path`; {path}
-- is the request target cut to its path and routing parameters
-- (endpoints_clickhouse.route_query_keep_sql). Times are summed in whole microseconds, rounded
-- half up as DuckDB's round() does for positive values.
DROP TEMPORARY TABLE IF EXISTS slow_lines;
CREATE TEMPORARY TABLE slow_lines AS
SELECT request, method, path, {endpoint} AS endpoint, requests, total_us, timed, max_t, errors
FROM (
    SELECT
        request,
        splitByChar(' ', request)[1] AS method,
        {path} AS path,
        count() AS requests,
        sum(toInt64(floor(t * 1000000 + 0.5))) AS total_us,
        count(t) AS timed,
        max(t) AS max_t,
        countIf((status >= 500 AND status <= 599) OR status = 499) AS errors
    FROM slow_source
    GROUP BY request
) AS lines;
