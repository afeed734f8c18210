-- Inferred templates applied after the fact (analysis/requests.py): each distinct endpoint
-- of leak_keys once, `{templated}` being the template expression over `rest` (the name after
-- its method; the routing parameters, if any, follow `?` and are never collapsed), and the
-- keys whose name changed take the new one. The same names as the templates applied inside
-- the endpoint expression, for one normalization of each path instead of two.
UPDATE leak_keys SET endpoint = t.templated
FROM (
    SELECT endpoint, split_part(endpoint, ' ', 1) || ' ' || {templated} AS templated
    FROM (SELECT DISTINCT endpoint, endpoint[strpos(endpoint, ' ') + 1:] AS rest FROM leak_keys)
) t
WHERE leak_keys.endpoint = t.endpoint AND t.templated <> t.endpoint;
