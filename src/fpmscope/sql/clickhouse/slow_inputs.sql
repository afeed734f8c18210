-- What the fleet holds within the filters, to pick the slow analysis's source as `slow` picks
-- it from files (fleet/slow.py): access-log requests (how many carry a request time, how many
-- a request id) and probe records (how many, and whether any carries a
-- request id). {hits} and {records} are the
-- deduplicated tables (schema.source); {hit_where} and {record_where} fixed pieces with bound
-- $since, $until, $hosts, $pools (fleet/analysis.py's Filters).
SELECT
    (SELECT count() FROM {hits} WHERE {hit_where}) AS hits,
    (SELECT count(rt) FROM {hits} WHERE {hit_where}) AS timed,
    (SELECT countIf(request_id != '') FROM {hits} WHERE {hit_where}) AS hits_with_id,
    (SELECT count() FROM {records} WHERE {record_where}) AS records,
    -- whatever their time: a record is joined by its id, not by when it started
    (SELECT count() FROM (SELECT 1 FROM {records} WHERE request_id != '' LIMIT 1) AS any_id) AS records_with_id
