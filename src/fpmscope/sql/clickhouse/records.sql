-- The fleet's probe records this analysis reads, into the session's temporary table
-- `requests`, the columns of DuckDB's `requests` (records.RECORD_FIELDS + worker_start):
-- strings never NULL ('' where DuckDB has NULL), counters Nullable. Filled from {source} (the
-- records table, or the SELECT that reads each record once) with the filters {where} (fixed
-- pieces with bound $since, $until, $hosts, $pools; fleet/analysis.py).
DROP TEMPORARY TABLE IF EXISTS requests;
CREATE TEMPORARY TABLE requests AS
SELECT
    ifNull(toString(host), '') AS host,
    ifNull(toString(pool), '') AS pool,
    CAST(pid AS Int32) AS pid,
    CAST(worker_cpu_us AS Nullable(Int64)) AS worker_cpu_us,
    CAST(ts AS Float64) AS ts,
    CAST(wall_us AS Nullable(Int64)) AS wall_us,
    CAST(cpu_user_us AS Nullable(Int64)) AS cpu_user_us,
    CAST(cpu_sys_us AS Nullable(Int64)) AS cpu_sys_us,
    CAST(rss_start AS Nullable(Int64)) AS rss_start,
    CAST(rss_end AS Nullable(Int64)) AS rss_end,
    CAST(anon_start AS Nullable(Int64)) AS anon_start,
    CAST(anon_end AS Nullable(Int64)) AS anon_end,
    CAST(shared_start AS Nullable(Int64)) AS shared_start,
    CAST(shared_end AS Nullable(Int64)) AS shared_end,
    CAST(zend_real_start AS Nullable(Int64)) AS zend_real_start,
    CAST(zend_real_peak AS Nullable(Int64)) AS zend_real_peak,
    ifNull(toString(method), '') AS method,
    ifNull(toString(uri), '') AS uri,
    ifNull(toString(script), '') AS script,
    ifNull(toString(outcome), '') AS outcome,
    ifNull(toString(tag), '') AS tag,
    ifNull(toString(flags), '') AS flags,
    {worker_start} AS worker_start
FROM {source}
WHERE {where};
