-- The share of workers a sampling probe measured (env[FPMSCOPE_SAMPLE]), from the `s<share>`
-- flag its records carry; NULL when no record has it (every worker measured).
-- (analysis/requests.py: prepare)
SELECT min(TRY_CAST(regexp_extract(flags, 's([0-9.]+)', 1) AS DOUBLE)) AS share
FROM requests
WHERE contains(flags, 's')
