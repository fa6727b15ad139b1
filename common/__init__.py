"""Helpers that every app may use, and that know nothing of any app.

The portal's apps import from here; nothing here imports an app (the `apps` contract of
`[tool.importlinter]` in pyproject.toml, docs/architecture.md). Like healthchecks' `hc/lib`:
language helpers, numbers, the role gate of the pages, API errors, the admin toolkit and the
.xlsx writers.
"""
