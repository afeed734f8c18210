-- The whole: how many endpoints, and the time of all requests (whole microseconds, summed
-- exactly: the total does not depend on the order the threads add them in).
SELECT
    (SELECT count(*) FROM slow_rank) AS endpoints,
    sum(total_us) / 1000000.0 AS total_s
FROM slow_paths
