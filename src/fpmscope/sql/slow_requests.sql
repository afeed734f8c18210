-- Every filtered request with its endpoint, once: ranking and the per-endpoint figures both
-- read it, and the join of requests to their normalized paths is paid a single time.
CREATE OR REPLACE TEMP TABLE slow_requests AS
SELECT p.endpoint, s.t, s.status, s.bytes, s.upstream, s.php, s.cpu
FROM slow_source s
JOIN slow_paths p USING (request)
