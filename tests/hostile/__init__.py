"""Hostile workbooks for the import's safety tests, built by code (make_corpus)."""
