-- Twin of sql/leak_fit_normal.sql: X'WX (i, j, xx) and X'Wy (xy, meaningful where i = j), the
-- pairs of each window's regressors made by two arrayJoins.
SELECT xs[a] AS i, xs[b] AS j, sum(w * ns[a] * ns[b]) AS xx, sum(w * ns[a] * y) AS xy
FROM (
    SELECT w, y, xs, ns, a, arrayJoin(arrayEnumerate(xs)) AS b
    FROM (SELECT w, y, xs, ns, arrayJoin(arrayEnumerate(xs)) AS a FROM leak_fit_w) AS one
) AS pairs
GROUP BY i, j
