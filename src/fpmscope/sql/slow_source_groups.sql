-- Access-log requests grouped by the grouped reader (accesslog/ingest.py, hit_groups): one row
-- per distinct request line, status and time, `n` requests, `bytes` and `up_us`/`up_n` their
-- sums; `seq` unknown (the slowest requests are read only when their times are all distinct,
-- analysis/slow.py). Same columns as slow_source_access.sql otherwise.
CREATE OR REPLACE TEMP VIEW slow_all AS
SELECT
    NULL::BIGINT AS seq,
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
    request_id,
    n,
    up_us,
    up_n
FROM hit_groups
WHERE NOT stamp;
CREATE OR REPLACE TEMP VIEW slow_times AS SELECT raw AS ts_key, ts FROM hit_times;
