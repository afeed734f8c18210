-- Access-log requests as the slow analysis reads them: time `t` in seconds. {ts}: the SQL that
-- turns ts_text into a timestamp for this log's format.
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
    ts_text,
    {ts} AS ts,
    request_id
FROM hits
