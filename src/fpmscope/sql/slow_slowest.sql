-- The N slowest single requests (taken before the endpoint join, which then touches N rows).
-- Parameter: $slowest, N.
SELECT p.endpoint, s.path, s.status, s.t, s.upstream, s.ts_text, s.request_id
FROM (SELECT * FROM slow_source WHERE t IS NOT NULL ORDER BY t DESC, seq LIMIT $slowest) s
JOIN slow_paths p USING (method, path)
ORDER BY s.t DESC, s.seq
