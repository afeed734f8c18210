-- Distinct request lines of the filtered requests with their method, path (query string cut)
-- and endpoint: splitting and normalizing each distinct line once is far cheaper than once per
-- request. The query string stays in `request` for rules that route by it. Parameters: the
-- endpoint expression's, over `method` and `path`.
CREATE OR REPLACE TEMP TABLE slow_paths AS
SELECT request, method, path, {endpoint} AS endpoint
FROM (
    SELECT
        request,
        split_part(request, ' ', 1) AS method,
        split_part(split_part(request, ' ', 2), '?', 1) AS path
    FROM (SELECT DISTINCT request FROM slow_source)
)
