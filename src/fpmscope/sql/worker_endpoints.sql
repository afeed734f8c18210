-- Per worker and endpoint: what its requests after warm-up left behind (native + shared, as
-- the leaks analysis measures it at the next request's start) and how many ran.
SELECT worker, endpoint, count(*) AS requests, sum(retained) AS kept
FROM leak_requests
WHERE NOT warmup AND retained IS NOT NULL
GROUP BY worker, endpoint
HAVING sum(retained) > 0
ORDER BY worker, kept DESC, endpoint
