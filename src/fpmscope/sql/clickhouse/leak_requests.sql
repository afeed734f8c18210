-- Twin of sql/leak_requests.sql: every probe record of `requests` (the temp table that
-- fleet/analysis.py fills from the fleet's records) with its worker, endpoint, position and
-- what the next request on the same worker found; the same columns and meaning.
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
        length(rs) AS n,
        arrayEnumerate(rs) AS pos,
        arrayMap(x -> x.2, rs) AS cs,
        arrayMap(x -> x.13, rs) AS ce,
        arrayMap(i -> toUInt8(ifNull(i < n AND cs[least(i + 1, n)] < ce[i], 0)), pos) AS ends,
        arrayMap(i -> toUInt8(ifNull(i > 1 AND cs[i] < ce[greatest(i - 1, 1)], 0)), pos) AS starts,
        arrayCumSum(starts) AS lid,
        arrayFilter(i -> starts[i] = 1, pos) AS start_pos,
        arrayMap(l -> if(l = 0, 1, start_pos[l]), lid) AS lives,
        arrayEnumerateUniq(lid) AS life_seqs,
        arrayEnumerateUniq(lid, arrayMap(x -> x.3, rs)) AS eseqs,
        arrayMap(i -> if(ends[i] = 1 OR i = n, NULL, rs[least(i + 1, n)].4 - rs[i].4), pos) AS d_anons,
        arrayMap(i -> if(ends[i] = 1 OR i = n, NULL, rs[least(i + 1, n)].5 - rs[i].5), pos) AS d_zends,
        arrayMap(i -> if(ends[i] = 1 OR i = n, NULL, rs[least(i + 1, n)].6 - rs[i].6), pos) AS d_shareds
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
