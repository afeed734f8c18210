-- The requests the slow analysis ranks: slow_all filtered by --since/--until/--status/--path.
-- {where} is built by analysis/slow.py from fixed clauses with named parameters only.
-- A view cannot hold parameters: filtered requests are materialized.
CREATE OR REPLACE TEMP TABLE slow_source AS SELECT * FROM slow_all WHERE {where}
