-- Twin of sql/leak_window_requests.sql: the same three tables and columns. leak_requests'
-- twin carries worker and endpoint names only, so their integer ids (wid, eid) are numbered
-- here: each set of distinct names as one array, enumerated. A life's positions
-- (life_pos, life_judged) come from its judged requests as one array sorted by seq.
DROP TEMPORARY TABLE IF EXISTS leak_window_workers;
CREATE TEMPORARY TABLE leak_window_workers AS
SELECT toUInt64(id) AS wid, worker
FROM (SELECT groupUniqArray(worker) AS names FROM leak_requests WHERE NOT warmup AND isNotNull(retained)) AS found
ARRAY JOIN names AS worker, arrayEnumerate(names) AS id;
DROP TEMPORARY TABLE IF EXISTS leak_window_endpoints;
CREATE TEMPORARY TABLE leak_window_endpoints AS
SELECT toUInt64(id) AS eid, endpoint
FROM (SELECT groupUniqArray(endpoint) AS names FROM leak_requests WHERE NOT warmup AND isNotNull(retained)) AS found
ARRAY JOIN names AS endpoint, arrayEnumerate(names) AS id;
DROP TEMPORARY TABLE IF EXISTS leak_window_requests;
CREATE TEMPORARY TABLE leak_window_requests AS
SELECT wid, r.1 AS seq, r.2 AS eid, r.3 AS retained, toUInt64(pos - 1) AS life_pos, toUInt64(length(rs)) AS life_judged
FROM (
    SELECT wid, arraySort(x -> x.1, groupArray((seq, eid, assumeNotNull(retained)))) AS rs
    FROM (
        SELECT wid, seq, endpoint, retained
        FROM (
            SELECT worker, seq, endpoint, retained
            FROM leak_requests
            WHERE NOT warmup AND isNotNull(retained)
        ) AS judged
        ANY LEFT JOIN leak_window_workers USING (worker)
    ) AS by_worker
    ANY LEFT JOIN leak_window_endpoints USING (endpoint)
    GROUP BY wid
) AS lives
ARRAY JOIN rs AS r, arrayEnumerate(rs) AS pos;
