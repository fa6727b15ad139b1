"""gunicorn's settings for the portal: `gunicorn -c gunicorn.conf.py khuyencong.wsgi`.

From the environment (see .env.example): GUNICORN_BIND (127.0.0.1:8000: nginx in front on the
same host) and GUNICORN_WORKERS (2 × CPU cores + 1, gunicorn's own advice for sync workers).
The rest is fixed here. Options given on the command line override these.
"""

import multiprocessing
import os

from gunicorn.http import wsgi as _gunicorn_wsgi

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS") or 2 * multiprocessing.cpu_count() + 1)

# A request that takes longer is stuck: its worker is restarted. The slowest legitimate request,
# the Excel export of a national year, takes a few seconds (bench/RESULTS.md).
timeout = 30
# On a restart or a reload (SIGHUP), workers finish the requests they have for up to this long.
graceful_timeout = 30
# Each worker is replaced after about this many requests (the jitter keeps them from all
# restarting at once), so that memory a long run accumulates is given back.
max_requests = 1000
max_requests_jitter = 100
# Behind nginx on the same host: keep-alive connections from nginx, closed after 5 s idle.
keepalive = 5

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


# No `Server: gunicorn` banner: it only tells an attacker what runs here. gunicorn writes the
# header in Response.default_headers with no setting to turn it off (setting gunicorn.SERVER to
# "" would still send an empty `Server:`), so the line is taken out there. This module runs in
# the master process before the workers are forked, so every worker has the change.
_default_headers = _gunicorn_wsgi.Response.default_headers


def _default_headers_without_server(self):
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


_gunicorn_wsgi.Response.default_headers = _default_headers_without_server
