-- Twin of sql/slow_source_probe.sql and sql/slow_filter.sql together: the fleet's probe records
-- within the filters as the slow analysis reads them, `t` being PHP's wall time in seconds; a
-- route name set by the application (tag) replaces the path. Columns as
-- slow_source_access.sql. {source}: the deduplicated records; {where}, {filter} as there.
DROP TEMPORARY TABLE IF EXISTS slow_source;
CREATE TEMPORARY TABLE slow_source AS
SELECT
    seq,
    -- one space between method and target, as in a request line: a space inside is escaped
    concat(m, ' ', replaceAll(named, ' ', '%20')) AS request,
    m AS method,
    named AS path,
    status,
    bytes,
    t,
    upstream,
    t AS php,
    cpu,
    ts,
    request_id
FROM (
    SELECT
        rid AS seq,
        if(toString(method) = '', '-', toString(method)) AS m,
        if(toString(tag) != '', toString(tag), uri) AS named,
        CAST(status AS Nullable(Int16)) AS status,
        CAST(NULL AS Nullable(Int64)) AS bytes,
        wall_us / 1e6 AS t,
        CAST(NULL AS Nullable(Float64)) AS upstream,
        (cpu_user_us + cpu_sys_us) / 1e6 AS cpu,
        ts AS ts,
        request_id
    FROM {source}
    WHERE {where}
) AS records
WHERE {filter};
