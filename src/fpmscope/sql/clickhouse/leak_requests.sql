-- Twin of sql/leak_requests.sql: every probe record of `requests` (the temp table that
-- fleet/analysis.py fills from the fleet's records) with its worker, endpoint, position and
-- what the next request on the same worker found; the same columns and meaning, except the
-- integer ids worker_id and endpoint_id, which its one reader's twin numbers itself
-- (sql/clickhouse/leak_window_requests.sql).
-- ClickHouse 18.16 has no window functions: each worker's records are gathered into one
-- array sorted by time (groupArray + arraySort), lead/lag are neighbouring elements, a life of
-- a reused pid is a running count of the requests that start one (arrayCumSum), positions in
-- a life and of an endpoint in it are arrayEnumerateUniq. Ties in ts on one worker (never seen:
-- a worker serves one request at a time) are broken by the CPU time at start, not by file order.
-- The endpoint expression ({endpoint}, fleet/analysis.py from endpoints_clickhouse.py) runs once
-- per distinct method, uri, tag and script (leak_names), as in the DuckDB file.
DROP TEMPORARY TABLE IF EXISTS leak_names;
CREATE TEMPORARY TABLE leak_names AS
SELECT method, uri, tag, script, {endpoint} AS endpoint
FROM (SELECT DISTINCT method, uri, tag, script FROM requests);
DROP TEMPORARY TABLE IF EXISTS leak_requests;
CREATE TEMPORARY TABLE leak_requests AS
SELECT
    host, pool, pid, r.1 AS ts, r.7 AS wall_us, r.8 AS cpu_user_us, r.9 AS cpu_sys_us,
    r.4 AS anon_start, r.6 AS shared_start, r.10 AS shared_end, r.5 AS zend_real_start, r.11 AS outcome,
    concat(
        host, '|', pool, '|', toString(pid), if(isNull(worker_start), '', concat('|', toString(worker_start))),
        '|', toString(life)
    ) AS worker,
    r.3 AS endpoint, life_seq AS seq, d_anon, d_zend, d_shared,
    d_anon - d_zend AS native, d_anon - d_zend + d_shared AS retained, eseq,
    life_seq <= {worker_warmup} OR eseq = 1 AS warmup,
    r.12 AS footprint
FROM (
    SELECT
        host, pool, pid, worker_start, rs,
        arrayEnumerate(rs) AS pos,
        -- Lambdas take neighbours as shifted arrays, never by index into a captured array:
        -- ClickHouse copies a captured array for every element (quadratic in a worker's requests).
        arrayMap(x -> x.2, rs) AS cs,
        arrayMap(x -> x.13, rs) AS ce,
        arrayMap((nx, e) -> toUInt8(ifNull(nx < e, 0)), arrayPushBack(arraySlice(cs, 2), NULL), ce) AS ends,
        arrayMap((c, pe) -> toUInt8(ifNull(c < pe, 0)), cs, arrayPushFront(arrayPopBack(ce), NULL)) AS starts,
        arrayCumSum(starts) AS lid,
        arrayEnumerateUniq(lid) AS life_seqs,
        -- A life is named by the position of its first request (lives are contiguous).
        arrayMap((i, s) -> i - s + 1, pos, life_seqs) AS lives,
        arrayEnumerateUniq(lid, arrayMap(x -> x.3, rs)) AS eseqs,
        arrayMap(x -> x.4, rs) AS anons,
        arrayMap(x -> x.5, rs) AS zends,
        arrayMap(x -> x.6, rs) AS shareds,
        arrayMap((nx, v, e) -> if(e = 1, NULL, nx - v), arrayPushBack(arraySlice(anons, 2), NULL), anons, ends) AS d_anons,
        arrayMap((nx, v, e) -> if(e = 1, NULL, nx - v), arrayPushBack(arraySlice(zends, 2), NULL), zends, ends) AS d_zends,
        arrayMap((nx, v, e) -> if(e = 1, NULL, nx - v), arrayPushBack(arraySlice(shareds, 2), NULL), shareds, ends)
            AS d_shareds
    FROM (
        SELECT
            host, pool, pid, worker_start,
            arraySort(x -> (x.1, x.2), groupArray((
                ts, worker_cpu_us, endpoint, anon_start, zend_real_start, shared_start,
                wall_us, cpu_user_us, cpu_sys_us, shared_end, outcome,
                greatest(greatest(ifNull(rss_end - rss_start, 0), ifNull(zend_real_peak - zend_real_start, 0)), 0),
                worker_cpu_us + cpu_user_us + cpu_sys_us
            ))) AS rs
        FROM requests AS q
        ANY LEFT JOIN leak_names AS e USING (method, uri, tag, script)
        GROUP BY host, pool, pid, worker_start
    ) AS grouped
) AS workers
ARRAY JOIN
    rs AS r, lives AS life, life_seqs AS life_seq, eseqs AS eseq,
    d_anons AS d_anon, d_zends AS d_zend, d_shareds AS d_shared;
