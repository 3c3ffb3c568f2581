"""Point a production client at its sandbox on the live server: a real socket, fast timeouts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from civiquest.core.circuit import reset_circuit
from civiquest.sandbox import http_faults

# Fast enough for tests, still the real behaviour: a timeout, retries, a circuit that opens. The
# deadline leaves room for every attempt and a 1-second Retry-After, as production's do.
FAST: dict[str, Any] = {
    "TIMEOUT": 0.5,
    "RETRIES": 2,
    "BACKOFF": 0.01,
    "FAILURE_THRESHOLD": 3,
    "RECOVERY_SECONDS": 1.0,
    "DEADLINE": 3.0,
}


def point_client_at(settings: Any, service: str, base_url: str, **overrides: Any) -> None:
    settings.INTEGRATIONS = {
        **settings.INTEGRATIONS,
        service: {**settings.INTEGRATIONS[service], "BASE_URL": base_url, **FAST, **overrides},
    }


def sandbox_session(settings: Any, service: str, base_url: str, **overrides: Any) -> Iterator[str]:
    """For a fixture: the client points at ``base_url``, no fault pending, counters and circuit reset."""
    point_client_at(settings, service, base_url, **overrides)
    # Longer than the client's timeout, short enough not to slow the suite down.
    settings.SANDBOX_HTTP_SLOW_SECONDS = 1.5
    reset_circuit(service)
    http_faults.clear(service)
    http_faults.reset_requests_seen(service)
    yield base_url
    http_faults.clear(service)
