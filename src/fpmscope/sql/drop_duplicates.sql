-- One record per request (worker + start time + URI); returns how many were dropped.
DELETE FROM requests
WHERE rowid IN (
    SELECT rowid
    FROM (
        SELECT rowid, row_number() OVER (PARTITION BY host, pool, pid, worker_start, ts, uri ORDER BY rowid) AS n
        FROM requests
    )
    WHERE n > 1
)
