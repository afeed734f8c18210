-- Every probe record with its worker, endpoint, position and what the next request on the
-- same worker found (DESIGN §4): retention of request k is measured at the start of k+1.
-- Parameters: the endpoint expression's parameters (spliced in by analysis/leaks.py).
CREATE OR REPLACE TEMP TABLE leak_requests AS
WITH base AS (
    SELECT
        r.*,
        concat_ws('|', host, pool, pid, coalesce(worker_start, -1)) AS worker,
        {endpoint} AS endpoint
    FROM requests r
),
ordered AS (
    SELECT
        *,
        row_number() OVER w AS seq,
        row_number() OVER (PARTITION BY worker, endpoint ORDER BY ts) AS endpoint_seq,
        lead(anon_start) OVER w - anon_start AS d_anon,
        lead(zend_real_start) OVER w - zend_real_start AS d_zend,
        lead(shared_start) OVER w - shared_start AS d_shared
    FROM base
    WINDOW w AS (PARTITION BY worker ORDER BY ts)
),
measured AS (
    SELECT
        *,
        d_anon - d_zend AS native,
        d_anon - d_zend + d_shared AS retained,
        seq <= {worker_warmup} OR endpoint_seq = 1 AS warmup,
        greatest(rss_end - rss_start, zend_real_peak - zend_real_start, 0) AS footprint
    FROM ordered
),
grown AS (
    -- Running total of the growth left by each worker's requests so far.
    SELECT *, sum(greatest(coalesce(retained, 0), 0)) OVER w AS grown_through
    FROM measured
    WINDOW w AS (PARTITION BY worker ORDER BY seq)
)
SELECT
    * EXCLUDE (grown_through),
    -- Clean: no other request on this worker grew it since this endpoint's previous request.
    -- Growth that only follows other requests' growth is heap they freed up being re-extended.
    coalesce(
        lag(grown_through) OVER (PARTITION BY worker ORDER BY seq)
        - lag(grown_through) OVER (PARTITION BY worker, endpoint ORDER BY seq) <= {page},
        false
    ) AS clean
FROM grown;
