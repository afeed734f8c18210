-- Every endpoint's rank by the sort key, ties by more requests then by name. {value} is one of
-- analysis/slow.py's fixed RANK_VALUES (never log content). Only a sort by a percentile
-- computes percentiles here; the others need one cheap aggregate per endpoint.
CREATE OR REPLACE TEMP TABLE slow_rank AS
SELECT endpoint, row_number() OVER (ORDER BY value DESC NULLS LAST, requests DESC, endpoint) AS rank
FROM (SELECT endpoint, {value} AS value, count(*) AS requests FROM slow_requests GROUP BY endpoint)
