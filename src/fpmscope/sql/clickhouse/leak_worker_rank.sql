-- Workers in the order of DuckDB's hash of their names (fleet/analysis.py ranks them with
-- DuckDB, so that leak_windows.sql splits the workers into the same halves as DuckDB does):
-- $workers is one batch, in order, the first of it at rank $offset + 1.
INSERT INTO leak_worker_rank
SELECT ws[i] AS worker, toUInt64($offset + i) AS hrank
FROM (SELECT CAST($workers AS Array(String)) AS ws) AS batch
ARRAY JOIN arrayEnumerate(ws) AS i;
