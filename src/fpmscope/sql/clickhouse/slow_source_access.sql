-- Twin of sql/slow_source_access.sql and sql/slow_filter.sql together: the fleet's access-log
-- requests within the filters, into the session's temporary table `slow_source` (DuckDB's
-- columns, but `ts`, the time in unix seconds, where DuckDB has a key into slow_times, and
-- `seq`, the request's identity, where DuckDB has its row number in the files). {source} is
-- the deduplicated hits (schema.source); {where} (time, host) and {filter} (--status,
-- --path) are fixed pieces with bound values (fleet/slow.py). An empty request line is '-'
-- as DuckDB's NULL is. {into} is slow_source, or slow_hits when slow_source_joined.sql joins
-- them to the probe records next.
DROP TEMPORARY TABLE IF EXISTS {into};
CREATE TEMPORARY TABLE {into} AS
SELECT
    seq,
    line AS request,
    splitByChar(' ', line)[1] AS method,
    splitByChar('?', splitByChar(' ', line)[2])[1] AS path,
    status,
    bytes,
    t,
    upstream,
    CAST(NULL AS Nullable(Float64)) AS php,
    CAST(NULL AS Nullable(Float64)) AS cpu,
    ts,
    request_id
FROM (
    SELECT rid AS seq, if(request = '', '-', request) AS line, status, bytes, rt AS t, upstream, ts, request_id
    FROM {source}
    WHERE {where}
) AS hits
WHERE {filter};
