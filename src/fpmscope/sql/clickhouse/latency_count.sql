-- Twin of sql/latency_count.sql.
SELECT uniqExact(endpoint) AS endpoints FROM leak_requests WHERE isNotNull(wall_us)
