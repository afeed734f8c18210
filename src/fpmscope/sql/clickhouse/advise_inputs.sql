-- Twin of sql/advise_inputs.sql (quantile_disc as DuckDB's: the ceil(n·q)-th smallest;
-- greatest() of DuckDB skips a NULL argument).
SELECT
    if(length(fps) = 0, 0, fps[toUInt64(greatest(1, ceil(length(fps) * 0.99)))]) AS footprint_p99,
    if(length(fps) = 0, 0, arrayReduce('max', fps)) AS footprint_max,
    shared_max,
    requests
FROM (
    SELECT
        arraySort(groupArray(footprint)) AS fps,
        ifNull(max(greatest(ifNull(shared_start, shared_end), ifNull(shared_end, shared_start))), 0) AS shared_max,
        count() AS requests
    FROM leak_requests
) AS pool
