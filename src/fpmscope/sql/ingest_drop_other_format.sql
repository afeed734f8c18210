-- Drop the lines of another format tag (counted by ingest_other_format.sql).
DELETE FROM requests WHERE format IS NULL OR format NOT IN ($tag, $legacy)
