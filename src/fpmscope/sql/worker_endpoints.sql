-- Per worker and endpoint: how many requests after warm-up it served.
SELECT worker, endpoint, count(*) AS requests
FROM leak_requests
WHERE NOT warmup
GROUP BY worker, endpoint
