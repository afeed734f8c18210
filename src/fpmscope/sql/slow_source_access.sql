-- Access-log requests as the slow analysis reads them: time `t` in seconds. Method and path
-- are cut from the request line only where a query reads them (a filter, the N slowest): the
-- ranking goes through slow_paths, one row per distinct request line. `ts_key` finds the
-- request's time in slow_times.
CREATE OR REPLACE TEMP VIEW slow_all AS
SELECT
    rowid AS seq,
    coalesce(request, '-') AS request,
    split_part(coalesce(request, '-'), ' ', 1) AS method,
    split_part(split_part(coalesce(request, '-'), ' ', 2), '?', 1) AS path,
    status,
    bytes,
    rt AS t,
    upstream,
    NULL::DOUBLE AS php,
    NULL::DOUBLE AS cpu,
    ts_raw AS ts_key,
    request_id
FROM hits;
CREATE OR REPLACE TEMP VIEW slow_times AS SELECT raw AS ts_key, ts FROM hit_times;
