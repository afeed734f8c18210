-- Twin of sql/worker_endpoints.sql.
SELECT worker, endpoint, count() AS requests
FROM leak_requests
WHERE NOT warmup
GROUP BY worker, endpoint
