"""Gunicorn configuration of the web processes (``make serve``, ``make demo``, the Dockerfile).

Pages are served by gunicorn's threaded WSGI worker (``gthread``): one process per core
and ``WEB_THREADS`` threads each, all from ``config/serving.py``. Django's views are
synchronous, so a thread per request uses every core without the ASGI adapter's hop to
a thread for each view.
"""

from __future__ import annotations

import os

from config import serving

wsgi_app = "config.wsgi:application"
bind = [f"{os.environ.get('WEB_HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"]
worker_class = "gthread"
workers = serving.web_workers()
threads = serving.web_threads()
# Connections beyond the threads wait in the kernel's queue; keep-alive ones are cheap.
worker_connections = 1000
backlog = 2048
keepalive = 5
# A request that takes longer is killed with its worker (the assistant's streams end well before).
timeout = int(os.environ.get("WEB_TIMEOUT", "").strip() or 60)
graceful_timeout = 30
# Recycle workers now and then, so that a slow leak never grows without bound.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "").strip() or 5000)
max_requests_jitter = max_requests // 10
# Load Django once in the master: the workers share its memory pages after the fork. Nothing
# connects to the database at import time, so no connection (or pool) crosses the fork.
preload_app = True
# The request log comes from the application (one JSON line per request with its id).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "warning")
# Behind a reverse proxy that sets X-Forwarded-Proto (settings.SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
