-- Probe records as the slow analysis reads them: time `t` is PHP's wall time, in seconds.
-- A route name set by the application (tag) replaces the path, as in the leak analysis.
CREATE OR REPLACE TEMP VIEW slow_all AS
SELECT
    rowid AS seq,
    -- one space between method and target, as in a request line: a space inside is escaped
    coalesce(method, '-') || ' ' || replace(CASE WHEN tag <> '' THEN tag ELSE coalesce(uri, '') END, ' ', '%20')
        AS request,
    coalesce(method, '-') AS method,
    CASE WHEN tag <> '' THEN tag ELSE coalesce(uri, '') END AS path,
    status::SMALLINT AS status,
    NULL::BIGINT AS bytes,
    wall_us / 1e6 AS t,
    NULL::DOUBLE AS upstream,
    wall_us / 1e6 AS php,
    (cpu_user_us + cpu_sys_us) / 1e6 AS cpu,
    ts::VARCHAR AS ts_key,
    nullif(request_id, '') AS request_id
FROM requests;
CREATE OR REPLACE TEMP VIEW slow_times AS SELECT DISTINCT ts::VARCHAR AS ts_key, to_timestamp(ts) AS ts FROM requests;
