-- Every distinct request identity of the records (method, uri, tag, script) named once as its
-- endpoint: the per-segment regexes run here and nowhere else. Template inference reads the
-- distinct paths of these names (analysis/requests.py), and leak_keys_templated.sql renames
-- the names its templates collapse; leak_requests.sql joins every request to its key.
-- Parameters: the endpoint expression's (spliced in by analysis/requests.py).
CREATE OR REPLACE TEMP TABLE leak_keys AS
SELECT method, uri, tag, script, {endpoint} AS endpoint
FROM (SELECT DISTINCT method, uri, tag, script FROM requests);
