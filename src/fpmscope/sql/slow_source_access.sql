-- Access-log requests as the slow analysis reads them: time `t` in seconds..
CREATE OR REPLACE TEMP VIEW slow_all AS
SELECT
    rowid AS seq,
    coalesce(method, '-') AS method,
    coalesce(path, '') AS path,
    status,
    bytes,
    rt AS t,
    upstream,
    NULL::DOUBLE AS php,
    NULL::DOUBLE AS cpu,
    strftime(ts, '%Y-%m-%dT%H:%M:%S%z') AS ts_text,
    ts,
    request_id
FROM hits
