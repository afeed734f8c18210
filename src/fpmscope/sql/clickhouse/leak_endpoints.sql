-- Twin of sql/leak_endpoints.sql: the same columns and definitions. Medians are exact and
-- interpolated as DuckDB's median (the mean of the two middle values); quantile_disc(v, q) is
-- the ceil(n·q)-th smallest value, as DuckDB's. Both are read off sorted arrays, because
-- ClickHouse's quantile* functions are approximate or pick another element.
-- Three levels: per endpoint and worker (a life), per endpoint, then the named columns.
SELECT
    endpoint, requests, warmup, unknown, judged,
    if(judged = 0, 0, kept / judged) AS mean,
    if(judged = 0, 0, (rets[intDiv(judged - 1, 2) + 1] + rets[intDiv(judged, 2) + 1]) / 2) AS median,
    if(judged = 0, 0, grew / judged) AS positive_share,
    if(judged = 0, 0, shared_sum / judged) AS shared_mean,
    if(judged = 0, 0, (shs[intDiv(judged - 1, 2) + 1] + shs[intDiv(judged, 2) + 1]) / 2) AS shared_median,
    if(judged = 0, 0, zend_sum / judged) AS zend_mean,
    warmup_total, footprint_max,
    fps[toUInt64(greatest(1, ceil(length(fps) * 0.5)))] AS footprint_median,
    if(walls_n = 0, 0, wall_sum / walls_n) AS wall_mean_us,
    if(walls_n = 0, 0, wls[toUInt64(greatest(1, ceil(walls_n * 0.95)))]) AS wall_p95_us,
    if(cpus_n = 0, 0, cpu_sum / cpus_n) AS cpu_mean_us,
    failed, workers, workers_grew,
    if(length(gus) = 0, 0, (gus[intDiv(length(gus) - 1, 2) + 1] + gus[intDiv(length(gus), 2) + 1]) / 2) AS grew_until,
    if(length(gss) = 0, 1, (gss[intDiv(length(gss) - 1, 2) + 1] + gss[intDiv(length(gss), 2) + 1]) / 2)
        AS grew_until_share,
    if(length(kus) = 0, 0, (kus[intDiv(length(kus) - 1, 2) + 1] + kus[intDiv(length(kus), 2) + 1]) / 2) AS kept_until
FROM (
    SELECT
        endpoint,
        sum(w_requests) AS requests,
        sum(w_warmup) AS warmup,
        sum(w_unknown) AS unknown,
        sum(w_judged) AS judged,
        sum(w_kept) AS kept,
        sum(w_grew) AS grew,
        sum(w_shared) AS shared_sum,
        sum(w_zend) AS zend_sum,
        sum(w_warmup_kept) AS warmup_total,
        max(w_footprint_max) AS footprint_max,
        sum(w_walls) AS walls_n,
        sum(w_wall) AS wall_sum,
        sum(w_cpus) AS cpus_n,
        sum(w_cpu) AS cpu_sum,
        sum(w_failed) AS failed,
        countIf(w_judged >= 3) AS workers,
        countIf(w_judged >= 3 AND typical >= $page) AS workers_grew,
        arraySort(groupArrayArray(w_rets)) AS rets,
        arraySort(groupArrayArray(w_shs)) AS shs,
        arraySort(groupArrayArray(w_fps)) AS fps,
        arraySort(groupArrayArray(w_wls)) AS wls,
        arraySort(groupArrayIf(grew_until_w, filled)) AS gus,
        arraySort(groupArrayIf(grew_until_w / seen, filled)) AS gss,
        arraySort(groupArrayIf(w_kept, filled)) AS kus
    FROM (
        SELECT
            endpoint,
            worker,
            count() AS w_requests,
            countIf(warmup) AS w_warmup,
            countIf(isNull(retained)) AS w_unknown,
            countIf(is_judged) AS w_judged,
            countIf(is_judged AND retained >= $page) AS w_grew,
            arraySort(groupArrayIf(assumeNotNull(retained), is_judged)) AS w_rets,
            if(w_judged = 0, 0, (w_rets[intDiv(w_judged - 1, 2) + 1] + w_rets[intDiv(w_judged, 2) + 1]) / 2) AS typical,
            groupArrayIf(assumeNotNull(d_shared), is_judged) AS w_shs,
            sumIf(assumeNotNull(d_shared), is_judged) AS w_shared,
            sumIf(assumeNotNull(d_zend), is_judged) AS w_zend,
            ifNull(sumIf(d_anon + d_shared, warmup), 0) AS w_warmup_kept,
            max(footprint) AS w_footprint_max,
            groupArray(footprint) AS w_fps,
            groupArrayIf(assumeNotNull(wall_us), isNotNull(wall_us)) AS w_wls,
            countIf(isNotNull(wall_us)) AS w_walls,
            sumIf(assumeNotNull(wall_us), isNotNull(wall_us)) AS w_wall,
            countIf(isNotNull(cpu_user_us + cpu_sys_us)) AS w_cpus,
            sumIf(assumeNotNull(cpu_user_us + cpu_sys_us), isNotNull(cpu_user_us + cpu_sys_us)) AS w_cpu,
            countIf(outcome != 'ok' AND outcome != '') AS w_failed,
            -- Cache: the judged requests in the order they ran on the worker, kept so far;
            -- after how many 90% of what they kept was kept (kept at least $cache_min in all).
            arraySort(x -> x.1, groupArrayIf((eseq, assumeNotNull(retained)), is_judged)) AS by_eseq,
            sumIf(assumeNotNull(retained), is_judged) AS w_kept,
            w_judged > 0 AND w_kept >= $cache_min AS filled,
            by_eseq[greatest(arrayFirstIndex(c -> c >= 0.9 * w_kept, arrayCumSum(arrayMap(x -> x.2, by_eseq))), 1)].1
                AS grew_until_w,
            if(w_judged = 0, 1, by_eseq[greatest(w_judged, 1)].1) AS seen
        FROM (SELECT *, NOT warmup AND isNotNull(retained) AS is_judged FROM leak_requests) AS j
        GROUP BY endpoint, worker
    ) AS per_worker
    GROUP BY endpoint
) AS per_endpoint
