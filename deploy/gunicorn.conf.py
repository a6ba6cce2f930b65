"""gunicorn settings for Learning Loop: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

Everything can be overridden by environment variables (so systemd units and `make serve-prod`
share this file): GUNICORN_BIND, WEB_CONCURRENCY, GUNICORN_TIMEOUT, GUNICORN_ACCESS_LOG.
"""

import multiprocessing
import os
import sys
from pathlib import Path

from gunicorn.glogging import Logger

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from people.log_filters import HideLinkKeys, hide_link_keys  # noqa: E402

# Behind a reverse proxy on the same machine: listen on loopback only.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# Sync workers: one request at a time per process, so n workers = n concurrent requests.
# (2 x CPUs) + 1 is gunicorn's rule of thumb; each worker holds one PostgreSQL connection.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A request that takes longer than this is killed (the booking lock wait is bounded at 3 s).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow for ever.
max_requests = 2000
max_requests_jitter = 200
# Don't import the app before forking: each worker opens its own database connections.
preload_app = False
# The proxy sets X-Forwarded-Proto; trust it only from loopback.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None  # "-" for stdout


class LinkKeyHidingLogger(Logger):
    """Evaluation and offer links carry their key in the path: log the route, not the key
    (request line, path, Referer and any header, and the error log's messages)."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            log.addFilter(HideLinkKeys())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: hide_link_keys(value) for key, value in atoms.items()}


logger_class = LinkKeyHidingLogger
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "learning-loop-web"
# gunicorn >= 25 opens a control socket at one path per user; two instances (serve-prod and the
# load test, or two sites) would share it. systemd or the stack script manages the process.
control_socket_disable = True


def post_worker_init(worker):
    """Import every URL's views, and the modules the report pages compute and draw with (which
    the URLconf leaves out for start-up time, reports/warm.py), before the first request, so that
    request is not the slow one."""
    from django.urls import get_resolver

    from reports.warm import warm_imports

    get_resolver().url_patterns  # noqa: B018 (the import is the point)
    warm_imports()
