-- The judged requests (not warm-up, with a successor) as narrow integer rows, built once
-- before windows are cut (analysis/retention.py): every way of cutting windows reads this
-- table, sorted by worker life and position, instead of sorting leak_requests' strings again.
-- leak_window_workers and leak_window_endpoints name the integer ids (wid, eid): the worker
-- names are needed only per worker (its half, a window's sampling hash), the endpoint names
-- only for the regressors and the cut. The ids are leak_requests' own (worker_id,
-- endpoint_id), one per distinct worker and endpoint name.
CREATE OR REPLACE TEMP TABLE leak_window_workers AS
SELECT DISTINCT worker_id AS wid, worker
FROM leak_requests
WHERE NOT warmup AND retained IS NOT NULL;

CREATE OR REPLACE TEMP TABLE leak_window_endpoints AS
SELECT DISTINCT endpoint_id AS eid, endpoint
FROM leak_requests
WHERE NOT warmup AND retained IS NOT NULL;

-- life_pos: position among the worker life's judged requests; life_judged: how many it has.
CREATE OR REPLACE TEMP TABLE leak_window_requests AS
SELECT
    worker_id AS wid, seq, endpoint_id AS eid, retained,
    row_number() OVER (PARTITION BY worker_id ORDER BY seq) - 1 AS life_pos,
    count(*) OVER (PARTITION BY worker_id) AS life_judged
FROM leak_requests
WHERE NOT warmup AND retained IS NOT NULL
ORDER BY wid, seq;
