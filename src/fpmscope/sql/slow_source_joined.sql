-- Access-log requests joined to probe records by request id ($request_id passed to PHP as
-- REQUEST_ID): `t` is the time nginx saw, `php` and `cpu` what PHP spent (seconds).
CREATE OR REPLACE TEMP VIEW slow_all AS
SELECT
    h.rowid AS seq,
    coalesce(h.request, '-') AS request,
    split_part(coalesce(h.request, '-'), ' ', 1) AS method,
    split_part(split_part(coalesce(h.request, '-'), ' ', 2), '?', 1) AS path,
    h.status,
    h.bytes,
    h.rt AS t,
    h.upstream,
    r.wall_us / 1e6 AS php,
    (r.cpu_user_us + r.cpu_sys_us) / 1e6 AS cpu,
    h.ts_raw AS ts_key,
    h.request_id
FROM hits h
LEFT JOIN (SELECT * FROM requests WHERE request_id <> '') r USING (request_id);
CREATE OR REPLACE TEMP VIEW slow_times AS SELECT raw AS ts_key, ts FROM hit_times;
