-- Twin of sql/slow_rank.sql: every endpoint's rank by the sort key, ties by more requests then
-- by name. 18.16 has no row_number(): the endpoints are gathered into one array, sorted by
-- that key (no value last) and numbered by position. {value}, {requests} and {rows} are one
-- of fleet/slow.py's fixed RANK_VALUES (never log content).
DROP TEMPORARY TABLE IF EXISTS slow_rank;
CREATE TEMPORARY TABLE slow_rank AS
SELECT tupleElement(entry, 3) AS endpoint, rank
FROM (
    SELECT arraySort(
        x -> (isNull(tupleElement(x, 1)), -ifNull(tupleElement(x, 1), 0), -tupleElement(x, 2), tupleElement(x, 3)),
        groupArray((value, tie, endpoint))
    ) AS ranked
    FROM (SELECT endpoint, {value} AS value, {requests} AS tie FROM {rows} GROUP BY endpoint) AS per_endpoint
)
ARRAY JOIN ranked AS entry, arrayEnumerate(ranked) AS rank;
