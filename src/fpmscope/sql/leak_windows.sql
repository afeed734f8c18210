-- The judged requests of every worker life cut into windows, with per window and endpoint
-- the request count and the bytes kept (analysis/retention.py). A window's total is what its
-- requests left behind together: growth that one request causes and a later one shows (heap
-- a leak used up, re-extended by whoever needs it next) stays inside the window when the
-- window ends where the heap's free pool is refilled.
-- Windows end after each request of the endpoint $cut (the one whose big transient
-- allocations refill the pool; NULL for none), and are cut every $cut_size requests before
-- such a request. On a worker that served $cut, only windows between two of its requests
-- are kept: before the first and after the last, the pool's state at one end is unknown.
-- Workers that never served it (and every worker when $cut is NULL): every $size requests.
-- `late`: the window starts in the second half of its worker life's judged requests.
-- Windows are kept when hash(win) % $keep_one_in = 0, so a huge log fits the solver.
CREATE OR REPLACE TEMP TABLE leak_windows AS
WITH judged AS (
    SELECT
        worker, seq, endpoint, retained,
        row_number() OVER (PARTITION BY worker ORDER BY seq) - 1 AS life_pos,
        count(*) OVER (PARTITION BY worker) AS life_judged,
        -- Cuts before this request: requests of $cut before it on the worker.
        coalesce(
            sum((endpoint = $cut)::INTEGER) OVER (
                PARTITION BY worker ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
            ),
            0
        ) AS segment
    FROM leak_requests
    WHERE NOT warmup AND retained IS NOT NULL
),
ends AS (
    SELECT
        *,
        bool_or(endpoint = $cut) OVER (PARTITION BY worker, segment) AS refilled,
        coalesce(bool_or(endpoint = $cut) OVER (PARTITION BY worker), false) AS served_cut
    FROM judged
),
cut AS (
    SELECT
        *,
        (row_number() OVER (PARTITION BY worker, segment ORDER BY seq) - 1)
            // CASE WHEN refilled THEN $cut_size ELSE $size END AS part
    FROM ends
    WHERE NOT served_cut OR (refilled AND segment > 0)
),
windows AS (
    SELECT
        worker || '#' || segment || '#' || part AS win,
        endpoint,
        retained,
        min(life_pos) OVER (PARTITION BY worker, segment, part) >= life_judged / 2 AS late
    FROM cut
)
SELECT win, endpoint, bool_and(late) AS late, count(*) AS n, sum(retained) AS kept
FROM windows
WHERE hash(win) % $keep_one_in = 0
GROUP BY win, endpoint;
