"""The API Impôt particulier client pointed at its sandbox on the live server (a real socket)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from civiquest.integrations.taxes.impot_particulier import SERVICE
from civiquest.sandbox import http_faults


def point_client_at(settings, base_url: str, **overrides: Any) -> None:
    settings.INTEGRATIONS = {
        **settings.INTEGRATIONS,
        SERVICE: {
            **settings.INTEGRATIONS[SERVICE],
            "BASE_URL": base_url,
            "TIMEOUT": 0.5,
            "RETRIES": 2,
            "BACKOFF": 0.01,
            "FAILURE_THRESHOLD": 3,
            "RECOVERY_SECONDS": 1.0,
            **overrides,
        },
    }


@pytest.fixture
def dgfip_api(live_server, settings) -> Iterator[str]:
    """The sandbox's base URL; the client talks to it over the live server's socket."""
    base_url = live_server.url + "/sandbox/dgfip"
    point_client_at(settings, base_url)
    settings.SANDBOX_HTTP_SLOW_SECONDS = 1.5
    http_faults.clear(SERVICE)
    http_faults.reset_requests_seen(SERVICE)
    yield base_url
    http_faults.clear(SERVICE)
