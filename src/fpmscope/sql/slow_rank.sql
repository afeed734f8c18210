-- Every endpoint's rank by the sort key, ties by more requests then by name. {value} and
-- {rows} are one of analysis/slow.py's fixed RANK_VALUES (never log content): sums over
-- slow_paths for most sorts; a percentile sort reads every request's time.
CREATE OR REPLACE TEMP TABLE slow_rank AS
SELECT endpoint, row_number() OVER (ORDER BY value DESC NULLS LAST, requests DESC, endpoint) AS rank
FROM (SELECT endpoint, {value} AS value, {requests} AS requests FROM {rows} GROUP BY endpoint)
