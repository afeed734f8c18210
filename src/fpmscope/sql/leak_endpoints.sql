-- Per endpoint: retention statistics over the judged requests (not warm-up, with a successor
-- on the same worker), the same over the clean ones, and footprint and time over all.
-- Column order is analysis/leaks.py's EndpointStats.
WITH j AS (
    SELECT *, NOT warmup AND retained IS NOT NULL AS judged FROM leak_requests
)
SELECT
    endpoint,
    count(*),
    count(*) FILTER (WHERE warmup),
    count(*) FILTER (WHERE retained IS NULL),
    count(*) FILTER (WHERE judged),
    coalesce(avg(retained) FILTER (WHERE judged), 0),
    coalesce(stddev_samp(retained) FILTER (WHERE judged), 0),
    coalesce(median(retained) FILTER (WHERE judged), 0),
    coalesce(avg((retained > 0)::INTEGER) FILTER (WHERE judged), 0),
    coalesce(avg(native) FILTER (WHERE judged), 0),
    coalesce(avg(d_zend) FILTER (WHERE judged), 0),
    coalesce(avg(d_shared) FILTER (WHERE judged), 0),
    count(*) FILTER (WHERE judged AND clean),
    coalesce(avg(retained) FILTER (WHERE judged AND clean), 0),
    coalesce(stddev_samp(retained) FILTER (WHERE judged AND clean), 0),
    coalesce(avg(native) FILTER (WHERE judged AND clean), 0),
    coalesce(avg(d_zend) FILTER (WHERE judged AND clean), 0),
    coalesce(avg(d_shared) FILTER (WHERE judged AND clean), 0),
    coalesce(sum(d_anon + d_shared) FILTER (WHERE warmup), 0),
    coalesce(max(footprint), 0),
    coalesce(quantile_disc(footprint, 0.5), 0),
    coalesce(avg(wall_us), 0),
    coalesce(quantile_disc(wall_us, 0.95), 0),
    coalesce(avg(cpu_user_us + cpu_sys_us), 0),
    count(*) FILTER (WHERE outcome <> 'ok'),
FROM j
GROUP BY endpoint
