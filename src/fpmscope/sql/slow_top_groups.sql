-- slow_top.sql over grouped requests (slow_source_groups.sql): the same sums weighted by `n`,
-- and for the exact percentiles (quantile_cont's: linear interpolation between the two nearest
-- ranks) the histogram of times: q_rn is each quantile's rank (0-based, (count - 1) * q),
-- q_lo and q_hi the times at its floor and ceiling; analysis/slow.py interpolates.
WITH ranked AS (
    SELECT s.*, r.endpoint, r.rank
    FROM slow_source s
    LEFT JOIN (
        SELECT p.request, p.endpoint, k.rank FROM slow_paths p JOIN slow_rank k USING (endpoint) WHERE k.rank <= $top
    ) r USING (request)
),
sums AS (
    SELECT
        rank AS key,
        any_value(endpoint) AS endpoint,
        min(rank) AS rank,
        sum(n)::BIGINT AS requests,
        sum(n * round(t * 1000000)::BIGINT) / 1000000.0 AS total_s,
        sum(n * round(t * 1000000)::BIGINT) / (sum(n) FILTER (WHERE t IS NOT NULL))::BIGINT / 1000000.0 AS mean_s,
        max(t) AS max_s,
        coalesce(sum(n) FILTER (WHERE status BETWEEN 200 AND 299), 0)::BIGINT AS status_2xx,
        coalesce(sum(n) FILTER (WHERE status BETWEEN 300 AND 399), 0)::BIGINT AS status_3xx,
        coalesce(sum(n) FILTER (WHERE status BETWEEN 400 AND 499 AND status <> 499), 0)::BIGINT AS status_4xx,
        coalesce(sum(n) FILTER (WHERE status BETWEEN 500 AND 599 AND status <> 504), 0)::BIGINT AS status_5xx,
        coalesce(sum(n) FILTER (WHERE status = 499), 0)::BIGINT AS status_499,
        coalesce(sum(n) FILTER (WHERE status = 504), 0)::BIGINT AS status_504,
        sum(bytes) AS bytes_total,
        sum(up_us) / sum(up_n)::BIGINT / 1000000.0 AS upstream_mean_s,
        sum(up_us) / 1000000.0 AS upstream_total_s
    FROM ranked
    GROUP BY rank
),
hist AS (
    SELECT rank AS key, t, sum(n) AS c FROM ranked WHERE t IS NOT NULL GROUP BY rank, t
),
cum AS (
    SELECT
        key,
        t,
        sum(c) OVER (PARTITION BY key ORDER BY t ROWS UNBOUNDED PRECEDING) AS upto,
        sum(c) OVER (PARTITION BY key) AS total
    FROM hist
),
pos AS (
    SELECT
        *,
        (total - 1)::DOUBLE * 0.5::DOUBLE AS r1,
        (total - 1)::DOUBLE * 0.9::DOUBLE AS r2,
        (total - 1)::DOUBLE * 0.95::DOUBLE AS r3,
        (total - 1)::DOUBLE * 0.99::DOUBLE AS r4
    FROM cum
),
quant AS (
    SELECT
        key,
        [any_value(r1), any_value(r2), any_value(r3), any_value(r4)] AS q_rn,
        [
            min(t) FILTER (WHERE upto > floor(r1)), min(t) FILTER (WHERE upto > floor(r2)),
            min(t) FILTER (WHERE upto > floor(r3)), min(t) FILTER (WHERE upto > floor(r4))
        ] AS q_lo,
        [
            min(t) FILTER (WHERE upto > ceil(r1)), min(t) FILTER (WHERE upto > ceil(r2)),
            min(t) FILTER (WHERE upto > ceil(r3)), min(t) FILTER (WHERE upto > ceil(r4))
        ] AS q_hi
    FROM pos
    GROUP BY key
)
SELECT
    s.endpoint,
    s.rank,
    s.requests,
    s.total_s,
    s.mean_s,
    q.q_rn,
    q.q_lo,
    q.q_hi,
    s.max_s,
    s.status_2xx,
    s.status_3xx,
    s.status_4xx,
    s.status_5xx,
    s.status_499,
    s.status_504,
    s.bytes_total,
    s.upstream_mean_s,
    s.upstream_total_s
FROM sums s
LEFT JOIN quant q ON s.key IS NOT DISTINCT FROM q.key
ORDER BY s.rank NULLS LAST
