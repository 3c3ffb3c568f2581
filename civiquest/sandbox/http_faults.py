"""Test knobs that make a State-API sandbox misbehave, to prove its client survives.

A fault is pending for a service (an ``INTEGRATIONS`` key) for the next ``times``
requests, then the sandbox answers normally again: that is how a test opens a circuit
and then sees it recover. Faults live in the cache (shared with a live server's thread
or another process) and are ignored whenever the sandboxes are off.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse

LIFETIME_SECONDS = 10 * 60


class HttpFault(StrEnum):
    SLOW = "slow"  # sleeps SANDBOX_HTTP_SLOW_SECONDS, longer than the client's timeout
    TOO_MANY_REQUESTS = "too_many_requests"  # 429 with Retry-After: 1
    SERVER_ERROR = "server_error"  # 500
    MALFORMED_JSON = "malformed_json"  # 200 with a body that is not JSON


def _key(service: str) -> str:
    return f"sandbox:http-faults:{service}"


def _count_key(service: str) -> str:
    return f"sandbox:http-faults:{service}:requests"


def inject(service: str, fault: HttpFault, times: int = 1_000) -> None:
    """Make the next ``times`` requests to this service's sandbox fail with ``fault``."""
    cache.set(_key(service), {"fault": fault.value, "left": times}, LIFETIME_SECONDS)


def clear(service: str) -> None:
    cache.delete(_key(service))


def requests_seen(service: str) -> int:
    """How many requests reached this sandbox since the counter was reset (tests prove an open circuit)."""
    return int(cache.get(_count_key(service), 0))


def reset_requests_seen(service: str) -> None:
    cache.set(_count_key(service), 0, LIFETIME_SECONDS)


def _take(service: str) -> HttpFault | None:
    if not settings.SANDBOXES_ENABLED:
        return None
    pending = cache.get(_key(service))
    if not pending or pending["left"] <= 0:
        return None
    left = pending["left"] - 1
    if left:
        cache.set(_key(service), {"fault": pending["fault"], "left": left}, LIFETIME_SECONDS)
    else:
        cache.delete(_key(service))
    return HttpFault(pending["fault"])


def _count(service: str) -> None:
    key = _count_key(service)
    if not cache.add(key, 1, LIFETIME_SECONDS):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, LIFETIME_SECONDS)


def fault_response(fault: HttpFault) -> HttpResponse | None:
    if fault is HttpFault.SLOW:
        time.sleep(settings.SANDBOX_HTTP_SLOW_SECONDS)
        return None  # then the normal answer, too late for the client
    if fault is HttpFault.TOO_MANY_REQUESTS:
        response = JsonResponse({"error": {"code": 429, "message": "Too Many Requests"}}, status=429)
        response["Retry-After"] = "1"
        return response
    if fault is HttpFault.SERVER_ERROR:
        return JsonResponse({"error": {"code": 500, "message": "Internal Server Error"}}, status=500)
    return HttpResponse('{"type": "FeatureCollection", "features": [', content_type="application/json")


def faulty(service: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a sandbox view: it counts requests and answers a pending fault first."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            _count(service)
            fault = _take(service)
            if fault is not None:
                response = fault_response(fault)
                if response is not None:
                    return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
