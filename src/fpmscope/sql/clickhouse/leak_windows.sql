-- Twin of sql/leak_windows.sql: the same windows, columns and meaning (read that file first).
-- Each worker life's judged requests, in order, as one array: cuts before each request are a
-- running count (arrayCumSum), the position in its segment and in its window are
-- arrayEnumerateUniq, and a window is late when its first request is in the second half.
-- `half` alternates workers in the order of DuckDB's hash of their names (leak_worker_rank,
-- computed once by fleet/analysis.py), so both engines split the workers alike.
-- Sampling (only above MAX_WINDOWS windows) keeps cityHash64(win) % $keep_one_in = 0:
-- deterministic, but another sample than DuckDB's hash picks.
DROP TEMPORARY TABLE IF EXISTS leak_window_rows;
CREATE TEMPORARY TABLE leak_window_rows AS
SELECT
    concat(worker, '#', toString(segment), '#', toString(part)) AS win,
    worker, r.2 AS endpoint, r.3 AS retained, is_late
FROM (
    SELECT
        worker, rs,
        length(rs) AS n,
        arrayMap(x -> toUInt8(ifNull(x.2 = $cut, 0)), rs) AS is_cut,
        arraySum(is_cut) AS cuts,
        arrayMap((c, i) -> c - i, arrayCumSum(is_cut), is_cut) AS segs,
        arrayMap((s, p) -> intDiv(p - 1, if(s < cuts, $cut_size, $size)), segs, arrayEnumerateUniq(segs)) AS parts,
        arrayMap((i, w) -> i - w >= n / 2, arrayEnumerate(rs), arrayEnumerateUniq(segs, parts)) AS lates,
        arrayMap(s -> cuts = 0 OR (s < cuts AND s > 0), segs) AS keeps
    FROM (
        SELECT worker, arraySort(x -> x.1, groupArray((seq, endpoint, assumeNotNull(retained)))) AS rs
        FROM leak_requests
        WHERE NOT warmup AND isNotNull(retained)
        GROUP BY worker
    ) AS judged
) AS workers
ARRAY JOIN rs AS r, segs AS segment, parts AS part, lates AS is_late, keeps AS keep
WHERE keep;
DROP TEMPORARY TABLE IF EXISTS leak_windows;
CREATE TEMPORARY TABLE leak_windows AS
SELECT
    win, endpoint, min(is_late) AS late,
    if($by_worker, any(worker_half), min(is_late)) AS half,
    count() AS n, sum(retained) AS kept
FROM leak_window_rows AS w
ANY LEFT JOIN (
    SELECT ranked.2 AS worker, pos % 2 AS worker_half
    FROM (
        SELECT arraySort(groupArray((hrank, worker))) AS ranks
        FROM (SELECT DISTINCT worker FROM leak_window_rows) AS kept_workers
        ANY LEFT JOIN leak_worker_rank AS r USING (worker)
    ) AS sorted
    ARRAY JOIN ranks AS ranked, arrayEnumerate(ranks) AS pos
) AS halves USING (worker)
WHERE cityHash64(win) % $keep_one_in = 0
GROUP BY win, endpoint;
