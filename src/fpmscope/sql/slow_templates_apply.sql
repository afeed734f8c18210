-- The endpoints slow_templates.sql renamed, renamed in slow_paths.
UPDATE slow_paths SET endpoint = t.templated
FROM slow_templated t
WHERE slow_paths.endpoint = t.endpoint

