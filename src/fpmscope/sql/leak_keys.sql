-- Every distinct request identity of the records (method, uri, tag, script) named once as its
-- endpoint: the per-segment regexes run here and nowhere else. Template inference reads the
-- distinct paths of these names (analysis/requests.py), and sql/templates_apply.sql renames
-- the names its templates collapse; leak_requests.sql joins every request to its key.
-- Parameters: the endpoint expression's over the name `{named}` (spliced in by
-- analysis/requests.py); names with no query string (nor `&`, nor control marks: `{plain}`)
-- take `{plain_endpoint}`, the same name from the path's segments alone, without the query
-- string's machinery (endpoints.plain_endpoint_sql).
CREATE OR REPLACE TEMP TABLE leak_keys AS
WITH keys AS MATERIALIZED (
    SELECT method, uri, tag, script, {named} AS named
    FROM (SELECT DISTINCT method, uri, tag, script FROM requests)
)
SELECT method, uri, tag, script, {endpoint} AS endpoint FROM keys WHERE NOT {plain}
UNION ALL
SELECT method, uri, tag, script, {plain_endpoint} AS endpoint FROM keys WHERE {plain};
