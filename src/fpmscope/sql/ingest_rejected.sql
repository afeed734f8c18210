-- Lines DuckDB's CSV reader rejected in the file just loaded: how many, and the first one.
SELECT count(DISTINCT line) AS lines, min_by(left(csv_line, 120), line) AS example FROM ingest_rejects
