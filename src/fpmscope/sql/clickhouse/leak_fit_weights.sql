-- Twin of sql/leak_fit_weights.sql: residuals under $beta, their robust scale (1.4826 × the
-- median absolute deviation, medians exact and interpolated as DuckDB's), Huber's weights.
DROP TEMPORARY TABLE IF EXISTS leak_fit_w;
CREATE TEMPORARY TABLE leak_fit_w AS
SELECT win, r, least(1.0, $huber_k * scale / greatest(abs(r), 1e-9)) AS w, y, xs, ns
FROM (
    SELECT win, y, xs, ns, y - arraySum(arrayMap((x, n) -> n * $beta[x + 1], xs, ns)) AS r
    FROM leak_fit_y
) AS residuals
CROSS JOIN (
    SELECT greatest(1.4826 * (d[intDiv(length(d) - 1, 2) + 1] + d[intDiv(length(d), 2) + 1]) / 2, $min_scale) AS scale
    FROM (
        -- Deviations as rows (arrayJoin), not a lambda over s: a lambda that refers to the
        -- array would copy it for every element.
        SELECT arraySort(groupArray(abs(v - m))) AS d
        FROM (
            SELECT arrayJoin(s) AS v, (s[intDiv(length(s) - 1, 2) + 1] + s[intDiv(length(s), 2) + 1]) / 2 AS m
            FROM (
                SELECT arraySort(groupArray(y - arraySum(arrayMap((x, n) -> n * $beta[x + 1], xs, ns)))) AS s
                FROM leak_fit_y
            ) AS sorted
        ) AS centred
    ) AS deviations
) AS spread;
