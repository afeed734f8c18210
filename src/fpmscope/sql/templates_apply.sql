-- Inferred templates applied after the fact (endpoint_templates.collapse): each distinct
-- endpoint name of {table} once, `{templated}` being the template expression over `rest` (the
-- name after its method; the routing parameters, if any, follow `?` and are never
-- collapsed), and the rows whose name changed take the new one. The same names as the
-- templates applied inside the endpoint expression, for one normalization of each path
-- instead of two. {table}: leak_keys or slow_paths (a fixed name from the code).
-- The table is written again rather than updated: an UPDATE of a string column on the 417 k
-- rows of a high-cardinality log took twice as long.
CREATE OR REPLACE TEMP TABLE {table} AS
SELECT p.* REPLACE (coalesce(t.templated, p.endpoint) AS endpoint)
FROM {table} p
LEFT JOIN (
    SELECT endpoint, split_part(endpoint, ' ', 1) || ' ' || {templated} AS templated
    FROM (SELECT DISTINCT endpoint, endpoint[strpos(endpoint, ' ') + 1:] AS rest FROM {table})
) t USING (endpoint)
