-- Twin of sql/sample_share.sql (a share that does not parse counts as none, as TRY_CAST).
SELECT min(toFloat64OrNull(extract(flags, 's([0-9.]+)'))) AS share
FROM requests
WHERE position(flags, 's') > 0
