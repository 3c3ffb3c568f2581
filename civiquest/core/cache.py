"""A Redis cache that degrades to "no cache" when Redis is unreachable, instead of raising.

Everything the cache holds can be lost (sessions are ``cached_db``: the database is the
truth), so a down Redis must cost speed, never pages. Each operation catches Redis'
connection-level errors and answers as a miss: ``get`` → the default, ``add`` → False,
``set`` → nothing stored, ``incr`` → ``ValueError`` (as for a missing key), ``delete`` →
False, ``get_many`` → ``{}``, ``set_many`` → every key failed, ``has_key``/``touch`` → False.

After a failure the process stops calling Redis for ``DOWN_SECONDS`` (an ``OPTIONS`` entry,
default 5): a per-process health hint, so that a request with twenty cache calls pays the
socket timeout once, not twenty times. The warning is logged when Redis is first found
down, then at most once a minute; a line is logged when it answers again.

Code that must know whether an answer was a real miss (the rate limiters, readiness) asks
``cache_unreachable()`` or calls ``check()``.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis import exceptions as redis_errors

logger = logging.getLogger(__name__)

# What "Redis is not answering" looks like; a ResponseError to a bad command is a bug, not an outage.
UNREACHABLE_ERRORS: tuple[type[Exception], ...] = (
    redis_errors.ConnectionError,  # refused, reset, closed; also BusyLoading, Authentication, MaxConnections
    redis_errors.TimeoutError,
    redis_errors.ReadOnlyError,  # a replica promoted away during a failover refuses writes
    redis_errors.ClusterDownError,  # also MasterDownError
    redis_errors.TryAgainError,
    OSError,
)
DEFAULT_DOWN_SECONDS = 5.0
WARNING_INTERVAL_SECONDS = 60.0

T = TypeVar("T")


class _Hints:
    """Per process: until when each Redis location is deemed down, and when that was last logged."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down_until: dict[str, float] = {}
        self.warned_at: dict[str, float] = {}

    def is_down(self, location: str) -> bool:
        return self.down_until.get(location, 0.0) > time.monotonic()

    def mark_down(self, location: str, seconds: float, error: Exception) -> None:
        now = time.monotonic()
        with self.lock:
            self.down_until[location] = now + seconds
            warned = self.warned_at.get(location)
            if warned is not None and now - warned < WARNING_INTERVAL_SECONDS:
                return
            self.warned_at[location] = now
        logger.warning(
            "cache unreachable, serving without it for %.1f s: %s",
            seconds,
            type(error).__name__,
            extra={"cache_location": location},
        )

    def mark_up(self, location: str) -> None:
        if location not in self.down_until:
            return
        with self.lock:
            was_down = self.down_until.pop(location, None) is not None
            self.warned_at.pop(location, None)
        if was_down:
            logger.info("cache reachable again", extra={"cache_location": location})


_hints = _Hints()


class ResilientRedisCache(RedisCache):
    """Django's ``RedisCache``, answering as a miss (and logging) when Redis is unreachable."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        # Ours, not a redis-py connection option: take it out before the pool sees it.
        self.down_seconds = float(options.pop("DOWN_SECONDS", DEFAULT_DOWN_SECONDS))
        super().__init__(server, {**params, "OPTIONS": options})
        self.location = server if isinstance(server, str) else ",".join(server)

    def is_down(self) -> bool:
        """True while this process deems Redis unreachable (after a failure, for ``down_seconds``)."""
        return _hints.is_down(self.location)

    def _guard(self, fallback: T, operation: Callable[[], T]) -> T:
        if _hints.is_down(self.location):
            return fallback
        try:
            result = operation()
        except UNREACHABLE_ERRORS as error:
            _hints.mark_down(self.location, self.down_seconds, error)
            return fallback
        _hints.mark_up(self.location)
        return result

    def check(self) -> None:
        """Store, read back and delete a value, ignoring the hint; raises what Redis raised (readiness)."""
        key = self.make_and_validate_key(f"readyz:{uuid.uuid4().hex}")
        client: RedisCacheClient = self._cache  # type: ignore[attr-defined]
        try:
            client.set(key, "ok", 5)
            value = client.get(key, None)
            client.delete(key)
        except UNREACHABLE_ERRORS as error:
            _hints.mark_down(self.location, self.down_seconds, error)
            raise
        _hints.mark_up(self.location)
        if value != "ok":
            raise LookupError("value not stored")

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guard(False, lambda: super(ResilientRedisCache, self).add(key, value, timeout, version))

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guard(default, lambda: super(ResilientRedisCache, self).get(key, default, version))

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._guard(None, lambda: super(ResilientRedisCache, self).set(key, value, timeout, version))

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guard(False, lambda: super(ResilientRedisCache, self).touch(key, timeout, version))

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guard(False, lambda: super(ResilientRedisCache, self).delete(key, version))

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        keys = list(keys)
        return self._guard({}, lambda: super(ResilientRedisCache, self).get_many(keys, version))

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guard(False, lambda: super(ResilientRedisCache, self).has_key(key, version))

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # Unreachable: what Django raises for a missing key, which callers already handle (they then ``set``).
        if _hints.is_down(self.location):
            raise ValueError(f"Key '{key}' not found (cache unreachable)")
        try:
            result = super().incr(key, delta, version)
        except UNREACHABLE_ERRORS as error:
            _hints.mark_down(self.location, self.down_seconds, error)
            raise ValueError(f"Key '{key}' not found (cache unreachable)") from error
        _hints.mark_up(self.location)
        return result

    def set_many(self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        # Django's contract: the keys that could not be stored.
        return self._guard(list(data), lambda: super(ResilientRedisCache, self).set_many(data, timeout, version))

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        keys = list(keys)
        self._guard(None, lambda: super(ResilientRedisCache, self).delete_many(keys, version))

    def clear(self) -> None:
        self._guard(None, lambda: super(ResilientRedisCache, self).clear())


def cache_unreachable(alias: str = DEFAULT_CACHE_ALIAS) -> bool:
    """True when that cache is a resilient Redis cache this process currently deems down."""
    backend = caches[alias]
    return isinstance(backend, ResilientRedisCache) and backend.is_down()
