-- Apply the templates found at position $i (infer_found) to infer_paths, then keep the
-- distinct paths only: the next position is counted over the collapsed ones.
CREATE OR REPLACE TEMP TABLE infer_paths AS
SELECT DISTINCT
    CASE
        WHEN f.prefix IS NOT NULL AND NOT list_contains(f.fixed, p.segs[$i])
        THEN list_concat(p.segs[1:$i - 1], [$placeholder], p.segs[$i + 1:])
        ELSE p.segs
    END AS segs
FROM infer_paths p
LEFT JOIN infer_found f
    ON len(p.segs) >= $i AND p.segs[$i] <> '' AND NOT starts_with(p.segs[$i], '{')
    AND array_to_string(p.segs[1:$i - 1], '/') = f.prefix
