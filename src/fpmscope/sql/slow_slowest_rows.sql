-- slow_slowest.sql for grouped requests whose slowest times tie: over the requests that
-- accesslog.ingest.load_slowest read again into hits, in line order (rowid), the same as the
-- row reader's. Parameter: $slowest, N.
SELECT p.endpoint, p.path, s.status, s.t, s.upstream, strftime(tm.ts, '%Y-%m-%dT%H:%M:%S%z') AS ts_text, s.request_id
FROM (
    SELECT rowid AS seq, coalesce(request, '-') AS request, status, rt AS t, upstream, ts_raw AS ts_key, request_id
    FROM hits
    WHERE rt IS NOT NULL
    ORDER BY rt DESC, rowid
    LIMIT $slowest
) s
JOIN slow_paths p USING (request)
LEFT JOIN slow_times tm USING (ts_key)
ORDER BY s.t DESC, s.seq
