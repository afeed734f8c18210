-- Lines of the file just loaded that carry another format tag (not $tag, not $legacy): how
-- many, and the first tag seen (or the reason a value is impossible), for the message.
SELECT count(*) AS lines, min(left(format, 120)) AS example
FROM requests
WHERE format IS NULL OR format NOT IN ($tag, $legacy)
