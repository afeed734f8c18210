-- slow_paths.sql over grouped requests (slow_source_groups.sql): the same sums, each group
-- weighted by its `n` requests.
CREATE OR REPLACE TEMP TABLE slow_paths AS
SELECT request, method, path, {endpoint} AS endpoint, requests, total_us, timed, max_t, errors
FROM (
    SELECT
        request,
        split_part(request, ' ', 1) AS method,
        {path} AS path,
        sum(n)::BIGINT AS requests,
        sum(n * round(t * 1000000)::BIGINT) AS total_us,
        coalesce(sum(n) FILTER (WHERE t IS NOT NULL), 0)::BIGINT AS timed,
        max(t) AS max_t,
        coalesce(sum(n) FILTER (WHERE status BETWEEN 500 AND 599 OR status = 499), 0)::BIGINT AS errors
    FROM slow_source
    GROUP BY request
)
