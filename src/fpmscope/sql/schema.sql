-- The ingested probe records, one row per request; columns follow records.RECORD_FIELDS.
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS sources (
    path VARCHAR, size BIGINT, mtime DOUBLE, rows BIGINT, skipped BIGINT,
    PRIMARY KEY (path, size, mtime)
);
