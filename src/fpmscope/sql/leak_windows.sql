-- The judged requests of every worker life cut into windows, with per window and endpoint
-- the request count and the bytes kept (analysis/retention.py). A window's total is what its
-- requests left behind together: growth that one request causes and a later one shows (heap
-- a leak used up, re-extended by whoever needs it next) stays inside the window when the
-- window ends where the heap's free pool is refilled.
-- Windows end after each request of the endpoint $cut (an endpoint id of
-- leak_window_endpoints: the one whose big transient allocations refill the pool; NULL for
-- none), and are cut every $cut_size requests before such a request. On a worker that served
-- $cut, only windows between two of its requests are kept: before the first and after the
-- last, the pool's state at one end is unknown.
-- Workers that never served it (and every worker when $cut is NULL): every $size requests.
-- `late`: the window starts in the second half of its worker life's judged requests.
-- `half`: which of two halves of the workers it belongs to (workers alternate by hash of
-- their name, among the workers that have windows), or with $by_worker false (one worker),
-- whether it is late: the two halves a suspect's growth must show in.
-- Windows are kept when hash(name) % $keep_one_in = 0 (name: worker#segment#part), so a huge
-- log fits the solver.
-- Speed: everything runs on the integer rows of leak_window_requests (sql/leak_window_
-- requests.sql) with one sort (a running count); names are read per worker and per window
-- only, and `win` is a dense integer. A segment ends after a request of $cut, so it holds
-- one at most, as its last request: it was refilled when the worker served more of $cut
-- than the segment's number.
CREATE OR REPLACE TEMP TABLE leak_windows AS
WITH per_worker AS (
    SELECT wid, count(*) FILTER (WHERE eid = $cut) AS cuts FROM leak_window_requests GROUP BY wid
),
judged AS (
    SELECT
        r.wid, r.eid, r.retained, r.life_pos, r.life_judged, w.cuts,
        -- Cuts before this request: requests of $cut before it on the worker, and where the
        -- last of them was.
        count(*) FILTER (WHERE r.eid = $cut) OVER before AS segment,
        max(r.life_pos) FILTER (WHERE r.eid = $cut) OVER before AS after_pos
    FROM leak_window_requests r
    JOIN per_worker w USING (wid)
    WINDOW before AS (PARTITION BY r.wid ORDER BY r.seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
cut AS MATERIALIZED (
    SELECT
        wid, eid, retained, segment, life_pos, life_judged,
        -- The request's position in its segment, in windows of the segment's length.
        (life_pos - coalesce(after_pos + 1, 0)) // CASE WHEN segment < cuts THEN $cut_size ELSE $size END AS part
    FROM judged
    -- Workers that never served $cut whole; the others between two of its requests.
    WHERE cuts = 0 OR (segment > 0 AND segment < cuts)
),
halves AS (
    SELECT wid, worker, dense_rank() OVER (ORDER BY hash(worker), worker) % 2 AS worker_half
    FROM leak_window_workers
    WHERE wid IN (SELECT wid FROM cut)
),
windows AS (
    SELECT
        c.wid, c.segment, c.part,
        min(c.life_pos) >= any_value(c.life_judged) / 2 AS late,
        any_value(h.worker_half) AS worker_half,
        any_value(h.worker) AS worker
    FROM cut c
    JOIN halves h USING (wid)
    GROUP BY c.wid, c.segment, c.part
),
kept AS (
    SELECT
        wid, segment, part, late,
        CASE WHEN $by_worker THEN worker_half ELSE late::INTEGER END AS half,
        row_number() OVER () AS win
    FROM windows
    WHERE $keep_one_in = 1 OR hash(worker || '#' || segment || '#' || part) % $keep_one_in = 0
)
SELECT k.win, c.eid, k.late, k.half, count(*) AS n, sum(c.retained) AS kept
FROM cut c
JOIN kept k USING (wid, segment, part)
GROUP BY k.win, c.eid, k.late, k.half;
