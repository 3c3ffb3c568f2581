"""How many web processes and threads serve, read once from the environment.

Shared by the gunicorn configuration (``config/gunicorn.conf.py``) and the settings, which
size the PostgreSQL connection pool of each web process from the same numbers, so that the
documented bound on connections (``docs/deployment.md``) holds by construction.
"""

from __future__ import annotations

import os


def _positive_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    number = int(value)
    if number < 1:
        raise ValueError(f"{name} must be a positive integer, not {value!r}")
    return number


def cpu_count() -> int:
    """The cores this process may run on (a container's CPU set, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def shared_cache_configured() -> bool:
    return bool(os.environ.get("REDIS_URL", "").strip())


def web_workers() -> int:
    """Web processes: one per core, since each process runs Python on one core at a time.

    Without a shared cache (the embedded stack) there is exactly one: the in-process cache
    holds state the next request must see (rate limits, unread counts, the sandboxes'
    state), which a second process would not see.
    """
    if not shared_cache_configured():
        return 1
    return _positive_int("WEB_WORKERS", cpu_count())


def web_threads() -> int:
    """Threads per web process: requests spend much of their time waiting on the database."""
    return _positive_int("WEB_THREADS", 8)


def db_pool_max() -> int:
    """Connections one process's pool may open: one per thread, so no thread ever waits."""
    return _positive_int("CIVIQUEST_DB_POOL_MAX", web_threads())
