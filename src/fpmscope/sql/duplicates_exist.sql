-- Whether any request (worker + start time + URI) is there twice: a hash aggregate, about a
-- third of the cost of drop_duplicates' window, so the DELETE runs only when it has work.
SELECT count(*) AS repeated
FROM (
    SELECT 1 FROM requests GROUP BY host, pool, pid, worker_start, ts, uri HAVING count(*) > 1
)
