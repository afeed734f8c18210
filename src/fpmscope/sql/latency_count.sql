-- How many endpoints have a wall time at all (the latency section shows the first $top).
SELECT count(DISTINCT endpoint) AS endpoints FROM leak_requests WHERE wall_us IS NOT NULL
