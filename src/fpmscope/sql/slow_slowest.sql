-- The N slowest single requests. Parameter: N.
SELECT p.endpoint, s.path, s.status, s.t, s.upstream, s.ts_text, s.request_id
FROM slow_source s
JOIN slow_paths p USING (method, path)
WHERE s.t IS NOT NULL
ORDER BY s.t DESC, s.seq
LIMIT ?
