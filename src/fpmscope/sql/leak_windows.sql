-- The judged requests of every worker life cut into windows of {window} consecutive requests,
-- with per window and endpoint the request count and the bytes kept (analysis/retention.py).
-- A window's total is what its requests left behind together: growth that one request causes
-- and the next one shows (heap a leak used up, re-extended by whoever runs next) stays inside
-- the window, so a regression of window totals on endpoint counts attributes it to its cause.
-- `late`: the window starts in the second half of its worker life's judged requests.
-- Windows are kept when hash(win) % {keep_one_in} = 0, so a huge log fits the solver.
CREATE OR REPLACE TEMP TABLE leak_windows AS
WITH judged AS (
    SELECT
        worker, endpoint, retained,
        row_number() OVER (PARTITION BY worker ORDER BY seq) - 1 AS pos,
        count(*) OVER (PARTITION BY worker) AS life_judged
    FROM leak_requests
    WHERE NOT warmup AND retained IS NOT NULL
),
cut AS (
    SELECT
        worker || '#' || (pos // {window}) AS win,
        endpoint,
        retained,
        (pos // {window}) * {window} >= life_judged / 2 AS late
    FROM judged
)
SELECT win, endpoint, bool_and(late) AS late, count(*) AS n, sum(retained) AS kept
FROM cut
WHERE hash(win) % {keep_one_in} = 0
GROUP BY win, endpoint;
