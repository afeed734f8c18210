"""Thin command-line commands; each module holds one command (or a small group)."""
