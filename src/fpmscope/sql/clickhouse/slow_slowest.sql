-- Twin of sql/slow_slowest.sql: the N slowest single requests, then their endpoint. Ties go by
-- time in the log, then by the request's identity (DuckDB's go by file order). `ts` is unix
-- seconds, shown as DuckDB shows it by fleet/slow.py. Parameter: $slowest, N.
SELECT endpoint, path, status, t, upstream, ts, request_id
FROM (
    SELECT request, status, t, upstream, ts, nullIf(request_id, '') AS request_id, seq
    FROM slow_source
    WHERE isNotNull(t)
    ORDER BY t DESC, ts, seq
    LIMIT $slowest
) AS slowest
ANY LEFT JOIN (SELECT request, endpoint, path FROM slow_paths) AS named USING (request)
ORDER BY t DESC, ts, seq
