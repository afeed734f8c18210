-- Twin of sql/leak_fit_meat.sql: the HC3 sandwich's middle, with each window's leverage
-- h = w·x'·B·x (capped at 0.99) from its regressor arrays ($bread: k×k, row by row).
SELECT xs[a] AS i, xs[b] AS j, sum(pow(w * r / (1 - h), 2) * ns[a] * ns[b]) AS xx
FROM (
    SELECT w, r, h, xs, ns, a, arrayJoin(arrayEnumerate(xs)) AS b
    FROM (
        SELECT w, r, h, xs, ns, arrayJoin(arrayEnumerate(xs)) AS a
        FROM (
            SELECT w, r, xs, ns,
                least(w * arraySum(arrayMap(
                    p -> arraySum(arrayMap(q -> ns[p] * ns[q] * $bread[xs[p] * $k + xs[q] + 1], arrayEnumerate(xs))),
                    arrayEnumerate(xs)
                )), 0.99) AS h
            FROM leak_fit_w
        ) AS leverage
    ) AS one
) AS pairs
GROUP BY i, j
