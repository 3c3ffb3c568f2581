"""Readiness checks: can this process reach what it needs to serve requests?"""

from __future__ import annotations

import logging
import uuid

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.db import connection

from civiquest.core.cache import ResilientRedisCache

logger = logging.getLogger(__name__)


def check_database() -> str | None:
    """None when the database answers, else why not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        logger.warning("readiness: database unreachable: %s", error)
        return type(error).__name__
    return None


def check_cache() -> str | None:
    """None when the cache stores and returns a value, else why not."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, ResilientRedisCache):
        # It would answer "miss" rather than raise: ask it to probe Redis for real.
        try:
            backend.check()
        except Exception as error:  # noqa: BLE001
            logger.warning("readiness: cache unreachable: %s", error)
            return type(error).__name__
        return None
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", timeout=5)
        value = cache.get(key)
        cache.delete(key)
    except Exception as error:  # noqa: BLE001
        logger.warning("readiness: cache unreachable: %s", error)
        return type(error).__name__
    if value != "ok":
        return "value not stored"
    return None


def readiness() -> dict[str, str | None]:
    return {"database": check_database(), "cache": check_cache()}
