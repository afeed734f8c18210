-- Remember a loaded file, so a kept database does not load it twice.
INSERT OR REPLACE INTO sources VALUES ($path, $size, $mtime, $rows, $skipped)
