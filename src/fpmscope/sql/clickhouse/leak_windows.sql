-- Twin of sql/leak_windows.sql: the same windows, columns and meaning (read that file first),
-- over the integer rows of leak_window_requests ($cut: an endpoint id, -1 or NULL).
-- Each worker life's judged requests, in order, as one array: cuts before each request are a
-- running count (arrayCumSum), the position in its segment and in its window are
-- arrayEnumerateUniq, and a window is late when its first request is in the second half.
-- `win` is an integer: the worker's id times 2^32 plus the position of the window's first
-- request in the life (unique, as DuckDB's dense number is; only its identity is used).
-- `half` alternates workers in the order of DuckDB's hash of their names (leak_worker_rank,
-- computed once by fleet/analysis.py), so both engines split the workers alike.
-- Sampling (only above MAX_WINDOWS windows) keeps cityHash64(name) % $keep_one_in = 0 (name:
-- worker#segment#part, as DuckDB hashes): deterministic, but another sample than DuckDB's.
DROP TEMPORARY TABLE IF EXISTS leak_window_rows;
CREATE TEMPORARY TABLE leak_window_rows AS
SELECT wid, wid * 4294967296 + first AS win, segment, part, r.1 AS eid, r.2 AS retained, is_late
FROM (
    SELECT
        wid, rs,
        length(rs) AS n,
        arrayMap(x -> toUInt8(ifNull(x.1 = $cut, 0)), rs) AS is_cut,
        arraySum(is_cut) AS cuts,
        arrayMap((c, i) -> c - i, arrayCumSum(is_cut), is_cut) AS segs,
        arrayMap((s, p) -> intDiv(p - 1, if(s < cuts, $cut_size, $size)), segs, arrayEnumerateUniq(segs)) AS parts,
        arrayMap((i, w) -> i - w, arrayEnumerate(rs), arrayEnumerateUniq(segs, parts)) AS firsts,
        arrayMap(f -> f >= n / 2, firsts) AS lates,
        arrayMap(s -> cuts = 0 OR (s < cuts AND s > 0), segs) AS keeps
    FROM (
        SELECT wid, arrayMap(x -> (x.2, x.3), arraySort(x -> x.1, groupArray((seq, eid, retained)))) AS rs
        FROM leak_window_requests
        GROUP BY wid
    ) AS judged
) AS workers
ARRAY JOIN rs AS r, segs AS segment, parts AS part, firsts AS first, lates AS is_late, keeps AS keep
WHERE keep;
-- The workers that have windows, alternating in the order of leak_worker_rank.
DROP TEMPORARY TABLE IF EXISTS leak_window_halves;
CREATE TEMPORARY TABLE leak_window_halves AS
SELECT ranked.3 AS wid, ranked.2 AS worker, pos % 2 AS worker_half
FROM (
    SELECT arraySort(groupArray((hrank, worker, wid))) AS ranks
    FROM (
        SELECT wid, worker
        FROM leak_window_workers
        WHERE wid IN (SELECT wid FROM leak_window_rows)
    ) AS kept_workers
    ANY LEFT JOIN leak_worker_rank AS r USING (worker)
) AS sorted
ARRAY JOIN ranks AS ranked, arrayEnumerate(ranks) AS pos;
DROP TEMPORARY TABLE IF EXISTS leak_windows;
CREATE TEMPORARY TABLE leak_windows AS
SELECT
    win, eid, min(is_late) AS late,
    if($by_worker, any(worker_half), min(is_late)) AS half,
    count() AS n, sum(retained) AS kept
FROM leak_window_rows AS w
ANY LEFT JOIN (
    SELECT
        win, worker_half,
        $keep_one_in = 1
            OR cityHash64(concat(worker, '#', toString(segment), '#', toString(part))) % $keep_one_in = 0 AS sampled
    FROM (SELECT DISTINCT wid, win, segment, part FROM leak_window_rows) AS windows
    ANY LEFT JOIN leak_window_halves AS h USING (wid)
) AS kept USING (win)
WHERE sampled
GROUP BY win, eid;
