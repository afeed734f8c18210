-- Twin of sql/leak_fit_pairs.sql: the same rows (win, i, j, an, bn; i <= j), each window's
-- pairs of regressors made once per fit by two arrayJoins over its arrays (leak_fit_y).
DROP TEMPORARY TABLE IF EXISTS leak_fit_pairs;
CREATE TEMPORARY TABLE leak_fit_pairs AS
SELECT win, xs[a] AS i, xs[b] AS j, ns[a] AS an, ns[b] AS bn
FROM (
    SELECT win, xs, ns, a, arrayJoin(arrayEnumerate(xs)) AS b
    FROM (SELECT win, xs, ns, arrayJoin(arrayEnumerate(xs)) AS a FROM leak_fit_y) AS one
) AS pairs
WHERE xs[a] <= xs[b];
