-- Distinct (method, path) of the filtered requests with their endpoint: normalizing each
-- distinct path once is far cheaper than once per line. Parameters: the endpoint expression's.
CREATE OR REPLACE TEMP TABLE slow_paths AS
SELECT method, path, {endpoint} AS endpoint
FROM (SELECT DISTINCT method, path FROM slow_source)
