"""The one rate limiter: fixed windows counted in the shared cache, one API for pages and the JSON API.

``check(key, limit=…, window=…, message=…)`` counts one hit and raises ``RateLimited`` (with
the translated ``message`` and ``retry_after``, the whole seconds until the window ends) when
it goes over the limit. The JSON API answers it 429 with ``Retry-After`` and ``{"detail":
message}`` (``civiquest.core.api_errors`` installs the handler, which ``too_many_requests``
builds, as do plain JSON views); a page shows ``error.message``.

A window opens with the key's first hit and lasts ``window`` seconds: at most ``limit`` hits
are let through in it. The count lives in the Django cache (Redis in production), so every
process of a deployment shares it: ``cache.add`` opens the window, ``cache.incr`` counts
atomically, and the window's end is kept beside the count for ``Retry-After``.

Which way a limiter fails when Redis is unreachable: **it keeps limiting, per process.**
The count then moves to an in-memory counter of this process with the same key, limit
and window, so a client still meets the limit on every worker it reaches (with N worker
processes, at most N × the limit gets through during the outage). Refusing everything
(fail closed) would take the assistant, the address autocomplete and the tax simulator
down with Redis; letting everything through (fail open) would let one client spend the
national geocoder's quota or the simulator's CPU for everyone.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from django.core.cache import cache
from django.http import JsonResponse
from django.utils.functional import Promise

from civiquest.core.cache import cache_unreachable

# Expired local windows are swept once the table holds this many keys.
LOCAL_SWEEP_SIZE = 10_000
KEY = "ratelimit:{key}"


class RateLimited(Exception):
    """Over a rate limit: ``message`` says so (translated), ``retry_after`` when to try again (seconds)."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class _LocalCounters:
    """This process's fallback counters: key → (count, end of the window, monotonic)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.windows: dict[str, tuple[int, float]] = {}

    def hit(self, key: str, window: int) -> int:
        now = time.monotonic()
        with self.lock:
            if len(self.windows) >= LOCAL_SWEEP_SIZE:
                self.windows = {k: v for k, v in self.windows.items() if v[1] > now}
            count, ends = self.windows.get(key, (0, 0.0))
            if ends <= now:
                count, ends = 0, now + window
            count += 1
            self.windows[key] = (count, ends)
            return count

    def seconds_left(self, key: str) -> float:
        with self.lock:
            _count, ends = self.windows.get(key, (0, 0.0))
        return ends - time.monotonic()

    def clear(self) -> None:
        with self.lock:
            self.windows.clear()


_local = _LocalCounters()


def _open(key: str, window: int, *, count: int) -> None:
    """Start a window at ``count`` hits, with its end beside it (for ``Retry-After``)."""
    cache.set(f"{key}:ends", time.time() + window, timeout=window)
    if count:
        cache.set(key, count, timeout=window)


def _count(key: str, window: int) -> tuple[int, bool]:
    """Count one hit in the window of ``key``; the count so far, and whether it was counted in the cache."""
    if not cache_unreachable():
        if cache.add(key, 0, timeout=window):
            _open(key, window, count=0)
        try:
            return int(cache.incr(key)), True
        except ValueError:
            if not cache_unreachable():
                # The window expired between add and incr: this hit opens a new one.
                _open(key, window, count=1)
                return 1, True
    return _local.hit(key, window), False


def _seconds_left(key: str, window: int, *, shared: bool) -> int:
    if shared:
        ends = cache.get(f"{key}:ends")
        left = window if ends is None else float(ends) - time.time()
    else:
        left = _local.seconds_left(key)
    return max(1, min(window, math.ceil(left)))


def hit(key: str, *, window: int) -> int:
    """Count one hit in the window of ``key`` (opened by its first hit, ``window`` seconds long); the count so far."""
    return _count(KEY.format(key=key), max(1, int(window)))[0]


def check(key: str, *, limit: int, window: int, message: str | Promise | Callable[[], str]) -> None:
    """Count one hit for ``key``; raise ``RateLimited`` when it is over ``limit`` in the window.

    ``message`` (or what it returns, called only when the limit is hit) is what the person is told.
    """
    window = max(1, int(window))
    full_key = KEY.format(key=key)
    count, shared = _count(full_key, window)
    if count <= limit:
        return
    text = message() if callable(message) else str(message)
    raise RateLimited(text, retry_after=_seconds_left(full_key, window, shared=shared))


def too_many_requests(error: RateLimited) -> JsonResponse:
    """The JSON answer to a request over its limit: 429, ``Retry-After`` and ``{"detail": message}``."""
    response = JsonResponse({"detail": error.message}, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


def forget_local_counts() -> None:
    """Drop this process's fallback counters (tests)."""
    _local.clear()
