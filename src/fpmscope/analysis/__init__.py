"""Analyses: SQL over the ingested records plus small Python, returning report objects."""
