-- Twin of sql/timeline_count.sql.
SELECT uniqExact(worker) AS workers FROM leak_requests WHERE isNotNull(anon_start)
