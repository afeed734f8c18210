-- Twin of sql/templates_apply.sql run on slow_paths (both write the table again, here from
-- slow_lines, which this dialect's slow_paths.sql writes): `slow_paths`, the rows of
-- slow_lines with the inferred templates applied to each endpoint after its method
-- ({templated}: the template expression over `rest`, or the endpoint itself when none was
-- inferred; endpoints_clickhouse.templates_sql).
DROP TEMPORARY TABLE IF EXISTS slow_paths;
CREATE TEMPORARY TABLE slow_paths AS
SELECT request, method, path, {templated} AS endpoint, requests, total_us, timed, max_t, errors
FROM (
    SELECT
        request, method, path, endpoint AS named, substring(endpoint, position(endpoint, ' ') + 1) AS rest,
        requests, total_us, timed, max_t, errors
    FROM slow_lines
) AS lines;
DROP TEMPORARY TABLE slow_lines;
