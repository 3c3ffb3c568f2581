"""A time budget for the outside services one unit of work calls (a page, a task).

Each call to an outside service (BAN, ANTS, DGFiP, the LLM, FranceConnect) has its own
timeout, and idempotent calls are retried: alone, those multiply into 10–20 s when a
service is slow. The budget bounds the total instead: ``OutsideCallsBudgetMiddleware``
gives each request ``CIVIQUEST_OUTSIDE_CALLS_BUDGET_SECONDS`` from its start, and the
clients cap each call's timeout at the time left and skip the retries and waits that
would overrun it. A Celery task may set its own with ``outside_calls_budget(seconds)``
(or none: ``outside_calls_budget(None)``).

The deadline is a context variable, so concurrent requests in threads or asyncio tasks
each see their own.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

# Monotonic time after which no outside call should start; None: no budget (calls use their own timeouts).
_deadline: ContextVar[float | None] = ContextVar("civiquest_outside_calls_deadline", default=None)


def default_seconds() -> float | None:
    """The per-request budget from the settings; None (or ≤ 0 in the setting) means no budget."""
    seconds = float(getattr(settings, "CIVIQUEST_OUTSIDE_CALLS_BUDGET_SECONDS", 0) or 0)
    return seconds if seconds > 0 else None


def deadline() -> float | None:
    return _deadline.get()


def time_left() -> float | None:
    """Seconds left for outside calls (never negative), or None when there is no budget."""
    current = _deadline.get()
    if current is None:
        return None
    return max(0.0, current - time.monotonic())


def spent() -> bool:
    left = time_left()
    return left is not None and left <= 0.0


def capped(timeout: float) -> float:
    """``timeout``, or the time left if that is shorter."""
    left = time_left()
    return timeout if left is None else min(timeout, left)


@contextmanager
def until(when: float | None) -> Iterator[None]:
    """Run the block with this absolute deadline (monotonic time; None for no budget)."""
    token = _deadline.set(when)
    try:
        yield
    finally:
        _deadline.reset(token)


@contextmanager
def outside_calls_budget(seconds: float | None) -> Iterator[None]:
    """Run the block with ``seconds`` for its outside calls from now (None: no budget), replacing any other."""
    with until(None if seconds is None else time.monotonic() + seconds):
        yield


def within(when: float | None, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Iterate a streaming response's content under the request's deadline.

    The body of a streaming response is produced after the middleware has returned, so
    its outside calls (the assistant's model) would otherwise run without a budget.
    """
    while True:
        with until(when):
            try:
                chunk = next(chunks)
            except StopIteration:
                return
        yield chunk
