-- Probe records as the slow analysis reads them: time `t` is PHP's wall time, in seconds.
-- A route name set by the application (tag) replaces the path, as in the leak analysis.
CREATE OR REPLACE TEMP VIEW slow_all AS
SELECT
    rowid AS seq,
    coalesce(method, '-') AS method,
    CASE WHEN tag <> '' THEN tag ELSE coalesce(uri, '') END AS path,
    status::SMALLINT AS status,
    NULL::BIGINT AS bytes,
    wall_us / 1e6 AS t,
    NULL::DOUBLE AS upstream,
    wall_us / 1e6 AS php,
    (cpu_user_us + cpu_sys_us) / 1e6 AS cpu,
    strftime(to_timestamp(ts), '%Y-%m-%dT%H:%M:%S%z') AS ts_text,
    to_timestamp(ts) AS ts,
    nullif(request_id, '') AS request_id
FROM requests
