-- Was this file (path, size, mtime) already loaded into the kept database?
SELECT 1 AS seen FROM sources WHERE path = $path AND size = $size AND mtime = $mtime
