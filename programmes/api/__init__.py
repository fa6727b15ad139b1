"""REST API v1 for the programme records (docs/design.md §5): regions, provinces, plans,
targets, projects with their lifecycle, disbursements and outputs. `urls` routes them; the
project's API wiring (khuyencong/api.py) includes it under /api/v1/.
"""
