-- Whether the N slowest requests of grouped requests (slow_source_groups.sql) can be read from
-- their groups: when each of the N highest times is one request's (`most` = 1), the N slowest
-- are N groups of one request each, in an order no tie leaves to the line order. Else (`most`
-- > 1) the requests that took at least `threshold` (the lowest of those N times) are read
-- again row by row, in line order. Parameter: $slowest, N.
SELECT coalesce(max(c), 0) AS most, min(t) AS threshold
FROM (SELECT t, sum(n) AS c FROM slow_source WHERE t IS NOT NULL GROUP BY t ORDER BY t DESC LIMIT $slowest)
