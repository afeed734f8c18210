-- Access-log requests joined to probe records by request id ($request_id passed to PHP as
-- REQUEST_ID): `t` is the time nginx saw, `php` and `cpu` what PHP spent (seconds).
CREATE OR REPLACE TEMP VIEW slow_all AS
SELECT
    h.rowid AS seq,
    coalesce(h.method, '-') AS method,
    coalesce(h.path, '') AS path,
    h.status,
    h.bytes,
    h.rt AS t,
    h.upstream,
    r.wall_us / 1e6 AS php,
    (r.cpu_user_us + r.cpu_sys_us) / 1e6 AS cpu,
    strftime(h.ts, '%Y-%m-%dT%H:%M:%S%z') AS ts_text,
    h.ts,
    h.request_id
FROM hits h
LEFT JOIN (SELECT * FROM requests WHERE request_id <> '') r USING (request_id)
