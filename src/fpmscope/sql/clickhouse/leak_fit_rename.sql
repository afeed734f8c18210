-- Twin of sql/leak_fit_rename.sql: temporary tables cannot be renamed in ClickHouse (18.16 or
-- 26.x), so {old} is copied to {new} and dropped. The trial tables are bounded by the windows
-- kept (MAX_WINDOWS), not by the records.
DROP TEMPORARY TABLE IF EXISTS {new};
CREATE TEMPORARY TABLE {new} AS SELECT * FROM {old};
DROP TEMPORARY TABLE {old};
