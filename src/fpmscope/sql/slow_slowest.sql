-- The N slowest single requests (taken before the endpoint join, which then touches N rows).
-- Parameter: $slowest, N.
SELECT p.endpoint, p.path, s.status, s.t, s.upstream, strftime(tm.ts, '%Y-%m-%dT%H:%M:%S%z') AS ts_text, s.request_id
FROM (SELECT * FROM slow_source WHERE t IS NOT NULL ORDER BY t DESC, seq LIMIT $slowest) s
JOIN slow_paths p USING (request)
LEFT JOIN slow_times tm USING (ts_key)
ORDER BY s.t DESC, s.seq
