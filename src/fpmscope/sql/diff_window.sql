-- fpmscope diff: keep only the records of one side's time window (unix seconds; NULL = open).
DELETE FROM requests
WHERE ts < coalesce($since, ts) OR ts >= coalesce($until, ts + 1)
