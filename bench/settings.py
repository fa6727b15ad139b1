"""Settings of the benchmark runs: the production settings, with what a loopback run needs.

The portal's own settings (DEBUG off, persistent connections with health checks, the same
middleware and REST framework set-up) so that the numbers are production's; only:

- a fixed secret key (the benchmarks sign sessions, nothing else);
- the hosts the test client and wrk send (`testserver`, `127.0.0.1`);
- plain static storage instead of the manifest one, so the dashboard renders without a
  `collectstatic` run first (the `{% static %}` URLs differ, the work per page does not);
- cookies without the Secure flag, because the load runs speak plain HTTP on loopback.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from khuyencong.settings import *  # noqa: E402, F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Planner settings for the measured portal's connections (libpq `options`, for example
# "-c random_page_cost=1.1"), so that load runs can compare a tuned server with the default
# one side by side. Unset: the server's own settings.
if os.environ.get("BENCH_PG_OPTIONS"):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = os.environ["BENCH_PG_OPTIONS"]  # noqa: F405
