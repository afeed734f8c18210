-- Inferred templates, one path position at a time (endpoint_templates.py): under each prefix
-- (the path before position $i, earlier collapses applied), the distinct values at $i. Some
-- values stay as they are: PHP scripts, and hubs, the root of a subtree of routes rather than
-- a slug: a value with a child found under no other value of its prefix, and either two such
-- children (wp-admin, category), or one that is a PHP script (wp-admin/admin-ajax.php) or has
-- children itself (wp-json/wp/v2). Children a
-- slug has (feed, posts) are shared by many slugs. A prefix whose other values number at
-- least $min_values gets a template. Reads infer_paths(segs VARCHAR[]); the first segment is
-- '' (paths start with `/`). Prefixes are joined strings: grouping on them is cheaper than on lists.
CREATE OR REPLACE TEMP TABLE infer_found AS
WITH g AS (
    SELECT
        array_to_string(segs[1:$i - 1], '/') AS prefix,
        segs[$i] AS v,
        segs[$i + 1] AS child,
        coalesce(segs[$i + 2], '') <> '' AS deeper
    FROM infer_paths
    WHERE len(segs) >= $i AND segs[$i] <> '' AND NOT starts_with(segs[$i], '{')
),
parents AS (
    SELECT prefix, child, count(DISTINCT v) AS n
    FROM g
    WHERE child IS NOT NULL AND child <> ''
    GROUP BY ALL
),
hubs AS (
    SELECT g.prefix, g.v
    FROM g
    JOIN parents p ON g.prefix = p.prefix AND g.child = p.child
    WHERE p.n = 1
    GROUP BY ALL
    HAVING count(DISTINCT g.child) >= 2 OR bool_or(g.deeper) OR bool_or(g.child LIKE '%.php')
),
-- At the root a plain word (no dash, underscore or digit: /cms/, /blog/, /admin/) names a
-- section of the site, not a slug: it stays, while /my-first-post/ collapses.
vals AS (
    SELECT
        v.prefix, v.v,
        (h.v IS NOT NULL OR v.v LIKE '%.php' OR ($i = 2 AND NOT regexp_matches(v.v, '[-_0-9]'))) AS fixed
    FROM (SELECT DISTINCT prefix, v FROM g) v
    LEFT JOIN hubs h ON v.prefix = h.prefix AND v.v = h.v
)
SELECT
    prefix,
    count(*) FILTER (WHERE NOT fixed) AS n_values,
    coalesce(list_sort(list(v) FILTER (WHERE fixed)), []::VARCHAR[]) AS fixed
FROM vals
GROUP BY prefix
HAVING count(*) FILTER (WHERE NOT fixed) >= $min_values
