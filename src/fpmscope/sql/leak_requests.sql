-- Every probe record with its worker, endpoint, position and what the next request on the
-- same worker found (DESIGN §4): retention of request k is measured at the start of k+1.
-- Reads leak_keys (sql/leak_keys.sql): each distinct request identity with its endpoint name.
--
-- A worker is a life of a pid: pids are reused. Format-2 records carry the worker's CPU time
-- at request start (worker_cpu_us), which only grows within a process, so a pid's request
-- that starts with less than the previous one had used by its end belongs to a new process:
-- the previous request ends that life (its retention is unknown, like any worker's last).
-- The split costs ~0.4 s per 1 M records; the probe saves ~10 µs on every request for it.
-- Format-1 records carry the process start time instead (worker_start, part of the key).
--
-- Columns: only those its readers use (sql/leak_*, latency_*, timeline_*, worker_*,
-- advise_inputs). A reader that needs another record field adds it to the final SELECT.
--
-- Speed (bench/analyzer_leaks.sh): the windows run over narrow rows (row id, integer worker
-- and endpoint ids, the start counters) and the full records are joined back once at the end;
-- carrying every column through each window's sort cost several times more. The worker key
-- string is built only in the final SELECT. The endpoint
-- names come per distinct method, uri, tag and script (leak_keys), and their integer id is
-- attached there, so each request joins once, on its key: the MATERIALIZED CTEs stop the
-- optimizer from joining every request to its endpoint string.
--
-- warmup: the worker's first {worker_warmup} requests and the first request of each endpoint
-- on it (DESIGN §4.5); eseq: the how-many-th request of its endpoint on its worker life (a
-- bounded cache stops growing after some of them).
CREATE OR REPLACE TEMP TABLE leak_requests AS
-- MATERIALIZED: one numbering for both readers of endpoint_ids.
WITH endpoint_ids AS MATERIALIZED (
    SELECT endpoint, row_number() OVER () AS eid FROM (SELECT DISTINCT endpoint FROM leak_keys)
),
-- The integer id is attached per distinct key here, so requests join on the key only: left
-- inline, the optimizer joined every request to its endpoint string instead.
named_ids AS MATERIALIZED (
    SELECT n.method, n.uri, n.tag, n.script, e.eid
    FROM leak_keys n JOIN endpoint_ids e ON n.endpoint IS NOT DISTINCT FROM e.endpoint
),
workers AS (
    SELECT host, pool, pid, worker_start, row_number() OVER () AS wid,
        concat_ws('|', host, pool, pid, worker_start) AS worker
    FROM (SELECT DISTINCT host, pool, pid, worker_start FROM requests)
),
narrow AS (
    SELECT r.rowid AS rid, w.wid, n.eid, r.ts, r.anon_start, r.zend_real_start, r.shared_start,
        r.worker_cpu_us AS cpu_at_start, r.worker_cpu_us + r.cpu_user_us + r.cpu_sys_us AS cpu_at_end
    FROM requests r
    JOIN named_ids n
        ON r.method IS NOT DISTINCT FROM n.method AND r.uri IS NOT DISTINCT FROM n.uri
        AND r.tag IS NOT DISTINCT FROM n.tag AND r.script IS NOT DISTINCT FROM n.script
    JOIN workers w
        ON r.host IS NOT DISTINCT FROM w.host AND r.pool IS NOT DISTINCT FROM w.pool
        AND r.pid IS NOT DISTINCT FROM w.pid AND r.worker_start IS NOT DISTINCT FROM w.worker_start
),
ordered AS (
    SELECT
        rid, wid, eid,
        row_number() OVER w AS seq,
        coalesce(lead(cpu_at_start) OVER w < cpu_at_end, false) AS ends_life,
        coalesce(cpu_at_start < lag(cpu_at_end) OVER w, false) AS starts_life,
        lead(anon_start) OVER w - anon_start AS next_anon,
        lead(zend_real_start) OVER w - zend_real_start AS next_zend,
        lead(shared_start) OVER w - shared_start AS next_shared
    FROM narrow
    WINDOW w AS (PARTITION BY wid ORDER BY ts, rid)
),
split AS (
    SELECT
        rid, wid, eid, seq, starts_life,
        CASE WHEN NOT ends_life THEN next_anon END AS d_anon,
        CASE WHEN NOT ends_life THEN next_zend END AS d_zend,
        CASE WHEN NOT ends_life THEN next_shared END AS d_shared
    FROM ordered
),
measured AS (
    SELECT
        *,
        d_anon - d_zend AS native,
        d_anon - d_zend + d_shared AS retained,
        -- The life of the pid, named by the position of its first request (lag IGNORE NULLS
        -- is cheaper here than a running count or max).
        coalesce(
            CASE WHEN starts_life THEN seq END, lag(CASE WHEN starts_life THEN seq END IGNORE NULLS) OVER s, 1
        ) AS life
    FROM split
    WINDOW s AS (PARTITION BY wid ORDER BY seq)
),
judged AS (
    SELECT
        rid, wid, life, eid, seq - life + 1 AS life_seq, d_anon, d_zend, d_shared, native, retained,
        -- The how-many-th request of its endpoint on its worker life.
        row_number() OVER e AS eseq
    FROM measured
    WINDOW e AS (PARTITION BY wid, life, eid ORDER BY seq)
)
SELECT
    w.host, w.pool, w.pid, r.ts, r.wall_us, r.cpu_user_us, r.cpu_sys_us,
    r.anon_start, r.shared_start, r.shared_end, r.zend_real_start, r.outcome,
    -- Built per request: a second reader of `judged` would have DuckDB run its windows twice.
    concat_ws('|', w.worker, j.life) AS worker, e.endpoint, j.life_seq AS seq,
    -- Integer ids of the worker life and the endpoint, for readers that sort or join on them
    -- (sql/leak_window_requests.sql): the worker's number times 2^32 plus its life.
    j.wid * 4294967296 + j.life AS worker_id, j.eid AS endpoint_id,
    j.d_anon, j.d_zend, j.d_shared, j.native, j.retained, j.eseq,
    j.life_seq <= {worker_warmup} OR j.eseq = 1 AS warmup,
    greatest(r.rss_end - r.rss_start, r.zend_real_peak - r.zend_real_start, 0) AS footprint
FROM judged j
JOIN requests r ON r.rowid = j.rid
JOIN workers w ON w.wid = j.wid
JOIN endpoint_ids e ON e.eid = j.eid;
