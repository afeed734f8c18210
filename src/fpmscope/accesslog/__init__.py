"""Access logs: format strings (formats, nginxconf), input files, format detection, ingest."""
