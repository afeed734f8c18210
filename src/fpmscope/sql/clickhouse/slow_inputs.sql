-- What the fleet holds within the filters, to pick the slow analysis's source as `slow` picks
-- it from files (fleet/slow.py): access-log requests (how many, how many carry a request time,
-- how many a request id) and probe records (how many, and whether any, whatever its time,
-- carries a request id: a record is joined by its id, not by when it started). One pass over
-- each table. {hits} and {records} are the deduplicated tables (schema.source); {hit_where}
-- and {record_where} fixed pieces with bound $since, $until, $hosts, $pools (Filters).
SELECT hits, timed, hits_with_id, records, records_with_id
FROM (
    SELECT count() AS hits, count(rt) AS timed, countIf(request_id != '') AS hits_with_id
    FROM {hits}
    WHERE {hit_where}
) AS h
CROSS JOIN (
    SELECT
        count() AS records,
        (SELECT count() FROM (SELECT 1 FROM {records} WHERE request_id != '' LIMIT 1) AS any_id) AS records_with_id
    FROM {records}
    WHERE {record_where}
) AS r
