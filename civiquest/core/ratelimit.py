"""Fixed-window counters for the rate limiters, shared through the cache, kept per process when it is down.

The count lives in the Django cache (Redis in production), so every process of a
deployment shares it: ``cache.add`` opens the window, ``cache.incr`` counts atomically.

Which way a limiter fails when Redis is unreachable: **it keeps limiting, per process.**
The count then moves to an in-memory counter of this process with the same key, limit
and window, so a client still meets the limit on every worker it reaches (with N worker
processes, at most N × the limit gets through during the outage). Refusing everything
(fail closed) would take the assistant, the address autocomplete and the tax simulator
down with Redis; letting everything through (fail open) would let one client spend the
national geocoder's quota or the simulator's CPU for everyone.
"""

from __future__ import annotations

import threading
import time

from django.core.cache import cache

from civiquest.core.cache import cache_unreachable

# Expired local windows are swept once the table holds this many keys.
LOCAL_SWEEP_SIZE = 10_000


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

    def clear(self) -> None:
        with self.lock:
            self.windows.clear()


_local = _LocalCounters()


def hit(key: str, *, window: int) -> int:
    """Count one hit in the window ``key`` (opened by its first hit, ``window`` seconds long); the count so far."""
    window = max(1, int(window))
    if not cache_unreachable():
        cache.add(key, 0, timeout=window)
        try:
            return int(cache.incr(key))
        except ValueError:
            if not cache_unreachable():
                # The window expired between add and incr: this hit opens a new one.
                cache.set(key, 1, timeout=window)
                return 1
    return _local.hit(key, window)


def allowed(key: str, *, limit: int, window: int) -> bool:
    """Count one hit; False when it goes over ``limit`` in the window (the request is then refused)."""
    return hit(key, window=window) <= limit


def forget_local_counts() -> None:
    """Drop this process's fallback counters (tests)."""
    _local.clear()
