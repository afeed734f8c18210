-- Twin of sql/slow_source_joined.sql and sql/slow_filter.sql together: access-log requests
-- within the filters joined to the probe records by request id ($request_id passed to PHP as
-- REQUEST_ID), `t` the time nginx saw, `php` and `cpu` what PHP spent (seconds); columns as
-- slow_source_access.sql, which has put the requests within the filters in slow_hits. Only
-- the records whose id a kept request carries are read (GLOBAL IN: the set goes to every
-- shard of a Distributed table). {records}: the deduplicated table.
DROP TEMPORARY TABLE IF EXISTS slow_source;
CREATE TEMPORARY TABLE slow_source AS
SELECT
    seq, request, method, path, status, bytes, t, upstream,
    if(matched, wall_s, NULL) AS php,
    if(matched, cpu_s, NULL) AS cpu,
    ts, request_id
FROM slow_hits
ALL LEFT JOIN (
    SELECT request_id, 1 AS matched, wall_us / 1e6 AS wall_s, (cpu_user_us + cpu_sys_us) / 1e6 AS cpu_s
    FROM {records}
    WHERE request_id != '' AND request_id GLOBAL IN (SELECT request_id FROM slow_hits WHERE request_id != '')
) AS r USING (request_id);
DROP TEMPORARY TABLE slow_hits;
