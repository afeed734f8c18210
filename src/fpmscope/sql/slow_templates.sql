-- Inferred templates applied after the fact (analysis/slow.py): each distinct endpoint of
-- slow_paths once, `{templated}` being the template expression over `rest` (the endpoint
-- after its method), then the rows whose name changed. Normalizing every distinct path a
-- second time for a pre-pass cost as much as the normalization itself. slow_templates_apply.sql
-- then renames them in slow_paths.
CREATE OR REPLACE TEMP TABLE slow_templated AS
SELECT endpoint, templated
FROM (
    SELECT endpoint, split_part(endpoint, ' ', 1) || ' ' || {templated} AS templated
    FROM (SELECT DISTINCT endpoint, endpoint[strpos(endpoint, ' ') + 1:] AS rest FROM slow_paths)
)
WHERE templated <> endpoint
