-- Twin of sql/timeline_points.sql: the same points. Per worker, its requests as one array in
-- order; each bucket's lowest and highest anon and highest shared request is the first of
-- the bucket once the positions are sorted by (bucket, that value, seq); suspects' requests are
-- thinned to about $suspect_cap; `floor` (the least anon from there on) is computed for the
-- kept points only.
SELECT worker, r.1 AS seq, r.2 AS ts, r.3 AS endpoint, r.4 AS anon_start, r.5 AS shared_start, r.6 AS suspect,
    floor
FROM (
    SELECT worker, rs[p] AS r, arrayReduce('min', arraySlice(anons, p)) AS floor
    FROM (
        SELECT
            worker, rs,
            length(rs) AS n,
            arrayEnumerate(rs) AS pos,
            arrayMap(x -> x.1, rs) AS seqs,
            arrayMap(x -> x.4, rs) AS anons,
            arrayMap(x -> x.5, rs) AS shareds,
            arrayMap(x -> x.6, rs) AS suspects,
            arrayMap(s -> intDiv((s - 1) * $buckets, n), seqs) AS bucket,
            -- Sorted by several arrays at once: a lambda indexing a captured array would copy
            -- it for every element.
            arraySort((p, b, a, s) -> (b, a, s), pos, bucket, anons, seqs) AS by_low,
            arraySort((b, a, s) -> (b, a, s), bucket, anons, seqs) AS low_buckets,
            arraySort((p, b, a, s) -> (b, -a, s), pos, bucket, anons, seqs) AS by_high,
            arraySort((b, a, s) -> (b, -a, s), bucket, anons, seqs) AS high_buckets,
            arraySort((p, b, h, s) -> (b, -h, s), pos, bucket, shareds, seqs) AS by_shared,
            arraySort((b, h, s) -> (b, -h, s), bucket, shareds, seqs) AS shared_buckets,
            arrayFilter((p, s) -> s > 0, pos, suspects) AS spos,
            intDiv(length(spos) + $suspect_cap - 1, $suspect_cap) AS step,
            arrayConcat(
                arrayFilter((p, u) -> u = 1, by_low, arrayEnumerateUniq(low_buckets)),
                arrayFilter((p, u) -> u = 1, by_high, arrayEnumerateUniq(high_buckets)),
                arrayFilter((p, u) -> u = 1, by_shared, arrayEnumerateUniq(shared_buckets)),
                arrayFilter((p, k) -> (k - 1) % step = 0, spos, arrayEnumerate(spos))
            ) AS kept
        FROM (
            SELECT
                worker,
                arraySort(x -> x.1, groupArray((
                    seq, ts, endpoint, assumeNotNull(anon_start), ifNull(shared_start, 0),
                    toUInt64(indexOf(CAST($suspects AS Array(String)), endpoint))
                ))) AS rs
            FROM leak_requests
            WHERE isNotNull(anon_start) AND has(CAST($workers AS Array(String)), worker)
            GROUP BY worker
        ) AS per_worker
    ) AS chosen
    ARRAY JOIN arrayDistinct(kept) AS p
) AS points
ORDER BY worker, seq
